/**
 * The sources and their planner without a node (src/sources/planner.ts, source.ts, sources.ts): which
 * plan a batch of needs gets from the measured call costs, the range keys' covering rule, the
 * registry's promises (stored key names that databases of every release hold), and the run's one
 * header cache (headers.ts).
 */
import { describe, expect, it } from 'vitest';
import type { RpcClient } from '../src/rpc/client.js';
import type { CallCosts } from '../src/sources/cost.js';
import { createHeaderCache } from '../src/sources/headers.js';
import { choosePlan, planCredits, type PlanInput } from '../src/sources/planner.js';
import { keyCovers, keyFor, storedKey } from '../src/sources/source.js';
import { createSetSources, createSources } from '../src/sources/sources.js';
import { decidedByFrames, decodeFiltered } from '../src/sources/traceFilterByAddress.js';
import { parsePriceTable, standInCredits } from '../src/rpc/price.js';
import { readCapabilities, type Capabilities } from '../src/sources/probe.js';

/** A cost table of fixed means per key (ms per call) and call counts, as cost.ts would measure them. */
function costs(ms: Record<string, number>, calls: Record<string, number> = {}): CallCosts {
  const keys = Object.keys(ms);
  return {
    ms: (k) => ms[k],
    calls: (k) => calls[k] ?? 0,
    mean: () => (keys.length ? keys.reduce((a, k) => a + ms[k]!, 0) / keys.length : undefined),
    save: () => undefined,
  };
}

const all: Capabilities = { traceFilter: true, traceTransaction: true, traceBlock: true, debugTraceBlock: false };
const byName = (name: string) => createSources().find((s) => s.name === name)!;

function input(over: Partial<PlanInput>): PlanInput {
  return {
    logParts: [],
    nativeParts: [],
    scannedFull: [],
    addressLogs: byName('logs-by-address'),
    addressNative: byName('trace-filter-by-address'),
    scanLogs: byName('logs-scan'),
    scanNative: byName('trace-block-scan'),
    span: () => undefined,
    costs: costs({}),
    strategy: 'auto',
    levels: 1,
    maxScanBlocks: 10_000,
    ...over,
  };
}

describe('the planner', () => {
  it('with nothing measured compares call counts: a few addresses over a long window stay per address', () => {
    // 3 addresses × logs and traces = 6 range calls, against 1,000 trace_block calls plus one log scan.
    const parts: [number, number][] = [[0, 999], [0, 999], [0, 999]];
    const p = choosePlan(input({ logParts: parts, nativeParts: parts }));
    expect(p.useBlocks).toBe(false);
    expect(p.blocksToRead).toBe(1000);
    // Nothing measured: every call at the fallback 1 ms. 3 log calls + 3 trace_filter (no trees seen yet).
    expect(p.addressCost).toBe(6);
    expect(p.blockCost).toBe(1000 + 1);
  });

  it('scans when per-address calls are slow, although fewer, and weighs the hop levels still to walk', () => {
    const parts: [number, number][] = Array.from({ length: 40 }, () => [0, 99] as [number, number]);
    const measured = costs({ 'eth_getLogs:address': 50, trace_filter: 50, trace_block: 1, 'eth_getLogs:scan': 5 });
    const one = choosePlan(input({ logParts: parts, nativeParts: parts, costs: measured }));
    expect(one.blockCost).toBe(100 * 1 + 5);
    expect(one.addressCost).toBe(40 * 50 + 40 * 50);
    expect(one.useBlocks).toBe(true);
    // Cheap per-address calls win at one level and lose when three levels remain.
    const cheap = costs({ 'eth_getLogs:address': 1, trace_filter: 1, trace_block: 20, 'eth_getLogs:scan': 5 });
    const few: [number, number][] = [[0, 99], [0, 99], [0, 99]];
    expect(choosePlan(input({ logParts: few, nativeParts: few, costs: cheap })).useBlocks).toBe(false);
    expect(choosePlan(input({ logParts: few, nativeParts: few, costs: cheap, levels: 400 })).useBlocks).toBe(true);
  });

  it('counts only blocks not yet scanned, chunks by learned spans, and prices the trace trees trace_filter brings', () => {
    const p = choosePlan(
      input({
        logParts: [[0, 999]],
        nativeParts: [[0, 999]],
        scannedFull: [[0, 899]],
        span: (k) => (k === 'trace_filter' ? 300 : k === 'eth_getLogs:scan' ? 250 : undefined),
        costs: costs({ trace_filter: 10, trace_transaction: 10, 'eth_getLogs:address': 10, trace_block: 10, 'eth_getLogs:scan': 10 }, { trace_filter: 4, trace_transaction: 2 }),
      }),
    );
    expect(p.blocksToRead).toBe(100);
    expect(p.blockCost).toBe(100 * 10 + 4 * 10); // 100 blocks + 4 log-scan chunks of 250
    expect(p.addressCost).toBe(10 + 4 * 10 + 2 * 10); // 1 log call, 4 trace_filter chunks of 300, round(4 × ½) trees
  });

  it('never scans past --max-scan-blocks or without block tracing, and says so for --strategy block', () => {
    const parts: [number, number][] = [[0, 19_999]];
    const over = choosePlan(input({ logParts: parts, nativeParts: parts, strategy: 'block' }));
    expect(over).toMatchObject({ useBlocks: false, scanRefused: true, blocksToRead: 20_000 });
    const none = choosePlan(input({ logParts: [[0, 9]], nativeParts: [[0, 9]], strategy: 'block', scanNative: null }));
    expect(none).toMatchObject({ useBlocks: false, scanRefused: true });
    expect(choosePlan(input({ logParts: [[0, 9]], nativeParts: [[0, 9]], strategy: 'block' }))).toMatchObject({ useBlocks: true, scanRefused: false });
    expect(choosePlan(input({ logParts: [[0, 9]], nativeParts: [[0, 9]], strategy: 'address', costs: costs({ trace_block: 0.001 }) })).useBlocks).toBe(false);
  });
});

