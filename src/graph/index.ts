/**
 * Analysis of the stored graph, without an RPC: value attribution under three taint models
 * (taint.ts), the address graph (build.ts) and path search (paths.ts). Layer: graph → store.
 *
 * Callable without the CLI, on a Store:
 * @example
 * const store = createStore('hoptrace.db');
 * const a = attributeInStore(store, { fromBlock: 0, toBlock: 21_900_000 }, { seeds, venue, hops: 4, stopAtLabels: true, isToken: storedIsToken(store) });
 * const p = pathsInStore(store, { fromBlock: 0, toBlock: 21_900_000 }, seed, venue, { maxHops: 4 });
 */
import type { Store } from '../store/store.js';
import type { Address, Asset, Transfer } from '../types.js';
import { outgoingOf, valueClassOf, widestAlong, widestPath, type ValuePath } from './widest.js';
import { buildAddressGraph } from './build.js';
import { findPaths, type PathSearch } from './paths.js';
import { attribute, type Attribution, type AttributionOptions } from './taint.js';
import { MovementTable } from './table.js';

export { attribute, frontierTotal, emptyModelAmounts, taintBalance, traceKey, TAINT_MODELS } from './taint.js';
export { mainPathByValue, outgoingOf, valueClassOf, widestAlong, widestPath, type ByValue, type ValuePath } from './widest.js';
export type { Attribution, AttributionOptions, Amounts, Holding, ModelAmounts, TaintedEdge, TaintModel, VenueFlow, VenueInfo } from './taint.js';
export { buildAddressGraph, type AddressGraph } from './build.js';
export { findPaths, type FoundPath, type PathSearch } from './paths.js';
export { compareChainOrder } from './order.js';
export { MovementTable, type IdNames } from './table.js';

/** A block range, both ends included. */
export interface BlockRange {
  fromBlock: number;
  toBlock: number;
}

/** Every stored movement of the store's chain within `range` (empty for a store bound to no chain). */
export function storedTransfers(store: Store, range: BlockRange): Iterable<Transfer> {
  return store.chainId() === null ? [] : store.transfersInRange(range.fromBlock, range.toBlock);
}

/**
 * The store's movements within `range` as a MovementTable, read by the store's integer ids
 * (Store.transferIdsInRange): no object, address or transaction-hash string per row; the same table, to
 * every result, as MovementTable.of(storedTransfers(store, range)).
 */
export function storedTable(store: Store, range: BlockRange): MovementTable {
  const chainId = store.chainId();
  if (chainId === null) return MovementTable.of([]);
  return MovementTable.ofIds(store.transferIdsInRange(range.fromBlock, range.toBlock), {
    chainId,
    names: () => store.names(),
    txHash: (id) => store.txHash(id),
  });
}

/** Attribution over the store's movements within `range`, read as columns by id (storedTable). */
export function attributeInStore(store: Store, range: BlockRange, opts: AttributionOptions): Attribution {
  return attribute(storedTable(store, range), opts);
}

/**
 * Shortest and all simple paths of at most `maxHops` movements between two addresses of the store.
 * Reads only the movements a path can use, from both ends: what the addresses within ⌈maxHops/2⌉ − 1
 * movements of `from` sent, and what the addresses within ⌊maxHops/2⌋ − 1 movements before `to`
 * received (the store's sender and recipient indexes). Every edge of a path of at most maxHops lies in
 * one of the two halves, and its cost follows the two neighbourhoods, not the size of the store; one
 * side alone would read a neighbourhood one level deeper, which around a hub is most of the graph.
 */
export function pathsInStore(store: Store, range: BlockRange, from: Address, to: Address, opts: { maxHops: number; limit?: number }): PathSearch & { byValue: PathByValue[] } {
  const rows = new Map<string, Transfer>();
  if (store.chainId() !== null) {
    const reach = (start: Address, side: 'from' | 'to', levels: number): void => {
      const seen = new Set<Address>([start]);
      let level: Address[] = [start];
      for (let d = 0; d < levels && level.length > 0; d++) {
        const next: Address[] = [];
        for (const a of level) {
          for (const t of store.transfersOf(a, side, range.fromBlock, range.toBlock)) {
            rows.set(`${t.txHash}|${t.ref}`, t);
            const other = side === 'from' ? t.to : t.from;
            if (!seen.has(other)) {
              seen.add(other);
              next.push(other);
            }
          }
        }
        level = next;
      }
    };
    reach(from, 'from', Math.ceil(opts.maxHops / 2));
    reach(to, 'to', Math.floor(opts.maxHops / 2));
  }
  const graph = buildAddressGraph(rows.values());
  const search = findPaths(graph, from, to, opts);
  return { ...search, byValue: byValueOfSearch(store, [...rows.values()], search, from, to, opts.maxHops) };
}

/** The main path by value in one value class, for `hoptrace path` (graph/widest.ts). */
export interface PathByValue {
  valueClass: Asset;
  main: ValuePath | null;
  /** The other listed paths that can have happened in time order, and the sum of their widths in the class. */
  others: { count: number; total: bigint; truncated: boolean };
}

/**
 * For each value class that arrives at `to` in the rows read: the widest path in time order (exact,
 * over the rows), and the other listed paths counted with their widths.
 */
function byValueOfSearch(store: Store, rows: readonly Transfer[], search: PathSearch, from: Address, to: Address, maxHops: number): PathByValue[] {
  // The wrappers among the rows read (a holder's own Deposit/Withdrawal rows come with its transfers).
  const isToken = storedIsToken(store);
  const classOf = valueClassOf(new Set(rows.filter((t) => (t.kind === 'wrap' || t.kind === 'unwrap') && isToken(t.asset)).map((t) => t.asset)));
  const out = outgoingOf(rows);
  const classes = new Set<Asset>();
  for (const list of out.values()) for (const t of list) if (t.to === to) classes.add(classOf(t.asset));
  return [...classes].sort().map((valueClass) => {
    const main = widestPath(out, from, to, { maxHops, valueClass, classOf });
    const key = main?.addresses.join('>');
    let count = 0;
    let total = 0n;
    for (const p of search.all) {
      if (p.addresses.join('>') === key || !p.inTimeOrder) continue;
      count++;
      total += widestAlong(p.steps, valueClass, classOf)?.width ?? 0n;
    }
    return { valueClass, main, others: { count, total, truncated: search.truncated } };
  });
}

/** isToken from what the store knows: a contract whose decimals() answered (read during the trace). */
export function storedIsToken(store: Store): (address: Address) => boolean {
  const cache = new Map<Address, boolean>();
  return (address) => {
    let v = cache.get(address);
    if (v === undefined) cache.set(address, (v = (store.tokens.get(address)?.decimals ?? null) !== null));
    return v;
  };
}
