#!/usr/bin/env node
/**
 * `npm run bench`: how close a trace comes to the node's own limit, and how its cost grows.
 *
 *   node bench/run.mjs [--sizes 200,2000,20000] [--quick] [--edges 1000000] [--address-max 2000]
 *                      [--concurrency 8] [--blocks-per-level 60] [--repeat 3] [--deposit-scale 5] [--deposit-seed 0]
 *                      [--md bench/results.md] [--json bench/results.json] [--only deposits|watch|trace|ingest] [--no-raw] [--split]
 *
 * --quick: size 200, 100k edges, one repetition. --repeat N: trace, floor and block-scan trace run N
 * times each (default 3) and the fastest counts. --address-max: the largest size the per-address runs (trace and
 * floor) are made at (they grow with addresses × blocks). --blocks-per-level: chain length (the smoke
 * test makes short chains).
 *
 * Per size: the cached generated chain (bench/chain.mjs) on a fresh anvil; the floor (bench/floor.mjs,
 * block scan and per address); hoptrace's trace with the planner's choice (`auto`), the same again on
 * the same database (cache), and each strategy forced. Every trace and floor runs in its own child
 * process (peak RSS is the child's own) and must discover the same set of transfers (count and hash),
 * else the run fails. Then SQLite ingest and path search on a synthetic graph (bench/analysis.mjs).
 * Deposit detection (bench/deposits.mjs, also with --quick): a generated chain of true exchange deposit
 * addresses and decoys (--deposit-scale sets its size: 5 makes about 350 addresses; --deposit-seed draws
 * another chain of the same kinds, 0 being the one the README's figures came from), traced once, the
 * deposit-address claims scored against the generator's truth: precision and recall per confidence level.
 * Watch cost (bench/watch.mjs, also with --quick): RPC calls per new block for 10, 1,000 and 100,000
 * watched addresses, with the planner's choice and with per-address queries forced up to 1,000.
 * --watch-sizes 10,1000,100000 sets them (--quick: 10,1000). --only watch: that section alone (written
 * like --only deposits).
 * --only deposits: the deposit-detection section alone (to iterate on the detector); it prints that
 * section and writes no results file unless --md or --json is given.
 * --only trace: the trace against the block-scan floor alone (to iterate on the trace's cost on a
 * shared machine): per size, `--repeat` pairs (floor, then trace on a fresh database, back to back), and
 * the median wall times and the median of the pairs' ratios, with calls, round trips and credits (which
 * do not depend on load). Printed; written only with --json. With --split, one more pair per size runs
 * profiled (bench/split.mjs) and the time of each is split by what hoptrace's code was doing: SQLite
 * writes and reads, validation, the walk, paths, RPC and JSON, Node's own, garbage collection, idle.
 * --only ingest: the ingest through Store.commit alone (--edges rows, 1M by default; the raw floors too
 * unless --no-raw; no analysis), the same way.
 * Timings are wall-clock on whatever else the machine is doing: compare ratios from the same run.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { startAnvil } from '../dist/devchain/anvil.js';
import { anvilVersion, BLOCKS_PER_LEVEL, ensureChain, GENERATOR_VERSION } from './chain.mjs';
import { benchDeposits } from './deposits.mjs';
import { benchWatch, renderWatch } from './watch.mjs';
import { renderDeposits, renderIngest, renderMarkdown } from './report.mjs';
import { creditsOf, priceTable } from './common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);
const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string' },
    quick: { type: 'boolean', default: false },
    edges: { type: 'string' },
    'address-max': { type: 'string' },
    'blocks-per-level': { type: 'string' },
    repeat: { type: 'string' },
    'deposit-scale': { type: 'string', default: '5' },
    'deposit-seed': { type: 'string', default: '0' },
    concurrency: { type: 'string', default: '8' },
    md: { type: 'string' },
    json: { type: 'string' },
    only: { type: 'string' },
    'watch-sizes': { type: 'string' },
    'no-raw': { type: 'boolean', default: false },
    split: { type: 'boolean', default: false },
  },
});
if (opt.only !== undefined && !['deposits', 'watch', 'trace', 'ingest'].includes(opt.only)) usage(`--only: "${opt.only}" is not a section (deposits, watch, trace, ingest)`);
const sizes = (opt.sizes ?? (opt.quick ? '200' : '200,2000,20000')).split(',').map((s) => {
  const n = Number(s.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 10) usage(`--sizes: "${s}" is not a size of at least 10 addresses`);
  return n;
});
/** Watched addresses of the watch section (issue 17: calls per block at 10, 1,000 and 100,000; --quick the first two). */
const WATCH_SIZES = (opt['watch-sizes'] ?? (opt.quick ? '10,1000' : '10,1000,100000')).split(',').map((s) => {
  const n = Number(s.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) usage(`--watch-sizes: "${s}" is not a number of addresses`);
  return n;
});
const edges = Number(opt.edges ?? (opt.quick ? 100_000 : 1_000_000));
const addressMax = Number(opt['address-max'] ?? 2000);
const concurrency = Number(opt.concurrency);
const repeat = Number(opt.repeat ?? (opt.quick ? 1 : 3));
if (!Number.isInteger(repeat) || repeat < 1) usage('--repeat must be a whole number ≥ 1');
const blocksPerLevel = Number(opt['blocks-per-level'] ?? BLOCKS_PER_LEVEL);
if (!Number.isInteger(blocksPerLevel) || blocksPerLevel < 2) usage('--blocks-per-level must be a whole number ≥ 2');
if (!Number.isInteger(edges) || edges < 1000) usage('--edges must be a whole number ≥ 1000');
if (!Number.isInteger(concurrency) || concurrency < 1) usage('--concurrency must be a whole number ≥ 1');
const depositScale = Number(opt['deposit-scale']);
if (!Number.isInteger(depositScale) || depositScale < 1 || depositScale > 50) usage('--deposit-scale must be a whole number from 1 to 50');
const depositSeed = Number(opt['deposit-seed']);
if (!Number.isInteger(depositSeed) || depositSeed < 0 || depositSeed > 1_000_000) usage('--deposit-seed must be a whole number from 0 to 1000000');
/** The transport's rate budget is lifted: the bench measures the node and the code, not the throttle. */
const RPS = 1_000_000;

