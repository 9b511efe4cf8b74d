import { id } from 'ethers';
import { call as ethCall } from '../rpc/actions/call.js';
import { getTransactionReceipt } from '../rpc/actions/getTransactionReceipt.js';
import type { BlockHead } from '../rpc/actions/getBlock.js';
import type { RpcLog } from '../rpc/actions/getLogs.js';
import type { RpcClient } from '../rpc/client.js';
import { hexToNumber } from '../rpc/hex.js';
import type { PoolTokens, SwapCheck } from '../store/swaps.js';
import type { Store } from '../store/store.js';
import { NATIVE, type Address, type Conversion, type SwapLeg, type SwapProtocol, type Transfer } from '../types.js';
import { addressToTopic, topicToAddress } from '../util/address.js';
import type { HeaderCache } from './headers.js';
import { TOPIC_DEPOSIT, TOPIC_TRANSFER } from './logs.js';
import { refetching } from '../rpc/refetch.js';
import { checkReceipt, inBloom, type BlockCheck } from './validate.js';

/**
 * DEX swaps of a traced address, read from the pools' own events (docs/swaps.md cites the contracts):
 * - Uniswap v2 pair: `Swap(address indexed sender, uint amount0In, uint amount1In, uint amount0Out,
 *   uint amount1Out, address indexed to)`;
 * - Uniswap v3 pool: `Swap(address indexed sender, address indexed recipient, int256 amount0, int256
 *   amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)`, amounts the pool's balance deltas
 *   (positive: paid in to the pool).
 * A pool's tokens are its token0() / token1() (both protocols), read once with eth_call and stored.
 *
 * A transaction's swaps are a route when, summed over its pools, exactly one token went in and exactly
 * one came out (the tokens between the hops of a multi-hop route, paid from one pool to the next, net to
 * zero). The holder's conversion is then what it paid of the token in (its Transfer logs in the receipt;
 * or the native coin it paid in the transaction when the token in is a wrapper that logged a Deposit: a
 * router wrapping ETH) and what it received of the token out (Transfer logs to it). Anything else — a
 * Swap log that does not decode, a pool that does not name its tokens, several tokens in or out, a
 * payout in the native coin (an internal transfer the receipt does not show) — is no conversion.
 */

/** keccak256 of the Uniswap v2 pair's Swap event signature. */
export const TOPIC_SWAP_V2 = id('Swap(address,uint256,uint256,uint256,uint256,address)');
/** keccak256 of the Uniswap v3 pool's Swap event signature. */
export const TOPIC_SWAP_V3 = id('Swap(address,address,int256,int256,uint160,uint128,int24)');

const TOKEN0 = '0x0dfe1681'; // token0()
const TOKEN1 = '0xd21220a7'; // token1()
const WORD = 64;
const TWO_255 = 1n << 255n;
const TWO_256 = 1n << 256n;

/** A pool's Swap event, as the pool's balance change in its two tokens (positive: paid in to the pool). */
export interface SwapEvent {
  pool: Address;
  protocol: SwapProtocol;
  logIndex: number;
  delta0: bigint;
  delta1: bigint;
}

const words = (data: string, n: number): bigint[] | null => {
  if (!new RegExp(`^0x[0-9a-fA-F]{${n * WORD}}$`).test(data)) return null;
  return Array.from({ length: n }, (_, i) => BigInt(`0x${data.slice(2 + i * WORD, 2 + (i + 1) * WORD)}`));
};
const signed = (w: bigint): bigint => (w >= TWO_255 ? w - TWO_256 : w);
const isSwapTopic = (t: string | undefined): boolean => t?.toLowerCase() === TOPIC_SWAP_V2 || t?.toLowerCase() === TOPIC_SWAP_V3;

