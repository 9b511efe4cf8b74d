/**
 * The registry: every way of reading transfers, each in its own file. Order is preference: among the
 * sources that serve the same part at the same scope, the first the endpoint offers is used (trace_block
 * before debug_traceBlockByHash before block bodies). Adding a source is one file and one line here.
 */
import { blockBodyScan } from './blockBodyScan.js';
import { debugTraceScan } from './debugTraceScan.js';
import { logsByAddress } from './logsByAddress.js';
import { logsScan } from './logsScan.js';
import { logsBySet } from './logsBySet.js';
import type { SetSource, Source } from './source.js';
import { traceBlockScan } from './traceBlockScan.js';
import { traceFilterByAddress, traceFilterBySet } from './traceFilterByAddress.js';

/** Fresh instances for one run (a source may keep per-run state: trace trees read, receipts support). */
export function createSources(): Source[] {
  return [logsByAddress(), logsScan(), traceFilterByAddress(), traceBlockScan(), debugTraceScan(), blockBodyScan()];
}

/** The address-set sources (planner.ts's set plan), one per part, fresh for one run. */
export function createSetSources(): SetSource[] {
  return [logsBySet(), traceFilterBySet()];
}
