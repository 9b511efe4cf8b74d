/**
 * How many addresses one set query takes (trace_filter's address list, eth_getLogs's topic OR-list),
 * learned per endpoint (RPC client) and span key as rpc/ranges.ts learns block spans: a modest start,
 * halved when the endpoint refuses a set as too large (too many results, a timeout), grown cautiously
 * after sets that worked, never past a size that was refused in this run.
 */
import type { RpcClient } from '../rpc/client.js';

/** The first set size: within what providers document for address lists and topic OR-lists. */
export const START_SET = 150;
/** The largest set ever asked for. */
export const MAX_SET = 1_000;
/** Growth: by half again, after this many full-size sets answered in a row (cautious: a refusal costs a call). */
const GROW = { after: 3, factor: 1.5 } as const;

interface SetMemory {
  size: number;
  /** The largest size that may be asked (below one that was refused). */
  cap: number;
  streak: number;
}

const memory = new WeakMap<RpcClient, Map<string, SetMemory>>();

function memoryFor(client: RpcClient, key: string): SetMemory {
  let byKey = memory.get(client);
  if (byKey === undefined) memory.set(client, (byKey = new Map()));
  let m = byKey.get(key);
  if (m === undefined) byKey.set(key, (m = { size: START_SET, cap: MAX_SET, streak: 0 }));
  return m;
}

/** The set size to ask `client` for under `key` now. */
export function learnedSetSize(client: RpcClient, key: string): number {
  const m = memory.get(client)?.get(key);
  return m === undefined ? START_SET : Math.min(m.size, m.cap);
}

/** A set of `asked` addresses was refused: later sets are at most half of it. */
export function setRefused(client: RpcClient, key: string, asked: number): void {
  const m = memoryFor(client, key);
  m.cap = Math.max(1, Math.min(m.cap, Math.floor(asked / 2)));
  m.size = Math.min(m.size, m.cap);
  m.streak = 0;
}

/** A set of `asked` addresses was answered: after a few full-size sets in a row, the size grows. */
export function setAnswered(client: RpcClient, key: string, asked: number): void {
  const m = memoryFor(client, key);
  if (asked < m.size) return; // a short remainder proves nothing about the size
  m.streak += 1;
  if (m.streak >= GROW.after && m.size < m.cap) {
    m.size = Math.min(m.cap, Math.ceil(m.size * GROW.factor));
    m.streak = 0;
  }
}
