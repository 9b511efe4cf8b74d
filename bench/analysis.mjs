/**
 * Ingest and analysis on a synthetic graph, built directly in SQLite (no node): `node bench/analysis.mjs
 * '<json>'` with { edges }. Prints one JSON line.
 *
 * - ingest through the store: Store.commit() (rows + an interval mark, one transaction per batch of
 *   BATCH rows, INSERT OR IGNORE, three indexes) — the path a trace writes through; the ingest target is
 *   measured on this one;
 * - ingest raw: the same schema and pragmas, one prepared INSERT in one transaction per 100k rows — what
 *   SQLite itself allows here, for comparison; and raw again with transfers as a rowid table plus a unique
 *   index (a schema alternative);
 * - load: every transfer read back from the store into a graphology MultiDirectedGraph;
 * - paths: graphology-shortest-path, breadth-first from SOURCES seeds to everything they reach, and a
 *   bidirectional search seed → target for TARGETS targets;
 * - attribution: ATTRIBUTE below (issue 5's taint models plug in there); until then "not yet measured".
 *
 * The graph: edges/10 addresses; each edge pays from a random address to one a little further on (a
 * laundering-like drift away from the seeds, with long jumps now and then), blocks in edge order, amounts
 * random. Deterministic.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Graph from 'graphology';
import { bidirectional, singleSourceLength } from 'graphology-shortest-path/unweighted.js';
import { openDb } from '../dist/store/open.js';
import { createStore } from '../dist/store/store.js';
import { mulberry32 as rng, peakRssMiB } from './common.mjs';

/**
 * The attribution step: `(graph, seeds) => unknown`, timed on the loaded graph. Issue 5 plugs in with one
 * line, e.g. `const ATTRIBUTE = (g, seeds) => attribute(g, seeds, { model: 'haircut' });`.
 */
const ATTRIBUTE = null;

const BATCH = 10_000;
const SOURCES = 5;
const TARGETS = 50;
const args = JSON.parse(process.argv[2]);
const edges = args.edges;
const addresses = Math.max(100, Math.floor(edges / 10));

const addr = (i) => '0x' + i.toString(16).padStart(40, '0');

/** The synthetic transfers, in batches (a generator: 1M rows are never all in memory at once). */
function* batches(size) {
  const r = rng(7);
  let batch = [];
  for (let i = 0; i < edges; i++) {
    const from = Math.floor(r() * r() * addresses);
    const jump = r() < 0.05 ? Math.floor(r() * addresses) : 1 + Math.floor(r() * 50);
    const to = (from + jump) % addresses;
    batch.push({
      chainId: 1,
      // Real tx hashes are keccak output: scattered over the key space, not in insertion order.
      txHash: '0x' + createHash('sha256').update(String(i)).digest('hex'),
      ref: i % 3 === 0 ? 'trace:0' : 'log:0',
      kind: i % 3 === 0 ? 'internal' : 'erc20',
      blockNumber: Math.floor(i / 100),
      blockHash: '0x' + Math.floor(i / 100).toString(16).padStart(64, '0'),
      txIndex: i % 100,
      from: addr(from),
      to: addr(to === from ? (to + 1) % addresses : to),
      asset: i % 3 === 0 ? 'native' : '0x' + 'ab'.repeat(20),
      amount: BigInt(1 + Math.floor(r() * 1e12)) * 1_000_000n,
    });
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

const dir = mkdtempSync(join(tmpdir(), 'hoptrace-analysis-'));
const out = { edges, addresses };
try {
  // Through the store's commit path.
  const store = createStore(join(dir, 'store.db'));
  store.bindChain(1, 'bench');
  // Only the writes are timed, not making up the rows.
  let commitMs = 0;
  let n = 0;
  for (const rows of batches(BATCH)) {
    const t0 = performance.now();
    n += store.commit(rows, [{ address: '*', source: 'bench', from: rows[0].blockNumber, to: rows[rows.length - 1].blockNumber }]);
    commitMs += performance.now() - t0;
  }
  out.ingestStore = { rows: n, ms: commitMs, perSecond: n / (commitMs / 1000), batch: BATCH };

  // Raw: same schema, one statement, big transactions, no interval bookkeeping. And the same with the
  // transfers table as a rowid table plus a unique index on its key (a schema alternative, measured so
  // the choice can be made on numbers: rows then append in order instead of landing at random hash keys).
  const rawIngest = (file, alternative) => {
    const raw = openDb(join(dir, file));
    if (alternative) {
      raw.exec(`CREATE TABLE t2 AS SELECT * FROM transfers WHERE 0; DROP TABLE transfers; ALTER TABLE t2 RENAME TO transfers;
        CREATE UNIQUE INDEX transfers_id ON transfers (chain_id, tx_hash, ref);
        CREATE INDEX transfers_from ON transfers (from_addr, block_number);
        CREATE INDEX transfers_to ON transfers (to_addr, block_number);
        CREATE INDEX transfers_block ON transfers (block_number);`);
    }
    const insert = raw.prepare(
      `INSERT OR IGNORE INTO transfers (chain_id, tx_hash, ref, kind, block_number, block_hash, tx_index, from_addr, to_addr, asset, amount)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const many = raw.transaction((rows) => {
      for (const x of rows) insert.run(x.chainId, x.txHash, x.ref, x.kind, x.blockNumber, x.blockHash, x.txIndex, x.from, x.to, x.asset, x.amount.toString());
    });
    let ms = 0;
    let m = 0;
    for (const rows of batches(100_000)) {
      const t0 = performance.now();
      many(rows);
      ms += performance.now() - t0;
      m += rows.length;
    }
    raw.close();
    return { rows: m, ms, perSecond: m / (ms / 1000) };
  };
  out.ingestRaw = rawIngest('raw.db', false);
  out.ingestRawRowid = rawIngest('raw-rowid.db', true);

  // Load into graphology.
  let t = performance.now();
  const g = new Graph.MultiDirectedGraph();
  // Rows as arrays and edge keys of our own: graphology's generated keys and row objects cost a third more.
  const rows = store.db.prepare(`SELECT from_addr, to_addr, amount, block_number FROM transfers`).raw().all();
  const readMs = performance.now() - t;
  let key = 0;
  for (const [from, to, amount, block] of rows) {
    g.mergeNode(from);
    g.mergeNode(to);
    g.addEdgeWithKey(key++, from, to, { amount, block });
  }
  rows.length = 0;
  const loadMs = performance.now() - t;
  out.load = { ms: loadMs, readMs, nodes: g.order, edges: g.size };
  store.close();

  // Paths.
  const r = rng(11);
  const seeds = Array.from({ length: SOURCES }, (_, i) => addr(i * 7));
  t = performance.now();
  let reached = 0;
  for (const s of seeds) reached += Object.keys(singleSourceLength(g, s)).length;
  const bfsMs = performance.now() - t;
  t = performance.now();
  let found = 0;
  for (let i = 0; i < TARGETS; i++) {
    const target = addr(Math.floor(r() * addresses));
    if (g.hasNode(target) && bidirectional(g, seeds[i % SOURCES], target)) found++;
  }
  const biMs = performance.now() - t;
  out.paths = { sources: SOURCES, reachedTotal: reached, bfsMs, targets: TARGETS, found, bidirectionalMs: biMs };

  if (ATTRIBUTE) {
    t = performance.now();
    ATTRIBUTE(g, seeds);
    out.attribution = { ms: performance.now() - t };
  } else {
    out.attribution = null;
  }
  out.analysisMs = loadMs + bfsMs + biMs + (out.attribution?.ms ?? 0);
  out.peakRssMiB = peakRssMiB();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(out) + '\n');
