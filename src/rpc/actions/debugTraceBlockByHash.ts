/** `debug_traceBlockByHash` with Geth's callTracer: the call tree of every transaction of a block. */
import { InvalidResponseError } from '../../errors.js';
import type { RpcClient } from '../client.js';
import { hexToBigInt, nodeAddress } from '../hex.js';
import { serves } from './serves.js';

/** A frame of Geth's callTracer, checked. */
export interface CallFrame {
  type: string;
  from: string;
  to?: string;
  value?: string;
  error?: string;
  calls?: CallFrame[];
}

/** Deepest call nesting accepted (the EVM's call depth limit is 1024). */
const MAX_DEPTH = 1025;
const TRACER = { tracer: 'callTracer' } as const;

/** The block traced: its number and hash, and its transaction hashes (one call tree each). */
export interface TracedBlock {
  number: number;
  hash: string;
  txHashes: readonly string[];
}

/**
 * The root call frame of each transaction of `block`, in block order, checked (checkCallFrames).
 *
 * @example
 * const roots = await debugTraceBlockByHash(rpc, { number: 12, hash, txHashes });
 */
export async function debugTraceBlockByHash(rpc: RpcClient, block: TracedBlock): Promise<CallFrame[]> {
  return checkCallFrames(await rpc.request('debug_traceBlockByHash', [block.hash, TRACER]), block);
}

/** Whether the endpoint serves debug_traceBlockByHash with callTracer (asked of block `hash`). */
export function servesDebugTraceBlock(rpc: RpcClient, hash: string): Promise<boolean> {
  return serves(() => rpc.request('debug_traceBlockByHash', [hash, TRACER]));
}

/**
 * Checks a debug_traceBlockByHash answer for `block`: one result per transaction, each with a root frame,
 * every frame of the strict shape (a type and a from address, nested calls a list, no deeper than the
 * EVM allows; the addresses and amount of a frame that moves value of their strict shape). Returns the
 * root frames.
 */
export function checkCallFrames(results: unknown, block: TracedBlock): CallFrame[] {
  if (!Array.isArray(results) || results.length !== block.txHashes.length) {
    throw new InvalidResponseError(
      `debug_traceBlockByHash returned ${Array.isArray(results) ? results.length : 'no'} traces for ${block.txHashes.length} transactions of block ${block.number}.`,
    );
  }
  return results.map((r: { result?: unknown } | null) => {
    const root = r?.result;
    if (!root || typeof root !== 'object') {
      throw new InvalidResponseError(`debug_traceBlockByHash gave no call frame for a transaction of block ${block.number}.`);
    }
    checkFrame(root, 0, block.number);
    return root as CallFrame;
  });
}

function checkFrame(f: unknown, depth: number, n: number): void {
  const frame = f as Partial<CallFrame> | null;
  if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string' || typeof frame.from !== 'string' || depth > MAX_DEPTH || (frame.calls !== undefined && !Array.isArray(frame.calls))) {
    throw new InvalidResponseError(`debug_traceBlockByHash returned a malformed call frame in block ${n}.`);
  }
  // A failed frame moved nothing, and what lies under it is never read.
  if (frame.error) return;
  // The parties and amount of a frame that moves value, normalised (lower-cased) in place.
  const amount = frame.value ? hexToBigInt(frame.value) : 0n;
  if (amount > 0n && frame.to) {
    frame.from = nodeAddress(frame.from, "a call frame's from address");
    frame.to = nodeAddress(frame.to, "a call frame's to address");
  }
  for (const c of frame.calls ?? []) checkFrame(c, depth + 1, n);
}
