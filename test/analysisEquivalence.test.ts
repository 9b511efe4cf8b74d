/**
 * The analysis of graph/ against the implementation it replaced: test/helpers/graphOracle/ is a copy of
 * src/graph/{taint,order,build,paths,widest,index}.ts as they were at 53843b3 (before issue 15's
 * speed-up), kept as the oracle. On generated graphs of a few thousand movements with the cases that
 * break an optimisation — movements of one block and one transaction in every ref order (`trace:10`
 * after `trace:2`, logs after calls), two transactions at the same position of a block (the hash
 * decides), cycles, several assets, WETH-style wraps and their native halves, mints, burns, self-sends,
 * dust, zero amounts, amounts past 2^64, equal amounts (ties of width), hubs, venues, a traced subset —
 * every result of the three taint models and of the path searches must be the oracle's, to the wei and
 * in the same order (compared as order-preserving JSON, maps as entry lists). Nothing is hard-coded: the
 * oracle computes what is expected.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MovementTable, attribute, attributeInStore, buildAddressGraph, findPaths, pathsInStore, type AttributionOptions, type VenueInfo } from '../src/graph/index.js';
import { mainPathByValue, outgoingOf, valueClassOf, widestAlong, widestPath } from '../src/graph/widest.js';
import { createStore, type Store } from '../src/store/store.js';
import { NATIVE, type Transfer, type TransferKind } from '../src/types.js';
import * as oracle from './helpers/graphOracle/index.js';
import { attribute as oracleAttribute } from './helpers/graphOracle/taint.js';
import { buildAddressGraph as oracleBuild } from './helpers/graphOracle/build.js';
import { findPaths as oracleFindPaths } from './helpers/graphOracle/paths.js';
import * as oracleWidest from './helpers/graphOracle/widest.js';
import { tempDb } from './helpers/trace.js';

const hex = (tag: string, bytes: number): string => `0x${createHash('sha256').update(tag).digest('hex').slice(0, bytes * 2)}`;
const addr = (tag: string): string => hex(tag, 20);
const ZERO = '0x0000000000000000000000000000000000000000';

/** A seeded generator (mulberry32): `rnd(k)` is a whole number in [0, k). */
function generator(seed: number): (k: number) => number {
  let a = seed >>> 0;
  return (k) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * k);
  };
}

/**
 * Order-preserving JSON: bigints tagged, maps and sets as entry lists, so two results compare exactly.
 * The oracle predates DEX swaps: an empty `swaps` list (no conversion given) is left out.
 */
const json = (v: unknown): string =>
  JSON.stringify(v, (k, x: unknown) =>
    k === 'swaps' && Array.isArray(x) && x.length === 0
      ? undefined
      : typeof x === 'bigint' ? `${x}n` : x instanceof Map ? { map: [...x] } : x instanceof Set ? { set: [...x] } : x,
  );

function same(got: unknown, want: unknown, what: string): void {
  const g = json(got);
  const w = json(want);
  if (g === w) return;
  // Where they part, with a little context: the whole texts are too long to read.
  let i = 0;
  while (g[i] === w[i]) i++;
  const at = (s: string): string => s.slice(Math.max(0, i - 300), i + 200);
  expect(at(g), `${what}: results differ at character ${i}`).toBe(at(w));
}

interface Graph {
  rows: Transfer[];
  people: string[];
  seeds: string[];
  venues: Map<string, VenueInfo>;
  hubs: string[];
  tokens: { weth: string; notToken: string; labelledWrapper: string; usd: string; other: string };
}

const REFS = ['trace:', 'trace:0', 'trace:0.1', 'trace:0.10', 'trace:0.2', 'trace:1', 'trace:2', 'trace:10', 'log:0', 'log:1', 'log:2', 'log:9', 'log:10', 'log:100'];

/**
 * `edges` movements among `size` addresses drifting away from the seeds (as in bench/analysis.mjs), plus a
 * dense core (seeds, venues, a hub) with many movements per pair, so that cycles, repeated pairs and
 * ties are common.
 */
