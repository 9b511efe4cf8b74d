/**
 * The error texts providers actually send, in one place. Providers agree on almost nothing: the same
 * JSON-RPC code (-32005) means "rate exceeded" at one and "too many results" at another, and the block
 * range limit arrives as a suggestion, a stated maximum, or a vague complaint. The texts below are the
 * published ones (Infura, Alchemy, QuickNode, Ankr, Cloudflare, thirdweb, BlockPI, Coinbase, Blast,
 * publicnode, Avalanche, Optimism/Base/Arbitrum sequencer RPCs, anvil); see ponder's getLogsRetryHelper
 * for the catalogue we checked them against.
 */

import type { RangeLimit } from './errors.js';

/** "Slow down": Infura "project ID request rate exceeded", Alchemy "…exceeded its compute units per second capacity", "Too Many Requests". */
export const RATE_LIMIT_TEXT = /rate.?limit|rate exceeded|request rate|too many requests|capacity|compute units|throughput|requests per second|slow down/i;
/** The plan's allowance for the day or month is spent: Infura "daily request count exceeded", Alchemy "Monthly capacity limit exceeded". */
export const QUOTA_TEXT = /\bdaily\b|\bmonthly\b|per day|per month|quota/i;

/** How a range error tells us to shrink. */
export interface RangeHint {
  /** The provider named a range starting at our `from` that will work: ask for `from..suggestedTo`. */
  suggestedTo?: number;
  /** Ask for at most this many blocks (inclusive count) per call. */
  maxSpan?: number;
  /**
   * `suggested`: the provider computed a working range for this query (result-size based, may differ
   * elsewhere). `stated`: the provider's fixed block-range policy (a hard cap). `halved`: a range
   * complaint without numbers; we guessed half.
   */
  source: 'suggested' | 'stated' | 'halved';
}

const HEX = '(0x[0-9a-fA-F]+)';
/** Infura, thirdweb, zkSync: "Try with this block range [0x…, 0x…]"; Alchemy: "this block range should work: [0x…, 0x…]". */
const SUGGESTION = new RegExp(`(?:try with this block range|this block range should work)\\s*:?\\s*\\[\\s*${HEX}\\s*,\\s*${HEX}\\s*\\]`, 'i');

const NUM = '(\\d[\\d,.]*k?)';
/**
 * Texts stating the provider's block-range cap. Each captures the number. Counts are read as inclusive
 * block counts: some providers mean `to - from` (anvil allows 301 blocks under "limited to 300"), so this
 * reading is one block conservative and never over-asks.
 */
const STATED: RegExp[] = [
  // Alchemy free tier "up to a 10 block range"; paid "up to a 2K block range" (when no suggestion came with it)
  new RegExp(`up to an? ${NUM} block range`, 'i'),
  // QuickNode "eth_getLogs is limited to a 10,000 range"; anvil trace_filter "currently limited to 300"; BlockPI "limited to 1000 block"
  new RegExp(`limited to (?:an? )?(?:maximum of )?${NUM}`, 'i'),
  // Cloudflare "Max range: 800"; "exceed maximum block range: 800"; publicnode "maximum block range: 50000"; Hyperliquid "max block range 1000"
  new RegExp(`max(?:imum)?(?: block)? range:?\\s*(?:is\\s*)?${NUM}`, 'i'),
  // Avalanche "requested too many blocks from X to Y, maximum is set to 2048"
  new RegExp(`maximum is set to ${NUM}`, 'i'),
  // thirdweb "Maximum allowed number of requested blocks is 1000", "range 20000 is bigger than range limit 2000"
  new RegExp(`maximum allowed number of requested blocks is ${NUM}`, 'i'),
  new RegExp(`bigger than range limit ${NUM}`, 'i'),
  // Coinbase "please limit the query to at most 1000 blocks"
  new RegExp(`at most ${NUM} blocks`, 'i'),
  // Swell "block range greater than 1000 max"; Somnia "block range exceeds 1000"
  new RegExp(`block range greater than ${NUM}`, 'i'),
  new RegExp(`block range exceeds ${NUM}`, 'i'),
  // Blast paid "exceeds the range allowed for your plan (5000 > 1000)"
  new RegExp(`range allowed for your plan \\(\\d+ > ${NUM}\\)`, 'i'),
  // Merkle "eth_getLogs range is too large, max is 10k blocks"
  new RegExp(`max is ${NUM} blocks`, 'i'),
  // Harmony "query must be smaller than size 1024"; Ankr (TAC) "maximum [from, to] blocks distance: 100"; Moonriver "block range is too wide (maximum 1024)"
  new RegExp(`smaller than size ${NUM}`, 'i'),
  new RegExp(`blocks distance:\\s*${NUM}`, 'i'),
  new RegExp(`\\(maximum ${NUM}\\)`, 'i'),
];

