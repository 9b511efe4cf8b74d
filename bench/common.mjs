/** Small things the bench's child processes share (nothing of hoptrace's fetcher). */
import { createHash } from 'node:crypto';

/** Count and a short hash of a set of `txHash|ref` transfer keys (order-free). */
export function transferSetDigest(keys) {
  const sorted = [...keys].sort();
  return { count: sorted.length, hash: createHash('sha256').update(sorted.join('\n')).digest('hex').slice(0, 16) };
}

/** Peak resident set size of this process so far, in MiB (getrusage maxrss). */
export function peakRssMiB() {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

/** mulberry32: a small seeded generator, numbers in [0, 1). Enough to draw a deterministic graph shape. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
