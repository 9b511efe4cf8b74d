/**
 * The two ways of reading native movements per block — Parity traces (trace_block) and Geth's
 * callTracer (debug_traceBlockByHash) — must give the same rows with the same refs, or a database filled
 * from both kinds of node would hold a transfer twice. Checked on anvil, which serves both, with a
 * contract that calls a precompile before paying out (the case where numberings could drift).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario, type Scenario } from '../src/devchain/scenario.js';
import { decodeCallFrames } from '../src/sources/callTracer.js';
import { toQuantity } from '../src/rpc/hex.js';
import type { ParityTrace } from '../src/rpc/actions/parityTrace.js';
import { decodeTraces } from '../src/sources/traces.js';
import { createFetcher } from '../src/sources/fetcher.js';
import { createSources } from '../src/sources/sources.js';
import type { Source } from '../src/sources/source.js';
import { createRpcClient } from '../src/rpc/client.js';
import { createStore } from '../src/store/store.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lazarus } from './helpers/trace.js';

const ETH = 10n ** 18n;
const [payer, payee] = lazarus('stake', 2) as [string, string];
/** Runtime code: STATICCALL ecrecover (0x01) with no input, then CALL payee with the whole callvalue. */
const PAYS_AFTER_PRECOMPILE = `0x6000600060006000${'6001'}5afa50${'6000600060006000'}3473${payee.slice(2)}5af15000`;
const CONTRACT = '0x00000000000000000000000000000000000c0de1';

let anvil: AnvilHandle;
let s: Scenario;

beforeAll(async () => {
  anvil = await startAnvil();
  s = createScenario(anvil.url);
  await s.rpc('anvil_setCode', [CONTRACT, PAYS_AFTER_PRECOMPILE]);
  await s.fund(payer, 10n * ETH);
});

afterAll(async () => {
  await anvil?.stop();
});

describe('per-block readers agree', () => {
  it('trace_block and callTracer give the same movements and refs around a precompile call', async () => {
    const tx = await s.sendEth(payer, CONTRACT, 1n * ETH);
    const q = toQuantity(tx.blockNumber);
    const parity = decodeTraces(await s.rpc<ParityTrace[]>('trace_block', [q]), 31337);
    const frames = await s.rpc('debug_traceBlockByHash', [tx.blockHash, { tracer: 'callTracer' }]);
    const geth = decodeCallFrames(frames, { number: tx.blockNumber, hash: tx.blockHash, txHashes: [tx.hash] }, 31337);
    expect(geth).toEqual(parity);
    expect(parity.map((t) => [t.kind, t.ref, t.from, t.to, t.amount])).toEqual([
      ['native', 'trace:', payer, CONTRACT, 1n * ETH],
      ['internal', 'trace:1', CONTRACT, payee, 1n * ETH],
    ]);
  });
});

describe('the fetcher chooses among the registered sources', () => {
  it('skips a source the endpoint does not serve, even when it is registered first, and never fetches from it', async () => {
    const tx = await s.sendEth(payer, CONTRACT, 1n * ETH);
    const fetched: string[] = [];
    // Sources registered before the real ones whose probe says "not served": a new source added at the
    // head of the registry for an endpoint that lacks its method must change nothing.
    const unserved = (real: Source): Source => ({
      ...real,
      name: `unserved ${real.name}`,
      label: `unserved ${real.label}`,
      available: () => false,
      fetch: async () => {
        fetched.push(real.name);
        return [];
      },
    });
    const real = createSources();
    const firsts = (['logs', 'native'] as const).map((part) => real.find((x) => x.part === part && x.scope === 'address')!);
    const store = createStore(join(mkdtempSync(join(tmpdir(), 'hoptrace-src-')), 'h.db'));
    try {
      const rpc = createRpcClient({ url: anvil.url });
      store.bindChain(31337, rpc.endpoint);
      const fetcher = createFetcher({ rpc, store, chainId: 31337, head: tx.blockNumber, strategy: 'address', maxScanBlocks: 10_000, sources: [...firsts.map(unserved), ...real] });
      await fetcher.ensure([{ address: CONTRACT.toLowerCase() as `0x${string}`, side: 'from', from: 0, to: tx.blockNumber }], {});
      expect(fetched).toEqual([]);
      expect(fetcher.coverage().native).toMatch(/trace_filter/);
      // The contract's payout, an internal movement only a tracer sees, was read per address.
      expect(store.transfersOf(CONTRACT.toLowerCase() as `0x${string}`, 'from', 0, tx.blockNumber).filter((t) => t.txHash === tx.hash).map((t) => [t.kind, t.to, t.amount])).toEqual([
        ['internal', payee, 1n * ETH],
      ]);
    } finally {
      store.close();
    }
  });
});
