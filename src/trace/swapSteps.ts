import type { Asset, Conversion, Transfer } from '../types.js';
import type { PathSwap } from './result.js';

/**
 * The swap a path step rests on: the last conversion of the step's sender into the step's asset at or
 * before the step (block, then transaction index). Undefined when the sender did not swap into it.
 */
export function swapBefore(conversions: readonly Conversion[], t: Transfer): Conversion | undefined {
  let found: Conversion | undefined;
  for (const c of conversions) {
    if (c.holder !== t.from || c.assetOut !== t.asset) continue;
    if (c.blockNumber > t.blockNumber || (c.blockNumber === t.blockNumber && c.txIndex > t.txIndex)) continue;
    if (!found || c.blockNumber > found.blockNumber || (c.blockNumber === found.blockNumber && c.txIndex > found.txIndex)) found = c;
  }
  return found;
}

/** A conversion as the path step shows it, with the symbols and decimals of its two assets. */
export function pathSwap(c: Conversion, meta: (asset: Asset) => { symbol: string | null; decimals: number | null }): PathSwap {
  const a = meta(c.assetIn);
  const b = meta(c.assetOut);
  return {
    fact: 'swap-event',
    holder: c.holder,
    txHash: c.txHash,
    blockNumber: c.blockNumber,
    assetIn: c.assetIn,
    symbolIn: a.symbol,
    decimalsIn: a.decimals,
    amountIn: c.amountIn,
    assetOut: c.assetOut,
    symbolOut: b.symbol,
    decimalsOut: b.decimals,
    amountOut: c.amountOut,
    pools: c.legs.map((l) => ({ address: l.pool, protocol: l.protocol, ref: l.ref })),
  };
}
