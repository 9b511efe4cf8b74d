/**
 * Reading swaps without a node: Uniswap v2/v3 Swap logs decoded (topics computed from the signatures in
 * Uniswap's own contracts, docs/swaps.md), a transaction's route and the holder's conversion from its
 * receipt logs, what is refused, the walk leaving the payment into a route with its holder (memory
 * world), and the store's swap tables (checks, conversions, pool tokens, reorg rollback).
 */
import { AbiCoder, zeroPadValue } from 'ethers';
import { describe, expect, it } from 'vitest';
import type { RpcLog } from '../src/rpc/actions/getLogs.js';
import { TOPIC_DEPOSIT, TOPIC_TRANSFER } from '../src/sources/logs.js';
import { conversionOf, decodeSwapLog, TOPIC_SWAP_V2, TOPIC_SWAP_V3 } from '../src/sources/swaps.js';
import { createStore } from '../src/store/store.js';
import { createMemoryWorld } from '../src/trace/memoryWorld.js';
import { walk } from '../src/trace/walk.js';
import { NATIVE, type Conversion } from '../src/types.js';
import { move, SWAP_ROLES, tagged } from './helpers/swaps.js';
import { tempDb } from './helpers/trace.js';
import { venueLabel, WALK_DEFAULTS } from './helpers/walk.js';

const addr = tagged;
const { HOLDER, ROUTER, PAIR, POOL, WETH, USDT, DAI } = SWAP_ROLES;
const TX = `0x${'a'.repeat(64)}`;
const abi = AbiCoder.defaultAbiCoder();
const topic = (a: string): string => zeroPadValue(a, 32).toLowerCase();

let index = 0;
const log = (address: string, topics: string[], data: string): RpcLog => ({
  address,
  topics,
  data,
  blockNumber: '0x10',
  blockHash: `0x${'b'.repeat(64)}`,
  transactionHash: TX,
  transactionIndex: '0x0',
  logIndex: `0x${(index++).toString(16)}`,
});
const transfer = (token: string, from: string, to: string, amount: bigint): RpcLog => log(token, [TOPIC_TRANSFER, topic(from), topic(to)], abi.encode(['uint256'], [amount]));
const v2 = (pair: string, to: string, a0In: bigint, a1In: bigint, a0Out: bigint, a1Out: bigint): RpcLog =>
  log(pair, [TOPIC_SWAP_V2, topic(ROUTER), topic(to)], abi.encode(['uint256', 'uint256', 'uint256', 'uint256'], [a0In, a1In, a0Out, a1Out]));
const v3 = (pool: string, to: string, d0: bigint, d1: bigint): RpcLog =>
  log(pool, [TOPIC_SWAP_V3, topic(ROUTER), topic(to)], abi.encode(['int256', 'int256', 'uint160', 'uint128', 'int24'], [d0, d1, 1n << 96n, 10n ** 18n, 0]));

const tokens = new Map([
  [PAIR, { token0: WETH, token1: USDT }],
  [POOL, { token0: USDT, token1: DAI }],
]);
const at = { chainId: 1, txHash: TX, blockNumber: 16, blockHash: `0x${'b'.repeat(64)}`, txIndex: 0 };

describe('Swap events', () => {
  it('the topics are those of the published signatures (mainnet values)', () => {
    expect(TOPIC_SWAP_V2).toBe('0xd78ad95fa46c994b6551d0da85fc275fe613ce37657fb8d5e3d130840159d822');
    expect(TOPIC_SWAP_V3).toBe('0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67');
  });

  it('decodes v2 amounts in/out and v3 signed deltas as the pool balance change', () => {
    expect(decodeSwapLog(v2(PAIR, HOLDER, 5n, 0n, 0n, 7n))).toMatchObject({ pool: PAIR, protocol: 'uniswap-v2', delta0: 5n, delta1: -7n });
    expect(decodeSwapLog(v3(POOL, HOLDER, -3n, 9n))).toMatchObject({ pool: POOL, protocol: 'uniswap-v3', delta0: -3n, delta1: 9n });
    // Short data, a non-address topic, another event: none is a swap.
    expect(decodeSwapLog({ ...v2(PAIR, HOLDER, 1n, 0n, 0n, 1n), data: '0x00' })).toBeNull();
    expect(decodeSwapLog({ ...v2(PAIR, HOLDER, 1n, 0n, 0n, 1n), topics: [TOPIC_SWAP_V2, `0x${'f'.repeat(64)}`, topic(HOLDER)] })).toBeNull();
    expect(decodeSwapLog(transfer(WETH, HOLDER, PAIR, 1n))).toBeNull();
  });
});

