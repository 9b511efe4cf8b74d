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

/** mulberry32 (src/devchain/random.ts), re-exported for the bench scripts. */
export { mulberry32 } from '../dist/devchain/random.js';
