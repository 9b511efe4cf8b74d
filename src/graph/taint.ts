import { NATIVE, type Address, type Asset, type Conversion, type LabelCategory, type Risk, type Transfer } from '../types.js';
import { compareRefs } from './order.js';
import { MovementTable } from './table.js';

/**
 * Value attribution: how much of what left the seeds reached each venue, under three published taint
 * models, side by side.
 *
 * - `poison` (Möser, Böhme, Breuker 2014, "Towards Risk Scoring of Bitcoin Transactions"): an address
 *   that received any tainted value taints everything it sends afterwards, whatever the asset. The
 *   widest net; an upper bound.
 * - `haircut` (same paper): every address's balance of an asset is a pool, and each payment out of it
 *   carries the pool's tainted fraction. Exact in integers: the share `taint * amount / balance` is
 *   floored, and the remainder (under 1 base unit per payment) stays with the sender, so taint is
 *   conserved to the wei — what reached venues + what is held or left at the frontier + burned + below
 *   --min-value equals what left the seeds.
 * - `fifo` (Anderson, Shumailov, Ahmed 2018, "Making Bitcoin Legal", after Clayton's case): each
 *   address's balance of an asset is a queue of lots in arrival order; a payment takes the oldest value
 *   first, keeping the order of tainted and clean pieces, which the receiver queues in turn.
 *
 * Haircut and FIFO are kept per (address, asset). A WETH-style wrap or unwrap is the same value in another
 * form and carries taint across to the wrapper token. A DEX swap (a `Conversion`, read from the pools'
 * Swap events: `opts.conversions`) carries taint from the asset paid in to the asset paid out at the
 * swap's rate, at the holder, in the transaction: poison taints all of B received; haircut carries the
 * tainted share of A spent into the same share of B (floored: `taint * amountOut / amountIn`); FIFO
 * takes the A units from the queue as any payment does and queues their images in B, each piece scaled
 * by the rate (cumulative floors, so the pieces add up to `amountOut` exactly). The payment of A into the
 * route and the payout of B to the holder, where stored, are the conversion's halves and move nothing
 * else. Per asset the balance holds as for wraps (`converted.out` of A, `converted.in` of B); across a
 * conversion, what enters B is the image of what left A (`convertTaint`).
 *
 * What the models see is what the store holds: an address's inflows count only if they were fetched (a
 * forward trace reads the outgoing side of the addresses it follows; their other inflows may be missing).
 * Money an address spends beyond what we saw arrive is treated as of unknown origin, never as tainted —
 * so haircut and FIFO can over-state the tainted share where clean inflows were not read, never create
 * taint from nothing. Gas fees are not modelled.
 *
 * Exclusions follow the walk (trace/walk.ts): zero-value movements and self-sends are ignored; mints
 * (from the zero address) are clean inflows; burns (to the zero address) take taint out of circulation
 * (counted as `burned`); a payment below --min-value moves value but its taint is not followed (counted
 * as `belowMinValue`). Seeds are sources: everything they send is tainted in every model.
 */

/** The three models, in the order reports show them. */
export const TAINT_MODELS = ['poison', 'haircut', 'fifo'] as const;
export type TaintModel = (typeof TAINT_MODELS)[number];

/** Amounts per asset, exact (`native` or the token contract → base units). */
export type Amounts = Map<Asset, bigint>;
export type ModelAmounts = Record<TaintModel, Amounts>;

/** The label facts attribution needs about a venue. */
export interface VenueInfo {
  entity: string;
  category: LabelCategory;
  risk: Risk;
}