describe('a transaction\'s conversion', () => {
  it('one v2 swap through a router: what the holder paid and got', () => {
    const logs = [transfer(WETH, HOLDER, PAIR, 100n), transfer(USDT, PAIR, HOLDER, 312n), v2(PAIR, HOLDER, 100n, 0n, 0n, 312n)];
    const c = conversionOf(HOLDER, logs, (p) => tokens.get(p), 0n, at);
    // The conversion is complete at the Swap event, the route's last.
    expect(c).toMatchObject({ holder: HOLDER, assetIn: WETH, amountIn: 100n, assetOut: USDT, amountOut: 312n, ref: `log:${Number(logs[2]!.logIndex)}` });
    expect(c?.legs).toHaveLength(1);
  });

  it('a two-hop route v2 → v3: the middle token nets to zero; an aggregator fee is part of what the holder paid', () => {
    const logs = [
      transfer(WETH, HOLDER, PAIR, 100n),
      transfer(WETH, HOLDER, ROUTER, 1n), // the aggregator's fee, in the asset paid in
      transfer(USDT, PAIR, POOL, 312n),
      v2(PAIR, POOL, 100n, 0n, 0n, 312n),
      transfer(DAI, POOL, HOLDER, 300n),
      v3(POOL, HOLDER, 312n, -300n),
    ];
    const c = conversionOf(HOLDER, logs, (p) => tokens.get(p), 0n, at);
    expect(c).toMatchObject({ assetIn: WETH, amountIn: 101n, assetOut: DAI, amountOut: 300n });
    expect(c?.legs.map((l) => [l.pool, l.protocol])).toEqual([
      [PAIR, 'uniswap-v2'],
      [POOL, 'uniswap-v3'],
    ]);
  });

  it('native coin in through a router that wraps it (WETH Deposit): the asset in is native', () => {
    const logs = [log(WETH, [TOPIC_DEPOSIT, topic(ROUTER)], abi.encode(['uint256'], [100n])), transfer(WETH, ROUTER, PAIR, 100n), transfer(USDT, PAIR, HOLDER, 312n), v2(PAIR, HOLDER, 100n, 0n, 0n, 312n)];
    expect(conversionOf(HOLDER, logs, (p) => tokens.get(p), 100n, at)).toMatchObject({ assetIn: NATIVE, amountIn: 100n, assetOut: USDT });
  });

  it('refuses what is no single route the holder paid into and was paid out of', () => {
    const swap = [transfer(WETH, HOLDER, PAIR, 100n), transfer(USDT, PAIR, HOLDER, 312n), v2(PAIR, HOLDER, 100n, 0n, 0n, 312n)];
    // Another address's swap: the holder neither paid nor got anything.
    expect(conversionOf(addr('other'), swap, (p) => tokens.get(p), 0n, at)).toBeNull();
    // A pool that does not name its tokens: no route is claimed from the transaction.
    expect(conversionOf(HOLDER, swap, () => ({ token0: null, token1: null }), 0n, at)).toBeNull();
    // Two tokens out (two separate swaps from WETH): not one conversion.
    const two = [...swap, transfer(DAI, POOL, HOLDER, 5n), v3(POOL, HOLDER, 0n, -5n)];
    expect(conversionOf(HOLDER, two, (p) => tokens.get(p), 0n, at)).toBeNull();
    // Paid out in the native coin (no Transfer to the holder): not read.
    expect(conversionOf(HOLDER, [swap[0]!, swap[2]!], (p) => tokens.get(p), 0n, at)).toBeNull();
  });
});

