/** `eth_getTransactionByHash`. */
import { InvalidResponseError } from '../../errors.js';
import type { RpcClient } from '../client.js';
import { hexToBigInt } from '../hex.js';

/** A transaction's parties and value, checked. */
export interface TransactionInfo {
  /** Lower-case. */
  from: string;
  /** Lower-case; null for a contract creation. */
  to: string | null;
  value: bigint;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Transaction `hash`, or null when the node does not know it. */
export async function getTransaction(rpc: RpcClient, hash: string): Promise<TransactionInfo | null> {
  const answer = await rpc.request('eth_getTransactionByHash', [hash], { batch: true });
  if (answer === null) return null;
  const a = answer as { from?: unknown; to?: unknown; value?: unknown };
  if (typeof answer !== 'object' || typeof a.from !== 'string' || !ADDRESS.test(a.from) || (a.to != null && (typeof a.to !== 'string' || !ADDRESS.test(a.to)))) {
    throw new InvalidResponseError(`eth_getTransactionByHash returned transaction ${hash.slice(0, 12)}… without a valid from or to address`);
  }
  return { from: a.from.toLowerCase(), to: typeof a.to === 'string' ? a.to.toLowerCase() : null, value: hexToBigInt(a.value) };
}
