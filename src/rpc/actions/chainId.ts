import { UsageError } from '../../errors.js';
import type { RpcClient } from '../client.js';

/**
 * `eth_chainId`: the chain `rpc` serves, the one reader of it (trace, the endpoint pool, verify). An answer
 * that is not a hex quantity means the endpoint is not an Ethereum node: a bad --rpc (UsageError).
 *
 * @example
 * const chainId = await getChainId(rpc); // 1 on Ethereum mainnet
 */
export async function getChainId(rpc: RpcClient): Promise<number> {
  const raw = await rpc.request('eth_chainId', []);
  if (typeof raw !== 'string' || !/^0x[0-9a-fA-F]+$/.test(raw) || !Number.isSafeInteger(Number.parseInt(raw, 16))) {
    throw new UsageError(`the endpoint ${rpc.endpoint} did not answer eth_chainId like an Ethereum node.`);
  }
  return Number.parseInt(raw, 16);
}
