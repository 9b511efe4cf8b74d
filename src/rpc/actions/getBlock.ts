/**
 * `eth_getBlockByNumber`, in its two forms: the header with transaction hashes, and the whole block with
 * its transactions. The one place its answer is parsed.
 */
import { getBytes } from 'ethers';
import { InvalidResponseError } from '../../errors.js';
import type { RpcClient } from '../client.js';
import { hexToBigInt, hexToNumber, nodeAddress, nodeHash, toQuantity } from '../hex.js';

/** A block height, or the node's head. */
export type BlockTag = number | 'latest';

/** A block as the header form gives it, checked. */
export interface BlockHead {
  number: number;
  /** Lower-case. */
  hash: string;
  /**
   * The hash of block number - 1, lower-case: part of what `hash` commits to, so a node serving this block
   * of a chain names that chain's previous block (sources/validate.ts checks block n's traces with it).
   */
  parentHash: string;
  /** The 256-byte logs bloom. */
  bloom: Uint8Array;
  /** Unix seconds. */
  timestamp: number;
  /** Transaction hashes in block order, lower-case. */
  transactions: string[];
}

/** A transaction of a whole block, checked. */
export interface BlockTransaction {
  hash: string;
  from: string;
  /** null for a contract creation. */
  to: string | null;
  value: bigint;
  index: number;
}

/** A block with its transactions. */
export interface FullBlock extends Omit<BlockHead, 'transactions'> {
  transactions: BlockTransaction[];
}

const METHOD = 'eth_getBlockByNumber';

/**
 * The header of block `tag` (with its transaction hashes), or null when the node has no such block.
 * Throws InvalidResponseError for a block other than asked (a lagging backend) or one without a valid
 * hash, logs bloom or transaction list.
 *
 * @example
 * const head = await getBlock(rpc, 'latest');
 */
export async function getBlock(rpc: RpcClient, tag: BlockTag): Promise<BlockHead | null> {
  // A header is small: it may share a batch (a block with its transactions is not).
  const raw = await rpc.request(METHOD, [tag === 'latest' ? 'latest' : toQuantity(tag), false], { batch: true });
  if (raw === null || raw === undefined) return null;
  const b = parseBlock(raw, tag);
  return { ...b, transactions: b.transactions.map((t) => nodeHash(t, 'a transaction hash')) };
}

/** Block `n` with its transactions, or null when the node has no such block; checked as getBlock. */
export async function getBlockWithTransactions(rpc: RpcClient, n: number): Promise<FullBlock | null> {
  const raw = await rpc.request(METHOD, [toQuantity(n), true]);
  if (raw === null || raw === undefined) return null;
  const b = parseBlock(raw, n);
  return { ...b, transactions: b.transactions.map((t) => parseTransaction(t, n)) };
}

/** The error for a block the node should have and did not return: an inconsistent answer, refetched. */
export function missingBlock(asked: BlockTag): InvalidResponseError {
  return new InvalidResponseError(`${METHOD} did not return ${asked === 'latest' ? 'the head block' : `block ${asked}`}`);
}

function parseBlock(b: unknown, asked: BlockTag): Omit<BlockHead, 'transactions'> & { transactions: unknown[] } {
  const block = b as { number?: unknown; hash?: unknown; parentHash?: unknown; logsBloom?: unknown; timestamp?: unknown; transactions?: unknown } | null;
  if (typeof block !== 'object' || block === null || typeof block.number !== 'string') throw missingBlock(asked);
  const number = hexToNumber(block.number);
  if (asked !== 'latest' && number !== asked) throw new InvalidResponseError(`${METHOD} returned block ${number} for block ${asked}`);
  if (
    typeof block.hash !== 'string' ||
    !/^0x[0-9a-fA-F]{64}$/.test(block.hash) ||
    typeof block.parentHash !== 'string' ||
    !/^0x[0-9a-fA-F]{64}$/.test(block.parentHash) ||
    typeof block.logsBloom !== 'string' || !/^0x[0-9a-fA-F]{512}$/.test(block.logsBloom)) {
    throw new InvalidResponseError(`${METHOD} returned block ${number} without a valid hash, parent hash or logs bloom`);
  }
  if (!Array.isArray(block.transactions)) throw new InvalidResponseError(`${METHOD} returned block ${number} without a transaction list`);
  return {
    number,
    hash: block.hash.toLowerCase(),
    parentHash: block.parentHash.toLowerCase(),
    bloom: getBytes(block.logsBloom),
    timestamp: hexToNumber(block.timestamp),
    transactions: block.transactions as unknown[],
  };
}

function parseTransaction(raw: unknown, n: number): BlockTransaction {
  const t = raw as { hash?: unknown; from?: unknown; to?: unknown; value?: unknown; transactionIndex?: unknown } | null;
  if (typeof t !== 'object' || t === null) throw new InvalidResponseError(`${METHOD} returned a malformed transaction in block ${n}.`);
  return {
    hash: nodeHash(t.hash, 'a transaction hash'),
    from: nodeAddress(t.from),
    to: t.to === null || t.to === undefined ? null : nodeAddress(t.to),
    value: hexToBigInt(t.value),
    index: hexToNumber(t.transactionIndex),
  };
}
