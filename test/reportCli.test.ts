/**
 * report / export / path / verify end to end, through the built CLI, on a real anvil chain: a seed and a
 * clean source pay one mixing address, which pays Binance and then Garantex (real labelled addresses);
 * the seed's token, whose symbol is an HTML payload, reaches a venue the user labelled with another one.
 * Run `npm run build` first (npm test does).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Wallet } from 'ethers';
import graphology from 'graphology';
import gexf from 'graphology-gexf';
import graphml from 'graphology-graphml';
import { parse as parseCsv } from 'csv-parse/sync';
import { fromDot } from 'ts-graphviz';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import { openDb } from '../src/store/open.js';
import { MIGRATIONS } from '../src/store/schema.js';
import { chromiumMissing, dumpDom } from './helpers/chromium.js';
import { hoptrace } from './helpers/cli.js';
import { startProxy } from './helpers/proxy.js';
import { lazarus, tempDb, venue } from './helpers/trace.js';
import { REPORT_SCHEMA_VERSION } from '../src/trace/result.js';

const ETH = 10n ** 18n;
const SEED = lazarus('bybit', 1)[0]!;
const CLEAN = Wallet.createRandom().address.toLowerCase();
const MIX = Wallet.createRandom().address.toLowerCase();
const EVIL_VENUE = Wallet.createRandom().address.toLowerCase();
const BINANCE = venue('Binance')[0]!.address;
const GARANTEX = venue('Garantex')[0]!.address;
const EVIL_ENTITY = `<img src=x onerror="document.body.setAttribute('data-pwned','img')"></script><script>document.body.setAttribute('data-pwned','script')</script>`;
// Labels with control or invisible characters are refused on input; a token symbol comes from the chain as is.
const EVIL_SYMBOL = `</script><script>document.title='PWNED'</script>\u202eXE`;

let anvil: AnvilHandle;
let db: string;
let dir: string;
let token: string;
let reportJson: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON documents, read field by field
type Json = Record<string, any>;

beforeAll(async () => {
  anvil = await startAnvil({ genesisTimestamp: Date.parse('2025-03-01T00:00:00Z') / 1000 });
  const s = createScenario(anvil.url);
  for (const a of [SEED, CLEAN, MIX]) await s.fund(a, 1_000n * ETH);
  token = (await s.deploy('TestToken', ['Evil (fixture)', EVIL_SYMBOL, 6])).address;
  await s.mintToken(token, SEED, 1_000n);
  // The mixing address: 30 clean first, then 10 tainted; 20 out to Binance, then 20 to Garantex.
  await s.sendEth(CLEAN, MIX, 30n * ETH);
  await s.sendEth(SEED, MIX, 10n * ETH);
  await s.sendEth(MIX, BINANCE, 20n * ETH);
  await s.sendEth(MIX, GARANTEX, 20n * ETH);
  await s.tokenTransfer(token, SEED, MIX, 1_000n);
  await s.tokenTransfer(token, MIX, EVIL_VENUE, 1_000n);
  await s.mine(2);
  db = tempDb('report.db');
  dir = dirname(db);
  const label = await hoptrace(['labels', 'add', EVIL_VENUE, '--entity', EVIL_ENTITY, '--category', 'exchange', '--source', 'test fixture', '--db', db]);
  expect(label.code, label.stderr).toBe(0);
  // Block scans read every movement of the range, the clean inflow of the mixing address among them.
  const t = await hoptrace(['trace', SEED, '--rpc', anvil.url, '--db', db, '--strategy', 'block', '--hops', '3', '--labels-chain', 'ethereum', '--json']);
  expect(t.code, t.stderr).toBe(0);
  const r = await hoptrace(['report', '--db', db, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  reportJson = r.stdout;
  writeFileSync(join(dir, 'report.json'), reportJson);
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

const venueOf = (doc: Json, address: string): Json => (doc.attribution.venues as Json[]).find((v) => v.address === address)!;

describe('hoptrace report from the database alone', () => {
  it('attributes the mixing address three ways: Binance poison and haircut only, Garantex all three', () => {
    const doc = JSON.parse(reportJson) as Json;
    expect(venueOf(doc, BINANCE).amounts).toEqual({ poison: { native: String(20n * ETH) }, haircut: { native: String(5n * ETH) }, fifo: {} });
    expect(venueOf(doc, BINANCE).strength).toBe('two models');
    expect(venueOf(doc, GARANTEX).amounts).toEqual({
      poison: { native: String(20n * ETH) },
      haircut: { native: String(5n * ETH) },
      fifo: { native: String(10n * ETH) },
    });
    expect(venueOf(doc, GARANTEX)).toMatchObject({ strength: 'all models', hops: 2, arrivals: 1, risk: 'sanctioned' });
    expect(venueOf(doc, EVIL_VENUE).amounts.fifo).toEqual({ [token]: '1000' });
    expect(doc.attribution.seeded.haircut).toEqual({ native: String(10n * ETH), [token]: '1000' });
    // The seed's own account: all of its 10 ETH and 1,000 tokens reached venues under haircut, none left.
    expect(doc.attribution.perSeed).toEqual([
      expect.objectContaining({ seed: SEED, atVenues: expect.objectContaining({ haircut: { native: String(10n * ETH), [token]: '1000' } }) }),
    ]);
    expect(doc.attribution.perSeed[0].frontier.haircut).toEqual({});
  });

  it('says so when hops of the run are no longer stored', async () => {
    const copy = join(dir, 'rolled-back.db');
    copyFileSync(db, copy);
    const conn = openDb(copy);
    const step = (JSON.parse(reportJson) as Json).hits[0].path[0];
    // Through the view of the old columns, whose trigger deletes the row (a view reports no changes itself).
    const stored = conn.prepare(`SELECT COUNT(*) FROM transfers WHERE tx_hash = ? AND ref = ?`).pluck();
    expect(stored.get(step.txHash, step.ref)).toBe(1);
    conn.prepare(`DELETE FROM transfers WHERE tx_hash = ? AND ref = ?`).run(step.txHash, step.ref);
    expect(stored.get(step.txHash, step.ref)).toBe(0);
    conn.close();
    const r = await hoptrace(['report', '--db', copy, '--format', 'json']);
    expect((JSON.parse(r.stdout) as Json).attribution.notes.join(' ')).toContain('1 hop of this run is no longer in the database');
  });

  it('carries a manifest: versions, run, redacted endpoint, block range, label data hash, parameters', () => {
    const m = (JSON.parse(reportJson) as Json).manifest;
    expect(m).toMatchObject({ tool: { name: 'hoptrace' }, reportSchemaVersion: REPORT_SCHEMA_VERSION, databaseSchemaVersion: MIGRATIONS.length, run: { id: 1 }, chainId: 31337, seeds: [SEED] });
    expect(m.labels.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.labels.sha256.startsWith(m.labels.dataVersion)).toBe(true);
    expect(m.params).toMatchObject({ hops: 3, direction: 'out', stopAtLabels: true });
    expect(m.blockRange.fromBlock).toBe(0);
  });

  it('validates against the report schema, manifest and attribution included', () => {
    const schema = JSON.parse(readFileSync(new URL('../schema/trace-report.schema.json', import.meta.url), 'utf8')) as { $id: string };
    const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    addFormatsModule.default(ajv);
    const validate = ajv.compile(schema);
    const doc = JSON.parse(reportJson) as Json;
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    doc.attribution.venues[0].amounts.haircut = { native: '5.5' };
    expect(validate(doc)).toBe(false);
  });

  it('renders text, Markdown and CSV with the same figures; escapes what labels and symbols carry', async () => {
    const text = await hoptrace(['report', '--db', db, '--no-color']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Attribution');
    expect(text.stdout).toMatch(/fifo\s+10 ETH/);
    expect(text.stdout).not.toContain('\u202e');
    const md = await hoptrace(['report', '--db', db, '--format', 'md']);
    expect(md.stdout).toContain('| Garantex |');
    expect(md.stdout).not.toContain('<img');
    expect(md.stdout).not.toContain('<script>');
    const csv = await hoptrace(['report', '--db', db, '--format', 'csv']);
    const rows = parseCsv(csv.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.venue === GARANTEX && r.model === 'fifo')?.amount).toBe(String(10n * ETH));
    expect(rows.filter((r) => r.venue === BINANCE).map((r) => r.model)).toEqual(['poison', 'haircut']);
  });

  it('selects a run, lists runs, and refuses a run that is not there or a database that is not', async () => {
    expect((await hoptrace(['report', '--db', db, '--list'])).stdout).toMatch(/^1\t/);
    expect((await hoptrace(['report', '--db', db, '--run', '1', '--format', 'json'])).stdout).toContain('"attribution"');
    const none = await hoptrace(['report', '--db', db, '--run', '7']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('holds no trace run 7');
    const missing = await hoptrace(['report', '--db', join(dir, 'nope.db')]);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toContain('does not exist');
    const empty = join(dir, 'empty.db');
    openDb(empty).close();
    expect((await hoptrace(['report', '--db', empty])).stderr).toContain('holds no trace run yet');
  });
});

describe('HTML report in headless Chromium', () => {
  const missing = chromiumMissing();
  it.skipIf(missing !== null)(`renders, draws the graph, and runs no script from labels or symbols${missing ? ` (skipped: ${missing})` : ''}`, async () => {
    const file = join(dir, 'report.html');
    const r = await hoptrace(['report', '--db', db, '--format', 'html', '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=["']?https?:/i); // nothing fetched from a network
    const dom = await dumpDom(file);
    const body = /<body([^>]*)>/.exec(dom)?.[1] ?? '';
    expect(body).toContain('data-graph="drawn"');
    expect(Number(/data-graph-nodes="(\d+)"/.exec(body)?.[1])).toBe(5); // seed, mixing address, Binance, Garantex, the user-labelled venue
    expect(Number(/data-graph-edges="(\d+)"/.exec(body)?.[1])).toBe(5);
    expect(body).not.toContain('data-pwned');
    expect(dom).not.toContain('<title>PWNED');
    expect(dom).toContain('&lt;img src=x onerror=');
    expect(dom).toContain('Garantex');
  });

  it.skipIf(missing !== null)('reads at 1366 and 1920 px: nothing wider than the page, sanctioned venue first, a fitted graph with amounts on its edges', async () => {
    const file = join(dir, 'report.html');
    const r = await hoptrace(['report', '--db', db, '--format', 'html', '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(reportJson) as Json;
    const toGarantex = (doc.hits as Json[]).find((h) => h.address === GARANTEX)!.path[1];
    for (const [width, height] of [[1366, 768], [1920, 1080]] as const) {
      const dom = await dumpDom(file, { width, height });
      const attr = (name: string): string => new RegExp(`<body[^>]* ${name}="([^"]*)"`).exec(dom)?.[1] ?? 'missing';
      expect(attr('data-overflow-x'), `page overflow at ${width} px`).toBe('0');
      expect(attr('data-tables-scrolled'), `tables wider than the page at ${width} px`).toBe('0');
      expect(Number(attr('data-path-row-max')), `path rows at ${width} px`).toBeLessThanOrEqual(48);
      expect(attr('data-graph-crossings'), `edges through labels at ${width} px`).toBe('0');
      // The drawn content fills the view box (padding only), and the element has the view box's proportions.
      const [boxW, boxH, fitW, fitH, shownW, shownH] = attr('data-graph-fit').split(' ').map(Number) as [number, number, number, number, number, number];
      const viewBox = /<svg id="graph"[^>]* viewBox="([^"]+)"/.exec(dom)?.[1]?.split(' ').map(Number);
      expect(viewBox?.slice(2).map(Math.round)).toEqual([fitW, fitH]);
      expect(fitW - boxW).toBeLessThanOrEqual(30);
      expect(fitH - boxH).toBeLessThanOrEqual(30);
      expect(Math.abs(shownW / shownH - fitW / fitH)).toBeLessThan(0.05);
      // The sanctioned venue leads the venue table although Binance was reached first.
      const rows = /<table id="venue-table">[\s\S]*?<\/table>/.exec(dom)?.[0].match(/<tr class="risk-[^"]+">[\s\S]*?<\/tr>/g) ?? [];
      expect(rows).toHaveLength(3);
      expect(rows[0]).toContain('Garantex');
      expect(rows[0]).toContain('risk-sanctioned');
      expect(/<section class="hit [^"]*">\n<h3>[^\n]*/.exec(dom)?.[0]).toContain('Garantex'); // its path comes first too
      // Every edge of the graph says what it carried; the Garantex edge carried 20 ETH.
      const edges = dom.match(/<g class="link"[^>]*>(<path [^>]*><\/path>){2}<title>[^<]*<\/title>/g) ?? [];
      expect(edges).toHaveLength(Number(attr('data-graph-links')));
      for (const e of edges) expect(e).toMatch(/<title>[^<]+: \d[\d,.]* \S/); // an amount, then its asset
      expect(edges.find((e) => e.includes(`Garantex: 20 ETH`))).toContain(toGarantex.txHash);
      // The table of transfers lists every edge; hashes are shown short but held whole (copy, tooltip).
      const edgeRows = /<table id="edge-table">[\s\S]*?<\/table>/.exec(dom)?.[0].match(/<tr><td/g) ?? [];
      expect(edgeRows).toHaveLength(5);
      expect(dom).toContain(`title="${toGarantex.blockHash}"><span class="hx-h">${toGarantex.blockHash.slice(0, -6)}</span><span class="hx-t">${toGarantex.blockHash.slice(-6)}</span>`);
    }
  });
});

