/** The shape trace_filter, trace_block and trace_transaction share (Parity/OpenEthereum traces), checked. */
import { InvalidResponseError } from '../../errors.js';
import { checkAmount, hexToNumber, nodeAddress, nodeHash } from '../hex.js';

/** A Parity/OpenEthereum-style trace, as trace_filter, trace_block and trace_transaction return it. */
export interface ParityTrace {
  type: 'call' | 'create' | 'suicide' | 'selfdestruct' | 'reward' | string;
  action: {
    from?: string;
    to?: string;
    value?: string;
    callType?: string;
    address?: string;
    refundAddress?: string;
    balance?: string;
  };
  result?: { address?: string } | null;
  error?: string;
  traceAddress: number[];
  transactionHash?: string | null;
  transactionPosition?: number | null;
  blockNumber: number | string;
  blockHash: string;
}

/** Deepest call nesting accepted (the EVM's call depth limit is 1024). */
export const MAX_TRACE_DEPTH = 1025;

/**
 * Checks a trace list answer: a list, every trace inside the block range, of the strict shape (addresses
 * and hashes of their length in hex, values below 2^256, trace addresses small whole numbers). The
 * traces are normalised in place (hex lower-cased, the block number a number) and returned.
 */
export function validateTraces(traces: unknown, from: number, to: number, method: string): ParityTrace[] {
  if (!Array.isArray(traces)) throw new InvalidResponseError(`${method} answered with something that is not a list.`);
  // The traces of one block share its hash, those of one transaction its hash: a value equal to the one
  // just checked is not checked again (a block's answer holds hundreds of traces).
  let blockHashRaw: unknown;
  let blockHash = '';
  let txHashRaw: unknown;
  let txHash = '';
  for (const t of traces as ParityTrace[]) {
    if (typeof t !== 'object' || t === null || !Array.isArray(t.traceAddress) || !smallIndexes(t.traceAddress) || typeof t.type !== 'string' || typeof t.action !== 'object' || t.action === null) {
      throw new InvalidResponseError(`${method} answered with a malformed trace.`);
    }
    const n = hexToNumber(t.blockNumber);
    if (n < from || n > to) throw new InvalidResponseError(`${method} returned a trace of block ${n} for ${from}–${to}.`);
    t.blockNumber = n;
    if (t.blockHash !== blockHashRaw) {
      blockHash = nodeHash(t.blockHash, 'a block hash');
      blockHashRaw = t.blockHash;
    }
    t.blockHash = blockHash;
    if (t.transactionHash !== undefined && t.transactionHash !== null) {
      if (t.transactionHash !== txHashRaw) {
        txHash = nodeHash(t.transactionHash, 'a transaction hash');
        txHashRaw = t.transactionHash;
      }
      t.transactionHash = txHash;
    }
    if (t.transactionPosition !== undefined && t.transactionPosition !== null) t.transactionPosition = hexToNumber(t.transactionPosition);
    const a = t.action;
    for (const k of ADDRESS_KEYS) {
      if (a[k] !== undefined && a[k] !== null) a[k] = nodeAddress(a[k], `a trace's ${k} address`);
    }
    for (const k of AMOUNT_KEYS) if (a[k] !== undefined && a[k] !== null) checkAmount(a[k]);
    if (t.result?.address !== undefined && t.result.address !== null) t.result.address = nodeAddress(t.result.address, 'a created address');
  }
  return traces as ParityTrace[];
}

const ADDRESS_KEYS = ['from', 'to', 'address', 'refundAddress'] as const;
const AMOUNT_KEYS = ['value', 'balance'] as const;

/** A trace address: at most MAX_TRACE_DEPTH small whole numbers. */
function smallIndexes(path: readonly unknown[]): boolean {
  if (path.length > MAX_TRACE_DEPTH) return false;
  for (const i of path) if (!Number.isSafeInteger(i) || (i as number) < 0) return false;
  return true;
}
