/**
 * The deposit check reads a hot wallet's incoming payments once per check per run of overlapping
 * windows (trace/windowReads.ts) and answers the check's candidates from it (trace/depositCheck.ts
 * venueCounts). Its answers must be what a fresh check of each candidate alone gives: for candidates
 * of one check whose windows lie apart or overlap, and across checks when the store gains rows between
 * them in a part of the chain no earlier window covered (as the walk's fetches add them). Pure store
 * logic, no node.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../src/store/store.js';
import { createDepositCheck } from '../src/trace/depositCheck.js';
import type { Address, Label, Transfer } from '../src/types.js';
import { tempDb } from './helpers/trace.js';

const addr = (n: number): Address => `0x${n.toString(16).padStart(40, '0')}` as Address;
const VENUE = addr(0xee);
const LABEL: Label = {
  address: VENUE,
  chain: 'ethereum',
  entity: 'Test Exchange',
  category: 'exchange',
  role: 'unknown',
  jurisdiction: null,
  risk: 'standard',
  source: 'test',
} as unknown as Label;
const labels = { get: (a: Address): Label | undefined => (a === VENUE ? LABEL : undefined) };

let serial = 0;
function move(from: Address, to: Address, block: number, eth: number): Transfer {
  serial++;
  return {
    chainId: 1,
    txHash: `0x${serial.toString(16).padStart(64, '0')}`,
    ref: 'trace:',
    kind: 'native',
    blockNumber: block,
    blockHash: `0x${block.toString(16).padStart(64, '0')}`,
    txIndex: 0,
    from,
    to,
    asset: 'native',
    amount: BigInt(eth) * 10n ** 18n,
  } as Transfer;
}

/** A customer address paid at `block` and swept into the venue 10 blocks later. */
function deposit(n: number, block: number): { address: Address; rows: Transfer[] } {
  const address = addr(0x1000 + n);
  const arrival = move(addr(0x2000 + n), address, block, 10);
  return { address, rows: [arrival, move(address, VENUE, block + 10, 10)] };
}

/** Other customers paying the venue at these blocks. */
const payers = (blocks: number[], base: number): Transfer[] => blocks.map((b, i) => move(addr(base + i), VENUE, b, 1));

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function checker(store: Store) {
  return createDepositCheck({ store, learned: store.deposits, chainId: 1, toBlock: 10_000, ensure: async () => undefined, labels });
}

describe('deposit check: a hot wallet read once per window', () => {
  it('answers every candidate as a fresh check would, rows added between checks included', async () => {
    const a = deposit(1, 1_000);
    const b = deposit(2, 2_000);
    const c = deposit(3, 1_500);
    // Each step adds what the walk would have fetched by then: the venue's windows around each sweep.
    const steps: Transfer[][] = [
      [...a.rows, ...payers([800, 900, 1_200], 0x3000)],
      [...b.rows, ...payers([1_800, 1_900, 2_100, 2_200], 0x4000)],
      // Rows in the gap between the first two windows, only now stored.
      [...c.rows, ...payers([1_350, 1_450, 1_650, 1_700], 0x5000)],
    ];
    const items = [a, b, c].map((d) => ({ address: d.address, arrival: d.rows[0]! }));

    const shared = createStore(tempDb());
    shared.bindChain(1, 'test');
    stores.push(shared);
    const one = checker(shared);
    const answers: unknown[] = [];
    const fresh: unknown[] = [];
    for (let i = 0; i < steps.length; i++) {
      shared.commit(steps[i]!, []);
      answers.push((await one.check([items[i]!], false)).get(items[i]!.address)?.evidence ?? null);
      const alone = createStore(tempDb());
      alone.bindChain(1, 'test');
      stores.push(alone);
      alone.commit(steps.slice(0, i + 1).flat(), []);
      fresh.push((await checker(alone).check([items[i]!], false)).get(items[i]!.address)?.evidence ?? null);
    }
    expect(fresh.every((e) => e !== null)).toBe(true);
    expect(answers).toEqual(fresh);
    // The third candidate's window spans the gap: its payers there count (4 in the gap, 3 + 4 around).
    expect(JSON.stringify(fresh[2], (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).toContain('other addresses paid');
  });

  it('answers the candidates of one check, windows apart and overlapping, as checks of each alone', async () => {
    const ds = [deposit(4, 1_000), deposit(5, 2_000), deposit(6, 1_500), deposit(7, 1_020)];
    const rows = [...ds.flatMap((d) => d.rows), ...payers([800, 900, 1_200, 1_350, 1_450, 1_650, 1_700, 1_800, 2_100, 2_200], 0x6000)];
    const items = ds.map((d) => ({ address: d.address, arrival: d.rows[0]! }));
    const open = (): Store => {
      const s = createStore(tempDb());
      stores.push(s);
      s.bindChain(1, 'test');
      s.commit(rows, []);
      return s;
    };
    const together = await checker(open()).check(items, false);
    const alone = await Promise.all(items.map(async (item) => (await checker(open()).check([item], false)).get(item.address)?.evidence ?? null));
    expect(alone.every((e) => e !== null)).toBe(true);
    expect(items.map((item) => together.get(item.address)?.evidence ?? null)).toEqual(alone);
  });
});
