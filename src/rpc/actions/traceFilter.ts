/** `trace_filter`: the traces from or to addresses over a block range (Erigon, Reth, Nethermind, anvil). */
import type { RequestOptions, RpcClient } from '../client.js';
import { toQuantity } from '../hex.js';
import { validateTraces, type ParityTrace } from './parityTrace.js';
import { serves } from './serves.js';

/** An inclusive block range and the addresses on one side of the traces. */
export interface TraceFilterParameters {
  fromBlock: number;
  toBlock: number;
  fromAddress?: readonly string[];
  toAddress?: readonly string[];
}

/**
 * The traces of `fromBlock..toBlock` from `fromAddress` or to `toAddress`, checked (validateTraces). Range
 * errors arrive as RangeTooLargeError (anvil caps the range at 300 blocks).
 */
export async function traceFilter(rpc: RpcClient, p: TraceFilterParameters, opts?: RequestOptions): Promise<ParityTrace[]> {
  const filter: Record<string, unknown> = { fromBlock: toQuantity(p.fromBlock), toBlock: toQuantity(p.toBlock) };
  if (p.fromAddress !== undefined) filter['fromAddress'] = p.fromAddress;
  if (p.toAddress !== undefined) filter['toAddress'] = p.toAddress;
  return validateTraces(await rpc.request('trace_filter', [filter], opts), p.fromBlock, p.toBlock, 'trace_filter');
}

/** Whether the endpoint serves trace_filter: one query of block `block` for an address nobody calls. */
export function servesTraceFilter(rpc: RpcClient, block: number, probeAddress: string): Promise<boolean> {
  const h = toQuantity(block);
  return serves(() => rpc.request('trace_filter', [{ fromBlock: h, toBlock: h, toAddress: [probeAddress] }]));
}
