/** Synthetic addresses shared by the swap tests (test/swapTaint.test.ts, swapDecode.test.ts): stable, named by their role. */
import { createHash } from 'node:crypto';
import type { Transfer } from '../../src/types.js';

/** An address derived from a tag: the same in every run, never a real account. */
export const tagged = (tag: string): string => `0x${createHash('sha256').update(tag).digest('hex').slice(0, 40)}`;

/** The roles of a swap: the holder who swaps, the route's router, pair and pool, and three tokens. */
export const SWAP_ROLES = {
  SEED: tagged('seed'),
  HOLDER: tagged('holder'),
  ROUTER: tagged('router'),
  PAIR: tagged('pair'),
  POOL: tagged('pool'),
  VENUE: tagged('venue'),
  WETH: tagged('weth'),
  USDT: tagged('usdt'),
  DAI: tagged('dai'),
};

let n = 0;
/** An ERC-20 movement at `block` (transaction index 0), in its own transaction unless `o.txHash` names one. */
export function move(from: string, to: string, asset: string, amount: bigint, block: number, o: { txHash?: string; ref?: string } = {}): Transfer {
  n++;
  return {
    chainId: 1,
    txHash: o.txHash ?? `0x${n.toString(16).padStart(64, '0')}`,
    ref: o.ref ?? 'log:0',
    kind: 'erc20',
    blockNumber: block,
    blockHash: `0x${block.toString(16).padStart(64, 'b')}`,
    txIndex: 0,
    from,
    to,
    asset,
    amount,
  };
}

