/**
 * The walk end to end on a real anvil: flows replayed between real addresses (Lazarus-attributed
 * addresses from data/lazarus-seeds.csv as seeds and hops, real venue addresses from
 * data/exchanges.csv), traced through the real RPC layer into a real SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario, type Scenario } from '../src/devchain/scenario.js';
import { openDb } from '../src/store/open.js';
import { createStore } from '../src/store/store.js';
import { NATIVE, type Address } from '../src/types.js';
import { redactUrl } from '../src/rpc/redact.js';
import { createMemoryWorld } from '../src/trace/memoryWorld.js';
import { tracedEdgesOf } from '../src/trace/run.js';
import { walk } from '../src/trace/walk.js';
import { startProxy } from './helpers/proxy.js';
import { book, DEFAULTS, hitSummary, lazarus, tempDb, trace as traceWithSeedList, venue } from './helpers/trace.js';
import { WALK_DEFAULTS } from './helpers/walk.js';

/**
 * The walk's mechanics, with real seed-list addresses as plain hops: the seed list is left out here, or
 * every hop would also be a known-perpetrator hit (that behaviour is tested in facts.test.ts).
 */
const trace = (...[url, db, seeds, req, ctx]: Parameters<typeof traceWithSeedList>): ReturnType<typeof traceWithSeedList> =>
  traceWithSeedList(url, db, seeds, req, { seedList: undefined, ...ctx });

const ETH = 10n ** 18n;
const USDT = 10n ** 6n;

const P = lazarus('poloniex', 30);
const p = (i: number): Address => P[i]!;
const [binance0, binance1] = venue('Binance', 2).map((l) => l.address) as [Address, Address];
const garantex = venue('Garantex')[0]!.address;

let anvil: AnvilHandle;
let s: Scenario;
let token: Address;
let weth: Address;
let forwarder: Address;
/** Logs its receipts as Deposit(sender, value): WETH's event signature, but not a wrapper. */
let wallet: Address;
/** One DB traced with every seed, reused by the cache tests. */
let sharedDb: string;

const seeds = {
  peel: p(0),
  mixed: p(4),
  internal: p(7),
  weth: p(9),
  poison: p(11),
  timeOrder: p(15),
  backward: p(17),
  hub: p(18),
  wallet: p(27),
};

