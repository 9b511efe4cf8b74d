import { InvalidResponseError } from '../errors.js';
import { NATIVE, type Transfer } from '../types.js';
import { hexToBigInt, nodeAddress, nodeHash } from './hex.js';
import { traceRef } from './traces.js';

/** Deepest call nesting accepted (the EVM's call depth limit is 1024). */
const MAX_DEPTH = 1025;

/** A frame of Geth's callTracer. */
export interface CallFrame {
  type: string;
  from: string;
  to?: string;
  value?: string;
  error?: string;
  calls?: CallFrame[];
}

/**
 * Native movements of one block traced with `debug_traceBlockByHash(hash, {tracer: 'callTracer'})`,
 * for nodes without trace_* (Geth). Frames are numbered like Parity trace addresses, so the same
 * movement found by either method has the same ref and is stored once. A failed frame and everything
 * under it moved nothing.
 */
export function decodeCallFrames(
  results: unknown,
  block: { number: number; hash: string; txHashes: readonly string[] },
  chainId: number,
): Transfer[] {
  if (!Array.isArray(results) || results.length !== block.txHashes.length) {
    throw new InvalidResponseError(
      `debug_traceBlockByHash returned ${Array.isArray(results) ? results.length : 'no'} traces for ${block.txHashes.length} transactions of block ${block.number}.`,
    );
  }
  const out: Transfer[] = [];
  results.forEach((r: { result?: CallFrame; error?: string }, txIndex) => {
    const root = r?.result;
    if (!root || typeof root !== 'object') {
      throw new InvalidResponseError(`debug_traceBlockByHash gave no call frame for a transaction of block ${block.number}.`);
    }
    const txHash = nodeHash(block.txHashes[txIndex], 'a transaction hash');
    const walk = (f: CallFrame, addr: number[]): void => {
      if (typeof f !== 'object' || f === null || typeof f.type !== 'string' || typeof f.from !== 'string' || addr.length > MAX_DEPTH || (f.calls !== undefined && !Array.isArray(f.calls))) {
        throw new InvalidResponseError(`debug_traceBlockByHash returned a malformed call frame in block ${block.number}.`);
      }
      if (f.error) return;
      const type = f.type.toUpperCase();
      const moves = type === 'CALL' || type === 'CREATE' || type === 'CREATE2' || type === 'SELFDESTRUCT';
      const amount = f.value ? hexToBigInt(f.value) : 0n;
      if (moves && amount > 0n && f.to) {
        out.push({
          chainId,
          txHash,
          ref: traceRef(addr),
          kind: addr.length === 0 ? 'native' : 'internal',
          blockNumber: block.number,
          blockHash: block.hash.toLowerCase(),
          txIndex,
          from: nodeAddress(f.from, "a call frame's from address"),
          to: nodeAddress(f.to, "a call frame's to address"),
          asset: NATIVE,
          amount,
        });
      }
      (f.calls ?? []).forEach((c, i) => walk(c, [...addr, i]));
    };
    walk(root, []);
  });
  return out;
}