/** Ankr says only "block range is too wide"; its published cap is 3,000 blocks. */
const ANKR_TOO_WIDE = /block range is too wide/i;
const ANKR_CAP = 3000;

/** Range complaints without a usable number: we halve. */
const HALVE: RegExp[] = [
  /query returned more than [\d,]+ results/i, // Infura without suggestion, Polygon zkEVM
  /log response size exceeded/i, // Alchemy
  /response (?:is )?too (?:big|large)/i,
  /response size (?:exceeded|should not)/i, // 1RPC "response size should not greater than N bytes"
  /query timeout exceeded/i,
  /max(?:imum)? results/i, // "query exceeds max results 20000" (LlamaRPC, Ankr)
  /block range (?:is )?too (?:large|wide|big)/i, // Optimism/Base
  /logs matched by query exceeds limit/i, // Arbitrum
  /block range limit exceeded/i, // Chainstack
  /too many (?:blocks|logs|results)/i,
];
/** An unknown text that still complains about a range (but not about a block past the head). */
const GENERIC_RANGE = /\brange\b.*\b(?:too|exceed\w*|limit\w*|max\w*|large|wide|big)\b|\b(?:too|exceed\w*|limit\w*|max\w*)\b.*\brange\b/i;
const NOT_A_SPLIT_PROBLEM = /beyond|head block|future|out of range|invalid block range|fromblock.*greater|greater.*toblock/i;

/**
 * Reads a provider's range complaint: what it says about its limit, independent of the request, or null
 * when `text` is not a range complaint, or is a rate limit (those mention "limit" too and must be retried,
 * not split). The client reads each JSON-RPC error once with this (a RangeTooLargeError carries the result).
 */
export function readRangeLimit(text: string): RangeLimit | null {
  if (RATE_LIMIT_TEXT.test(text) || QUOTA_TEXT.test(text)) return null;
  const suggestion = SUGGESTION.exec(text);
  if (suggestion !== null) {
    const a = Number.parseInt(suggestion[1] ?? '', 16);
    const b = Number.parseInt(suggestion[2] ?? '', 16);
    return Number.isSafeInteger(a) && Number.isSafeInteger(b) && b >= a ? { kind: 'suggested', from: a, to: b } : { kind: 'unspecified' };
  }
  for (const re of STATED) {
    const m = re.exec(text);
    if (m === null) continue;
    const n = parseCount(m[1] ?? '');
    return n !== null && n >= 1 ? { kind: 'stated', maxSpan: n } : { kind: 'unspecified' };
  }
  if (ANKR_TOO_WIDE.test(text)) return { kind: 'stated', maxSpan: ANKR_CAP };
  if (HALVE.some((re) => re.test(text))) return { kind: 'unspecified' };
  if (GENERIC_RANGE.test(text) && !NOT_A_SPLIT_PROBLEM.test(text)) return { kind: 'unspecified' };
  return null;
}

/**
 * How to shrink the request `from..to` (inclusive) under `limit`: the provider's own suggestion when it
 * starts at `from`, else a span it named, else half.
 */
export function rangeHint(limit: RangeLimit, from: number, to: number): RangeHint {
  const span = to - from + 1;
  const halved: RangeHint = { maxSpan: Math.max(1, Math.floor(span / 2)), source: 'halved' };
  switch (limit.kind) {
    case 'suggested':
      if (limit.from === from && limit.to < to) return { suggestedTo: limit.to, source: 'suggested' };
      // A suggestion for another start still tells the size that works.
      if (limit.to - limit.from + 1 < span) return { maxSpan: limit.to - limit.from + 1, source: 'suggested' };
      return halved;
    case 'stated':
      // A cap we already respect means the complaint is about something else (result size): halve.
      return limit.maxSpan < span ? { maxSpan: limit.maxSpan, source: 'stated' } : halved;
    case 'unspecified':
      return halved;
  }
}

/**
 * Reads a provider's range complaint for the request `from..to` (inclusive). Returns null when `text` is
 * not a range complaint, or is a rate limit.
 */
export function parseRangeText(text: string, from: number, to: number): RangeHint | null {
  const limit = readRangeLimit(text);
  return limit === null ? null : rangeHint(limit, from, to);
}

/** True when `text` is a block-range / result-size complaint that splitting the range would fix. */
export function looksLikeRangeError(text: string): boolean {
  return readRangeLimit(text) !== null;
}

/** "10,000" → 10000, "2K" → 2000, "300." → 300. */
function parseCount(raw: string): number | null {
  const s = raw.trim().replace(/[.,]+$/, '');
  const kilo = /k$/i.test(s);
  const digits = kilo ? s.slice(0, -1) : s;
  // "2.5K" is a decimal; "10.000" and "10,000" are thousands separators.
  const n = kilo ? Math.round(Number.parseFloat(digits.replace(/,/g, '')) * 1000) : Number.parseInt(digits.replace(/[,.]/g, ''), 10);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
