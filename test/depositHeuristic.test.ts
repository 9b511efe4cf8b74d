/**
 * The deposit-address heuristic's decisions on hand-made transfer rows: what raises and lowers the
 * confidence, and what rules an address out. The end-to-end behaviour on anvil is in deposits.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  FAST_SWEEP_BLOCKS,
  HOT_WALLET_WINDOW_BLOCKS,
  MAX_SENDERS,
  MIN_HOT_WALLET_PAYERS,
  MAX_SWEEP_TXS,
  SWEEP_WINDOW_BLOCKS,
  cyclesInto,
  detectDeposit,
  maySweep,
  sweepsOf,
  type DepositInput,
} from '../src/trace/deposits.js';
import { createDepositCheck } from '../src/trace/depositCheck.js';
import type { FetchNeed } from '../src/sources/fetcher.js';
import { readLearnedDeposits, type DepositStore, type LearnedDeposit } from '../src/store/deposits.js';
import { createStore, type Store } from '../src/store/store.js';
import { NATIVE, type Address, type Label, type Seed, type Transfer } from '../src/types.js';
import { addressEvidence } from '../src/trace/evidence.js';
import type { DepositFinding } from '../src/trace/walk.js';
import { tempDb, venue } from './helpers/trace.js';

const ETH = 10n ** 18n;
const a = (n: number): Address => `0x${n.toString(16).padStart(40, '0')}`;
const D = a(0xd);
const MULE = a(0x1);
const [binance, binance2] = venue('Binance', 2) as [Label, Label];
const garantex = venue('Garantex')[0]!;
const labels = new Map([binance, binance2, garantex].map((l) => [l.address, l]));

let nextTx = 1;
function t(from: Address, to: Address, amount: bigint, block: number, asset = NATIVE as string): Transfer {
  const n = nextTx++;
  return {
    chainId: 1, txHash: `0x${n.toString(16).padStart(64, '0')}`, ref: 'trace:', kind: 'native', blockNumber: block,
    blockHash: `0x${'b'.repeat(64)}`, txIndex: 0, from, to, asset, amount,
  };
}

function input(arrival: Transfer, outgoing: Transfer[], extraIn: Transfer[] = []): DepositInput {
  return { address: D, arrival, outgoing, incoming: [arrival, ...extraIn], labelOf: (x) => labels.get(x) };
}

describe('detectDeposit', () => {
  // Changed with issue 11's bench targets: a quick full sweep seen once was `high`; a peel-chain
  // intermediary forwarding everything to an exchange looks the same on chain, so alone it is `medium`.
  it('takes a quick full sweep from a one-sender address, seen once, for medium: a one-shot forward looks the same', () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const e = detectDeposit(input(arrival, [t(D, binance.address, 10n * ETH - 1n, 103)]));
    expect(e).toMatchObject({ entity: 'Binance', delayBlocks: 3, shareBps: 9_999, senders: 1, confidence: 'medium' });
    expect(e?.reasons.join('; ')).toMatch(/is not shown to be Binance's hot wallet \(not looked at\): it may be a deposit address itself/);
  });

  // Changed with the bench's seeds (issue 11 item 5): the pattern repeated made `high`; a launderer's
  // wallet paid twice and emptied twice into its own account at the venue repeats it as well, so it
  // is a reason now, and `high` needs the destination shown to be a hot wallet (or another exchange-side signal).
  it('is sure of a full sweep into an address that other addresses pay all along: the hot wallet of many deposit addresses', () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const sweep = [t(D, binance.address, 10n * ETH - 1n, 103)];
    const e = detectDeposit({ ...input(arrival, sweep), venuePayers: MIN_HOT_WALLET_PAYERS });
    expect(e?.confidence).toBe('high');
    expect(e?.reasons[0]).toBe(`4 other addresses paid ${binance.address} within ${HOT_WALLET_WINDOW_BLOCKS} blocks of the sweep: it acts as Binance's hot wallet`);
    // Fewer payers than a deposit address may have (MAX_SENDERS): the destination may be a customer's
    // deposit address labelled with its venue, the address its customer. The mirror: medium.
    const quiet = detectDeposit({ ...input(arrival, sweep), venuePayers: MIN_HOT_WALLET_PAYERS - 1 });
    expect(quiet?.confidence).toBe('medium');
    expect(quiet?.reasons.join('; ')).toMatch(/not shown to be Binance's hot wallet \(3 other payers within 300 blocks\)/);
    expect(MIN_HOT_WALLET_PAYERS).toBeGreaterThan(MAX_SENDERS);
    // A label that says `hot-wallet` in its source's own words needs no payers counted.
    const hotRole = new Map([[binance.address, { ...binance, role: 'hot-wallet' as const }]]);
    const byRole = detectDeposit({ ...input(arrival, sweep), labelOf: (x: Address) => hotRole.get(x) });
    expect(byRole?.confidence).toBe('high');
    expect(byRole?.reasons[0]).toMatch(/is Binance's hot wallet by its label's own words/);
    // With the hot wallet shown, one doubt still stands at high; two make it low.
    const slow = detectDeposit({ ...input(arrival, [t(D, binance.address, 10n * ETH, 100 + FAST_SWEEP_BLOCKS + 1)]), venuePayers: 9 });
    expect(slow?.confidence).toBe('high');
    const slowAndDust = detectDeposit({ ...input(arrival, [t(D, binance.address, 95n * ETH / 10n, 100 + FAST_SWEEP_BLOCKS + 1)]), venuePayers: 9 });
    expect(slowAndDust?.confidence).toBe('low');
  });

  it('takes the deposit pattern repeated into a venue nobody else pays for medium: a launderer forwarding twice to its own account does the same', () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const sweep = t(D, binance.address, 10n * ETH - 1n, 103);
    const later = t(a(0xc1), D, 3n * ETH, 900);
    const again = t(D, binance2.address, 3n * ETH - 1n, 950);
    const history = { outgoing: [sweep, again], incoming: [arrival, later] };
    const e = detectDeposit({ ...input(arrival, [sweep]), history, venuePayers: 0 });
    expect(e?.confidence).toBe('medium');
    expect(e?.reasons.join('; ')).toMatch(/paid in and swept into Binance 2 times \(the deposit pattern repeated\)/);
    expect(cyclesInto({ ...input(arrival, [sweep]), history }, 'Binance')).toBe(2);
    // The mirror: the same address sweeping into a wallet that other deposit addresses are emptied into is high.
    const busy = detectDeposit({ ...input(arrival, [sweep]), history, venuePayers: 12 });
    expect(busy?.confidence).toBe('high');
    expect(busy?.reasons.join('; ')).toMatch(/paid in and swept into Binance 2 times/);
    // A second "cycle" that is not one: the later payment out is far more than what came in (a wallet's balance).
    const notACycle = { outgoing: [sweep, t(D, binance.address, 30n * ETH, 950)], incoming: [arrival, later] };
    expect(cyclesInto({ ...input(arrival, [sweep]), history: notACycle }, 'Binance')).toBe(1);
    // Cycles into another venue are no repetition of this one.
    const elsewhere = { outgoing: [sweep, t(D, garantex.address, 3n * ETH, 950)], incoming: [arrival, later] };
    expect(cyclesInto({ ...input(arrival, [sweep]), history: elsewhere }, 'Binance')).toBe(1);
  });

  it('is sure of a sweep batched with other addresses paying the same venue in one transaction', () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const sweep = [t(D, binance.address, 10n * ETH, 110)];
    const batched = detectDeposit({ ...input(arrival, sweep), batchPeers: 3 });
    expect(batched?.confidence).toBe('high');
    expect(batched?.reasons.join('; ')).toMatch(/swept in one transaction with 3 other addresses paying Binance \(a batched sweep\)/);
    expect(detectDeposit({ ...input(arrival, sweep), batchPeers: 0 })?.confidence).toBe('medium');
  });

  it('takes only the sweep that carries the arrival: the next cycle swept later in the window is not a second sweep', () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const sweep = t(D, binance.address, 10n * ETH, 110);
    const later = t(a(0xc2), D, 4n * ETH, 200);
    const again = t(D, binance.address, 4n * ETH, 210);
    const e = detectDeposit({ ...input(arrival, [sweep, again], [later]), history: { outgoing: [sweep, again], incoming: [arrival, later] }, venuePayers: 5 });
    expect(e).toMatchObject({ sweepTxs: [sweep.txHash], senders: 1, shareBps: 10_000, confidence: 'high' });
  });

  it('does not take a sweep into a hot wallet whose label was not in force at the time of the sweep', () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const sweep = t(D, binance.address, 10n * ETH, 110);
    const inForce = (_l: Label, x: Transfer): boolean => x.blockNumber < 105;
    expect(sweepsOf({ ...input(arrival, [sweep]), inForce })).toEqual([]);
    expect(detectDeposit({ ...input(arrival, [sweep]), inForce })).toBeNull();
    expect(detectDeposit({ ...input(arrival, [sweep]), inForce: () => true })?.entity).toBe('Binance');
  });

  it('lowers the confidence for a slow sweep, then for a second doubt', () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const slow = detectDeposit(input(arrival, [t(D, binance.address, 10n * ETH, 100 + FAST_SWEEP_BLOCKS + 1)]));
    expect(slow?.confidence).toBe('medium');
    const slowAndSplit = detectDeposit(
      input(arrival, [t(D, binance.address, 5n * ETH, 100 + FAST_SWEEP_BLOCKS + 1), t(D, binance2.address, 5n * ETH, 100 + FAST_SWEEP_BLOCKS + 2)]),
    );
    expect(slowAndSplit?.confidence).toBe('low');
    expect(slowAndSplit?.sweepTxs).toHaveLength(2);
  });

  it('rules out a sweep after the window, a partial payment, payments to two exchanges and a collector', () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    expect(detectDeposit(input(arrival, [t(D, binance.address, 10n * ETH, 101 + SWEEP_WINDOW_BLOCKS)]))).toBeNull();
    expect(detectDeposit(input(arrival, [t(D, binance.address, 8n * ETH, 101)]))).toBeNull();
    expect(detectDeposit(input(arrival, [t(D, binance.address, 5n * ETH, 101), t(D, garantex.address, 5n * ETH, 102)]))).toBeNull();
    const senders = Array.from({ length: MAX_SENDERS + 1 }, (_, i) => t(a(0x100 + i), D, 1n, 100));
    expect(detectDeposit(input(arrival, [t(D, binance.address, 10n * ETH, 101)], senders))).toBeNull();
    // An older balance spent with the new money is a wallet, not a deposit address.
    expect(detectDeposit(input(arrival, [t(D, binance.address, 50n * ETH, 101)]))).toBeNull();
  });

  it('never takes a payment into a labelled deposit address for a sweep: that is a customer paying in', () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const ftxDeposit: Label = { ...binance, address: a(0xf7), entity: 'FTX', role: 'deposit' };
    const withDeposit = new Map([...labels, [ftxDeposit.address, ftxDeposit]]);
    const into = { ...input(arrival, [t(D, ftxDeposit.address, 10n * ETH, 101)]), labelOf: (x: Address) => withDeposit.get(x) };
    expect(sweepsOf(into)).toEqual([]);
    expect(detectDeposit(into)).toBeNull();
    // The same payment into a labelled wallet of unknown role is a sweep: the role alone decides it.
    const unknownRole = new Map([...labels, [ftxDeposit.address, { ...ftxDeposit, role: 'unknown' as const }]]);
    expect(detectDeposit({ ...into, labelOf: (x: Address) => unknownRole.get(x) })?.entity).toBe('FTX');
  });

  it('does not count the exchange’s own gas top-up as a sender, nor its value as received', () => {
    const arrival = t(MULE, D, 10n * ETH, 100, a(0x7070));
    const topUp = t(garantex.address, D, ETH / 100n, 101);
    const e = detectDeposit(input(arrival, [t(D, garantex.address, 10n * ETH, 102, a(0x7070))], [topUp]));
    expect(e).toMatchObject({ senders: 1, shareBps: 10_000, asset: a(0x7070), confidence: 'high' });
  });

  it('is sure of a token sweep only when the venue paid the gas: gas from anyone else leaves a one-shot forward', () => {
    const arrival = t(MULE, D, 10n * ETH, 100, a(0x7070));
    const sweep = [t(D, garantex.address, 10n * ETH, 102, a(0x7070))];
    const venueGas = detectDeposit(input(arrival, sweep, [t(garantex.address, D, ETH / 100n, 101)]));
    expect(venueGas?.confidence).toBe('high');
    expect(venueGas?.reasons.join('; ')).toMatch(/Garantex topped it up with gas before the token sweep/);
    const ownGas = detectDeposit(input(arrival, sweep, [t(a(0x6a5), D, ETH / 100n, 101)]));
    expect(ownGas?.confidence).toBe('medium'); // no signal lifts it (and the gas wallet counts as a second sender)
    expect(ownGas?.reasons.join('; ')).not.toMatch(/topped it up/);
    expect(detectDeposit(input(arrival, sweep))?.confidence).toBe('medium');
  });
});

describe('sweepsOf, on outgoing rows alone', () => {
  it('rules out sweeps to two exchanges and more sweep transactions than MAX_SWEEP_TXS, as detectDeposit does', () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const twoVenues = [t(D, binance.address, 5n * ETH, 101), t(D, garantex.address, 5n * ETH, 102)];
    const split = Array.from({ length: MAX_SWEEP_TXS + 1 }, (_, i) => t(D, binance.address, 10n * ETH / BigInt(MAX_SWEEP_TXS + 1) + 1n, 101 + i));
    for (const outgoing of [twoVenues, split]) {
      expect(sweepsOf(input(arrival, outgoing))).toEqual([]);
      expect(detectDeposit(input(arrival, outgoing))).toBeNull();
    }
    const fine = [t(D, binance.address, 5n * ETH, 101), t(D, binance2.address, 5n * ETH, 102)];
    expect(sweepsOf(input(arrival, fine))).toEqual(fine);
  });

  it('maySweep is false only where sweepsOf finds nothing, whichever labels are in force', () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const sweep = t(D, binance.address, 10n * ETH, 101);
    const cases: Transfer[][] = [
      [],
      [t(D, a(0x77), 10n * ETH, 101)], // to an unlabelled address
      [t(D, binance.address, 10n * ETH, 99)], // before the arrival
      [t(D, binance.address, 10n * ETH, 100 + SWEEP_WINDOW_BLOCKS + 1)], // past the window
      [t(D, binance.address, 10n * ETH, 101, a(0x70))], // another asset
      [t(D, binance.address, 0n, 101)], // no value
      [sweep],
      [t(D, binance.address, 5n * ETH, 101), t(D, garantex.address, 5n * ETH, 102)],
    ];
    const never = (): boolean => false;
    for (const outgoing of cases) {
      const may = maySweep({ arrival, outgoing, labelOf: (x) => labels.get(x) });
      for (const inForce of [undefined, never]) {
        const found = sweepsOf({ ...input(arrival, outgoing), ...(inForce ? { inForce } : {}) });
        if (!may) expect(found).toEqual([]);
      }
    }
    expect(maySweep({ arrival, outgoing: [sweep], labelOf: (x) => labels.get(x) })).toBe(true);
    expect(maySweep({ arrival, outgoing: cases[1]!, labelOf: (x) => labels.get(x) })).toBe(false);
  });

  it('spares a busy address that pays two exchanges the fetch of its incoming transfers', async () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const outgoing = [t(D, binance.address, 5n * ETH, 101), t(D, garantex.address, 5n * ETH, 102)];
    const needs: FetchNeed[] = [];
    const check = createDepositCheck({
      store: { transfersOf: (_a: string, side: 'from' | 'to') => (side === 'from' ? outgoing : [arrival]) } as unknown as Store,
      learned: { get: () => undefined, getIn: () => [], putAll: (_c, items) => { if (items.length > 0) throw new Error('nothing to learn'); return []; }, all: () => [], byAddress: () => [] },
      chainId: 1,
      toBlock: 10_000,
      ensure: async (n) => void needs.push(...n),
      labels,
    });
    expect(await check.check([{ address: D, arrival }], true)).toEqual(new Map());
    expect(needs.map((n) => n.side)).toEqual(['from']);
  });

  it('asks the database about an address once, however often the walk asks', async () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const evidence = detectDeposit(input(arrival, [t(D, binance.address, 10n * ETH, 101)]))!;
    const asked: string[] = [];
    const learned: DepositStore = {
      get: (_c, address) => (asked.push(address), address === D ? { ...evidence, chainId: 1, address: D, learnedAt: 'then' } : undefined),
      getIn: (_c, addresses) => (asked.push(...addresses), addresses.filter((a) => a === D).map(() => ({ ...evidence, chainId: 1, address: D, learnedAt: 'then' }))),
      putAll: (_c, items) => { if (items.length > 0) throw new Error('nothing to learn'); return []; },
      all: () => [],
      byAddress: () => [],
    };
    const check = createDepositCheck({ store: {} as Store, learned, chainId: 1, toBlock: 10_000, ensure: async () => {}, labels });
    expect(check.known(D)?.evidence).toEqual(evidence);
    expect(check.known(MULE)).toBeUndefined();
    expect(check.known(MULE)).toBeUndefined();
    expect((await check.check([{ address: D, arrival }], true)).get(D)?.known).toBe(true);
    expect(asked).toEqual([D, MULE]);
    // A batch of addresses not asked before is one lookup, and each of them is then known without another.
    const [E, F] = [`0x${'e'.repeat(40)}`, `0x${'f'.repeat(40)}`];
    asked.length = 0;
    const outgoing = { to: 10_000, rows: [] };
    await check.check([{ address: E, arrival, outgoing }, { address: F, arrival, outgoing }, { address: MULE, arrival, outgoing }], false);
    expect(check.known(E)).toBeUndefined();
    expect(asked).toEqual([E, F]);
  });
});

describe('createDepositCheck: what it reads around a sweep', () => {
  /** The rows a store would hold (everything fetched), answered as Store.transfersOf answers. */
  const memory = (rows: Transfer[]): Store =>
    ({
      transfersOf: (address: Address, side: 'from' | 'to', from: number, to: number) =>
        rows.filter((r) => (side === 'from' ? r.from : r.to) === address && r.blockNumber >= from && r.blockNumber <= to),
    }) as unknown as Store;
  const learning = (): DepositStore => ({
    get: () => undefined,
    getIn: () => [],
    putAll: (chainId, items) => items.map(({ address, evidence }) => ({ ...evidence, chainId, address, learnedAt: 'now' })),
    all: () => [],
    byAddress: () => [],
  });
  const checker = (rows: Transfer[], extra: Partial<Parameters<typeof createDepositCheck>[0]> = {}, needs: FetchNeed[] = []) =>
    createDepositCheck({ store: memory(rows), learned: learning(), chainId: 1, toBlock: 10_000, ensure: async (n) => void needs.push(...n), labels, ...extra });

  it('consults the hot wallet label’s validity window at the sweep’s time', async () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const sweep = t(D, binance.address, 10n * ETH, 110);
    const dated = new Map([...labels, [binance.address, { ...binance, validFrom: null, validTo: '2024-12-31' }]]);
    const asked: number[] = [];
    // The label's window, as run.ts answers it from block times: here it ends before block 105.
    const labelInForce = async (_label: Label, block: number): Promise<boolean> => (asked.push(block), block < 105);
    const expired = await checker([arrival, sweep], { labels: dated, labelInForce }).check([{ address: D, arrival }], true);
    expect(expired).toEqual(new Map());
    expect(asked).toContain(110);
    const inForce = await checker([arrival, sweep], { labels: dated, labelInForce: async () => true }).check([{ address: D, arrival }], true);
    expect(inForce.get(D)?.evidence.entity).toBe('Binance');
  });

  it('finds a batched sweep among the hot wallet’s arrivals in the sweep’s transaction', async () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const sweep = t(D, binance.address, 10n * ETH, 110);
    const peers = [t(a(0xe1), binance.address, ETH, 110), t(a(0xe2), binance.address, ETH, 110)].map((p) => ({ ...p, txHash: sweep.txHash }));
    const needs: FetchNeed[] = [];
    const batched = (await checker([arrival, sweep, ...peers], {}, needs).check([{ address: D, arrival }], true)).get(D);
    expect(batched?.evidence.confidence).toBe('high');
    expect(batched?.evidence.reasons.join('; ')).toMatch(/with 2 other addresses paying Binance \(a batched sweep\)/);
    expect(needs).toContainEqual({ address: binance.address, side: 'to', from: 0, to: 110 + HOT_WALLET_WINDOW_BLOCKS });
    // The same payments into the hot wallet in transactions of their own are no batch.
    const alone = [t(a(0xe1), binance.address, ETH, 110), t(a(0xe2), binance.address, ETH, 110)];
    expect((await checker([arrival, sweep, ...alone]).check([{ address: D, arrival }], true)).get(D)?.evidence.confidence).toBe('medium');
  });

  it('reads the history of an address that paid the venue twice, and finds the pattern repeated', async () => {
    const arrival = t(MULE, D, 10n * ETH, 100);
    const rows = [arrival, t(D, binance.address, 10n * ETH, 103), t(a(0xc1), D, 3n * ETH, 900), t(D, binance.address, 3n * ETH, 950)];
    const needs: FetchNeed[] = [];
    const found = (await checker(rows, {}, needs).check([{ address: D, arrival }], true)).get(D);
    // The pattern repeated into a hot wallet nobody else pays: a reason, not `high` (see detectDeposit).
    expect(found?.evidence.confidence).toBe('medium');
    expect(found?.evidence.reasons.join('; ')).toMatch(/paid in and swept into Binance 2 times/);
    expect(needs.filter((n) => n.address === D && n.side === 'to').map((n) => n.to)).toContain(10_000);
    // Paid the venue once: its incoming transfers are fetched for the sweep's window only.
    const onceNeeds: FetchNeed[] = [];
    const once = (await checker(rows.slice(0, 2), {}, onceNeeds).check([{ address: D, arrival }], true)).get(D);
    expect(once?.evidence.confidence).toBe('medium');
    expect(onceNeeds.filter((n) => n.address === D && n.side === 'to').map((n) => n.to)).toEqual([103]);
  });

  it('counts the other addresses paying the hot wallet around the sweep, not the venue’s own nor any outside the window', async () => {
    const arrival = t(MULE, D, 10n * ETH, 1_000);
    const sweep = t(D, binance.address, 10n * ETH, 1_010);
    const near = (n: number, block: number) => t(a(0xf00 + n), binance.address, ETH, block);
    // Three customers' sweeps inside the window, one the venue's own move (another Binance address),
    // one just outside, and D's own later payment: three payers, short of MIN_HOT_WALLET_PAYERS.
    const rows = [
      arrival, sweep, near(1, 1_010 - HOT_WALLET_WINDOW_BLOCKS), near(2, 1_200), near(3, 1_010 + HOT_WALLET_WINDOW_BLOCKS),
      t(binance2.address, binance.address, 50n * ETH, 1_050), near(4, 1_011 + HOT_WALLET_WINDOW_BLOCKS), t(D, binance.address, 0n, 1_100),
    ];
    const needs: FetchNeed[] = [];
    const three = (await checker(rows, {}, needs).check([{ address: D, arrival }], true)).get(D);
    expect(three?.evidence.confidence).toBe('medium');
    expect(three?.evidence.reasons.join('; ')).toMatch(/3 other payers within 300 blocks/);
    expect(needs).toContainEqual({ address: binance.address, side: 'to', from: 1_010 - HOT_WALLET_WINDOW_BLOCKS, to: 1_010 + HOT_WALLET_WINDOW_BLOCKS });
    // A fourth customer inside the window: the destination acts as a hot wallet, the verdict is high.
    const four = (await checker([...rows, near(5, 900)]).check([{ address: D, arrival }], true)).get(D);
    expect(four?.evidence.confidence).toBe('high');
    expect(four?.evidence.reasons[0]).toBe(`4 other addresses paid ${binance.address} within ${HOT_WALLET_WINDOW_BLOCKS} blocks of the sweep: it acts as Binance's hot wallet`);
    // A label that says `hot-wallet`: only the sweep's block is read (for a batch), no window of payers.
    const roleNeeds: FetchNeed[] = [];
    const hotRole = new Map([...labels, [binance.address, { ...binance, role: 'hot-wallet' as const }]]);
    const byRole = (await checker([arrival, sweep], { labels: hotRole }, roleNeeds).check([{ address: D, arrival }], true)).get(D);
    expect(byRole?.evidence.confidence).toBe('high');
    expect(roleNeeds).toContainEqual({ address: binance.address, side: 'to', from: 1_010, to: 1_010 });
  });
});

