/**
 * The floor: a bare script that makes only the RPC calls needed to discover the transfers a trace
 * discovers (same seeds, hops, fan-out cap, labels; same concurrency), and nothing else — no store, no
 * probe, no headers, no token metadata, no report. It shares nothing with hoptrace's fetcher or walk;
 * only the JSON-RPC transport (src/rpc/client.ts, for identical concurrency and call counting) and the
 * label book (which addresses end a branch) come from hoptrace.
 *
 * `node bench/floor.mjs '<json>'` with { url, seeds, hops, concurrency, rps, mode, traceFilterSpan }:
 * - mode `block`: trace_block for every block 0..head and eth_getLogs(Transfer) over 0..head, then the
 *   walk in memory;
 * - mode `address`: hop by hop, per expanded address eth_getLogs(Transfer, topic1 = address) and
 *   trace_filter(fromAddress) in spans the node allows, plus trace_transaction for transactions with
 *   internal frames (trace_filter alone cannot tell a frame whose parent reverted).
 * Prints one JSON line like trace-child.mjs. The discovered set is the same definition: every outgoing
 * transfer (zero-value spam included) of every expanded address, from the block it was first reached.
 */
import pLimit from 'p-limit';
import { id, zeroPadValue } from 'ethers';
import { loadLabelBook } from '../dist/labels/load.js';
import { createRpcClient } from '../dist/rpc/client.js';
import { transferSetDigest, peakRssMiB } from './common.mjs';
import { startProfile } from './split.mjs';

const TRANSFER = id('Transfer(address,address,uint256)');
const ZERO = '0x0000000000000000000000000000000000000000';
const args = JSON.parse(process.argv[2]);
// With `split`, a CPU profile of the timed window (bench/split.mjs), started before the clock.
const stopProfile = args.split ? await startProfile() : null;
const started = performance.now();
const rpc = createRpcClient({ url: args.url, concurrency: args.concurrency, rps: args.rps, maxRps: args.rps, timeoutMs: 120_000 });
const limit = pLimit(args.concurrency);
const labels = loadLabelBook('ethereum');
const big = (h) => BigInt(h);
const num = (h) => (typeof h === 'number' ? h : Number.parseInt(h, 16));
const q = (n) => '0x' + n.toString(16);

/** Value movements of a list of Parity traces (all of each transaction's frames when `whole`). */
function movesOfTraces(traces) {
  const failed = new Map();
  for (const t of traces) if (t.error && t.transactionHash) failed.set(t.transactionHash, [...(failed.get(t.transactionHash) ?? []), t.traceAddress.join('.')]);
  const out = [];
  for (const t of traces) {
    if (!t.transactionHash || t.type === 'reward') continue;
    const path = t.traceAddress.join('.');
    const f = failed.get(t.transactionHash);
    if (f && f.some((p) => p === '' || p === path || path.startsWith(p + '.'))) continue;
    const a = t.action;
    let from, to, value;
    if (t.type === 'call') {
      if (a.callType && a.callType !== 'call') continue;
      [from, to, value] = [a.from, a.to, a.value];
    } else if (t.type === 'create') [from, to, value] = [a.from, t.result?.address, a.value];
    else if (t.type === 'suicide' || t.type === 'selfdestruct') [from, to, value] = [a.address, a.refundAddress, a.balance];
    if (!from || !to || !value || big(value) === 0n) continue;
    out.push({
      key: `${t.transactionHash.toLowerCase()}|trace:${path}`,
      from: from.toLowerCase(),
      to: to.toLowerCase(),
      amount: big(value),
      block: num(t.blockNumber),
      tx: num(t.transactionPosition ?? 0),
    });
  }
  return out;
}

function moveOfLog(l) {
  if (l.topics.length !== 3 || l.topics[0].toLowerCase() !== TRANSFER || !/^0x[0-9a-fA-F]{64}$/.test(l.data)) return null;
  return {
    key: `${l.transactionHash.toLowerCase()}|log:${num(l.logIndex)}`,
    from: '0x' + l.topics[1].slice(26).toLowerCase(),
    to: '0x' + l.topics[2].slice(26).toLowerCase(),
    amount: big(l.data),
    block: num(l.blockNumber),
    tx: num(l.transactionIndex),
  };
}

const head = num(await rpc.request('eth_blockNumber', []));
/** Outgoing moves per address, as far as fetched. */
const outgoing = new Map();
const keep = (m) => {
  if (!m) return;
  const list = outgoing.get(m.from) ?? [];
  list.push(m);
  outgoing.set(m.from, list);
};

