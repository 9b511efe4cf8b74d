/**
 * The block check's choice of header (sources/validate.ts): a trace_block answer of an even block is
 * checked against the next block's parentHash, a log always against its own block's header (hash and
 * bloom). Pure logic: a header cache of made-up headers, no node.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BlockHead } from '../src/rpc/actions/getBlock.js';
import type { HeaderCache } from '../src/sources/headers.js';
import { createBlockCheck, hashWitness } from '../src/sources/validate.js';
import { createStore, type Store } from '../src/store/store.js';
import { tempDb } from './helpers/trace.js';

const HEAD = 9;
const hashOf = (n: number): string => `0x${n.toString(16).padStart(2, '0').repeat(32)}`;
/** A bloom with every bit set: only the hash decides. */
const FULL = new Uint8Array(256).fill(0xff);
const header = (n: number, bloom: Uint8Array = FULL): BlockHead => ({ number: n, hash: hashOf(n), parentHash: hashOf(n - 1), bloom, timestamp: 1000 + n, transactions: [] });

/** A header cache over made-up headers that records which blocks were read. */
function fakeCache(bloomOf: (n: number) => Uint8Array = () => FULL): HeaderCache & { reads: number[] } {
  const held = new Map<number, BlockHead>();
  const reads: number[] = [];
  const load = async (n: number): Promise<BlockHead> => {
    if (!held.has(n)) {
      reads.push(n);
      held.set(n, header(n, bloomOf(n)));
    }
    return held.get(n)!;
  };
  return { reads, load, block: load, has: (n) => held.has(n), forget: (n) => void held.delete(n), expect: () => () => undefined, seed: (n, h) => void held.set(n, h) };
}

const trace = (n: number, hash = hashOf(n)) => ({ blockNumber: `0x${n.toString(16)}`, blockHash: hash });
const log = (n: number, address: string, hash = hashOf(n)) => ({ ...trace(n, hash), address, topics: [] as string[] });

let store: Store | undefined;
const newStore = (): Store => {
  store = createStore(tempDb());
  store.bindChain(31337, 'test');
  return store;
};
afterEach(() => store?.close());

describe('hashWitness', () => {
  it('pairs an even block with the next one, never above the head', () => {
    expect([4, 5, 8, 9].map((n) => hashWitness(n, HEAD))).toEqual([5, 5, 9, 9]);
    expect(hashWitness(8, 8)).toBe(8);
  });
});

describe('trace_block answers checked by the next block’s parent hash', () => {
  it('accept the true hash of an even block reading only the next header, and store only headers checked about themselves', async () => {
    const cache = fakeCache();
    const s = newStore();
    await createBlockCheck(cache, s, HEAD).check([trace(4), trace(5)], 'trace_block');
    expect(cache.reads).toEqual([5]);
    expect(s.block(5)?.hash).toBe(hashOf(5));
    // Block 4's hash was proven by 5's parentHash, but its time was never read: no row for it.
    expect(s.block(4)).toBeNull();
  });

  it("refuse an even block's traces carrying the witness's own hash (block n + 1's, a node one block ahead)", async () => {
    const cache = fakeCache();
    await expect(createBlockCheck(cache, newStore(), HEAD).check([trace(4, hashOf(5))], 'trace_block')).rejects.toThrow(
      /trace_block returned block 4 with hash 0x05050505…, but block 4 is 0x04040404… \(the parent hash of block 5\)/,
    );
  });

  it('refuse a hash no header names, and forget the witness so that the refetch reads it again', async () => {
    const cache = fakeCache();
    await expect(createBlockCheck(cache, newStore(), HEAD).check([trace(6, `0x${'ba'.repeat(32)}`)], 'trace_block')).rejects.toThrow(/block 6 is 0x06060606/);
    expect(cache.has(7)).toBe(false);
  });

  it('use the block’s own header when it is already held (no extra read), and at the head', async () => {
    const cache = fakeCache();
    await cache.load(4);
    await createBlockCheck(cache, newStore(), HEAD).check([trace(4)], 'trace_block');
    await createBlockCheck(cache, newStore(), 8).check([trace(8)], 'trace_block');
    expect(cache.reads).toEqual([4, 8]);
  });

  it('are not paired for other methods (trace_filter answers are scattered: pairing would save no read)', async () => {
    const cache = fakeCache();
    await createBlockCheck(cache, newStore(), HEAD).check([trace(4)], 'trace_filter');
    expect(cache.reads).toEqual([4]);
  });
});

describe('logs', () => {
  it("are checked against their own block's bloom even where a trace of the block would take the next block's header", async () => {
    // Block 4's bloom is empty: a log of block 4 with the true hash is still a log the block never emitted.
    // Checked by hash alone (the next block's parentHash, or a trace of the same block agreeing), it would pass.
    const cache = fakeCache((n) => (n === 4 ? new Uint8Array(256) : FULL));
    const check = createBlockCheck(cache, newStore(), HEAD);
    await check.check([trace(4)], 'trace_block');
    await expect(check.check([log(4, '0x00000000000000000000000000000000000f0f0f')], 'eth_getLogs')).rejects.toThrow(
      /eth_getLogs returned a log that block 4's logs bloom rules out/,
    );
    expect(cache.reads).toEqual([5, 4]);
  });
});
