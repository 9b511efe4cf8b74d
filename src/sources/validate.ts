/**
 * Answers that cannot be true are provider errors, never data. This module holds the checks that need
 * more than the answer itself (the block header of the block a log or trace claims to be in); the caller
 * runs them inside rpc/refetch.ts's bounded refetch, so an inconsistent answer is asked again a few times,
 * then the run stops with one sentence. Nothing of an inconsistent answer is stored.
 *
 * What a check proves, and what it does not: an item (a log or a trace) naming block n with hash H is
 * stored only when a header answer — a separate call, answered from the node's block store rather than
 * its log index or tracer — names H for height n as well. Two independently served answers then agree on
 * which block n is: an answer from a lagging or forked backend, a log index or tracer still on a chain
 * the node has left, or a layer that rewrites block hashes is refused unless the header answer is wrong
 * the same way. It does not prove that H is on the canonical chain (a node lying alike in every answer
 * is the head check's, the finality depth's and the later runs' reorg check's concern, trace/run.ts).
 * A log is also checked against its block's logs bloom (address and every topic): that rules out a log
 * credited to a contract, or naming an address, the block never logged; the bloom is the header's own
 * block's, so a log is always checked against its own block's header.
 *
 * The hash of block n is named by two header answers: block n's `hash` and block n + 1's `parentHash`.
 * A block's hash commits to its parentHash, and a chain holds block n + 1 only on top of its block n, so
 * a block store serving n + 1 of some chain names that chain's block n: checked against it, an item of
 * block n proves exactly what it proves against header n (the same two answers agree, the header's
 * number checked as asked). What header n + 1 does not give is block n's bloom (hence logs take their
 * own header) and its timestamp (hence block n is not stored from it; whoever needs its time reads it).
 * A trace_block scan asks for every block, so its traces are checked with one header per two blocks:
 * an even block by the odd one above it (`hashWitness`), an odd one by its own, a block whose own header
 * is already held by that one. Where a header is read for its bloom or time anyway, or blocks are
 * scattered (trace_filter), pairing would save no call and is not used.
 *
 * Cost: per distinct block that returned logs, its own header; per block a trace_block scan read, half a
 * header; per block of trace_filter traces, its own header. Once per run (the headers that agreed about
 * their own block are kept in the store, and later runs do not fetch those ranges); none for a block a
 * scan reads whole anyway (debug_traceBlockByHash or block bodies) or any other reader of the run's
 * header cache (headers.ts) has read. Blocks whose logs a provider leaves out entirely are not caught
 * here: that would need the header of every block of a range (one call per block instead of one per range).
 *
 * The headers travel in JSON-RPC batches (rpc/client.ts): a check asks for all its blocks at once, and a
 * trace_block scan asks for a batch of blocks' witnesses together (fetcher.ts), so the price is a few
 * round trips per hundred blocks, though still one billed call per header.
 *
 * Why agreement between data answers does not replace the header (docs/architecture.md, sources):
 * a log and a trace of block n carrying the same hash, from two calls, show only that the two calls were
 * answered alike. A backend on a stale fork that serves both, or a layer that rewrites block hashes in
 * data answers, answers both alike (the test proxy's wrong-block fault writes the same foreign hash into
 * every answer it tampers with, and test/faults.test.ts checks that two answers agreeing on it are
 * refused); and agreeing hashes say nothing of a log the block never emitted (the forged-log fault), which
 * only the block's bloom rules out. Nor would it save a call: a block with logs needs its own header for
 * the bloom anyway, and a block with traces only has no second data answer to agree with.
 */

import { getBytes, keccak256 } from 'ethers';
import { InvalidResponseError } from '../errors.js';
import { hexToNumber } from '../rpc/hex.js';
import type { Store } from '../store/store.js';
import type { BlockHead } from '../rpc/actions/getBlock.js';
import type { HeaderCache } from './headers.js';

/** Checks logs and traces against the headers of the blocks they claim. */
export interface BlockCheck {
  /**
   * Throws InvalidResponseError when an item's blockHash is not the hash of its block, when items of one
   * block disagree on its hash, or (logs) when a log's address or topics are not in the block's bloom.
   * A log is checked against its own block's header (hash and bloom); a trace against its block's hash as
   * a header names it: its own header's hash, or (trace_block, see `hashWitness`) the next block's
   * parentHash. Headers that agreed with the answer about their own block are stored. Forgets the
   * headers involved on failure, so the refetch reads them again (the header may have been the wrong answer).
   */
  check(items: readonly { blockNumber: unknown; blockHash: string; address?: string; topics?: readonly string[] }[], method: string): Promise<void>;
}

