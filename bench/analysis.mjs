/**
 * Ingest and analysis on a synthetic graph, built directly in SQLite (no node): `node bench/analysis.mjs
 * '<json>'` with { edges, db? }. Prints one JSON line. With `db` (a file path) the store is kept there,
 * and when that file already exists the ingests are skipped and only the analysis runs on it (to compare
 * analysis variants on one graph without writing 1M rows each time; the caller keeps `edges` the same).
 * `raw: false` leaves out the two raw ingests; `analyse: false` the analysis (bench/run.mjs --only ingest).
 *
 * - ingest through the store: Store.commit() (rows + an interval mark, one transaction per batch of
 *   BATCH rows: ids of addresses, assets and transactions, INSERT OR IGNORE into the rowid table
 *   transfer_rows and its indexes) — the path a trace writes through; the ingest target is measured on
 *   this one;
 * - ingest raw: the same tables and pragmas without the Store, ids from memory, 100k rows per
 *   transaction — the floor under commit; raw into the schema before integer ids (text columns,
 *   WITHOUT ROWID), for comparison; and raw into the store's tables without any index, in batches of
 *   BATCH rows — the ceiling for these rows on this machine without the indexes the reads need;
 * - attribution: graph/ attributeInStore (poison, haircut and FIFO in one pass over the stored
 *   transfers, as `hoptrace report` runs it) from SOURCES seeds, VENUES venues, HOPS hops;
 * - paths: graph/ pathsInStore (as `hoptrace path` runs it) from a seed to TARGETS random targets, up to
 *   PATH_HOPS movements, shortest and all simple paths.
 *
 * The graph: edges/10 addresses; each edge pays from a random address to one a little further on (a
 * laundering-like drift away from the seeds, with long jumps now and then), blocks in edge order, amounts
 * random. Deterministic.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attributeInStore, pathsInStore } from '../dist/graph/index.js';
import { openDb } from '../dist/store/open.js';
import { createStore } from '../dist/store/store.js';
import { mulberry32 as rng, peakRssMiB } from './common.mjs';
import { addr, syntheticBatches } from './synthetic.mjs';

/** Venues among the addresses, attribution hops, and the hop limit of path searches. */
const VENUES = 50;
const HOPS = 4;
const PATH_HOPS = 4;

const BATCH = 10_000;
const SOURCES = 5;
const TARGETS = 50;
const args = JSON.parse(process.argv[2]);
const edges = args.edges;
const addresses = Math.max(100, Math.floor(edges / 10));

/** JSON of analysis results: bigints as decimal strings, maps and sets as entry lists. */
const jsonBigint = (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Map || v instanceof Set ? [...v] : v);
/** The synthetic transfers in batches of `size` (bench/synthetic.mjs). */
const batches = (size) => syntheticBatches(edges, size);

const dir = mkdtempSync(join(tmpdir(), 'hoptrace-analysis-'));
const out = { edges, addresses };
const storePath = args.db ?? join(dir, 'store.db');
try {
  if (!(args.db && existsSync(args.db))) ingest();
  if (args.analyse !== false) analyse();
  out.peakRssMiB = peakRssMiB();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(out) + '\n');

