/** Small things the bench's child processes share (nothing of hoptrace's fetcher). */
import { createHash } from 'node:crypto';
import { callsByMethod, priceCalls } from '../dist/rpc/price.js';
import { readPriceTable } from '../dist/rpc/priceFile.js';

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

/** The price table the bench prices calls in: the bundled one (data/price-tables/, README's Bench section). */
export const priceTable = readPriceTable();

/** What a run's calls (`{ total, byMethod }`) cost in the bench's table: credits, and calls it does not price. */
export function creditsOf(rpc) {
  const p = priceCalls(callsByMethod(rpc), priceTable);
  return { total: p.credits, unpricedCalls: p.unpriced.reduce((s, u) => s + u.calls, 0), unpriced: p.unpriced.map((u) => u.method) };
}
