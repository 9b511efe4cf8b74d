/**
 * DEX swaps followed on a real anvil: fixture pair, pool and router (fixtures/contracts/swaps) emit
 * Uniswap v2's and v3's exact Swap events and move real ERC-20 balances. Stolen WETH is swapped into
 * USDT by the addresses it reaches (one v2 swap, one two-hop v2 → v3 route) and the USDT is paid to
 * labelled venues; the trace reads the swaps from the receipts, every taint model attributes the USDT,
 * and the path step shows the conversion. A swap by an address the walk never reaches is not read.
 * Seeds and hops are real Lazarus-attributed addresses (data/lazarus-seeds.csv), venues real labelled
 * addresses (data/exchanges.csv).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Interface } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleReport, recordRun } from '../src/cli/runReport.js';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario, type Scenario } from '../src/devchain/scenario.js';
import { renderMarkdown } from '../src/report/formats/md.js';
import { renderFullText } from '../src/report/formats/text.js';
import { fullReportJson } from '../src/report/full.js';
import { renderHtml } from '../src/report/html.js';
import { toJsonValue } from '../src/report/json.js';
import { renderText } from '../src/report/text.js';
import { createStore } from '../src/store/store.js';
import type { TraceResult } from '../src/trace/result.js';
import type { Address } from '../src/types.js';
import { packageRoot } from '../src/util/package.js';
import { startHostileNode, type Lie } from './helpers/hostileNode.js';
import { lazarus, tempDb, trace, venue } from './helpers/trace.js';

const ETH = 10n ** 18n;
const USD = 10n ** 6n;
const MAX = 2n ** 256n - 1n;

interface Artifact {
  abi: unknown[];
  bytecode: string;
}
const artifacts = JSON.parse(readFileSync(join(packageRoot(), 'fixtures/contracts/swaps/artifacts.json'), 'utf8')) as Record<string, Artifact>;
const iface = (name: string): Interface => new Interface((artifacts[name] as Artifact).abi as never);

const P = lazarus('poloniex', 6);
const p = (i: number): Address => P[i]!;
const [binance0, binance1] = venue('Binance', 2).map((l) => l.address) as [Address, Address];

let anvil: AnvilHandle;
let s: Scenario;
let weth: Address;
let usdt: Address;
let dai: Address;
let pairWethUsdt: Address;
let pairWethDai: Address;
let poolDaiUsdt: Address;
let router: Address;
let db: string;
let r: TraceResult;
const txs: Record<string, string> = {};

/** Sends a transaction from an impersonated (or unlocked) account; fails the set-up on a revert. */
async function send(from: Address, to: Address | null, data: string): Promise<{ hash: string; contract: Address | null }> {
  await s.rpc('anvil_impersonateAccount', [from]);
  const hash = await s.rpc<string>('eth_sendTransaction', [{ from, ...(to ? { to } : {}), data }]);
  // Automine mines at once, but on a loaded machine the receipt can lag the answer by a moment.
  type Mined = { status: string; contractAddress: string | null };
  const receiptOf = async (): Promise<Mined> => {
    for (let i = 0; i < 200; i++) {
      const found = await s.rpc<Mined | null>('eth_getTransactionReceipt', [hash]);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`transaction ${hash} was not mined`);
  };
  const receipt = await receiptOf();
  if (receipt.status !== '0x1') throw new Error(`transaction ${hash} reverted`);
  return { hash: hash.toLowerCase(), contract: receipt.contractAddress?.toLowerCase() ?? null };
}

async function deploy(name: string, args: unknown[] = []): Promise<Address> {
  const a = artifacts[name] as Artifact;
  const { contract } = await send(await s.deployer(), null, a.bytecode + iface(name).encodeDeploy(args).slice(2));
  if (!contract) throw new Error(`${name} not deployed`);
  return contract;
}

const call = (name: string, to: Address, from: Address, fn: string, args: unknown[]): Promise<{ hash: string }> => send(from, to, iface(name).encodeFunctionData(fn, args));