/** A Swap log of either protocol, or null when it is not one (or does not decode: then no route is read from its transaction). */
export function decodeSwapLog(log: Pick<RpcLog, 'address' | 'topics' | 'data' | 'logIndex'>): SwapEvent | null {
  const topic0 = log.topics[0]?.toLowerCase();
  if (log.topics.length !== 3 || !log.topics.slice(1).every((t) => /^0x0{24}[0-9a-fA-F]{40}$/.test(t))) return null;
  const base = { pool: log.address.toLowerCase(), logIndex: hexToNumber(log.logIndex) };
  if (topic0 === TOPIC_SWAP_V2) {
    const w = words(log.data, 4);
    if (!w) return null;
    const [in0, in1, out0, out1] = w as [bigint, bigint, bigint, bigint];
    return { ...base, protocol: 'uniswap-v2', delta0: in0 - out0, delta1: in1 - out1 };
  }
  if (topic0 === TOPIC_SWAP_V3) {
    const w = words(log.data, 5);
    if (!w) return null;
    return { ...base, protocol: 'uniswap-v3', delta0: signed(w[0]!), delta1: signed(w[1]!) };
  }
  return null;
}

/** One pool's leg from its event and tokens: one token in, the other out; null for anything else. */
export function legOf(e: SwapEvent, tokens: PoolTokens): SwapLeg | null {
  const { token0, token1 } = tokens;
  if (!token0 || !token1 || token0 === token1) return null;
  const ref = `log:${e.logIndex}`;
  const base = { pool: e.pool, protocol: e.protocol, ref };
  if (e.delta0 > 0n && e.delta1 < 0n) return { ...base, tokenIn: token0, amountIn: e.delta0, tokenOut: token1, amountOut: -e.delta1 };
  if (e.delta1 > 0n && e.delta0 < 0n) return { ...base, tokenIn: token1, amountIn: e.delta1, tokenOut: token0, amountOut: -e.delta0 };
  return null;
}

/**
 * The holder's conversion in one transaction (pure): from the receipt's logs, the pools' tokens, and the
 * holder's native payments in the transaction (stored movements). Null when the transaction holds no
 * route the holder paid into and was paid out of (see the module comment).
 */
export function conversionOf(
  holder: Address,
  logs: readonly RpcLog[],
  tokensOf: (pool: Address) => PoolTokens | undefined,
  nativePaid: bigint,
  at: Pick<Conversion, 'chainId' | 'txHash' | 'blockNumber' | 'blockHash' | 'txIndex'>,
): Conversion | null {
  const legs: SwapLeg[] = [];
  for (const log of logs) {
    if (!isSwapTopic(log.topics[0])) continue;
    const e = decodeSwapLog(log);
    const tokens = e ? tokensOf(e.pool) : undefined;
    const leg = e && tokens ? legOf(e, tokens) : null;
    if (!leg) return null; // a Swap we cannot read: no route is claimed from this transaction
    legs.push(leg);
  }
  if (legs.length === 0) return null;
  const net = new Map<Address, bigint>();
  for (const l of legs) {
    net.set(l.tokenIn, (net.get(l.tokenIn) ?? 0n) + l.amountIn);
    net.set(l.tokenOut, (net.get(l.tokenOut) ?? 0n) - l.amountOut);
  }
  const ins = [...net].filter(([, v]) => v > 0n);
  const outs = [...net].filter(([, v]) => v < 0n);
  if (ins.length !== 1 || outs.length !== 1) return null;
  const tokenIn = ins[0]![0];
  const tokenOut = outs[0]![0];
  // What the holder paid and got, from the token's own Transfer logs in the receipt.
  let paid = 0n;
  let got = 0n;
  let wrapped = false;
  for (const log of logs) {
    const t0 = log.topics[0]?.toLowerCase();
    const asset = log.address.toLowerCase();
    if (t0 === TOPIC_DEPOSIT && asset === tokenIn && log.topics.length === 2) wrapped = true;
    if (t0 !== TOPIC_TRANSFER || log.topics.length !== 3 || !/^0x[0-9a-fA-F]{64}$/.test(log.data)) continue;
    if (!log.topics.slice(1).every((t) => /^0x0{24}[0-9a-fA-F]{40}$/.test(t))) continue;
    const from = topicToAddress(log.topics[1]!);
    const to = topicToAddress(log.topics[2]!);
    if (asset === tokenIn && from === holder && to !== holder) paid += BigInt(log.data);
    if (asset === tokenOut && to === holder && from !== holder) got += BigInt(log.data);
  }
  let assetIn: Address | typeof NATIVE = tokenIn;
  let amountIn = paid;
  if (paid === 0n && wrapped && nativePaid > 0n) {
    assetIn = NATIVE; // a router wrapped the holder's coin into the pool's token
    amountIn = nativePaid;
  }
  if (amountIn === 0n || got === 0n) return null;
  const last = legs.reduce((m, l) => Math.max(m, Number(l.ref.slice(4))), 0);
  return { ...at, ref: `log:${last}`, holder, assetIn, amountIn, assetOut: tokenOut, amountOut: got, legs };
}

