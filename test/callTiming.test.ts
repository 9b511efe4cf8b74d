/**
 * Call timings added up (rpc/client.ts sumTimings): a pool's timing is its endpoints' together, and the
 * planner's cost table (sources/cost.ts) is earlier runs' stored observations plus this run's. No node.
 */
import { describe, expect, it } from 'vitest';
import { sumTimings, type CallTiming, type RpcClient } from '../src/rpc/client.js';
import { createRpcPool } from '../src/rpc/pool.js';
import { callCosts } from '../src/sources/cost.js';
import { createStore } from '../src/store/store.js';
import { tempDb } from './helpers/trace.js';

/** A client that is never asked anything: only its measured timing is read. */
const measured = (endpoint: string, timing: CallTiming): RpcClient => ({
  endpoint,
  request: () => Promise.reject(new Error('not asked')),
  stats: { total: 0, byMethod: {}, roundTrips: 0 },
  timing,
  resetStats() {},
  rps: 1,
});

describe('call timings added up', () => {
  it('sums calls and milliseconds key by key, a key of one part only kept as it is', () => {
    const a = { eth_getLogs: { calls: 2, ms: 30 }, trace_block: { calls: 1, ms: 5 } };
    const b = { eth_getLogs: { calls: 3, ms: 70 }, eth_chainId: { calls: 1, ms: 1 } };
    expect(sumTimings([a, b])).toEqual({ eth_getLogs: { calls: 5, ms: 100 }, trace_block: { calls: 1, ms: 5 }, eth_chainId: { calls: 1, ms: 1 } });
    expect(sumTimings([])).toEqual({});
    expect(a.eth_getLogs).toEqual({ calls: 2, ms: 30 }); // the parts are not changed
  });

  it("a pool's timing is its endpoints' together", () => {
    const pool = createRpcPool([measured('http://a.test', { eth_getLogs: { calls: 2, ms: 30 } }), measured('http://b.test', { eth_getLogs: { calls: 2, ms: 10 } })]);
    expect(pool.timing).toEqual({ eth_getLogs: { calls: 4, ms: 40 } });
  });

  it("the cost table is earlier runs' observations plus this run's, and saves them together", () => {
    const store = createStore(tempDb('costs.db'));
    try {
      const first = measured('http://a.test', { eth_getLogs: { calls: 4, ms: 40 } });
      callCosts(first, store).save();
      const second = callCosts(measured('http://a.test', { eth_getLogs: { calls: 1, ms: 60 }, trace_block: { calls: 2, ms: 8 } }), store);
      expect(second.calls('eth_getLogs')).toBe(5);
      expect(second.ms('eth_getLogs')).toBe(20);
      expect(second.ms('trace_block')).toBe(4);
      second.save();
      expect(callCosts(measured('http://a.test', {}), store).calls('eth_getLogs')).toBe(5);
    } finally {
      store.close();
    }
  });
});
