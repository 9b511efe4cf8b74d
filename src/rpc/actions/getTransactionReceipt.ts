/** `eth_getTransactionReceipt`. */
import type { RpcClient } from '../client.js';
import { parseReceipt, type Receipt } from './receipt.js';

const METHOD = 'eth_getTransactionReceipt';

/** The receipt of transaction `hash`, checked (parseReceipt), or null when the node does not know it. */
export async function getTransactionReceipt(rpc: RpcClient, hash: string): Promise<Receipt | null> {
  const r = await rpc.request(METHOD, [hash], { batch: true });
  return r === null || r === undefined ? null : parseReceipt(r, METHOD);
}
