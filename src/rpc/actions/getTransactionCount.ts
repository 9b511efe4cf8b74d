/** `eth_getTransactionCount`: an account's nonce. */
import type { RpcClient } from '../client.js';
import { hexToNumber } from '../hex.js';

/** Transactions `address` has sent, as of the head. Throws InvalidResponseError for an answer that is not a number. */
export async function getTransactionCount(rpc: RpcClient, address: string): Promise<number> {
  return hexToNumber(await rpc.request('eth_getTransactionCount', [address, 'latest'], { batch: true }));
}