function usage(msg) {
  console.error(`bench: ${msg}`);
  process.exit(2);
}
const log = (m) => console.error(m);

async function child(script, args) {
  const { stdout } = await run(process.execPath, [join(here, script), JSON.stringify(args)], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop());
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: cpus().length,
    cpu: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown',
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    node: process.version,
    anvil: anvilVersion(),
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
}

async function benchSize(size) {
  const t0 = Date.now();
  const { statePath, info, cached } = await ensureChain(size, log, blocksPerLevel);
  const buildMs = cached ? null : Date.now() - t0;
  log(`size ${size}: ${info.addresses} addresses, ${info.launderingPayments} laundering payments, head ${info.head}`);
  const anvil = await startAnvil({ loadState: statePath, startTimeoutMs: 300_000 });
  const work = mkdtempSync(join(tmpdir(), 'hoptrace-bench-'));
  const base = { url: anvil.url, seeds: info.seeds, hops: info.hops, concurrency, rps: RPS };
  const runs = {};
  try {
    // The trace, the floor and the forced block scan run `repeat` times each, interleaved, and the
    // fastest run counts (best of N): on a shared machine the other processes only ever add time.
    // Per-address runs are long and run once.
    const step = async (name, script, extra, times = 1) => {
      for (let i = 0; i < times; i++) {
        const r = await child(script, { ...base, ...extra });
        // Credits: the provider's price of the run's calls (a batch member counted at its method's price).
        r.credits = creditsOf(r.rpc);
        const best = runs[name];
        const walls = [...(best?.wallsMs ?? []), r.wallMs];
        log(`  ${name} #${walls.length}: ${(r.wallMs / 1000).toFixed(2)} s, ${r.rpc.total} calls, ${r.rpc.roundTrips} round trips, ${r.credits.total} credits`);
        runs[name] = !best || r.wallMs < best.wallMs ? { ...r, wallsMs: walls } : { ...best, wallsMs: walls };
      }
    };
    for (let i = 0; i < repeat; i++) {
      await step('floorBlock', 'floor.mjs', { mode: 'block' });
      await step('trace', 'trace-child.mjs', { db: join(work, `auto-${i}.db`), strategy: 'auto' });
      await step('traceBlock', 'trace-child.mjs', { db: join(work, `block-${i}.db`), strategy: 'block' });
    }
    await step('traceCached', 'trace-child.mjs', { db: join(work, `auto-${repeat - 1}.db`), strategy: 'auto' });
    if (size <= addressMax) {
      await step('floorAddress', 'floor.mjs', { mode: 'address', traceFilterSpan: 301 });
      await step('traceAddress', 'trace-child.mjs', { db: join(work, 'address.db'), strategy: 'address' });
    }
  } finally {
    await anvil.stop();
    rmSync(work, { recursive: true, force: true });
  }
  // The cached run is left out of the set comparison: deposit addresses learned by the first run are
  // flagged on sight, so the walk no longer reads their sweeps. It must find the same hits.
  if (runs.traceCached.hits !== runs.trace.hits) {
    throw new Error(`size ${size}: the cached run found ${runs.traceCached.hits} hits, the first run ${runs.trace.hits}`);
  }
  const sets = Object.entries(runs)
    .filter(([k]) => k !== 'traceCached')
    .map(([k, r]) => [k, `${r.discovered.count}/${r.discovered.hash}`]);
  const distinct = new Set(sets.map(([, v]) => v));
  if (distinct.size !== 1) {
    throw new Error(`size ${size}: the runs discovered different transfer sets: ${sets.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  const floors = [runs.floorBlock, runs.floorAddress].filter(Boolean);
  const floor = floors.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  return {
    size,
    chain: { ...info, buildMs },
    discovered: runs.trace.discovered,
    floorStrategy: floor === runs.floorBlock ? 'block' : 'address',
    floorMs: floor.wallMs,
    ratio: runs.trace.wallMs / floor.wallMs,
    // Against the same floor as the wall-time ratio, and against the floor that costs fewest credits.
    floorCredits: floor.credits.total,
    creditRatio: runs.trace.credits.total / floor.credits.total,
    cheapestFloorCredits: Math.min(...floors.map((f) => f.credits.total)),
    cachedCallShare: runs.traceCached.rpc.total / runs.trace.rpc.total,
    storedPerSecond: runs.trace.transfersStored / (runs.trace.wallMs / 1000),
    msPerDiscovered: runs.trace.wallMs / runs.trace.discovered.count,
    runs,
  };
}

const results = {
  generator: GENERATOR_VERSION,
  repeat,
  startedAt: new Date().toISOString(),
  machine: machine(),
  priceTable: { provider: priceTable.provider, unit: priceTable.unit, source: priceTable.source, read: priceTable.read, file: priceTable.file },
  sizes: [],
  analysis: null,
  deposits: null,
};
/** --only trace: floor and trace back to back, `repeat` pairs per size; medians (load only adds time). */
async function benchTraceOnly(size) {
  const { statePath, info } = await ensureChain(size, log, blocksPerLevel);
  const anvil = await startAnvil({ loadState: statePath, startTimeoutMs: 300_000 });
  const work = mkdtempSync(join(tmpdir(), 'hoptrace-bench-'));
  const base = { url: anvil.url, seeds: info.seeds, hops: info.hops, concurrency, rps: RPS };
  const pairs = [];
  let split = null;
  try {
    for (let i = 0; i < repeat; i++) {
      const floor = await child('floor.mjs', { ...base, mode: 'block' });
      const trace = await child('trace-child.mjs', { ...base, db: join(work, `auto-${i}.db`), strategy: 'auto' });
      // The same trace with the planner minimising credits (the bench's price table) instead of time.
      const credits = await child('trace-child.mjs', { ...base, db: join(work, `credits-${i}.db`), strategy: 'auto', optimize: 'credits' });
      for (const [name, r] of [['trace', trace], ['the credits trace', credits]]) {
        if (`${floor.discovered.count}/${floor.discovered.hash}` !== `${r.discovered.count}/${r.discovered.hash}`) {
          throw new Error(`size ${size}: ${name} and the floor discovered different transfer sets`);
        }
      }
      for (const r of [floor, trace, credits]) r.credits = creditsOf(r.rpc);
      pairs.push({ floor, trace, credits, ratio: trace.wallMs / floor.wallMs, creditsRatio: credits.wallMs / floor.wallMs });
      log(
        `  ${size} #${i + 1}: floor ${(floor.wallMs / 1000).toFixed(2)} s, trace ${(trace.wallMs / 1000).toFixed(2)} s (${(trace.wallMs / floor.wallMs).toFixed(2)}×), ` +
          `optimize credits ${(credits.wallMs / 1000).toFixed(2)} s (${(credits.wallMs / floor.wallMs).toFixed(2)}×; ${credits.strategyNote})`,
      );
    }
    // --split: one more pair, each child profiled over its timed window (bench/split.mjs).
    if (opt.split) {
      const floor = await child('floor.mjs', { ...base, mode: 'block', split: true });
      const trace = await child('trace-child.mjs', { ...base, db: join(work, 'split.db'), strategy: 'auto', split: true });
      split = { floorMs: floor.wallMs, traceMs: trace.wallMs, floor: floor.split, trace: trace.split };
    }
  } finally {
    await anvil.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  // Calls, round trips and credits do not depend on load, but the planner's choices follow measured
  // call times: the medians over the pairs, and the calls by method of the first pair.
  const of = (side) => ({
    calls: median(pairs.map((p) => p[side].rpc.total)),
    roundTrips: median(pairs.map((p) => p[side].rpc.roundTrips)),
    credits: median(pairs.map((p) => p[side].credits.total)),
    creditsByPair: pairs.map((p) => p[side].credits.total),
    byMethod: pairs[0][side].rpc.byMethod,
    ms: median(pairs.map((p) => p[side].wallMs)),
    cpuMs: median(pairs.map((p) => p[side].cpuMs)),
    native: pairs[0][side].strategyNote,
  });
  const floor = of('floor');
  const trace = of('trace');
  const credits = of('credits');
  return {
    size,
    head: info.head,
    floorMs: median(pairs.map((p) => p.floor.wallMs)),
    traceMs: median(pairs.map((p) => p.trace.wallMs)),
    ratio: median(pairs.map((p) => p.ratio)),
    ratios: pairs.map((p) => Math.round(p.ratio * 100) / 100),
    floorCpuMs: median(pairs.map((p) => p.floor.cpuMs)),
    traceCpuMs: median(pairs.map((p) => p.trace.cpuMs)),
    floor,
    trace,
    creditRatio: trace.credits / floor.credits,
    // `--optimize credits`: wall time against the floor (median of pairs) and credits against the floor's.
    optimizeCredits: { ...credits, ratio: median(pairs.map((p) => p.creditsRatio)), creditRatio: credits.credits / floor.credits },
    split,
  };
}