/** The conversions asked of one holder: in the transactions of these payments (movements it paid, as the walk read them). */
export interface SwapAsk {
  holder: Address;
  payments: readonly Transfer[];
}

/** Reads the conversions of traced addresses, and counts what it asked. */
export interface SwapReader {
  /**
   * The conversions of each ask's holder in the transactions of its payments, one list per ask (in the
   * asks' order): each (transaction, holder) is read once — its receipt, and token0()/token1() of pools
   * not seen before — and stored with what was found, so a rerun asks nothing. A walk asks once per hop
   * level: the checks are stored in one write per batch, not one per transaction.
   */
  conversions(asks: readonly SwapAsk[]): Promise<Conversion[][]>;
  readonly stats: { receipts: number; poolCalls: number; found: number; ruledOut: number };
}

/**
 * Whether a block's logs bloom leaves room for a conversion of `holder`: a Swap event (either
 * signature) and the holder as an indexed topic (the Transfer of the asset out names it). False is
 * certain (no receipt is worth reading); true may be a bloom's false positive.
 */
export function swapPossible(bloom: Uint8Array, holder: Address): boolean {
  return swapInBloom(bloom) && inBloom(bloom, addressToTopic(holder));
}

/** The block's half of swapPossible, the same for every holder: a Swap event of either signature may be in it. */
function swapInBloom(bloom: Uint8Array): boolean {
  return inBloom(bloom, TOPIC_SWAP_V2) || inBloom(bloom, TOPIC_SWAP_V3);
}

/**
 * A SwapReader on a node, keeping what it reads in the store (store.swaps). A transaction whose block's
 * logs bloom rules a conversion out (swapPossible; the run's header cache has the header already where
 * the rows were checked against it) costs no receipt: it is recorded as checked, nothing found.
 * A receipt of the rows' block is checked as every receipt read is (validate.ts checkReceipt, against
 * the chain's headers through `blockCheck`) before anything of it is stored: one that cannot be true is
 * asked again, and if it persists the run stops with one sentence.
 */