if (args.mode === 'block') {
  const blocks = Array.from({ length: head + 1 }, (_, i) => i);
  const [logs, ...traces] = await Promise.all([
    rpc.request('eth_getLogs', [{ fromBlock: '0x0', toBlock: q(head), topics: [TRANSFER] }]),
    ...blocks.map((n) => limit(() => rpc.request('trace_block', [q(n)]))),
  ]);
  for (const t of traces) movesOfTraces(t).forEach(keep);
  for (const l of logs) keep(moveOfLog(l));
}

/** Address mode: fetch the outgoing moves of `address` in [from, to] (called once per window part). */
const trees = new Map();
async function fetchAddress(address, from, to) {
  const jobs = [
    limit(() =>
      rpc.request('eth_getLogs', [{ fromBlock: q(from), toBlock: q(to), topics: [TRANSFER, zeroPadValue(address, 32)] }]),
    ).then((logs) => logs.forEach((l) => keep(moveOfLog(l)))),
  ];
  for (let a = from; a <= to; a += args.traceFilterSpan) {
    const b = Math.min(to, a + args.traceFilterSpan - 1);
    jobs.push(
      limit(() => rpc.request('trace_filter', [{ fromBlock: q(a), toBlock: q(b), fromAddress: [address] }])).then(async (traces) => {
        const direct = traces.filter((t) => t.traceAddress.length === 0);
        movesOfTraces(direct).forEach(keep);
        const nested = [...new Set(traces.filter((t) => t.traceAddress.length > 0).map((t) => t.transactionHash))];
        const wanted = new Set(traces.map((t) => `${t.transactionHash.toLowerCase()}|trace:${t.traceAddress.join('.')}`));
        const whole = await Promise.all(
          nested.map((h) => {
            if (!trees.has(h)) trees.set(h, limit(() => rpc.request('trace_transaction', [h])));
            return trees.get(h);
          }),
        );
        for (const tree of whole) movesOfTraces(tree).filter((m) => wanted.has(m.key)).forEach(keep);
      }),
    );
  }
  await Promise.all(jobs);
}

// The walk: hop by hop, earliest arrival per address, labelled addresses end their branch, an address
// paying more than 50 counterparties (not a seed) is a hub and is not followed.
const seeds = new Set(args.seeds);
const arrival = new Map(); // address → { block, tx } of its earliest arrival
const fetchedFrom = new Map(); // address mode: the first block fetched so far per address
const discovered = new Set();
let frontier = args.seeds.map((s) => ({ address: s, time: null }));
for (let level = 0; level < args.hops && frontier.length > 0; level++) {
  const windowFrom = (s) => (s.time ? s.time.block : 0);
  if (args.mode === 'address') {
    await Promise.all(
      frontier.map(async (s) => {
        const from = windowFrom(s);
        const had = fetchedFrom.get(s.address);
        if (had !== undefined && had <= from) return;
        fetchedFrom.set(s.address, from);
        await fetchAddress(s.address, from, had === undefined ? head : had - 1);
      }),
    );
  }
  const candidates = [];
  for (const s of frontier) {
    const rows = (outgoing.get(s.address) ?? []).filter((m) => m.block >= windowFrom(s));
    rows.forEach((m) => discovered.add(m.key));
    const edges = rows.filter(
      (m) => m.amount > 0n && m.to !== m.from && m.to !== ZERO && (!s.time || m.block > s.time.block || (m.block === s.time.block && m.tx >= s.time.tx)),
    );
    if (!seeds.has(s.address) && new Set(edges.map((m) => m.to)).size > 50) continue;
    edges.forEach((m) => candidates.push(m));
  }
  candidates.sort((a, b) => a.block - b.block || a.tx - b.tx);
  const next = new Map();
  for (const m of candidates) {
    if (seeds.has(m.to) || labels.get(m.to)) continue;
    const cur = arrival.get(m.to);
    if (cur && (cur.block < m.block || (cur.block === m.block && cur.tx <= m.tx))) continue;
    const time = { block: m.block, tx: m.tx };
    arrival.set(m.to, time);
    if (level + 1 < args.hops) next.set(m.to, { address: m.to, time });
  }
  frontier = [...next.values()];
}

const wallMs = performance.now() - started;
const split = stopProfile ? await stopProfile() : undefined;
process.stdout.write(
  JSON.stringify({
    wallMs,
    split,
    rpc: { total: rpc.stats.total, roundTrips: rpc.stats.roundTrips, byMethod: rpc.stats.byMethod },
    addressesVisited: fetchedFrom.size || arrival.size + args.seeds.length,
    discovered: transferSetDigest(discovered),
    peakRssMiB: peakRssMiB(),
    // CPU time of this process (user + system): what the run cost this machine, less moved by other load than wall time.
    cpuMs: (({ user, system }) => (user + system) / 1000)(process.cpuUsage()),
  }) + '\n',
);
