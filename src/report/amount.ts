import { NATIVE } from '../types.js';
import type { Asset } from '../types.js';
import type { PathStep } from '../trace/result.js';
import { fullAddress, shortAddress } from './address.js';
import { cleanText } from './sanitize.js';
import { formatAmount, knownDecimals } from '../util/amount.js';

export { formatAmount, formatCount, groupDigits, knownDecimals, type AmountFormat } from '../util/amount.js';

/** Longest token symbol shown in text; longer (attacker-chosen) symbols are cut. */
export const SYMBOL_MAX = 20;

/**
 * What to call an asset in text: its cleaned symbol, else `native` or `token 0xdAC1…1ec7`.
 */
export function assetName(asset: Asset, symbol: string | null): string {
  const s = symbol === null ? '' : cleanText(symbol, SYMBOL_MAX);
  if (s !== '') return s;
  return asset === NATIVE ? 'native' : `token ${shortAddress(asset)}`;
}

/** What every output says of a crossing step whose arrival named no asset and showed the payee no token transfer. */
export const ASSET_NOT_NAMED = 'asset not named';

/**
 * An amount with its asset, for text: `12.5 ETH`, `1,234.5 USDT`, or `123,456 units of FOO` when the
 * decimals are unknown; `0.5 (asset not named)` where no asset was seen (a crossing step: PathStep.asset).
 */
export function formatAssetAmount(amount: bigint, decimals: number | null, symbol: string | null, asset: Asset | null): string {
  if (asset === null) return `${formatAmount(amount, decimals)} (${ASSET_NOT_NAMED})`;
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