describe('the walk through a swap (memory world)', () => {
  const { SEED } = SWAP_ROLES;
  const OTHER = addr('unreached');
  const rows = [
    move(SEED, HOLDER, WETH, 100n, 1),
    move(HOLDER, PAIR, WETH, 100n, 2, { txHash: TX }),
    move(PAIR, addr('someone'), WETH, 50n, 3),
    move(HOLDER, addr('next'), USDT, 312n, 4),
    move(OTHER, PAIR, WETH, 9n, 5, { txHash: `0x${'c'.repeat(64)}` }),
  ];
  const conversion: Conversion = { ...at, blockNumber: 2, ref: 'log:9', holder: HOLDER, assetIn: WETH, amountIn: 100n, assetOut: USDT, amountOut: 312n, legs: [] };

  it('does not follow the payment into the route, follows the asset bought, and asks only of expanded addresses', async () => {
    const asked: string[] = [];
    const world = createMemoryWorld({
      transfers: rows,
      swaps: {
        async conversions(asks) {
          for (const { holder, payments } of asks) asked.push(...payments.map((t) => `${holder}|${t.txHash}`));
          return asks.map(({ holder }) => (holder === HOLDER ? [conversion] : []));
        },
      },
    });
    const r = await walk({ ...WALK_DEFAULTS, world, seeds: [SEED], hops: 3 });
    expect(r.visited.has(PAIR)).toBe(false);
    expect([...r.traced.values()].map((e) => [e.transfer.from, e.transfer.to])).toEqual([
      [SEED, HOLDER],
      [HOLDER, addr('next')],
    ]);
    expect(r.conversions).toEqual([conversion]);
    expect(asked.some((k) => k.startsWith(OTHER))).toBe(false);
    // A labelled recipient is a hit, whatever it does with the funds: no swap is asked of that payment.
    asked.length = 0;
    const swaps = {
      async conversions(asks: readonly { holder: string; payments: readonly { txHash: string }[] }[]) {
        for (const { holder, payments } of asks) asked.push(...payments.map((t) => `${holder}|${t.txHash}`));
        return asks.map(() => []);
      },
    };
    const labelled = await walk({ ...WALK_DEFAULTS, world: createMemoryWorld({ transfers: rows, labels: [venueLabel(PAIR)], swaps }), seeds: [SEED], hops: 3 });
    expect(labelled.hits.map((h) => h.venue)).toEqual([PAIR]);
    expect(asked.some((k) => k.endsWith(TX))).toBe(false);
    // Without a swap checker the pool is an ordinary hop.
    const plain = await walk({ ...WALK_DEFAULTS, world: createMemoryWorld({ transfers: rows }), seeds: [SEED], hops: 3 });
    expect(plain.visited.has(PAIR)).toBe(true);
  });
});

describe('store.swaps', () => {
  it('keeps checks, conversions and pool tokens, and forgets swaps above a reorg', () => {
    const store = createStore(tempDb('swaps.db'));
    try {
      store.bindChain(1, 'test');
      const c: Conversion = { ...at, ref: 'log:3', holder: HOLDER, assetIn: WETH, amountIn: 10n ** 30n, assetOut: USDT, amountOut: 312n, legs: [{ pool: PAIR, protocol: 'uniswap-v2', ref: 'log:3', tokenIn: WETH, amountIn: 10n ** 30n, tokenOut: USDT, amountOut: 312n }] };
      /** Whether the receipt of `tx` was read for `holder`'s swaps (the walk asks a level's transactions at once). */
      const checked = (tx: string, holder: string): boolean => store.swaps.checkedIn([tx]).has(`${tx}|${holder}`);
      expect(checked(TX, HOLDER)).toBe(false);
      store.swaps.recordAll([{ txHash: TX, holder: HOLDER, blockNumber: 16, conversion: c }]);
      store.swaps.recordAll([{ txHash: `0x${'d'.repeat(64)}`, holder: HOLDER, blockNumber: 20, conversion: null }]);
      store.swaps.recordAll([]);
      expect(checked(TX, HOLDER)).toBe(true);
      expect(checked(TX, addr('other'))).toBe(false);
      // Several transactions at once: the (transaction, holder) pairs checked among them.
      expect(store.swaps.checkedIn([TX, `0x${'d'.repeat(64)}`, `0x${'e'.repeat(64)}`])).toEqual(new Set([`${TX}|${HOLDER}`, `0x${'d'.repeat(64)}|${HOLDER}`]));
      expect(store.swaps.checkedIn([])).toEqual(new Set());
      expect(store.swaps.inRange(0, 100)).toEqual([c]);
      expect(store.swaps.inTxs([TX, `0x${'d'.repeat(64)}`])).toEqual([c]);
      expect(store.swaps.inTxs([])).toEqual([]);
      expect(store.swaps.inRange(17, 100)).toEqual([]);
      store.swaps.putPoolTokens(PAIR, { token0: WETH, token1: USDT });
      expect(store.swaps.poolTokens(PAIR)).toEqual({ token0: WETH, token1: USDT });
      expect(store.swaps.poolTokens(POOL)).toBeUndefined();
      store.rollbackAbove(15);
      expect(store.swaps.inRange(0, 100)).toEqual([]);
      expect(checked(TX, HOLDER)).toBe(false);
      expect(store.swaps.poolTokens(PAIR)).toEqual({ token0: WETH, token1: USDT }); // a pool's tokens do not change
    } finally {
      store.close();
    }
  });
});