describe('learned deposit addresses in the database', () => {
  it('keeps the evidence exactly, and forgets an inference whose sweep a reorg replaced', () => {
    const arrival = t(MULE, D, 2n ** 70n, 100);
    const evidence = detectDeposit(input(arrival, [t(D, binance.address, 2n ** 70n, 120)]))!;
    const path = tempDb();
    const store = createStore(path);
    try {
      store.bindChain(1, 'test');
      store.deposits.putAll(1, [{ address: D, evidence }]);
      expect(readLearnedDeposits(path)).toEqual([{ ...evidence, chainId: 1, address: D, learnedAt: expect.any(String) }]);
      store.rollbackAbove(120);
      expect(readLearnedDeposits(path)).toHaveLength(1);
      store.rollbackAbove(119);
      expect(readLearnedDeposits(path)).toEqual([]);
    } finally {
      store.close();
    }
  });
});

describe('evidence on an address (trace/evidence.ts)', () => {
  const finding = (conflict?: Seed): DepositFinding => ({
    label: binance,
    evidence: detectDeposit(input(t(MULE, D, 10n * ETH, 100), [t(D, binance.address, 10n * ETH, 101)]))!,
    known: false,
    learnedAt: '2025-03-01T00:00:00.000Z',
    ...(conflict ? { conflict } : {}),
  });
  const seed: Seed = { address: D, chain: 'evm', label: 'exploiter', incident: 'Fixture theft', tier: 'official:OFAC', source: 'OFAC SDN' };
  const at = (day: string): number => Date.parse(`${day}T12:00:00Z`) / 1000;

  it('is a label only while the label is in force, inferred for a verdict alone, a conflict for a verdict on a seed', () => {
    const dated: Label = { ...binance, address: D, validFrom: null, validTo: '2024-12-31' };
    const labelsOf = new Map([[D, dated]]);
    const ctx = { labels: labelsOf, inferences: new Map<Address, DepositFinding>() };
    expect(addressEvidence(ctx, D, at('2024-06-01'))?.level).toBe('label');
    expect(addressEvidence(ctx, D, at('2025-01-01'))).toBeNull();
    expect(addressEvidence(ctx, MULE, at('2024-06-01'))).toBeNull();

    const inferred = addressEvidence({ labels: new Map(), inferences: new Map([[D, finding()]]) }, D);
    // Changed with issue 11's bench targets: the one-shot sweep of this fixture is `medium`, no longer `high`.
    expect(inferred).toMatchObject({ level: 'inferred', sources: [], inference: { entity: 'Binance', confidence: 'medium' }, conflict: null });

    const onSeed = addressEvidence({ labels: new Map(), seedList: new Map([[D, seed]]), inferences: new Map([[D, finding(seed)]]) }, D);
    expect(onSeed?.level).toBe('conflict');
    expect(onSeed?.sources.map((x) => [x.kind, x.tier])).toEqual([['seed', 'official:OFAC']]);
    expect(onSeed?.conflict).toMatch(/is on the seed list \(official:OFAC, Fixture theft\), but the exchange deposit-address heuristic takes it for a Binance deposit address/);
  });
});

