import { isUnsupportedMethod } from '../rpc/classify.js';
import type { RpcClient } from '../rpc/client.js';
import type { Store } from '../store/store.js';
import { toQuantity } from './hex.js';

/** Which transfer-reading methods an endpoint serves. */
export interface Capabilities {
  /** trace_filter by from/to address: native and internal transfers per address. */
  traceFilter: boolean;
  /** trace_transaction: the whole call tree of one tx, to tell internal moves under a failed frame. */
  traceTransaction: boolean;
  /** trace_block: every native/internal movement of a block. */
  traceBlock: boolean;
  /** debug_traceBlockByHash with callTracer (Geth): the same, for nodes without trace_*. */
  debugTraceBlock: boolean;
}

const PROBE_ADDRESS = '0x000000000000000000000000000000000000dead';
const ZERO_HASH = '0x' + '00'.repeat(32);

/**
 * Finds out which methods the endpoint serves, by asking each once on the head block. The answer is
 * kept in the store per (redacted) endpoint, so later runs ask nothing. Only "method not found /
 * not supported" answers count as absent: a timeout or 5xx is a failure, not a capability.
 */
export async function probeCapabilities(rpc: RpcClient, store: Store, head: number): Promise<Capabilities> {
  const key = `caps:${rpc.endpoint}`;
  const cached = store.getMeta(key);
  if (cached) return JSON.parse(cached) as Capabilities;
  const h = toQuantity(head);
  const traceFilter = await supports(() =>
    rpc.request('trace_filter', [{ fromBlock: h, toBlock: h, toAddress: [PROBE_ADDRESS] }]),
  );
  const traceBlock = await supports(() => rpc.request('trace_block', [h]));
  const traceTransaction = traceFilter ? await supports(() => rpc.request('trace_transaction', [ZERO_HASH])) : false;
  let debugTraceBlock = false;
  if (!traceBlock) {
    debugTraceBlock = await supports(async () => {
      const block = (await rpc.request('eth_getBlockByNumber', [h, false])) as { hash: string } | null;
      if (!block) return;
      await rpc.request('debug_traceBlockByHash', [block.hash, { tracer: 'callTracer' }]);
    });
  }
  const caps: Capabilities = { traceFilter, traceTransaction, traceBlock, debugTraceBlock };
  store.setMeta(key, JSON.stringify(caps));
  return caps;
}

/** Forgets the probed capabilities of an endpoint (a method disappeared behind a load balancer). */
export function forgetCapabilities(rpc: RpcClient, store: Store): void {
  store.deleteMeta(`caps:${rpc.endpoint}`);
}

async function supports(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (err) {
    if (isUnsupportedMethod(err)) return false;
    throw err;
  }
}
