/**
 * Answers that cannot be true are provider errors, never data. This module holds the checks that need
 * more than the answer itself (the block header of the block a log or trace claims to be in); the caller
 * runs them inside rpc/refetch.ts's bounded refetch, so an inconsistent answer is asked again a few times,
 * then the run stops with one sentence. Nothing of an inconsistent answer is stored.
 *
 * Cost: one eth_getBlockByNumber per distinct block that returned logs or traces, once per run (the
 * header is kept in the store after it agreed with an answer, and later runs do not fetch those ranges),
 * and none for a block a scan reads whole anyway (debug_traceBlockByHash or block bodies) or any other
 * reader of the run's header cache (headers.ts) has read.
 * Blocks whose logs a provider leaves out entirely are not caught here: that would need the header of
 * every block of a range (one call per block instead of one per range).
 *
 * The headers travel in JSON-RPC batches (rpc/client.ts): a check asks for all its blocks at once, and a
 * trace_block scan asks for a batch of blocks' headers together (fetcher.ts), so the price is a few round
 * trips per hundred blocks, though still one billed call per block.
 *
 * Why agreement between answers does not replace the header: a log and a trace of block n carrying the
 * same hash, from two calls, show only that the two calls were answered alike. A backend on a stale fork,
 * or a proxy that rewrites block hashes, answers both alike (the test proxy's wrong-block fault writes the
 * same foreign hash into every answer it tampers with, and test/faults.test.ts checks that two answers
 * agreeing on it are refused). The header is the one answer about the block itself, from the block
 * store rather than the log index or the tracer, and only it carries the bloom that rules out a log the
 * block never emitted. So the header is read for every block that returned logs or traces, once.
 */

import { getBytes, keccak256 } from 'ethers';
import { InvalidResponseError } from '../errors.js';
import { hexToNumber } from '../rpc/hex.js';
import type { Store } from '../store/store.js';
import type { HeaderCache } from './headers.js';

/** Checks logs and traces against the headers of the blocks they claim. */
export interface BlockCheck {
  /**
   * Throws InvalidResponseError when an item's blockHash is not the hash of its block, when items of one
   * block disagree on its hash, or (logs) when a log's address or topics are not in the block's bloom.
   * Headers that agreed with the answer are stored. Forgets the headers involved on failure, so the
   * refetch reads them again (the header may have been the wrong answer).
   */
  check(items: readonly { blockNumber: unknown; blockHash: string; address?: string; topics?: readonly string[] }[], method: string): Promise<void>;
}

/** Creates a per-run checker that reads headers through the run's header cache and keeps agreed ones in `store`. */
export function createBlockCheck(cache: HeaderCache, store: Store): BlockCheck {
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
      try {
        const headers = await Promise.all(blocks.map((n) => cache.block(n)));
        blocks.forEach((n, i) => {
          const h = headers[i]!;
          for (const it of byBlock.get(n)!) {
            if (it.blockHash.toLowerCase() !== h.hash) {
              throw new InvalidResponseError(`${method} returned block ${n} with hash ${it.blockHash.slice(0, 10)}…, but block ${n} is ${h.hash.slice(0, 10)}…`);
            }
            if (it.address !== undefined && it.topics !== undefined) {
              const parts = [it.address, ...it.topics];
              if (!parts.every((p) => bitsInBloom(h.bloom, bloomBitsOf(p)))) {
                throw new InvalidResponseError(`${method} returned a log that block ${n}'s logs bloom rules out`);
              }
            }
          }
        });
        store.putBlocks(blocks.map((n, i) => ({ number: n, hash: headers[i]!.hash, timestamp: headers[i]!.timestamp })));
      } catch (err) {
        // A header a scan has yet to hand over was not part of the wrong answer: the cache keeps it awaited.
        for (const n of blocks) cache.forget(n);
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