function ingest() {
  // Through the store's commit path.
  const store = createStore(storePath);
  store.bindChain(1, 'bench');
  // Only the writes are timed, not making up the rows.
  let commitMs = 0;
  let cpuMs = 0;
  let n = 0;
  const written0 = bytesWritten();
  for (const rows of batches(BATCH)) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    n += store.commit(rows, [{ address: '*', source: 'bench', from: rows[0].blockNumber, to: rows[rows.length - 1].blockNumber }]);
    commitMs += performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpuMs += (c.user + c.system) / 1000;
  }
  // Bytes the process wrote (log, checkpoints) during the ingest: the part of its cost other processes
  // on the machine do not change. Null where /proc/self/io cannot be read.
  const written1 = bytesWritten();
  const writtenMiB = written0 === null || written1 === null ? null : Math.round((written1 - written0) / 2 ** 20);
  out.ingestStore = { rows: n, ms: commitMs, perSecond: n / (commitMs / 1000), cpuMs, writtenMiB, batch: BATCH };

  // Raw, for comparison (100k rows per transaction, no interval bookkeeping, no Store):
  // - ingestRaw: the store's own tables (schema 7: txs, transfer_rows and their indexes), one INSERT into
  //   txs and one into transfer_rows per row, address and asset ids from a Map: the floor under commit;
  // - ingestRawText: the schema before integer ids (schema 6: text columns, WITHOUT ROWID keyed by the
  //   random tx hash, three indexes), one INSERT per row: what the old store could at best reach;
  // - ingestRawBare: the store's tables without a single index (no identity, no from/to, no transaction
  //   key), written as the commit writes (100 rows per statement, transactions of BATCH rows), ids from
  //   memory: the ceiling for these rows on this machine without the indexes the reads need.
  const rawIngest = (file, text, bare = false) => {
    const raw = openDb(join(dir, file));
    if (bare) raw.exec(`DROP INDEX transfer_rows_identity; DROP INDEX transfer_rows_from; DROP INDEX transfer_rows_to;
      DROP INDEX transfer_rows_wrap; DROP INDEX txs_key;`);
    // Statements of n rows (n = PER but for the last of an odd total), prepared once per size.
    const PER = 100;
    const sized = new Map();
    const statements = (n) => {
      if (!sized.has(n)) {
        const values = (group) => Array.from({ length: n }, () => group).join(', ');
        sized.set(n, {
          rows: raw.prepare(`INSERT INTO transfer_rows (chain_id, tx, ref, kind, block_number, block_hash, tx_index, from_id, to_id, asset_id, amount)
            VALUES ${values('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')}`),
          txs: raw.prepare(`INSERT INTO txs (id, hash) VALUES ${values('(?, ?)')}`),
        });
      }
      return sized.get(n);
    };
    let nextTx = 1;
    if (text) {
      raw.exec(`CREATE TABLE old_transfers (chain_id INTEGER NOT NULL, tx_hash TEXT NOT NULL, ref TEXT NOT NULL, kind TEXT NOT NULL,
          block_number INTEGER NOT NULL, block_hash TEXT NOT NULL, tx_index INTEGER NOT NULL, from_addr TEXT NOT NULL, to_addr TEXT NOT NULL,
          asset TEXT NOT NULL, amount TEXT NOT NULL, PRIMARY KEY (chain_id, tx_hash, ref)) WITHOUT ROWID;
        CREATE INDEX old_from ON old_transfers (from_addr, block_number);
        CREATE INDEX old_to ON old_transfers (to_addr, block_number);
        CREATE INDEX old_block ON old_transfers (block_number);`);
    }
    const insert = text
      ? raw.prepare(`INSERT OR IGNORE INTO old_transfers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      : raw.prepare(`INSERT OR IGNORE INTO transfer_rows
          (chain_id, tx, ref, kind, block_number, block_hash, tx_index, from_id, to_id, asset_id, amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertTx = raw.prepare(`INSERT INTO txs (hash) VALUES (?)`);
    const ids = new Map();
    const id = (a) => {
      let i = ids.get(a);
      if (i === undefined) ids.set(a, (i = ids.size + 1));
      return i;
    };
    const many = raw.transaction((rows) => {
      for (let i = 0; bare && i < rows.length; i += PER) {
        const part = rows.slice(i, i + PER);
        const st = statements(part.length);
        st.txs.run(part.flatMap((x, j) => [nextTx + j, x.txHash]));
        st.rows.run(part.flatMap((x, j) => [x.chainId, nextTx + j, x.ref, x.kind, x.blockNumber, x.blockHash, x.txIndex, id(x.from), id(x.to), id(x.asset), x.amount.toString()]));
        nextTx += part.length;
      }
      for (const x of bare ? [] : rows) {
        if (text) insert.run(x.chainId, x.txHash, x.ref, x.kind, x.blockNumber, x.blockHash, x.txIndex, x.from, x.to, x.asset, x.amount.toString());
        else {
          const tx = Number(insertTx.run(x.txHash).lastInsertRowid);
          insert.run(x.chainId, tx, x.ref, x.kind, x.blockNumber, x.blockHash, x.txIndex, id(x.from), id(x.to), id(x.asset), x.amount.toString());
        }
      }
    });
    let ms = 0;
    let cpu = 0;
    let m = 0;
    for (const rows of batches(bare ? BATCH : 100_000)) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      many(rows);
      ms += performance.now() - t0;
      const c = process.cpuUsage(c0);
      cpu += (c.user + c.system) / 1000;
      m += rows.length;
    }
    raw.close();
    return { rows: m, ms, perSecond: m / (ms / 1000), cpuMs: cpu };
  };
  if (args.raw !== false) {
    out.ingestRaw = rawIngest('raw.db', false);
    out.ingestRawText = rawIngest('raw-text.db', true);
    out.ingestRawBare = rawIngest('raw-bare.db', false, true);
  }

  store.close();
}

