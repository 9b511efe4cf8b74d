#!/usr/bin/env node
// Times the analysis layer on a synthetic graph (run `npm run build` first):
//   node scripts/graph-scale.mjs [transfers=1000000] [addresses=100000]
// Random native transfers between `addresses` addresses, 100 per block; 10 seeds, 50 venues.
// Prints the time of attribute() (three taint models) in memory and on a SQLite store holding the same
// transfers, of a path search on that store, and of building the whole address graph in graphology.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attribute, attributeInStore, buildAddressGraph, pathsInStore } from '../dist/graph/index.js';
import { createStore } from '../dist/store/store.js';

const N = Number(process.argv[2] ?? 1_000_000);
const A = Number(process.argv[3] ?? 100_000);
let s = 42;
const rnd = () => {
  s = (s + 0x6d2b79f5) | 0;
  let t = Math.imul(s ^ (s >>> 15), 1 | s);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const addr = (i) => '0x' + i.toString(16).padStart(40, '0');
const rows = [];
for (let i = 0; i < N; i++) {
  rows.push({
    chainId: 1, txHash: '0x' + i.toString(16).padStart(64, '0'), ref: 'trace:', kind: 'native',
    blockNumber: Math.floor(i / 100), blockHash: '0x', txIndex: i % 100,
    from: addr(1 + Math.floor(rnd() * A)), to: addr(1 + Math.floor(rnd() * A)), asset: 'native', amount: BigInt(1 + Math.floor(rnd() * 1e9)),
  });
}
const venues = new Set(Array.from({ length: 50 }, (_, i) => addr(1 + i * Math.floor(A / 50))));
const seeds = Array.from({ length: 10 }, (_, i) => addr(7 + i));
let t = performance.now();
const a = attribute(rows, { seeds, venue: (v) => (venues.has(v) ? { entity: 'v', category: 'exchange', risk: 'standard' } : undefined), hops: 4, stopAtLabels: true, isToken: () => false });
console.log(`attribute: ${N} transfers in ${(performance.now() - t).toFixed(0)} ms (${a.venues.length} venues reached, ${a.edges.length} tainted transfers)`);
const store = createStore(join(mkdtempSync(join(tmpdir(), 'hoptrace-scale-')), 'scale.db'));
store.bindChain(1, 'synthetic');
for (let i = 0; i < rows.length; i += 10_000) store.commit(rows.slice(i, i + 10_000), []);
const range = { fromBlock: 0, toBlock: Number.MAX_SAFE_INTEGER };
t = performance.now();
const b = attributeInStore(store, range, { seeds, venue: (v) => (venues.has(v) ? { entity: 'v', category: 'exchange', risk: 'standard' } : undefined), hops: 4, stopAtLabels: true, isToken: () => false });
console.log(`attributeInStore: ${N} stored transfers in ${(performance.now() - t).toFixed(0)} ms (${b.venues.length} venues reached)`);
// A target three movements from the first seed (found in the in-memory graph, outside the timing).
const near = buildAddressGraph(rows, { from: seeds[0], hops: 3 });
const target = near.filterNodes((n) => n !== seeds[0] && !near.hasEdge(seeds[0], n)).at(-1);
t = performance.now();
const p = pathsInStore(store, range, seeds[0], target, { maxHops: 4 });
console.log(`pathsInStore (<= 4 hops): ${(performance.now() - t).toFixed(0)} ms (${p.all.length} paths, shortest ${p.shortest ? p.shortest.addresses.length - 1 : '-'} hops)`);
store.close();
t = performance.now();
const whole = buildAddressGraph(rows);
console.log(`whole address graph: ${whole.order} addresses, ${whole.size} edges in ${(performance.now() - t).toFixed(0)} ms`);
