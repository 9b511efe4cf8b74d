/**
 * The block check's choice of header (sources/validate.ts): a trace_block scan's blocks are checked
 * against the fewest headers (headerCover: its own, or the next block's parentHash), a log always against
 * its own block's header (hash and bloom). Pure logic: a header cache of made-up headers, no node.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BlockHead } from '../src/rpc/actions/getBlock.js';
import type { HeaderCache } from '../src/sources/headers.js';
import { createBlockCheck, headerCover } from '../src/sources/validate.js';
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

/** The fewest headers that witness every block of [from, to] (each block: itself or the one above, ≤ head; held blocks free and their own witness), by trying every set. */
function bruteMinimum(from: number, to: number, head: number, held: ReadonlySet<number>): number {
  const candidates: number[] = [];
  for (let n = from; n <= Math.min(to + 1, head); n++) if (!held.has(n)) candidates.push(n);
  let best = Infinity;
  for (let mask = 0; mask < 1 << candidates.length; mask++) {
    const chosen = new Set(held);
    candidates.forEach((n, i) => mask & (1 << i) && chosen.add(n));
    let ok = true;
    for (let n = from; n <= to && ok; n++) ok = chosen.has(n) || (n + 1 <= head && chosen.has(n + 1));
    if (ok) best = Math.min(best, candidates.filter((_, i) => mask & (1 << i)).length);
  }
  return best;
}

/** The witnesses of [from, to] chosen in batches of `size`, bottom up, as a scan chooses them. */
function coverInBatches(from: number, to: number, head: number, held: ReadonlySet<number>, size: number): number[] {
  const out: number[] = [];
  let picked = false;
  for (let a = from; a <= to; a += size) {
    const c = headerCover(a, Math.min(a + size - 1, to), head, (n) => held.has(n), picked);
    out.push(...c.witness);
    picked = c.topPicked;
  }
  return out;
}

describe('headerCover', () => {
  /** Patterns of held blocks (blocks with logs read their own header) over the blocks 10..21, head 21 or 25. */
  const patterns: number[][] = [[], [10], [21], [11, 12], [12, 14, 16], [13, 14, 15, 16], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21], [15, 17, 19, 22], [11, 20]];
  for (const head of [21, 25]) {
    for (const heldList of patterns) {
      it(`witnesses every block, a held one by its own header, with the fewest reads (held ${heldList.join(',') || 'none'}, head ${head})`, () => {
        const held = new Set(heldList.filter((n) => n <= head));
        const { witness } = headerCover(10, 21, head, (n) => held.has(n));
        witness.forEach((w, i) => {
          const n = 10 + i;
          expect(w === n || w === n + 1, `block ${n}`).toBe(true);
          expect(w).toBeLessThanOrEqual(head);
          if (held.has(n)) expect(w, `block ${n} is held`).toBe(n);
        });
        const reads = new Set(witness.filter((w) => !held.has(w))).size;
        expect(reads).toBe(bruteMinimum(10, 21, head, held));
        // Batch by batch, bottom up, a scan chooses the same.
        for (const size of [1, 2, 3, 5]) expect(coverInBatches(10, 21, head, held, size), `batches of ${size}`).toEqual(witness);
      });
    }
  }

  it('reads about one header per two blocks, never above the head', () => {
    expect(headerCover(4, 9, 9, () => false).witness).toEqual([5, 5, 7, 7, 9, 9]);
    expect(headerCover(4, 8, 8, () => false).witness).toEqual([5, 5, 7, 7, 8]);
  });
});

/** Checks trace_block answers of blocks `blocks` (one call per block, as a scan does) under a scan plan of batches of `size`. */
async function scanChecks(check: ReturnType<typeof createBlockCheck>, blocks: readonly number[], size: number, ready: Promise<unknown> = Promise.resolve(), answer = (n: number) => [trace(n)]) {
  const plan = check.planScan();
  for (let a = blocks[0]!; a <= blocks.at(-1)!; a += size) plan.batch(a, Math.min(a + size - 1, blocks.at(-1)!), ready);
  try {
    return await Promise.allSettled(blocks.map((n) => check.check(answer(n), 'trace_block')));
  } finally {
    plan.end();
  }
}

