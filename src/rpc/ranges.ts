/**
 * Block-range splitting for methods that take a range (eth_getLogs, trace_filter). Providers cap the range
 * or the result size and say so in an error; the client does not retry those (the same request would fail
 * the same way), the walker here shrinks the range instead and remembers what worked, per client and key,
 * so the next call starts at a span that does not fail.
 */

import { HoptraceError, RpcError } from '../errors.js';
import type { RpcClient } from './client.js';
import { collectText } from './classify.js';
import { RangeTooLargeError } from './errors.js';
import { rangeHint, readRangeLimit, type RangeHint } from './providerTexts.js';

export type { RangeHint } from './providerTexts.js';

/**
 * How to shrink the request `from..to` (inclusive) after `err`: where to stop instead (`suggestedTo`, the
 * provider's own suggestion), or how many blocks to ask for at most (`maxSpan`: the provider's stated cap,
 * or half the span when it named no number), or null when the error is not about the range (those must
 * propagate, not shrink). Decided by class: a RangeTooLargeError (the client read the provider's text when
 * the answer arrived), or a range query that timed out. An error that never passed through our client (a
 * caller's own `fetch` threw it) is read here once, as the client would have read it.
 *
 * @example
 * // err: RangeTooLargeError from "query returned more than 10000 results. Try with this block range [0x10, 0x20]."
 * parseRangeError(err, 16, 100) // { suggestedTo: 32, source: 'suggested' }
 */
export function parseRangeError(err: unknown, from: number, to: number): RangeHint | null {
  // A range query that keeps timing out is too heavy for the node (a busy contract, a long history):
  // halve it, as providers that time out instead of saying so need.
  if (err instanceof RpcError && err.timedOut && to > from) return rangeHint({ kind: 'unspecified' }, from, to);
  if (err instanceof RangeTooLargeError) return rangeHint(err.limit, from, to);
  // Any other error of ours was classified when it arose: not about the range.
  if (err instanceof HoptraceError) return null;
  const limit = readRangeLimit(collectText(err));
  return limit === null ? null : rangeHint(limit, from, to);
}

/** Options of `fetchRangeAdaptive`. */
export interface FetchRangeOptions<T> {
  /** What the span is learned for, e.g. 'eth_getLogs' or 'trace_filter'; remembered per client and key. */
  key: string;
  client: RpcClient;
  /** First block, inclusive. */
  from: number;
  /** Last block, inclusive. */
  to: number;
  /** Fetches one chunk `from..to` (inclusive), usually one `client.request` call. */
  fetch: (from: number, to: number) => Promise<T>;
  /**
   * Receives each completed chunk, in ascending order, exactly once. Write the chunk's rows and its interval
   * marker in one transaction here, so a crash resumes at the first chunk not written.
   */
  onChunk: (from: number, to: number, result: T) => void | Promise<void>;
}

/** What was learned about one (client, key): the span to start with and the provider's hard cap. */
interface SpanMemory {
  span: number | undefined;
  cap: number;
}

const memory = new WeakMap<RpcClient, Map<string, SpanMemory>>();

/** Successful full-span chunks in a row before the span grows. */
const GROW_AFTER = 3;
/** Growth factor: cautious, since a failure costs a whole request. */
const GROWTH = 1.5;

/**
 * Walks `from..to` in chunks, shrinking on range errors (the provider's suggestion, else its stated cap,
 * else half) and growing cautiously after successes, and hands each chunk to `onChunk` in ascending order.
 * A single block that still fails rethrows the original error; errors that are not about the range
 * propagate unchanged. An empty range (`from > to`) does nothing.
 *
 * @example
 * await fetchRangeAdaptive({
 *   key: 'trace_filter', client, from: 0, to: head,
 *   fetch: (a, b) => client.request('trace_filter', [{ fromBlock: toHex(a), toBlock: toHex(b) }]),
 *   onChunk: (a, b, traces) => store.writeTraces(a, b, traces),
 * });
 */
export async function fetchRangeAdaptive<T>(opts: FetchRangeOptions<T>): Promise<void> {
  const { from, to } = opts;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0) {
    throw new RangeError(`fetchRangeAdaptive: bad block range ${from}..${to}`);
  }
  if (from > to) return;
  const mem = memoryFor(opts.client, opts.key);
  let span = Math.min(mem.cap, mem.span ?? to - from + 1);
  let streak = 0;
  let cursor = from;
  // Within one walk, never grow back to a span that already failed here (result-size limits depend on
  // how dense the region is, so this is not remembered across calls; stated caps are, in mem.cap).
  let failedSpan = Number.POSITIVE_INFINITY;

  while (cursor <= to) {
    const end = Math.min(to, cursor + span - 1);
    const asked = end - cursor + 1;
    let result: T;
    try {
      result = await opts.fetch(cursor, end);
    } catch (err) {
      const hint = parseRangeError(err, cursor, end);
      if (hint === null) throw err;
      const next = hint.suggestedTo !== undefined ? hint.suggestedTo - cursor + 1 : (hint.maxSpan ?? Math.floor(asked / 2));
      // Nothing left to shrink, or a hint that would not shrink: asking again would fail the same way.
      if (asked <= 1 || next < 1 || next >= asked) throw err;
      if (hint.source === 'stated') mem.cap = Math.min(mem.cap, next);
      failedSpan = Math.min(failedSpan, asked);
      span = next;
      mem.span = span;
      streak = 0;
      continue;
    }
    await opts.onChunk(cursor, end, result);
    cursor = end + 1;
    // Only a chunk of the full span says the span works; the short tail at `to` proves nothing.
    if (asked === span) {
      mem.span = span;
      streak += 1;
      const ceiling = Math.min(mem.cap, failedSpan - 1);
      if (streak >= GROW_AFTER && span < ceiling) {
        span = Math.min(ceiling, Math.ceil(span * GROWTH));
        streak = 0;
      }
    }
  }
}

/** The span `fetchRangeAdaptive` would start with for (client, key), or undefined before anything was learned. */
export function learnedSpan(client: RpcClient, key: string): number | undefined {
  const mem = memory.get(client)?.get(key);
  if (mem === undefined) return undefined;
  return mem.span === undefined ? (Number.isFinite(mem.cap) ? mem.cap : undefined) : Math.min(mem.span, mem.cap);
}

function memoryFor(client: RpcClient, key: string): SpanMemory {
  let byKey = memory.get(client);
  if (byKey === undefined) {
    byKey = new Map();
    memory.set(client, byKey);
  }
  let mem = byKey.get(key);
  if (mem === undefined) {
    mem = { span: undefined, cap: Number.POSITIVE_INFINITY };
    byKey.set(key, mem);
  }
  return mem;
}
