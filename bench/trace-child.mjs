/**
 * One hoptrace trace, in its own process so its peak RSS is its own: `node bench/trace-child.mjs '<json>'`
 * with { url, db, seeds, hops, strategy, optimize?, concurrency } (optimize: `time`, the default, or `credits`:
 * the planner prices plans in the bench's price table, common.mjs). Prints one JSON line: wall time, RPC calls by
 * method, transfers stored, hits, peak RSS, and the set of transfers the walk read (count and hash) —
 * every row the walk asked the store for, i.e. the outgoing transfers of every address it expanded, in
 * the window it expanded them for. The floor (bench/floor.mjs) must discover the same set.
 */
import { loadLabelBook } from '../dist/labels/load.js';
import { createRpcClient } from '../dist/rpc/client.js';
import { createStore } from '../dist/store/store.js';
import { connect, runTrace } from '../dist/trace/run.js';
import { priceTable, transferSetDigest, peakRssMiB } from './common.mjs';
import { startProfile } from './split.mjs';

const args = JSON.parse(process.argv[2]);
// With `split`, a CPU profile of the timed window (bench/split.mjs), started before the clock.
const stopProfile = args.split ? await startProfile() : null;
const started = performance.now();
const rpc = createRpcClient({ url: args.url, concurrency: args.concurrency, rps: args.rps, maxRps: args.rps, timeoutMs: 120_000 });
const inner = createStore(args.db);
// The walk reads every address's transfers through transfersOf: what it was answered is the discovered
// set, seen without reaching into the walk. Only the answers are kept while the clock runs (no work per
// row); their keys are collected once it has stopped.
const answers = [];
const store = {
  ...inner,
  transfersOf(address, side, from, to) {
    const rows = inner.transfersOf(address, side, from, to);
    answers.push(rows.slice());
    return rows;
  },
};
try {
  const conn = await connect(rpc, store, 64);
  const result = await runTrace(
    { rpc, store, labels: loadLabelBook('ethereum'), labelChain: 'ethereum', nativeSymbol: 'ETH', version: 'bench' },
    conn,
    {
      seeds: args.seeds.map((address) => ({ address })),
      direction: 'out',
      hops: args.hops,
      minValue: {},
      fanOutCap: 50,
      maxAddresses: 10_000_000,
      stopAtLabels: true,
      strategy: args.strategy,
      optimize: args.optimize ?? 'time',
      priceTable,
      maxScanBlocks: 10_000_000,
    },
  );
  const wallMs = performance.now() - started;
  const split = stopProfile ? await stopProfile() : undefined;
  const cpu = process.cpuUsage();
  const seen = new Set();
  for (const rows of answers) for (const t of rows) seen.add(`${t.txHash}|${t.ref}`);
  process.stdout.write(
    JSON.stringify({
      wallMs,
      rpc: { total: rpc.stats.total, roundTrips: rpc.stats.roundTrips, byMethod: rpc.stats.byMethod },
      transfersStored: result.stats.transfersStored,
      addressesVisited: result.stats.addressesVisited,
      hits: result.hits.length,
      discovered: transferSetDigest(seen),
      peakRssMiB: peakRssMiB(),
      // CPU time of this process (user + system): what the run cost this machine, less moved by other load than wall time.
      cpuMs: (({ user, system }) => (user + system) / 1000)(cpu),
      strategyNote: result.coverage.native,
      split,
    }) + '\n',
  );
} finally {
  inner.close();
}
