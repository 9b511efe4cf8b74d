import { NATIVE } from '../types.js';
import type { Asset } from '../types.js';
import type { PathStep } from '../trace/result.js';
import { fullAddress, shortAddress } from './address.js';
import { cleanText } from './sanitize.js';

/** ERC-20 `decimals()` is a uint8: anything outside 0–255 is treated as unknown. */
const MAX_DECIMALS = 255;

/** Longest token symbol shown in text; longer (attacker-chosen) symbols are cut. */
export const SYMBOL_MAX = 20;

export interface AmountFormat {
  /** Thousands separators in the integer part (`1,234.5`). Default true (text mode). */
  grouping?: boolean;
}

/** `1234567` → `1,234,567` (digits only, no sign). */
export function groupDigits(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A count (RPC calls, transfers, degree) with thousands separators; non-integers as they are. */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return String(n);
  return (n < 0 ? '-' : '') + groupDigits(String(Math.abs(n)));
}

/** True when `decimals` can scale an amount: an integer in 0–255. */
export function knownDecimals(decimals: number | null): decimals is number {
  return decimals !== null && Number.isSafeInteger(decimals) && decimals >= 0 && decimals <= MAX_DECIMALS;
}

/**
 * Exact decimal rendering of a base-unit amount, with bigint arithmetic only (no float can round a
 * 2^70-wei amount). Trailing zeros of the fraction are trimmed. With unknown decimals the base units are
 * shown and the text says so.
 *
 * @example formatAmount(1_234_500_000n, 6)  // '1,234.5'
 * @example formatAmount(1n, 18)             // '0.000000000000000001'
 * @example formatAmount(123456n, null)      // '123,456 units'
 * @example formatAmount(123456n, null, { grouping: false }) // '123456 units'
 */
export function formatAmount(amount: bigint, decimals: number | null, opts: AmountFormat = {}): string {
  const grouping = opts.grouping ?? true;
  const sign = amount < 0n ? '-' : '';
  const digits = (amount < 0n ? -amount : amount).toString();
  const group = (d: string): string => (grouping ? groupDigits(d) : d);
  if (!knownDecimals(decimals)) return `${sign}${group(digits)} units`;
  if (decimals === 0) return sign + group(digits);
  const padded = digits.padStart(decimals + 1, '0');
  const intPart = padded.slice(0, padded.length - decimals);
  const fracPart = padded.slice(padded.length - decimals).replace(/0+$/, '');
  return sign + group(intPart) + (fracPart === '' ? '' : `.${fracPart}`);
}

/**
 * What to call an asset in text: its cleaned symbol, else `native` or `token 0xdAC1…1ec7`.
 */
export function assetName(asset: Asset, symbol: string | null): string {
  const s = symbol === null ? '' : cleanText(symbol, SYMBOL_MAX);
  if (s !== '') return s;
  return asset === NATIVE ? 'native' : `token ${shortAddress(asset)}`;
}

/**
 * An amount with its asset, for text: `12.5 ETH`, `1,234.5 USDT`, or `123,456 units of FOO` when the
 * decimals are unknown.
 */
export function formatAssetAmount(amount: bigint, decimals: number | null, symbol: string | null, asset: Asset): string {
  const name = assetName(asset, symbol);
  const value = formatAmount(amount, decimals);
  return knownDecimals(decimals) ? `${value} ${name}` : `${value} of ${name}`;
}

/** The token contract in full (EIP-55), or null for the native coin. */
export function assetContract(asset: Asset): string | null {
  return asset === NATIVE ? null : fullAddress(asset);
}

const PROTOCOL_NAME: Record<string, string> = { 'uniswap-v2': 'Uniswap v2 pair', 'uniswap-v3': 'Uniswap v3 pool' };

/**
 * A path step's swap in words, for every text renderer: `swapped 100 WETH → 312,000 USDT on Uniswap v3
 * pool 0x1f98…f984 (fact: Swap event, tx 0x…)`; a multi-hop route names each pool in order.
 */
export function swapText(w: NonNullable<PathStep['swap']>): string {
  const pools = w.pools.map((p) => `${PROTOCOL_NAME[p.protocol] ?? cleanText(p.protocol, 20)} ${shortAddress(p.address)}`).join(', then ');
  const from = formatAssetAmount(w.amountIn, w.decimalsIn, w.symbolIn, w.assetIn);
  const to = formatAssetAmount(w.amountOut, w.decimalsOut, w.symbolOut, w.assetOut);
  return `swapped ${from} → ${to} on ${pools} (fact: Swap event${w.pools.length === 1 ? '' : 's'}, tx ${cleanText(w.txHash, 66)})`;
}
