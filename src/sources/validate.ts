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
 * A trace_block scan asks for every block, so its traces are checked with the fewest headers that name
 * every block's hash (`headerCover`): a block by its own header or the next one's, the blocks with logs
 * by their own (read for the bloom anyway, and free to the scan, which chooses a batch's once its logs are
 * read), the rest about one header per two blocks. Where a header is read for its bloom or time anyway,
 * or blocks are scattered (trace_filter), pairing would save no call and is not used.
 *
 * Cost: per distinct block that returned logs, its own header; per block a trace_block scan read and no
 * header of its own or the next block's was read anyway, half a header; per block of trace_filter traces,
 * its own header. Once per run (the headers that agreed about their own block are kept in the store,
 * and later runs do not fetch those ranges); none for a block a scan reads whole anyway
 * (debug_traceBlockByHash or block bodies) or any other reader of the run's header cache (headers.ts)
 * has read. Blocks whose logs a provider leaves out entirely are not caught here: that would need the
 * header of every block of a range (one call per block instead of one per range).
 *
 * A trace_transaction tree (a transaction trace_filter found nested frames in) is checked against the
 * header of the block trace_filter placed it in: that header was read for trace_filter's own check, so
 * the tree costs none.
 *
 * The headers travel in JSON-RPC batches (rpc/client.ts): a check asks for all its blocks at once, and a
 * trace_block scan asks for a batch of blocks' witnesses together (`planScan`), so the price is a few
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
import type { Receipt } from '../rpc/actions/receipt.js';
import type { HeaderCache } from './headers.js';

/** Checks logs and traces against the headers of the blocks they claim. */
export interface BlockCheck {
  /**
   * Throws InvalidResponseError when an item's blockHash is not the hash of its block, when items of one
   * block disagree on its hash, or (logs) when a log's address or topics are not in the block's bloom.
   * A log is checked against its own block's header (hash and bloom); a trace against its block's hash as
   * a header names it: its own header's hash, or (trace_block, where a scan's plan chose it) the next
   * block's parentHash. Headers that agreed with the answer about their own block are stored. Forgets the
   * headers involved on failure, so the refetch reads them again (the header may have been the wrong answer).
   */
  check(items: readonly { blockNumber: unknown; blockHash: string; address?: string; topics?: readonly string[] }[], method: string): Promise<void>;
  /**
   * A trace_block scan is about to read every block of its batches: their traces are checked against the
   * fewest headers (headerCover), chosen per batch once its `ready` settles — by then the headers read
   * for other reasons, above all the own headers of the blocks with logs, are in the cache and count as
   * free. Checks of its blocks wait for that choice.
   */
  planScan(): ScanPlan;
}

/** A batch of a scan and the witness chosen for each of its blocks. */
interface PlannedBatch {
  from: number;
  to: number;
  witness: Promise<readonly number[]>;
}

/**
 * The headers that check every block of a scan by hash: block `n` is witnessed by its own header or by
 * header `n + 1` (its parentHash), never above `head`. `held(n)`: header `n` is held or being read anyway
 * (a log's block reads its own for the bloom; another reader of the run's cache read it), so it costs
 * nothing and witnesses `n` itself. The fewest headers to read, by a greedy from the bottom: the lowest
 * block not yet witnessed takes header `n + 1` (which witnesses `n` and `n + 1`; no choice witnesses
 * more of the blocks not yet witnessed, and a held one costs nothing), or its own at the head. Decided
 * bottom-up, a scan can choose batch by batch as its blocks come: `pickedFrom` says header `from` was
 * chosen by the batch below (`topPicked` of that batch), so the batches together choose what the whole
 * range would. Returns the witness of each block (`witness[n - from]`).
 */
export function headerCover(from: number, to: number, head: number, held: (n: number) => boolean, pickedFrom = false): { witness: number[]; topPicked: boolean } {
  const witness: number[] = [];
  let picked = pickedFrom;
  for (let n = from; n <= to; n++) {
    if (picked || held(n)) {
      witness.push(n);
      picked = false;
    } else if (n + 1 <= head) {
      witness.push(n + 1);
      picked = true;
    } else witness.push(n);
  }
  return { witness, topPicked: picked };
}

