import type { Statement } from 'better-sqlite3';
import { UsageError } from '../errors.js';
import type { Address, Asset, Hex, Transfer, TransferKind } from '../types.js';
import { union, type Interval } from '../util/intervals.js';
import { depositStore, dropDepositsSweptAbove } from './deposits.js';
import { nonceCache } from './nonces.js';
import { openDb, readIfExists, withSqliteErrors, type Db } from './open.js';
import { repairMessage, repairStore } from './repair.js';
import { traceRuns } from './runs.js';
import { dropSwapsAbove, swapStore } from './swaps.js';
import { tokenStore } from './tokens.js';
import { userLabelStore } from './userLabels.js';
import { watchStore } from './watches.js';

/** Block-scan sources see every address: their intervals are stored under this address. */
export const ANY_ADDRESS = '*';

/** A fetched range to record as done, in the same transaction as its rows. */
export interface IntervalMark {
  address: Address | typeof ANY_ADDRESS;
  source: string;
  from: number;
  to: number;
}

/**
 * A movement by integer ids (Store.transferIdsInRange): transaction id, ref, kind, block number, index of
 * the transaction in its block, from-address id, to-address id, asset id, amount (decimal text), block
 * hash (last: read in the same scan, so a movement named later is the one scanned, whatever another
 * process rolls back meanwhile).
 */
export type TransferIdRow = [tx: number, ref: string, kind: TransferKind, blockNumber: number, txIndex: number,
  from: number, to: number, asset: number, amount: string, blockHash: Hex];

export interface BlockHeader {
  number: number;
  hash: Hex;
  timestamp: number;
}

interface TransferRow {
  chain_id: number;
  tx_hash: string;
  ref: string;
  kind: TransferKind;
  block_number: number;
  block_hash: string;
  tx_index: number;
  from_addr: string;
  to_addr: string;
  asset: string;
  amount: string;
}

/**
 * The tables beside the graph, one store each (a file of store/ per table), prepared once when the
 * store opens and reached as members: `store.runs`, `store.deposits`, … Adding a table is a migration in
 * schema.ts, its file, and one line here.
 */
function tableStores(db: Db, path: string, chain: () => number) {
  return {
    /** Token symbols and decimals on the store's chain (tokens.ts). */
    tokens: tokenStore(db, path, chain),
    /** Finished trace runs and the movements their walk followed (runs.ts). */
    runs: traceRuns(db, path),
    /** Learned deposit addresses: inferences with their evidence (deposits.ts). */
    deposits: depositStore(db, path),
    /** The user's own labels (userLabels.ts). */
    userLabels: userLabelStore(db, path),
    /** Account nonces of the hub pre-check (nonces.ts). */
    nonces: nonceCache(db, path),
    /** Cases `hoptrace watch` follows, their alerts and the events to deliver (watches.ts). */
    watches: watchStore(db, path),
    /** DEX swaps of traced addresses, and pools' tokens (swaps.ts). */
    swaps: swapStore(db, path, chain),
  };
}

/** The per-table stores a Store carries as members. */
export type TableStores = ReturnType<typeof tableStores>;

/**
 * The local graph: transfers, the block intervals already fetched, block headers, token metadata and
 * meta rows, plus the other tables as members (TableStores). A handle reads and writes one chain, checked
 * on every run against the RPC's chain id: the file's own (bound by its first run), or another chain the
 * file also holds (StoreOptions.chainId; every key carries its chain). Nothing outside store/ sees the
 * database handle or writes SQL.
 */
