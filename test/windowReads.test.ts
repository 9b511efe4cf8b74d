/**
 * trace/windowReads.ts: many windows of one address answered from one read per run of overlapping
 * windows, each answer exactly what a read of its own window gives. No node, no database.
 */
import { describe, expect, it } from 'vitest';
import type { Address, Transfer } from '../src/types.js';
import { windowReads, type MovementRead } from '../src/trace/windowReads.js';
import { addr, move } from './helpers/walk.js';

describe('windowReads', () => {
  const [hot, a, b] = [addr(), addr(), addr()];
  // Arrivals of a hot wallet in blocks 10..40 (two in block 20), and one of another address.
  const rows = [move(a, hot, 10), move(b, hot, 20, { tx: 1 }), move(a, hot, 20, { tx: 2 }), move(b, hot, 25), move(a, hot, 40), move(hot, b, 30)];
  const direct: MovementRead = (address, side, from, to) =>
    rows.filter((t) => t[side === 'from' ? 'from' : 'to'] === address && t.blockNumber >= from && t.blockNumber <= to);
  const counted = (): { read: MovementRead; calls: [Address, string, number, number][] } => {
    const calls: [Address, string, number, number][] = [];
    return { calls, read: (address, side, from, to) => (calls.push([address, side, from, to]), direct(address, side, from, to)) };
  };

  it('answers each planned window as a read of it would, reading each run of overlapping windows once', () => {
    const asks = [
      { address: hot, side: 'to' as const, from: 15, to: 22 },
      { address: hot, side: 'to' as const, from: 20, to: 26 },
      { address: hot, side: 'to' as const, from: 27, to: 28 }, // adjacent: the same run
      { address: hot, side: 'to' as const, from: 35, to: 45 }, // apart: a run of its own
      { address: hot, side: 'from' as const, from: 15, to: 22 }, // the other side: its own read
    ];
    const { read, calls } = counted();
    const reads = windowReads(read, asks);
    for (const { address, side, from, to } of [...asks, ...asks]) expect(reads(address, side, from, to)).toEqual(direct(address, side, from, to));
    expect(calls).toEqual([
      [hot, 'to', 15, 28],
      [hot, 'to', 35, 45],
      [hot, 'from', 15, 22],
    ]);
    // Block 20's two arrivals, in chain order, at both edges of a slice.
    expect(reads(hot, 'to', 20, 20).map((t: Transfer) => t.from)).toEqual([b, a]);
  });

  it('reads a window nobody planned as asked', () => {
    const { read, calls } = counted();
    const reads = windowReads(read, [{ address: hot, side: 'to', from: 15, to: 22 }]);
    expect(reads(hot, 'to', 10, 40)).toEqual(direct(hot, 'to', 10, 40));
    expect(reads(a, 'to', 0, 100)).toEqual([]);
    expect(calls).toEqual([
      [hot, 'to', 10, 40],
      [a, 'to', 0, 100],
    ]);
  });
});
