/**
 * Several endpoints (`--rpc` repeated): a dead, failing or throttling endpoint does not stall the trace
 * nor change its answer; methods an endpoint does not serve go to one that does; each endpoint keeps its
 * own rate budget; endpoints of different chains are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { DEMO_EXPECTED } from '../src/devchain/demo.js';
import { demoChainPath } from '../src/devchain/paths.js';
import { createRpcClient } from '../src/rpc/client.js';
import { createRpcPool } from '../src/rpc/pool.js';
import { hoptrace } from './helpers/cli.js';
import { dbContent, demoTrace, type DbContent } from './helpers/campaign.js';
import { startProxy, type Proxy } from './helpers/proxy.js';
import { tempDb } from './helpers/trace.js';

let anvil: AnvilHandle;
let want: DbContent;
let wantHits: string;
const proxies: Proxy[] = [];

const hits = (r: { hits: unknown[] }) => JSON.stringify(r.hits, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
const client = (url: string) => createRpcClient({ url, rps: 500, timeoutMs: 1_000, maxRetries: 2 });
async function proxy(opts: Parameters<typeof startProxy>[1]): Promise<Proxy> {
  const p = await startProxy(anvil.url, opts);
  proxies.push(p);
  return p;
}

beforeAll(async () => {
  anvil = await startAnvil({ loadState: demoChainPath() });
  const db = tempDb();
  wantHits = hits(await demoTrace(client(anvil.url), db));
  want = dbContent(db);
}, 60_000);

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await anvil?.stop();
});

describe('several endpoints', () => {
  it('a dead endpoint and one that answers every call with 503 do not change the answer, and are soon left alone', async () => {
    const good = await proxy({});
    const failing = await proxy({ faults: { rate: 1, seed: 1, kinds: ['http503'] } });
    const pool = createRpcPool([client('http://127.0.0.1:1'), client(failing.url), client(good.url)]);
    const db = tempDb();
    const r = await demoTrace(pool, db);
    expect(hits(r)).toBe(wantHits);
    expect(dbContent(db)).toEqual(want);
    // Demoted after failing: the failing endpoint saw a few requests (each with its 3 attempts), not its share.
    expect(failing.total()).toBeLessThan(good.total() / 3);
    expect(good.total()).toBeGreaterThan(20);
  }, 60_000);

  it('sends a method only to endpoints that serve it, and counts it missing only when none does', async () => {
    const noTraces = await proxy({ refuse: ['trace_filter', 'trace_transaction', 'trace_block'] });
    const full = await proxy({});
    const pool = createRpcPool([client(noTraces.url), client(full.url)]);
    const db = tempDb();
    const r = await demoTrace(pool, db);
    expect(hits(r)).toBe(wantHits);
    expect(dbContent(db)).toEqual(want);
    expect(r.coverage.native).toMatch(/trace_filter/);
    // The refusing endpoint was asked each tracing method at most once (the refusal), never again.
    for (const m of ['trace_filter', 'trace_transaction', 'trace_block']) expect(noTraces.calls[m] ?? 0, m).toBeLessThanOrEqual(1);
    expect(full.calls['trace_filter']).toBeGreaterThan(3);
  }, 60_000);

  it('keeps a rate budget per endpoint: a throttling endpoint slows down alone', async () => {
    const throttling = await proxy({ faults: { rate: 0.5, seed: 2, kinds: ['http429'] }, retryAfterSeconds: 0 });
    const calm = await proxy({});
    const a = createRpcClient({ url: throttling.url, rps: 100, maxRetries: 8 });
    const b = createRpcClient({ url: calm.url, rps: 100 });
    const pool = createRpcPool([a, b]);
    await Promise.all(Array.from({ length: 40 }, (_, i) => pool.request('eth_getBlockByNumber', [`0x${(i + 1).toString(16)}`, false])));
    expect(throttling.served['http429']).toBeGreaterThan(0);
    expect(a.rps).toBeLessThan(b.rps);
    expect(b.rps).toBeGreaterThan(100);
  }, 60_000);

  it('traces through the CLI with a dead endpoint given first', async () => {
    const out = await hoptrace([
      'trace',
      DEMO_EXPECTED.seed,
      '--rpc',
      'http://127.0.0.1:1',
      '--rpc',
      anvil.url,
      '--db',
      tempDb(),
      '--labels-chain',
      'ethereum',
      '--hops',
      String(DEMO_EXPECTED.hops + 1),
      '--json',
    ]);
    expect(out.code, out.stderr).toBe(0);
    const doc = JSON.parse(out.stdout) as { rpc: string; hits: { kind: string; entity: string; hops: number }[] };
    expect(doc.rpc).toBe(`http://127.0.0.1:1 + ${anvil.url}`);
    // The demo's intermediaries are bundled seeds: known-perpetrator hits since report schema 2, beside the venue.
    expect(doc.hits.filter((h) => h.kind === 'venue').map((h) => `${h.entity}@${h.hops}`)).toEqual([`THORChain@${DEMO_EXPECTED.hops}`]);
  }, 60_000);

  it('asks each endpoint its chain id once (CLI): the id checkSameChain agreed on is not asked again', async () => {
    const a = await proxy({});
    const b = await proxy({});
    const out = await hoptrace(['trace', DEMO_EXPECTED.seed, '--rpc', a.url, '--rpc', b.url, '--db', tempDb(), '--labels-chain', 'ethereum', '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect((JSON.parse(out.stdout) as { chainId: number }).chainId).toBe(31337);
    expect([a.calls['eth_chainId'], b.calls['eth_chainId']]).toEqual([1, 1]);
  }, 60_000);

  it('refuses endpoints of different chains in one sentence (CLI), without printing keys', async () => {
    const other = await startAnvil({ chainId: 1 });
    const keyed = await proxy({});
    try {
      const out = await hoptrace([
        'trace',
        '0x098B716B8Aaf21512996dC57EB0615e2383E2f96',
        '--rpc',
        `${keyed.url}/v2/SECRETKEY`,
        '--rpc',
        other.url,
        '--db',
        tempDb(),
      ]);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/^hoptrace: the RPC endpoints serve different chains: http:\/\/127\.0\.0\.1:\d+\/v2\/\*\*\* serves chain 31337, http:\/\/127\.0\.0\.1:\d+ serves chain 1\.$/m);
      expect(out.stderr + out.stdout).not.toContain('SECRETKEY');
    } finally {
      await other.stop();
    }
  }, 60_000);
});

describe('a method no endpoint serves', () => {
  it('is refused like a node refuses it (-32601), also after the pool has learned it', async () => {
    const a = await proxy({ refuse: ['trace_filter'] });
    const b = await proxy({ refuse: ['trace_filter'] });
    const pool = createRpcPool([client(a.url), client(b.url)]);
    for (let i = 0; i < 2; i++) {
      await expect(pool.request('trace_filter', [{}])).rejects.toMatchObject({ code: -32601, method: 'trace_filter' });
    }
    expect((a.calls['trace_filter'] ?? 0) + (b.calls['trace_filter'] ?? 0)).toBe(2);
  });
});