describe('the address-set plan', () => {
  const sets = createSetSources();
  const setLogs = sets.find((s) => s.part === 'logs')!;
  const setNative = sets.find((s) => s.part === 'native')!;
  /** One hop level: `n` addresses, each wanting blocks 0..999 on the out side, logs and native. */
  const level = (n: number, over: Partial<PlanInput> = {}): PlanInput => {
    const parts: [number, number][] = Array.from({ length: n }, () => [0, 999]);
    const sides = [{ ranges: [[0, 999]] as [number, number][], addresses: n }, { ranges: [], addresses: 0 }];
    return input({ logParts: parts, nativeParts: parts, logSides: sides, nativeSides: sides, setLogs, setNative, setSize: () => 150, span: (k) => (k.startsWith('trace_filter') ? 300 : undefined), ...over });
  };
  const table = parsePriceTable(JSON.stringify({ methods: { eth_getLogs: 60, trace_filter: 40, trace_block: 20, trace_transaction: 40 } }), 'test.json');
  const price = (m: string) => table.methods.get(m)?.credits;

  it('by credits: a set query per span and 150 addresses beats 20 CU a block and one query per address, over every level left', () => {
    const p = choosePlan(level(400, { objective: 'credits', price, levels: 3 }));
    // Per level: logs 1 range × 3 sets × 60 + native 4 spans of 300 × 3 sets × 40 = 180 + 480; three levels.
    expect(p.setCost).toBe((180 + 480) * 3);
    expect(p.blockCost).toBe(1000 * 20 + 60);
    expect(p.addressCost).toBe((400 * 60 + 400 * 4 * 40) * 3);
    expect(p).toMatchObject({ plan: 'set', useBlocks: false, objective: 'credits' });
    // Enough levels left and the one scan serving them all is cheaper.
    expect(choosePlan(level(400, { objective: 'credits', price, levels: 40 })).plan).toBe('block');
    // One address: a set of one is the per-address query; a tie stays per address.
    expect(choosePlan(level(1, { objective: 'credits', price, scanNative: null })).plan).toBe('address');
  });

  it('says which plans the endpoint cannot serve, and why, apart from those not measured yet', () => {
    const unmeasured = choosePlan(level(400, { costs: costs({ trace_filter: 5 }) }));
    expect(unmeasured.setCost).toBe(Number.POSITIVE_INFINITY);
    expect(unmeasured.impossible).toEqual({});
    // No trace_filter: no native set source; no block tracing: no scan.
    const bare = choosePlan(level(400, { setNative: null, scanNative: null }));
    expect(bare.impossible).toEqual({ set: 'no trace_filter on the endpoint', block: 'no trace_block or debug_traceBlock on the endpoint' });
    expect(bare.plan).toBe('address');
    expect(choosePlan(level(400, { maxScanBlocks: 999 })).impossible).toEqual({ block: 'over --max-scan-blocks 999' });
    // Logs only: the set plan needs no trace_filter.
    expect(choosePlan(level(400, { nativeParts: [], setNative: null })).impossible.set).toBeUndefined();
  });

  it('by time: weighed only once set queries were measured here, then priced like the others', () => {
    const unmeasured = choosePlan(level(400, { costs: costs({ 'eth_getLogs:address': 5, trace_filter: 5, trace_block: 5, 'eth_getLogs:scan': 5 }) }));
    expect(unmeasured.setCost).toBe(Number.POSITIVE_INFINITY);
    expect(unmeasured.plan).not.toBe('set');
    const measured = costs({ 'eth_getLogs:address': 5, trace_filter: 5, trace_block: 5, 'eth_getLogs:scan': 5, 'eth_getLogs:set': 40, 'trace_filter:set': 100 }, { 'eth_getLogs:set': 3, 'trace_filter:set': 3 });
    const p = choosePlan(level(400, { costs: measured }));
    expect(p.setCost).toBe(3 * 40 + 12 * 100);
    expect(p.plan).toBe('set');
  });

  it('prices the trees and enclosing-frame queries a set query has been bringing along, and is forced or refused by --strategy set', () => {
    const trees = costs({}, { 'trace_filter:set': 10, 'trace_block:tree': 20, 'trace_filter:enclosing': 5 });
    const p = choosePlan(level(150, { objective: 'credits', price, costs: trees }));
    // Per set trace_filter: two tree reads (trace_block) and half an enclosing-frames trace_filter.
    expect(p.setCost).toBe(60 + 4 * 40 + 4 * 2 * 20 + 2 * 40);
    expect(choosePlan(level(1, { strategy: 'set' }))).toMatchObject({ plan: 'set', setRefused: false });
    // Native movements wanted and no trace_filter: no set plan.
    expect(choosePlan(level(400, { strategy: 'set', setNative: null }))).toMatchObject({ plan: 'address', setRefused: true });
    expect(choosePlan(level(400, { objective: 'credits', price, setNative: null })).plan).not.toBe('set');
  });

  it('prices a method the table lacks at one stand-in per table, whatever the plan holds', () => {
    const partial = parsePriceTable(JSON.stringify({ methods: { eth_getLogs: 60, trace_block: 1 } }), 'partial.json');
    const priceIn = (m: string) => partial.methods.get(m)?.credits;
    const standIn = standInCredits(partial);
    expect(standIn).toBe(30.5);
    // Both: 10 eth_getLogs and 10 trace_filter (unpriced), plus keys of no calls. One price for trace_filter in both.
    const perAddress = planCredits({ 'eth_getLogs:address': 10, trace_filter: 10, trace_transaction: 0 }, priceIn, standIn);
    const bySet = planCredits({ 'eth_getLogs:set': 10, 'trace_filter:set': 10, 'trace_filter:enclosing': 0, 'trace_block:tree': 0 }, priceIn, standIn);
    expect(perAddress).toBe(10 * 60 + 10 * 30.5);
    expect(bySet).toBe(perAddress);
    // Through the planner: the fetcher hands the table's stand-in over.
    const p = choosePlan(level(150, { objective: 'credits', price: priceIn, standIn, costs: costs({}, { 'trace_filter:set': 1 }) }));
    expect(p.setCost).toBe(60 + 4 * 30.5);
  });

  it("times the set source's trace_transaction trees under their own key, and before set queries are measured prices its trees as the per-address plan's", () => {
    // An endpoint without trace_block: the set source's trees are trace_transaction:tree, priced as trace_transaction.
    const noBlock = sets.find((s) => s.part === 'native')!.calls(4, { perSetFilter: 0, perSetTxTree: 2, perEnclosing: 0 });
    expect(noBlock).toMatchObject({ 'trace_filter:set': 4, 'trace_transaction:tree': 8 });
    const measured = costs({}, { trace_filter: 10, trace_transaction: 5, 'trace_filter:set': 10, 'trace_transaction:tree': 20 });
    const p = choosePlan(level(150, { objective: 'credits', price, costs: measured }));
    // Per address: 150 × 4 chunks of trace_filter, half a tree each; by set: 4 queries, two trees each.
    expect(p.addressCost).toBe(150 * 60 + 600 * 40 + 300 * 40);
    expect(p.setCost).toBe(60 + 4 * 40 + 8 * 40);
    // First run (no set query measured yet): the set plan's trees are as many as per address, not free.
    const first = choosePlan(level(150, { objective: 'credits', price, costs: costs({}, { trace_filter: 10, trace_transaction: 5 }) }));
    expect(first.setCost).toBe(60 + 4 * 40 + 300 * 40);
  });

  it('decides a nested frame by its ancestors when one more trace_filter shows them all, else leaves it to the tree', () => {
    const T = '0x' + 'aa'.repeat(32);
    const H = '0x' + 'bb'.repeat(32);
    const [E, X, R] = ['01', '02', '03'].map((b) => '0x' + b.repeat(20)) as [string, string, string];
    const base = { blockNumber: 5, blockHash: H, transactionHash: T, transactionPosition: 0 };
    // X (in the set) pays R inside a call E made to X; trace_filter by fromAddress X returns only the payment.
    const payment = { ...base, type: 'call', action: { from: X, to: R, value: '0x5', callType: 'call' }, traceAddress: [0] };
    const call = (error?: string) => ({ ...base, type: 'call', action: { from: E, to: X, value: '0x0', callType: 'call' }, traceAddress: [], ...(error ? { error } : {}) });
    const decode = (parents: Parameters<typeof decidedByFrames>[1]) => decodeFiltered(1, { traces: [payment], trees: decidedByFrames([payment], parents) });
    expect(decode([call()])).toMatchObject([{ from: X, to: R, amount: 5n, kind: 'internal' }]);
    expect(decode([call('Reverted')])).toEqual([]);
    // The parent is not among the answers (a deeper call through another contract): undecided here.
    expect(decidedByFrames([{ ...payment, traceAddress: [0, 1] }], [call()]).size).toBe(0);
  });
});

