import type { Statement } from 'better-sqlite3';
import { UsageError } from '../errors.js';
import type { Address, Asset, Hex, Transfer, TransferKind } from '../types.js';
import { union, type Interval } from '../util/intervals.js';
import { depositStore, dropDepositsSweptAbove } from './deposits.js';
import { nonceCache } from './nonces.js';
import { openDb, readIfExists, withSqliteErrors, type Db } from './open.js';
import { repairMessage, repairStore } from './repair.js';
import { TX_KEY_DIGITS } from './schema.js';
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

/**
 * The id of the transaction hash bound once as `?`: its key (migration 10, the index txs_key) found by the
 * index, the full hash compared. A subquery over the one parameter, so the statement binds it once.
 */
const TX_ID = `(SELECT x.id FROM (SELECT ? AS h) p JOIN txs x ON x.key = substr(p.h, 3, ${TX_KEY_DIGITS}) AND x.hash = p.h)`;

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
  /**
   * transfersOf side 'from': transfer_rows_from (address id, block_number). Raw rows (arrays) in index
   * order, sorted in memory (store.ts sortByPosition); the queried address is the argument itself, so only
   * the other end, the asset and the transaction hash are joined.
   */
  from: `SELECT x.hash, t.ref, t.kind, t.block_number, t.block_hash, t.tx_index, o.address, a.asset, t.amount
    FROM transfer_rows t JOIN txs x ON x.id = t.tx JOIN addresses o ON o.id = t.to_id JOIN assets a ON a.id = t.asset_id
    WHERE t.from_id = (SELECT id FROM addresses WHERE address = ?) AND t.chain_id = ? AND t.block_number BETWEEN ? AND ?`,
  /** transfersOf side 'to': transfer_rows_to, the other end being the sender. */
  to: `SELECT x.hash, t.ref, t.kind, t.block_number, t.block_hash, t.tx_index, f.address, a.asset, t.amount
    FROM transfer_rows t JOIN txs x ON x.id = t.tx JOIN addresses f ON f.id = t.from_id JOIN assets a ON a.id = t.asset_id
    WHERE t.to_id = (SELECT id FROM addresses WHERE address = ?) AND t.chain_id = ? AND t.block_number BETWEEN ? AND ?`,
  /** transfer: transfer_rows_identity, by the transaction's id (found by txs_key). */
  one: `${SELECT_TEXT} WHERE t.tx = ${TX_ID} AND t.ref = ? AND t.chain_id = ?`,
  /** hasTransfer: transfer_rows_identity alone. */
  has: `SELECT 1 FROM transfer_rows WHERE tx = ${TX_ID} AND ref = ? AND chain_id = ?`,
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
  const insertRows = rowInserter(db);
  const selectIntervals = db.prepare(
    `SELECT from_block, to_block FROM intervals WHERE chain_id = ? AND address = ? AND source = ? ORDER BY from_block`,
  ).raw(true);
  const deleteIntervals = db.prepare(`DELETE FROM intervals WHERE chain_id = ? AND address = ? AND source = ?`);
  const insertInterval = db.prepare(
    `INSERT INTO intervals (chain_id, address, source, from_block, to_block) VALUES (?, ?, ?, ?, ?)`,
  );
  const fromStmt = db.prepare(TRANSFER_READS.from).raw(true);
  const toStmt = db.prepare(TRANSFER_READS.to).raw(true);
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

  /** Merges the marks of one (address, source) with what is stored, once per commit whatever their number. */
  const markIntervals = (marks: readonly IntervalMark[]): void => {
    const c = requireChain();
    const bySeries = new Map<string, { address: string; source: string; add: Interval[] }>();
    for (const m of marks) {
      const k = `${m.address}\u0000${m.source}`;
      let series = bySeries.get(k);
      if (series === undefined) bySeries.set(k, (series = { address: m.address, source: m.source, add: [] }));
      series.add.push([m.from, m.to]);
    }
    for (const { address, source, add } of bySeries.values()) {
      const have = (selectIntervals.all(c, address, source) as Interval[]);
      deleteIntervals.run(c, address, source);
      for (const [a, b] of union([...have, ...add])) insertInterval.run(c, address, source, a, b);
    }
  };

  const commitTx = db.transaction((rows: readonly Transfer[], marks: readonly IntervalMark[]): number => {
    // Ids first (a few statements per commit for the names not yet known), then the rows, many per
    // statement: this is the ingest rate (bench/analysis.mjs).
    const known = ids.resolve(rows);
    const inserted = insertRows(rows, known);
    markIntervals(marks);
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
      return selectIntervals.all(requireChain(), address, source) as Interval[];
    },
    transfersOf(address, side, fromBlock, toBlock) {
      // Raw rows (arrays), one object each, no ORDER BY in SQL (its temporary B-tree cost more than the
      // rows), the queried address not joined: in the 2,000-address bench trace, 5,374 calls returning
      // 37,510 rows took 105 ms instead of 168 (object rows mapped again, sorted by SQLite).
      const c = requireChain();
      const rows = (side === 'from' ? fromStmt : toStmt).all(address, c, fromBlock, toBlock) as RawSideRow[];
      const out: Transfer[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        out[i] = side === 'from' ? movement(c, r, address, r[6], r[7], r[8]) : movement(c, r, r[6], address, r[7], r[8]);
      }
      return sortByPosition(out);
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
        yield movement(c, r, addresses[r[6]]!, addresses[r[7]]!, assets[r[8]]!, r[9]);
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

/** The columns transfersOf and transfersInRange both read first, in this order. */
type PositionColumns = readonly [txHash: Hex, ref: string, kind: TransferKind, blockNumber: number, blockHash: Hex, txIndex: number, ...rest: unknown[]];

/** A movement from the first columns of a raw row and its names. */
function movement(chainId: number, r: PositionColumns, from: Address, to: Address, asset: string, amount: string): Transfer {
  return {
    chainId,
    txHash: r[0],
    ref: r[1],
    kind: r[2],
    blockNumber: r[3],
    blockHash: r[4],
    txIndex: r[5],
    from,
    to,
    asset: asset as Asset,
    amount: BigInt(amount),
  };
}

/** A row of transfersOf in raw mode: the other end's address in place of both ends. */
type RawSideRow = [Hex, string, TransferKind, number, Hex, number, Address, string, string];

/**
 * Sorts movements by block, index in the block, then ref, in place: the order transfersOf returned when
 * SQLite sorted (ORDER BY block_number, tx_index, ref; refs in BINARY order, compareBinary). The three keys
 * are one movement's position; rows equal on all three (possible only across a reorg not yet rolled back)
 * keep index order (the sort is stable), where SQLite's sort promised no order.
 */
function sortByPosition(rows: Transfer[]): Transfer[] {
  // The index hands rows in block order already: a sorted list is left as it is (the common case).
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) sorted = comparePosition(rows[i - 1]!, rows[i]!) <= 0;
  return sorted ? rows : rows.sort(comparePosition);
}

function comparePosition(a: Transfer, b: Transfer): number {
  return a.blockNumber - b.blockNumber || a.txIndex - b.txIndex || compareBinary(a.ref, b.ref);
}

/**
 * SQLite's BINARY collation (bytes of UTF-8) on two strings. JS `<` compares UTF-16 code units, which is
 * the same order except where a surrogate pair meets a character from U+E000 up: those go by bytes.
 */
function compareBinary(a: string, b: string): number {
  if (a === b) return 0;
  if (/[\ud800-\uffff]/.test(a) || /[\ud800-\uffff]/.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : 1;
}

/** A transfers row as transfersInRange selects it, in raw (array) mode. */
type RawTransferRow = [Hex, string, TransferKind, number, Hex, number, number, number, number, string];

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
/** Names looked up or added per statement, and movements inserted per statement (11 values each). */
const NAMES_PER_STATEMENT = 200;
const ROWS_PER_STATEMENT = 100;

/**
 * The sizes the statements of `n` rows are cut into: `max` while that many are left, then the powers of
 * two that make up the rest. So a table's statements come in a handful of sizes, each prepared once
 * (preparing a statement for every odd remainder cost a short trace more than the statements' work).
 */
export function statementSizes(n: number, max: number): number[] {
  const out: number[] = [];
  let left = n;
  for (; left >= max; left -= max) out.push(max);
  for (let p = 1 << 30; left > 0; p >>= 1) {
    if (p <= left) {
      out.push(p);
      left -= p;
    }
  }
  return out;
}

/** Statements that differ only in how many rows they carry, prepared once per size on first use. */
function bySize(db: Db, sql: (n: number) => string, raw = false): (n: number) => Statement {
  const made = new Map<number, Statement>();
  return (n) => {
    let stmt = made.get(n);
    if (stmt === undefined) made.set(n, (stmt = raw ? db.prepare(sql(n)).raw(true) : db.prepare(sql(n))));
    return stmt;
  };
}

/** `n` copies of `group`, comma-separated: the VALUES or IN list of a statement of n rows. */
const repeat = (group: string, n: number): string => Array.from({ length: n }, () => group).join(', ');

/** The ids of a commit's movements, one entry per row, as resolve() hands them to the row inserter. */
interface RowIds {
  tx: Float64Array;
  from: Float64Array;
  to: Float64Array;
  asset: Float64Array;
}

/** One table of names: look up many, add many, read the last id. */
interface NameTable {
  find(n: number): Statement;
  add(n: number): Statement;
  last: Statement;
}

/**
 * The ids of addresses, assets and transaction hashes (tables addresses, assets, txs). `resolve(rows)`
 * finds or makes every id a commit needs in a few statements: the names not known in memory are looked
 * up many per statement, and those not stored are added many per statement with the next ids (read under
 * the commit's write lock, so in primary-key order: an append). Address and asset ids are kept in memory
 * across commits; those a rolled-back transaction made are forgotten (`rolledBack()`). Ids are never
 * deleted or reused, so a committed id stays right even when another process writes the file.
 * Transaction hashes are many and seldom repeat beyond one commit: their ids are kept for the commit alone.
 * Each name of a row is looked up in memory once (a 42- or 66-character key is hashed once per row).
 */
function idTables(db: Db) {
  const table = (name: string, column: string, where: (n: number) => string): NameTable => ({
    find: bySize(db, (n) => `SELECT id, ${column} FROM ${name} WHERE ${where(n)}`, true),
    add: bySize(db, (n) => `INSERT INTO ${name} (id, ${column}) VALUES ${repeat('(?, ?)', n)}`),
    last: db.prepare(`SELECT coalesce(max(id), 0) FROM ${name}`).pluck(),
  });
  const addressTable = table('addresses', 'address', (n) => `address IN (${repeat('?', n)})`);
  const assetTable = table('assets', 'asset', (n) => `asset IN (${repeat('?', n)})`);
  // By the key (txs_key); hashes that merely share a key with a wanted one are told apart below.
  const txTable = table('txs', 'hash', (n) => `key IN (${repeat(`substr(?, 3, ${TX_KEY_DIGITS})`, n)})`);

  const addresses = new Map<string, number>();
  const assets = new Map<string, number>();
  // The names this open transaction added to the maps: forgotten if it rolls back.
  let made: [Map<string, number>, string][] = [];
  const params: (string | number)[] = [];

  /**
   * The ids of `wanted` (distinct names, none in memory), in its order: found in the table, or added
   * with the next ids.
   */
  const fill = (t: NameTable, wanted: readonly string[]): Float64Array => {
    const ids = new Float64Array(wanted.length);
    const slot = new Map<string, number>();
    for (let i = 0; i < wanted.length; i++) slot.set(wanted[i]!, i);
    let i = 0;
    for (const size of statementSizes(wanted.length, NAMES_PER_STATEMENT)) {
      const part = wanted.slice(i, (i += size));
      for (const [id, text] of t.find(size).iterate(part) as Iterable<[number, string]>) {
        const at = slot.get(text);
        if (at !== undefined) ids[at] = id;
      }
    }
    let next = (t.last.get() as number) + 1;
    params.length = 0;
    for (let j = 0; j < wanted.length; j++) {
      if (ids[j] !== 0) continue;
      ids[j] = next;
      params.push(next++, wanted[j]!);
    }
    let at = 0;
    for (const size of statementSizes(params.length / 2, NAMES_PER_STATEMENT)) {
      t.add(size).run(params.slice(at, (at += 2 * size)));
    }
    params.length = 0;
    return ids;
  };

  /**
   * Ids of the names `name(i)` of rows 0..count-1, from `cache` where known; the rest by fill. With
   * `cache` null (transaction hashes) nothing is kept beyond this commit.
   */
  const idsOf = (t: NameTable, cache: Map<string, number> | null, count: number, name: (i: number) => string): Float64Array => {
    const out = new Float64Array(count);
    // Rows whose name is not in memory, by name: the slot of the name in `wanted`.
    const pending = new Map<string, number>();
    const wanted: string[] = [];
    const at = new Int32Array(count).fill(-1);
    let last = '';
    let lastId = 0;
    let lastAt = -1;
    for (let i = 0; i < count; i++) {
      const text = name(i);
      // Neighbouring rows often share a name (the movements of one transaction): no lookup then.
      if (text === last && i > 0) {
        out[i] = lastId;
        at[i] = lastAt;
        continue;
      }
      last = text;
      const id = cache?.get(text);
      if (id !== undefined) {
        out[i] = lastId = id;
        at[i] = lastAt = -1;
        continue;
      }
      let slot = pending.get(text);
      if (slot === undefined) {
        pending.set(text, (slot = wanted.length));
        wanted.push(text);
      }
      lastId = 0;
      at[i] = lastAt = slot;
    }
    if (wanted.length === 0) return out;
    const found = fill(t, wanted);
    for (let i = 0; i < count; i++) if (at[i]! >= 0) out[i] = found[at[i]!]!;
    if (cache !== null) {
      for (let i = 0; i < wanted.length; i++) {
        cache.set(wanted[i]!, found[i]!);
        made.push([cache, wanted[i]!]);
      }
    }
    return out;
  };

  return {
    /** Finds or makes the ids of every name `rows` use. */
    resolve(rows: readonly Transfer[]): RowIds {
      const n = rows.length;
      return {
        from: idsOf(addressTable, addresses, n, (i) => rows[i]!.from),
        to: idsOf(addressTable, addresses, n, (i) => rows[i]!.to),
        asset: idsOf(assetTable, assets, n, (i) => rows[i]!.asset),
        tx: idsOf(txTable, null, n, (i) => rows[i]!.txHash),
      };
    },
    committed(): void {
      if (addresses.size > MAX_CACHED_IDS) addresses.clear();
      if (assets.size > MAX_CACHED_IDS) assets.clear();
      made = [];
    },
    rolledBack(): void {
      for (const [map, text] of made) map.delete(text);
      made = [];
    },
  };
}

/** The columns of transfer_rows a commit writes, in the order of its VALUES. */
const ROW_COLUMNS = '(chain_id, tx, ref, kind, block_number, block_hash, tx_index, from_id, to_id, asset_id, amount)';

/**
 * INSERT OR IGNORE of movements into transfer_rows, ROWS_PER_STATEMENT per statement (one statement
 * step instead of a hundred). The parameter array is reused: no object per movement. Returns the number
 * of movements stored (those already stored are ignored by transfer_rows_identity).
 */
function rowInserter(db: Db): (rows: readonly Transfer[], ids: RowIds) => number {
  const insert = bySize(db, (n) => `INSERT OR IGNORE INTO transfer_rows ${ROW_COLUMNS} VALUES ${repeat('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', n)}`);
  const params: (string | number)[] = [];
  return (rows, ids) => {
    let inserted = 0;
    let end = 0;
    for (const size of statementSizes(rows.length, ROWS_PER_STATEMENT)) {
      const i = end;
      end += size;
      params.length = 0;
      for (let j = i; j < end; j++) {
        const t = rows[j]!;
        params.push(t.chainId, ids.tx[j]!, t.ref, t.kind, t.blockNumber, t.blockHash, t.txIndex,
          ids.from[j]!, ids.to[j]!, ids.asset[j]!, t.amount.toString());
      }
      inserted += insert(size).run(params).changes;
    }
    return inserted;
  };
}

/** The schema version a file is at and the one this release writes, read without changing it (store/open.ts). */
export { schemaVersionOf } from './open.js';
