import { InvalidResponseError } from '../errors.js';
import { NATIVE, type Transfer } from '../types.js';
import { hexToBigInt, hexToNumber, nodeAddress, nodeHash } from './hex.js';

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

/** The ref of a trace inside its transaction: `trace:` for the top call, `trace:0.2` for nested ones. */
export function traceRef(traceAddress: readonly number[]): string {
  return 'trace:' + traceAddress.join('.');
}

/**
 * Native value movements in a list of traces. A trace that failed, or whose ancestor failed, moved
 * nothing: `failed` lists the refs (per tx) known to have failed — pass the whole transaction's traces
 * (trace_block, trace_transaction) so ancestors are known. Delegate and static calls move no value.
 * Zero-value movements are dropped: for native coin they carry no funds.
 */
export function decodeTraces(traces: readonly ParityTrace[], chainId: number): Transfer[] {
  const failedByTx = new Map<string, string[]>();
  for (const t of traces) {
    if (t.error && t.transactionHash) {
      const list = failedByTx.get(t.transactionHash) ?? [];
      list.push(t.traceAddress.join('.'));
      failedByTx.set(t.transactionHash, list);
    }
  }
  const out: Transfer[] = [];
  for (const t of traces) {
    if (!t.transactionHash || t.type === 'reward') continue;
    if (isReverted(t.traceAddress, failedByTx.get(t.transactionHash))) continue;
    const move = valueMove(t);
    if (!move || move.amount === 0n) continue;
    out.push({
      chainId,
      txHash: t.transactionHash.toLowerCase(),
      ref: traceRef(t.traceAddress),
      kind: t.traceAddress.length === 0 ? 'native' : 'internal',
      blockNumber: hexToNumber(t.blockNumber),
      blockHash: t.blockHash.toLowerCase(),
      txIndex: hexToNumber(t.transactionPosition ?? 0),
      from: move.from,
      to: move.to,
      asset: NATIVE,
      amount: move.amount,
    });
  }
  return out;
}

/** True when the trace at `addr` or one of its ancestors is in `failed` (dot-joined trace addresses). */
export function isReverted(addr: readonly number[], failed: readonly string[] | undefined): boolean {
  if (!failed || failed.length === 0) return false;
  const self = addr.join('.');
  return failed.some((f) => f === '' || f === self || self.startsWith(f + '.'));
}

function valueMove(t: ParityTrace): { from: string; to: string; amount: bigint } | null {
  const a = t.action;
  if (t.type === 'call') {
    if (a.callType && a.callType !== 'call') return null; // delegatecall/staticcall/callcode keep value in place
    if (!a.from || !a.to) throw new InvalidResponseError('a call trace without from/to.');
    return { from: a.from.toLowerCase(), to: a.to.toLowerCase(), amount: hexToBigInt(a.value ?? '0x0') };
  }
  if (t.type === 'create') {
    const created = t.result?.address;
    if (!a.from || !created) return null;
    return { from: a.from.toLowerCase(), to: created.toLowerCase(), amount: hexToBigInt(a.value ?? '0x0') };
  }
  if (t.type === 'suicide' || t.type === 'selfdestruct') {
    if (!a.address || !a.refundAddress) return null;
    return { from: a.address.toLowerCase(), to: a.refundAddress.toLowerCase(), amount: hexToBigInt(a.balance ?? '0x0') };
  }
  return null;
}

/** Deepest call nesting accepted (the EVM's call depth limit is 1024). */
const MAX_TRACE_DEPTH = 1025;

/**
 * Checks a trace list answer: a list, every trace inside the block range, of the strict shape (addresses
 * and hashes of their length in hex, values below 2^256, trace addresses small whole numbers). The
 * traces are normalised in place (hex lower-cased) and returned.
 */
export function validateTraces(traces: unknown, from: number, to: number, method: string): ParityTrace[] {
  if (!Array.isArray(traces)) throw new InvalidResponseError(`${method} answered with something that is not a list.`);
  for (const t of traces as ParityTrace[]) {
    if (
      typeof t !== 'object' ||
      t === null ||
      !Array.isArray(t.traceAddress) ||
      t.traceAddress.length > MAX_TRACE_DEPTH ||
      !t.traceAddress.every((i) => Number.isSafeInteger(i) && i >= 0) ||
      typeof t.type !== 'string' ||
      typeof t.action !== 'object' ||
      t.action === null
    ) {
      throw new InvalidResponseError(`${method} answered with a malformed trace.`);
    }
    const n = hexToNumber(t.blockNumber);
    if (n < from || n > to) throw new InvalidResponseError(`${method} returned a trace of block ${n} for ${from}–${to}.`);
    t.blockHash = nodeHash(t.blockHash, 'a block hash');
    if (t.transactionHash !== undefined && t.transactionHash !== null) t.transactionHash = nodeHash(t.transactionHash, 'a transaction hash');
    if (t.transactionPosition !== undefined && t.transactionPosition !== null) t.transactionPosition = hexToNumber(t.transactionPosition);
    const a = t.action;
    for (const k of ['from', 'to', 'address', 'refundAddress'] as const) {
      if (a[k] !== undefined && a[k] !== null) a[k] = nodeAddress(a[k], `a trace's ${k} address`);
    }
    for (const k of ['value', 'balance'] as const) if (a[k] !== undefined && a[k] !== null) hexToBigInt(a[k]);
    if (t.result?.address !== undefined && t.result.address !== null) t.result.address = nodeAddress(t.result.address, 'a created address');
  }
  return traces as ParityTrace[];
}