export interface AttributionOptions {
  seeds: readonly Address[];
  /** The venue labelled at an address, or undefined. */
  venue: (address: Address) => VenueInfo | undefined;
  /** Transfers away from a seed that are followed (as in the walk: hop 1 = paid by a seed). */
  hops: number;
  /** A venue ends its branch (the walk's default): what it sends on is not followed. */
  stopAtLabels: boolean;
  /** Addresses the walk reported as hubs: what they send is not followed. */
  hubs?: ReadonlySet<Address>;
  /** Smallest amount followed per asset (default 0: every non-zero movement). */
  minValue?: (asset: Asset) => bigint;
  /** True when the contract is an ERC-20 (a Deposit/Withdrawal from a non-token is not a wrap). */
  isToken: (address: Address) => boolean;
  /**
   * The movements the walk followed (`<txHash>|<ref>`, see traceKey), when the run recorded them: taint
   * then moves only along these, so attribution and the traced graph are one edge set. A tainted
   * payment along another movement is counted at its sender as not followed (`not-traced`). Omitted (a
   * run recorded before the walk's edges were kept): taint moves along every stored movement.
   */
  traced?: ReadonlySet<string>;
  /**
   * DEX swaps of traced addresses (sources/swaps.ts, kept in the store): each carries the holder's taint
   * from its asset in to its asset out (see above). Omitted: no swap converts anything.
   */
  conversions?: readonly Conversion[];
}

/** The key of a movement in a traced edge set. */
export const traceKey = (t: { txHash: string; ref: string }): string => `${t.txHash}|${t.ref}`;

/** What reached one venue. */
export interface VenueFlow {
  address: Address;
  venue: VenueInfo;
  amounts: ModelAmounts;
  /** Transfers into the venue that carried taint under at least one model. */
  arrivals: number;
  first: { block: number; txHash: string };
  last: { block: number; txHash: string };
  /** Fewest transfers from a seed on a tainted route into the venue. */
  hops: number;
  /** The models under which some value reached the venue: all three is a stronger finding than poison alone. */
  support: TaintModel[];
}

/** Taint that stopped at an address that is not a venue. */
export interface Holding {
  address: Address;
  hop: number;
  /**
   * `held`: still at the address at the end of the range (poison: its whole known balance).
   * `not-followed`: sent on by an address whose transfers the trace does not follow (hop limit, hub),
   * or along a movement the walk did not follow (`not-traced`: before --min-value… the walk's own rules).
   */
  held: ModelAmounts;
  notFollowed: ModelAmounts;
  /** Why what it sent was not followed, when it was not. */
  reason: 'hop-limit' | 'hub' | 'not-traced' | null;
}

/** A transfer that carried taint (under poison at least), with what each model put on it. */
export interface TaintedEdge {
  transfer: Transfer;
  /** Hop of the transfer: 1 for a seed's own payment. */
  hop: number;
  taint: Record<TaintModel, bigint>;
}

export interface Attribution {
  /** What left the seeds and was followed: the total each model distributes. */
  seeded: ModelAmounts;
  venues: VenueFlow[];
  /** Addresses holding taint, or past which it was not followed, sorted by address. */
  frontier: Holding[];
  burned: ModelAmounts;
  belowMinValue: ModelAmounts;
  /** Sent back into a seed by a traced address (seeds are sources: what they receive is not counted again). */
  returnedToSeeds: ModelAmounts;
  /**
   * Value not from the seeds that a model counts as tainted: under poison, what a poisoned address
   * already held, received clean afterwards, or spent beyond the inflows seen (poison taints it all);
   * zero under haircut and FIFO, which only move taint. The balance, per model and asset:
   * seeded + takenIn + converted.in = venues + frontier + burned + belowMinValue + returnedToSeeds + converted.out
   * (with stopAtLabels; without it a venue's figures are what passed through it).
   */
  takenIn: ModelAmounts;
  /**
   * Taint moved from one asset into another at its holder: between the native coin and a WETH-style
   * wrapper by a wrap or unwrap, and from the asset paid in to the asset paid out by a DEX swap.
   */
  converted: { out: ModelAmounts; in: ModelAmounts };
  /** The swaps that carried taint under at least one model, with what each model moved across them. */
  swaps: SwapTaint[];
  edges: TaintedEdge[];
  /** Movements read (after the exclusions), for the record. */
  transfersRead: number;
}

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

