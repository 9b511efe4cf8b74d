/**
 * The address-set plan (planner.ts `set`: logsBySet.ts, traceFilterByAddress.ts traceFilterBySet) on a
 * real anvil, on a generated laundering chain (the bench's generator, bench/chain.mjs, at a small size:
 * contracts paying many recipients in one transaction, tokens, spam and background traffic): it follows
 * the same movements as the per-address and block plans, marks what it read so that a second run (and
 * the per-address plan) reads nothing again, and splits the sets an endpoint refuses as too large.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createRpcClient } from '../src/rpc/client.js';
import { callsByMethod, priceCalls } from '../src/rpc/price.js';
import { readPriceTable } from '../src/rpc/priceFile.js';
import { createFetcher, type Strategy } from '../src/sources/fetcher.js';
import { createStore } from '../src/store/store.js';
import type { TraceResult } from '../src/trace/result.js';
import { tracedEdgesOf } from '../src/trace/run.js';
import type { Address } from '../src/types.js';
import { startProxy } from './helpers/proxy.js';
import { tempDb, trace } from './helpers/trace.js';

interface ChainInfo {
  seeds: Address[];
  hops: number;
  head: number;
}

let anvil: AnvilHandle;
let info: ChainInfo;

beforeAll(async () => {
  // @ts-expect-error: a plain ESM script of the bench, without types (it reads dist/: npm run build first)
  const { ensureChain } = (await import('../bench/chain.mjs')) as { ensureChain: (size: number, log: unknown, blocksPerLevel: number) => Promise<{ statePath: string; info: ChainInfo }> };
  // 20 blocks per hop level: long enough that a block scan costs more credits than the set queries.
  const chain = await ensureChain(120, () => undefined, 20);
  info = chain.info;
  anvil = await startAnvil({ loadState: chain.statePath });
}, 240_000);

afterAll(async () => {
  await anvil?.stop();
});

/** One JSON-RPC call straight to the node (not through a proxy or the client under test). */
async function rpcCall<T>(method: string, params: unknown[]): Promise<T> {
  const res = await fetch(anvil.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return ((await res.json()) as { result: T }).result;
}

/** The movements the walk followed, as sorted `txHash|ref` keys. */
const followed = (r: TraceResult): string[] => (tracedEdgesOf(r) ?? []).map((e) => `${e.txHash}|${e.ref}`).sort();
const hits = (r: TraceResult): string[] => r.hits.map((h) => `${h.seed}>${h.address}@${h.hops}`).sort();
/** The range queries a run made: what a held range must not ask again. */
const rangeCalls = (r: TraceResult): number => ['trace_filter', 'eth_getLogs', 'trace_block'].reduce((n, m) => n + (r.stats.rpcCalls.byMethod[m] ?? 0), 0);

describe('the address-set plan', () => {
  let byAddress: TraceResult;

  it('follows the same movements as the per-address and block plans, in fewer calls than per address', async () => {
    const req = { hops: info.hops };
    byAddress = await trace(anvil.url, tempDb(), info.seeds, { ...req, strategy: 'address' });
    const byBlock = await trace(anvil.url, tempDb(), info.seeds, { ...req, strategy: 'block' });
    const bySet = await trace(anvil.url, tempDb(), info.seeds, { ...req, strategy: 'set' });
    expect(followed(byAddress).length).toBeGreaterThan(50);
    expect(followed(bySet)).toEqual(followed(byAddress));
    expect(followed(byBlock)).toEqual(followed(byAddress));
    expect(hits(bySet)).toEqual(hits(byAddress));
    // Internal transfers (the chain's contracts pay out in nested frames) were among them.
    expect(followed(bySet).some((k) => /\|trace:\d/.test(k))).toBe(true);
    expect(bySet.coverage.native).toContain('trace_filter by address set');
    expect(bySet.coverage.erc20).toContain('eth_getLogs by address set');
    expect(bySet.stats.rpcCalls.byMethod.trace_filter!).toBeLessThan(byAddress.stats.rpcCalls.byMethod.trace_filter! / 4);
    expect(bySet.stats.rpcCalls.byMethod.eth_getLogs!).toBeLessThan(byAddress.stats.rpcCalls.byMethod.eth_getLogs! / 4);
    expect(bySet.stats.rpcCalls.byMethod.trace_block ?? 0).toBeLessThanOrEqual(1 + info.head / 4); // the probe, and a few trees
  });

  it('reads the receiving side by set too (trace_filter toAddress, eth_getLogs topic2): both directions as per address', async () => {
    const req = { hops: 2, direction: 'both' as const };
    const perAddress = await trace(anvil.url, tempDb(), info.seeds, { ...req, strategy: 'address' });
    const bySet = await trace(anvil.url, tempDb(), info.seeds, { ...req, strategy: 'set' });
    expect(followed(perAddress).length).toBeGreaterThan(10);
    expect(followed(bySet)).toEqual(followed(perAddress));
    expect(hits(bySet)).toEqual(hits(perAddress));
  });

  it('marks every address of a set as read: a second run, by set or per address, asks no range again', async () => {
    const db = tempDb();
    const first = await trace(anvil.url, db, info.seeds, { hops: info.hops, strategy: 'set' });
    const again = await trace(anvil.url, db, info.seeds, { hops: info.hops, strategy: 'set' });
    expect(followed(again)).toEqual(followed(first));
    expect(rangeCalls(again)).toBe(0);
    expect(again.stats.rpcCalls.total).toBeLessThanOrEqual(Math.max(3, first.stats.rpcCalls.total * 0.02));
    const perAddress = await trace(anvil.url, db, info.seeds, { hops: info.hops, strategy: 'address' });
    expect(rangeCalls(perAddress)).toBe(0);
  });

  it('--optimize credits prices the plans in the price table: here it reads by set, follows the same movements, and costs fewer credits', async () => {
    const table = readPriceTable();
    const credits = await trace(anvil.url, tempDb(), info.seeds, { hops: info.hops, optimize: 'credits', priceTable: table });
    const time = await trace(anvil.url, tempDb(), info.seeds, { hops: info.hops });
    expect(followed(credits)).toEqual(followed(byAddress));
    const priced = (r: TraceResult): number => priceCalls(callsByMethod(r.stats.rpcCalls), table).credits;
    expect(credits.coverage.native).toContain('trace_filter by address set');
    expect(priced(credits)).toBeLessThan(priced(time));
    // Unmeasured, set queries are not weighed by time: the default chose as before there was a set plan.
    expect(time.coverage.native).not.toContain('address set');
  });

  /** Whether a call is an enclosing-frame query, and a block whose trees the set plan reads by trace_block (set by the next test). */
  let enclosing: (c: { method: string; params: unknown }) => boolean;
  let slow: number;

  it('reads the trees of a block whose trace_block never answers with trace_transaction: one slow block does not stop the run', async () => {
    // The enclosing-frame queries (the only trace_filter by toAddress of a walk out) are refused as too
    // large, so nested frames are decided by trees; where the set plan reads them by trace_block (the probe asks the head):
    // They ask for the calls into the contracts that made nested frames (the payers of the internal
    // movements followed); the deposit checks ask by toAddress too, for other addresses.
    const makers = new Set<string>();
    for (const tx of new Set(followed(byAddress).filter((k) => /\|trace:\d/.test(k)).map((k) => k.split('|')[0]!))) {
      for (const f of await rpcCall<{ traceAddress: number[]; action: { from?: string } }[]>('trace_transaction', [tx])) {
        if (f.traceAddress.length > 0 && f.action.from) makers.add(f.action.from.toLowerCase());
      }
    }
    expect(makers.size).toBeGreaterThan(0);
    enclosing = (c: { method: string; params: unknown }): boolean => {
      const to = (c.params as { toAddress?: string[] }[])[0]?.toAddress;
      return c.method === 'trace_filter' && Array.isArray(to) && to.every((a) => makers.has(a.toLowerCase()));
    };
    const client = { timeoutMs: 1_000 };
    const seen = await startProxy(anvil.url, { record: ['trace_block'], tooMany: enclosing });
    let treeBlocks: number[];
    try {
      await trace(seen.url, tempDb(), info.seeds, { hops: info.hops, strategy: 'set' }, {}, client);
      expect(seen.served['too-many']).toBeGreaterThan(0);
      treeBlocks = [...new Set((seen.recorded['trace_block'] ?? []).map((p) => Number.parseInt((p as string[])[0]!, 16)))].filter((n) => n !== info.head);
    } finally {
      await seen.stop();
    }
    expect(treeBlocks.length).toBeGreaterThan(0);
    slow = treeBlocks[0]!;
    const proxy = await startProxy(anvil.url, { tooMany: enclosing, hold: (c) => c.method === 'trace_block' && (c.params as string[])[0] === `0x${slow.toString(16)}` });
    try {
      const r = await trace(proxy.url, tempDb(), info.seeds, { hops: info.hops, strategy: 'set' }, {}, client);
      expect(proxy.served['hold']).toBeGreaterThan(0);
      // That block's transactions were read one by one, as the per-address plan reads them.
      expect(proxy.calls['trace_transaction'] ?? 0).toBeGreaterThan(0);
      expect(followed(r)).toEqual(followed(byAddress));
      expect(hits(r)).toEqual(hits(byAddress));
    } finally {
      await proxy.stop();
    }
  }, 120_000);

  it('stops at once, unsplit, when no tree of a block can be read: a failed tree read is not a set refused as too large', async () => {
    const proxy = await startProxy(anvil.url, {
      tooMany: enclosing,
      hold: (c) => (c.method === 'trace_block' && (c.params as string[])[0] === `0x${slow.toString(16)}`) || (c.method === 'trace_transaction' && !/^0x0+$/.test((c.params as string[])[0]!)), // (the probe asks a hash of zeros)
    });
    const progress: string[] = [];
    try {
      await expect(trace(proxy.url, tempDb(), info.seeds, { hops: info.hops, strategy: 'set' }, { onProgress: (m) => progress.push(m) }, { timeoutMs: 1_000, maxRetries: 1 })).rejects.toThrow(/trace_transaction failed/);
      expect(progress.filter((m) => m.includes('refused a set'))).toEqual([]);
      // The block's trace_block and its transaction's trace_transaction, each asked twice (one retry):
      // the range is not halved to ask the same trees again.
      expect(proxy.served['hold']).toBeLessThanOrEqual(4);
    } finally {
      await proxy.stop();
    }
  }, 120_000);

  it('a set query over one block that times out is split, and an enclosing-frame query that times out leaves its transactions to tree reads', async () => {
    // A contract that paid out in a nested frame, at its block: the set query of it and a seed over that
    // one block never answers; nor does the query of the calls into it (the enclosing frames).
    const tx = followed(byAddress).find((k) => /\|trace:\d/.test(k))!.split('|')[0]!;
    const frame = (await rpcCall<{ traceAddress: number[]; blockNumber: number; action: { from: string } }[]>('trace_transaction', [tx])).find((f) => f.traceAddress.length > 0)!;
    const payer = frame.action.from.toLowerCase() as Address;
    const block = frame.blockNumber;
    const needs = [payer, info.seeds[0]!].map((address) => ({ address, side: 'from' as const, from: block, to: block }));
    const rows = async (url: string, strategy: Strategy): Promise<string[]> => {
      const rpc = createRpcClient({ url, rps: 500, timeoutMs: 1_000 });
      const store = createStore(tempDb());
      try {
        store.bindChain(31337, rpc.endpoint);
        // As an earlier run probed them (the probe's own queries are not what is held here).
        store.setMeta(`caps:${rpc.endpoint}`, JSON.stringify({ traceFilter: true, traceTransaction: true, traceBlock: true, debugTraceBlock: false }));
        await createFetcher({ rpc, store, chainId: 31337, head: info.head, strategy, maxScanBlocks: 10_000 }).ensure(needs);
        return needs.flatMap((n) => store.transfersOf(n.address, 'from', block, block)).map((t) => `${t.txHash}|${t.ref}|${t.amount}`).sort();
      } finally {
        store.close();
      }
    };
    const proxy = await startProxy(anvil.url, {
      hold: (c) => {
        const f = (c.params as { fromAddress?: unknown[]; toAddress?: unknown[] }[])[0];
        return c.method === 'trace_filter' && ((f?.fromAddress?.length ?? 0) > 1 || f?.toAddress !== undefined);
      },
    });
    try {
      const bySet = await rows(proxy.url, 'set');
      expect(proxy.served['hold']).toBeGreaterThanOrEqual(2);
      expect(proxy.calls['trace_block'] ?? 0).toBeGreaterThan(0);
      const perAddress = await rows(anvil.url, 'address');
      expect(perAddress.some((k) => /\|trace:\d/.test(k))).toBe(true);
      expect(bySet).toEqual(perAddress);
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  it.each([3, 1])('splits a set the endpoint refuses as too large, down to what it takes (%i), and still reads everything', async (maxAddresses) => {
    const proxy = await startProxy(anvil.url, { setLimit: { maxAddresses } });
    try {
      const r = await trace(proxy.url, tempDb(), info.seeds, { hops: info.hops, strategy: 'set' });
      expect(proxy.served['set-limit']).toBeGreaterThan(0);
      // Down to one address a query: the per-address queries, marked and read as any.
      if (maxAddresses === 1) expect(r.coverage.native).toBe('trace_filter by address set');
      expect(followed(r)).toEqual(followed(byAddress));
      expect(hits(r)).toEqual(hits(byAddress));
    } finally {
      await proxy.stop();
    }
  });
});

// Not the set plan's own behaviour, but the reader it shares with the per-address plan: a tree read that
// times out says nothing about the block range (fetcher.ts readRange), so it is asked once, not once per
// halving of the range (it was 8 asks on this chain). On this file's chain and anvil.
describe('a transaction tree that never answers, per address', () => {
  it('stops the read with the tree failure after one ask, the range not halved for it', async () => {
    const all = await rpcCall<{ traceAddress: number[]; transactionHash: string; action: { from?: string } }[]>('trace_filter', [
      { fromBlock: '0x0', toBlock: `0x${info.head.toString(16)}` },
    ]);
    const frame = all.find((f) => f.traceAddress.length > 0 && f.action.from);
    expect(frame).toBeDefined();
    const payer = frame!.action.from!.toLowerCase() as Address;
    const tx = frame!.transactionHash;
    const proxy = await startProxy(anvil.url, { hold: (c) => c.method === 'trace_transaction' && (c.params as string[])[0] === tx });
    const rpc = createRpcClient({ url: proxy.url, rps: 500, timeoutMs: 500, maxRetries: 1 });
    const store = createStore(tempDb());
    let err: unknown;
    try {
      store.bindChain(31337, rpc.endpoint);
      store.setMeta(`caps:${rpc.endpoint}`, JSON.stringify({ traceFilter: true, traceTransaction: true, traceBlock: true, debugTraceBlock: false }));
      await createFetcher({ rpc, store, chainId: 31337, head: info.head, strategy: 'address', maxScanBlocks: 10_000 }).ensure([{ address: payer, side: 'from', from: 0, to: info.head }]);
    } catch (e) {
      err = e;
    } finally {
      store.close();
      await proxy.stop();
    }
    expect(err instanceof Error ? err.message : String(err)).toMatch(/trace_transaction/);
    // One ask of the tree: the first try and the client's one retry (it was 8 asks, one per halving).
    expect(proxy.served['hold']).toBe(2);
  }, 120_000);
});