export interface Store extends TableStores {
  readonly path: string;
  /** The chain the file holds, or null for a new file. */
  chainId(): number | null;
  /** Binds a new file to `chainId`; refuses an RPC on another chain than the file holds. */
  bindChain(chainId: number, rpcLabel: string): void;
  getMeta(key: string): string | null;
  setMeta(key: string, value: string): void;
  deleteMeta(key: string): void;
  /** The schema version of the file (`PRAGMA user_version`: the number of migrations applied). */
  schemaVersion(): number;
  /** Stores rows and marks their ranges done, atomically: a crash leaves neither or both. */
  commit(rows: readonly Transfer[], marks: readonly IntervalMark[]): number;
  intervals(address: Address | typeof ANY_ADDRESS, source: string): Interval[];
  /** Transfers out of (side 'from') or into (side 'to') an address within [fromBlock, toBlock]. */
  transfersOf(address: Address, side: 'from' | 'to', fromBlock: number, toBlock: number): Transfer[];
  /**
   * Every stored movement within [fromBlock, toBlock], in no particular order, streamed (the whole
   * table is never held twice): what the analysis in graph/ reads.
   */
  transfersInRange(fromBlock: number, toBlock: number): Iterable<Transfer>;
  /**
   * transfersInRange by integer ids, for analysis over many rows: no text joined, no object per row.
   * Rows are arrays (TransferIdRow), streamed in storage order; `names()` turns the ids back into text.
   */
  transferIdsInRange(fromBlock: number, toBlock: number): Iterable<TransferIdRow>;
  /**
   * The text of every address and asset id, indexed by id (index 0 unused), read once: what
   * transferIdsInRange's ids stand for. A transaction hash is read by `txHash(id)`.
   */
  names(): { addresses: string[]; assets: string[] };
  /** The hash of a transaction id of transferIdsInRange, or null when there is none. */
  txHash(id: number): Hex | null;
  /** The stored movement with this identity, or null (rolled back, or never stored). */
  transfer(txHash: string, ref: string): Transfer | null;
  /** Whether the movement with this identity is stored (rolled back by a reorg, it is not). */
  hasTransfer(txHash: string, ref: string): boolean;
  /**
   * Token contracts that emitted a WETH-style Deposit/Withdrawal (kind wrap/unwrap) in the stored rows:
   * the candidates for "the same value as the native coin" (a caller still checks it is an unlabelled
   * ERC-20, as the walk does).
   */
  wrapAssets(): Address[];
  block(number: number): BlockHeader | null;
  putBlocks(headers: readonly BlockHeader[]): void;
  /** Forgets everything above `block` (rows, interval parts, headers): used after a reorg. */
  rollbackAbove(block: number): void;
  /** Marks blocks above `block` as not fetched, keeping their rows: they are read again next time. */
  forgetIntervalsAbove(block: number): void;
  transferCount(): number;
  close(): void;
}

/** Options of createStore. */
export interface StoreOptions {
  /** Open an existing database without writing to it, for commands that only read (report, export, path). */
  readonly?: boolean;
  /**
   * False: a writable open that leaves the repair (and its note) to the next trace; `labels add`,
   * `remove` and `import` touch only the user's labels, and have never repaired the graph.
   */
  repair?: boolean;
  /**
   * Receives the one sentence saying what repairStore dropped on open (rows a current release would
   * refuse); the CLI prints it on stderr. Without it the repair happens silently.
   */
  onNote?: (message: string) => void;
  /**
   * Binds this handle to another chain the file also holds (a cross-chain trace keeps every chain in one
   * file: every key carries its chain id). The file's own chain (meta `chain_id`, bound by the first
   * run) is left as it is; reads and writes of this handle are of `chainId` only.
   */
  chainId?: number;
}

/**
 * Opens the store at `path` (see openDb for what is refused). A writable open repairs rows a current
 * release refuses (store/repair.ts); a read-only one writes nothing, so it repairs nothing either.
 */