/** What one DEX swap carried: taint of `assetIn` spent into it, and the taint of `assetOut` it gave. */
export interface SwapTaint {
  conversion: Conversion;
  taintIn: Record<TaintModel, bigint>;
  taintOut: Record<TaintModel, bigint>;
}

/** A run of value in a FIFO queue: `amount` base units, tainted or not. */
export interface Segment {
  amount: bigint;
  tainted: boolean;
}

/** A FIFO queue with a moving head, so taking from the front is O(1) amortised. */
class Lots {
  private segs: Segment[] = [];
  private head = 0;

  push(seg: Segment): void {
    if (seg.amount === 0n) return;
    const last = this.segs[this.segs.length - 1];
    if (last && this.segs.length > this.head && last.tainted === seg.tainted) last.amount += seg.amount;
    else this.segs.push({ ...seg });
  }

  /** Takes `amount` from the front; what the queue lacks comes out as clean (unknown origin). */
  take(amount: bigint): Segment[] {
    const out: Segment[] = [];
    let need = amount;
    while (need > 0n && this.head < this.segs.length) {
      const s = this.segs[this.head]!;
      const n = s.amount <= need ? s.amount : need;
      out.push({ amount: n, tainted: s.tainted });
      s.amount -= n;
      need -= n;
      if (s.amount === 0n) this.head++;
    }
    if (need > 0n) out.push({ amount: need, tainted: false });
    if (this.head > 1024 && this.head * 2 > this.segs.length) {
      this.segs = this.segs.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  tainted(): bigint {
    let t = 0n;
    for (let i = this.head; i < this.segs.length; i++) if (this.segs[i]!.tainted) t += this.segs[i]!.amount;
    return t;
  }
}

/**
 * One (address, asset) balance as the models see it: what arrived minus what left, never below zero (a
 * spend beyond it is of unknown origin). The FIFO queue holds exactly `balance` units; it is created
 * only when the first tainted value arrives (before that it is `balance` clean units), which keeps the
 * untainted bulk of a large graph cheap.
 */
interface Pool {
  balance: bigint;
  taint: bigint;
  lots: Lots | null;
}

/** What one movement carries: the haircut share, the FIFO pieces (null: all clean), whether poison applies. */
export interface Carried {
  poison: boolean;
  haircut: bigint;
  fifo: Segment[] | null;
}

const CLEAN: Carried = { poison: false, haircut: 0n, fifo: null };

const fifoTaint = (segs: readonly Segment[] | null): bigint => (segs === null ? 0n : segs.reduce((t, s) => (s.tainted ? t + s.amount : t), 0n));

/**
 * The taint a conversion of `amountIn` into `amountOut` gives the asset out, from the taint `c` the
 * asset in carried into it: poison as it was; haircut `floor(haircut * amountOut / amountIn)`; FIFO each
 * piece scaled by the rate with cumulative floors, so the pieces add up to `amountOut` and their order
 * (tainted and clean) is kept. Pure; `amountIn` must be positive.
 */
export function convertTaint(c: { poison: boolean; haircut: bigint; fifo: readonly { amount: bigint; tainted: boolean }[] | null }, amountIn: bigint, amountOut: bigint): Carried {
  const haircut = (c.haircut * amountOut) / amountIn;
  if (c.fifo === null) return { poison: c.poison, haircut, fifo: null };
  const fifo: Segment[] = [];
  let cum = 0n;
  let done = 0n;
  for (const s of c.fifo) {
    cum += s.amount;
    const upTo = (cum * amountOut) / amountIn;
    if (upTo > done) fifo.push({ amount: upTo - done, tainted: s.tainted });
    done = upTo;
  }
  return { poison: c.poison, haircut, fifo };
}

export function emptyModelAmounts(): ModelAmounts {
  return { poison: new Map(), haircut: new Map(), fifo: new Map() };
}

function add(map: Amounts, asset: Asset, v: bigint): void {
  if (v !== 0n) map.set(asset, (map.get(asset) ?? 0n) + v);
}

function addAll(m: ModelAmounts, asset: Asset, t: Record<TaintModel, bigint>): void {
  for (const model of TAINT_MODELS) add(m[model], asset, t[model]);
}

/**
 * Runs the three taint models over `transfers` (any order: they are sorted into chain order, see
 * graph/order.ts) from `opts.seeds` forward, and returns what reached each venue, what is held or left
 * at the frontier, and the tainted edges. One pass over the movements after the sort (O(E) for the
 * bucket sort by block and the models, plus the sort within each block and FIFO queue pieces). A
 * MovementTable (table.ts) can be given instead, to read the movements once for several runs.
 * `opts.venue` and `opts.isToken` are asked at most once per address.
 *
 * @example
 * const a = attribute(store.transfersInRange(0, head), { seeds: [seed], venue: (x) => book.get(x), hops: 4, stopAtLabels: true, isToken: () => false });
 * a.venues[0]?.amounts.haircut.get('native') // wei of the seed's ETH that reached the first venue
 */
export function attribute(transfers: Iterable<Transfer> | MovementTable, opts: AttributionOptions): Attribution {
  const table = transfers instanceof MovementTable ? transfers : MovementTable.of(transfers);
  const order = table.chainOrder();
  // Native has an id even when no row moves it: a wrap or unwrap converts into it.
  const NATIVE_ID = table.id(NATIVE);
  // A swap's holder and assets get ids before the per-id arrays below are sized (the receipt of its
  // asset out may not be stored: the holder and that asset can be new to the table).
  const swaps = prepareSwaps(opts.conversions ?? []);
  for (const cv of swaps.list) for (const name of [cv.holder, cv.assetIn, cv.assetOut]) table.id(name);
  const names = table.names;
  const count = names.length;
  // Per address (or asset) id: flags and memoised answers, instead of string-keyed sets per movement.
  const flags = (list: Iterable<Address>): Uint8Array => {
    const f = new Uint8Array(count);
    for (const a of list) {
      const id = table.idOf(a);
      if (id >= 0) f[id] = 1;
    }
    return f;
  };
  const seed = flags(opts.seeds);
  const hub = flags(opts.hubs ?? []);
  const minValue = opts.minValue ?? (() => 0n);
  const ZERO_ID = table.idOf(ZERO_ADDRESS);
  const venueAsked = new Uint8Array(count);
  const venues: (VenueInfo | undefined)[] = new Array(count);
  const venueOf = (id: number): VenueInfo | undefined => {
    if (venueAsked[id] === 0) {
      venueAsked[id] = 1;
      venues[id] = opts.venue(names[id]!);
    }
    return venues[id];
  };
  const tokenAsked = new Uint8Array(count);
  const token = new Uint8Array(count);
  const isToken = (id: number): boolean => {
    if (tokenAsked[id] === 0) {
      tokenAsked[id] = 1;
      token[id] = opts.isToken(names[id]!) ? 1 : 0;
    }
    return token[id] === 1;
  };

  const pools = new Map<number, Map<number, Pool>>(); // asset → address → pool, by id
  const poisoned = new Uint8Array(count);
  const hopOf = new Int32Array(count).fill(-1); // -1: no hop yet
  const venueFlows = new Map<number, VenueFlow>();
  const frontier = new Map<number, Holding>();
  const seeded = emptyModelAmounts();
  const burned = emptyModelAmounts();
  const belowMinValue = emptyModelAmounts();
  const returnedToSeeds = emptyModelAmounts();
  const takenIn = emptyModelAmounts();
  const converted = { out: emptyModelAmounts(), in: emptyModelAmounts() };
  const edges: TaintedEdge[] = [];
  /** A venue that ends its branch keeps what it receives: its balance is counted on arrival, not held. */
  const sink = (id: number): boolean => opts.stopAtLabels && venueOf(id) !== undefined;

  const poolsOf = (asset: number): Map<number, Pool> => {
    let m = pools.get(asset);
    if (!m) pools.set(asset, (m = new Map()));
    return m;
  };

  /** Takes `amount` out of an address's pool: the taint it carries under each model. */
  const spend = (from: number, asset: number, amount: bigint): Carried => {
    if (seed[from] === 1) return { poison: true, haircut: amount, fifo: [{ amount, tainted: true }] };
    const poison = poisoned[from] === 1;
    const p = poolsOf(asset).get(from);
    // Nothing seen arrive: value of unknown origin, clean for haircut and FIFO; poison taints whatever
    // a poisoned address sends, so there it is taken in.
    if (!p) {
      if (!poison) return CLEAN;
      if (!sink(from)) add(takenIn.poison, names[asset]!, amount);
      return { poison, haircut: 0n, fifo: null };
    }
    // (A venue that ends its branch is counted on arrival: what it spends takes nothing in.)
    if (poison && amount > p.balance && !sink(from)) add(takenIn.poison, names[asset]!, amount - p.balance);
    // A payment larger than the balance we saw: the shortfall is of unknown origin (counted clean), and
    // the whole tainted balance goes with it.
    const base = p.balance > amount ? p.balance : amount;
    const share = p.taint === 0n ? 0n : (p.taint * amount) / base;
    p.taint -= share;
    p.balance = p.balance > amount ? p.balance - amount : 0n;
    if (p.lots === null) return poison || share > 0n ? { poison, haircut: share, fifo: null } : CLEAN;
    return { poison, haircut: share, fifo: p.lots.take(amount) };
  };

  /** Puts `amount` into an address's pool with the taint `c` carries (nothing for seeds: sources). */
  const receive = (to: number, asset: number, amount: bigint, c: Carried | null): void => {
    if (seed[to] === 1) return;
    if (!sink(to)) {
      // Poison: what a poisoned address holds is tainted from then on, whatever its origin.
      if (c?.poison && poisoned[to] === 0) for (const [a, byAddress] of pools) add(takenIn.poison, names[a]!, byAddress.get(to)?.balance ?? 0n);
      else if (!c?.poison && poisoned[to] === 1) add(takenIn.poison, names[asset]!, amount);
    }
    const m = poolsOf(asset);
    let p = m.get(to);
    if (!p) m.set(to, (p = { balance: 0n, taint: 0n, lots: null }));
    const fifo = c?.fifo ?? null;
    if (p.lots === null && fifo !== null && fifo.some((x) => x.tainted)) {
      p.lots = new Lots();
      p.lots.push({ amount: p.balance, tainted: false }); // what was there before: all clean
    }
    p.balance += amount;
    if (c) {
      p.taint += c.haircut;
      if (c.poison) poisoned[to] = 1;
    }
    if (p.lots !== null) {
      if (fifo === null) p.lots.push({ amount, tainted: false });
      else for (const x of fifo) p.lots.push(x);
    }
  };

  const holding = (id: number): Holding => {
    let h = frontier.get(id);
    if (!h) {
      h = { address: names[id]!, hop: hopOf[id]! >= 0 ? hopOf[id]! : 0, held: emptyModelAmounts(), notFollowed: emptyModelAmounts(), reason: null };
      frontier.set(id, h);
    }
    return h;
  };

  const amountsOf = (amount: bigint, c: Carried): Record<TaintModel, bigint> => ({
    poison: c.poison ? amount : 0n,
    haircut: c.haircut,
    fifo: fifoTaint(c.fifo),
  });

  /** Why what `address` sends is not followed, or null when it is. */
  const stopReason = (id: number): 'hop-limit' | 'hub' | 'venue' | null => {
    if (seed[id] === 1) return null;
    if (opts.stopAtLabels && venueOf(id)) return 'venue';
    if (hub[id] === 1) return 'hub';
    if ((hopOf[id]! >= 0 ? hopOf[id]! : Number.POSITIVE_INFINITY) >= opts.hops) return 'hop-limit';
    return null;
  };

  // WETH-style conversions, decided per transfer as the walk does: a Deposit/Withdrawal row of an
  // unlabelled ERC-20, and the native movement of the same amount in the same transaction.
  const conversionKey = (tx: string | number, holder: number, wrapper: number, amount: bigint): string => `${tx}|${holder}|${wrapper}|${amount}`;
  const conversions = new Set<string>();
  const conversionTxs = new Set<string | number>(); // only a native movement of these transactions can be the other half
  const kindIds = table.kinds.map((k) => k === 'wrap' || k === 'unwrap');
  const isConversion = (i: number): boolean =>
    kindIds[table.kind[i]!]! && table.from[i] === table.to[i] && !venueOf(table.asset[i]!) && isToken(table.asset[i]!);
  for (const i of order) {
    if (!isConversion(i)) continue;
    conversions.add(conversionKey(table.txKey(i), table.from[i]!, table.asset[i]!, table.amount[i]!));
    conversionTxs.add(table.txKey(i));
  }

  // DEX swaps: each applied at its place in chain order (its last Swap event), its halves skipped.
  const swapTaints: SwapTaint[] = [];
  let nextSwap = 0;
  const applySwap = (cv: Conversion): void => {
    const holder = table.id(cv.holder);
    if (seed[holder] === 1 || sink(holder)) return; // a source taints all it sends; a venue keeps what it got
    const assetIn = table.id(cv.assetIn);
    const assetOut = table.id(cv.assetOut);
    const c = spend(holder, assetIn, cv.amountIn);
    const out = convertTaint(c, cv.amountIn, cv.amountOut);
    const taintIn = amountsOf(cv.amountIn, c);
    const taintOut = amountsOf(cv.amountOut, out);
    addAll(converted.out, cv.assetIn, taintIn);
    addAll(converted.in, cv.assetOut, taintOut);
    if (taintIn.poison > 0n || taintIn.haircut > 0n || taintIn.fifo > 0n) swapTaints.push({ conversion: cv, taintIn, taintOut });
    receive(holder, assetOut, cv.amountOut, c === CLEAN ? null : out);
  };
  const swapsBefore = (i: number): void => {
    while (nextSwap < swaps.list.length) {
      const cv = swaps.list[nextSwap]!;
      const d = cv.blockNumber - table.block[i]! || cv.txIndex - table.txIndex[i]! || compareRefs(cv.ref, table.refs[table.ref[i]!]!);
      if (d > 0) return;
      nextSwap++;
      applySwap(cv);
    }
  };
  /** Whether movement `i` is a half of a swap: the holder's payment of the asset in, or its receipt of the asset out. */
  const swapHalf = (i: number): boolean => {
    if (swaps.list.length === 0) return false;
    const from = names[table.from[i]!]!;
    const to = names[table.to[i]!]!;
    if (!swaps.holders.has(from) && !swaps.holders.has(to)) return false;
    const tx = table.txHash(i);
    const asset = names[table.asset[i]!]!;
    return swaps.halves.has(`${tx}|${from}|>|${asset}`) || swaps.halves.has(`${tx}|${to}|<|${asset}`);
  };

  let read = 0;
  for (const i of order) {
    swapsBefore(i);
    if (swapHalf(i)) continue;
    const from = table.from[i]!;
    const to = table.to[i]!;
    const asset = table.asset[i]!;
    const amount = table.amount[i]!;
    if (asset === NATIVE_ID && conversionTxs.has(table.txKey(i))) {
      // The native half of a conversion is accounted with its Deposit/Withdrawal row.
      const tx = table.txKey(i);
      if (conversions.has(conversionKey(tx, from, to, amount))) continue;
      if (conversions.has(conversionKey(tx, to, from, amount))) continue;
    }
    if (from === to) {
      if (!isConversion(i)) continue;
      read++;
      const wrap = table.kinds[table.kind[i]!] === 'wrap';
      const [out, into] = wrap ? [NATIVE_ID, asset] : [asset, NATIVE_ID];
      const c = spend(from, out, amount);
      if (seed[from] === 0 && !sink(from)) {
        const moved = amountsOf(amount, c);
        addAll(converted.out, names[out]!, moved);
        addAll(converted.in, names[into]!, moved);
      }
      receive(from, into, amount, c);
      continue;
    }
    read++;
    if (from === ZERO_ID) {
      receive(to, asset, amount, null); // a mint: new value of no traced origin
      continue;
    }
    if (seed[from] === 1 && seed[to] === 1) continue; // between two sources: nothing leaves the seeds
    const stop = stopReason(from);
    const carried = spend(from, asset, amount);
    if (carried === CLEAN) {
      receive(to, asset, amount, null);
      continue;
    }
    const taint = amountsOf(amount, carried);
    const tainted = taint.poison > 0n || taint.haircut > 0n || taint.fifo > 0n;
    if (!tainted) {
      receive(to, asset, amount, null);
      continue;
    }
    const assetName = names[asset]!;
    if (seed[from] === 1 && seed[to] === 0) addAll(seeded, assetName, taint);
    if (stop !== null) {
      // Not followed past this address: a venue keeps what it received (counted on arrival); a hub
      // or an address at the hop limit passes its taint on to where the trace does not look.
      if (stop !== 'venue') {
        const h = holding(from);
        h.reason = stop;
        addAll(h.notFollowed, assetName, taint);
      }
      receive(to, asset, amount, null);
      continue;
    }
    if (to === ZERO_ID) {
      addAll(burned, assetName, taint);
      continue;
    }
    if (amount < minValue(assetName)) {
      addAll(belowMinValue, assetName, taint);
      receive(to, asset, amount, null);
      continue;
    }
    if (seed[to] === 1) {
      addAll(returnedToSeeds, assetName, taint);
      continue;
    }
    if (opts.traced && !opts.traced.has(traceKey({ txHash: table.txHash(i), ref: table.refs[table.ref[i]!]! }))) {
      // Taint travels the walk's edges only: the graph every output draws is the one it moved on.
      const h = holding(from);
      if (h.reason === null) h.reason = 'not-traced';
      addAll(h.notFollowed, assetName, taint);
      receive(to, asset, amount, null);
      continue;
    }
    const hop = seed[from] === 1 ? 1 : (hopOf[from]! >= 0 ? hopOf[from]! : 0) + 1;
    const transfer = table.transfer(i);
    edges.push({ transfer, hop, taint });
    const venue = venueOf(to);
    if (venue) {
      let flow = venueFlows.get(to);
      if (!flow) {
        flow = {
          address: transfer.to,
          venue,
          amounts: emptyModelAmounts(),
          arrivals: 0,
          first: { block: transfer.blockNumber, txHash: transfer.txHash },
          last: { block: transfer.blockNumber, txHash: transfer.txHash },
          hops: hop,
          support: [],
        };
        venueFlows.set(to, flow);
      }
      flow.arrivals++;
      flow.last = { block: transfer.blockNumber, txHash: transfer.txHash };
      flow.hops = Math.min(flow.hops, hop);
      addAll(flow.amounts, assetName, taint);
    }
    if (hopOf[to]! < 0 || hopOf[to]! > hop) hopOf[to] = hop;
    receive(to, asset, amount, carried);
  }

  while (nextSwap < swaps.list.length) applySwap(swaps.list[nextSwap++]!);

  // What is still where it last arrived: every tainted pool of an address that is not a venue sink.
  for (const [asset, byAddress] of pools) {
    for (const [address, p] of byAddress) {
      const fifo = p.lots?.tainted() ?? 0n;
      const poisonHeld = poisoned[address] === 1 ? p.balance : 0n; // poison: all it holds is tainted
      if (p.taint === 0n && fifo === 0n && poisonHeld === 0n) continue;
      if (sink(address)) continue;
      addAll(holding(address).held, names[asset]!, { poison: poisonHeld, haircut: p.taint, fifo });
    }
  }

  for (const flow of venueFlows.values()) {
    flow.support = TAINT_MODELS.filter((m) => [...flow.amounts[m].values()].some((v) => v > 0n));
  }
  const venueList = [...venueFlows.values()].sort((a, b) => a.first.block - b.first.block || a.address.localeCompare(b.address));
  const holdings = [...frontier].map(([id, h]) => ({ ...h, hop: hopOf[id]! >= 0 ? hopOf[id]! : h.hop }));
  holdings.sort((a, b) => a.address.localeCompare(b.address));
  return { seeded, venues: venueList, frontier: holdings, burned, belowMinValue, returnedToSeeds, takenIn, converted, swaps: swapTaints, edges, transfersRead: read };
}

/**
 * The conversions in chain order (block, transaction index, ref), valid ones only (positive amounts, two
 * different assets), with the keys of their halves: `<tx>|<holder>|>|<asset in>` for the holder's
 * payments into the route, `<tx>|<holder>|<|<asset out>` for its receipts from it.
 */
function prepareSwaps(conversions: readonly Conversion[]): { list: Conversion[]; holders: Set<Address>; halves: Set<string> } {
  const list = conversions
    .filter((c) => c.amountIn > 0n && c.amountOut > 0n && c.assetIn !== c.assetOut)
    .sort((a, b) => a.blockNumber - b.blockNumber || a.txIndex - b.txIndex || compareRefs(a.ref, b.ref) || a.holder.localeCompare(b.holder));
  const holders = new Set<Address>();
  const halves = new Set<string>();
  for (const c of list) {
    holders.add(c.holder);
    halves.add(`${c.txHash}|${c.holder}|>|${c.assetIn}`);
    halves.add(`${c.txHash}|${c.holder}|<|${c.assetOut}`);
  }
  return { list, holders, halves };
}

/** Sum of one model's amounts of one asset over a list of holdings (both held and not followed). */
export function frontierTotal(holdings: readonly Holding[], model: TaintModel): Amounts {
  const out: Amounts = new Map();
  for (const h of holdings) {
    for (const [asset, v] of h.held[model]) add(out, asset, v);
    for (const [asset, v] of h.notFollowed[model]) add(out, asset, v);
  }
  return out;
}

/**
 * The balance of each model, per asset: `sources` = left the seeds + taken in + converted in, `uses` =
 * at venues + at the frontier (held and not followed) + burned + below --min-value + back to the seeds +
 * converted out. Equal for every model and asset (with stopAtLabels): the figures of a report add up.
 */
export function taintBalance(a: Attribution): Record<TaintModel, Map<Asset, { sources: bigint; uses: bigint }>> {
  const out = {} as Record<TaintModel, Map<Asset, { sources: bigint; uses: bigint }>>;
  for (const model of TAINT_MODELS) {
    const m = new Map<Asset, { sources: bigint; uses: bigint }>();
    const put = (amounts: Amounts, side: 'sources' | 'uses'): void => {
      for (const [asset, v] of amounts) {
        let e = m.get(asset);
        if (!e) m.set(asset, (e = { sources: 0n, uses: 0n }));
        e[side] += v;
      }
    };
    put(a.seeded[model], 'sources');
    put(a.takenIn[model], 'sources');
    put(a.converted.in[model], 'sources');
    for (const v of a.venues) put(v.amounts[model], 'uses');
    put(frontierTotal(a.frontier, model), 'uses');
    put(a.burned[model], 'uses');
    put(a.belowMinValue[model], 'uses');
    put(a.returnedToSeeds[model], 'uses');
    put(a.converted.out[model], 'uses');
    out[model] = m;
  }
  return out;
}
