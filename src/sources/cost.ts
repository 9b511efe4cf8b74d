import { sumTimings, type CallTiming, type RpcClient } from '../rpc/client.js';
import type { Store } from '../store/store.js';

/**
 * What calls cost on one endpoint, in milliseconds per call, per cost key (a method, or a method in one
 * use: `eth_getLogs:address`, `eth_getLogs:scan`). Measured by the RPC client on every answered call and
 * kept per (redacted) endpoint in the store's meta, like the capabilities, so a later run plans with
 * what earlier runs saw. Older observations weigh less: the sums are scaled down past KEEP_CALLS calls.
 */
export interface CallCosts {
  /** Mean milliseconds per call under `key`, or undefined when never observed. */
  ms(key: string): number | undefined;
  /** Answered calls observed under `key` (earlier runs, scaled, and this one). */
  calls(key: string): number;
  /** Mean milliseconds per call over every key observed, or undefined when nothing was. */
  mean(): number | undefined;
  /** Writes the merged observations (earlier runs + this one) to the store. */
  save(): void;
}

const KEEP_CALLS = 2_000;

/** The cost table of the endpoint `rpc` talks to, from `store` plus what `rpc` measures from now on. */
export function callCosts(rpc: RpcClient, store: Store): CallCosts {
  const metaKey = `cost:${rpc.endpoint}`;
  const prior = parse(store.getMeta(metaKey));
  const merged = (): CallTiming => sumTimings([prior, rpc.timing]);
  return {
    ms(key) {
      const t = merged()[key];
      return t && t.calls > 0 ? t.ms / t.calls : undefined;
    },
    calls: (key) => merged()[key]?.calls ?? 0,
    mean() {
      const all = Object.values(merged()).filter((t) => t.calls > 0);
      return all.length > 0 ? all.reduce((a, t) => a + t.ms / t.calls, 0) / all.length : undefined;
    },
    save() {
      const out = merged();
      for (const t of Object.values(out)) {
        if (t.calls > KEEP_CALLS) {
          t.ms = (t.ms / t.calls) * KEEP_CALLS;
          t.calls = KEEP_CALLS;
        }
      }
      store.setMeta(metaKey, JSON.stringify(out));
    },
  };
}

/** A stored table, or an empty one when absent or not what we wrote (it is only a hint). */
function parse(text: string | null): CallTiming {
  if (text === null) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null) return {};
    const out: CallTiming = {};
    for (const [k, t] of Object.entries(v as Record<string, unknown>)) {
      const o = t as { calls?: unknown; ms?: unknown };
      if (typeof o?.calls === 'number' && typeof o.ms === 'number' && o.calls > 0 && o.ms >= 0) out[k] = { calls: o.calls, ms: o.ms };
    }
    return out;
  } catch {
    return {};
  }
}

/** What a plan needs: calls per cost key. */
export type CallCounts = Record<string, number>;

/**
 * Milliseconds a plan is expected to take, from the measured costs. A key never observed is priced at the
 * mean of the keys that were, so with nothing measured yet plans compare by call counts, as they used to.
 */
export function planCost(plan: CallCounts, costs: CallCosts): number {
  const fallback = costs.mean() ?? 1;
  return Object.entries(plan).reduce((sum, [k, n]) => sum + n * (costs.ms(k) ?? fallback), 0);
}
