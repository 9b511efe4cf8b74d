/** `eth_call` at the head: a contract read. */
import type { RpcClient } from '../client.js';

/**
 * What `to` returns for the call data `data` at the head: hex bytes, or null when the node answered
 * with something else. A revert arrives as a non-retryable RpcError.
 */
export async function call(rpc: RpcClient, p: { to: string; data: string }): Promise<string | null> {
  const r = await rpc.request('eth_call', [{ to: p.to, data: p.data }, 'latest'], { batch: true });
  return typeof r === 'string' ? r : null;
}