/** --split: where the profiled pair's time went, floor beside trace, in ms of its timed window. */
function renderSplit(out) {
  const lines = [];
  for (const r of out.filter((x) => x.split !== null)) {
    const { floor, trace } = r.split;
    const keys = [...new Set([...Object.keys(trace), ...Object.keys(floor)])].filter((k) => k !== 'total');
    keys.sort((a, b) => (trace[b] ?? 0) - (trace[a] ?? 0));
    lines.push(
      '',
      `${r.size} addresses, one more pair profiled (CPU samples of the main thread over each timed window; wall ${Math.round(r.split.floorMs)} ms floor, ${Math.round(r.split.traceMs)} ms trace):`,
      '',
      '| where | floor ms | trace ms |',
      '|---|---:|---:|',
      ...keys.map((k) => `| ${k === 'idle' ? 'idle (waiting for the node)' : k === 'gc' ? 'garbage collection' : k === 'node' ? "Node's own (HTTP, streams, timers) and the floor script" : k} | ${floor[k] ?? 0} | ${trace[k] ?? 0} |`),
      `| total | ${floor.total} | ${trace.total} |`,
    );
  }
  return lines;
}
if (opt.only === 'trace') {
  const out = [];
  for (const size of sizes) out.push(await benchTraceOnly(size));
  if (opt.json) writeFileSync(opt.json, JSON.stringify({ ...results, sizes: out, finishedAt: new Date().toISOString() }, null, 2) + '\n');
  const lines = [
    '| size | floor s (median) | trace s (median) | trace/floor (median of pairs) | pairs | CPU s trace / floor (medians) | calls trace / floor (medians) | round trips trace / floor | credits trace / floor (medians; trace per pair) |',
    '|---:|---:|---:|---:|---|---:|---:|---:|---:|',
  ];
  for (const r of out) {
    lines.push(
      `| ${r.size} | ${(r.floorMs / 1000).toFixed(2)} | ${(r.traceMs / 1000).toFixed(2)} | ${r.ratio.toFixed(2)}× | ${r.ratios.join(', ')} | ${(r.traceCpuMs / 1000).toFixed(2)} / ${(r.floorCpuMs / 1000).toFixed(2)} | ${r.trace.calls} / ${r.floor.calls} | ${r.trace.roundTrips} / ${r.floor.roundTrips} | ${r.trace.credits} / ${r.floor.credits} (${r.creditRatio.toFixed(2)}×; ${r.trace.creditsByPair.join(', ')}) |`,
    );
  }
  lines.push(
    '',
    '`--optimize credits` (the same trace, the planner pricing plans in the bench\'s price table):',
    '',
    '| size | trace s (median) | trace/floor (median of pairs) | CPU s | calls | round trips | credits (/ floor) | native read with |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const r of out) {
    const c = r.optimizeCredits;
    lines.push(
      `| ${r.size} | ${(c.ms / 1000).toFixed(2)} | ${c.ratio.toFixed(2)}× | ${(c.cpuMs / 1000).toFixed(2)} | ${c.calls} | ${c.roundTrips} | ${c.credits} (${c.creditRatio.toFixed(2)}×) | ${c.native} |`,
    );
  }
  for (const r of out) lines.push('', `${r.size}: trace (first pair) ${JSON.stringify(r.trace.byMethod)}`, `${r.size}: optimize credits (first pair) ${JSON.stringify(r.optimizeCredits.byMethod)}`);
  lines.push(...renderSplit(out));
  process.stdout.write(lines.join('\n') + '\n');
  process.exit(0);
}
if (opt.only === 'ingest') {
  log(`ingest: ${edges.toLocaleString('en-US')} transfers…`);
  results.analysis = await child('analysis.mjs', { edges, analyse: false, raw: !opt['no-raw'] });
  results.finishedAt = new Date().toISOString();
  if (opt.json) writeFileSync(opt.json, JSON.stringify(results, null, 2) + '\n');
  const md = [`**Ingest** (synthetic graph of ${results.analysis.edges.toLocaleString('en-US')} edges; load average at start ${results.machine.loadAverage}):`, '', ...renderIngest(results.analysis)].join('\n') + '\n';
  if (opt.md) writeFileSync(opt.md, md);
  process.stdout.write(md);
  process.exit(0);
}
/** `--only <section>`: that section alone, printed (and written where --md / --json say), then exit. */
const sections = {
  deposits: { run: () => (log(`deposit detection: scale ${depositScale}, seed ${depositSeed}…`), benchDeposits(depositScale, depositSeed, log)), render: renderDeposits },
  watch: { run: () => benchWatch(WATCH_SIZES, { log }), render: renderWatch },
};
if (opt.only !== undefined) {
  const section = sections[opt.only];
  results[opt.only] = await section.run();
  results.finishedAt = new Date().toISOString();
  if (opt.json) writeFileSync(opt.json, JSON.stringify(results, null, 2) + '\n');
  const md = section.render(results[opt.only]).join('\n') + '\n';
  if (opt.md) writeFileSync(opt.md, md);
  process.stdout.write(md);
  process.exit(0);
}
for (const size of sizes) results.sizes.push(await benchSize(size));
log('watch: calls per block…');
results.watch = await benchWatch(WATCH_SIZES, { log });
log(`deposit detection: scale ${depositScale}, seed ${depositSeed}…`);
results.deposits = await benchDeposits(depositScale, depositSeed, log);
log(`analysis: ${edges.toLocaleString('en-US')} edges…`);
results.analysis = await child('analysis.mjs', { edges });
results.finishedAt = new Date().toISOString();
const jsonPath = opt.json ?? join(here, 'results.json');
const mdPath = opt.md ?? join(here, 'results.md');
writeFileSync(jsonPath, JSON.stringify(results, null, 2) + '\n');
const md = renderMarkdown(results);
writeFileSync(mdPath, md);
process.stdout.write(md);
log(`bench: wrote ${mdPath} and ${jsonPath}`);
