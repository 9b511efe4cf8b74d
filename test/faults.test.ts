/**
 * A trace through a provider that misbehaves one call in five gives exactly the fault-free answer: the
 * same hits and the same database rows. Faults are every kind the proxy knows (HTTP 429 with and without
 * Retry-After, 5xx, hangs, dropped connections, malformed bodies, wrong ids, the providers' range-error
 * texts, answers for the wrong block, receipts with their logs stripped), drawn by seed: a failure prints
 * the seed, and HOPTRACE_FAULT_SEEDS / HOPTRACE_FAULT_RATE widen the campaign (npm run reliability).
 */
import { getBytes } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { DEMO_EXPECTED } from '../src/devchain/demo.js';
import { demoChainPath } from '../src/devchain/paths.js';
import { createRpcClient } from '../src/rpc/client.js';
import { createFetcher, type Strategy } from '../src/sources/fetcher.js';
import { createStore } from '../src/store/store.js';
import type { TraceResult } from '../src/trace/result.js';
import { checkReceiptLogs } from '../src/rpc/actions/receipt.js';
import { inBloom } from '../src/sources/validate.js';
import { dbContent, demoTrace, envCount, recordFigures } from './helpers/campaign.js';
import { lazarus, tempDb, trace, venue } from './helpers/trace.js';
import { createScenario } from '../src/devchain/scenario.js';
import type { Address } from '../src/types.js';
import { ALL_TRANSIENT_FAULTS, BATCH_FAULTS, FORGED_LOG_ADDRESS, startProxy, type FaultKind, type Proxy, type ProxyOptions } from './helpers/proxy.js';

const FAULTS: FaultKind[] = [
  ...ALL_TRANSIENT_FAULTS,
  'hang',
  'range-infura',
  'range-alchemy',
  'range-quicknode',
  'range-ankr',
  'range-cloudflare',
  'wrong-block',
  'missing-logs',
  'forged-log',
  ...BATCH_FAULTS,
];
const TRACING = ['trace_filter', 'trace_block', 'trace_transaction', 'debug_traceBlockByHash', 'debug_traceBlockByNumber'];
const RATE = envCount('HOPTRACE_FAULT_RATE_PERCENT', 20) / 100;

let anvil: AnvilHandle;

beforeAll(async () => {
  anvil = await startAnvil({ loadState: demoChainPath() });
}, 60_000);

afterAll(async () => {
  await anvil?.stop();
});

/** The demo trace through a proxy; a short timeout so that 'hang' costs one second. */
async function traceVia(proxyOpts: ProxyOptions, db: string, strategy: Strategy = 'address'): Promise<{ result: TraceResult; proxy: Proxy }> {
  const proxy = await startProxy(anvil.url, { retryAfterSeconds: 0, ...proxyOpts });
  try {
    const rpc = createRpcClient({ url: proxy.url, rps: 500, timeoutMs: 1_000, maxRetries: 8 });
    return { result: await demoTrace(rpc, db, strategy), proxy };
  } finally {
    await proxy.stop();
  }
}

