import graphology from 'graphology';
import type { Address, Transfer } from '../types.js';
import { compareChainOrder } from './order.js';

const { DirectedGraph } = graphology;
export type AddressGraph = InstanceType<typeof DirectedGraph<NodeAttrs, EdgeAttrs>>;

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

export type NodeAttrs = Record<string, never>;
/** One edge per ordered pair of addresses: the movements between them, in chain order. */
export interface EdgeAttrs {
  transfers: Transfer[];
}

/**
 * The address graph of stored movements: a node per address, a directed edge per (from, to) pair that
 * carries every movement between them in chain order. The walk's exclusions apply (trace/walk.ts):
 * zero-value movements, self-sends (wraps and unwraps among them), mints and burns are left out.
 * One pass over the movements, plus the sort of each edge's own list. With `around`, only what a path of
 * at most `around.hops` movements from `around.from` can use goes into the graph (path search on a large
 * store needs only that neighbourhood).
 */
export function buildAddressGraph(transfers: Iterable<Transfer>, around?: { from: Address; hops: number }): AddressGraph {
  // Grouped by pair first (plain maps), then one graph insertion per pair: graphology's per-call
  // bookkeeping is paid once per edge, not once per movement.
  const pairs = new Map<Address, Map<Address, Transfer[]>>();
  for (const t of transfers) {
    if (t.amount === 0n || t.from === t.to || t.from === ZERO_ADDRESS || t.to === ZERO_ADDRESS) continue;
    let out = pairs.get(t.from);
    if (!out) pairs.set(t.from, (out = new Map()));
    const list = out.get(t.to);
    if (list) list.push(t);
    else out.set(t.to, [t]);
  }
  const graph: AddressGraph = new DirectedGraph<NodeAttrs, EdgeAttrs>();
  for (const [from, out] of around ? within(pairs, around.from, around.hops) : pairs) {
    if (!graph.hasNode(from)) graph.addNode(from);
    for (const [to, list] of out) {
      if (!graph.hasNode(to)) graph.addNode(to);
      graph.addDirectedEdge(from, to, { transfers: list.length > 1 ? list.sort(compareChainOrder) : list });
    }
  }
  return graph;
}

/**
 * The pairs a path of at most `hops` movements from `source` can use: out of every address within
 * `hops − 1` movements of it (breadth-first over the grouped pairs, before any graph is built).
 */
function within(pairs: Map<Address, Map<Address, Transfer[]>>, source: Address, hops: number): Map<Address, Map<Address, Transfer[]>> {
  const out = new Map<Address, Map<Address, Transfer[]>>();
  const seen = new Set<Address>([source]);
  let level = [source];
  for (let d = 0; d < hops && level.length > 0; d++) {
    const next: Address[] = [];
    for (const a of level) {
      const edges = pairs.get(a);
      if (!edges) continue;
      out.set(a, edges);
      for (const b of edges.keys()) {
        if (!seen.has(b)) {
          seen.add(b);
          next.push(b);
        }
      }
    }
    level = next;
  }
  return out;
}

/** True when `address` is a node of the graph. */
export function hasAddress(graph: AddressGraph, address: Address): boolean {
  return graph.hasNode(address);
}