describe('a remembered deposit address', () => {
  it('is not used where its hot wallet\'s label was not in force at the remembered sweep (a label narrowed since)', async () => {
    const n = (k: number): Address => `0x${k.toString(16).padStart(40, '0')}`;
    const dep = n(0xd0);
    const [hot] = venue('Binance', 1) as [Label];
    const arrival: Transfer = { chainId: 1, txHash: `0x${'1'.repeat(64)}`, ref: 'trace:', kind: 'native', blockNumber: 100, blockHash: `0x${'b'.repeat(64)}`, txIndex: 0, from: n(1), to: dep, asset: NATIVE, amount: 10n };
    const row: LearnedDeposit = { chainId: 1, address: dep, learnedAt: 'then', hotWallet: hot.address, entity: 'Binance', asset: NATIVE, arrivalTx: arrival.txHash, arrivalBlock: 100, sweepTxs: [`0x${'2'.repeat(64)}`], sweepBlock: 110, delayBlocks: 10, received: 10n, swept: 10n, shareBps: 10000, senders: 1, confidence: 'medium', reasons: [] };
    const learned: DepositStore = { get: () => row, getIn: (_c, addresses) => addresses.map((address) => ({ ...row, address })), putAll: (_c, items) => items.map(() => row), all: () => [row], byAddress: () => [row] };
    const asked: number[] = [];
    const checkWith = (validTo: string | null, inForce: boolean) =>
      createDepositCheck({
        store: { transfersOf: () => [] } as unknown as Store,
        learned,
        chainId: 1,
        toBlock: 1000,
        ensure: async () => {},
        labels: new Map([[hot.address, { ...hot, validFrom: null, validTo }]]),
        labelInForce: async (_l, block) => (asked.push(block), inForce),
      });
    // Undated: used as remembered, nothing asked.
    expect((await checkWith(null, false).check([{ address: dep, arrival }], true)).get(dep)?.known).toBe(true);
    expect(asked).toEqual([]);
    // Dated and in force at the sweep: used.
    expect((await checkWith('2030-01-01', true).check([{ address: dep, arrival }], true)).get(dep)?.known).toBe(true);
    // Dated and out of force at the sweep: not used (detection runs again, and finds no sweep here).
    expect((await checkWith('1970-01-01', false).check([{ address: dep, arrival }], true)).get(dep)).toBeUndefined();
    expect(asked).toEqual([110, 110]);
  });
});