export function createStore(path: string, opts: StoreOptions = {}): Store {
  const db = openDb(path, { readonly: opts.readonly });
  let said: string | null = null;
  if (!opts.readonly && opts.repair !== false) {
    try {
      said = withSqliteErrors(path, () => repairMessage(path, repairStore(db)));
    } catch (err) {
      db.close();
      throw err;
    }
  }
  if (said !== null) opts.onNote?.(said);
  try {
    return storeOn(db, path, opts.chainId);
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * What `read` finds in the store at `path`, without creating it: `none` when the file does not exist or
 * is empty (a reading command, `labels list/show/export`, must not leave an empty database behind). The
 * file is opened read-only (an older hoptrace database is refused, not upgraded, as openDb says), and closed
 * again before this returns.
 */
export function readStoreIfExists<T>(path: string, none: T, read: (store: Store) => T): T {
  return readIfExists(path, none, (db) => read(storeOn(db, path)));
}

// The text values back by the ids: joins on integer primary keys.
const SELECT_TEXT = `SELECT t.chain_id, x.hash AS tx_hash, t.ref, t.kind, t.block_number, t.block_hash, t.tx_index,
    f.address AS from_addr, o.address AS to_addr, a.asset, t.amount
  FROM transfer_rows t JOIN txs x ON x.id = t.tx JOIN addresses f ON f.id = t.from_id
    JOIN addresses o ON o.id = t.to_id JOIN assets a ON a.id = t.asset_id`;

/**
 * The movement reads, with the index each is meant to use (test/store.test.ts checks every one with
 * EXPLAIN QUERY PLAN, so an index dropped or a query changed cannot turn a lookup into a scan unseen).
 */
export const TRANSFER_READS = {
  /** transfersOf side 'from': transfer_rows_from (address id, block_number). */
  from: `${SELECT_TEXT} WHERE t.from_id = (SELECT id FROM addresses WHERE address = ?) AND t.chain_id = ?
    AND t.block_number BETWEEN ? AND ? ORDER BY t.block_number, t.tx_index, t.ref`,
  /** transfersOf side 'to': transfer_rows_to. */
  to: `${SELECT_TEXT} WHERE t.to_id = (SELECT id FROM addresses WHERE address = ?) AND t.chain_id = ?
    AND t.block_number BETWEEN ? AND ? ORDER BY t.block_number, t.tx_index, t.ref`,
  /** transfer: transfer_rows_identity, by the transaction's id. */
  one: `${SELECT_TEXT} WHERE t.tx = (SELECT id FROM txs WHERE hash = ?) AND t.ref = ? AND t.chain_id = ?`,
  /** hasTransfer: transfer_rows_identity alone. */
  has: `SELECT 1 FROM transfer_rows WHERE tx = (SELECT id FROM txs WHERE hash = ?) AND ref = ? AND chain_id = ?`,
  /** wrapAssets: the partial index transfer_rows_wrap holds the wrap/unwrap rows alone. */
  wrapAssets: `SELECT a.asset FROM assets a WHERE a.id IN
    (SELECT asset_id FROM transfer_rows WHERE chain_id = ? AND kind IN ('wrap', 'unwrap')) ORDER BY a.asset`,
  /**
   * transfersInRange: a run's whole range as a rule, so a scan of the table in rowid order; raw rows,
   * address and asset ids named in memory.
   */
  range: `SELECT x.hash, t.ref, t.kind, t.block_number, t.block_hash, t.tx_index, t.from_id, t.to_id, t.asset_id, t.amount
    FROM transfer_rows t JOIN txs x ON x.id = t.tx WHERE t.chain_id = ? AND t.block_number BETWEEN ? AND ?`,
  /** transferIdsInRange: the same scan, ids only (TransferIdRow). */
  rangeIds: `SELECT tx, ref, kind, block_number, tx_index, from_id, to_id, asset_id, amount, block_hash
    FROM transfer_rows WHERE chain_id = ? AND block_number BETWEEN ? AND ?`,
} as const;

/** The Store over an open database: statements prepared once, table stores built once. */
function storeOn(db: Db, path: string, chainOverride?: number): Store {
  let chain: number | null = chainOverride ?? withSqliteErrors(path, () => readChain(db));

  const ids = idTables(db);
  const insertTransfer = db.prepare(
    `INSERT OR IGNORE INTO transfer_rows
       (chain_id, tx, ref, kind, block_number, block_hash, tx_index, from_id, to_id, asset_id, amount)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectIntervals = db.prepare(
    `SELECT from_block, to_block FROM intervals WHERE chain_id = ? AND address = ? AND source = ? ORDER BY from_block`,
  );
  const deleteIntervals = db.prepare(`DELETE FROM intervals WHERE chain_id = ? AND address = ? AND source = ?`);
  const insertInterval = db.prepare(
    `INSERT INTO intervals (chain_id, address, source, from_block, to_block) VALUES (?, ?, ?, ?, ?)`,
  );
  const fromStmt = db.prepare(TRANSFER_READS.from);
  const toStmt = db.prepare(TRANSFER_READS.to);
  const oneStmt = db.prepare(TRANSFER_READS.one);
  const hasStmt = db.prepare(TRANSFER_READS.has);
  const wrapStmt = db.prepare(TRANSFER_READS.wrapAssets);
  const txHashStmt = db.prepare(`SELECT hash FROM txs WHERE id = ?`).pluck();
  const getMetaStmt = db.prepare(`SELECT value FROM meta WHERE key = ?`);
  const deleteMetaStmt = db.prepare(`DELETE FROM meta WHERE key = ?`);
  // Headers are read once per block of every path: statements prepared once.
  const blockStmt = db.prepare(`SELECT number, hash, timestamp FROM blocks WHERE chain_id = ? AND number = ?`);
  const putBlockStmt = db.prepare(`INSERT OR REPLACE INTO blocks (chain_id, number, hash, timestamp) VALUES (?, ?, ?, ?)`);
  const setMetaStmt = db.prepare(
    `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  );

  /** The text of every address and asset id, indexed by id. */
  const readNames = (): { addresses: string[]; assets: string[] } => {
    const all = (table: string, column: string): string[] => {
      const out: string[] = [''];
      for (const [id, text] of db.prepare(`SELECT id, ${column} FROM ${table}`).raw(true).iterate() as Iterable<[number, string]>) out[id] = text;
      return out;
    };
    return { addresses: all('addresses', 'address'), assets: all('assets', 'asset') };
  };

  const requireChain = (): number => {
    if (chain === null) throw new Error('store used before bindChain');
    return chain;
  };

  const markInterval = (m: IntervalMark): void => {
    const c = requireChain();
    const have = (selectIntervals.all(c, m.address, m.source) as { from_block: number; to_block: number }[]).map(
      (r) => [r.from_block, r.to_block] as Interval,
    );
    const merged = union([...have, [m.from, m.to]]);
    deleteIntervals.run(c, m.address, m.source);
    for (const [a, b] of merged) insertInterval.run(c, m.address, m.source, a, b);
  };

  const commitTx = db.transaction((rows: readonly Transfer[], marks: readonly IntervalMark[]): number => {
    let inserted = 0;
    // Positional parameters, no row object per transfer, ids from memory where known: this loop is the
    // ingest rate.
    for (const t of rows) {
      inserted += insertTransfer.run(
        t.chainId, ids.tx(t.txHash), t.ref, t.kind, t.blockNumber, t.blockHash, t.txIndex,
        ids.address(t.from), ids.address(t.to), ids.asset(t.asset), t.amount.toString(),
      ).changes;
    }
    for (const m of marks) markInterval(m);
    return inserted;
  });
  const commitAll = (rows: readonly Transfer[], marks: readonly IntervalMark[]): number => {
    try {
      const n = commitTx.immediate(rows, marks);
      ids.committed();
      return n;
    } catch (err) {
      // Ids made in a transaction that rolled back do not exist.
      ids.rolledBack();
      throw err;
    }
  };

  /** Marks every block above `block` as not fetched (the rows stay; a re-read finds them again). */
  const truncateIntervals = (c: number, block: number): void => {
    db.prepare(`DELETE FROM intervals WHERE chain_id = ? AND from_block > ?`).run(c, block);
    db.prepare(`UPDATE intervals SET to_block = ? WHERE chain_id = ? AND to_block > ?`).run(block, c, block);
  };

  // Every method runs behind withSqliteErrors: a locked, full or damaged database mid-run is one
  // sentence for the user, not an internal error.
  return guarded(path, {
    path,
    ...tableStores(db, path, requireChain),
    chainId: () => chain,
    bindChain(chainId, rpcLabel) {
      if (chain === null) {
        setMetaStmt.run('chain_id', String(chainId));
        chain = chainId;
      } else if (chain !== chainId) {
        throw new UsageError(
          `the RPC ${rpcLabel} serves chain ${chainId}, but database ${path} holds chain ${chain}.`,
          { hint: 'use the RPC of the chain this database holds, or another --db for this chain' },
        );
      }
    },
    getMeta: (key) => (getMetaStmt.get(key) as { value: string } | undefined)?.value ?? null,
    setMeta: (key, value) => void setMetaStmt.run(key, value),
    deleteMeta: (key) => void deleteMetaStmt.run(key),
    schemaVersion: () => db.pragma('user_version', { simple: true }) as number,
    commit: commitAll,
    intervals(address, source) {
      const c = requireChain();
      return (selectIntervals.all(c, address, source) as { from_block: number; to_block: number }[]).map(
        (r) => [r.from_block, r.to_block] as Interval,
      );
    },
    transfersOf(address, side, fromBlock, toBlock) {
      const stmt: Statement = side === 'from' ? fromStmt : toStmt;
      return (stmt.all(address, requireChain(), fromBlock, toBlock) as TransferRow[]).map(fromRow);
    },
    *transfersInRange(fromBlock, toBlock) {
      const c = requireChain();
      // Rows as arrays (better-sqlite3 raw mode): a third less allocation than row objects on 1M rows.
      // Prepared per call: two passes may iterate at once, and one statement cannot.
      // Addresses and assets by id from memory, one string each however many rows name it (fewer
      // allocations than a join per row); the transaction hash by a join on its key.
      let { addresses, assets } = readNames();
      for (const r of db.prepare(TRANSFER_READS.range).raw(true).iterate(c, fromBlock, toBlock) as Iterable<RawTransferRow>) {
        // A name stored by another process after the names were read: read them again.
        if (addresses[r[6]] === undefined || addresses[r[7]] === undefined || assets[r[8]] === undefined) ({ addresses, assets } = readNames());
        yield {
          chainId: c,
          txHash: r[0],
          ref: r[1],
          kind: r[2],
          blockNumber: r[3],
          blockHash: r[4],
          txIndex: r[5],
          from: addresses[r[6]]!,
          to: addresses[r[7]]!,
          asset: assets[r[8]] as Asset,
          amount: BigInt(r[9]),
        };
      }
    },
    transferIdsInRange(fromBlock, toBlock) {
      // Prepared per call, as transfersInRange: two passes may iterate at once.
      const stmt = db.prepare(TRANSFER_READS.rangeIds).raw(true);
      return stmt.iterate(requireChain(), fromBlock, toBlock) as Iterable<TransferIdRow>;
    },
    names: () => readNames(),
    txHash: (id) => (txHashStmt.get(id) as Hex | undefined) ?? null,
    transfer: (txHash, ref) => {
      const r = oneStmt.get(txHash, ref, requireChain()) as TransferRow | undefined;
      return r ? fromRow(r) : null;
    },
    hasTransfer: (txHash, ref) => hasStmt.get(txHash, ref, requireChain()) !== undefined,
    wrapAssets: () =>
      (wrapStmt.all(requireChain()) as { asset: string }[]).map((r) => r.asset),
    block: (number) => (blockStmt.get(requireChain(), number) as BlockHeader | undefined) ?? null,
    putBlocks(headers) {
      const c = requireChain();
      db.transaction(() => headers.forEach((h) => putBlockStmt.run(c, h.number, h.hash, h.timestamp))).immediate();
    },
    rollbackAbove(block) {
      const c = requireChain();
      db.transaction(() => {
        db.prepare(`DELETE FROM transfer_rows WHERE chain_id = ? AND block_number > ?`).run(c, block);
        db.prepare(`DELETE FROM blocks WHERE chain_id = ? AND number > ?`).run(c, block);
        dropDepositsSweptAbove(db, c, block);
        dropSwapsAbove(db, c, block);
        truncateIntervals(c, block);
      }).immediate();
    },
    forgetIntervalsAbove(block) {
      const c = requireChain();
      db.transaction(() => truncateIntervals(c, block)).immediate();
    },
    transferCount: () =>
      (db.prepare(`SELECT COUNT(*) AS n FROM transfer_rows WHERE chain_id = ?`).get(requireChain()) as { n: number }).n,
    close: () => db.close(),
  });
}

/** Wraps every method of `api` so that a SQLite failure becomes the HoptraceError sqliteToUsage gives. */
function guarded<T extends object>(path: string, api: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(api)) {
    out[key] =
      typeof value === 'function'
        ? (...args: unknown[]) => withSqliteErrors(path, () => (value as (...a: unknown[]) => unknown).apply(api, args))
        : value;
  }
  return out as T;
}

function readChain(db: Db): number | null {
  const v = (db.prepare(`SELECT value FROM meta WHERE key = 'chain_id'`).get() as { value: string } | undefined)?.value;
  return v === undefined ? null : Number(v);
}

/** A transfers row as transfersInRange selects it, in raw (array) mode. */
type RawTransferRow = [string, string, TransferKind, number, string, number, number, number, number, string];

function fromRow(r: TransferRow): Transfer {
  return {
    chainId: r.chain_id,
    txHash: r.tx_hash,
    ref: r.ref,
    kind: r.kind,
    blockNumber: r.block_number,
    blockHash: r.block_hash,
    txIndex: r.tx_index,
    from: r.from_addr,
    to: r.to_addr,
    asset: r.asset as Asset,
    amount: BigInt(r.amount),
  };
}

/** Committed ids kept in memory at most: past this many, the maps start again (a lookup is one index read). */
const MAX_CACHED_IDS = 1 << 20;

/**
 * The ids of addresses, assets and transaction hashes (tables addresses, assets, txs), made on first
 * use. Address and asset ids are kept in memory; those a rolled-back transaction made are forgotten
 * (`rolledBack()`). Ids are never deleted or reused, so a
 * committed id stays right even when another process writes the file. Transaction hashes are many and
 * seldom repeat beyond neighbouring rows: only the last one is kept.
 */
function idTables(db: Db) {
  const interner = (table: string, column: string) => {
    const insert = db.prepare(`INSERT OR IGNORE INTO ${table} (${column}) VALUES (?)`);
    const select = db.prepare(`SELECT id FROM ${table} WHERE ${column} = ?`).pluck();
    return (text: string): number => {
      const r = insert.run(text);
      return r.changes === 1 ? Number(r.lastInsertRowid) : (select.get(text) as number);
    };
  };
  const makeAddress = interner('addresses', 'address');
  const makeAsset = interner('assets', 'asset');
  const makeTx = interner('txs', 'hash');
  // One map per table, written at once; the keys made in the open transaction are listed, to forget
  // them if it rolls back.
  const addresses = new Map<string, number>();
  const assets = new Map<string, number>();
  let made: [Map<string, number>, string][] = [];
  let lastTx = '';
  let lastTxId = 0;
  const cached = (map: Map<string, number>, text: string, make: (text: string) => number): number => {
    let id = map.get(text);
    if (id === undefined) {
      map.set(text, (id = make(text)));
      made.push([map, text]);
    }
    return id;
  };
  return {
    address: (a: string): number => cached(addresses, a, makeAddress),
    asset: (a: string): number => cached(assets, a, makeAsset),
    tx(hash: string): number {
      if (hash !== lastTx) {
        lastTxId = makeTx(hash);
        lastTx = hash;
      }
      return lastTxId;
    },
    committed(): void {
      if (addresses.size > MAX_CACHED_IDS) addresses.clear();
      if (assets.size > MAX_CACHED_IDS) assets.clear();
      made = [];
      lastTx = '';
    },
    rolledBack(): void {
      for (const [map, text] of made) map.delete(text);
      made = [];
      lastTx = '';
    },
  };
}

/** The schema version a file is at and the one this release writes, read without changing it (store/open.ts). */
export { schemaVersionOf } from './open.js';