/** Items a check goes through before it lets the event loop run (a few ms of work at most). */
const YIELD_ITEMS = 500;

/** The methods whose answers are checked by hash alone where a scan planned it (block scans, every block asked). */
const PAIRED: ReadonlySet<string> = new Set(['trace_block']);

/**
 * A block scan's choice of witnesses (`BlockCheck.planScan`): batches are announced in ascending order,
 * each above the last, and each batch's headers are asked together (one turn, so they travel batched).
 */
export interface ScanPlan {
  /**
   * Blocks `a`..`b`, the batch above the last one announced: chooses and asks its witnesses once `ready`
   * (the logs of `a`..`b` read) and the choice of the batch below have settled.
   */
  batch(a: number, b: number, ready: Promise<unknown>): void;
  /** The scan has ended (done or failed): its blocks are no longer checked by this plan. */
  end(): void;
}

/**
 * Creates a per-run checker that reads headers through the run's header cache and keeps agreed ones in
 * `store` (null: kept nowhere — verify, which reads and writes no database). `head`: the run's head (no
 * header above it is asked for).
 */
export function createBlockCheck(cache: HeaderCache, store: Store | null, head = -1): BlockCheck {
  /** Witnesses chosen by the scans in progress: per scan, its batches in ascending order. */
  const scans = new Set<PlannedBatch[]>();
  const plannedWitness = async (n: number): Promise<number | undefined> => {
    for (const batches of scans) {
      if (batches.length === 0 || n < batches[0]!.from || n > batches.at(-1)!.to) continue;
      // A long scan has thousands of batches: found by bisection.
      let lo = 0;
      let hi = batches.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (batches[mid]!.to < n) lo = mid + 1;
        else hi = mid;
      }
      const p = batches[lo]!;
      if (n >= p.from) return (await p.witness)[n - p.from];
    }
    return undefined;
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
      // The header each block is checked against: its own, unless only its hash is needed and a scan
      // chose the next block's header to witness it (planScan, headerCover).
      const witnessOf = await Promise.all(
        blocks.map(async (n) => {
          if (!PAIRED.has(method) || byBlock.get(n)!.some((it) => it.address !== undefined && it.topics !== undefined)) return n;
          return (await plannedWitness(n)) ?? n;
        }),
      );
      const wanted = [...new Set(witnessOf)];
      try {
        const read = await Promise.all(wanted.map((w) => cache.block(w)));
        const headerOf = new Map(wanted.map((w, i) => [w, read[i]!]));
        const own: BlockHead[] = [];
        let sinceYield = 0;
        for (let i = 0; i < blocks.length; i++) {
          const n = blocks[i]!;
          const w = witnessOf[i]!;
          const h = headerOf.get(w)!;
          const hash = w === n ? h.hash : h.parentHash;
          const list = byBlock.get(n)!;
          for (const it of list) {
            if (it.blockHash.toLowerCase() !== hash) {
              throw new InvalidResponseError(
                `${method} returned block ${n} with hash ${it.blockHash.slice(0, 10)}…, but block ${n} is ${hash.slice(0, 10)}…${w === n ? '' : ` (the parent hash of block ${w})`}`,
              );
            }
            if (it.address !== undefined && it.topics !== undefined) {
              let inBloomAll = bitsInBloom(h.bloom, bloomBits(it.address));
              for (let k = 0; inBloomAll && k < it.topics.length; k++) inBloomAll = bitsInBloom(h.bloom, bloomBits(it.topics[k]!));
              if (!inBloomAll) throw new InvalidResponseError(`${method} returned a log that block ${n}'s logs bloom rules out`);
            }
          }
          if (w === n) own.push(h);
          // A range's logs (thousands of items, a first keccak for each new address and topic) are checked
          // in slices: between them the answers of a scan's calls in flight are read and its next calls
          // sent, so the node is not left idle while this thread hashes.
          sinceYield += list.length;
          if (sinceYield >= YIELD_ITEMS && i + 1 < blocks.length) {
            sinceYield = 0;
            await new Promise((r) => setImmediate(r));
          }
        }
        if (own.length > 0) store?.putBlocks(own.map((h) => ({ number: h.number, hash: h.hash, timestamp: h.timestamp })));
      } catch (err) {
        // A header a scan has yet to hand over was not part of the wrong answer: the cache keeps it awaited.
        for (const w of wanted) cache.forget(w);
        throw err;
      }
    },
    planScan() {
      const mine: PlannedBatch[] = [];
      scans.add(mine);
      // Whether the batch below chose the header of the next batch's first block; settles batch by batch.
      let below: Promise<boolean> = Promise.resolve(false);
      return {
        batch(a, b, ready) {
          const settled = ready.then(
            () => undefined,
            () => undefined,
          );
          const cover = Promise.all([below, settled]).then(([picked]) => headerCover(a, b, head, (n) => cache.has(n), picked));
          below = cover.then((c) => c.topPicked);
          mine.push({ from: a, to: b, witness: cover.then((c) => c.witness) });
          // Asked in one turn, the batch's headers go out in JSON-RPC batches; a failed read is forgotten
          // by the cache and asked again by the check that needs it.
          void cover.then((c) => {
            for (const w of new Set(c.witness)) if (!cache.has(w)) void cache.load(w).catch(() => undefined);
          });
        },
        end() {
          scans.delete(mine);
        },
      };
    },
  };
}