const hitsOf = (r: TraceResult) => JSON.stringify(r.hits, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

describe.each([
  { name: 'a tracing node (trace_filter, logs)', refuse: [] as string[], seeds: envCount('HOPTRACE_FAULT_SEEDS', process.env.HOPTRACE_QUICK ? 1 : 3) },
  { name: 'a node without trace_* (block bodies, receipts)', refuse: TRACING, seeds: envCount('HOPTRACE_FAULT_SEEDS_NOTRACE', 1) },
])('at $name, with injected faults', ({ refuse, seeds }) => {
  it(`gives the fault-free hits and database rows (${seeds} seeds)`, async () => {
    // Every plan meets the faults: per address (trace_filter / eth_getLogs by address), block scans, and
    // by address set (one trace_filter / eth_getLogs for many addresses).
    const strategies = ['address', 'block', 'set'] as const;
    const clean = new Map<Strategy, { hits: string; rows: ReturnType<typeof dbContent> }>();
    for (const strategy of strategies) {
      const cleanDb = tempDb();
      const { result } = await traceVia({ refuse }, cleanDb, strategy);
      expect(result.hits.length).toBeGreaterThan(0);
      clean.set(strategy, { hits: hitsOf(result), rows: dbContent(cleanDb) });
      expect(clean.get(strategy)!.rows.transfers.length).toBeGreaterThan(10);
    }
    // The plans see the same hits; their rows differ (a block scan stores every movement of its blocks).
    expect(clean.get('block')!.hits).toBe(clean.get('address')!.hits);
    expect(clean.get('set')!.hits).toBe(clean.get('address')!.hits);

    let injected = 0;
    let calls = 0;
    let requests = 0;
    const byKind: Record<string, number> = {};
    // The seeded runs draw every kind; one more run draws only the data faults (answers for the wrong
    // block, stripped receipts), which a mixed draw over a short trace may not meet at all.
    const runs: { seed: number; kinds: FaultKind[] }[] = [];
    for (let seed = 1; seed <= seeds; seed++) runs.push({ seed, kinds: FAULTS });
    runs.push({ seed: 1, kinds: ['wrong-block', 'missing-logs'] });
    // And one of the batch faults (refused, partial, reordered, an id twice, a member's error) with wrong
    // headers, inside batches too.
    runs.push({ seed: 2, kinds: [...BATCH_FAULTS, 'wrong-block'] });
    for (const { seed, kinds } of runs) {
      const db = tempDb();
      const strategy = strategies[seed % strategies.length]!;
      const want = clean.get(strategy)!.rows;
      const { result, proxy } = await traceVia({ refuse, faults: { rate: RATE, seed, kinds } }, db, strategy);
      const served = Object.values(proxy.served).reduce((a, b) => a + b, 0);
      injected += served;
      for (const [k, v] of Object.entries(proxy.served)) byKind[k] = (byKind[k] ?? 0) + v;
      expect(hitsOf(result), `fault seed ${seed}`).toBe(clean.get(strategy)!.hits);
      expect(dbContent(db), `fault seed ${seed}`).toEqual(want);
      expect(served, `fault seed ${seed}`).toBeGreaterThan(0);
      calls += proxy.total();
      requests += proxy.roundTrips();
    }
    // The faults must have happened at about the rate asked for (draws that fit no call, such as a range
    // error for eth_chainId or a batch fault on a single request, are not served), for the runs to prove
    // anything. Faults are drawn per HTTP request: a batch is one draw for all its members.
    expect(injected).toBeGreaterThan(requests * RATE * 0.3);
    recordFigures(refuse.length ? 'faults-notrace' : 'faults', { runs: runs.length, calls, injected, ...byKind });
    // The data faults (not only transport ones) were met and refetched.
    expect((byKind['wrong-block'] ?? 0) + (byKind['missing-logs'] ?? 0)).toBeGreaterThan(0);
  }, 180_000);
});

describe('receipts with their logs stripped', () => {
  it('are refetched: a node without trace_* gives the fault-free rows', async () => {
    // A wrap is a value transfer with a log: its receipt is read (for its status) on a node without trace_*.
    const chain = await startAnvil();
    try {
      const s = createScenario(chain.url);
      const [from, to] = lazarus('ronin', 2, 5) as [string, string];
      await s.fund(from, 10n ** 20n);
      const weth = (await s.deploy('WrappedEther')).address;
      await s.wrap(weth, from, 10n ** 18n);
      await s.sendEth(from, to, 10n ** 18n);
      await s.mine(5);
      /** `strip`: the next answers of eth_getBlockReceipts lose their logs (counted when there were logs to lose). */
      const run = async (strip = 0) => {
        const proxy = await startProxy(chain.url, { refuse: TRACING });
        if (strip > 0) proxy.inject('missing-logs', { times: strip, method: 'eth_getBlockReceipts' });
        const db = tempDb();
        try {
          await trace(proxy.url, db, [from as Address], { hops: 2 });
          return { db, served: proxy.served['missing-logs'] ?? 0, receipts: proxy.calls['eth_getBlockReceipts'] ?? 0 };
        } finally {
          await proxy.stop();
        }
      };
      const clean = await run();
      const faulty = await run(3);
      expect(faulty.served).toBeGreaterThan(0);
      // Every stripped answer was asked again: it was not taken as a receipt without events.
      expect(faulty.receipts).toBe(clean.receipts + faulty.served);
      expect(dbContent(faulty.db)).toEqual(dbContent(clean.db));
    } finally {
      await chain.stop();
    }
  }, 60_000);
});

describe('a provider that keeps answering for the wrong block', () => {
  it('stops with one sentence naming the method and the redacted endpoint, and keeps what it stored', async () => {
    const db = tempDb();
    // Every eth_getLogs answer carries a foreign block hash; everything else is served honestly.
    await expect(traceVia({ faults: { rate: 1, seed: 1, kinds: ['wrong-block'], methods: ['eth_getLogs'] } }, db)).rejects.toThrow(
      /^eth_getLogs at http:\/\/127\.0\.0\.1:\d+ gave an inconsistent answer 4 times in a row \(eth_getLogs returned block \d+ with hash 0xbababa/,
    );
    // What the other sources read before the stop is kept: the resume starts from there.
    const kept = dbContent(db);
    // …and nothing from the tampered logs: no token row (the demo's WETH hop is a log).
    expect(kept.transfers.filter((r) => !/"kind":"(native|internal)"/.test(r))).toEqual([]);
    expect(kept.transfers.length).toBeGreaterThan(0);
  }, 60_000);
});

describe('two answers that agree on a wrong block hash', () => {
  it('are refused all the same: the header is read, and nothing of either is stored', async () => {
    const db = tempDb();
    // Every eth_getLogs and trace_block answer carries the same foreign hash: the logs and the traces of
    // a block agree with each other, and not with the block.
    const run = traceVia({ faults: { rate: 1, seed: 1, kinds: ['wrong-block'], methods: ['eth_getLogs', 'trace_block'] } }, db, 'block');
    await expect(run).rejects.toThrow(/^(eth_getLogs|trace_block) at http:\/\/127\.0\.0\.1:\d+ gave an inconsistent answer 4 times in a row \(\1 returned block \d+ with hash 0xbababa/);
    expect(dbContent(db).transfers.filter((r) => r.includes('0xbababa'))).toEqual([]);
    expect(dbContent(db).transfers.filter((r) => !/"kind":"(native|internal)"/.test(r))).toEqual([]);
  }, 60_000);
});

describe('a block scan checks traces by about one header per two blocks, logs by their own', () => {
  it('reads fewer headers than it traces blocks, and still stores the times the outputs show', async () => {
    const db = tempDb();
    const { proxy, result } = await traceVia({}, db, 'block');
    const traced = proxy.calls['trace_block'] ?? 0;
    expect(traced).toBeGreaterThan(10);
    // Most blocks' traces are checked by the next block's parentHash (sources/validate.ts headerCover).
    expect(proxy.calls['eth_getBlockByNumber'] ?? 0).toBeLessThan(traced * 0.75);
    // Such a block's header is not stored from the next one's, but the blocks of path steps and of each
    // venue's first and last arrival are (the report reads their times from the store).
    const stored = new Set(dbContent(db).blocks.map((r) => (JSON.parse(r) as { number: number }).number));
    expect(result.hits.length).toBeGreaterThan(0);
    for (const h of result.hits) for (const n of [h.firstBlock, h.lastBlock, ...h.path.map((p) => p.blockNumber)]) expect(stored.has(n), `block ${n}`).toBe(true);
    expect(stored.size).toBeLessThan(traced);
  }, 60_000);

  it('and a log the provider credits to a contract that never logged is refused by its block’s bloom: agreeing hashes would let it in', async () => {
    const db = tempDb();
    // Every eth_getLogs answer has its first log moved to a foreign contract, its block hash left true: a
    // check by hash alone (the next block's parentHash, or a trace of the block agreeing) finds nothing wrong.
    const run = traceVia({ faults: { rate: 1, seed: 1, kinds: ['forged-log'], methods: ['eth_getLogs'] } }, db, 'block');
    await expect(run).rejects.toThrow(
      /^eth_getLogs at http:\/\/127\.0\.0\.1:\d+ gave an inconsistent answer 4 times in a row \(eth_getLogs returned a log that block \d+'s logs bloom rules out/,
    );
    expect(dbContent(db).transfers.filter((r) => r.includes(FORGED_LOG_ADDRESS.slice(2)))).toEqual([]);
    expect(dbContent(db).transfers.filter((r) => !/"kind":"(native|internal)"/.test(r))).toEqual([]);
  }, 60_000);
});

describe('trace_block answers for the wrong block in a block scan', () => {
  it("are caught on every block, those checked by the next block's parent hash included: the fault-free rows", async () => {
    const cleanDb = tempDb();
    const clean = (await traceVia({}, cleanDb, 'block')).proxy;
    const db = tempDb();
    // A third of the trace_block answers carry a foreign hash; the scan checks most blocks without their
    // own header (the next block's parentHash, validate.ts headerCover), so most tampered answers are caught there.
    const { proxy } = await traceVia({ faults: { rate: 0.3, seed: 3, kinds: ['wrong-block'], methods: ['trace_block'] } }, db, 'block');
    const tampered = proxy.served['wrong-block'] ?? 0;
    expect(tampered).toBeGreaterThan(5);
    expect(proxy.calls['eth_getBlockByNumber'] ?? 0).toBeLessThan(proxy.calls['trace_block'] ?? 0);
    // Every tampered answer was refused and asked again: one trace_block call more each, none let through.
    expect(proxy.calls['trace_block']).toBe((clean.calls['trace_block'] ?? 0) + tampered);
    const rows = dbContent(db);
    expect(rows.transfers.filter((r) => r.includes('0xbababa'))).toEqual([]);
    expect(rows.transfers).toEqual(dbContent(cleanDb).transfers);
  }, 60_000);
});

describe("a venue's last arrival in a block whose traces the next block's header checked", () => {
  it('has its block time stored all the same (the report reads it from the store)', async () => {
    const chain = await startAnvil();
    try {
      const s = createScenario(chain.url);
      const [seed] = lazarus('ronin', 1, 9) as [Address];
      const exchange = venue('Garantex')[0]!.address;
      await s.fund(seed, 10n ** 20n);
      // The first arrival the larger: the earliest path and the widest path both end with it.
      const first = await s.sendEth(seed, exchange, 2n * 10n ** 18n);
      // The head odd, the next transaction lands in an even block below the head: a block scan may check
      // its traces against the next block's parent hash (validate.ts headerCover) and then never reads its
      // own header for the check.
      if ((await s.mine(3)) % 2 === 0) await s.mine(1);
      const last = await s.sendEth(seed, exchange, 10n ** 18n);
      expect(last.blockNumber % 2).toBe(0);
      await s.mine(3);
      const db = tempDb();
      const result = await trace(chain.url, db, [seed], { strategy: 'block', hops: 1 });
      const hit = result.hits.find((h) => h.address === exchange);
      expect(hit?.path.map((p) => p.blockNumber)).toEqual([first.blockNumber]);
      expect(hit?.lastBlock).toBe(last.blockNumber);
      const stored = new Set(dbContent(db).blocks.map((r) => (JSON.parse(r) as { number: number }).number));
      expect(stored.has(last.blockNumber)).toBe(true);
    } finally {
      await chain.stop();
    }
  }, 60_000);
});

describe('a provider that keeps failing one method', () => {
  it('stops with one sentence naming method and redacted endpoint; the resume ends with the full rows', async () => {
    const cleanDb = tempDb();
    await traceVia({}, cleanDb);
    const db = tempDb();
    // eth_getLogs answers 503 forever, behind a key-bearing URL; the backoff waits are skipped.
    const proxy = await startProxy(anvil.url, { faults: { rate: 1, seed: 1, kinds: ['http503'], methods: ['eth_getLogs'] } });
    try {
      const rpc = createRpcClient({ url: `${proxy.url}/v3/0123456789abcdef0123456789abcdef`, rps: 500, sleep: async () => {} });
      const err = await demoTrace(rpc, db).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(/^eth_getLogs failed at http:\/\/127\.0\.0\.1:\d+\/v3\/\*\*\* after 7 attempts: HTTP 503$/);
      expect(err?.message).not.toContain('0123456789abcdef');
    } finally {
      await proxy.stop();
    }
    // What was read before the stop (the native transfers of the first hop) is kept; the resume reads the rest.
    const kept = dbContent(db);
    expect(kept.intervals.some((r) => r.includes('"traces:'))).toBe(true);
    expect(kept.intervals.some((r) => r.includes('"logs:'))).toBe(false);
    await traceVia({}, db);
    expect(dbContent(db)).toEqual(dbContent(cleanDb));
  }, 60_000);
});

describe('batches', () => {
  it.each<FaultKind>(BATCH_FAULTS)(
    'every batch met with %s: the fault-free hits and rows all the same',
    async (kind) => {
      const cleanDb = tempDb();
      const clean = await traceVia({}, cleanDb, 'block');
      // The clean run batched its headers: fewer round trips than calls.
      expect(clean.proxy.batches()).toBeGreaterThan(0);
      expect(clean.proxy.roundTrips()).toBeLessThan(clean.proxy.total());
      const db = tempDb();
      // Rate 1: every batch gets the fault (single requests never do).
      const { result, proxy } = await traceVia({ faults: { rate: 1, seed: 3, kinds: [kind] } }, db, 'block');
      expect(proxy.served[kind] ?? 0).toBeGreaterThan(0);
      expect(hitsOf(result)).toBe(hitsOf(clean.result));
      expect(dbContent(db)).toEqual(dbContent(cleanDb));
    },
    60_000,
  );
});

describe('the logs bloom check', () => {
  it("finds a real log's address and topics in its block's bloom, and rules out what the block never logged", async () => {
    const rpc = createRpcClient({ url: anvil.url });
    const logs = (await rpc.request('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }])) as { address: string; topics: string[]; blockNumber: string }[];
    expect(logs.length).toBeGreaterThan(0);
    const log = logs[0]!;
    const block = (await rpc.request('eth_getBlockByNumber', [log.blockNumber, false])) as { logsBloom: string };
    const bloom = getBytes(block.logsBloom);
    for (const part of [log.address, ...log.topics]) expect(inBloom(bloom, part), part).toBe(true);
    // An address that never logged anything on this chain: its three bits are not all set.
    expect(inBloom(bloom, DEMO_EXPECTED.venue.address)).toBe(false);
    expect(() => checkReceiptLogs({ logsBloom: block.logsBloom, logs: [], transactionHash: '0x12' }, 'eth_getTransactionReceipt')).toThrow(
      /logs are missing although its bloom is set/,
    );
    expect(() => checkReceiptLogs({ logsBloom: `0x${'00'.repeat(256)}`, logs: [] }, 'eth_getTransactionReceipt')).not.toThrow();
  });
});

describe('block headers on a node without trace_*', () => {
  // A fresh chain: anvil's debug_traceBlockByHash cannot trace the blocks of a loaded state.
  let chain: AnvilHandle;
  let sender: Address;
  let wrapBlock: number;
  beforeAll(async () => {
    chain = await startAnvil();
    const s = createScenario(chain.url);
    const [from, to] = lazarus('ronin', 2, 7) as [Address, Address];
    sender = from;
    await s.fund(from, 10n ** 20n);
    const weth = (await s.deploy('WrappedEther')).address;
    wrapBlock = (await s.wrap(weth, from, 10n ** 18n)).blockNumber;
    await s.sendEth(from, to, 10n ** 18n);
    await s.mine(5);
  }, 60_000);
  afterAll(async () => {
    await chain?.stop();
  });

  it.each([
    { strategy: 'block', debug: false },
    { strategy: 'address', debug: false },
    { strategy: 'block', debug: true },
  ] as const)('are read once per block ($strategy plan, debug_traceBlockByHash: $debug): the log checks take them from the scan', async ({ strategy, debug }) => {
    const proxy = await startProxy(chain.url, { refuse: TRACING.filter((m) => !(debug && m === 'debug_traceBlockByHash')) });
    const store = createStore(tempDb());
    try {
      const rpc = createRpcClient({ url: proxy.url, rps: 500 });
      const head = Number.parseInt(await rpc.request<string>('eth_blockNumber', []), 16);
      store.bindChain(31337, rpc.endpoint);
      // Capabilities as an earlier run probed them: the probe's own header read is not what is counted here.
      store.setMeta(`caps:${rpc.endpoint}`, JSON.stringify({ traceFilter: false, traceTransaction: false, traceBlock: false, debugTraceBlock: debug }));
      const fetcher = createFetcher({ rpc, store, chainId: 31337, head, strategy, maxScanBlocks: 10_000 });
      await fetcher.ensure((['from', 'to'] as const).map((side) => ({ address: sender, side, from: 0, to: head })));
      expect(fetcher.stored()).toBeGreaterThan(1);
      // The wrap's log was checked against its block's header (kept once it agreed)…
      expect(proxy.calls['eth_getLogs'] ?? 0).toBeGreaterThan(0);
      expect(store.block(wrapBlock)).toBeDefined();
      // …which was the header of the block read for native transfers: one read per block in all.
      expect(proxy.calls['eth_getBlockByNumber']).toBe(head + 1);
    } finally {
      store.close();
      await proxy.stop();
    }
  }, 60_000);
});
