/**
 * A smoke test of the bench machinery (`npm run bench` is not part of the suite): a tiny generated
 * chain, built and cached, traced and floored, every run discovering the same transfers, the cache run,
 * the analysis step, the deposit-detection section (a tiny deposit chain, traced and scored against its
 * truth) and both outputs. Speed is not asserted here; neither are the detector's figures (the bench
 * reports them): the smoke test checks that they are counted right.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { callsByMethod, priceCalls } from '../src/rpc/price.js';
import { readPriceTable } from '../src/rpc/priceFile.js';
import { packageRoot } from '../src/util/package.js';
// @ts-expect-error: a plain ESM script of the bench, without types
import { readHits, scoreDeposits } from '../bench/depositScore.mjs';

const run = promisify(execFile);
const BENCH = join(packageRoot(), 'bench', 'run.mjs');

interface BenchRun {
  wallMs: number;
  rpc: { total: number; byMethod: Record<string, number> };
  discovered: { count: number; hash: string };
  hits: number;
  peakRssMiB: number;
  credits: { total: number; unpricedCalls: number };
}
interface BenchJson {
  sizes: {
    size: number;
    chain: { addresses: number; seeds: string[]; head: number };
    discovered: { count: number; hash: string };
    runs: Record<string, BenchRun>;
    ratio: number;
    floorStrategy: 'block' | 'address';
    floorCredits: number;
    creditRatio: number;
  }[];
  priceTable: { provider: string; read: string };
  analysis: { edges: number; ingestStore: { rows: number }; attribution: { taintedTransfers: number; ms: number }; paths: { targets: number; found: number } };
  deposits: DepositScore & { scale: number; trace: { hits: number; depositsLearned: number } };
  watch: { watched: number; strategy: 'auto' | 'address'; callsPerBlock: number }[];
}
interface Level {
  tp: number;
  fp: number;
  fn: number;
  precision: number | null;
  recall: number | null;
}
interface Kind {
  truth: 'deposit' | 'decoy';
  n: number;
  high: number;
  medium: number;
  low: number;
  none: number;
  tp: number;
  fp: number;
  fn: number;
}
interface DepositScore {
  deposits: number;
  decoys: number;
  claims: number;
  levels: Record<string, Level>;
  kinds: Record<string, Kind>;
  beside: { checked: number; claimed: number; withVenue: number; withoutVenue: number; beyondHops: number };
  targets: Record<string, { met: boolean }>;
  wrong: { address: string; kind: string; claimed: string | null }[];
  wrongAtHigh: { address: string; kind: string; claimed: string | null; reasons: string[] }[];
}
interface Truth {
  address: string;
  truth: 'deposit' | 'decoy';
  kind: string;
  hop: number;
  venue?: string;
  venueHop?: number;
}

describe('npm run bench (smoke)', () => {
  it('builds and caches a tiny chain; trace, floors and strategies discover one transfer set; the re-run asks for the head only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoptrace-bench-test-'));
    const cache = join(dir, 'cache');
    const args = [BENCH, '--sizes', '40', '--edges', '2000', '--blocks-per-level', '4', '--repeat', '1', '--deposit-scale', '1', '--watch-sizes', '10,200', '--md', join(dir, 'r.md'), '--json', join(dir, 'r.json')];
    await run(process.execPath, args, { env: { ...process.env, HOPTRACE_BENCH_CACHE: cache }, timeout: 150_000 });
    const res = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as BenchJson;
    // Watch: the planner's calls per new block do not grow with the watched set; forced per address they do.
    const auto = res.watch.filter((w) => w.strategy === 'auto');
    const perAddress = res.watch.filter((w) => w.strategy === 'address');
    expect(auto.map((w) => w.watched)).toEqual([10, 200]);
    expect(auto[1]!.callsPerBlock).toBeLessThanOrEqual(auto[0]!.callsPerBlock);
    expect(perAddress[1]!.callsPerBlock).toBeGreaterThan(perAddress[0]!.callsPerBlock * 10);
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
    // Credits: each run's calls priced in the bundled table, and the ratio against the wall-time ratio's floor.
    const table = readPriceTable();
    expect(res.priceTable).toMatchObject({ provider: table.provider, read: table.read });
    for (const [name, r] of Object.entries(z.runs)) {
      const p = priceCalls(callsByMethod(r.rpc), table);
      expect(r.credits, name).toEqual(expect.objectContaining({ total: p.credits, unpricedCalls: r.rpc.total - p.methods.reduce((n, m) => n + m.calls, 0) }));
    }
    const floor = z.floorStrategy === 'block' ? z.runs.floorBlock! : z.runs.floorAddress!;
    expect(z.floorCredits).toBe(floor.credits.total);
    expect(z.creditRatio).toBeCloseTo(z.runs.trace!.credits.total / floor.credits.total, 9);
    expect(res.analysis.ingestStore.rows).toBe(2000);
    // The analysis ran on the synthetic graph: taint left the seeds, and some targets were reachable.
    expect(res.analysis.attribution.taintedTransfers).toBeGreaterThan(0);
    expect(res.analysis.paths.found).toBeGreaterThan(0);
    const md = readFileSync(join(dir, 'r.md'), 'utf8');
    expect(md).toContain('attribution (attributeInStore');
    expect(md).toMatch(/\| 40 \| [\d,]+ \|/);
    expect(md).toContain(`credits within 1.3× of the floor's (${table.provider} compute units, table read ${table.read}): ${z.creditRatio.toFixed(2)}× at 40`);
    expect(readdirSync(cache).filter((f) => f.startsWith('chain-') && f.endsWith('.json') && !f.endsWith('.info.json'))).toHaveLength(1);

    // Deposit detection: the score counts what the generator planned, and every level's figures add up.
    const d = res.deposits;
    const infoFile = readdirSync(cache).find((f) => f.startsWith('deposits-') && f.endsWith('.info.json'))!;
    const truth = (JSON.parse(readFileSync(join(cache, infoFile), 'utf8')) as { truth: Truth[] }).truth;
    expect(d.deposits).toBe(truth.filter((t) => t.truth === 'deposit').length);
    expect(d.decoys).toBe(truth.length - d.deposits);
    const planned = Object.entries(d.kinds).filter(([k]) => k !== 'unplanned');
    expect(planned.reduce((sum, [, k]) => sum + k.n, 0)).toBe(truth.length);
    for (const [, k] of Object.entries(d.kinds)) expect(k.high + k.medium + k.low + k.none).toBe(k.n);
    for (const l of Object.values(d.levels)) expect(l.tp + l.fn).toBe(d.deposits);
    const claimedTrue = Object.values(d.kinds).reduce((sum, k) => sum + k.tp, 0);
    const claimedFalse = Object.values(d.kinds).reduce((sum, k) => sum + k.fp, 0);
    expect([d.levels['≥low']!.tp, d.levels['≥low']!.fp]).toEqual([claimedTrue, claimedFalse]);
    expect(d.levels['≥low']!.tp + d.levels['≥low']!.fp).toBe(d.claims);
    expect(d.levels['≥medium']!.tp).toBe(d.levels.high!.tp + d.levels.medium!.tp);
    expect(d.wrong).toHaveLength(d.levels['≥low']!.fn + d.levels['≥low']!.fp);
    // The real detector ran: plain one-transaction sweeps are found.
    expect(d.kinds.sweep!.tp).toBeGreaterThan(0);
    expect(d.beside.claimed).toBe(d.beside.withVenue + d.beside.withoutVenue);
    expect(md).toContain('**Deposit detection** (generated chain, scale 1:');
    expect(md).toMatch(new RegExp(`\\| high \\| ${d.levels.high!.tp + d.levels.high!.fp} \\| ${d.levels.high!.tp} \\|`));
    expect(md).toMatch(/deposit detection at `high`: precision .* — (met|missed)/);
  }, 180_000);

  it('--only trace: floor and trace back to back, medians of the pairs, calls and credits priced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoptrace-bench-test-'));
    const args = [BENCH, '--only', 'trace', '--sizes', '40', '--blocks-per-level', '4', '--repeat', '2', '--split', '--json', join(dir, 'r.json')];
    const { stdout } = await run(process.execPath, args, { env: { ...process.env, HOPTRACE_BENCH_CACHE: join(dir, 'cache') }, timeout: 150_000 });
    type Side = { calls: number; credits: number; creditsByPair: number[]; byMethod: Record<string, number> };
    type Credits = Side & { ratio: number; creditRatio: number; roundTrips: number; native: string };
    const z = (
      JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as {
        sizes: {
          size: number;
          head: number;
          ratios: number[];
          ratio: number;
          floor: Side;
          trace: Side;
          creditRatio: number;
          optimizeCredits: Credits;
          split: { floorMs: number; traceMs: number; floor: Record<string, number>; trace: Record<string, number> };
        }[];
      }
    ).sizes[0]!;
    expect(z.size).toBe(40);
    expect(z.ratios).toHaveLength(2);
    expect(z.ratio).toBeGreaterThan(0);
    expect(z.floor.byMethod['trace_block']).toBe(z.head + 1);
    expect(z.trace.creditsByPair).toHaveLength(2);
    expect(z.creditRatio).toBeCloseTo(z.trace.credits / z.floor.credits, 9);
    expect(z.floor.credits).toBe(priceCalls(callsByMethod({ byMethod: z.floor.byMethod }), readPriceTable()).credits);
    // The trace's block scan checks its traces with one header per two blocks (sources/validate.ts).
    expect(z.trace.byMethod['eth_getBlockByNumber']).toBeLessThan(z.trace.byMethod['trace_block']!);
    expect(stdout).toMatch(/^\| 40 \| [\d.]+ \| [\d.]+ \| [\d.]+× \|/m);
    // The third run of each pair, --optimize credits (it discovered the floor's set too, or the bench stops).
    const c = z.optimizeCredits;
    expect(c.creditsByPair).toHaveLength(2);
    expect(c.credits).toBe(priceCalls(callsByMethod({ byMethod: c.byMethod }), readPriceTable()).credits);
    expect(c.creditRatio).toBeCloseTo(c.credits / z.floor.credits, 9);
    expect(c.ratio).toBeGreaterThan(0);
    expect(stdout).toContain('`--optimize credits`');
    // --split: the profiled pair's time by what the code did. Only the trace stores and checks; the parts
    // add up to the whole (each rounded to the ms), and the whole is about the profiled window.
    for (const side of ['floor', 'trace'] as const) {
      const parts = z.split[side];
      const sum = Object.entries(parts).reduce((a, [k, v]) => (k === 'total' ? a : a + v), 0);
      expect(Math.abs(sum - parts['total']!), side).toBeLessThanOrEqual(Object.keys(parts).length);
      expect(parts['total']!, side).toBeGreaterThan(0);
      expect(parts['total']!, side).toBeLessThanOrEqual(z.split[`${side}Ms`] * 1.5 + 50);
    }
    // The floor has no store, no checks and no walk of hoptrace's: none of their groups; the trace spends
    // time in some of them (which ones a tiny run samples varies).
    const own = Object.keys(z.split.trace).filter((k) => /^(SQLite|validation|walk|paths|decoding|fetch planning)/.test(k));
    expect(own.length).toBeGreaterThan(0);
    expect(Object.keys(z.split.floor).filter((k) => /^(SQLite|validation|walk|paths|decoding|fetch planning)/.test(k))).toEqual([]);
    expect(stdout).toMatch(/^\| where \| floor ms \| trace ms \|$/m);
  }, 180_000);

  it('refuses a bad size in one sentence, exit 2', async () => {
    const err = (await run(process.execPath, [BENCH, '--sizes', '200,abc']).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr.trim()).toBe('bench: --sizes: "abc" is not a size of at least 10 addresses');
    const bad = (await run(process.execPath, [BENCH, '--deposit-scale', '0']).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('bench: --deposit-scale must be a whole number from 1 to 50');
    const seed = (await run(process.execPath, [BENCH, '--deposit-seed', '1.5']).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(seed.code).toBe(2);
    expect(seed.stderr.trim()).toBe('bench: --deposit-seed must be a whole number from 0 to 1000000');
  });
});

describe('deposit-detection scoring (bench/depositScore.mjs)', () => {
  const addr = (n: number): string => `0x${n.toString(16).padStart(40, '0')}`;
  // Report schema 2: a claim is an `inferred` evidence, on a hit (the last hop) or on a path step's address.
  const inferred = (confidence: string) => ({ level: 'inferred', sources: [], inference: { heuristic: 'exchange-deposit-address', confidence }, conflict: null });
  const depositHit = (address: string, confidence: string) => ({ address, kind: 'venue', via: 'deposit', evidence: inferred(confidence), path: [] });
  /** A labelled venue's hit; `annotated`: addresses on its path taken for deposit addresses (annotations). */
  const labelHit = (address: string, annotated: [string, string][] = []) => ({
    address,
    kind: 'venue',
    via: 'label',
    evidence: { level: 'label', sources: [], inference: null, conflict: null },
    path: annotated.map(([to, confidence]) => ({ from: addr(900), to, fromEvidence: null, toEvidence: inferred(confidence) })),
  });
  const truth: Truth[] = [
    { address: addr(1), truth: 'deposit', kind: 'sweep', hop: 2 },
    { address: addr(2), truth: 'deposit', kind: 'sweep', hop: 2 },
    { address: addr(3), truth: 'deposit', kind: 'dust', hop: 3 },
    { address: addr(4), truth: 'decoy', kind: 'peel-end', hop: 2, venue: addr(100), venueHop: 3 },
    { address: addr(5), truth: 'decoy', kind: 'forward-to-deposit', hop: 2, venue: addr(101), venueHop: 3 },
    { address: addr(6), truth: 'decoy', kind: 'peel-end', hop: 4, venue: addr(102), venueHop: 5 },
    { address: addr(7), truth: 'decoy', kind: 'otc-desk', hop: 2 },
  ];

  it('counts each claim once, at its best level, per level and cumulatively, and names unplanned claims', () => {
    const hits = [
      depositHit(addr(1), 'high'),
      depositHit(addr(1), 'low'), // the same address from a second seed: its best grade counts
      { ...depositHit(addr(3), 'medium'), evidence: { ...inferred('medium'), inference: { ...inferred('medium').inference, reasons: ['the sweep carried 97.00% of what arrived, not all of it'] } } },
      depositHit(addr(4), 'high'),
      depositHit(addr(6), 'low'),
      depositHit(addr(50), 'medium'), // not a planned target
      labelHit(addr(101)),
    ];
    const s = scoreDeposits(truth, hits, 4) as DepositScore;
    expect(s.claims).toBe(5);
    expect(s.levels.high).toEqual({ tp: 1, fp: 1, fn: 2, precision: 0.5, recall: 1 / 3 });
    expect(s.levels.medium).toEqual({ tp: 1, fp: 1, fn: 2, precision: 0.5, recall: 1 / 3 });
    expect(s.levels['≥medium']).toEqual({ tp: 2, fp: 2, fn: 1, precision: 0.5, recall: 2 / 3 });
    expect(s.levels['≥low']).toEqual({ tp: 2, fp: 3, fn: 1, precision: 0.4, recall: 2 / 3 });
    expect(s.kinds.sweep).toMatchObject({ n: 2, high: 1, none: 1, tp: 1, fn: 1 });
    expect(s.kinds.unplanned).toMatchObject({ n: 1, medium: 1, fp: 1 });
    expect(s.kinds['otc-desk']).toMatchObject({ n: 1, none: 1, fp: 0 });
    // addr(4) is claimed without its venue; addr(5) is not claimed; addr(6)'s venue lies beyond 4 hops.
    expect(s.beside).toMatchObject({ checked: 2, claimed: 1, withVenue: 0, withoutVenue: 1, beyondHops: 1 });
    expect(s.targets.venueBeside!.met).toBe(false);
    expect(s.wrong.map((w) => [w.address, w.kind, w.claimed])).toEqual([
      [addr(2), 'sweep', null],
      [addr(4), 'peel-end', 'high'],
      [addr(6), 'peel-end', 'low'],
      [addr(50), 'unplanned', 'medium'],
    ]);
    // At `high`: deposit addresses not claimed high (addr(3) medium too) and decoys claimed high, with the
    // verdict's reasons; the unplanned claim is medium, no false claim at high.
    expect(s.wrongAtHigh.map((w) => [w.address, w.kind, w.claimed, w.reasons])).toEqual([
      [addr(2), 'sweep', null, []],
      [addr(3), 'dust', 'medium', ['the sweep carried 97.00% of what arrived, not all of it']],
      [addr(4), 'peel-end', 'high', []],
    ]);
  });

  it('a claim with its labelled venue beside it passes the venue check; no claim at a level has no precision', () => {
    const hits = [depositHit(addr(1), 'high'), labelHit(addr(101), [[addr(5), 'medium']])];
    const s = scoreDeposits(truth, hits, 4) as DepositScore;
    expect(s.beside).toMatchObject({ claimed: 1, withVenue: 1, withoutVenue: 0 });
    expect(s.targets.venueBeside!.met).toBe(true);
    expect(s.levels.low).toEqual({ tp: 0, fp: 0, fn: 3, precision: null, recall: 0 });
    const { claims, labelled } = readHits(hits) as { claims: Map<string, string>; labelled: Set<string> };
    expect([...claims]).toEqual([
      [addr(1), 'high'],
      [addr(5), 'medium'],
    ]);
    expect([...labelled]).toEqual([addr(101)]);
  });
});
