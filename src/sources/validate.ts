/**
 * Answers that cannot be true are provider errors, never data. This module holds the checks that need
 * more than the answer itself (the block header of the block a log or trace claims to be in); the caller
 * runs them inside rpc/refetch.ts's bounded refetch, so an inconsistent answer is asked again a few times,
 * then the run stops with one sentence. Nothing of an inconsistent answer is stored.
 *
 * Cost: one eth_getBlockByNumber per distinct block that returned logs or traces, once per run (the
 * header is kept in the store after it agreed with an answer, and later runs do not fetch those ranges),
 * and none for a block a scan reads whole anyway (debug_traceBlockByHash or block bodies): the scan
 * hands its header over (BlockCheck.expect / seed).
 * Blocks whose logs a provider leaves out entirely are not caught here: that would need the header of
 * every block of a range (one call per block instead of one per range).
 */

import { getBytes, keccak256 } from 'ethers';
import { InvalidResponseError } from '../errors.js';
import { getBlock, missingBlock } from '../rpc/actions/getBlock.js';
import type { RpcClient } from '../rpc/client.js';
import { hexToNumber } from '../rpc/hex.js';
import type { Store } from '../store/store.js';

/** A block header as the validator needs it: its hash (lower case), logs bloom and timestamp. */
export interface CheckedHeader {
  hash: string;
  bloom: Uint8Array;
  timestamp: number;
}

/** Checks logs and traces against the headers of the blocks they claim. */
export interface BlockCheck {
  /**
   * Throws InvalidResponseError when an item's blockHash is not the hash of its block, when items of one
   * block disagree on its hash, or (logs) when a log's address or topics are not in the block's bloom.
   * Headers that agreed with the answer are stored. Forgets the headers involved on failure, so the
   * refetch reads them again (the header may have been the wrong answer).
   */
  check(items: readonly { blockNumber: unknown; blockHash: string; address?: string; topics?: readonly string[] }[], method: string): Promise<void>;
  /**
   * The caller is about to read the blocks of `ranges` whole (a block scan): checks of those blocks wait
   * for the header it hands over with `seed` instead of reading it again. Call the returned function when
   * the scan ends, done or failed: checks still waiting for a block it never read then read its header.
   */
  expect(ranges: readonly (readonly [number, number])[]): () => void;
  /** Block `n`'s header, read by the caller (getBlock): later checks of block `n` use it. */
  seed(n: number, header: CheckedHeader): void;
}

/** Creates a per-run checker that reads headers through `rpc` and keeps agreed ones in `store`. */
export function createBlockCheck(rpc: RpcClient, store: Store): BlockCheck {
  const cache = new Map<number, Promise<CheckedHeader>>();
  /** Blocks a scan announced (expect) and has not read yet: their cache entry waits for seed. */
  const awaited = new Map<number, { p: Promise<CheckedHeader>; resolve: (h: CheckedHeader | Promise<CheckedHeader>) => void; waiting: boolean }>();
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

  const header = (n: number): Promise<CheckedHeader> => {
    let p = cache.get(n);
    if (!p) {
      const read = getBlock(rpc, n).then((b) => b ?? Promise.reject(missingBlock(n)));
      p = read;
      cache.set(n, p);
      read.catch(() => {
        if (cache.get(n) === read) cache.delete(n);
      });
    }
    const a = awaited.get(n);
    if (a) a.waiting = true;
    return p;
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
        const headers = await Promise.all(blocks.map((n) => header(n)));
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
        // A header a scan has yet to hand over was not part of the wrong answer: it stays awaited.
        for (const n of blocks) if (!awaited.has(n)) cache.delete(n);
        throw err;
      }
    },
    expect(ranges) {
      const mine: number[] = [];
      for (const [a, b] of ranges) {
        for (let n = a; n <= b; n++) {
          if (cache.has(n)) continue;
          let resolve!: (h: CheckedHeader | Promise<CheckedHeader>) => void;
          const p = new Promise<CheckedHeader>((r) => (resolve = r));
          awaited.set(n, { p, resolve, waiting: false });
          cache.set(n, p);
          mine.push(n);
        }
      }
      return () => {
        for (const n of mine) {
          const a = awaited.get(n);
          if (!a) continue;
          awaited.delete(n);
          if (cache.get(n) === a.p) cache.delete(n);
          if (a.waiting) a.resolve(header(n));
        }
      };
    },
    seed(n, h) {
      const a = awaited.get(n);
      const kept: CheckedHeader = { hash: h.hash, bloom: h.bloom, timestamp: h.timestamp };
      if (a) {
        awaited.delete(n);
        a.resolve(kept);
      } else if (!cache.has(n)) {
        cache.set(n, Promise.resolve(kept));
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
