import { InvalidResponseError } from '../errors.js';
import { NATIVE, type Transfer } from '../types.js';
import type { ParityTrace } from '../rpc/actions/parityTrace.js';
import { hexToBigInt, hexToNumber } from '../rpc/hex.js';

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