describe('sources', () => {
  it('keep the interval key names databases already hold', () => {
    const names = createSources().flatMap((s) => s.keys.map((k) => `${s.name} ${k.name}`));
    expect(names).toEqual([
      'logs-by-address logs:from',
      'logs-by-address logs:to',
      'logs-scan scan:logs',
      'trace-filter-by-address traces:from',
      'trace-filter-by-address traces:to',
      'trace-block-scan scan:calls',
      'debug-trace-scan scan:calls',
      'block-body-scan scan:txs',
    ]);
  });

  it('a block key covers every address and side; a per-address key its own side only', () => {
    const filter = byName('trace-filter-by-address');
    const scan = byName('trace-block-scan');
    const A = '0x' + '11'.repeat(20);
    expect(storedKey(keyFor(filter, 'to'), A)).toEqual({ address: A, source: 'traces:to' });
    expect(storedKey(keyFor(scan, 'to'), A)).toEqual({ address: '*', source: 'scan:calls' });
    expect(keyCovers(keyFor(filter, 'to'), 'from')).toBe(false);
    expect(keyCovers(keyFor(scan, 'from'), 'to')).toBe(true);
  });

  it('say what they can serve from the probed capabilities, in the order of preference', () => {
    const geth: Capabilities = { traceFilter: false, traceTransaction: false, traceBlock: false, debugTraceBlock: true };
    const bare: Capabilities = { traceFilter: false, traceTransaction: false, traceBlock: false, debugTraceBlock: false };
    const scanners = (c: Capabilities) => createSources().filter((s) => s.part === 'native' && s.scope === 'block' && s.available(c)).map((s) => s.name);
    expect(scanners(all)).toEqual(['trace-block-scan', 'block-body-scan']);
    expect(scanners(geth)).toEqual(['debug-trace-scan', 'block-body-scan']);
    expect(scanners(bare)).toEqual(['block-body-scan']);
    expect(byName('block-body-scan').internal).toBe(false);
  });

  it('decode without a node: trace_filter rows settled by their whole transaction tree', () => {
    const s = byName('trace-filter-by-address');
    const T = '0x' + 'aa'.repeat(32);
    const H = '0x' + 'bb'.repeat(32);
    const A = '0x' + '01'.repeat(20);
    const B = '0x' + '02'.repeat(20);
    const base = { blockNumber: 5, blockHash: H, transactionHash: T, transactionPosition: 0 };
    const nested = { ...base, type: 'call', action: { from: A, to: B, value: '0x5', callType: 'call' }, traceAddress: [0, 1] };
    // In the whole tree the frame's parent failed: the movement trace_filter reported did not happen.
    const tree = [{ ...base, type: 'call', action: { from: B, to: A, value: '0x0', callType: 'call' }, traceAddress: [] }, { ...base, type: 'call', action: { from: A, to: A, value: '0x0', callType: 'call' }, traceAddress: [0], error: 'Reverted' }, nested];
    expect(s.decode({ chainId: 1 }, { traces: [nested], trees: null })).toHaveLength(1);
    expect(s.decode({ chainId: 1 }, { traces: [nested], trees: new Map([[T, tree]]) })).toEqual([]);
  });
});