/** Gives `pool` liquidity in two tokens and records it as its reserves. */
async function fill(pool: Address, name: string, amounts: Array<[Address, bigint]>): Promise<void> {
  const deployer = await s.deployer();
  for (const [token, amount] of amounts) {
    if (token === weth) {
      await s.wrap(weth, deployer, amount);
      await s.tokenTransfer(weth, deployer, pool, amount);
    } else {
      await s.mintToken(token, pool, amount);
    }
  }
  await call(name, pool, deployer, 'sync', []);
}

beforeAll(async () => {
  anvil = await startAnvil({ genesisTimestamp: Date.parse('2025-02-20T00:00:00Z') / 1000 });
  s = createScenario(anvil.url);
  for (const a of [...P, binance0, binance1, await s.deployer()]) await s.fund(a, 10_000n * ETH);
  weth = (await s.deploy('WrappedEther')).address;
  usdt = (await s.deploy('TestToken', ['Tether USD (fixture)', 'USDT', 6])).address;
  dai = (await s.deploy('TestToken', ['Dai (fixture)', 'DAI', 18])).address;
  pairWethUsdt = await deploy('UniswapV2PairEmitter', [weth, usdt]);
  pairWethDai = await deploy('UniswapV2PairEmitter', [dai, weth]);
  poolDaiUsdt = await deploy('UniswapV3PoolEmitter', [usdt, dai]);
  router = await deploy('SwapRouterEmitter');
  await fill(pairWethUsdt, 'UniswapV2PairEmitter', [[weth, 1_000n * ETH], [usdt, 5_000_000n * USD]]);
  await fill(pairWethDai, 'UniswapV2PairEmitter', [[weth, 1_000n * ETH], [dai, 5_000_000n * ETH]]);
  await fill(poolDaiUsdt, 'UniswapV3PoolEmitter', [[dai, 5_000_000n * ETH], [usdt, 5_000_000n * USD]]);

  // The seed wraps its ETH and pays WETH to two hops.
  await s.wrap(weth, p(0), 110n * ETH);
  await s.tokenTransfer(weth, p(0), p(1), 100n * ETH);
  await s.tokenTransfer(weth, p(0), p(2), 10n * ETH);
  // p1 swaps 100 WETH for 312,000 USDT on the v2 pair (through the router) and pays it to Binance.
  await s.invoke('TestToken', weth, p(1), 'approve', [router, MAX]);
  txs.v2 = (await call('SwapRouterEmitter', router, p(1), 'swapV2', [weth, 100n * ETH, pairWethUsdt, 312_000n * USD, p(1)])).hash;
  await s.tokenTransfer(usdt, p(1), binance0, 312_000n * USD);
  // p2 routes 10 WETH → 30,000 DAI (v2 pair, paid straight into the v3 pool) → 31,000 USDT (v3 pool).
  await s.invoke('TestToken', weth, p(2), 'approve', [router, MAX]);
  txs.route = (await call('SwapRouterEmitter', router, p(2), 'swapV2ThenV3', [weth, 10n * ETH, pairWethDai, dai, 30_000n * ETH, poolDaiUsdt, 31_000n * USD, p(2)])).hash;
  await s.tokenTransfer(usdt, p(2), binance1, 31_000n * USD);
  // p5, never reached from the seed, swaps too and pays Binance: nothing of it may be read or counted.
  await s.wrap(weth, p(5), 5n * ETH);
  await s.invoke('TestToken', weth, p(5), 'approve', [router, MAX]);
  txs.unrelated = (await call('SwapRouterEmitter', router, p(5), 'swapV2', [weth, 5n * ETH, pairWethUsdt, 15_000n * USD, p(5)])).hash;
  await s.tokenTransfer(usdt, p(5), binance0, 15_000n * USD);
  await s.mine(70);

  db = tempDb();
  r = await trace(anvil.url, db, [p(0)], { hops: 4 }, { seedList: undefined });
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('DEX swaps on anvil', () => {
  it('shows the conversion on the path step, in the run JSON and in text', () => {
    const hit = r.hits.find((h) => h.address === binance0);
    expect(hit?.path.map((st) => [st.from, st.to, st.asset])).toEqual([
      [p(0), p(1), weth],
      [p(1), binance0, usdt],
    ]);
    const step = hit!.path[1]!;
    expect(step.swap).toMatchObject({
      fact: 'swap-event',
      holder: p(1),
      txHash: txs.v2,
      assetIn: weth,
      symbolIn: 'WETH',
      amountIn: 100n * ETH,
      assetOut: usdt,
      symbolOut: 'USDT',
      decimalsOut: 6,
      amountOut: 312_000n * USD,
      pools: [{ address: pairWethUsdt, protocol: 'uniswap-v2' }],
    });
    expect(hit!.path[0]!.swap).toBeUndefined();
    const json = toJsonValue(r).hits.find((h) => h.address === binance0)!.path[1]!.swap;
    expect(json).toMatchObject({ amountIn: (100n * ETH).toString(), amountOut: (312_000n * USD).toString() });
    const text = renderText(r, { color: false });
    expect(text).toContain('swapped 100 WETH → 312,000 USDT on Uniswap v2 pair');
    // The two-hop route names both pools, in order.
    const route = r.hits.find((h) => h.address === binance1)!.path[1]!.swap!;
    expect(route.pools.map((x) => [x.address, x.protocol])).toEqual([
      [pairWethDai, 'uniswap-v2'],
      [poolDaiUsdt, 'uniswap-v3'],
    ]);
    expect([route.assetIn, route.amountIn, route.assetOut, route.amountOut]).toEqual([weth, 10n * ETH, usdt, 31_000n * USD]);
  });

  it('leaves the payment into the route with its holder: the pools are not hops', () => {
    const reached = new Set(r.hits.flatMap((h) => h.path.flatMap((st) => [st.from, st.to])));
    for (const pool of [pairWethUsdt, pairWethDai, poolDaiUsdt, router]) expect(reached.has(pool)).toBe(false);
    // Checked: p0's two payments (their blocks' blooms hold no Swap event: no receipt asked), p1's and
    // p2's swap transactions (receipts read); payments to a labelled venue are hits, not checked; never p5's.
    expect(r.stats.swaps).toEqual({ receipts: 2, ruledOut: 2, poolCalls: 6, conversions: 2 });
    const store = createStore(db);
    try {
      expect(store.swaps.checkedIn([txs.unrelated!]).has(`${txs.unrelated}|${p(5)}`)).toBe(false);
      expect(store.swaps.inRange(0, 1_000_000).map((c) => c.holder).sort()).toEqual([p(1), p(2)].sort());
    } finally {
      store.close();
    }
  });

  it('a second run reads the conversions found from the store: the same swaps on the same steps, no receipt asked', async () => {
    const again = await trace(anvil.url, db, [p(0)], { hops: 4 }, { seedList: undefined });
    expect(again.stats.swaps).toEqual({ receipts: 0, ruledOut: 0, poolCalls: 0, conversions: 0 });
    const swapsOf = (x: typeof r) => x.hits.map((h) => [h.address, h.path.map((st) => st.swap ?? null)]);
    expect(swapsOf(again)).toEqual(swapsOf(r));
    expect(swapsOf(again).flatMap(([, steps]) => (steps as unknown[]).filter((x) => x !== null))).toHaveLength(2);
  });

  it('attributes the USDT to the venues under all three models, and the balance holds across the swaps', () => {
    const store = createStore(db);
    try {
      recordRun(store, r);
      const full = assembleReport(store, undefined);
      const a = full.attribution.attribution;
      const at = (v: Address): Record<string, bigint | undefined> => {
        const f = a.venues.find((x) => x.address === v);
        return { poison: f?.amounts.poison.get(usdt), haircut: f?.amounts.haircut.get(usdt), fifo: f?.amounts.fifo.get(usdt) };
      };
      // All of p1's and p2's WETH was stolen: every unit of USDT they got for it is tainted, in every model;
      // p5's 15,000 USDT paid to the same venue is not.
      expect(at(binance0)).toEqual({ poison: 312_000n * USD, haircut: 312_000n * USD, fifo: 312_000n * USD });
      expect(at(binance1)).toEqual({ poison: 31_000n * USD, haircut: 31_000n * USD, fifo: 31_000n * USD });
      expect(a.venues.find((x) => x.address === binance0)?.support).toEqual(['poison', 'haircut', 'fifo']);
      for (const model of ['poison', 'haircut', 'fifo'] as const) {
        expect(a.converted.out[model].get(weth)).toBe(110n * ETH);
        expect(a.converted.in[model].get(usdt)).toBe(343_000n * USD);
      }
      expect(a.swaps.map((w) => w.conversion.txHash).sort()).toEqual([txs.v2, txs.route].sort());
      // The report JSON, swaps on the path steps and in the attribution, is valid against the schema.
      const json = fullReportJson(full);
      expect(json.attribution.swaps?.map((w) => [w.holder, w.taintOut.haircut])).toEqual([
        [p(1), (312_000n * USD).toString()],
        [p(2), (31_000n * USD).toString()],
      ]);
      const schema = JSON.parse(readFileSync(join(packageRoot(), 'schema/trace-report.schema.json'), 'utf8')) as { $id: string };
      const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
      addFormatsModule.default(ajv);
      ajv.addSchema(schema);
      const validate = ajv.getSchema(schema.$id)!;
      expect(validate(JSON.parse(JSON.stringify(json))), JSON.stringify(validate.errors)).toBe(true);
      // The report's text lists the swaps with what each model carried across them.
      const text = renderFullText(full, { color: false });
      expect(text).toContain("DEX swaps that carried taint (fact: the pools' Swap events): 2");
      expect(text).toMatch(/haircut\s+100 WETH → 312,000 USDT/);
      // Markdown and HTML show the same conversion on the step.
      expect(renderMarkdown(full)).toContain('swapped 100 WETH → 312,000 USDT on Uniswap v2 pair');
      expect(renderHtml(full)).toContain('swapped 100 WETH → 312,000 USDT on Uniswap v2 pair');
    } finally {
      store.close();
    }
  });
});

describe("a swap check's receipt", () => {
  const FOREIGN = `0x${'ba'.repeat(32)}`;
  /**
   * A trace with the node behind a liar that gives the first `times` receipts of p1's swap transaction
   * logs of another block (the receipt's own block hash left true: only the header check sees it).
   */
  async function runWith(times: number): Promise<{ result: TraceResult | Error; tampered: number; asked: number; db: string }> {
    let asked = 0;
    let tampered = 0;
    const lie: Lie = async (c, ctx) => {
      const answer = await ctx.forward();
      if (c.method === 'eth_getTransactionReceipt' && String(c.params[0]).toLowerCase() === txs.v2) {
        asked += 1;
        const logs = (answer.result as { logs?: { blockHash: string }[] } | null)?.logs ?? [];
        if (asked <= times && logs.length > 0) {
          tampered += 1;
          for (const l of logs) l.blockHash = FOREIGN;
        }
      }
      return { json: answer };
    };
    const node = await startHostileNode(anvil.url, lie, { maxRequests: 5_000, maxMs: 60_000 });
    const fresh = tempDb();
    try {
      const result = await trace(node.url, fresh, [p(0)], { hops: 4 }, { seedList: undefined }).catch((err: Error) => err);
      expect(node.overLimit(), 'the run ended by itself').toBe(0);
      return { result, tampered, asked, db: fresh };
    } finally {
      await node.stop();
    }
  }

  it('with logs of another block, again and again: the run stops with one sentence, no conversion stored', async () => {
    const { result, tampered, db: fresh } = await runWith(Number.POSITIVE_INFINITY);
    expect(tampered).toBeGreaterThan(0);
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(/^eth_getTransactionReceipt at http:\/\/127\.0\.0\.1:\d+ gave an inconsistent answer 4 times in a row \([^\n]*0xbababa[^\n]*\); nothing of it was stored\.$/);
    const store = createStore(fresh);
    try {
      expect(store.swaps.checkedIn([txs.v2!]).size).toBe(0);
      expect(store.swaps.inRange(0, 1_000_000)).toEqual([]);
    } finally {
      store.close();
    }
  }, 90_000);

  it('with logs of another block once (a lagging backend): asked again, and the conversion found', async () => {
    const { result, tampered, asked } = await runWith(1);
    expect(tampered).toBe(1);
    expect(asked).toBe(2);
    const got = result as TraceResult;
    expect(got.stats.swaps).toEqual({ receipts: 2, ruledOut: 2, poolCalls: 6, conversions: 2 });
    expect(got.hits.find((h) => h.address === binance0)!.path[1]!.swap).toMatchObject({ txHash: txs.v2, amountOut: 312_000n * USD });
  }, 90_000);
});
