/**
 * What each part of the store's schema costs an ingest, outside the Store: `node bench/ingest-variants.mjs
 * [edges=200000] [variant…]`. The bench's synthetic movements (bench/analysis.mjs: same generator, same
 * batches of 10,000 rows, 100 rows per statement, the pragmas of store/open.ts), ids from memory (address
 * and asset ids as integers, each transaction a new txs row), into tables built here from the store's
 * schema, less or more what the variant says. Prints one line: transfers/s (wall), CPU µs per row, and
 * the bytes this process wrote. Variants (several may be given):
 *   noidx            no index at all;  noident / nofrom / noto / notxkey   drop that one index
 *   nobh             no block_hash column;  intkind   kind and ref as integers
 *   key8             the transaction key as 4 bytes, unhex() of 8 hex digits (SQLite ≥ 3.41);  t8   8 hex digits as text
 *   find / find2     look every hash up before adding it, as Store.commit does (IN list / VALUES join)
 *   sort             rows of a commit sorted by sender before insertion
 *   page=N cache=N ckpt=N batch=N per=N   page size, cache_size, wal_autocheckpoint, rows per commit and per statement
 *   mmap=N           mmap_size in bytes;  excl   locking_mode = EXCLUSIVE (no other process could read the file)
 *   delta=N          commits go to a table of recent rows with the same indexes, moved into the main table
 *                    (sorted by sender) once it holds N rows: what deferring the index work would save (a
 *                    sketch: the duplicate check across both tables and the reads through both are not in it)
 * Used for the figures of README "ingest" (issue 15); wall times on a shared machine are noise, compare CPU and bytes.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticBatches } from './synthetic.mjs';

const o = Object.fromEntries(process.argv.slice(2).map((a) => {
  const [k, v] = a.split('=');
  return [k, v === undefined ? true : Number(v)];
}));
const edges = o.edges ?? 200_000;
const BATCH = o.batch ?? 10_000;
const PER = o.per ?? 100;

// The movements of bench/analysis.mjs, names as integer ids (made before the timing starts).
const rows = [];
for (const batch of syntheticBatches(edges, BATCH)) {
  for (const t of batch) rows.push({ ...t, fromI: parseInt(t.from.slice(2), 16) + 1, toI: parseInt(t.to.slice(2), 16) + 1, assetI: t.asset === 'native' ? 1 : 2 });
}

const dir = mkdtempSync(join(tmpdir(), 'hoptrace-variants-'));
const db = new Database(join(dir, 'x.db'));
if (o.page) db.pragma(`page_size = ${o.page}`);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma(`wal_autocheckpoint = ${o.ckpt ?? 65536}`);
db.pragma(`cache_size = ${o.cache ?? -65536}`);
db.pragma('temp_store = MEMORY');
if (o.mmap) db.pragma(`mmap_size = ${o.mmap}`);
if (o.excl) db.pragma('locking_mode = EXCLUSIVE');
const bh = !o.nobh;
const ik = o.intkind;
const key = o.key8 ? 'coalesce(unhex(substr(hash, 3, 8)), hash)' : o.t8 ? 'substr(hash, 3, 8)' : 'substr(hash, 3, 12)';
db.exec(`CREATE TABLE txs (id INTEGER PRIMARY KEY, hash TEXT NOT NULL, key GENERATED ALWAYS AS (${key}) VIRTUAL);
  CREATE TABLE transfer_rows (id INTEGER PRIMARY KEY, chain_id INTEGER NOT NULL, tx INTEGER NOT NULL, ref ${ik ? 'INTEGER' : 'TEXT'} NOT NULL,
    kind ${ik ? 'INTEGER' : "TEXT NOT NULL CHECK (kind IN ('native', 'internal', 'erc20', 'wrap', 'unwrap'))"},
    block_number INTEGER NOT NULL, ${bh ? 'block_hash TEXT NOT NULL,' : ''} tx_index INTEGER NOT NULL, from_id INTEGER NOT NULL,
    to_id INTEGER NOT NULL, asset_id INTEGER NOT NULL, amount TEXT NOT NULL);`);
if (!o.noidx) {
  if (!o.notxkey) db.exec(`CREATE INDEX txs_key ON txs (key)`);
  if (!o.noident) db.exec(`CREATE UNIQUE INDEX transfer_rows_identity ON transfer_rows (tx, ref, chain_id)`);
  if (!o.nofrom) db.exec(`CREATE INDEX transfer_rows_from ON transfer_rows (from_id, block_number)`);
  if (!o.noto) db.exec(`CREATE INDEX transfer_rows_to ON transfer_rows (to_id, block_number)`);
  db.exec(`CREATE INDEX transfer_rows_wrap ON transfer_rows (chain_id, asset_id) WHERE kind IN (${ik ? '4, 5' : "'wrap', 'unwrap'"})`);
}

if (o.delta) {
  db.exec(`CREATE TABLE recent_rows AS SELECT * FROM transfer_rows WHERE 0;
    CREATE UNIQUE INDEX recent_identity ON recent_rows (tx, ref, chain_id);
    CREATE INDEX recent_from ON recent_rows (from_id, block_number);
    CREATE INDEX recent_to ON recent_rows (to_id, block_number);`);
}
const moveRecent = o.delta
  ? db.prepare(`INSERT INTO transfer_rows SELECT * FROM recent_rows ORDER BY from_id, block_number`)
  : null;
const clearRecent = o.delta ? db.prepare(`DELETE FROM recent_rows`) : null;
let recent = 0;

/** A statement per size n, prepared once. */
const sized = (sql) => {
  const made = new Map();
  return (n) => {
    if (!made.has(n)) made.set(n, db.prepare(sql(n)));
    return made.get(n);
  };
};
const values = (group, n) => Array.from({ length: n }, () => group).join(', ');
const cols = `(chain_id, tx, ref, kind, block_number, ${bh ? 'block_hash, ' : ''}tx_index, from_id, to_id, asset_id, amount)`;
const insertRows = sized((n) => `INSERT OR IGNORE INTO ${o.delta ? 'recent_rows' : 'transfer_rows'} ${cols} VALUES ${values(`(${values('?', bh ? 11 : 10)})`, n)}`);
const insertTxs = sized((n) => `INSERT INTO txs (id, hash) VALUES ${values('(?, ?)', n)}`);
const findIn = sized((n) => `SELECT id, hash FROM txs WHERE key IN (${values(key.replaceAll('hash', '?').replace(/, \?\)$/, ')'), n)})`);
const findJoin = sized((n) => `WITH w(h) AS (VALUES ${values('(?)', n)}) SELECT x.id, x.hash FROM w JOIN txs x ON x.key = ${key.replaceAll('hash', 'w.h')} AND x.hash = w.h`);
const KIND = { native: 1, internal: 2, erc20: 3, wrap: 4, unwrap: 5 };
let nextTx = 1;

