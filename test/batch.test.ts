/**
 * JSON-RPC batches (issue 15 item 1): small reads asked together travel as one batch, and every way an
 * endpoint can refuse or mangle a batch — refused, answered partly, reordered, an id answered twice, a
 * member answered with an error, a wrong header inside it, rate-limited — gives either the node's own
 * answers or one clear sentence, never another member's answer. Against anvil, through the faulty proxy.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import { InvalidResponseError, RpcError } from '../src/errors.js';
import { getBlock, type BlockHead } from '../src/rpc/actions/getBlock.js';
import { createRpcClient, type RpcClient, type RpcClientOptions } from '../src/rpc/client.js';
import { createHeaderCache, createHeaders } from '../src/sources/headers.js';
import { createBlockCheck } from '../src/sources/validate.js';
import { createStore } from '../src/store/store.js';
import { startProxy, type FaultKind, type Proxy } from './helpers/proxy.js';
import { tempDb } from './helpers/trace.js';

const HEAD = 120;
const hex = (n: number): string => `0x${n.toString(16)}`;
let anvil: AnvilHandle;
let proxy: Proxy;

beforeAll(async () => {
  anvil = await startAnvil();
  await createScenario(anvil.url).mine(HEAD);
}, 60_000);
afterAll(async () => {
  await anvil?.stop();
});
beforeEach(async () => {
  proxy = await startProxy(anvil.url, { retryAfterSeconds: 0 });
});
afterEach(async () => {
  await proxy.stop();
});

const client = (o: Partial<RpcClientOptions> = {}): RpcClient => createRpcClient({ url: proxy.url, rps: 100_000, maxRps: 100_000, timeoutMs: 2_000, sleep: async () => {}, ...o });
/** The node's own headers, straight from anvil, one call each. */
const direct = (blocks: number[]): Promise<(BlockHead | null)[]> => {
  const c = createRpcClient({ url: anvil.url, batchSize: 1 });
  return Promise.all(blocks.map((n) => getBlock(c, n)));
};
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('batched headers', () => {
  it('asked together, go out as batches of at most the batch size: as many calls, a fraction of the round trips', async () => {
    const c = client({ batchSize: 10 });
    const blocks = range(1, 35);
    const got = await Promise.all(blocks.map((n) => getBlock(c, n)));
    expect(got).toEqual(await direct(blocks));
    // 35 headers in batches of 10: 4 HTTP requests, 35 calls for the provider's bill.
    expect(proxy.calls['eth_getBlockByNumber']).toBe(35);
    expect(proxy.roundTrips()).toBe(4);
    expect(proxy.batches()).toBe(4); // 10, 10, 10 and 5
    expect(c.stats).toMatchObject({ total: 35, roundTrips: 4, byMethod: { eth_getBlockByNumber: 35 } });
  });

  it('a call alone is sent alone, and trace_* is never batched', async () => {
    const c = client();
    expect(await getBlock(c, 7)).toEqual((await direct([7]))[0]);
    await Promise.all([c.request('trace_block', [hex(3)], { batch: true }), c.request('trace_block', [hex(4)], { batch: true })]);
    expect(proxy.batches()).toBe(0);
    expect(proxy.roundTrips()).toBe(3);
  });

  it.each<FaultKind>(['batch-refused', 'partial-batch', 'batch-duplicate', 'http429'])(
    '%s: every member gets its own header (the unsettled ones asked alone), and later batches are halved',
    async (kind) => {
      const c = client({ batchSize: 8 });
      proxy.inject(kind, { times: 1 });
      const blocks = range(10, 17);
      expect(await Promise.all(blocks.map((n) => getBlock(c, n)))).toEqual(await direct(blocks));
      expect(proxy.served[kind]).toBe(1);
      // The next 8 go out in batches of 4: the endpoint's trouble is remembered for the method.
      proxy.reset();
      const later = range(20, 27);
      expect(await Promise.all(later.map((n) => getBlock(c, n)))).toEqual(await direct(later));
      expect(proxy.batches()).toBe(2);
      expect(proxy.calls['eth_getBlockByNumber']).toBe(8);
    },
  );

  it("a member answered with a transient error of its own is asked again alone; the batch size stays", async () => {
    const c = client({ batchSize: 8 });
    proxy.inject('batch-member-error', { times: 1 });
    const blocks = range(10, 17);
    expect(await Promise.all(blocks.map((n) => getBlock(c, n)))).toEqual(await direct(blocks));
    expect(proxy.served['batch-member-error']).toBe(1);
    expect(proxy.roundTrips()).toBe(2);
    expect(proxy.calls['eth_getBlockByNumber']).toBe(9);
    proxy.reset();
    await Promise.all(range(20, 27).map((n) => getBlock(c, n)));
    expect(proxy.batches()).toBe(1);
  });

  it('a reordered batch is matched by id, and changes nothing', async () => {
    const c = client({ batchSize: 8 });
    proxy.inject('batch-reordered', { times: 1 });
    const blocks = range(30, 37);
    expect(await Promise.all(blocks.map((n) => getBlock(c, n)))).toEqual(await direct(blocks));
    expect(proxy.served['batch-reordered']).toBe(1);
    expect(proxy.roundTrips()).toBe(1);
  });

  it('an endpoint that refuses every batch is asked one call at a time after a few tries, with the right answers', async () => {
    await proxy.stop();
    proxy = await startProxy(anvil.url, { faults: { rate: 1, seed: 1, kinds: ['batch-refused'] } });
    const c = client({ batchSize: 16 });
    for (const part of [range(40, 55), range(56, 71), range(72, 87), range(88, 103), range(104, 119)]) {
      expect(await Promise.all(part.map((n) => getBlock(c, n)))).toEqual(await direct(part));
    }
    // 16 → 8 → 4 → 2 → 1, every batch of a size in flight at once refused before the size halved:
    // 1 + 2 + 4 + 8 refused batches, then single calls only.
    expect(proxy.served['batch-refused']).toBe(15);
    proxy.reset();
    await Promise.all(range(1, 4).map((n) => getBlock(c, n)));
    expect(proxy.batches()).toBe(0);
  });

  it("a member's own error is that member's: the others get their answers", async () => {
    const c = client();
    const asks = [c.request('eth_getBlockByNumber', [hex(5), false], { batch: true }), c.request('eth_getBlockByNumber', ['0xnot-a-block', false], { batch: true }), c.request('eth_getBlockByNumber', [hex(6), false], { batch: true })];
    const [a, b, d] = (await Promise.allSettled(asks)) as [PromiseSettledResult<unknown>, PromiseSettledResult<unknown>, PromiseSettledResult<unknown>];
    expect(proxy.batches()).toBe(1);
    expect(a.status).toBe('fulfilled');
    expect(d.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    const err = (b as PromiseRejectedResult).reason as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.message).toMatch(/^eth_getBlockByNumber failed at http:\/\/127\.0\.0\.1:\d+: /);
    expect((a as PromiseFulfilledResult<{ number: string }>).value.number).toBe(hex(5));
    expect((d as PromiseFulfilledResult<{ number: string }>).value.number).toBe(hex(6));
  });

  it('a wrong header inside a batch is refused as that block\'s answer (another block than asked)', async () => {
    const c = client({ batchSize: 8 });
    proxy.inject('wrong-block', { times: 1 });
    const blocks = range(50, 57);
    const got = await Promise.allSettled(blocks.map((n) => getBlock(c, n)));
    expect(proxy.served['wrong-block']).toBe(1);
    const refused = got.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidResponseError);
    expect(String((refused[0] as PromiseRejectedResult).reason.message)).toMatch(/returned block 49 for block 50/);
    const want = await direct(blocks);
    got.forEach((r, i) => {
      if (r.status === 'fulfilled') expect(r.value).toEqual(want[i]);
    });
  });

  it('the head read as "latest" serves a later read of its block by number: one header call, not two', async () => {
    const c = client();
    const store = createStore(tempDb());
    try {
      store.bindChain(31337, c.endpoint);
      const headers = createHeaders(c, store);
      const head = await headers.head();
      const before = proxy.calls['eth_getBlockByNumber'] ?? 0;
      const again = await headers.cache.block(head.number);
      expect(again.hash).toBe(head.hash);
      expect(again).toEqual((await direct([head.number]))[0]);
      expect(proxy.calls['eth_getBlockByNumber'] ?? 0).toBe(before);
    } finally {
      store.close();
    }
  });

  it('validation through the cache: a wrong header in a batch is asked again, and only the right hash is stored', async () => {
    const c = client({ batchSize: 8 });
    const store = createStore(tempDb());
    try {
      store.bindChain(31337, c.endpoint);
      const check = createBlockCheck(createHeaderCache(c), store);
      const heads = (await direct(range(60, 67))) as BlockHead[];
      // Items as a trace_block answer gives them: the block number and the block's real hash.
      const items = heads.map((h) => ({ blockNumber: hex(h.number), blockHash: h.hash }));
      proxy.inject('wrong-block', { times: 1 });
      const { refetching } = await import('../src/rpc/refetch.js');
      await refetching('trace_block', c.endpoint, () => check.check(items, 'trace_block'));
      expect(proxy.served['wrong-block']).toBe(1);
      for (const h of heads) expect(store.block(h.number)?.hash).toBe(h.hash);
    } finally {
      store.close();
    }
  });
});
