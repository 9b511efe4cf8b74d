import { NATIVE, type Address, type Asset, type Transfer } from '../types.js';
import { compareChainOrder } from './order.js';

/**
 * Main paths by value: of the routes money took from one address to another, the one that carried the
 * most — the widest path (the largest smallest step, "maximum bottleneck"), in time order.
 *
 * The rule for comparing values, stated once here and in the README:
 * - amounts are compared only within one **value class**: the native coin and the WETH-style wrappers
 *   of it (a token that emitted Deposit/Withdrawal and answers decimals(), as the walk decides) are one
 *   class — a wrapped ether is an ether; every other token is a class of its own. No price is applied:
 *   a USDT step and an ETH step are not comparable, so a path is measured in the class of the arrival it
 *   ends with (the venue arrival of a hit), and a path with a step in another class has no width there;
 * - a path's width is the smallest amount of its steps, for the choice of one movement per step that
 *   makes it largest, each movement no earlier than the one before it (compareChainOrder ≥ 0: money is
 *   passed on after it arrived; a router that receives and forwards in one transaction counts);
 * - the main path is the widest; among equal widths, fewer steps, then the earliest arrival.
 * The width is an upper bound of what the route can have carried (an address can mix value from
 * elsewhere); it is a fact about the movements, not an attribution (that is graph/taint.ts).
 */

/** A route with one movement per step, in time order. */
export interface ValuePath {
  addresses: Address[];
  transfers: Transfer[];
  /** The smallest step amount, in base units of the class (wei for the native class). */
  width: bigint;
  /** The value class compared: `native` (with its wrappers) or a token address. */
  valueClass: Asset;
}

/** The main path by value and a count of the other routes. */
export interface ByValue {
  main: ValuePath | null;
  /**
   * The other simple routes within the hop limit that can have happened in time order: how many, and
   * the sum of their widths in the class (a route with a step in another class adds nothing; routes
   * share movements, so the sum can count a movement more than once: it says how much the other routes
   * could carry, not what they did). `truncated`: more than `limit` routes (or more than `limit` × 100
   * steps of search), the figures cover those found.
   */
  others: { count: number; total: bigint; truncated: boolean };
}

/** The value class of an asset: native for the native coin and its wrappers, the token otherwise. */
export function valueClassOf(wrappers: ReadonlySet<Asset>): (asset: Asset) => Asset {
  return (asset) => (asset === NATIVE || wrappers.has(asset) ? NATIVE : asset);
}

/** Movements grouped by sender, each list in chain order; zero amounts and self-moves left out. */
export type Outgoing = Map<Address, Transfer[]>;

export function outgoingOf(transfers: Iterable<Transfer>): Outgoing {
  const out: Outgoing = new Map();
  for (const t of transfers) {
    if (t.amount === 0n || t.from === t.to) continue;
    const list = out.get(t.from);
    if (list) list.push(t);
    else out.set(t.from, [t]);
  }
  for (const list of out.values()) list.sort(compareChainOrder);
  return out;
}

/**
 * Who sends to each address, built once per `Outgoing` and kept beside it: a run asks the main path of
 * every hit over the same traced movements, and building this index per hit made the search quadratic
 * (hits × movements: 63 s of a 20,000-address trace in the bench).
 */
const sendersIndex = new WeakMap<Outgoing, Map<Address, Set<Address>>>();
function sendersInto(out: Outgoing): Map<Address, Set<Address>> {
  let into = sendersIndex.get(out);
  if (into) return into;
  into = new Map();
  for (const [from, list] of out) {
    for (const t of list) {
      let s = into.get(t.to);
      if (!s) into.set(t.to, (s = new Set()));
      s.add(from);
    }
  }
  sendersIndex.set(out, into);
  return into;
}

/** hopsTo's answers per `Outgoing` (built once, never changed, as sendersIndex assumes), by target and hop limit. */
const reachIndex = new WeakMap<Outgoing, Map<string, ReadonlyMap<Address, number>>>();

/**
 * Fewest movements from each address to `to` (breadth-first backward, at most `maxHops`): a search
 * steps only where the target is still within reach, so its work follows the routes that arrive, not
 * the whole graph around them.
 */