const written = () => Number(/^write_bytes: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? 0);
const commit = db.transaction((batch) => {
  const b = o.sort ? [...batch].sort((x, y) => x.fromI - y.fromI) : batch;
  for (const find of [o.find ? findIn : null, o.find2 ? findJoin : null]) {
    if (find === null || o.key8) continue;
    for (let i = 0; i < b.length; i += 200) for (const _ of find(Math.min(200, b.length - i)).raw(true).iterate(b.slice(i, i + 200).map((x) => x.txHash)));
  }
  const txId = new Float64Array(b.length);
  for (let i = 0; i < b.length; i += PER) {
    const part = b.slice(i, i + PER);
    const p = [];
    for (let j = 0; j < part.length; j++) p.push((txId[i + j] = nextTx++), part[j].txHash);
    insertTxs(part.length).run(p);
  }
  for (let i = 0; i < b.length; i += PER) {
    const p = [];
    for (let j = i; j < Math.min(b.length, i + PER); j++) {
      const t = b[j];
      p.push(t.chainId, txId[j], ik ? (t.ref === 'log:0' ? 0 : 1) : t.ref, ik ? KIND[t.kind] : t.kind, t.blockNumber);
      if (bh) p.push(t.blockHash);
      p.push(t.txIndex, t.fromI, t.toI, t.assetI, t.amount.toString());
    }
    insertRows(Math.min(b.length, i + PER) - i).run(p);
  }
  recent += b.length;
  if (o.delta && recent >= o.delta) {
    moveRecent.run();
    clearRecent.run();
    recent = 0;
  }
});

const w0 = written();
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < rows.length; i += BATCH) commit.immediate(rows.slice(i, i + BATCH));
const ms = performance.now() - t0;
const c = process.cpuUsage(c0);
const w = written() - w0;
db.close();
rmSync(dir, { recursive: true, force: true });
console.log(`${process.argv.slice(2).join(' ').padEnd(30)} ${Math.round(edges / (ms / 1000))}/s wall, CPU ${((c.user + c.system) / edges).toFixed(2)} µs/row, ` +
  `written ${Math.round(w / 2 ** 20)} MiB (${Math.round(w / edges)} B/row)`);
