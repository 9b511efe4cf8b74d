/**
 * Several endpoints (`--rpc` repeated) behind the one RpcClient interface the rest of hoptrace uses.
 *
 * - Each endpoint keeps its own client: its own adaptive rps budget, concurrency cap and retries.
 * - A request goes to the healthy endpoint with the fewest requests in flight (ties: the one given first).
 * - An endpoint that fails a request after its own retries (overloaded, timing out, unreachable) is
 *   demoted for a cool-down that doubles while it keeps failing, and the request moves on to the next
 *   endpoint: one bad endpoint costs its retries once, then stops stalling the trace.
 * - An endpoint that does not serve a method is not asked for it again; another one is. Capability
 *   probing through the pool therefore sees what the set of endpoints serves together, and a method only
 *   counts as missing when every endpoint refuses it.
 * - Deterministic answers (a range too large, invalid params) are the caller's to handle and pass through.
 *   All endpoints must serve the same chain: `checkSameChain`.
 */

import { HoptraceError, RpcError, UsageError } from '../errors.js';
import { sumTimings, type RequestOptions, type RpcClient } from './client.js';
import { getChainId } from './actions/chainId.js';
import { MethodUnsupportedError } from './errors.js';

/** First cool-down of a demoted endpoint; doubled per further failure, capped. */
const DEMOTE_MS = 5_000;
const DEMOTE_CAP_MS = 120_000;

interface Member {
  client: RpcClient;
  inFlight: number;
  failures: number;
  demotedUntil: number;
  refuses: Set<string>;
}

/** A pool of endpoint clients, itself an RpcClient. */
export interface RpcPool extends RpcClient {
  readonly members: readonly RpcClient[];
}

/** Wraps `clients` (at least one; a single client is returned as a pool of one with the same behaviour). */
export function createRpcPool(clients: readonly RpcClient[], now: () => number = Date.now): RpcPool {
  if (clients.length === 0) throw new Error('createRpcPool: no clients');
  const members: Member[] = clients.map((client) => ({ client, inFlight: 0, failures: 0, demotedUntil: 0, refuses: new Set() }));

  /** Candidates for `method`, best first; endpoints already tried for this request are left out. */
  const order = (method: string, tried: ReadonlySet<Member>): Member[] => {
    const t = now();
    const open = members.filter((m) => !tried.has(m) && !m.refuses.has(method));
    const healthy = open.filter((m) => m.demotedUntil <= t).sort((a, b) => a.inFlight - b.inFlight);
    // When every endpoint is demoted, the one back soonest is still asked: demotion steers, it never
    // stops the trace on its own.
    const demoted = open.filter((m) => m.demotedUntil > t).sort((a, b) => a.demotedUntil - b.demotedUntil);
    return [...healthy, ...demoted];
  };

  const endpoint = clients.map((c) => c.endpoint).join(' + ');

  async function request<T>(method: string, params: unknown[], opts?: RequestOptions): Promise<T> {
    const tried = new Set<Member>();
    let last: unknown;
    for (;;) {
      const m = order(method, tried)[0];
      if (m === undefined) {
        // Every endpoint refused this method earlier in the run: say so as a node would (-32601).
        throw last ?? new MethodUnsupportedError(`${method} is not served by any of the endpoints ${endpoint}.`, { method, endpoint, code: -32601, retryable: false });
      }
      tried.add(m);
      m.inFlight += 1;
      try {
        const result = await m.client.request<T>(method, params, opts);
        m.failures = 0;
        m.demotedUntil = 0;
        return result;
      } catch (err) {
        last = err;
        if (members.length === 1) throw err;
        if (err instanceof MethodUnsupportedError) {
          m.refuses.add(method);
          continue;
        }
        if (err instanceof RpcError && (err.retryable || (err.status === undefined && err.code === undefined))) {
          m.failures += 1;
          m.demotedUntil = now() + Math.min(DEMOTE_CAP_MS, DEMOTE_MS * 2 ** (m.failures - 1));
          continue;
        }
        throw err;
      } finally {
        m.inFlight -= 1;
      }
    }
  }

  return {
    endpoint,
    members: clients,
    request,
    get stats() {
      const byMethod: Record<string, number> = {};
      let total = 0;
      let roundTrips = 0;
      for (const c of clients) {
        total += c.stats.total;
        roundTrips += c.stats.roundTrips;
        for (const [k, v] of Object.entries(c.stats.byMethod)) byMethod[k] = (byMethod[k] ?? 0) + v;
      }
      return { total, byMethod, roundTrips };
    },
    // The planner prices plans for the pool as a whole (its cost table is kept under the pool's
    // endpoint): the members' times, summed per cost key.
    get timing() {
      return sumTimings(clients.map((c) => c.timing));
    },
    resetStats() {
      for (const c of clients) c.resetStats();
    },
    get rps() {
      return clients.reduce((n, c) => n + c.rps, 0);
    },
  };
}

/**
 * Asks every endpoint of the pool for its chain id, through `readChainId` (default: the getChainId
 * action); refuses, in one
 * sentence, endpoints that disagree (answers from two chains mixed into one database would be
 * nonsense). An endpoint that does not answer is left to the pool's failover; with none answering, the
 * first request says why. Returns the agreed chain id, or undefined when it was not read: a single
 * endpoint (not asked here), or none answering.
 */
export async function checkSameChain(pool: RpcPool, readChainId: (client: RpcClient) => Promise<number> = getChainId): Promise<number | undefined> {
  if (pool.members.length < 2) return undefined;
  const answers = await Promise.allSettled(pool.members.map((c) => readChainId(c)));
  const chains: [string, number][] = [];
  answers.forEach((a, i) => {
    // A wrong URL (not JSON-RPC, an HTTP refusal on first contact, an answer that is not a chain id) is
    // bad input even among good ones; an endpoint that is down or overloaded is left to failover.
    if (a.status === 'rejected' && a.reason instanceof HoptraceError && a.reason.exitCode === 2) throw a.reason;
    if (a.status === 'fulfilled') chains.push([pool.members[i]!.endpoint, a.value]);
  });
  if (new Set(chains.map(([, c]) => c)).size > 1) {
    throw new UsageError(`the RPC endpoints serve different chains: ${chains.map(([e, c]) => `${e} serves chain ${c}`).join(', ')}.`, {
      hint: 'pass --rpc endpoints of one chain only',
    });
  }
  return chains[0]?.[1];
}
