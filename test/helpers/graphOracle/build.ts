import graphology from 'graphology';
import type { Address, Transfer } from '../../../src/types.js';
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
  for (const [from, out] of pairs) {
    if (!graph.hasNode(from)) graph.addNode(from);
    for (const [to, list] of out) {
      if (!graph.hasNode(to)) graph.addNode(to);
      graph.addDirectedEdge(from, to, { transfers: list.length > 1 ? list.sort(compareChainOrder) : list });
    }
  }
  return graph;
}
