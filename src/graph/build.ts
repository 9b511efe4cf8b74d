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
 * One pass over the movements, plus the sort of each edge's own list.
 */
export function buildAddressGraph(transfers: Iterable<Transfer>): AddressGraph {
  const graph: AddressGraph = new DirectedGraph<NodeAttrs, EdgeAttrs>();
  for (const t of transfers) {
    if (t.amount === 0n || t.from === t.to || t.from === ZERO_ADDRESS || t.to === ZERO_ADDRESS) continue;
    graph.mergeNode(t.from);
    graph.mergeNode(t.to);
    const key = graph.edge(t.from, t.to);
    if (key === undefined) graph.addDirectedEdge(t.from, t.to, { transfers: [t] });
    else graph.getEdgeAttributes(key).transfers.push(t);
  }
  graph.forEachEdge((_key, attrs) => attrs.transfers.sort(compareChainOrder));
  return graph;
}

/** True when `address` is a node of the graph. */
export function hasAddress(graph: AddressGraph, address: Address): boolean {
  return graph.hasNode(address);
}
