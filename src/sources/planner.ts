/**
 * Chooses, for one batch of needs, among three plans: per address (one query per address, side and block
 * range), by address set (one query per block range for a whole set of addresses: trace_filter takes a
 * list of addresses, eth_getLogs an OR-list of topics), and scanning whole blocks. Each plan is priced by
 * the calls it needs (each source's `calls`), under one objective:
 * - `time` (default): calls × the milliseconds a call of that kind takes on this endpoint (cost.ts). A set
 *   query's time grows with its set in ways a per-address figure does not tell, so the set plan is weighed
 *   by time only once set queries have been measured on the endpoint (a run with `--optimize credits` or
 *   `--strategy set` measures them); until then `time` chooses as it did before there was a set plan;
 * - `credits`: calls × the credits the price table (rpc/price.ts) charges for the call's method.
 * Per address and by set are paid again at every later hop level; a scan serves them all. Header reads for
 * the blocks answers name are left out of every plan's price (a scan's too): they depend on where the
 * transfers are, which no plan knows before reading.
 * Pure: no node, no store (test/planner.test.ts).
 */
import { planCost, type CallCosts, type CallCounts } from './cost.js';
import type { SetRatios, SetSource, Source } from './source.js';
import { difference, size, union, type Interval } from '../util/intervals.js';

/**
 * `auto`: the cheapest plan under the objective; `address` / `block` / `set`: that plan (a scan only where
 * allowed, a set only where the endpoint serves the set sources).
 */
export type Strategy = 'auto' | 'address' | 'block' | 'set';

/** What `auto` minimises: the time the calls take, or the credits a provider bills for them. */
export type Objective = 'time' | 'credits';

/** The plans. */
export type PlanKind = 'address' | 'set' | 'block';

/** The missing blocks of one side's needs, and how many addresses want them (the set plan's input). */
export interface SideNeeds {
  ranges: readonly Interval[];
  addresses: number;
}

/** What the planner weighs. */
export interface PlanInput {
  /** The missing parts of the needs' windows: token logs, and native movements (one entry per need and part). */
  logParts: readonly Interval[];
  nativeParts: readonly Interval[];
  /** The same, per side: the blocks some address of that side lacks, and how many addresses (set plan). */
  logSides?: readonly SideNeeds[];
  nativeSides?: readonly SideNeeds[];
  /** Blocks whose native and internal movements are already stored for every address. */
  scannedFull: readonly Interval[];
  /** The sources each plan would use: per address, and block scans (`scanNative` null: the endpoint has none with internal movements). */
  addressLogs: Source;
  addressNative: Source;
  scanLogs: Source;
  scanNative: Source | null;
  /** The set sources (null: the endpoint serves none of that part, and the set plan is not offered). */
  setLogs?: SetSource | null;
  setNative?: SetSource | null;
  /** The span a range source's calls are learned to cover (rpc/ranges.ts learnedSpan), by span key. */
  span(spanKey: string): number | undefined;
  /** Addresses a set query takes on this endpoint (setSize.ts), by span key. */
  setSize?(spanKey: string): number;
  costs: CallCosts;
  strategy: Strategy;
  /** Default `time`. */
  objective?: Objective;
  /** With `credits`: the credits of one call of `method`, undefined when the table does not price it. */
  price?(method: string): number | undefined;
  /** With `credits`: what a method `price` does not price is planned at (rpc/price.ts standInCredits); default 1. */
  standIn?: number;
  /** Hop levels still to walk, this one included. */
  levels: number;
  /** A scan longer than this is never made. */
  maxScanBlocks: number;
}

/** What the planner decided, with the figures it decided on (for the progress line). */
export interface Plan {
  plan: PlanKind;
  /** `plan === 'block'`. */
  useBlocks: boolean;
  /** Every block some need still lacks: what a scan would cover. */
  wanted: Interval[];
  /** Blocks a native scan would read (those not scanned yet). */
  blocksToRead: number;
  /** Each plan's price under the objective (ms or credits; the per-address and set plans over every level left; Infinity: not weighed). */
  blockCost: number;
  addressCost: number;
  setCost: number;
  objective: Objective;
  /** `--strategy block` was asked for and cannot be honoured (too many blocks, or no block tracing). */
  scanRefused: boolean;
  /** `--strategy set` was asked for and the endpoint serves no set source of a part needed. */
  setRefused: boolean;
  /**
   * Why a plan cannot be made for this batch, in a few words (`no trace_filter on the endpoint`); absent:
   * it can. Its cost is then no price at all, not one still to be measured.
   */
  impossible: Partial<Record<PlanKind, string>>;
}

/** Calls of a range source over `parts`: one per chunk of its learned span (one per part before any is learned). */
function chunks(parts: readonly Interval[], span: number | undefined): number {
  return parts.reduce((n, p) => n + (span ? Math.ceil((p[1] - p[0] + 1) / span) : 1), 0);
}

function spanOf(source: Source, input: PlanInput): number | undefined {
  return source.unit.kind === 'range' ? input.span(source.unit.spanKey) : 1;
}

function merge(...plans: CallCounts[]): CallCounts {
  const out: CallCounts = {};
  for (const p of plans) for (const [k, n] of Object.entries(p)) out[k] = (out[k] ?? 0) + n;
  return out;
}

/** The method a cost key bills as: `eth_getLogs:set` is an eth_getLogs call. */
export function methodOfKey(key: string): string {
  const i = key.indexOf(':');
  return i < 0 ? key : key.slice(0, i);
}

/**
 * Credits of a plan: each call at its method's price; a method the table does not price at `standIn`, one
 * figure per table (not one drawn from the plan's own methods, which would price the same method
 * differently in two plans).
 */