beforeAll(async () => {
  anvil = await startAnvil({ genesisTimestamp: Date.parse('2025-02-20T00:00:00Z') / 1000 });
  s = createScenario(anvil.url);
  for (const a of [...P, binance0, binance1, garantex]) await s.fund(a, 1_000n * ETH);
  token = (await s.deploy('TestToken', ['Tether USD (fixture)', 'USDT', 6])).address;
  weth = (await s.deploy('WrappedEther')).address;
  forwarder = (await s.deploy('Forwarder', [await s.deployer()])).address;
  const at = (h: number): { at: string } => ({ at: new Date(Date.parse('2025-02-21T15:00:00Z') + h * 3_600_000).toISOString() });

  // 1. Peel chain, one hop an hour, with peels left behind: p0 → p1 → p2 → p3 → Binance.
  await s.sendEth(p(0), p(1), 90n * ETH, at(0));
  await s.sendEth(p(0), p(20), 10n * ETH, at(0.1));
  await s.sendEth(p(1), p(2), 80n * ETH, at(1));
  await s.sendEth(p(1), p(21), 5n * ETH, at(1.1));
  await s.sendEth(p(2), p(3), 70n * ETH, at(2));
  await s.sendEth(p(3), binance0, 60n * ETH, at(3));
  // 2. Native then token: p4 → p5 (ETH), p5 → p6 (USDT), p6 → Garantex (USDT).
  await s.mintToken(token, p(5), 10_000n * USDT, at(4));
  await s.sendEth(p(4), p(5), 10n * ETH, at(5));
  await s.tokenTransfer(token, p(5), p(6), 5_000n * USDT, at(6));
  await s.tokenTransfer(token, p(6), garantex, 4_000n * USDT, at(7));
  // 3. Through a contract: p7 → Forwarder (native), Forwarder → p8 (internal), p8 → Binance.
  await s.forward(forwarder, p(7), p(8), 3n * ETH, at(8));
  await s.sendEth(p(8), binance1, 2n * ETH, at(9));
  // 4. Wrap: p9 → p10 (ETH), p10 wraps, p10 → Garantex (WETH).
  await s.sendEth(p(9), p(10), 5n * ETH, at(10));
  await s.wrap(weth, p(10), 5n * ETH, at(11));
  await s.tokenTransfer(weth, p(10), garantex, 4n * ETH, at(12));
  // 5. Poisoning: a forged zero Transfer "from" p11 to p12, and p12 does pay Binance.
  await s.poison(token, p(11), p(12), at(13));
  await s.sendEth(p(12), binance0, 1n * ETH, at(14));
  await s.sendEth(p(11), p(13), 1n * ETH, at(15));
  // 6. Time order: p14 paid Binance before p15's money arrived, and Garantex after.
  await s.sendEth(p(14), binance0, 1n * ETH, at(16));
  await s.sendEth(p(15), p(14), 2n * ETH, at(17));
  await s.sendEth(p(14), garantex, 1n * ETH, at(18));
  // 7. Backward: Binance → p16 → p17; Garantex pays p16 only after p16 paid p17.
  await s.sendEth(binance1, p(16), 10n * ETH, at(19));
  await s.sendEth(p(16), p(17), 9n * ETH, at(20));
  await s.sendEth(garantex, p(16), 1n * ETH, at(21));
  // 8. A hub: p19 pays 5 counterparties, one of which pays Binance.
  await s.sendEth(p(18), p(19), 10n * ETH, at(22));
  for (let i = 22; i < 27; i++) await s.sendEth(p(19), p(i), 1n * ETH, at(23 + (i - 22) * 0.1));
  await s.sendEth(p(26), binance0, 1n * ETH, at(24));
  // 9. A wallet that emits WETH's Deposit signature on receipt: p27 → p28 → wallet.
  wallet = (await s.deploy('DepositLoggingWallet')).address;
  await s.sendEth(p(27), p(28), 5n * ETH, at(25));
  await s.sendEth(p(28), wallet, 4n * ETH, at(26));
  // Everything above is final (anvil's finalized = head − 64), as on a real chain after ~13 minutes.
  await s.mine(70);
  sharedDb = tempDb();
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('trace on anvil', () => {
  it('follows a multi-hop peel chain to the exchange, with the path in order and the amounts exact', async () => {
    const r = await trace(anvil.url, sharedDb, [seeds.peel]);
    expect(hitSummary(r)).toEqual(['Binance@4']);
    const hit = r.hits[0]!;
    expect(hit.address).toBe(binance0);
    expect(hit.path.map((st) => [st.from, st.to])).toEqual([
      [p(0), p(1)],
      [p(1), p(2)],
      [p(2), p(3)],
      [p(3), binance0],
    ]);
    expect(hit.path.map((st) => st.amount)).toEqual([90n * ETH, 80n * ETH, 70n * ETH, 60n * ETH]);
    expect(hit.path[0]!.timestamp).toBe(Date.parse('2025-02-21T15:00:00Z') / 1000);
    expect(hit.totals).toEqual([{ asset: NATIVE, symbol: 'ETH', decimals: 18, amount: 60n * ETH, transfers: 1 }]);
    // The peels are followed too: p20 and p21 are visited, but lead nowhere.
    expect(r.stats.addressesVisited).toBe(6);
  });

  it('a label outside its validity window neither stops the walk nor makes a hit', async () => {
    const labelP3 = (validFrom: string) => {
      const label = { ...venue('Binance')[0]!, address: p(3), entity: 'Later deposit address (fixture)', validFrom };
      return { get: (a: Address) => (a === p(3) ? label : book.get(a)) };
    };
    // p3 became a venue's address only in 2030: in 2025 the money went on through it to Binance.
    const later = await trace(anvil.url, sharedDb, [seeds.peel], {}, { labels: labelP3('2030-01-01') });
    expect(hitSummary(later)).toEqual(['Binance@4']);
    // Labelled since 2025-01-01: the hop into p3 is a hit, and the branch ends there.
    const before = await trace(anvil.url, sharedDb, [seeds.peel], {}, { labels: labelP3('2025-01-01') });
    expect(hitSummary(before)).toEqual(['Later deposit address (fixture)@3']);
  });

  it('stops at the hop limit', async () => {
    const r = await trace(anvil.url, sharedDb, [seeds.peel], { hops: 3 });
    expect(r.hits).toEqual([]);
  });

  it('does not follow transfers below --min-value', async () => {
    const r = await trace(anvil.url, sharedDb, [seeds.peel], { minValue: { [NATIVE]: '65' } });
    expect(r.hits).toEqual([]);
    expect(r.params.minValue).toEqual({ [NATIVE]: (65n * ETH).toString() });
  });

  it('honours --until: the last hop after it is not seen', async () => {
    const r = await trace(anvil.url, sharedDb, [seeds.peel], { until: Date.parse('2025-02-21T17:30:00Z') / 1000 });
    expect(r.hits).toEqual([]);
    const full = await trace(anvil.url, sharedDb, [seeds.peel], { since: Date.parse('2025-02-21T00:00:00Z') / 1000 });
    expect(hitSummary(full)).toEqual(['Binance@4']);
  });

  it('mixes native ETH and ERC-20 on one path, with token symbol and decimals', async () => {
    const r = await trace(anvil.url, sharedDb, [seeds.mixed]);
    expect(hitSummary(r)).toEqual(['Garantex@3']);
    const hit = r.hits[0]!;
    expect(hit.risk).toBe('sanctioned');
    expect(hit.jurisdiction).toBe('RU');
    expect(hit.path.map((st) => [st.kind, st.asset, st.symbol, st.decimals, st.amount])).toEqual([
      ['native', NATIVE, 'ETH', 18, 10n * ETH],
      ['erc20', token, 'USDT', 6, 5_000n * USDT],
      ['erc20', token, 'USDT', 6, 4_000n * USDT],
    ]);
  });

  it('sees internal transfers made by a contract', async () => {
    const r = await trace(anvil.url, sharedDb, [seeds.internal]);
    expect(hitSummary(r)).toEqual(['Binance@3']);
    expect(r.hits[0]!.path.map((st) => [st.kind, st.from, st.to])).toEqual([
      ['native', p(7), forwarder],
      ['internal', forwarder, p(8)],
      ['native', p(8), binance1],
    ]);
    expect(r.hits[0]!.path[1]!.ref).toBe('trace:0');
  });

  it('treats a WETH wrap as the same value moving on, not as a payment to the WETH contract', async () => {
    const r = await trace(anvil.url, sharedDb, [seeds.weth]);
    expect(hitSummary(r)).toEqual(['Garantex@2']);
    const path = r.hits[0]!.path;
    expect(path.map((st) => [st.from, st.to, st.symbol])).toEqual([
      [p(9), p(10), 'ETH'],
      [p(10), garantex, 'WETH'],
    ]);
    // p9, p10, and nothing else: the WETH contract is not walked into.
    expect(r.stats.addressesVisited).toBe(2);
  });

  it('does not take a payment to a wallet that logs Deposit(sender, value) for a WETH wrap', async () => {
    // Labelled (as exchange cold wallets using MultiSigWallet are): the payment is a hit.
    const label = { ...venue('Binance')[0]!, address: wallet, entity: 'Cold wallet (fixture)' };
    const labels = { get: (a: Address) => (a === wallet ? label : book.get(a)) };
    const r = await trace(anvil.url, sharedDb, [seeds.wallet], {}, { labels });
    expect(hitSummary(r)).toEqual(['Cold wallet (fixture)@2']);
    // Unlabelled: the walk goes on into the wallet (it is no token, so not a wrapper).
    const open = await trace(anvil.url, sharedDb, [seeds.wallet]);
    expect(open.stats.addressesVisited).toBe(3);
  });

  it('never follows a zero-value (address poisoning) transfer', async () => {
    const r = await trace(anvil.url, sharedDb, [seeds.poison]);
    expect(r.hits).toEqual([]);
    expect(r.stats.transfersSkipped).toBeGreaterThanOrEqual(1);
    expect(r.stats.addressesVisited).toBe(2); // p11 and p13, not p12
  });

  it('follows money forward in time: a payment made before the funds arrived is not a hit', async () => {
    const r = await trace(anvil.url, sharedDb, [seeds.timeOrder]);
    expect(hitSummary(r)).toEqual(['Garantex@2']);
  });

  it('traces backward to the venue the funds came from, in the direction the money moved', async () => {
    const r = await trace(anvil.url, sharedDb, [seeds.backward], { direction: 'in' });
    expect(hitSummary(r)).toEqual(['Binance@2']);
    const hit = r.hits[0]!;
    expect(hit.direction).toBe('in');
    expect(hit.path.map((st) => [st.from, st.to])).toEqual([
      [binance1, p(16)],
      [p(16), p(17)],
    ]);
  });

  it('walks both ways with --direction both, each hit saying which way it lies', async () => {
    const r = await trace(anvil.url, sharedDb, [p(16)], { direction: 'both' });
    // p16 received from Binance and, later, from Garantex (a seed has no time bound); its outflow to
    // p17 reaches no venue.
    expect(r.hits.map((h) => [h.direction, h.entity, h.hops])).toEqual([
      ['in', 'Binance', 1],
      ['in', 'Garantex', 1],
    ]);
    const out = await trace(anvil.url, sharedDb, [p(16)], { direction: 'out' });
    expect(out.hits).toEqual([]);
    expect(out.stats.addressesVisited).toBe(2);
  });

  it('stops at --max-addresses and says how much it left', async () => {
    // seed, then p1 and p20: at hop 2, p2 and p21 are over the budget.
    const r = await trace(anvil.url, sharedDb, [seeds.peel], { maxAddresses: 3 });
    expect(r.hits).toEqual([]);
    expect(r.stats.addressesVisited).toBe(3);
    expect(r.coverage.warnings.join('\n')).toMatch(/--max-addresses 3: 2 more addresses were reached but not followed/);
  });

  it('reports a hub over the fan-out cap instead of following it', async () => {
    const r = await trace(anvil.url, sharedDb, [seeds.hub], { fanOutCap: 3 });
    expect(r.hits).toEqual([]);
    expect(r.coverage.hubs).toEqual([{ address: p(19), degree: 5, hop: 1, kind: 'fan-out', degreeKind: 'counterparties' }]);
    const open = await trace(anvil.url, sharedDb, [seeds.hub], { fanOutCap: 10 });
    // p26 forwards all it received to Binance minutes later: a deposit address's shape. Since report
    // schema 2 (was: Binance@2 at p26, via deposit) the walk goes on through p26, the labelled Binance
    // wallet is the hit at its own hop, and the verdict on p26 is an annotation on the step into it.
    expect(hitSummary(open)).toEqual(['Binance@3']);
    expect(open.hits[0]).toMatchObject({ via: 'label', deposit: null });
    expect(open.hits[0]!.path[1]).toMatchObject({ to: p(26), toEvidence: { level: 'inferred', inference: { entity: 'Binance' } } });
  });

  it('gives the same hits with whole-block scans as with per-address queries', async () => {
    const all = Object.values(seeds);
    const byAddress = await trace(anvil.url, tempDb(), all, { strategy: 'address' });
    const byBlock = await trace(anvil.url, tempDb(), all, { strategy: 'block' });
    const key = (r: typeof byAddress): string[] => r.hits.map((h) => `${h.seed}>${h.address}@${h.hops}`).sort();
    expect(key(byBlock)).toEqual(key(byAddress));
    // And by address set (one trace_filter / eth_getLogs for a hop level's addresses).
    const bySet = await trace(anvil.url, tempDb(), all, { strategy: 'set' });
    expect(key(bySet)).toEqual(key(byAddress));
    expect(bySet.coverage.native).toBe('trace_filter by address set');
    expect(key(byAddress)).toHaveLength(6); // every seed but the poisoned one and the backward one (it has no outflow)
    expect(byBlock.stats.rpcCalls.byMethod.trace_block).toBeGreaterThan(0);
    expect(byAddress.stats.rpcCalls.byMethod.trace_block ?? 0).toBeLessThanOrEqual(1); // the capability probe
    // A forced block scan longer than --max-scan-blocks is not made: per-address queries take over.
    const capped = await trace(anvil.url, tempDb(), [seeds.peel], { strategy: 'block', maxScanBlocks: 5 });
    expect(hitSummary(capped)).toEqual(['Binance@4']);
    expect(capped.coverage.native).toBe('trace_filter by address');
    expect(capped.stats.rpcCalls.byMethod.trace_block ?? 0).toBeLessThanOrEqual(1);
  });
});

describe('the walk on a node and in memory', () => {
  it('walks the same graph over what the run stored as over an in-memory world of the same transfers', async () => {
    const db = tempDb();
    // A block scan stores every movement of the range: the in-memory world holds them all, and the walk
    // must read the same windows out of it as out of the store.
    const r = await trace(anvil.url, db, Object.values(seeds), { direction: 'both', strategy: 'block' });
    const store = createStore(db);
    try {
      store.bindChain(r.chainId, 'test');
      const { fromBlock, toBlock } = r.params;
      const transfers = [...store.transfersInRange(fromBlock, toBlock)];
      const addresses = new Set(transfers.flatMap((t) => [t.from, t.to, t.asset]));
      const labels = [...addresses].flatMap((a) => book.get(a) ?? []);
      const tokens = [...addresses].filter((a) => (store.tokens.get(a)?.decimals ?? null) !== null);
      const blockTime = (n: number): number => {
        const h = store.block(n);
        if (!h) throw new Error(`block ${n} was not stored by the run`);
        return h.timestamp;
      };
      const edges: string[] = [];
      const hits: string[] = [];
      let followed = 0;
      let skipped = 0;
      const visited = new Set<Address>();
      for (const direction of ['out', 'in'] as const) {
        const world = createMemoryWorld({ transfers, labels, tokens, blockTime });
        const m = await walk({ ...WALK_DEFAULTS, world, seeds: Object.values(seeds), direction, hops: DEFAULTS.hops, fromBlock, toBlock });
        edges.push(...[...m.traced.values()].map((e) => `${e.transfer.txHash}|${e.transfer.ref}|${e.hop}`));
        hits.push(...m.hits.map((h) => `${h.seed}>${h.venue} ${h.direction} ${h.path.map((t) => t.txHash).join(',')}`));
        m.visited.forEach((a) => visited.add(a));
        followed += m.followed;
        skipped += m.skipped;
      }
      expect(edges.sort()).toEqual((tracedEdgesOf(r) ?? []).map((e) => `${e.txHash}|${e.ref}|${e.hop}`).sort());
      const labelHits = r.hits.filter((h) => h.via === 'label');
      expect(hits.sort()).toEqual(labelHits.map((h) => `${h.seed}>${h.address} ${h.direction} ${h.path.map((st) => st.txHash).join(',')}`).sort());
      expect(labelHits.length).toBeGreaterThanOrEqual(6);
      expect({ followed, skipped, visited: visited.size }).toEqual({
        followed: r.stats.transfersFollowed,
        skipped: r.stats.transfersSkipped,
        visited: r.stats.addressesVisited,
      });
    } finally {
      store.close();
    }
  });
});

describe('the store is reused', () => {
  it('a re-run asks the node for nothing but the chain id and the head', async () => {
    const proxy = await startProxy(anvil.url);
    try {
      const db = tempDb();
      const all = Object.values(seeds);
      const first = await trace(proxy.url, db, all);
      expect(first.stats.rpcCalls.total).toBeGreaterThan(10);
      proxy.reset();
      const second = await trace(proxy.url, db, all);
      expect(second.stats.rpcCalls.byMethod).toEqual({ eth_chainId: 1, eth_getBlockByNumber: 1 });
      expect(proxy.calls).toEqual({ eth_chainId: 1, eth_getBlockByNumber: 1 });
      expect(second.hits.map((h) => h.address)).toEqual(first.hits.map((h) => h.address));
      expect(second.stats.transfersStored).toBe(0);
    } finally {
      await proxy.stop();
    }
  });

  it('stores each transfer once, whichever end found it', async () => {
    const db = tempDb();
    await trace(anvil.url, db, [seeds.peel]);
    await trace(anvil.url, db, [p(3)], { direction: 'in' });
    // Counted over the raw table: the store itself only ever hands out one row per identity.
    const conn = openDb(db);
    try {
      const rows = conn.prepare('SELECT tx_hash, ref, COUNT(*) AS n FROM transfers GROUP BY tx_hash, ref HAVING n > 1').all();
      expect(rows).toEqual([]);
    } finally {
      conn.close();
    }
    const store = createStore(db);
    try {
      expect(store.transfersOf(p(2), 'to', 0, 10_000).map((t) => t.amount)).toEqual([80n * ETH]);
    } finally {
      store.close();
    }
  });
});

const TRACING = ['trace_filter', 'trace_block', 'trace_transaction', 'debug_traceBlockByHash', 'debug_traceBlockByNumber'];

describe('coverage', () => {
  it('reads receipts one by one where eth_getBlockReceipts is missing too', async () => {
    const proxy = await startProxy(anvil.url, { refuse: [...TRACING, 'eth_getBlockReceipts'] });
    try {
      const r = await trace(proxy.url, tempDb(), [seeds.peel]);
      expect(hitSummary(r)).toEqual(['Binance@4']);
      expect(r.stats.rpcCalls.byMethod.eth_getTransactionReceipt).toBeGreaterThan(0);
    } finally {
      await proxy.stop();
    }
  });

  it('re-probes an endpoint that stopped serving a method it offered before', async () => {
    const proxy = await startProxy(anvil.url, { refuse: ['trace_filter'] });
    try {
      const db = tempDb();
      // The database remembers this endpoint as one that served trace_filter (an earlier probe).
      const store = createStore(db);
      store.bindChain(31337, 'test');
      store.setMeta(`caps:${proxy.url}`, JSON.stringify({ traceFilter: true, traceTransaction: true, traceBlock: true, debugTraceBlock: false }));
      store.close();
      await expect(trace(proxy.url, db, [seeds.peel], { strategy: 'address' })).rejects.toThrow(
        /no longer serves trace_filter, which it offered when first probed; run the trace again/,
      );
      // The next run probes again, reads native transfers another way, and finds the hit.
      expect(hitSummary(await trace(proxy.url, db, [seeds.peel], { strategy: 'address' }))).toEqual(['Binance@4']);
    } finally {
      await proxy.stop();
    }
  });

  it("says a plan the endpoint cannot serve is not possible there, and why, on the planner's line", async () => {
    const proxy = await startProxy(anvil.url, { refuse: ['trace_filter'] });
    try {
      const progress: string[] = [];
      const r = await trace(proxy.url, tempDb(), [seeds.peel], { strategy: 'block' }, { onProgress: (m) => progress.push(m) });
      expect(hitSummary(r)).toEqual(['Binance@4']);
      const planned = progress.filter((m) => / blocks? whole \(/.test(m));
      expect(planned.length).toBeGreaterThan(0);
      for (const m of planned) {
        // No trace_filter: the set plan has no price to measure later ("not measured yet" promised one).
        expect(m).toContain('by set not possible (no trace_filter on the endpoint)');
        expect(m).not.toContain('not measured yet');
        expect(m).toMatch(/block scan ~\d+ ms of calls, per address ~\d+ ms of calls/);
      }
    } finally {
      await proxy.stop();
    }
  });

  it('says so when the node cannot show internal transfers, and still finds what it can see', async () => {
    const proxy = await startProxy(anvil.url, { refuse: TRACING });
    try {
      const r = await trace(proxy.url, tempDb(), [seeds.peel, seeds.internal]);
      expect(r.coverage.internal).toBeNull();
      expect(r.coverage.native).toMatch(/eth_getBlockByNumber/);
      expect(r.coverage.warnings.join('\n')).toMatch(/internal ETH transfers .* not visible/);
      // The top-level peel chain is still found from block bodies; the hop through the contract is not.
      expect(hitSummary(r)).toEqual(['Binance@4']);
    } finally {
      await proxy.stop();
    }
  });
});

describe('the planner prices plans with what calls cost on this endpoint', () => {
  /** A database that already holds a cost table for this endpoint, as an earlier run leaves one. */
  const withCosts = (costs: Record<string, { calls: number; ms: number }>): string => {
    const db = tempDb();
    const store = createStore(db);
    store.setMeta(`cost:${redactUrl(anvil.url)}`, JSON.stringify(costs));
    store.close();
    return db;
  };

  it('scans whole blocks where per-address calls were slow, although they are fewer', async () => {
    const slowAddress = withCosts({
      trace_block: { calls: 100, ms: 100 },
      'eth_getLogs:scan': { calls: 100, ms: 100 },
      trace_filter: { calls: 100, ms: 1e9 },
      'eth_getLogs:address': { calls: 100, ms: 1e9 },
    });
    const byBlock = await trace(anvil.url, slowAddress, [seeds.peel]);
    expect(byBlock.stats.rpcCalls.byMethod.trace_block).toBeGreaterThan(1);
    expect(byBlock.stats.rpcCalls.byMethod.trace_filter ?? 0).toBeLessThanOrEqual(1); // the capability probe

    const slowBlocks = withCosts({ trace_block: { calls: 100, ms: 1e9 }, trace_filter: { calls: 100, ms: 1 } });
    const byAddress = await trace(anvil.url, slowBlocks, [seeds.peel]);
    expect(byAddress.stats.rpcCalls.byMethod.trace_block ?? 0).toBeLessThanOrEqual(1);
    expect(byAddress.stats.rpcCalls.byMethod.trace_filter).toBeGreaterThan(1);
    expect(hitSummary(byBlock)).toEqual(hitSummary(byAddress));

    // What the run measured is kept, added to what was there, for the next run to plan with.
    const store = createStore(slowBlocks);
    const kept = JSON.parse(store.getMeta(`cost:${redactUrl(anvil.url)}`) ?? '{}') as Record<string, { calls: number; ms: number }>;
    store.close();
    expect(kept.trace_filter!.calls).toBeGreaterThan(100);
    expect(kept['eth_getLogs:address']!.calls).toBeGreaterThan(0);
  });
});
