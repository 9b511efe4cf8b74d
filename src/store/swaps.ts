import type { Address, Conversion, SwapLeg } from '../types.js';
import { withSqliteErrors, type Db } from './open.js';

/** A pool's two tokens (null: the pool did not answer token0()/token1(): not a Uniswap-style pool). */
export interface PoolTokens {
  token0: Address | null;
  token1: Address | null;
}

/**
 * DEX swaps of traced addresses (sources/swaps.ts reads them): which (transaction, holder) pairs were
 * checked, the conversions found, and each pool's tokens. On the store's chain (`chain()`).
 */
export interface SwapStore {
  /** Of these transactions, the (transaction, holder) pairs whose receipt was read for swaps already, as `txHash|holder`: one statement for a batch. */
  checkedIn(txHashes: readonly string[]): Set<string>;
  /** Records checks, each with the conversion found (or none), in one transaction (a walk's hop level: one write, not one per transaction). */
  recordAll(checks: readonly SwapCheck[]): void;
  /** The conversions in these transactions (any holder), in chain order: a level's checked transactions in one statement. */
  inTxs(txHashes: readonly string[]): Conversion[];
  /** Every conversion in blocks [from, to], in chain order. */
  inRange(from: number, to: number): Conversion[];
  poolTokens(pool: Address): PoolTokens | undefined;
  putPoolTokens(pool: Address, tokens: PoolTokens): void;
}

/** A check of one transaction for one holder's swaps, with the conversion found (or none). */
export interface SwapCheck {
  txHash: string;
  holder: Address;
  blockNumber: number;
  conversion: Conversion | null;
}

interface ConversionRow {
  chain_id: number;
  tx_hash: string;
  holder: string;
  ref: string;
  block_number: number;
  block_hash: string;
  tx_index: number;
  asset_in: string;
  amount_in: string;
  asset_out: string;
  amount_out: string;
  legs: string;
}

type LegJson = Omit<SwapLeg, 'amountIn' | 'amountOut'> & { amountIn: string; amountOut: string };

const toConversion = (r: ConversionRow): Conversion => ({
  chainId: r.chain_id,
  txHash: r.tx_hash,
  blockNumber: r.block_number,
  blockHash: r.block_hash,
  txIndex: r.tx_index,
  ref: r.ref,
  holder: r.holder,
  assetIn: r.asset_in,
  amountIn: BigInt(r.amount_in),
  assetOut: r.asset_out,
  amountOut: BigInt(r.amount_out),
  legs: (JSON.parse(r.legs) as LegJson[]).map((l) => ({ ...l, amountIn: BigInt(l.amountIn), amountOut: BigInt(l.amountOut) })),
});

/** The swap tables of an open database (migration 9). */
export function swapStore(db: Db, path: string, chain: () => number): SwapStore {
  const checkedInStmt = db
    .prepare(`SELECT tx_hash, holder FROM swap_checks WHERE chain_id = ? AND tx_hash IN (SELECT value FROM json_each(?))`)
    .raw(true);
  const checkStmt = db.prepare(`INSERT OR REPLACE INTO swap_checks (chain_id, tx_hash, holder, block_number) VALUES (?, ?, ?, ?)`);
  const putStmt = db.prepare(
    `INSERT OR REPLACE INTO conversions (chain_id, tx_hash, holder, ref, block_number, block_hash, tx_index, asset_in, amount_in, asset_out, amount_out, legs)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const txsStmt = db.prepare(
    `SELECT * FROM conversions WHERE chain_id = ? AND tx_hash IN (SELECT value FROM json_each(?)) ORDER BY block_number, tx_index, ref, holder`,
  );
  const rangeStmt = db.prepare(`SELECT * FROM conversions WHERE chain_id = ? AND block_number BETWEEN ? AND ? ORDER BY block_number, tx_index, ref, holder`);
  const poolStmt = db.prepare(`SELECT token0, token1 FROM pool_tokens WHERE chain_id = ? AND pool = ?`);
  const putPoolStmt = db.prepare(`INSERT OR REPLACE INTO pool_tokens (chain_id, pool, token0, token1) VALUES (?, ?, ?, ?)`);
  const writeAll = db.transaction((checks: readonly SwapCheck[]) => {
    const id = chain();
    for (const { txHash, holder, blockNumber, conversion: c } of checks) {
      checkStmt.run(id, txHash, holder, blockNumber);
      if (!c) continue;
      const legs: LegJson[] = c.legs.map((l) => ({ ...l, amountIn: l.amountIn.toString(), amountOut: l.amountOut.toString() }));
      putStmt.run(id, c.txHash, c.holder, c.ref, c.blockNumber, c.blockHash, c.txIndex, c.assetIn, c.amountIn.toString(), c.assetOut, c.amountOut.toString(), JSON.stringify(legs));
    }
  });
  const recordAll = (checks: readonly SwapCheck[]): void => {
    if (checks.length > 0) withSqliteErrors(path, () => writeAll(checks));
  };
  return {
    checkedIn: (txHashes) =>
      withSqliteErrors(path, () => {
        const out = new Set<string>();
        if (txHashes.length === 0) return out;
        for (const [tx, holder] of checkedInStmt.all(chain(), JSON.stringify(txHashes)) as [string, string][]) out.add(`${tx}|${holder}`);
        return out;
      }),
    recordAll,
    inTxs: (txHashes) =>
      txHashes.length === 0 ? [] : withSqliteErrors(path, () => (txsStmt.all(chain(), JSON.stringify(txHashes)) as ConversionRow[]).map(toConversion)),
    inRange: (from, to) => withSqliteErrors(path, () => (rangeStmt.all(chain(), from, to) as ConversionRow[]).map(toConversion)),
    poolTokens: (pool) => withSqliteErrors(path, () => (poolStmt.get(chain(), pool) as PoolTokens | undefined) ?? undefined),
    putPoolTokens: (pool, t) => void withSqliteErrors(path, () => putPoolStmt.run(chain(), pool, t.token0, t.token1)),
  };
}

/** Forgets the swaps above `block` (a reorg): called inside Store.rollbackAbove's transaction. */
export function dropSwapsAbove(db: Db, chainId: number, block: number): void {
  db.prepare(`DELETE FROM conversions WHERE chain_id = ? AND block_number > ?`).run(chainId, block);
  db.prepare(`DELETE FROM swap_checks WHERE chain_id = ? AND block_number > ?`).run(chainId, block);
}