describe('trace_block answers of a scan checked by the fewest headers', () => {
  it('accept the true hash of a block reading only the next header, and store only headers checked about themselves', async () => {
    const cache = fakeCache();
    const s = newStore();
    const results = await scanChecks(createBlockCheck(cache, s, HEAD), [4, 5], 2);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(cache.reads).toEqual([5]);
    expect(s.block(5)?.hash).toBe(hashOf(5));
    // Block 4's hash was proven by 5's parentHash, but its time was never read: no row for it.
    expect(s.block(4)).toBeNull();
  });

  it('count the headers of blocks with logs, read once the logs are in, as free witnesses', async () => {
    const cache = fakeCache();
    let logsRead!: () => void;
    const ready = new Promise<void>((r) => (logsRead = r));
    const check = createBlockCheck(cache, newStore(), HEAD);
    const scan = scanChecks(check, [1, 2, 3, 4, 5, 6, 7, 8, 9], 4, ready);
    // The log check of blocks 2 and 7 reads their own headers (for the bloom) before the scan chooses.
    await check.check([log(2, '0x00000000000000000000000000000000000f0f0f'), log(7, '0x00000000000000000000000000000000000f0f0f')], 'eth_getLogs');
    logsRead();
    const results = await scan;
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    // 1 by 2, 2 own, 3 and 4 by 4, 5 and 6 by 6, 7 own, 8 and 9 by 9: three headers beyond the log blocks'.
    expect(cache.reads.slice(2).sort((a, b) => a - b)).toEqual([4, 6, 9]);
  });

  it('choose a batch once the logs of its own blocks are read, without waiting for those of the batches above', async () => {
    const cache = fakeCache();
    const check = createBlockCheck(cache, newStore(), HEAD);
    let secondRead!: () => void;
    const plan = check.planScan();
    plan.batch(1, 4, Promise.resolve());
    plan.batch(5, 9, new Promise<void>((r) => (secondRead = r)));
    // A check of the first batch settles while the second batch's logs are still being read.
    await check.check([trace(1)], 'trace_block');
    await check.check([log(7, '0x00000000000000000000000000000000000f0f0f')], 'eth_getLogs');
    secondRead();
    await Promise.all([2, 3, 4, 5, 6, 7, 8, 9].map((n) => check.check([trace(n)], 'trace_block')));
    plan.end();
    // 1 and 2 by 2, 3 and 4 by 4; 5 and 6 by 6, 7 by its own (read for its log), 8 and 9 by 9.
    expect([...cache.reads].sort((a, b) => a - b)).toEqual([2, 4, 6, 7, 9]);
  });

  it('find each block’s witness in a long scan of many batches: one header per two blocks, none twice', async () => {
    const cache = fakeCache();
    const blocks = Array.from({ length: 300 }, (_, i) => i + 1);
    const results = await scanChecks(createBlockCheck(cache, newStore(), 1000), blocks, 7);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect([...cache.reads].sort((a, b) => a - b)).toEqual(blocks.filter((n) => n % 2 === 0));
  });

  it("refuse a block's traces carrying its witness's own hash (block n + 1's, a node one block ahead)", async () => {
    const cache = fakeCache();
    const [r] = await scanChecks(createBlockCheck(cache, newStore(), HEAD), [4, 5], 2, undefined, (n) => [trace(n, hashOf(n + 1))]);
    expect(r?.status === 'rejected' && String((r.reason as Error).message)).toMatch(
      /trace_block returned block 4 with hash 0x05050505…, but block 4 is 0x04040404… \(the parent hash of block 5\)/,
    );
  });

  it('refuse a hash no header names, and forget the witness so that the refetch reads it again', async () => {
    const cache = fakeCache();
    const [r] = await scanChecks(createBlockCheck(cache, newStore(), HEAD), [6], 1, undefined, () => [trace(6, `0x${'ba'.repeat(32)}`)]);
    expect(r?.status === 'rejected' && String((r.reason as Error).message)).toMatch(/block 6 is 0x06060606… \(the parent hash of block 7\)/);
    expect(cache.has(7)).toBe(false);
  });

  it('use the block’s own header when it is already held (no extra read), and at the head', async () => {
    const cache = fakeCache();
    await cache.load(4);
    await scanChecks(createBlockCheck(cache, newStore(), HEAD), [4], 1);
    await scanChecks(createBlockCheck(cache, newStore(), 8), [8], 1);
    expect(cache.reads).toEqual([4, 8]);
  });

  it('are checked by their own header outside a scan, and for other methods (trace_filter answers are scattered: pairing would save no read)', async () => {
    const cache = fakeCache();
    await createBlockCheck(cache, newStore(), HEAD).check([trace(4)], 'trace_block');
    await createBlockCheck(cache, newStore(), HEAD).check([trace(6)], 'trace_filter');
    expect(cache.reads).toEqual([4, 6]);
  });
});

describe('logs', () => {
  it("are checked against their own block's bloom even where a trace of the block would take the next block's header", async () => {
    // Block 4's bloom is empty: a log of block 4 with the true hash is still a log the block never emitted.
    // Checked by hash alone (the next block's parentHash, or a trace of the same block agreeing), it would pass.
    const cache = fakeCache((n) => (n === 4 ? new Uint8Array(256) : FULL));
    const check = createBlockCheck(cache, newStore(), HEAD);
    await scanChecks(check, [4], 1);
    await expect(check.check([log(4, '0x00000000000000000000000000000000000f0f0f')], 'eth_getLogs')).rejects.toThrow(
      /eth_getLogs returned a log that block 4's logs bloom rules out/,
    );
    expect(cache.reads).toEqual([5, 4]);
  });
});