function makeGraph(seed: number, edges: number, size: number, coreEvery = 3): Graph {
  const rnd = generator(seed);
  const people = Array.from({ length: size }, (_, i) => addr(`g${seed}-p${i}`));
  const seeds = [people[0]!, people[1]!, people[2]!];
  const core = people.slice(0, 16);
  const tokens = { weth: addr('weth'), notToken: addr('not-a-token'), labelledWrapper: addr('labelled-wrapper'), usd: addr('usd'), other: addr('other') };
  const venues = new Map<string, VenueInfo>([
    [people[5]!, { entity: 'Venue A', category: 'exchange', risk: 'standard' }],
    [people[9]!, { entity: 'Venue B', category: 'sanctioned-exchange', risk: 'sanctioned' }],
    [people[40 % size]!, { entity: 'Venue C', category: 'mixer', risk: 'high' }],
    [people[size - 3]!, { entity: 'Venue D', category: 'bridge', risk: 'standard' }],
    [tokens.labelledWrapper, { entity: 'Wrapper venue', category: 'swap-service', risk: 'standard' }],
  ]);
  const hubs = [people[7]!];
  const rows: Transfer[] = [];
  let block = 100;
  let txIndex = 0;
  let txCount = 0;
  const amount = (): bigint => {
    const r = rnd(20);
    if (r === 0) return 0n; // spam
    if (r < 3) return BigInt(1 + rnd(9)); // dust
    if (r === 3) return 10n ** 30n + BigInt(rnd(1000)); // past 2^64
    if (r < 7) return 1000n; // equal amounts: ties of width
    return BigInt(1 + rnd(1_000_000)) * 10n ** BigInt(rnd(12));
  };
  const pick = (): [string, string] => {
    if (rnd(coreEvery) === 0) {
      const from = core[rnd(core.length)]!;
      return [from, core[rnd(core.length)]!];
    }
    const i = Math.floor(((rnd(1000) / 1000) * rnd(1000)) / 1000 * size);
    const jump = rnd(20) === 0 ? rnd(size) : 1 + rnd(12);
    return [people[i]!, people[(i + jump) % size]!];
  };
  while (rows.length < edges) {
    // A new block now and then; two transactions at the same block position (a weird node, or a
    // reorg the store kept both sides of) now and then: the hash orders them.
    if (rnd(4) === 0) {
      block += 1 + rnd(3);
      txIndex = 0;
    } else if (rnd(10) !== 0) txIndex++;
    const txHash = hex(`g${seed}-tx${txCount++}`, 32);
    const blockHash = rnd(50) === 0 ? hex(`other-${block}`, 32) : hex(`block-${block}`, 32);
    // In Transfer's own field order, as the store gives them (a rebuilt edge has that order).
    const row = (ref: string, kind: TransferKind, from: string, to: string, asset: string, amount: bigint): Transfer =>
      ({ chainId: 1, txHash, ref, kind, blockNumber: block, blockHash, txIndex, from, to, asset, amount });
    const refs = [...REFS].sort(() => rnd(3) - 1).slice(0, 1 + rnd(4));
    for (const ref of refs) {
      const [from, to] = pick();
      const r = rnd(40);
      const kind: TransferKind = ref.startsWith('log:') ? 'erc20' : ref === 'trace:' ? 'native' : 'internal';
      if (r === 0) {
        // A wrap or unwrap with its native half (sometimes of another amount, or through a non-token,
        // or a wrapper that is a labelled venue: then it is no conversion).
        const wrapper = [tokens.weth, tokens.weth, tokens.notToken, tokens.labelledWrapper][rnd(4)]!;
        const a = amount() || 7n;
        const wrap = rnd(2) === 0;
        rows.push(row(`log:${50 + rows.length}`, wrap ? 'wrap' : 'unwrap', from, from, wrapper, a));
        const half = rnd(5) === 0 ? a + 1n : a;
        rows.push(wrap ? row('trace:', 'native', from, wrapper, NATIVE, half) : row(`trace:${rnd(3)}.${rows.length}`, 'internal', wrapper, from, NATIVE, half));
        continue;
      }
      const asset = kind === 'erc20' ? [tokens.usd, tokens.other, tokens.weth][rnd(3)]! : NATIVE;
      const a = amount();
      if (r === 1) rows.push(row(ref, kind, ZERO, to, asset, a || 5n)); // a mint
      else if (r === 2) rows.push(row(ref, kind, from, ZERO, asset, a)); // a burn
      else if (r === 3) rows.push(row(ref, kind, from, from, asset, a)); // a self-send
      else rows.push(row(ref, kind, from, to === from ? people[(people.indexOf(from) + 1) % size]! : to, asset, a));
    }
  }
  return { rows, people, seeds, venues, hubs, tokens };
}

