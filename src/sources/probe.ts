import { servesDebugTraceBlock } from '../rpc/actions/debugTraceBlockByHash.js';
import { getBlock } from '../rpc/actions/getBlock.js';
import { servesTraceBlock } from '../rpc/actions/traceBlock.js';
import { servesTraceFilter } from '../rpc/actions/traceFilter.js';
import { servesTraceTransaction } from '../rpc/actions/traceTransaction.js';
import type { RpcClient } from '../rpc/client.js';
import type { Store } from '../store/store.js';

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

/** Every field a stored answer must have: one probed by an older release lacks a newer capability. */
const CAPABILITY_KEYS: readonly (keyof Capabilities)[] = ['traceFilter', 'traceTransaction', 'traceBlock', 'debugTraceBlock'];

/** A stored probe answer, or null when it is not one this release can use whole (it is probed again). */
export function readCapabilities(stored: string | undefined | null): Capabilities | null {
  if (!stored) return null;
  let v: unknown;
  try {
    v = JSON.parse(stored);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  return CAPABILITY_KEYS.every((k) => typeof o[k] === 'boolean') ? (o as unknown as Capabilities) : null;
}

/**
 * Finds out which methods the endpoint serves, by asking each once on the head block. The answer is
 * kept in the store per (redacted) endpoint, so later runs ask nothing. Only "method not found /
 * not supported" answers count as absent: a timeout or 5xx is a failure, not a capability.
 */
export async function probeCapabilities(rpc: RpcClient, store: Store, head: number): Promise<Capabilities> {
  const key = `caps:${rpc.endpoint}`;
  // A stored answer lacking a capability this release knows (a source added since) is asked again:
  // read as it is, the new source would look unserved on every endpoint an earlier run probed.
  const cached = readCapabilities(store.getMeta(key));
  if (cached) return cached;
  const traceFilter = await servesTraceFilter(rpc, head, PROBE_ADDRESS);
  const traceBlock = await servesTraceBlock(rpc, head);
  const traceTransaction = traceFilter ? await servesTraceTransaction(rpc) : false;
  let debugTraceBlock = false;
  if (!traceBlock) {
    const block = await getBlock(rpc, head);
    // No head block to trace it on (a backend behind the head it named): assumed served, as the probe
    // always did; a later refusal makes the fetcher probe again.
    debugTraceBlock = block === null ? true : await servesDebugTraceBlock(rpc, block.hash);
  }
  const caps: Capabilities = { traceFilter, traceTransaction, traceBlock, debugTraceBlock };
  store.setMeta(key, JSON.stringify(caps));
  return caps;
}

/** Forgets the probed capabilities of an endpoint (a method disappeared behind a load balancer). */
export function forgetCapabilities(rpc: RpcClient, store: Store): void {
  store.deleteMeta(`caps:${rpc.endpoint}`);
}
