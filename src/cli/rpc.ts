/**
 * The RPC endpoint as `trace` and `verify` take it: where it comes from, and what a first failure to
 * reach it means.
 */
import { RpcError, UsageError } from '../errors.js';
import { registerSecrets } from './output.js';

/**
 * The endpoints to use: those given with --rpc, else $HOPTRACE_RPC_URL, else $ETH_RPC_URL (an empty
 * variable counts as unset). Throws a UsageError when there is none.
 */
export function rpcUrls(given: string | readonly string[] | undefined): string[] {
  const list = typeof given === 'string' ? [given] : [...(given ?? [])];
  const fromEnv = process.env.HOPTRACE_RPC_URL || process.env.ETH_RPC_URL;
  const urls = list.length > 0 ? list : fromEnv ? [fromEnv] : [];
  if (urls.length === 0) throw new UsageError('no RPC endpoint: pass --rpc <url> or set HOPTRACE_RPC_URL.');
  registerSecrets(urls);
  return urls;
}

/**
 * Runs `talk` (the first requests to the endpoint). An endpoint that cannot be reached at all is a bad
 * --rpc (UsageError, exit 2), not a failure half-way through the command.
 */
export async function reachingRpc<T>(talk: () => Promise<T>): Promise<T> {
  try {
    return await talk();
  } catch (err) {
    if (err instanceof RpcError && err.status === undefined && err.code === undefined && !err.retryable) {
      throw new UsageError(err.message, { hint: 'check --rpc (the URL, the port, and that the node is running)', cause: err });
    }
    throw err;
  }
}
