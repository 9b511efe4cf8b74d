/**
 * A smoke test of the bench machinery (`npm run bench` is not part of the suite): a tiny generated
 * chain, built and cached, traced and floored, every run discovering the same transfers, the cache run,
 * the analysis step and both outputs. Speed is not asserted here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/util/package.js';

const run = promisify(execFile);
const BENCH = join(packageRoot(), 'bench', 'run.mjs');

interface BenchRun {
  wallMs: number;
  rpc: { total: number; byMethod: Record<string, number> };
  discovered: { count: number; hash: string };
  hits: number;
  peakRssMiB: number;
}
interface BenchJson {
  sizes: {
    size: number;
    chain: { addresses: number; seeds: string[]; head: number };
    discovered: { count: number; hash: string };
    runs: Record<string, BenchRun>;
    ratio: number;
  }[];
  analysis: { edges: number; ingestStore: { rows: number }; attribution: { taintedTransfers: number; ms: number }; paths: { targets: number; found: number } };
}

describe('npm run bench (smoke)', () => {
  it('builds and caches a tiny chain; trace, floors and strategies discover one transfer set; the re-run asks for the head only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoptrace-bench-test-'));
    const cache = join(dir, 'cache');
    const args = [BENCH, '--sizes', '40', '--edges', '2000', '--blocks-per-level', '4', '--repeat', '1', '--md', join(dir, 'r.md'), '--json', join(dir, 'r.json')];
    await run(process.execPath, args, { env: { ...process.env, HOPTRACE_BENCH_CACHE: cache }, timeout: 90_000 });
    const res = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as BenchJson;
    const z = res.sizes[0]!;
    expect(z.chain.addresses).toBe(40);
    expect(z.discovered.count).toBeGreaterThan(40);
    expect(Object.keys(z.runs).sort()).toEqual(['floorAddress', 'floorBlock', 'trace', 'traceAddress', 'traceBlock', 'traceCached']);
    // Every run but the cached one read the same transfers (the cached run flags learned deposit
    // addresses on sight and reads no sweep): same hits.
    for (const [name, r] of Object.entries(z.runs)) if (name !== 'traceCached') expect(r.discovered).toEqual(z.discovered);
    expect(z.runs.traceCached!.hits).toBe(z.runs.trace!.hits);
    expect(z.runs.traceCached!.rpc.byMethod).toEqual({ eth_chainId: 1, eth_getBlockByNumber: 1 });
    expect(z.runs.floorBlock!.rpc.byMethod.trace_block).toBe(z.chain.head + 1);
    expect(z.runs.trace!.peakRssMiB).toBeGreaterThan(10);
    expect(res.analysis.ingestStore.rows).toBe(2000);
    // The analysis ran on the synthetic graph: taint left the seeds, and some targets were reachable.
    expect(res.analysis.attribution.taintedTransfers).toBeGreaterThan(0);
    expect(res.analysis.paths.found).toBeGreaterThan(0);
    const md = readFileSync(join(dir, 'r.md'), 'utf8');
    expect(md).toContain('attribution (attributeInStore');
    expect(md).toMatch(/\| 40 \| [\d,]+ \|/);
    expect(readdirSync(cache).filter((f) => f.endsWith('.json') && !f.endsWith('.info.json'))).toHaveLength(1);
  });

  it('refuses a bad size in one sentence, exit 2', async () => {
    const err = (await run(process.execPath, [BENCH, '--sizes', '200,abc']).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr.trim()).toBe('bench: --sizes: "abc" is not a size of at least 10 addresses');
  });
});