describe('the header cache', () => {
  /** A node that answers eth_getBlockByNumber for any block, counting the calls per block; `bad` blocks answer for block 0 once. */
  function node(bad = new Set<number>()) {
    const calls = new Map<number, number>();
    const rpc = {
      endpoint: 'http://node.test',
      async request<T>(_method: string, params: unknown[]): Promise<T> {
        const n = Number.parseInt(String(params[0]), 16);
        calls.set(n, (calls.get(n) ?? 0) + 1);
        const shown = bad.delete(n) ? 0 : n;
        return { number: '0x' + shown.toString(16), hash: '0x' + String(n % 10).repeat(64), parentHash: '0x' + String((n + 9) % 10).repeat(64), logsBloom: '0x' + '00'.repeat(256), timestamp: '0x1', transactions: [] } as T;
      },
      stats: { total: 0, byMethod: {}, roundTrips: 0 },
      timing: {},
      resetStats() {},
      rps: 1,
    } satisfies RpcClient;
    return { rpc, calls };
  }

  it('reads a block once for every reader, and again after a failed read', async () => {
    const { rpc, calls } = node(new Set([7]));
    const cache = createHeaderCache(rpc);
    const [a, b] = await Promise.all([cache.load(5), cache.block(5)]);
    expect(a).toBe(b);
    expect(calls.get(5)).toBe(1);
    await expect(cache.block(7)).rejects.toThrow('eth_getBlockByNumber returned block 0 for block 7');
    expect((await cache.block(7)).number).toBe(7);
    expect(calls.get(7)).toBe(2);
    cache.forget(5);
    await cache.load(5);
    expect(calls.get(5)).toBe(2);
  });

  it('lets announced blocks wait for the scan that reads them whole, and reads those it never handed over', async () => {
    const { rpc, calls } = node();
    const cache = createHeaderCache(rpc);
    const done = cache.expect([[10, 11]]);
    const waiting = cache.block(10);
    const never = cache.block(11);
    cache.seed(10, { number: 10, hash: '0x' + 'f'.repeat(64), parentHash: '0x' + 'e'.repeat(64), bloom: new Uint8Array(256), timestamp: 3, transactions: [] });
    expect((await waiting).hash).toBe('0x' + 'f'.repeat(64));
    cache.forget(11); // a failed check does not drop a header still to be handed over
    done();
    expect((await never).number).toBe(11);
    expect(calls.get(10)).toBeUndefined();
    expect(calls.get(11)).toBe(1);
  });
});

describe('stored probe answers', () => {
  it('are used whole, and asked again when they lack a capability this release knows (or are not an answer)', () => {
    const whole: Capabilities = { traceFilter: true, traceTransaction: true, traceBlock: false, debugTraceBlock: true };
    expect(readCapabilities(JSON.stringify(whole))).toEqual(whole);
    // As an older release stored it, before debug_traceBlockByHash was a source: probed again.
    const { debugTraceBlock: _, ...older } = whole;
    expect(readCapabilities(JSON.stringify(older))).toBeNull();
    for (const bad of ['', 'null', '[]', '{', JSON.stringify({ ...whole, traceBlock: 'yes' })]) expect(readCapabilities(bad)).toBeNull();
    expect(readCapabilities(null)).toBeNull();
  });
});
