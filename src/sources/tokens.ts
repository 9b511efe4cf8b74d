import { AbiCoder, toUtf8String } from 'ethers';
import { call as ethCall } from '../rpc/actions/call.js';
import type { RpcClient } from '../rpc/client.js';
import type { Store } from '../store/store.js';
import type { Address, TokenInfo } from '../types.js';

const SYMBOL = '0x95d89b41'; // symbol()
const DECIMALS = '0x313ce567'; // decimals()
/** Symbols are attacker-controlled: keep a bounded raw string; report/ neutralises it for display. */
const MAX_SYMBOL = 64;

/**
 * Token symbol and decimals, read once with eth_call at the head and kept in the store (a token that
 * does not answer is stored as unknown and not asked again).
 */
export async function tokenInfo(rpc: RpcClient, store: Store, address: Address): Promise<TokenInfo> {
  const stored = store.tokens.get(address);
  if (stored) return stored;
  const [symbolRaw, decimalsRaw] = await Promise.all([call(rpc, address, SYMBOL), call(rpc, address, DECIMALS)]);
  const info: TokenInfo = { address, symbol: decodeSymbol(symbolRaw), decimals: decodeDecimals(decimalsRaw) };
  store.tokens.put(info);
  return info;
}

async function call(rpc: RpcClient, to: Address, data: string): Promise<string | null> {
  try {
    return await ethCall(rpc, { to, data });
  } catch (err) {
    // A revert or a contract without the function is an answer ("unknown"), not a failure of the trace.
    const retryable = (err as { retryable?: boolean }).retryable;
    if (retryable) throw err;
    return null;
  }
}

/** ABI string, or the bytes32 that old tokens (MKR, SAI) return. */
export function decodeSymbol(raw: string | null): string | null {
  if (!raw || raw === '0x') return null;
  try {
    const [s] = AbiCoder.defaultAbiCoder().decode(['string'], raw) as unknown as [string];
    return s.slice(0, MAX_SYMBOL);
  } catch {
    /* not an ABI string: try bytes32 */
  }
  if (/^0x[0-9a-fA-F]{64}$/.test(raw)) {
    try {
      return toUtf8String(raw.replace(/(00)+$/, '')).slice(0, MAX_SYMBOL) || null;
    } catch {
      return null;
    }
  }
  return null;
}

export function decodeDecimals(raw: string | null): number | null {
  if (!raw || !/^0x[0-9a-fA-F]{1,64}$/.test(raw)) return null;
  const v = BigInt(raw);
  return v <= 255n ? Number(v) : null;
}
