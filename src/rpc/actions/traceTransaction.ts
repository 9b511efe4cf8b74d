/** `trace_transaction`: the whole call tree of one transaction. */
import type { RequestOptions, RpcClient } from '../client.js';
import { validateTraces, type ParityTrace } from './parityTrace.js';
import { serves } from './serves.js';

const ZERO_HASH = '0x' + '00'.repeat(32);

/** The traces of transaction `hash`, checked to lie within blocks `from..to` (an empty list when the node has none). */
export async function traceTransaction(rpc: RpcClient, hash: string, within: { from: number; to: number }, opts?: RequestOptions): Promise<ParityTrace[]> {
  const raw = await rpc.request('trace_transaction', [hash], opts);
  return validateTraces(raw, within.from, within.to, 'trace_transaction');
}

/** Whether the endpoint serves trace_transaction (asked for a transaction that does not exist). */
export function servesTraceTransaction(rpc: RpcClient): Promise<boolean> {
  return serves(() => rpc.request('trace_transaction', [ZERO_HASH]));
}
