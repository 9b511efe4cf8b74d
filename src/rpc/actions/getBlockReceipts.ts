/** `eth_getBlockReceipts`: every receipt of one block in one call (not every node serves it). */
import { InvalidResponseError } from '../../errors.js';
import type { RpcClient } from '../client.js';
import { toQuantity } from '../hex.js';
import { parseReceipt, type Receipt } from './receipt.js';

const METHOD = 'eth_getBlockReceipts';

/**
 * The receipts of block `n`, checked (parseReceipt); entries the node sent as null are left out. A node
 * without the method throws MethodUnsupportedError: read the receipts one by one then.
 */
export async function getBlockReceipts(rpc: RpcClient, n: number): Promise<Receipt[]> {
  const r = await rpc.request(METHOD, [toQuantity(n)]);
  if (!Array.isArray(r)) throw new InvalidResponseError(`${METHOD} gave no list for block ${n}.`);
  return r.flatMap((x: unknown) => (x === null || x === undefined ? [] : [parseReceipt(x, METHOD)]));
}