/**
 * Throws InvalidResponseError unless receipt `r` is of transaction `tx` (lower-case), its logs of that
 * transaction and block, and the receipt and its logs agree with the header of that block (hash; logs:
 * bloom). Run inside a refetch: a wrong answer is asked again. Used by verify (a hop's receipt) and by a
 * crossing's arrival (the payee's Transfer logs, sources/arrivalTransfers.ts).
 */
export async function checkReceipt(r: Receipt, tx: string, blockCheck: BlockCheck): Promise<void> {
  const of = (what: string, v: unknown): InvalidResponseError => new InvalidResponseError(`eth_getTransactionReceipt for ${tx.slice(0, 10)}… returned ${what} ${String(v).slice(0, 80)}`);
  if (r.transactionHash !== tx) throw of('the receipt of transaction', r.transactionHash);
  for (const l of r.logs) {
    if (l.transactionHash.toLowerCase() !== tx) throw of('a log of transaction', l.transactionHash);
    if (hexToNumber(l.blockNumber) !== r.blockNumber) throw of(`a receipt of block ${r.blockNumber} with a log of block`, hexToNumber(l.blockNumber));
  }
  await blockCheck.check([{ blockNumber: r.blockNumber, blockHash: r.blockHash }, ...r.logs], 'eth_getTransactionReceipt');
}

/**
 * True when `value` (an address or a 32-byte topic) may be in the 2048-bit bloom (yellow paper, eq. 28):
 * three 11-bit indexes from the first six bytes of its keccak256; false means certainly absent.
 */
export function inBloom(bloom: Uint8Array, value: string): boolean {
  return bitsInBloom(bloom, bloomBits(value));
}

/**
 * Bloom bit indexes per value as given (addresses and topics repeat endlessly: a Transfer topic0 in every
 * log, the same holders in many). Cleared when full (about 10 MB), so a long run's memory stays bounded.
 */
const bitsMemo = new Map<string, readonly [number, number, number]>();
const BITS_MEMO_MAX = 1 << 16;

/** The three bloom bit indexes of `value`: the first three 16-bit words of its keccak256, 11 bits each. */
function bloomBits(value: string): readonly [number, number, number] {
  let bits = bitsMemo.get(value);
  if (bits === undefined) {
    const h = keccak256(getBytes(value));
    const word = (i: number): number => Number.parseInt(h.slice(2 + 4 * i, 6 + 4 * i), 16) & 2047;
    bits = [word(0), word(1), word(2)];
    if (bitsMemo.size >= BITS_MEMO_MAX) bitsMemo.clear();
    bitsMemo.set(value, bits);
  }
  return bits;
}

function bitsInBloom(bloom: Uint8Array, bits: readonly [number, number, number]): boolean {
  return bitIn(bloom, bits[0]) && bitIn(bloom, bits[1]) && bitIn(bloom, bits[2]);
}

function bitIn(bloom: Uint8Array, bit: number): boolean {
  return (bloom[255 - (bit >> 3)]! & (1 << (bit & 7))) !== 0;
}