/** The rows in a shuffled order (attribution sorts them; ties must still come out as the oracle's). */
function shuffled<T>(rows: readonly T[], rnd: (k: number) => number): T[] {
  const out = [...rows];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The option sets each graph is attributed under. */
function optionSets(g: Graph, rnd: (k: number) => number): AttributionOptions[] {
  const venue = (a: string): VenueInfo | undefined => {
    const v = g.venues.get(a);
    return v && { ...v }; // a new object per call, as the CLI's venue function returns
  };
  const isToken = (a: string): boolean => a !== g.tokens.notToken;
  const traced = new Set(g.rows.filter(() => rnd(5) !== 0).map((t) => `${t.txHash}|${t.ref}`));
  return [
    { seeds: [g.seeds[0]!], venue, hops: 4, stopAtLabels: true, isToken },
    { seeds: g.seeds, venue, hops: 3, stopAtLabels: true, isToken, hubs: new Set(g.hubs), minValue: (a) => (a === NATIVE ? 10n : 3n) },
    { seeds: g.seeds.slice(0, 2), venue, hops: 6, stopAtLabels: false, isToken, traced },
    { seeds: [g.seeds[1]!, g.people[30]!], venue, hops: 1, stopAtLabels: true, isToken: () => true, hubs: new Set(g.hubs), traced },
    { seeds: [g.seeds[2]!, addr('not-in-the-graph')], venue: () => undefined, hops: 5, stopAtLabels: true, isToken },
  ];
}

function withStore<T>(rows: readonly Transfer[], f: (store: Store) => T): T {
  const store = createStore(tempDb());
  try {
    store.bindChain(1, 'test');
    store.commit(rows, []);
    return f(store);
  } finally {
    store.close();
  }
}

const RANGE = { fromBlock: 0, toBlock: Number.MAX_SAFE_INTEGER };

describe('attribution is the oracle\'s (three models, every figure and order)', () => {
  for (const seed of [1, 2, 3]) {
    it(`graph ${seed}: 3,000 movements, five option sets, as an array, a stream and from the store`, () => {
      const g = makeGraph(seed, 3000, 300);
      const rnd = generator(seed * 31);
      const rows = shuffled(g.rows, rnd);
      let tainted = 0;
      withStore(rows, (store) => {
        for (const [k, opts] of optionSets(g, rnd).entries()) {
          const want = oracleAttribute(rows, opts);
          same(attribute(rows, opts), want, `graph ${seed} options ${k}: array`);
          same(attribute((function* () { yield* rows; })(), opts), want, `graph ${seed} options ${k}: stream`);
          same(attributeInStore(store, RANGE, opts), oracle.attributeInStore(store, RANGE, opts), `graph ${seed} options ${k}: store`);
          tainted += want.edges.length;
          // The cases are exercised, not only present: taint reaches venues, conversions happen, poison takes in.
          if (k === 0) expect(want.venues.length, `graph ${seed}`).toBeGreaterThan(0);
        }
        const a = oracleAttribute(rows, optionSets(g, rnd)[1]!);
        expect(a.frontier.length).toBeGreaterThan(0);
      });
      expect(tainted).toBeGreaterThan(500);
    });
  }

  it('converts through wraps, takes in under poison and burns, in the generated graphs', () => {
    const g = makeGraph(4, 3000, 120);
    const a = oracleAttribute(g.rows, optionSets(g, generator(4))[0]!);
    same(attribute(g.rows, optionSets(g, generator(4))[0]!), a, 'graph 4');
    expect(a.converted.in.poison.size + a.converted.out.poison.size).toBeGreaterThan(0);
    expect(a.takenIn.poison.size).toBeGreaterThan(0);
    expect(a.burned.poison.size).toBeGreaterThan(0);
  });

  it('refs outside the stored shapes (which compare as NaN) are ordered exactly as the full sort orders them', () => {
    const g = makeGraph(5, 1500, 100);
    const rnd = generator(55);
    const odd = ['trace:x', 'weird', 'log:', 'trace:0.y', 'log:1e3'];
    const rows = shuffled(g.rows.map((t, i) => (i % 7 === 0 ? { ...t, ref: odd[i % odd.length]! } : t)), rnd);
    for (const opts of optionSets(g, rnd)) same(attribute(rows, opts), oracleAttribute(rows, opts), 'odd refs');
  });

  it('an empty input, and one table attributed again per seed (as `hoptrace report` does), give the oracle\'s figures', () => {
    const g = makeGraph(6, 1500, 60);
    const opts = optionSets(g, generator(6))[1]!;
    same(attribute([], opts), oracleAttribute([], opts), 'empty');
    const table = MovementTable.of((function* () { yield* g.rows; })());
    same(attribute(table, opts), oracleAttribute(g.rows, opts), 'all seeds');
    for (const seed of opts.seeds) same(attribute(table, { ...opts, seeds: [seed] }), oracleAttribute(g.rows, { ...opts, seeds: [seed] }), `seed ${seed}`);
    same(attribute(table, opts), oracleAttribute(g.rows, opts), 'all seeds again');
  });
});

describe('path searches are the oracle\'s (paths, steps, their order, ties, widest paths)', () => {
  for (const seed of [11, 12]) {
    it(`graph ${seed}: from the store and over the whole graph, hop limits 1 to 5, with and without truncation`, () => {
      const g = makeGraph(seed, 3000, 400, 20);
      const rnd = generator(seed);
      const rows = shuffled(g.rows, rnd);
      const whole = buildAddressGraph(rows);
      const oracleWhole = oracleBuild(rows);
      let found = 0;
      withStore(rows, (store) => {
        const pairs: [string, string][] = [];
        for (let i = 0; i < 24; i++) pairs.push([g.people[rnd(20)]!, g.people[rnd(g.people.length)]!]);
        pairs.push([g.seeds[0]!, g.people[5]!], [g.people[5]!, g.seeds[0]!], [g.seeds[0]!, g.seeds[0]!], [g.seeds[0]!, addr('nowhere')]);
        for (const [from, to] of pairs) {
          for (let maxHops = 1; maxHops <= 5; maxHops++) {
            for (const limit of [3, 1000]) {
              if (maxHops === 5 && limit === 1000 && rnd(3) !== 0) continue; // the widest searches, sampled
              const want = oracle.pathsInStore(store, RANGE, from, to, { maxHops, limit });
              same(pathsInStore(store, RANGE, from, to, { maxHops, limit }), want, `${from}→${to} in ${maxHops}, limit ${limit}: store`);
              same(findPaths(whole, from, to, { maxHops, limit }), oracleFindPaths(oracleWhole, from, to, { maxHops, limit }), `${from}→${to} in ${maxHops}, limit ${limit}: whole graph`);
              found += want.all.length;
            }
          }
          // Hop limits the CLI never passes, bounded as allSimplePaths bounds them.
          for (const maxHops of [0, 1.5, 2.5]) {
            same(findPaths(whole, from, to, { maxHops, limit: 50 }), oracleFindPaths(oracleWhole, from, to, { maxHops, limit: 50 }), `${from}→${to} in ${maxHops}: whole graph`);
          }
        }
      });
      expect(found).toBeGreaterThan(200); // the graph has paths to compare, not only empty lists
    });
  }

  it('widest paths, widest choices along a route and main paths by value are the oracle\'s', () => {
    const g = makeGraph(13, 3000, 200, 10);
    const rnd = generator(13);
    const rows = shuffled(g.rows, rnd);
    const classOf = valueClassOf(new Set([g.tokens.weth]));
    const out = outgoingOf(rows);
    const oracleOut = oracleWidest.outgoingOf(rows);
    const oracleClassOf = oracleWidest.valueClassOf(new Set([g.tokens.weth]));
    let found = 0;
    for (let i = 0; i < 40; i++) {
      const from = g.people[rnd(20)]!;
      const to = g.people[rnd(g.people.length)]!;
      for (const valueClass of [NATIVE, g.tokens.usd]) {
        for (const maxHops of [2, 4]) {
          const want = oracleWidest.widestPath(oracleOut, from, to, { maxHops, valueClass, classOf: oracleClassOf });
          same(widestPath(out, from, to, { maxHops, valueClass, classOf }), want, `widest ${from}→${to}`);
          same(
            mainPathByValue(out, from, to, { maxHops, valueClass, classOf, limit: 20 }),
            oracleWidest.mainPathByValue(oracleOut, from, to, { maxHops, valueClass, classOf: oracleClassOf, limit: 20 }),
            `main path ${from}→${to}`,
          );
          if (want) found++;
        }
      }
      const route = oracleFindPaths(oracleBuild(rows), from, to, { maxHops: 3, limit: 5 }).all;
      for (const p of route) same(widestAlong(p.steps, NATIVE, classOf), oracleWidest.widestAlong(p.steps, NATIVE, oracleClassOf), 'along');
    }
    expect(found).toBeGreaterThan(5);
  });
});
