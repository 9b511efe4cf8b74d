/** `eth_getTransactionByHash`. */
import { InvalidResponseError } from '../../errors.js';
import type { RpcClient } from '../client.js';
import { hexToBigInt, hexToNumber, nodeHash } from '../hex.js';

/** A transaction's parties and value, and where it was mined, checked. */
export interface TransactionInfo {
  /** Lower-case: the transaction the node answered with (the caller compares it with the one asked). */
  hash: string;
  /** Lower-case. */
  from: string;
  /** Lower-case; null for a contract creation. */
  to: string | null;
  value: bigint;
  /** The block it was mined in; both null while it is pending. */
  blockNumber: number | null;
  /** Lower-case. */
  blockHash: string | null;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Transaction `hash`, or null when the node does not know it. */
export async function getTransaction(rpc: RpcClient, hash: string): Promise<TransactionInfo | null> {
  const answer = await rpc.request('eth_getTransactionByHash', [hash], { batch: true });
  if (answer === null) return null;
  const a = answer as { hash?: unknown; from?: unknown; to?: unknown; value?: unknown; blockNumber?: unknown; blockHash?: unknown };
  if (typeof answer !== 'object' || typeof a.from !== 'string' || !ADDRESS.test(a.from) || (a.to != null && (typeof a.to !== 'string' || !ADDRESS.test(a.to)))) {
    throw new InvalidResponseError(`eth_getTransactionByHash returned transaction ${hash.slice(0, 12)}… without a valid from or to address`);
  }
  const mined = a.blockHash !== undefined && a.blockHash !== null;
  return {
    hash: nodeHash(a.hash, 'a transaction hash'),
    from: a.from.toLowerCase(),
    to: typeof a.to === 'string' ? a.to.toLowerCase() : null,
    value: hexToBigInt(a.value),
    blockNumber: mined ? hexToNumber(a.blockNumber) : null,
    blockHash: mined ? nodeHash(a.blockHash, 'a block hash') : null,
  };
}
