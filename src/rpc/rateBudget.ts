/**
 * An adaptive requests-per-second budget for one endpoint. p-limit bounds how many requests are in
 * flight; this bounds how often they start, because providers meter rate, not concurrency.
 *
 * AIMD, like TCP: halve on a throttle signal (429, rate-limit error, timeout), grow 5 % per success, within
 * [minRps, maxRps]. Slots are handed out by reservation (each caller is told when its turn is), so waiting
 * never spins, and an injected no-op `sleep` simply removes the waiting in tests.
 */

/** The budget a client consults before every HTTP request. */
export interface RateBudget {
  /** Current budget in requests per second. */
  readonly rps: number;
  /**
   * Waits for the next start slot of `calls` calls (default 1). A JSON-RPC batch of N takes N slots:
   * providers meter each member of a batch as one request (Alchemy's compute units and Infura's credits
   * are per member, and so are their per-second limits), so a batch saves round trips, not budget.
   */
  take(calls?: number): Promise<void>;
  /** A request succeeded: grow the budget a little. */
  onSuccess(): void;
  /** The provider pushed back: halve the budget (at most once per cooldown, see below). */
  onThrottle(): void;
}

const GROWTH = 1.05;
/**
 * Concurrent requests that hit the same 429 all report it at once; counting each would collapse the budget
 * to the floor. One halving per second is one reaction per burst.
 */
const THROTTLE_COOLDOWN_MS = 1_000;

/** Creates a budget starting at `rps` requests per second. */
export function createRateBudget(opts: {
  rps: number;
  minRps: number;
  maxRps: number;
  sleep: (ms: number) => Promise<void>;
  now?: () => number;
}): RateBudget {
  const now = opts.now ?? (() => performance.now());
  let rps = clamp(opts.rps, opts.minRps, opts.maxRps);
  let nextSlot = 0;
  let lastThrottle = Number.NEGATIVE_INFINITY;

  return {
    get rps() {
      return rps;
    },
    async take(calls = 1) {
      const t = now();
      const start = Math.max(t, nextSlot);
      nextSlot = start + (Math.max(1, calls) * 1000) / rps;
      if (start > t) await opts.sleep(start - t);
    },
    onSuccess() {
      rps = Math.min(opts.maxRps, rps * GROWTH);
    },
    onThrottle() {
      const t = now();
      if (t - lastThrottle < THROTTLE_COOLDOWN_MS) return;
      lastThrottle = t;
      rps = Math.max(opts.minRps, rps / 2);
    },
  };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
