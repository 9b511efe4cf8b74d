import { bidirectional } from 'graphology-shortest-path/unweighted.js';
import type { Address, Transfer } from '../types.js';
import type { AddressGraph } from './build.js';
import { compareChainOrder } from './order.js';

/** A route between two addresses through the stored graph. */
export interface FoundPath {
  /** From the source to the target. */
  addresses: Address[];
  /** For each step, every stored movement between the two addresses, in chain order. */
  steps: Transfer[][];
  /**
   * One movement per step, each at or after the previous one in chain order (money can only be passed
   * on after it arrived), the earliest such; null when no choice of movements is in time order.
   */
  inTimeOrder: Transfer[] | null;
}

export interface PathSearch {
  shortest: FoundPath | null;
  /** Every simple path of at most maxHops steps, fewest steps first (at most `limit` of them). */
  all: FoundPath[];
  /** True when there were more simple paths than `limit`. */
  truncated: boolean;
}

/**
 * Shortest and all simple paths from `from` to `to` of at most `maxHops` steps, with the movements of
 * each step and whether the path can have happened in time order. Uses graphology-shortest-path
 * (bidirectional BFS) and a depth-bounded DFS (simplePaths); the enumeration of all simple paths is
 * exponential in the worst case, hence `maxHops` and `limit`.
 */
export function findPaths(graph: AddressGraph, from: Address, to: Address, opts: { maxHops: number; limit?: number }): PathSearch {
  const limit = opts.limit ?? 1000;
  if (!graph.hasNode(from) || !graph.hasNode(to) || from === to) return { shortest: null, all: [], truncated: false };
  const short = bidirectional(graph, from, to);
  const shortest = short && short.length - 1 <= opts.maxHops ? describe(graph, short) : null;
  const every = simplePaths(graph, from, to, opts.maxHops);
  every.sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
  return { shortest, all: every.slice(0, limit).map((p) => describe(graph, p)), truncated: every.length > limit };
}

/**
 * Every simple path from `from` to `to` (from ≠ to) of at most `maxHops` steps that does not pass
 * through `to`, in the order graphology-simple-path's allSimplePaths finds them (the same DFS: children
 * taken from the end of each outbound-neighbour list). It steps only onto addresses from which `to` is
 * still within the hops left (a backward breadth-first search first), so the work follows the routes
 * that arrive, not the whole neighbourhood of `from`; the branches it skips hold no path.
 */
function simplePaths(graph: AddressGraph, from: Address, to: Address, maxDepth: number): Address[][] {
  // allSimplePaths's bound: a path of L steps is found when L − 1 < maxDepth (a direct step always).
  const maxHops = Number.isNaN(maxDepth) ? 1 : Math.max(1, Math.ceil(maxDepth));
  const dist = new Map<Address, number>([[to, 0]]);
  let level = [to];
  for (let d = 1; d < maxHops && level.length > 0; d++) {
    const next: Address[] = [];
    for (const a of level) {
      for (const b of graph.inboundNeighbors(a)) {
        if (dist.has(b)) continue;
        dist.set(b, d);
        next.push(b);
      }
    }
    level = next;
  }
  const neighbours = new Map<Address, readonly Address[]>();
  const outOf = (a: Address): readonly Address[] => {
    let list = neighbours.get(a);
    if (!list) neighbours.set(a, (list = graph.outboundNeighbors(a)));
    return list;
  };
  const paths: Address[][] = [];
  const route: Address[] = [from];
  const onRoute = new Set<Address>([from]);
  const visit = (a: Address): void => {
    const left = maxHops - route.length; // hops left after the step out of `a`
    const children = outOf(a);
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i]!;
      if (onRoute.has(c)) continue;
      if (c === to) {
        paths.push([...route, c]);
        continue;
      }
      if ((dist.get(c) ?? Number.POSITIVE_INFINITY) > left) continue;
      route.push(c);
      onRoute.add(c);
      visit(c);
      route.pop();
      onRoute.delete(c);
    }
  };
  visit(from);
  return paths;
}

function describe(graph: AddressGraph, addresses: string[]): FoundPath {
  const steps: Transfer[][] = [];
  for (let i = 0; i + 1 < addresses.length; i++) {
    const key = graph.edge(addresses[i]!, addresses[i + 1]!);
    steps.push(key === undefined ? [] : graph.getEdgeAttributes(key).transfers);
  }
  return { addresses, steps, inTimeOrder: earliestInOrder(steps) };
}

/** Greedy: the earliest movement of each step at or after the one chosen for the step before. */
function earliestInOrder(steps: readonly Transfer[][]): Transfer[] | null {
  const out: Transfer[] = [];
  let prev: Transfer | null = null;
  for (const step of steps) {
    const next: Transfer | undefined = prev === null ? step[0] : step.find((t) => compareChainOrder(t, prev!) >= 0);
    if (!next) return null;
    out.push(next);
    prev = next;
  }
  return out;
}