export function planCredits(plan: CallCounts, price: (method: string) => number | undefined, standIn = 1): number {
  return Object.entries(plan).reduce((sum, [k, n]) => sum + (n > 0 ? n * (price(methodOfKey(k)) ?? standIn) : 0), 0);
}

/** Calls of the set plan for one part: per side, chunks of its ranges × sets of its addresses. */
function setCalls(source: SetSource, sides: readonly SideNeeds[], input: PlanInput, ratios: SetRatios): CallCounts {
  const span = input.span(source.spanKey);
  const per = Math.max(1, input.setSize?.(source.spanKey) ?? 1);
  const n = sides.reduce((sum, s) => sum + (s.addresses > 0 ? chunks(s.ranges, span) * Math.ceil(s.addresses / per) : 0), 0);
  return n > 0 ? source.calls(n, ratios) : {};
}

/** Decides the plan for one batch (strategy `auto` by the objective; a forced plan where it can be made). */
export function choosePlan(input: PlanInput): Plan {
  const { costs } = input;
  const objective = input.objective ?? 'time';
  const wanted = union([...input.logParts, ...input.nativeParts]);
  const blocksToRead = size(union(wanted.flatMap((r) => difference(r, input.scannedFull))));
  // trace_transaction calls that trace_filter has been bringing along on this endpoint; trace_block
  // trees and enclosing-frame queries a set trace_filter has.
  const ratio = (num: string, den: string): number => (costs.calls(den) > 0 ? costs.calls(num) / costs.calls(den) : 0);
  const perFilter = ratio('trace_transaction', 'trace_filter');
  const setRatios: SetRatios = {
    perSetFilter: ratio('trace_block:tree', 'trace_filter:set'),
    perSetTxTree: ratio('trace_transaction:tree', 'trace_filter:set'),
    perEnclosing: ratio('trace_filter:enclosing', 'trace_filter:set'),
  };
  const blockPlan = merge(
    input.scanNative?.calls(blocksToRead, { perFilter }) ?? {},
    input.scanLogs.calls(chunks(wanted, spanOf(input.scanLogs, input)), { perFilter }),
  );
  const addressNativeCalls = input.addressNative.calls(chunks(input.nativeParts, spanOf(input.addressNative, input)), { perFilter });
  const addressPlan = merge(input.addressLogs.calls(chunks(input.logParts, spanOf(input.addressLogs, input)), { perFilter }), addressNativeCalls);
  const needsLogs = input.logParts.length > 0;
  const needsNative = input.nativeParts.length > 0;
  const setServed = (!needsLogs || !!input.setLogs) && (!needsNative || !!input.setNative);
  // Before a set trace_filter was measured here, its trees are taken to be as many as the per-address
  // plan's (read by trace_transaction, its enclosing-frame queries not counted): not free.
  const setUnmeasured = costs.calls('trace_filter:set') === 0;
  const setPlan: CallCounts | null = setServed
    ? merge(
        needsLogs ? setCalls(input.setLogs!, input.logSides ?? [], input, setRatios) : {},
        needsNative ? setCalls(input.setNative!, input.nativeSides ?? [], input, setRatios) : {},
        needsNative && setUnmeasured ? { 'trace_transaction:tree': addressNativeCalls['trace_transaction'] ?? 0 } : {},
      )
    : null;
  const levels = Math.max(1, input.levels);
  const price = (plan: CallCounts): number => (objective === 'credits' && input.price ? planCredits(plan, input.price, input.standIn) : planCost(plan, costs));
  const blockCost = price(blockPlan);
  const addressCost = price(addressPlan) * levels;
  // By time, a set plan is weighed only once its queries were measured here (see the module comment).
  const setMeasured = setPlan !== null && Object.keys(setPlan).filter((k) => k.endsWith(':set')).every((k) => costs.calls(k) > 0);
  const setCost = setPlan === null || (objective === 'time' && !setMeasured) ? Number.POSITIVE_INFINITY : price(setPlan) * levels;
  // A scan past --max-scan-blocks is never made, even with --strategy block: per-address queries do the
  // job instead (and where the node has no trace_filter, the fetcher says what is missing).
  const canScan = input.scanNative !== null && blocksToRead <= input.maxScanBlocks;
  const impossible: Plan['impossible'] = {};
  if (input.scanNative === null) impossible.block = 'no trace_block or debug_traceBlock on the endpoint';
  else if (!canScan) impossible.block = `over --max-scan-blocks ${input.maxScanBlocks}`;
  // The logs' set source is eth_getLogs, served everywhere; the native one is trace_filter.
  if (setPlan === null) impossible.set = needsNative && !input.setNative ? 'no trace_filter on the endpoint' : 'no set query of logs on the endpoint';
  let plan: PlanKind = 'address';
  if (input.strategy === 'block') plan = canScan ? 'block' : 'address';
  else if (input.strategy === 'set') plan = setPlan !== null ? 'set' : 'address';
  else if (input.strategy === 'auto') {
    // Per address unless another plan is strictly cheaper; the set plan must beat the scan too.
    if (canScan && blockCost < addressCost) plan = 'block';
    if (setCost < Math.min(addressCost, plan === 'block' ? blockCost : Number.POSITIVE_INFINITY)) plan = 'set';
  }
  return {
    plan,
    useBlocks: plan === 'block',
    wanted,
    blocksToRead,
    blockCost,
    addressCost,
    setCost,
    objective,
    scanRefused: input.strategy === 'block' && plan !== 'block',
    setRefused: input.strategy === 'set' && plan !== 'set',
    impossible,
  };
}