describe('hoptrace export', () => {
  const Graph = graphology.MultiDirectedGraph;
  const exported = async (format: string): Promise<string> => {
    const r = await hoptrace(['export', '--db', db, '--format', format]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  /** Nodes with role and label, edges with the evidence and haircut taint: what each format must keep. */
  const expected = (): { nodes: string[]; edges: string[] } => {
    const doc = JSON.parse(reportJson) as Json;
    const binance = venueOf(doc, BINANCE);
    return {
      nodes: [`${BINANCE}|venue|Binance`, `${GARANTEX}|venue|Garantex`, `${SEED}|seed`, `${MIX}|address`, `${EVIL_VENUE}|venue`].sort(),
      edges: [`${MIX}>${BINANCE}|${binance.first.txHash}:trace:|${20n * ETH}|${5n * ETH}`],
    };
  };
  // Graph nodes are keyed by chain and address (eip155:<chain id>:<address>); the CSV names the addresses.
  const addressOf = (id: string): string => id.replace(/^eip155:\d+:/, '');
  const summarise = (keyed: [string, Json][], keyedEdges: [string, string, string, Json][]) => {
    const nodes = keyed.map(([id, a]): [string, Json] => [addressOf(id), a]);
    const edges = keyedEdges.map(([k, s, t, a]): [string, string, string, Json] => [k, addressOf(s), addressOf(t), a]);
    return {
      nodes: nodes.map(([id, a]) => (a.role === 'address' || a.role === 'seed' || id === EVIL_VENUE ? `${id}|${a.role}` : `${id}|${a.role}|${a.label}`)).sort(),
      edges: edges.filter(([, s, t]) => s === MIX && t === BINANCE).map(([k, s, t, a]) => `${s}>${t}|${k}|${a.amount}|${a.taintHaircut}`),
      count: edges.length,
    };
  };

  it('GEXF round-trips through graphology-gexf with nodes, edges and attributes', async () => {
    const g = gexf.parse(Graph, await exported('gexf'));
    const got = summarise(g.mapNodes((id, a) => [id, a]), g.mapEdges((k, a, s, t) => [k, s, t, a]));
    expect(got).toEqual({ ...expected(), count: 5 });
  });
  it('GraphML round-trips through graphology-graphml', async () => {
    const g = graphml.parse(Graph, await exported('graphml'));
    const got = summarise(g.mapNodes((id, a) => [id, a]), g.mapEdges((_k, a, s, t) => [a.txHash + ':' + a.ref, s, t, a]));
    expect(got).toEqual({ ...expected(), count: 5 });
    expect(g.getNodeAttribute(g.findNode((id) => addressOf(id) === GARANTEX)!, 'hop')).toBe(2);
  });
  it('DOT round-trips through ts-graphviz, a hostile label kept inside its quotes', async () => {
    const g = fromDot(await exported('dot'));
    const attrs = (m: { attributes: { values: readonly (readonly [unknown, unknown])[] } }): Json =>
      Object.fromEntries(m.attributes.values.map(([k, v]) => [String(k), v]));
    const got = summarise(
      g.nodes.map((n) => [n.id, attrs(n)]),
      g.edges.map((e) => {
        const a = attrs(e);
        const [s, t] = e.targets.map((x) => (x as { id: string }).id);
        return [a.key, s!, t!, a];
      }),
    );
    expect(got).toEqual({ ...expected(), count: 5 });
    expect(g.nodes.find((n) => addressOf(n.id) === EVIL_VENUE)?.attributes.get('label')).toContain('<img src=x');
  });
  it('CSV is an edge list with both ends and the same attributes', async () => {
    const rows = parseCsv(await exported('csv'), { columns: true }) as Record<string, string>[];
    const edges = rows.map((r) => [`${r.txHash}:${r.ref}`, r.from!, r.to!, r] as [string, string, string, Json]);
    const nodes = new Map<string, Json>();
    for (const r of rows) {
      nodes.set(r.from!, { role: r.from_role, label: r.from_label });
      nodes.set(r.to!, { role: r.to_role, label: r.to_label });
    }
    expect(summarise([...nodes], edges)).toEqual({ ...expected(), count: 5 });
  });
});

describe('hoptrace path', () => {
  it('finds the shortest path to Garantex in the stored graph, in time order', async () => {
    const r = await hoptrace(['path', SEED, GARANTEX, '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Json;
    expect(doc.shortest.addresses).toEqual([SEED, MIX, GARANTEX]);
    expect(doc.shortest.inTimeOrder.map((t: Json) => t.amount)).toEqual([String(10n * ETH), String(20n * ETH)]);
    expect((await hoptrace(['path', SEED, 'nonsense', '--db', db])).code).toBe(2);
  });
});

describe('hoptrace verify', () => {
  const tampered = (name: string, edit: (doc: Json) => void): string => {
    const doc = JSON.parse(reportJson) as Json;
    edit(doc);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(doc, null, 2));
    return file;
  };
  const garantexStep = (doc: Json): Json => (doc.hits as Json[]).find((h) => h.address === GARANTEX)!.path[1];

  it('holds on the report as written', async () => {
    const r = await hoptrace(['verify', join(dir, 'report.json'), '--rpc', anvil.url]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/(\d+) of \1 hops hold on chain 31337/);
    expect(r.stdout).not.toContain('FAILS');
    // The endpoint from $ETH_RPC_URL when $HOPTRACE_RPC_URL is empty, as for trace.
    const fromEnv = await hoptrace(['verify', join(dir, 'report.json')], { HOPTRACE_RPC_URL: '', ETH_RPC_URL: anvil.url });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
  });
  it('fails a hand-edited amount, tx hash or block hash, says why, and exits 1', async () => {
    const amount = tampered('amount', (d) => void (garantexStep(d).amount = String(21n * ETH)));
    const tx = tampered('tx', (d) => void (garantexStep(d).txHash = '0x' + 'ab'.repeat(32)));
    const block = tampered('block', (d) => void (garantexStep(d).blockHash = '0x' + 'cd'.repeat(32)));
    const results = await Promise.all([amount, tx, block].map((f) => hoptrace(['verify', f, '--rpc', anvil.url])));
    for (const r of results) expect(r.code).toBe(1);
    expect(results[0]!.stdout).toContain(`amount is ${20n * ETH}, the report says ${21n * ETH}`);
    expect(results[1]!.stdout).toContain('does not know transaction 0xabab');
    expect(results[2]!.stdout).toMatch(/block \d+ has hash 0x[0-9a-f]{64} on this node, the report says 0xcdcd/);
    expect(results[0]!.stdout.match(/^holds /gm)?.length).toBeGreaterThan(0); // the other hops still hold
  });
  it('refuses a malformed report with exit 2, and keeps the endpoint redacted', async () => {
    const notJson = join(dir, 'bad.json');
    writeFileSync(notJson, '{ nope');
    expect((await hoptrace(['verify', notJson, '--rpc', anvil.url])).code).toBe(2);
    const badAmount = tampered('bad-amount', (d) => void (garantexStep(d).amount = 'lots'));
    const r = await hoptrace(['verify', badAmount, '--rpc', anvil.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/report\.hits\[\d+\]\.path\[\d+\]\.amount is the string "lots", expected a decimal string/);
    const escape = tampered('escape', (d) => void (garantexStep(d).blockHash = '\u001b]0;owned\u0007\u001b[31m0xred'));
    const esc = await hoptrace(['verify', escape, '--rpc', anvil.url]);
    expect(esc.code).toBe(1);
    expect(esc.stdout).toContain('the report says ]0;owned');
    expect(esc.stdout).not.toContain('\u001b');
    copyFileSync(join(dir, 'report.json'), join(dir, 'copy.json'));
    const keyed = await hoptrace(['verify', join(dir, 'copy.json'), '--rpc', `${anvil.url}/v2/SECRETKEY123456789`]);
    expect(keyed.stdout + keyed.stderr).not.toContain('SECRETKEY123456789');
  });
  it('says in one sentence why a report or a named endpoint is refused, in the words trace and diff use', async () => {
    const missing = await hoptrace(['verify', join(dir, 'no-such-report.json'), '--rpc', anvil.url]);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toMatch(/^hoptrace: report .*no-such-report\.json does not exist\.$/m);
    // A directory cannot be read: said so (as diff does), not "is not JSON (EISDIR: …)".
    const folder = await hoptrace(['verify', dir, '--rpc', anvil.url]);
    expect(folder).toMatchObject({ code: 2 });
    expect(folder.stderr).toMatch(/^hoptrace: report .* cannot be read \(EISDIR\)\.$/m);
    expect(folder.stderr).not.toContain('is not JSON');
    // An endpoint named for a chain it does not serve: trace's sentence and hint.
    const named = await hoptrace(['verify', join(dir, 'report.json'), '--rpc', `bsc=${anvil.url}`]);
    expect(named).toMatchObject({ code: 2 });
    expect(named.stderr).toMatch(/^hoptrace: --rpc bsc=http:\/\/127\.0\.0\.1:\d+\/? serves chain 31337, not bsc \(chain 56\)\.\n {2}hint: name each endpoint by the chain it serves/m);
  });
  it('asks again for a receipt whose logs a provider stripped, and ends in one sentence if it keeps doing so', async () => {
    const flaky = await startProxy(anvil.url, { faults: { rate: 0.5, seed: 7, kinds: ['missing-logs'], methods: ['eth_getTransactionReceipt'] } });
    const broken = await startProxy(anvil.url);
    broken.inject('missing-logs', { times: 1_000, method: 'eth_getTransactionReceipt' });
    try {
      const held = await hoptrace(['verify', join(dir, 'report.json'), '--rpc', flaky.url]);
      expect(held.code, held.stdout + held.stderr).toBe(0);
      expect(held.stdout).not.toContain('FAILS');
      expect(flaky.served['missing-logs'] ?? 0).toBeGreaterThan(0); // seeded: the same receipts are stripped every run
      const r = await hoptrace(['verify', join(dir, 'report.json'), '--rpc', broken.url]);
      expect(r.code).toBe(1);
      expect(r.stdout).not.toContain('FAILS');
      expect(r.stderr).not.toContain('internal error');
      expect(r.stderr).toMatch(/^hoptrace: eth_getTransactionReceipt at http:\/\/127\.0\.0\.1:\d+ gave an inconsistent answer 4 times in a row \(eth_getTransactionReceipt returned a receipt whose logs are missing although its bloom is set/m);
    } finally {
      await Promise.all([flaky.stop(), broken.stop()]);
    }
  });
});