function hopsTo(out: Outgoing, to: Address, maxHops: number): ReadonlyMap<Address, number> {
  // Hits share venues (every seed that reaches one): the search is made once per venue and hop limit.
  let known = reachIndex.get(out);
  if (!known) reachIndex.set(out, (known = new Map()));
  const key = `${to}|${maxHops}`;
  const found = known.get(key);
  if (found) return found;
  const into = sendersInto(out);
  const dist = new Map<Address, number>([[to, 0]]);
  let level = [to];
  for (let d = 1; d <= maxHops && level.length > 0; d++) {
    const next: Address[] = [];
    for (const a of level) {
      for (const b of into.get(a) ?? []) {
        if (dist.has(b)) continue;
        dist.set(b, d);
        next.push(b);
      }
    }
    level = next;
  }
  known.set(key, dist);
  return dist;
}

interface Label {
  address: Address;
  last: Transfer | null;
  width: bigint | null; // null: no step yet (unbounded)
  prev: Label | null;
  hops: number;
}

const wider = (a: bigint | null, b: bigint | null): boolean => (a === null ? b !== null : b !== null && a > b);
const minWidth = (w: bigint | null, amount: bigint): bigint => (w === null || amount < w ? amount : w);

/**
 * The widest path in time order from `from` to `to` of at most `maxHops` movements, every movement in
 * `valueClass`. A label-setting search by hop level: each address keeps the labels (arrival, width) no
 * other label beats on both — arriving no later with no less width — so a route through a cycle, which
 * its cycle-free shortcut always beats, is never extended. Cost: labels × movements out of their
 * addresses, bounded by maxHops levels.
 */
export function widestPath(
  out: Outgoing,
  from: Address,
  to: Address,
  opts: { maxHops: number; valueClass: Asset; classOf: (asset: Asset) => Asset },
  reach: ReadonlyMap<Address, number> = hopsTo(out, to, opts.maxHops),
): ValuePath | null {
  if (from === to) return null;
  const fronts = new Map<Address, Label[]>();
  const dominated = (l: Label): boolean =>
    (fronts.get(l.address) ?? []).some((o) => !wider(l.width, o.width) && (o.last === null || (l.last !== null && compareChainOrder(o.last, l.last) <= 0)));
  const start: Label = { address: from, last: null, width: null, prev: null, hops: 0 };
  fronts.set(from, [start]);
  let level: Label[] = [start];
  let best: Label | null = null;
  for (let k = 0; k < opts.maxHops && level.length > 0; k++) {
    const next: Label[] = [];
    for (const l of level) {
      for (const t of out.get(l.address) ?? []) {
        if (t.to === from || opts.classOf(t.asset) !== opts.valueClass) continue;
        if ((reach.get(t.to) ?? Number.POSITIVE_INFINITY) > opts.maxHops - l.hops - 1) continue;
        if (l.last !== null && compareChainOrder(t, l.last) < 0) continue;
        const n: Label = { address: t.to, last: t, width: minWidth(l.width, t.amount), prev: l, hops: l.hops + 1 };
        if (dominated(n)) continue;
        // What the new label beats (no wider, arriving no earlier) leaves the front.
        const front = (fronts.get(t.to) ?? []).filter((o) => wider(o.width, n.width) || compareChainOrder(o.last!, t) < 0);
        front.push(n);
        fronts.set(t.to, front);
        if (t.to === to) {
          if (!best || wider(n.width, best.width) || (n.width === best.width && (n.hops < best.hops || (n.hops === best.hops && compareChainOrder(t, best.last!) < 0)))) best = n;
        } else next.push(n);
      }
    }
    level = next;
  }
  if (!best) return null;
  const transfers: Transfer[] = [];
  for (let l: Label | null = best; l?.last; l = l.prev) transfers.push(l.last);
  transfers.reverse();
  return { addresses: [from, ...transfers.map((t) => t.to)], transfers, width: best.width!, valueClass: opts.valueClass };
}

/**
 * The widest choice of movements along a fixed route (one list per step, each in chain order), in time
 * order and in `valueClass`; null when no choice is in time order within the class.
 */
