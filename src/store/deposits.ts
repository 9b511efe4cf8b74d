import type { Address, Asset, DepositConfidence, DepositEvidence } from '../types.js';
import { withSqliteErrors, type Db } from './open.js';
import { readIfExists } from './open.js';

/** A deposit address hoptrace inferred, as stored: the evidence, the chain it holds on, when it was learned. */
export interface LearnedDeposit extends DepositEvidence {
  chainId: number;
  address: Address;
  /** ISO time the inference was stored. */
  learnedAt: string;
}

interface Row {
  chain_id: number;
  address: string;
  entity: string;
  hot_wallet: string;
  asset: string;
  arrival_tx: string;
  arrival_block: number;
  sweep_txs: string;
  sweep_block: number;
  delay_blocks: number;
  received: string;
  swept: string;
  share_bps: number;
  senders: number;
  confidence: string;
  reasons: string;
  learned_at: string;
}

/** The deposit_addresses table of one database. */
export interface DepositStore {
  get(chainId: number, address: Address): LearnedDeposit | undefined;
  /** The inferences about these addresses on `chainId` (those that have one), in one statement. */
  getIn(chainId: number, addresses: readonly Address[]): LearnedDeposit[];
  /**
   * Stores inferences in one transaction (a check's verdicts: one write, not one per address), in their
   * order: a newer one for the same address replaces the old.
   */
  putAll(chainId: number, items: readonly { address: Address; evidence: DepositEvidence }[]): LearnedDeposit[];
  all(): LearnedDeposit[];
  /** The inferences about one address, on every chain. */
  byAddress(address: Address): LearnedDeposit[];
}

/** The learned deposit addresses of an open database. */
export function depositStore(db: Db, path: string): DepositStore {
  const select = db.prepare(`SELECT * FROM deposit_addresses WHERE chain_id = ? AND address = ?`);
  const selectIn = db.prepare(`SELECT * FROM deposit_addresses WHERE chain_id = ? AND address IN (SELECT value FROM json_each(?))`);
  const selectAll = db.prepare(`SELECT * FROM deposit_addresses ORDER BY chain_id, address`);
  const selectAddress = db.prepare(`SELECT * FROM deposit_addresses WHERE address = ? ORDER BY chain_id`);
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO deposit_addresses
       (chain_id, address, entity, hot_wallet, asset, arrival_tx, arrival_block, sweep_txs, sweep_block, delay_blocks,
        received, swept, share_bps, senders, confidence, reasons, learned_at)
     VALUES (@chain_id, @address, @entity, @hot_wallet, @asset, @arrival_tx, @arrival_block, @sweep_txs, @sweep_block,
        @delay_blocks, @received, @swept, @share_bps, @senders, @confidence, @reasons, @learned_at)`,
  );
  const guard = <T>(fn: () => T): T => withSqliteErrors(path, fn);

  /** Stores one inference, in the caller's transaction if there is one. */
  const write = (chainId: number, address: Address, e: DepositEvidence): LearnedDeposit => {
    const learned: LearnedDeposit = { ...e, chainId, address, learnedAt: new Date().toISOString() };
    upsert.run({
      chain_id: chainId,
      address,
      entity: e.entity,
      hot_wallet: e.hotWallet,
      asset: e.asset,
      arrival_tx: e.arrivalTx,
      arrival_block: e.arrivalBlock,
      sweep_txs: e.sweepTxs.join(' '),
      sweep_block: e.sweepBlock,
      delay_blocks: e.delayBlocks,
      received: e.received.toString(),
      swept: e.swept.toString(),
      share_bps: e.shareBps,
      senders: e.senders,
      confidence: e.confidence,
      reasons: e.reasons.join('\n'),
      learned_at: learned.learnedAt,
    });
    return learned;
  };

  return {
    get: (chainId, address) => guard(() => {
      const row = select.get(chainId, address) as Row | undefined;
      return row && fromRow(row);
    }),
    getIn: (chainId, addresses) =>
      addresses.length === 0 ? [] : guard(() => (selectIn.all(chainId, JSON.stringify(addresses)) as Row[]).map(fromRow)),
    putAll: (chainId, items) =>
      items.length === 0 ? [] : guard(() => db.transaction(() => items.map((i) => write(chainId, i.address, i.evidence))).immediate()),
    all: () => guard(() => (selectAll.all() as Row[]).map(fromRow)),
    byAddress: (address) => guard(() => (selectAddress.all(address) as Row[]).map(fromRow)),
  };
}

/**
 * Forgets the inferences of `chainId` whose sweep lies above `block`: an inferred deposit address rests
 * on its sweep, and a sweep the chain replaced proves nothing. Part of the store's reorg rollback, in
 * its transaction.
 */
export function dropDepositsSweptAbove(db: Db, chainId: number, block: number): void {
  db.prepare(`DELETE FROM deposit_addresses WHERE chain_id = ? AND sweep_block > ?`).run(chainId, block);
}

/** The learned deposit addresses of the database at `path`, without creating it (none when it does not exist). */
export function readLearnedDeposits(path: string): LearnedDeposit[] {
  return readIfExists(path, [], (db) => depositStore(db, path).all());
}

function fromRow(r: Row): LearnedDeposit {
  return {
    chainId: r.chain_id,
    address: r.address,
    entity: r.entity,
    hotWallet: r.hot_wallet,
    asset: r.asset as Asset,
    arrivalTx: r.arrival_tx,
    arrivalBlock: r.arrival_block,
    sweepTxs: r.sweep_txs.split(' ').filter((t) => t !== ''),
    sweepBlock: r.sweep_block,
    delayBlocks: r.delay_blocks,
    received: BigInt(r.received),
    swept: BigInt(r.swept),
    shareBps: r.share_bps,
    senders: r.senders,
    // Written only by putAll() from a DepositEvidence; the CHECK constraint holds the vocabulary.
    confidence: r.confidence as DepositConfidence,
    reasons: r.reasons.split('\n').filter((t) => t !== ''),
    learnedAt: r.learned_at,
  };
}
