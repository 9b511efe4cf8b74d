import type { Address, Transfer } from '../types.js';
import { union, type Interval } from '../util/intervals.js';

/** A read of the held movements out of (`from`) or into (`to`) an address in blocks [from, to], in chain order. */
export type MovementRead = (address: Address, side: 'from' | 'to', from: number, to: number) => Transfer[];

/** A window a caller will read. */
export interface WindowAsk {
  address: Address;
  side: 'from' | 'to';
  from: number;
  to: number;
}

/**
 * A read of many windows planned ahead (`asks`) at one store read per address, side and run of
 * overlapping or adjacent windows: a hot wallet paid by a hundred deposit addresses has its arrivals
 * around each sweep read once, not once per sweep. An ask answers exactly what `read` would (the rows
 * of its blocks, in the same order: a read is in chain order, so a window is a slice of its run); a
 * window that was not planned is read as asked. The merged reads happen at the first ask that needs
 * them: the windows must be held by then.
 */
export function windowReads(read: MovementRead, asks: Iterable<WindowAsk>): MovementRead {
  const planned = new Map<string, Interval[]>();
  for (const a of asks) {
    const k = `${a.address}|${a.side}`;
    const list = planned.get(k);
    if (list) list.push([a.from, a.to]);
    else planned.set(k, [[a.from, a.to]]);
  }
  const runs = new Map<string, { interval: Interval; rows?: Transfer[] }[]>();
  for (const [k, list] of planned) runs.set(k, union(list).map((interval) => ({ interval })));
  return (address, side, from, to) => {
    const run = runs.get(`${address}|${side}`)?.find(({ interval: [a, b] }) => a <= from && to <= b);
    if (!run) return read(address, side, from, to);
    run.rows ??= read(address, side, run.interval[0], run.interval[1]);
    return run.rows.slice(firstAtOrAfter(run.rows, from), firstAtOrAfter(run.rows, to + 1));
  };
}

/** Index of the first row at or after `block` in rows in chain order. */
function firstAtOrAfter(rows: readonly Transfer[], block: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.blockNumber < block) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
