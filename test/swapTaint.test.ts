/**
 * DEX swaps in the taint models, by hand (pure: no node). A hop address X holds 100 clean WETH units, then
 * receives 100 tainted ones from the seed, swaps 150 WETH for 300,000 USDT units in one transaction
 * (the route's payment in and payout, stored, are the conversion's halves) and pays all its USDT to a
 * venue. Each expected figure is derived in the comment beside it.
 */
import { describe, expect, it } from 'vitest';
import { attribute, convertTaint, taintBalance, TAINT_MODELS, type AttributionOptions, type VenueInfo } from '../src/graph/taint.js';
import type { Conversion, Transfer } from '../src/types.js';
import { move, SWAP_ROLES, tagged } from './helpers/swaps.js';

const { SEED, HOLDER: X, POOL, VENUE, WETH, USDT } = SWAP_ROLES;
const CLEAN = tagged('clean');
const Y = tagged('y');
const SWAP_TX = `0x${'5'.repeat(64)}`;

const conversion = (holder: string, amountIn: bigint, amountOut: bigint, o: { txHash?: string; block?: number } = {}): Conversion => ({
  chainId: 1,
  txHash: o.txHash ?? SWAP_TX,
  blockNumber: o.block ?? 3,
  blockHash: `0x${(o.block ?? 3).toString(16).padStart(64, 'b')}`,
  txIndex: 0,
  ref: 'log:3',
  holder,
  assetIn: WETH,
  amountIn,
  assetOut: USDT,
  amountOut,
  legs: [{ pool: POOL, protocol: 'uniswap-v2', ref: 'log:3', tokenIn: WETH, amountIn, tokenOut: USDT, amountOut }],
});

const venue: VenueInfo = { entity: 'Venue', category: 'exchange', risk: 'standard' };
const opts = (extra: Partial<AttributionOptions> = {}): AttributionOptions => ({
  seeds: [SEED],
  venue: (a) => (a === VENUE ? venue : undefined),
  hops: 5,
  stopAtLabels: true,
  isToken: () => true,
  ...extra,
});

const rows: Transfer[] = [
  move(CLEAN, X, WETH, 100n, 1), // clean first: FIFO puts it at the head of X's queue
  move(SEED, X, WETH, 100n, 2), // tainted
  // The swap: X pays 150 WETH into the pool (log 1), the pool pays 300,000 USDT to X (log 2), Swap is log 3.
  move(X, POOL, WETH, 150n, 3, { txHash: SWAP_TX, ref: 'log:1' }),
  move(POOL, X, USDT, 300_000n, 3, { txHash: SWAP_TX, ref: 'log:2' }),
  move(X, VENUE, USDT, 300_000n, 4),
];

const at = (a: ReturnType<typeof attribute>, model: (typeof TAINT_MODELS)[number], asset: string): bigint => a.venues.find((v) => v.address === VENUE)?.amounts[model].get(asset) ?? 0n;

describe('taint across a DEX swap', () => {
  it('carries the tainted share of WETH into the USDT received, in all three models', () => {
    const a = attribute(rows, opts({ conversions: [conversion(X, 150n, 300_000n)] }));
    // Poison: X is poisoned by the seed's payment, so all 300,000 USDT it pays is tainted.
    expect(at(a, 'poison', USDT)).toBe(300_000n);
    // Haircut: X holds 200 WETH of which 100 tainted; 150 spent carry 150·100/200 = 75 tainted WETH,
    // which become 75 · 300,000 / 150 = 150,000 tainted USDT.
    expect(at(a, 'haircut', USDT)).toBe(150_000n);
    // FIFO: the 150 taken are the 100 clean then 50 tainted; scaled by 2,000: 200,000 clean then 100,000
    // tainted USDT, all paid to the venue.
    expect(at(a, 'fifo', USDT)).toBe(100_000n);
    expect(a.venues.find((v) => v.address === VENUE)?.support).toEqual(['poison', 'haircut', 'fifo']);
    // The swap is reported with what crossed it.
    expect(a.swaps).toHaveLength(1);
    expect(a.swaps[0]?.taintIn).toEqual({ poison: 150n, haircut: 75n, fifo: 50n });
    expect(a.swaps[0]?.taintOut).toEqual({ poison: 300_000n, haircut: 150_000n, fifo: 100_000n });
  });

  it('conserves taint per model and asset, and what enters USDT is the image of what left WETH', () => {
    const a = attribute(rows, opts({ conversions: [conversion(X, 150n, 300_000n)] }));
    for (const model of TAINT_MODELS) {
      for (const [asset, { sources, uses }] of taintBalance(a)[model]) expect(uses, `${model} ${asset}`).toBe(sources);
      const out = a.converted.out[model].get(WETH) ?? 0n;
      const into = a.converted.in[model].get(USDT) ?? 0n;
      // Haircut and FIFO: exactly the rate applied (300,000 / 150 divides); poison: the whole amounts.
      if (model === 'poison') expect([out, into]).toEqual([150n, 300_000n]);
      else expect(into).toBe((out * 300_000n) / 150n);
    }
    // Haircut: the 25 tainted WETH left at X (100 − 75) are held there, not lost.
    expect(a.frontier.find((h) => h.address === X)?.held.haircut.get(WETH)).toBe(25n);
  });

  it('without the conversion, haircut and FIFO see clean USDT (the models keep assets apart)', () => {
    const a = attribute(rows, opts());
    expect(at(a, 'poison', USDT)).toBe(300_000n);
    expect(at(a, 'haircut', USDT)).toBe(0n);
    expect(at(a, 'fifo', USDT)).toBe(0n);
    expect(a.swaps).toEqual([]);
  });

  it('a swap of an address that holds no taint changes no figure', () => {
    const other = [...rows, move(CLEAN, Y, WETH, 10n, 5), move(Y, POOL, WETH, 10n, 6, { txHash: `0x${'6'.repeat(64)}`, ref: 'log:1' })];
    const without = attribute(other, opts({ conversions: [conversion(X, 150n, 300_000n)] }));
    const withY = attribute(other, opts({ conversions: [conversion(X, 150n, 300_000n), conversion(Y, 10n, 20_000n, { txHash: `0x${'6'.repeat(64)}`, block: 6 })] }));
    expect(withY.venues).toEqual(without.venues);
    expect(withY.frontier).toEqual(without.frontier);
    expect(withY.swaps).toEqual(without.swaps);
  });

  it('convertTaint scales FIFO pieces with cumulative floors: they add up to the amount out, in order', () => {
    const pieces = [
      { amount: 1n, tainted: false },
      { amount: 1n, tainted: true },
      { amount: 1n, tainted: false },
    ];
    // 3 in → 10 out: cumulative floors 3, 6, 10 → pieces 3, 3, 4.
    const c = convertTaint({ poison: true, haircut: 1n, fifo: pieces }, 3n, 10n);
    expect(c.fifo).toEqual([
      { amount: 3n, tainted: false },
      { amount: 3n, tainted: true },
      { amount: 4n, tainted: false },
    ]);
    expect(c.haircut).toBe(3n); // floor(1 · 10 / 3)
    expect(c.poison).toBe(true);
    // A rate below one drops pieces that round to nothing, never creating units.
    const down = convertTaint({ poison: false, haircut: 2n, fifo: pieces }, 3n, 1n);
    expect(down.fifo).toEqual([{ amount: 1n, tainted: false }]);
    expect(down.haircut).toBe(0n);
  });
});