export function widestAlong(steps: readonly (readonly Transfer[])[], valueClass: Asset, classOf: (asset: Asset) => Asset): { transfers: Transfer[]; width: bigint } | null {
  // Per step, the Pareto front of (last movement, width, route so far): a later step may only use a
  // movement at or after the last one.
  let front: { last: Transfer | null; width: bigint | null; route: Transfer[] }[] = [{ last: null, width: null, route: [] }];
  for (const step of steps) {
    const next: typeof front = [];
    for (const f of front) {
      for (const t of step) {
        if (classOf(t.asset) !== valueClass || (f.last !== null && compareChainOrder(t, f.last) < 0)) continue;
        next.push({ last: t, width: minWidth(f.width, t.amount), route: [...f.route, t] });
      }
    }
    next.sort((a, b) => compareChainOrder(a.last!, b.last!));
    // Keep only labels wider than every earlier one: an earlier arrival at least as wide beats them.
    front = [];
    let widest: bigint | null = null;
    for (const n of next) {
      if (widest === null || n.width! > widest) {
        front.push(n);
        widest = n.width;
      }
    }
    if (front.length === 0) return null;
  }
  const bestOf = front.reduce((a, b) => (b.width! > a.width! ? b : a));
  return { transfers: bestOf.route, width: bestOf.width! };
}

/**
 * The main path by value from `from` to `to` (widest, in time order, in `valueClass`) and the other
 * simple routes within `maxHops` (at most `limit` enumerated): see ByValue.
 */
export function mainPathByValue(
  out: Outgoing,
  from: Address,
  to: Address,
  opts: { maxHops: number; valueClass: Asset; classOf: (asset: Asset) => Asset; limit?: number },
): ByValue {
  const limit = opts.limit ?? 1000;
  // One backward search serves both the main path and the count of the others.
  const reach = hopsTo(out, to, opts.maxHops);
  const main = widestPath(out, from, to, opts, reach);
  const mainKey = main?.addresses.join('>') ?? null;
  let count = 0;
  let total = 0n;
  let seen = 0;
  let truncated = false;
  // Depth-first over simple routes, each step's movements grouped by receiver.
  const onPath = new Set<Address>([from]);
  const route: Address[] = [from];
  const steps: Transfer[][] = [];
  // Time order can still close branches the reach test lets through: the work is bounded as well.
  let work = 0;
  const visit = (a: Address, last: Transfer | null): void => {
    if (truncated) return;
    if (++work > limit * 100) {
      truncated = true;
      return;
    }
    if (steps.length >= opts.maxHops) return;
    const byTo = new Map<Address, Transfer[]>();
    for (const t of out.get(a) ?? []) {
      if (onPath.has(t.to) || (last !== null && compareChainOrder(t, last) < 0)) continue;
      // Only where the target is still within reach in the hops left.
      if ((reach.get(t.to) ?? Number.POSITIVE_INFINITY) > opts.maxHops - steps.length - 1) continue;
      const list = byTo.get(t.to);
      if (list) list.push(t);
      else byTo.set(t.to, [t]);
    }
    for (const [b, list] of byTo) {
      route.push(b);
      steps.push(list);
      if (b === to) {
        if (++seen > limit) truncated = true;
        else if (route.join('>') !== mainKey && earliestOrder(steps)) {
          count++;
          total += widestAlong(steps, opts.valueClass, opts.classOf)?.width ?? 0n;
        }
      } else {
        onPath.add(b);
        // The earliest movement of the step bounds what can follow it.
        visit(b, list[0]!);
        onPath.delete(b);
      }
      route.pop();
      steps.pop();
    }
  };
  if (from !== to) visit(from, null);
  return { main, others: { count, total, truncated } };
}

/** True when one movement per step can be chosen in time order (greedy earliest). */
function earliestOrder(steps: readonly Transfer[][]): boolean {
  let prev: Transfer | null = null;
  for (const step of steps) {
    const next: Transfer | undefined = prev === null ? step[0] : step.find((t) => compareChainOrder(t, prev!) >= 0);
    if (!next) return false;
    prev = next;
  }
  return true;
}
