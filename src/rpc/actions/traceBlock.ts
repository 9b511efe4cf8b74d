/** `trace_block`: every trace of one block. */
import type { RequestOptions, RpcClient } from '../client.js';
import { toQuantity } from '../hex.js';
import { validateTraces, type ParityTrace } from './parityTrace.js';
import { serves } from './serves.js';

/** The traces of block `n`, checked (every one of block `n`). */
export async function traceBlock(rpc: RpcClient, n: number, opts?: RequestOptions): Promise<ParityTrace[]> {
  return validateTraces(await rpc.request('trace_block', [toQuantity(n)], opts), n, n, 'trace_block');
}

/** Whether the endpoint serves trace_block (asked of block `n`, its answer unused). */
export function servesTraceBlock(rpc: RpcClient, n: number): Promise<boolean> {
  return serves(() => rpc.request('trace_block', [toQuantity(n)]));
}
