import { checkCallFrames, type CallFrame, type TracedBlock } from '../rpc/actions/debugTraceBlockByHash.js';
import { hexToBigInt, nodeAddress, nodeHash } from '../rpc/hex.js';
import { NATIVE, type Transfer } from '../types.js';
import { traceRef } from './traces.js';

/**
 * Native movements of one block traced with `debug_traceBlockByHash(hash, {tracer: 'callTracer'})`,
 * for nodes without trace_* (Geth). Frames are numbered like Parity trace addresses, so the same
 * movement found by either method has the same ref and is stored once. A failed frame and everything
 * under it moved nothing. `results` is the node's answer, checked here (checkCallFrames).
 */
export function decodeCallFrames(results: unknown, block: TracedBlock, chainId: number): Transfer[] {
  return decodeCallTrees(checkCallFrames(results, block), block, chainId);
}

/** decodeCallFrames for root frames already checked (debugTraceBlockByHash's result). */
export function decodeCallTrees(roots: readonly CallFrame[], block: TracedBlock, chainId: number): Transfer[] {
  const out: Transfer[] = [];
  roots.forEach((root, txIndex) => {
    const txHash = nodeHash(block.txHashes[txIndex], 'a transaction hash');
    const walk = (f: CallFrame, addr: number[]): void => {
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

