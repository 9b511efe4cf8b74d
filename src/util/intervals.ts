/**
 * Closed block intervals `[from, to]` (both inclusive) and the set algebra the store needs to answer
 * "which blocks still have to be fetched": work to do = wanted − already stored.
 */
export type Interval = readonly [from: number, to: number];

/** Sorts and merges overlapping or adjacent intervals. */
export function union(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) {
      if (b > last[1]) last[1] = b;
    } else {
      out.push([a, b]);
    }
  }
  return out;
}

/** The parts of `wanted` not covered by `have`. */
export function difference(wanted: Interval, have: readonly Interval[]): Interval[] {
  const [from, to] = wanted;
  if (from > to) return [];
  const out: Interval[] = [];
  let cursor = from;
  for (const [a, b] of union(have)) {
    if (b < cursor) continue;
    if (a > to) break;
    if (a > cursor) out.push([cursor, Math.min(a - 1, to)]);
    cursor = Math.max(cursor, b + 1);
    if (cursor > to) break;
  }
  if (cursor <= to) out.push([cursor, to]);
  return out;
}

/** Number of blocks in a set of disjoint intervals. */
export function size(intervals: readonly Interval[]): number {
  let n = 0;
  for (const [a, b] of intervals) n += b - a + 1;
  return n;
}

/** Splits an interval into consecutive chunks of at most `span` blocks. */
export function chunks(interval: Interval, span: number): Interval[] {
  const out: Interval[] = [];
  for (let a = interval[0]; a <= interval[1]; a += span) out.push([a, Math.min(a + span - 1, interval[1])]);
  return out;
}
