/**
 * Answers that cannot be true are provider errors, never data. This module holds the checks that need
 * more than the answer itself (the block header of the block a log or trace claims to be in) and the
 * bounded refetch around them: an inconsistent answer is asked again a few times, then the run stops with
 * one sentence naming the method and the (redacted) endpoint. Nothing of an inconsistent answer is stored.
 *
 * Cost: one eth_getBlockByNumber per distinct block that returned logs or traces, once per run (the
 * header is kept in the store after it agreed with an answer, and later runs do not fetch those ranges).
 * Blocks whose logs a provider leaves out entirely are not caught here: that would need the header of
 * every block of a range (one call per block instead of one per range).
 */

import { getBytes, keccak256 } from 'ethers';
import { InvalidResponseError } from '../errors.js';
import type { RpcClient } from '../rpc/client.js';
import type { Store } from '../store/store.js';
import { hexToNumber, toQuantity } from './hex.js';

/** Attempts of a request whose answer keeps failing validation, before the run stops. */
export const REFETCH_ATTEMPTS = 4;

/**
 * Runs `fn` (one request and its validation) again while it throws InvalidResponseError, at most
 * `attempts` times in all; then throws one InvalidResponseError naming `method` and `endpoint`.
 * Other errors pass through at once (the client already retried what is worth retrying).
 */
export async function refetching<T>(method: string, endpoint: string, fn: () => Promise<T>, attempts = REFETCH_ATTEMPTS): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof InvalidResponseError)) throw err;
      if (i >= attempts) {
        throw new InvalidResponseError(
          `${method} at ${endpoint} gave an inconsistent answer ${attempts} times in a row (${err.message.replace(/\.$/, '')}); nothing of it was stored.`,
          { hint: 'the endpoint serves inconsistent data; try another endpoint (--rpc may be repeated)', cause: err },
        );
      }
    }
  }
}

/** A block header as the validator needs it: its hash and logs bloom. */
interface CheckedHeader {
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
}

/** Creates a per-run checker that reads headers through `rpc` and keeps agreed ones in `store`. */
export function createBlockCheck(rpc: RpcClient, store: Store): BlockCheck {
  const cache = new Map<number, Promise<CheckedHeader>>();

  const header = (n: number): Promise<CheckedHeader> => {
    let p = cache.get(n);
    if (!p) {
      p = readHeader(rpc, n);
      cache.set(n, p);
      p.catch(() => cache.delete(n));
    }
    return p;
  };

  return {
    async check(items, method) {
      const byBlock = new Map<number, typeof items>();
      for (const it of items) {
        const n = hexToNumber(it.blockNumber);
        byBlock.set(n, [...(byBlock.get(n) ?? []), it]);
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
              if (!parts.every((p) => inBloom(h.bloom, p))) {
                throw new InvalidResponseError(`${method} returned a log that block ${n}'s logs bloom rules out`);
              }
            }
          }
        });
        store.putBlocks(blocks.map((n, i) => ({ number: n, hash: headers[i]!.hash, timestamp: headers[i]!.timestamp })));
      } catch (err) {
        for (const n of blocks) cache.delete(n);
        throw err;
      }
    },
  };
}

async function readHeader(rpc: RpcClient, n: number): Promise<CheckedHeader> {
  const b = (await rpc.request('eth_getBlockByNumber', [toQuantity(n), false])) as {
    number?: string;
    hash?: string;
    logsBloom?: string;
    timestamp?: string;
  } | null;
  if (!b || typeof b.number !== 'string' || hexToNumber(b.number) !== n) {
    throw new InvalidResponseError(`eth_getBlockByNumber did not return block ${n}`);
  }
  if (typeof b.hash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(b.hash) || typeof b.logsBloom !== 'string' || !/^0x[0-9a-fA-F]{512}$/.test(b.logsBloom)) {
    throw new InvalidResponseError(`eth_getBlockByNumber returned block ${n} without a valid hash or logs bloom`);
  }
  return { hash: b.hash.toLowerCase(), bloom: getBytes(b.logsBloom), timestamp: hexToNumber(b.timestamp) };
}

/**
 * True when `value` (an address or a 32-byte topic) may be in the 2048-bit bloom (yellow paper, eq. 28):
 * three 11-bit indexes from the first six bytes of its keccak256; false means certainly absent.
 */
export function inBloom(bloom: Uint8Array, value: string): boolean {
  const h = getBytes(keccak256(value));
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i]! << 8) | h[i + 1]!) & 2047;
    if ((bloom[255 - (bit >> 3)]! & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}

/**
 * A receipt whose logs bloom is not empty must carry logs: an answer with the logs stripped is a
 * provider error, not a transaction without events.
 */
export function checkReceiptLogs(receipt: { logsBloom?: unknown; logs?: unknown; transactionHash?: unknown }, method: string): void {
  const bloom = typeof receipt.logsBloom === 'string' ? receipt.logsBloom : '';
  const hasBloomBits = /[1-9a-fA-F]/.test(bloom.slice(2));
  const logs = Array.isArray(receipt.logs) ? receipt.logs : null;
  if (logs === null || (hasBloomBits && logs.length === 0)) {
    throw new InvalidResponseError(`${method} returned a receipt whose logs are missing although its bloom is set (tx ${String(receipt.transactionHash).slice(0, 12)}…)`);
  }
}

/**
 * Per-block answers (trace_block): their items must agree on one hash, and with the header the store
 * holds, if any. The fetcher then checks them against the block's header (BlockCheck), shared with the
 * check of that block's logs.
 */
export function checkOneBlock(items: readonly { blockHash: string }[], n: number, store: Store, method: string): void {
  const hashes = new Set(items.map((t) => t.blockHash.toLowerCase()));
  const held = store.block(n)?.hash;
  if (hashes.size > 1 || (held !== undefined && hashes.size === 1 && !hashes.has(held))) {
    throw new InvalidResponseError(`${method} answered for block ${n} with traces of another block`);
  }
}
