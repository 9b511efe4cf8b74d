/**
 * Chooses, for one batch of needs, between reading per address and scanning whole blocks, by the time each
 * plan is expected to take: the calls it needs (each source's `calls`), priced with what calls cost on
 * this endpoint (cost.ts). Per address is paid again at every later hop level; a scan serves them all.
 * Pure: no node, no store (test/planner.test.ts).
 */
import { planCost, type CallCosts, type CallCounts } from './cost.js';
import type { Source } from './source.js';
import { difference, size, union, type Interval } from '../util/intervals.js';

/** `auto`: the cheaper plan by measured cost; `address` / `block`: that plan (a scan only where allowed). */
export type Strategy = 'auto' | 'address' | 'block';

/** What the planner weighs. */
export interface PlanInput {
  /** The missing parts of the needs' windows: token logs, and native movements (one entry per need and part). */
  logParts: readonly Interval[];
  nativeParts: readonly Interval[];
  /** Blocks whose native and internal movements are already stored for every address. */
  scannedFull: readonly Interval[];
  /** The sources each plan would use: per address, and block scans (`scanNative` null: the endpoint has none with internal movements). */
  addressLogs: Source;
  addressNative: Source;
  scanLogs: Source;
  scanNative: Source | null;
  /** The span a range source's calls are learned to cover (rpc/ranges.ts learnedSpan), by span key. */
  span(spanKey: string): number | undefined;
  costs: CallCosts;
  strategy: Strategy;
  /** Hop levels still to walk, this one included. */
  levels: number;
  /** A scan longer than this is never made. */
  maxScanBlocks: number;
}

/** What the planner decided, with the figures it decided on (for the progress line). */
export interface Plan {
  useBlocks: boolean;
  /** Every block some need still lacks: what a scan would cover. */
  wanted: Interval[];
  /** Blocks a native scan would read (those not scanned yet). */
  blocksToRead: number;
  blockCost: number;
  addressCost: number;
  /** `--strategy block` was asked for and cannot be honoured (too many blocks, or no block tracing). */
  scanRefused: boolean;
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

/** Decides per address or block scan for one batch (strategy `auto` by cost; `block` where a scan is allowed). */
export function choosePlan(input: PlanInput): Plan {
  const { costs } = input;
  const wanted = union([...input.logParts, ...input.nativeParts]);
  const blocksToRead = size(union(wanted.flatMap((r) => difference(r, input.scannedFull))));
  // trace_transaction calls that trace_filter has been bringing along on this endpoint.
  const perFilter = costs.calls('trace_filter') > 0 ? costs.calls('trace_transaction') / costs.calls('trace_filter') : 0;
  const blockPlan = merge(
    input.scanNative?.calls(blocksToRead, { perFilter }) ?? {},
    input.scanLogs.calls(chunks(wanted, spanOf(input.scanLogs, input)), { perFilter }),
  );
  const addressPlan = merge(
    input.addressLogs.calls(chunks(input.logParts, spanOf(input.addressLogs, input)), { perFilter }),
    input.addressNative.calls(chunks(input.nativeParts, spanOf(input.addressNative, input)), { perFilter }),
  );
  const blockCost = planCost(blockPlan, costs);
  const addressCost = planCost(addressPlan, costs) * Math.max(1, input.levels);
  // A scan past --max-scan-blocks is never made, even with --strategy block: per-address queries do the
  // job instead (and where the node has no trace_filter, the fetcher says what is missing).
  const canScan = input.scanNative !== null && blocksToRead <= input.maxScanBlocks;
  const useBlocks = canScan && (input.strategy === 'block' || (input.strategy === 'auto' && blockCost < addressCost));
  return { useBlocks, wanted, blocksToRead, blockCost, addressCost, scanRefused: input.strategy === 'block' && !useBlocks };
}
