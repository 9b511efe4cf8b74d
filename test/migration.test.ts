/**
 * The schema step to integer ids (schema 7) on a database the release before it wrote:
 * test/fixtures/schema6/schema6.db (two demo runs, user labels, a learned deposit, a nonce; made by
 * make.sh beside it with the release at 53843b3), with the report and export outputs that release gave
 * for it. Every row of every table is compared with what the old file held (read with plain
 * better-sqlite3), and the built CLI (run `npm run build` first) must give the same bytes from the
 * upgraded file. A reading open of the old file refuses, and leaves it as it was.
 */
import Database from 'better-sqlite3';
import { copyFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import graphology from 'graphology';
import gexf from 'graphology-gexf';
import graphml from 'graphology-graphml';
import { fromDot } from 'ts-graphviz';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/store/schema.js';
import { REPORT_SCHEMA_VERSION } from '../src/trace/result.js';
import { createStore, readStoreIfExists } from '../src/store/store.js';
import type { Transfer } from '../src/types.js';
import { hoptrace } from './helpers/cli.js';
import { tempDb } from './helpers/trace.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'schema6');
const OLD_VERSION = 6;

type Rows = Record<string, unknown>[];

/** Every table of the schema-6 file with its rows in a fixed order (the transfers by their identity). */
const ORDER: Record<string, string> = {
  meta: 'key',
  transfers: 'chain_id, tx_hash, ref',
  intervals: 'chain_id, address, source, from_block',
  blocks: 'chain_id, number',
  tokens: 'chain_id, address',
  user_labels: 'address, chain',
  deposit_addresses: 'chain_id, address',
  account_nonces: 'chain_id, address',
  trace_runs: 'id',
  trace_run_edges: 'run_id, tx_hash, ref',
  sqlite_sequence: 'name',
};

function dump(path: string): Record<string, Rows> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(Object.entries(ORDER).map(([t, order]) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY ${order}`).all() as Rows]));
  } finally {
    db.close();
  }
}

/**
 * Where `old` is not inside `now`: every key of an object of `old` with the same value in `now` (arrays
 * element by element, of the same length); `now` may hold more keys. The JSON paths that differ.
 */
function containedIn(old: unknown, now: unknown, at = '$'): string[] {
  if (Array.isArray(old)) {
    if (!Array.isArray(now) || now.length !== old.length) return [`${at}: ${JSON.stringify(now)?.slice(0, 80)}`];
    return old.flatMap((x, i) => containedIn(x, now[i], `${at}[${i}]`));
  }
  if (old !== null && typeof old === 'object') {
    if (now === null || typeof now !== 'object') return [at];
    return Object.entries(old).flatMap(([k, v]) => containedIn(v, (now as Record<string, unknown>)[k], `${at}.${k}`));
  }
  return old === now ? [] : [`${at}: ${JSON.stringify(old)} ≠ ${JSON.stringify(now)}`];
}

/** The rows of `now` with the columns of `old` only (by name): what the old release's readers see. */
function csvProjection(now: string, old: string): Record<string, string>[] {
  const columns = Object.keys((parseCsv(old, { columns: true }) as Record<string, string>[])[0] ?? {});
  return (parseCsv(now, { columns: true }) as Record<string, string>[]).map((r) => Object.fromEntries(columns.map((c) => [c, r[c]!])));
}

type Attrs = Record<string, unknown>;
/** A graph export as nodes and edges with their attributes, read with a parser we did not write (the DOT as text: its lines). */
function readGraph(file: string, doc: string): { nodes: [string, Attrs][]; edges: [string, string, string, Attrs][] } {
  const { MultiDirectedGraph } = graphology;
  if (file.endsWith('.dot')) {
    const g = fromDot(doc);
    const attrs = (m: { attributes: { values: readonly (readonly [unknown, unknown])[] } }): Attrs => Object.fromEntries(m.attributes.values.map(([k, v]) => [String(k), v]));
    return {
      nodes: g.nodes.map((n) => [n.id, attrs(n)]),
      edges: g.edges.map((e) => {
        const [from, to] = e.targets.map((x) => (x as { id: string }).id);
        return [String(attrs(e).key), from!, to!, attrs(e)];
      }),
    };
  }
  const g = file.endsWith('.gexf') ? gexf.parse(MultiDirectedGraph, doc) : graphml.parse(MultiDirectedGraph, doc);
  return { nodes: g.mapNodes((id, a) => [id, a]), edges: g.mapEdges((k, a, from, to) => [k, from, to, a]) };
}

/** Nodes by id and edges by key with their attributes, sorted: how an old export compares. */
function graphSummary(file: string, doc: string): { nodes: [string, Attrs][]; edges: [string, string, string, Attrs][] } {
  const g = readGraph(file, doc);
  return { nodes: [...g.nodes].sort((a, b) => a[0].localeCompare(b[0])), edges: [...g.edges].sort((a, b) => a[0].localeCompare(b[0])) };
}

/** A new export in the old one's terms: nodes by their address (ids are `eip155:<chain>:<address>` now), the old attributes only. */
function graphProjection(file: string, now: string, old: string): ReturnType<typeof graphSummary> {
  const before = readGraph(file, old);
  const nodeKeys = new Set(before.nodes.flatMap(([, a]) => Object.keys(a)));
  const edgeKeys = new Set(before.edges.flatMap(([, , , a]) => Object.keys(a)));
  const pick = (a: Attrs, keys: Set<string>): Attrs => Object.fromEntries(Object.entries(a).filter(([k]) => keys.has(k)));
  const g = readGraph(file, now);
  const address = new Map(g.nodes.map(([id, a]) => [id, String(a.address)]));
  for (const [id, a] of g.nodes) if (id !== `eip155:${String(a.chainId)}:${String(a.address)}`) throw new Error(`node ${id} is not keyed by its chain and address`);
  return {
    nodes: g.nodes.map(([id, a]): [string, Attrs] => [address.get(id)!, pick(a, nodeKeys)]).sort((a, b) => a[0].localeCompare(b[0])),
    edges: g.edges.map(([k, from, to, a]): [string, string, string, Attrs] => [k, address.get(from)!, address.get(to)!, pick(a, edgeKeys)]).sort((a, b) => a[0].localeCompare(b[0])),
  };
}

/**
 * An HTML report without its scripts, its style sheet and the policy that names the script's hash (all
 * three grew for runs across chains): the content of the page, which must be the old one's.
 */
function withoutScripts(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '<script/>')
    .replace(/<style>[\s\S]*?<\/style>/, '<style/>')
    .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
}

/**
 * What a report says since venues were defined (report/attribution.ts VENUE_DEFINITION), taken out of a
 * new output to compare it with the old release's: the `venues reached` count (text, Markdown, HTML
 * summary row, whose old figure counted a labelled bridge) and the mark on a labelled bridge's row.
 */
function withoutVenueCount(doc: string): string {
  return doc
    .replace(/^ *venues reached {2}.*\n/m, '')
    .replace(/^Venues reached: .*\.\n\n/m, '')
    .replace(/^ *bridge entered: a crossing or an exit, not counted as a venue\n/gm, '')
    .replace(/ \(bridge entered: a crossing or an exit, not counted as a venue\)/g, '')
    .replace(/<br><small class="not-venue">bridge entered: a crossing or an exit, not counted as a venue<\/small>/g, '')
    .replace(/<tr><th>venues reached<\/th><td>.*?<\/td><\/tr>/, '<tr><th>venues reached</th><td/></tr>');
}

/** A graph node of the old release in today's words: a labelled bridge's node has role `bridge`, no longer `venue` (VENUE_DEFINITION). */
function bridgeRole(a: Attrs): Attrs {
  if (a.category !== 'bridge' || a.role !== 'venue') return a;
  // The DOT colours a node by its role: a bridge's colour.
  return { ...a, role: 'bridge', ...('fillcolor' in a ? { fillcolor: '#17becf' } : {}) };
}

function copyFixture(): string {
  const path = tempDb('old.db');
  copyFileSync(join(FIXTURE, 'schema6.db'), path);
  return path;
}

/** A stored movement as the old table's row. */
const asRow = (t: Transfer): Record<string, unknown> => ({
  chain_id: t.chainId, tx_hash: t.txHash, ref: t.ref, kind: t.kind, block_number: t.blockNumber, block_hash: t.blockHash,
  tx_index: t.txIndex, from_addr: t.from, to_addr: t.to, asset: t.asset, amount: t.amount.toString(),
});
const byIdentity = (a: Record<string, unknown>, b: Record<string, unknown>): number =>
  `${a['tx_hash']} ${a['ref']}` < `${b['tx_hash']} ${b['ref']}` ? -1 : 1;

describe('schema 6 → 7 (integer ids)', () => {
  it('the fixture is what the release before wrote: schema 6, every table with rows', () => {
    const old = dump(join(FIXTURE, 'schema6.db'));
    for (const [table, rows] of Object.entries(old)) expect(rows.length, table).toBeGreaterThan(0);
    const db = new Database(join(FIXTURE, 'schema6.db'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(OLD_VERSION);
    db.close();
  });

  it('a reading open refuses the old file in one sentence and leaves it unchanged', () => {
    const path = copyFixture();
    const before = readFileSync(path);
    expect(() => createStore(path, { readonly: true })).toThrow(
      /was written by an older hoptrace \(schema 6, this one uses \d+\); a reading command does not upgrade it\.$/,
    );
    expect(() => readStoreIfExists(path, null, (s) => s.transferCount())).toThrow(/a reading command does not upgrade it/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('a writing open carries every row of every table forward', () => {
    const path = copyFixture();
    const old = dump(path);
    const store = createStore(path);
    try {
      expect(store.schemaVersion()).toBe(MIGRATIONS.length);
      // Through the store's reads: the same movements, from every address, both ways, by identity.
      const oldTransfers = old['transfers']!;
      expect([...store.transfersInRange(0, Number.MAX_SAFE_INTEGER)].map(asRow).sort(byIdentity)).toEqual([...oldTransfers].sort(byIdentity));
      expect(store.transferCount()).toBe(oldTransfers.length);
      const addresses = new Set(oldTransfers.flatMap((r) => [r['from_addr'] as string, r['to_addr'] as string]));
      for (const a of addresses) {
        for (const side of ['from', 'to'] as const) {
          const want = oldTransfers
            .filter((r) => r[`${side}_addr`] === a)
            .sort((x, y) => (x['block_number'] as number) - (y['block_number'] as number) || (x['tx_index'] as number) - (y['tx_index'] as number) || ((x['ref'] as string) < (y['ref'] as string) ? -1 : 1));
          expect(store.transfersOf(a, side, 0, Number.MAX_SAFE_INTEGER).map(asRow), `${side} ${a}`).toEqual(want);
        }
      }
      for (const r of oldTransfers) {
        expect(store.hasTransfer(r['tx_hash'] as string, r['ref'] as string)).toBe(true);
        expect(asRow(store.transfer(r['tx_hash'] as string, r['ref'] as string)!)).toEqual(r);
      }
      // The same movements by integer ids, named back.
      const { addresses: names, assets } = store.names();
      const byIds = [...store.transferIdsInRange(0, Number.MAX_SAFE_INTEGER)].map(([tx, ref, kind, blockNumber, txIndex, from, to, asset, amount]) => ({
        chain_id: 31337, tx_hash: store.txHash(tx), ref, kind, block_number: blockNumber, tx_index: txIndex,
        from_addr: names[from], to_addr: names[to], asset: assets[asset], amount,
      }));
      // An id row carries no block hash.
      expect(byIds.sort(byIdentity)).toEqual(oldTransfers.map(({ block_hash: _h, ...r }) => r).sort(byIdentity));
      expect(store.txHash(1_000_000)).toBeNull();
      const wraps = [...new Set(oldTransfers.filter((r) => r['kind'] === 'wrap' || r['kind'] === 'unwrap').map((r) => r['asset']))].sort();
      expect(store.wrapAssets()).toEqual(wraps);
    } finally {
      store.close();
    }
    // Table by table, as plain SQLite reads the file: transfers through the view of the old columns.
    const now = dump(path);
    // trace_run_edges gained each movement's chain (migration 11): an old run's edges are of its own chain.
    const runChain = new Map(old['trace_runs']!.map((r) => [r['id'], r['chain_id']]));
    const upgraded: Record<string, Rows> = { ...old, trace_run_edges: old['trace_run_edges']!.map((e) => ({ ...e, chain_id: runChain.get(e['run_id']) })) };
    expect(upgraded['trace_run_edges']!.length).toBeGreaterThan(0);
    for (const table of Object.keys(ORDER)) expect(now[table], table).toEqual(upgraded[table]);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      // The id tables hold each text once, and nothing a movement does not use.
      const count = (sql: string): number => db.prepare(sql).pluck().get() as number;
      expect(count(`SELECT COUNT(*) FROM txs`)).toBe(new Set(old['transfers']!.map((r) => r['tx_hash'])).size);
      expect(count(`SELECT COUNT(*) FROM addresses`)).toBe(new Set(old['transfers']!.flatMap((r) => [r['from_addr'], r['to_addr']])).size);
      expect(count(`SELECT COUNT(*) FROM assets`)).toBe(new Set(old['transfers']!.map((r) => r['asset'])).size);
    } finally {
      db.close();
    }
  });

  it('report and export of the stored runs give the old release\'s bytes after the upgrade', async () => {
    const path = copyFixture();
    // The upgrade the refusal tells a user to make; a second one has nothing left to do.
    const up = await hoptrace(['upgrade', '--db', path]);
    expect(up.code).toBe(0);
    expect(up.stdout).toBe(`database ${path} upgraded from schema 6 to ${MIGRATIONS.length}.\n`);
    const again = await hoptrace(['upgrade', '--db', path]);
    expect(again.stdout).toMatch(/nothing to upgrade/);
    const out = dirname(path);
    // generatedAt is the time of rendering: the only line that may differ.
    const timeless = (s: string): string => s.replace(/("generatedAt": |generated\s+|<th>generated<\/th><td class="mono wrap">)"?\d{4}-\d\d-\d\dT[\d:.]+Z"?/g, '$1<time>');
    // The manifest names the database's schema: the old outputs said 6, the upgraded file is the new one.
    // And the report schema this release writes (3: runs across chains).
    const upgraded = (s: string): string =>
      s
        .replace(/database schema 6\)/g, `database schema ${MIGRATIONS.length})`)
        .replace(/"databaseSchemaVersion": 6,/g, `"databaseSchemaVersion": ${MIGRATIONS.length},`)
        .replace(/report schema 2,/g, `report schema ${REPORT_SCHEMA_VERSION},`)
        .replace(/"(schemaVersion|reportSchemaVersion)": 2,/g, `"$1": ${REPORT_SCHEMA_VERSION},`)
        // Today's words for what the old text counted (attribution.ts VENUE_DEFINITION): hits of kind venue
        // are venue hits, and the figure at venues takes in the labelled bridges' rows.
        .replace(/( hits? \()(\d+) venues?, /, (_m: string, head: string, n: string) => `${head}${n} venue hit${n === '1' ? '' : 's'}, `)
        .replace(/= at venues \+ not at a venue/, '= at venues and labelled bridges + not at a venue')
        .replace(/\(each seed alone\): at venues \/ still/, '(each seed alone): at venues and labelled bridges / still');
    const outputs: [string, string[]][] = [
      ...['text', 'md', 'html', 'json', 'csv'].map((f): [string, string[]] => [`report-1.${f}`, ['report', '--run', '1', '--format', f, '--no-color']]),
      ...['text', 'md', 'json', 'csv'].map((f): [string, string[]] => [`report-2.${f}`, ['report', '--run', '2', '--format', f, '--no-color']]),
      ...['gexf', 'graphml', 'dot', 'csv'].map((f): [string, string[]] => [`export-1.${f}`, ['export', '--run', '1', '--format', f]]),
    ];
    for (const [file, args] of outputs) {
      const r = await hoptrace([...args, '--db', path, '-o', join(out, file)]);
      expect(r.code, `${file}: ${r.stderr}`).toBe(0);
      const now = timeless(readFileSync(join(out, file), 'utf8'));
      const then = upgraded(timeless(readFileSync(join(FIXTURE, file), 'utf8')));
      // Text and Markdown: the old bytes. The formats that gained fields by design since (report schema 3:
      // chains on steps and hits; graph nodes keyed by chain and address, with chain attributes; chain
      // columns in the CSVs): everything the old release wrote is still there with the same value.
      const parsed = (doc: string): unknown => JSON.parse(doc.replace(/<time>/g, '"<time>"')); // timeless took its quotes
      const old = (doc: string): unknown => {
        const d = parsed(doc) as { graph?: { nodes?: Attrs[] } };
        if (d.graph?.nodes) d.graph.nodes = d.graph.nodes.map(bridgeRole);
        return d;
      };
      if (file.endsWith('.json')) expect(containedIn(old(then), parsed(now)), file).toEqual([]);
      else if (file.endsWith('.csv')) {
        // The edge CSV names each end's role: a labelled bridge's is `bridge` now (bridgeRole).
        const bridges = new Set(((parsed(timeless(readFileSync(join(FIXTURE, 'report-1.json'), 'utf8'))) as { attribution: { venues: Attrs[] } }).attribution.venues)
          .filter((v) => v.category === 'bridge').map((v) => String(v.address)));
        const role = (r: Record<string, string>, end: 'from' | 'to'): string => (bridges.has(r[end]!) && r[`${end}_role`] === 'venue' ? 'bridge' : r[`${end}_role`]!);
        const before = (parseCsv(then, { columns: true }) as Record<string, string>[]).map((r) => ('to_role' in r ? { ...r, from_role: role(r, 'from'), to_role: role(r, 'to') } : r));
        expect(csvProjection(now, then), file).toEqual(before);
      }
      else if (file.startsWith('export-1.')) {
        const before = graphSummary(file, then);
        expect(graphProjection(file, now, then), file).toEqual({ ...before, nodes: before.nodes.map(([id, a]) => [id, bridgeRole(a)]) });
      }
      else if (file.endsWith('.html')) expect(withoutVenueCount(withoutScripts(now)), file).toBe(withoutVenueCount(withoutScripts(then)));
      else expect(withoutVenueCount(now), file).toBe(then);
    }
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });
});

describe('schema 7 → 8 (transactions by key)', () => {
  it('txs keeps every id and hash, indexed by key alone; the view writes each hash once, and the store finds what it wrote', () => {
    const path = copyFixture();
    const old = dump(path);
    createStore(path).close();
    const db = new Database(path);
    let existing: string;
    try {
      const indexes = db.pragma('index_list(txs)') as { name: string; unique: number }[];
      expect(indexes.map((i) => [i.name, i.unique])).toEqual([['txs_key', 0]]);
      const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM txs WHERE key = substr(?, 3, 12) AND hash = ?`).all('0x', '0x') as { detail: string }[])
        .map((r) => r.detail).join('\n');
      expect(plan).toMatch(/SEARCH txs USING INDEX txs_key \(key=\?\)/);
      const hashes = db.prepare(`SELECT hash FROM txs`).pluck().all() as string[];
      expect(new Set(hashes).size).toBe(hashes.length);
      expect(hashes.sort()).toEqual([...new Set(old['transfers']!.map((r) => r['tx_hash'] as string))].sort());
      // Writes through the view (a user with sqlite3): a known hash gets no second row, a hash sharing
      // only its key gets its own.
      existing = hashes[0]!;
      const row = old['transfers']!.find((r) => r['tx_hash'] === existing)!;
      const insert = db.prepare(`INSERT INTO transfers VALUES (@chain_id, @tx_hash, @ref, @kind, @block_number, @block_hash, @tx_index, @from_addr, @to_addr, @asset, @amount)`);
      insert.run({ ...row, ref: 'log:990' });
      insert.run({ ...row, tx_hash: `${existing.slice(0, 14)}${'0'.repeat(52)}`, ref: 'log:991' });
      expect(db.prepare(`SELECT COUNT(*) FROM txs`).pluck().get()).toBe(hashes.length + 1);
      db.prepare(`DELETE FROM transfers WHERE tx_hash = ? AND ref = ?`).run(existing, 'log:990');
      expect(db.prepare(`SELECT COUNT(*) FROM transfers WHERE tx_hash = ?`).pluck().get(existing)).toBe(old['transfers']!.filter((r) => r['tx_hash'] === existing).length);
    } finally {
      db.close();
    }
    const store = createStore(path);
    try {
      const collider = `${existing.slice(0, 14)}${'0'.repeat(52)}`;
      expect(store.hasTransfer(collider, 'log:991')).toBe(true);
      const t = store.transfer(collider, 'log:991')!;
      expect(store.commit([{ ...t, ref: 'log:992' }, { ...t, txHash: existing as Transfer['txHash'], ref: 'log:993' }], [])).toBe(2);
      expect(store.transfer(existing, 'log:993')?.txHash).toBe(existing);
    } finally {
      store.close();
    }
    const after = new Database(path, { readonly: true });
    try {
      const hashes = after.prepare(`SELECT hash FROM txs`).pluck().all() as string[];
      expect(new Set(hashes).size).toBe(hashes.length);
    } finally {
      after.close();
    }
  });
});
