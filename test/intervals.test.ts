/**
 * Which blocks are already held: the interval algebra (src/util/intervals.ts) and the interval markers
 * the store keeps beside its rows (src/store/store.ts), without a node. Work to do = wanted − held.
 * The rule that a block scan covers every address's per-address ranges lives in sources/ (the
 * fetcher's planner) and is tested there through anvil.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANY_ADDRESS, createStore } from '../src/store/store.js';
import { createMemoryWorld } from '../src/trace/memoryWorld.js';
import { chunks, difference, size, union } from '../src/util/intervals.js';
import { addr, move } from './helpers/walk.js';
import { tempDb } from './helpers/trace.js';

describe('interval algebra', () => {
  it('union sorts, merges overlapping and adjacent intervals, and drops empty ones', () => {
    expect(union([[10, 20], [1, 3], [4, 6], [15, 25], [30, 29], [40, 40]])).toEqual([[1, 6], [10, 25], [40, 40]]);
    // Adjacent (3 then 4) is one interval; a gap of one block (6, then 8) is not.
    expect(union([[1, 3], [4, 6], [8, 9]])).toEqual([[1, 6], [8, 9]]);
    expect(union([[1, 10], [2, 3]])).toEqual([[1, 10]]);
    expect(union([])).toEqual([]);
  });

  it('difference is what is wanted and not held, with both ends inclusive', () => {
    expect(difference([1, 100], [])).toEqual([[1, 100]]);
    expect(difference([1, 100], [[1, 100]])).toEqual([]);
    expect(difference([1, 100], [[0, 200]])).toEqual([]);
    expect(difference([1, 100], [[10, 20], [30, 40]])).toEqual([[1, 9], [21, 29], [41, 100]]);
    expect(difference([10, 20], [[1, 10], [20, 30]])).toEqual([[11, 19]]);
    // Held pieces in any order, overlapping: as their union.
    expect(difference([1, 50], [[30, 40], [5, 10], [8, 12]])).toEqual([[1, 4], [13, 29], [41, 50]]);
    // Held entirely outside, and an empty want.
    expect(difference([10, 20], [[1, 5], [25, 30]])).toEqual([[10, 20]]);
    expect(difference([20, 10], [])).toEqual([]);
    // One block left at either end, and a one-block want.
    expect(difference([1, 10], [[1, 9]])).toEqual([[10, 10]]);
    expect(difference([1, 10], [[2, 10]])).toEqual([[1, 1]]);
    expect(difference([5, 5], [])).toEqual([[5, 5]]);
  });

  it('size counts blocks; chunks cut an interval into spans of at most n blocks', () => {
    expect(size([[1, 1], [5, 14]])).toBe(11);
    expect(size([])).toBe(0);
    expect(chunks([1, 10], 4)).toEqual([[1, 4], [5, 8], [9, 10]]);
    expect(chunks([7, 7], 100)).toEqual([[7, 7]]);
    expect(size(chunks([3, 1002], 7))).toBe(1000);
  });
});

describe('the store keeps interval markers with its rows', () => {
  it('merges the ranges marked per address and source; truncates them above a block on a reorg or a moved head', () => {
    const path = tempDb('intervals.db');
    const store = createStore(path);
    try {
      store.bindChain(31337, 'test');
      const [a, b] = [addr(), addr()];
      const row = move(a, b, 15);
      expect(store.commit([row], [{ address: a, source: 'logs:from', from: 10, to: 20 }])).toBe(1);
      store.commit([], [{ address: a, source: 'logs:from', from: 21, to: 30 }, { address: a, source: 'logs:from', from: 40, to: 50 }]);
      store.commit([], [{ address: ANY_ADDRESS, source: 'scan:logs', from: 0, to: 5 }]);
      expect(store.intervals(a, 'logs:from')).toEqual([[10, 30], [40, 50]]);
      // Per source and per address: nothing leaks to the other end, another address or the scans.
      expect(store.intervals(a, 'logs:to')).toEqual([]);
      expect(store.intervals(b, 'logs:from')).toEqual([]);
      expect(store.intervals(ANY_ADDRESS, 'scan:logs')).toEqual([[0, 5]]);
      // The head moved on: what was read near the old head is marked unread, the rows stay.
      store.forgetIntervalsAbove(25);
      expect(store.intervals(a, 'logs:from')).toEqual([[10, 25]]);
      expect(store.transfersOf(a, 'from', 0, 100)).toEqual([row]);
      // A reorg below the row: rows and markers above the fork go.
      store.rollbackAbove(12);
      expect(store.intervals(a, 'logs:from')).toEqual([[10, 12]]);
      expect(store.transfersOf(a, 'from', 0, 100)).toEqual([]);
      expect(store.intervals(ANY_ADDRESS, 'scan:logs')).toEqual([[0, 5]]);
    } finally {
      store.close();
      rmSync(dirname(path), { recursive: true, force: true });
    }
  });
});

describe('the in-memory world holds what was ensured', () => {
  it('held is true only for ensured windows; a logs-only ensure holds only logs-only needs; reading the unheld throws', async () => {
    const [a, b] = [addr(), addr()];
    const world = createMemoryWorld({ transfers: [move(a, b, 5), move(a, b, 50)] });
    const need = { address: a, side: 'from' as const, from: 1, to: 60 };
    expect(world.held(need)).toBe(false);
    expect(() => world.transfersOf(a, 'from', 1, 60)).toThrow(/without ensuring/);
    await world.ensure([{ ...need, logsOnly: true }]);
    expect(world.held({ ...need, logsOnly: true })).toBe(true);
    expect(world.held(need)).toBe(false);
    await world.ensure([{ ...need, to: 30 }, { ...need, from: 31 }]);
    expect(world.held(need)).toBe(true);
    expect(world.held({ ...need, side: 'to' })).toBe(false);
    expect(world.transfersOf(a, 'from', 1, 60).map((t) => t.blockNumber)).toEqual([5, 50]);
    expect(world.transfersOf(a, 'from', 6, 60).map((t) => t.blockNumber)).toEqual([50]);
  });
});
