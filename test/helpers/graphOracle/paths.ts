import { bidirectional } from 'graphology-shortest-path/unweighted.js';
import { allSimplePaths } from 'graphology-simple-path';
import type { Address, Transfer } from '../../../src/types.js';
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
 * (bidirectional BFS) and graphology-simple-path (depth-bounded DFS); the enumeration of all simple
 * paths is exponential in the worst case, hence `maxHops` and `limit`.
 */
export function findPaths(graph: AddressGraph, from: Address, to: Address, opts: { maxHops: number; limit?: number }): PathSearch {
  const limit = opts.limit ?? 1000;
  if (!graph.hasNode(from) || !graph.hasNode(to) || from === to) return { shortest: null, all: [], truncated: false };
  const short = bidirectional(graph, from, to);
  const shortest = short && short.length - 1 <= opts.maxHops ? describe(graph, short) : null;
  const every = allSimplePaths(graph, from, to, { maxDepth: opts.maxHops });
  every.sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
  return { shortest, all: every.slice(0, limit).map((p) => describe(graph, p)), truncated: every.length > limit };
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
