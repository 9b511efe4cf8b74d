/**
 * One database holds several chains (a run across chains): each chain's head seen and genesis hash are
 * its own (sources/headers.ts chainMetaKey). Under one plain key, a destination chain's head overwrote
 * the home chain's, and each was judged against the other's: a chain whose block numbers lie more than
 * the head check's slack (10,000 blocks) above the other's was refused as a head too far past the one
 * seen. Two anvils a few blocks apart (mining past the slack takes anvil minutes): each head is kept and
 * read under its own chain's key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createRpcClient } from '../src/rpc/client.js';
import { createStore } from '../src/store/store.js';
import { connect } from '../src/trace/run.js';
import { tempDb } from './helpers/trace.js';

let home: AnvilHandle;
let far: AnvilHandle;
beforeAll(async () => {
  [home, far] = await Promise.all([startAnvil({ chainId: 1 }), startAnvil({ chainId: 42161 })]);
  await fetch(far.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_mine', params: ['0x5'] }) });
}, 60_000);
afterAll(async () => {
  await Promise.all([home?.stop(), far?.stop()]);
});

describe('per-chain meta of one database', () => {
  it('judges each chain by its own last head, run after run', async () => {
    const db = tempDb();
    const client = (url: string) => createRpcClient({ url, rps: 500 });
    for (let run = 0; run < 2; run++) {
      const a = createStore(db);
      const b = createStore(db, { repair: false, chainId: 42161 });
      try {
        const ca = await connect(client(home.url), a, 64);
        const cb = await connect(client(far.url), b, 64, 42161);
        expect(cb.head.number).toBeGreaterThan(ca.head.number);
        expect(JSON.parse(a.getMeta('head_seen')!).number).toBe(ca.head.number);
        expect(JSON.parse(a.getMeta('head_seen@42161')!).number).toBe(cb.head.number);
      } finally {
        a.close();
        b.close();
      }
    }
  }, 60_000);
});
