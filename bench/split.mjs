/**
 * Where a bench child's timed window went, from a V8 CPU profile of exactly that window (node:inspector,
 * started when the child's clock starts and stopped when it stops): `node bench/run.mjs --only trace
 * --split` prints it for the floor and the trace side by side. A sample counts for the innermost of
 * hoptrace's own modules (dist/…) on its stack, grouped by what that module does; samples with none of
 * them on the stack are Node's own (HTTP, streams, timers) or, for the floor, the floor script's. The
 * profile's idle samples are the time the process waited with nothing to run: for these children, the
 * node's answers.
 */
import { Session } from 'node:inspector/promises';

/**
 * Starts a CPU profile of this process now (sampling every `intervalUs` µs). The returned function stops
 * it and gives its split (splitProfile).
 */
export async function startProfile(intervalUs = 500) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    return splitProfile(profile);
  };
}

/** Groups of hoptrace's modules (paths under dist/), first match wins; checked in this order. */
const GROUPS = [
  ['validation (headers, blooms, hashes)', /^(sources\/(validate|headers|callTree)|rpc\/actions\/getBlock)/],
  ['RPC client and JSON', /^rpc\//],
  ['decoding answers', /^sources\/(traces|logs|traceBlockScan|tokens)/],
  ['SQLite writes', null],
  ['SQLite reads', null],
  ['walk and its checks (deposits, swaps)', /^(trace\/(walk|nodeWorld|memoryWorld|depositCheck|deposits|windowReads|swapSteps|hubs)|sources\/swaps|store\/(swaps|deposits))/],
  ['paths and report (widest paths, times)', /^(graph\/|trace\/(mainPaths|run|crossChain|evidence)|bridges\/)/],
  ['fetch planning and coverage', /^sources\//],
  ['labels', /^labels\//],
];
/** The store's functions on the write path; its other functions are reads. */
const STORE_WRITES = /^(commit|commitAll|flush|fill|idsOf|resolve|putBlocks|putAll|put|write|record|recordAll|markIntervals|setMeta|deleteMeta|bindChain)$/;

/**
 * The milliseconds of a profile by group: `idle` (waiting), `gc`, each group of GROUPS, `node` (samples
 * without a hoptrace module on their stack), and `total`.
 */
export function splitProfile(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // The group of each profile node, found once per node.
  const groupOf = new Map();
  const group = (id) => {
    let g = groupOf.get(id);
    if (g !== undefined) return g;
    const leaf = nodes.get(id).callFrame.functionName;
    if (leaf === '(idle)') g = 'idle';
    else if (leaf === '(garbage collector)') g = 'gc';
    else {
      g = 'node';
      for (let x = id; x !== undefined; x = parent.get(x)) {
        const { url, functionName } = nodes.get(x).callFrame;
        const at = url.indexOf('/dist/');
        if (at < 0) continue;
        const path = url.slice(at + 6);
        if (path.startsWith('store/') && !/^store\/(swaps|deposits)/.test(path)) {
          // A write when a store function on the write path is on the stack (the row inserter and the
          // transaction body are anonymous: their caller names the path).
          g = 'SQLite reads';
          for (let y = x; y !== undefined; y = parent.get(y)) {
            const f = nodes.get(y).callFrame;
            if (f.url.includes('/dist/store/') && STORE_WRITES.test(f.functionName)) {
              g = 'SQLite writes';
              break;
            }
          }
        } else g = GROUPS.find(([, re]) => re !== null && re.test(path))?.[0] ?? 'other hoptrace code';
        break;
      }
    }
    groupOf.set(id, g);
    return g;
  };
  const ms = { total: 0 };
  for (let i = 0; i < profile.samples.length; i++) {
    const d = (profile.timeDeltas[i] ?? 0) / 1000;
    const g = group(profile.samples[i]);
    ms[g] = (ms[g] ?? 0) + d;
    ms.total += d;
  }
  for (const k of Object.keys(ms)) ms[k] = Math.round(ms[k]);
  return ms;
}