/**
 * The block whose header is read to learn block `n`'s hash for a check that needs the hash alone (traces
 * of a trace_block scan): `n` itself, or for an even `n` below the run's head the odd block `n + 1`, whose
 * header names `n`'s hash as its parentHash. One header then serves two blocks of a scan; the scan asks
 * for these headers ahead (fetcher.ts). Not used where the header is read for more than the hash (a log's
 * bloom, a block time) or where blocks are scattered (trace_filter), where it would save no call.
 */
export function hashWitness(n: number, head: number): number {
  return n % 2 === 0 && n + 1 <= head ? n + 1 : n;
}

/** The methods whose answers are checked by hash alone with `hashWitness` (block scans, every block asked). */
const PAIRED: ReadonlySet<string> = new Set(['trace_block']);

/**
 * Creates a per-run checker that reads headers through the run's header cache and keeps agreed ones in
 * `store`. `head`: the run's head (no header above it is asked for); without it every block's own header is read.
 */
export function createBlockCheck(cache: HeaderCache, store: Store, head = -1): BlockCheck {
  /** Bloom bit indexes per address or topic: topic0 is one of three, and addresses and topics repeat. */
  const bitsOf = new Map<string, readonly number[]>();
  const bloomBitsOf = (value: string): readonly number[] => {
    const key = value.toLowerCase();
    let bits = bitsOf.get(key);
    if (!bits) {
      bits = bloomBits(key);
      bitsOf.set(key, bits);
    }
    return bits;
  };

  return {
    async check(items, method) {
      const byBlock = new Map<number, (typeof items)[number][]>();
      for (const it of items) {
        const n = hexToNumber(it.blockNumber);
        const list = byBlock.get(n);
        if (list) list.push(it);
        else byBlock.set(n, [it]);
      }
      const blocks = [...byBlock.keys()];
      // The header each block is checked against: its own, unless only its hash is needed, its own is not
      // already held, and the next block's header names it (hashWitness).
      const witnessOf = blocks.map((n) => {
        const isLog = byBlock.get(n)!.some((it) => it.address !== undefined && it.topics !== undefined);
        return isLog || !PAIRED.has(method) || cache.has(n) ? n : hashWitness(n, head);
      });
      const wanted = [...new Set(witnessOf)];
      try {
        const read = await Promise.all(wanted.map((w) => cache.block(w)));
        const headerOf = new Map(wanted.map((w, i) => [w, read[i]!]));
        const own: BlockHead[] = [];
        blocks.forEach((n, i) => {
          const w = witnessOf[i]!;
          const h = headerOf.get(w)!;
          const hash = w === n ? h.hash : h.parentHash;
          for (const it of byBlock.get(n)!) {
            if (it.blockHash.toLowerCase() !== hash) {
              throw new InvalidResponseError(
                `${method} returned block ${n} with hash ${it.blockHash.slice(0, 10)}…, but block ${n} is ${hash.slice(0, 10)}…${w === n ? '' : ` (the parent hash of block ${w})`}`,
              );
            }
            if (it.address !== undefined && it.topics !== undefined) {
              const parts = [it.address, ...it.topics];
              if (!parts.every((p) => bitsInBloom(h.bloom, bloomBitsOf(p)))) {
                throw new InvalidResponseError(`${method} returned a log that block ${n}'s logs bloom rules out`);
              }
            }
          }
          if (w === n) own.push(h);
        });
        if (own.length > 0) store.putBlocks(own.map((h) => ({ number: h.number, hash: h.hash, timestamp: h.timestamp })));
      } catch (err) {
        // A header a scan has yet to hand over was not part of the wrong answer: the cache keeps it awaited.
        for (const w of wanted) cache.forget(w);
        throw err;
      }
    },
  };
}

/**
 * True when `value` (an address or a 32-byte topic) may be in the 2048-bit bloom (yellow paper, eq. 28):
 * three 11-bit indexes from the first six bytes of its keccak256; false means certainly absent.
 */
export function inBloom(bloom: Uint8Array, value: string): boolean {
  return bitsInBloom(bloom, bloomBits(value));
}

/** The three bloom bit indexes of `value`. */
function bloomBits(value: string): number[] {
  const h = getBytes(keccak256(value));
  return [0, 2, 4].map((i) => ((h[i]! << 8) | h[i + 1]!) & 2047);
}

function bitsInBloom(bloom: Uint8Array, bits: readonly number[]): boolean {
  return bits.every((bit) => (bloom[255 - (bit >> 3)]! & (1 << (bit & 7))) !== 0);
}
