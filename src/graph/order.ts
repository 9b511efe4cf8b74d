import type { Transfer } from '../types.js';

/**
 * Chain order of value movements, the order every taint model consumes them in.
 *
 * Across transactions: block number, then transaction index. Within one transaction the sources do not
 * record how logs and internal calls interleave (a log index counts logs only; a trace address counts
 * calls only), so we fix one order and document it:
 * 1. the top-level call (`trace:`): the transaction's own value moves before any code runs;
 * 2. internal calls (`trace:0`, `trace:0.1`, …) in depth-first pre-order, which is the order they
 *    start executing;
 * 3. logs (`log:<i>`) by log index, the order the EVM emitted them.
 * A contract that receives and forwards within one transaction (a router) is thus credited before it
 * spends for each kind separately; where the fixed order puts a spend before its receipt, the models
 * count the shortfall as funds of unknown (untainted) origin, never as tainted.
 */
export function compareChainOrder(a: Transfer, b: Transfer): number {
  return a.blockNumber - b.blockNumber || a.txIndex - b.txIndex || compareRefs(a.ref, b.ref) || (a.txHash < b.txHash ? -1 : a.txHash > b.txHash ? 1 : 0);
}

/** Orders two refs of one transaction as compareChainOrder describes. */
export function compareRefs(a: string, b: string): number {
  const ka = refOrderKey(a);
  const kb = refOrderKey(b);
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    const x = ka[i];
    const y = kb[i];
    if (x === undefined) return -1; // a parent call starts before its children
    if (y === undefined) return 1;
    if (x !== y) return x - y;
  }
  return 0;
}

const keys = new Map<string, number[]>();

/** The key compareRefs orders by: `trace:` → [0]; `trace:0.2` → [1, 0, 2]; `log:7` → [2, 7]. Unknown shapes sort last. */
export function refOrderKey(ref: string): readonly number[] {
  let k = keys.get(ref);
  if (k) return k;
  if (ref === 'trace:') k = [0];
  else if (ref.startsWith('trace:')) k = [1, ...ref.slice(6).split('.').map(Number)];
  else if (ref.startsWith('log:')) k = [2, Number(ref.slice(4))];
  else k = [3];
  if (keys.size < 100_000) keys.set(ref, k); // refs repeat across transactions; the cache stays bounded
  return k;
}
