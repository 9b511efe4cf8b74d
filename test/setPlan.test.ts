/**
 * The address-set plan (planner.ts `set`: logsBySet.ts, traceFilterByAddress.ts traceFilterBySet) on a
 * real anvil, on a generated laundering chain (the bench's generator, bench/chain.mjs, at a small size:
 * contracts paying many recipients in one transaction, tokens, spam and background traffic): it follows
 * the same movements as the per-address and block plans, marks what it read so that a second run (and
 * the per-address plan) reads nothing again, and splits the sets an endpoint refuses as too large.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { callsByMethod, priceCalls } from '../src/rpc/price.js';
import { readPriceTable } from '../src/rpc/priceFile.js';
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