export function createSwapReader(o: { rpc: RpcClient; store: Store; chainId: number; headers: Pick<HeaderCache, 'block'>; blockCheck: BlockCheck }): SwapReader {
  const { rpc, store } = o;
  const stats = { receipts: 0, poolCalls: 0, found: 0, ruledOut: 0 };
  const word = async (to: Address, data: string): Promise<Address | null> => {
    stats.poolCalls++;
    try {
      const r = await ethCall(rpc, { to, data });
      return r && /^0x0{24}[0-9a-fA-F]{40}$/.test(r) ? topicToAddress(r) : null;
    } catch (err) {
      // A revert or a contract without the function is an answer ("not a pool"), not a failure.
      if ((err as { retryable?: boolean }).retryable) throw err;
      return null;
    }
  };
  const poolTokens = async (pool: Address): Promise<PoolTokens> => {
    const stored = store.swaps.poolTokens(pool);
    if (stored) return stored;
    const [token0, token1] = await Promise.all([word(pool, TOKEN0), word(pool, TOKEN1)]);
    const tokens = { token0, token1 };
    store.swaps.putPoolTokens(pool, tokens);
    return tokens;
  };
  // swapPossible with its block half asked once per block (a level checks many transactions of few blocks).
  const swapBlocks = new Map<string, boolean>();
  const possible = (head: { hash: string; bloom: Uint8Array }, holder: Address): boolean => {
    let any = swapBlocks.get(head.hash);
    if (any === undefined) swapBlocks.set(head.hash, (any = swapInBloom(head.bloom)));
    return any && inBloom(head.bloom, addressToTopic(holder));
  };
  return {
    stats,
    async conversions(asks) {
      const byAsk = asks.map(({ holder, payments }) => {
        const byTx = new Map<string, Transfer[]>();
        for (const t of payments) {
          if (t.from !== holder) continue;
          const list = byTx.get(t.txHash);
          if (list) list.push(t);
          else byTx.set(t.txHash, [t]);
        }
        return { holder, byTx };
      });
      const done = store.swaps.checkedIn([...new Set(byAsk.flatMap(({ byTx }) => [...byTx.keys()]))]);
      // Each (transaction, holder) not checked before is checked once, whichever asks share it.
      type Open = { tx: string; holder: Address; rows: Transfer[]; found: Conversion | null };
      const open = new Map<string, Open>();
      // Per ask, the checks made now that answer it, in the order of its transactions.
      const pending: Open[][] = byAsk.map(() => []);
      // The asks of each (transaction, holder) checked before this batch.
      const before = new Map<string, number[]>();
      const txs = new Set<string>();
      byAsk.forEach(({ holder, byTx }, i) => {
        for (const [tx, rows] of byTx) {
          const k = `${tx}|${holder}`;
          let check = open.get(k);
          if (!check && !done.has(k)) open.set(k, (check = { tx, holder, rows, found: null }));
          if (check) pending[i]!.push(check);
          else {
            before.set(k, [...(before.get(k) ?? []), i]);
            txs.add(tx);
          }
        }
      });
      // The conversions found before, read at once for all of them, in chain order.
      const out: Conversion[][] = byAsk.map(() => []);
      for (const c of store.swaps.inTxs([...txs])) for (const i of before.get(`${c.txHash}|${c.holder}`) ?? []) out[i]!.push(c);
      const unchecked = [...open.values()];
      // One header ask per block, however many of the level's transactions it holds.
      const headOf = new Map<number, Promise<BlockHead>>();
      const heads = await Promise.all(
        unchecked.map(({ rows }) => {
          const n = rows[0]!.blockNumber;
          let head = headOf.get(n);
          if (!head) headOf.set(n, (head = o.headers.block(n)));
          return head;
        }),
      );
      const ruledOut: SwapCheck[] = [];
      const fresh = unchecked.filter(({ tx, holder, rows }, i) => {
        const head = heads[i]!;
        // A header of another block than the rows' (a reorg under way) rules nothing out.
        if (head.hash !== rows[0]!.blockHash || possible(head, holder)) return true;
        ruledOut.push({ txHash: tx, holder, blockNumber: rows[0]!.blockNumber, conversion: null });
        return false;
      });
      store.swaps.recordAll(ruledOut);
      stats.ruledOut += ruledOut.length;
      stats.receipts += fresh.length;
      const receipts = await Promise.all(
        fresh.map(({ tx, rows }) =>
          refetching('eth_getTransactionReceipt', rpc.endpoint, async () => {
            const r = await getTransactionReceipt(rpc, tx);
            // None, or one of another block than the stored rows' (a reorg under way), is no evidence:
            // nothing of it is used or stored, so it is not checked.
            if (r === null || r.blockHash !== rows[0]!.blockHash) return null;
            await checkReceipt(r, tx.toLowerCase(), o.blockCheck);
            return r;
          }),
        ),
      );
      const read: SwapCheck[] = [];
      for (let i = 0; i < fresh.length; i++) {
        const check = fresh[i]!;
        const { tx, holder, rows } = check;
        const first = rows[0]!;
        const receipt = receipts[i];
        if (!receipt) continue;
        if (receipt.status !== 0 && receipt.logs.some((l) => isSwapTopic(l.topics[0]))) {
          const pools = [...new Set(receipt.logs.filter((l) => isSwapTopic(l.topics[0])).map((l) => l.address.toLowerCase()))];
          const tokens = new Map(await Promise.all(pools.map(async (p) => [p, await poolTokens(p)] as const)));
          const nativePaid = rows.filter((t) => t.asset === NATIVE).reduce((sum, t) => sum + t.amount, 0n);
          check.found = conversionOf(holder, receipt.logs, (p) => tokens.get(p), nativePaid, {
            chainId: o.chainId,
            txHash: tx,
            blockNumber: first.blockNumber,
            blockHash: first.blockHash,
            txIndex: first.txIndex,
          });
        }
        read.push({ txHash: tx, holder, blockNumber: first.blockNumber, conversion: check.found });
        if (check.found) stats.found++;
      }
      store.swaps.recordAll(read);
      // Each ask's conversions found now, in the order of its transactions.
      pending.forEach((checks, i) => {
        for (const { found } of checks) if (found) out[i]!.push(found);
      });
      return out;
    },
  };
}