/** Bytes this process has written to storage (Linux /proc/self/io), or null. */
function bytesWritten() {
  try {
    return Number(/^write_bytes: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? NaN) || 0;
  } catch {
    return null;
  }
}

function analyse() {
  // Analysis as hoptrace runs it: `report` attributes over the stored transfers of the run's range
  // (graph/ attributeInStore: one pass in chain order, three taint models), `path` searches the stored
  // neighbourhood of its source (pathsInStore: graphology-shortest-path and a depth-bounded DFS on it). Neither
  // loads the whole graph into graphology, so neither is timed doing so.
  const analysed = createStore(storePath);
  const range = { fromBlock: 0, toBlock: Number.MAX_SAFE_INTEGER };
  const seeds = Array.from({ length: SOURCES }, (_, i) => addr(i * 7));
  const r = rng(11);
  const venues = new Set(Array.from({ length: VENUES }, () => addr(Math.floor(r() * addresses))));
  const venue = (a) => (venues.has(a) ? { entity: 'venue', category: 'exchange', risk: 'standard' } : undefined);
  // CPU time beside wall time: on a shared machine the wall clock also counts other processes' turns.
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let t = performance.now();
  let c = cpu();
  const a = attributeInStore(analysed, range, { seeds, venue, hops: HOPS, stopAtLabels: true, isToken: () => false });
  out.attribution = { ms: performance.now() - t, cpuMs: cpu() - c, seeds: SOURCES, hops: HOPS, venuesReached: a.venues.length, taintedTransfers: a.edges.length };
  const digest = createHash('sha256');
  digest.update(JSON.stringify(a, jsonBigint));

  t = performance.now();
  c = cpu();
  let found = 0;
  let paths = 0;
  const outputs = [];
  for (let i = 0; i < TARGETS; i++) {
    const target = addr(Math.floor(r() * addresses));
    const p = pathsInStore(analysed, range, seeds[i % SOURCES], target, { maxHops: PATH_HOPS, limit: 100 });
    if (p.shortest) found++;
    paths += p.all.length;
    outputs.push(p);
  }
  out.paths = { targets: TARGETS, maxHops: PATH_HOPS, found, paths, ms: performance.now() - t, cpuMs: cpu() - c };
  // What the analysis found, hashed outside the timed parts: two builds that agree on it agree on every
  // amount, path and order (compare it across versions of graph/ on the same `edges`).
  digest.update(JSON.stringify(outputs, jsonBigint));
  out.digest = digest.digest('hex').slice(0, 16);
  analysed.close();

  out.analysisMs = out.attribution.ms + out.paths.ms;
  out.analysisCpuMs = out.attribution.cpuMs + out.paths.cpuMs;
}
