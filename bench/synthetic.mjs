/**
 * The synthetic graph of the ingest and analysis benches (bench/analysis.mjs, bench/ingest-variants.mjs):
 * edges/10 addresses; each edge pays from a random address to one a little further on (a laundering-like
 * drift away from the seeds, with long jumps now and then), blocks in edge order, amounts random.
 * Deterministic.
 */
import { createHash } from 'node:crypto';
import { mulberry32 as rng } from './common.mjs';

/**
 * Strings as hoptrace's decoders hand them to the store: flat. A string built by `+` is a rope in V8,
 * flattened at its first hashing or comparison, work the store would be charged for here and never in
 * a trace (the decoders lower-case what the node sends, which yields flat strings). Lower-casing a
 * lower-case string changes nothing but that.
 */
const flat = (s) => s.toLowerCase();

/** The address of index i. */
export const addr = (i) => flat('0x' + i.toString(16).padStart(40, '0'));

/** The synthetic transfers, in batches (a generator: 1M rows are never all in memory at once). */
export function* syntheticBatches(edges, size) {
  const addresses = Math.max(100, Math.floor(edges / 10));
  const r = rng(7);
  let batch = [];
  for (let i = 0; i < edges; i++) {
    const from = Math.floor(r() * r() * addresses);
    const jump = r() < 0.05 ? Math.floor(r() * addresses) : 1 + Math.floor(r() * 50);
    const to = (from + jump) % addresses;
    batch.push({
      chainId: 1,
      // Real tx hashes are keccak output: scattered over the key space, not in insertion order.
      txHash: flat('0x' + createHash('sha256').update(String(i)).digest('hex')),
      ref: i % 3 === 0 ? 'trace:0' : 'log:0',
      kind: i % 3 === 0 ? 'internal' : 'erc20',
      blockNumber: Math.floor(i / 100),
      blockHash: flat('0x' + Math.floor(i / 100).toString(16).padStart(64, '0')),
      txIndex: i % 100,
      from: addr(from),
      to: addr(to === from ? (to + 1) % addresses : to),
      asset: i % 3 === 0 ? 'native' : flat('0x' + 'ab'.repeat(20)),
      amount: BigInt(1 + Math.floor(r() * 1e12)) * 1_000_000n,
    });
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

