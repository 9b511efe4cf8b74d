/**
 * One traced graph for every output, main paths by value and token metadata, end to end through the
 * built CLI on real anvil nodes: the demo chain (fixtures/demo-chain.md), and a chain with a USDT-like
 * token and a contract that logs a Transfer but does not answer decimals(). Each export is read back with
 * a parser nobody here wrote (graphology-gexf, graphology-graphml, ts-graphviz, csv-parse); all of them,
 * the HTML graph data and the JSON report must have exactly the node and edge sets the walk recorded.
 * Run `npm run build` first (npm test does).
 */
import { copyFileSync, readFileSync } from 'node:fs';
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
import { DEMO_ADDRESSES as D, DEMO_CHAIN_ID, DEMO_EXPECTED } from '../src/devchain/demo.js';
import { createScenario } from '../src/devchain/scenario.js';
import { openDb } from '../src/store/open.js';
import { hoptrace } from './helpers/cli.js';
import { tempDb } from './helpers/trace.js';

const { MultiDirectedGraph } = graphology;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON documents, read field by field
type Json = Record<string, any>;

/** Node and edge sets of one output: addresses (lower case) and `<txHash>:<ref>` keys. */
interface Sets {
  nodes: string[];
  edges: string[];
}
const sorted = (nodes: Iterable<string>, edges: Iterable<string>): Sets => ({ nodes: [...new Set(nodes)].sort(), edges: [...new Set(edges)].sort() });

/** The walk's own record of the latest run: trace_run_edges joined to the transfers, plus the seeds. */
function walkRecord(db: string, seeds: string[]): Sets {
  const conn = openDb(db);
  try {
    const rows = conn
      .prepare(
        `SELECT e.tx_hash, e.ref, t.from_addr, t.to_addr FROM trace_run_edges e
         JOIN transfers t ON t.tx_hash = e.tx_hash AND t.ref = e.ref
         WHERE e.run_id = (SELECT MAX(id) FROM trace_runs)`,
      )
      .all() as { tx_hash: string; ref: string; from_addr: string; to_addr: string }[];
    return sorted([...seeds, ...rows.flatMap((r) => [r.from_addr, r.to_addr])], rows.map((r) => `${r.tx_hash}:${r.ref}`));
  } finally {
    conn.close();
  }
}

async function out(args: string[]): Promise<string> {
  const r = await hoptrace(args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The address of a node whose id is `eip155:<chain id>:<address>`; throws when the id is not that key of its address. */
function caipAddress(id: string, address: string): string {
  if (id !== `eip155:${DEMO_CHAIN_ID}:${address}`) throw new Error(`node ${id} is not keyed by chain and address ${address}`);
  return address;
}

/** Every output's node and edge sets, each read with its own parser. */
async function everyFormat(db: string): Promise<Record<string, Sets>> {
  const g1 = gexf.parse(MultiDirectedGraph, await out(['export', '--db', db, '--format', 'gexf']));
  const g2 = graphml.parse(MultiDirectedGraph, await out(['export', '--db', db, '--format', 'graphml']));
  const dot = fromDot(await out(['export', '--db', db, '--format', 'dot']));
  const csv = parseCsv(await out(['export', '--db', db, '--format', 'csv']), { columns: true }) as Record<string, string>[];
  const html = await out(['report', '--db', db, '--format', 'html']);
  const data = JSON.parse(/<script type="application\/json" id="graph-data">([^<]*)<\/script>/.exec(html)![1]!) as Json;
  const json = JSON.parse(await out(['report', '--db', db, '--format', 'json'])) as Json;
  return {
    // Nodes are keyed by chain and address (eip155:<chain id>:<address>); the sets compare their addresses.
    gexf: sorted(g1.mapNodes((id, a) => caipAddress(id, a.address as string)), g1.mapEdges((_k, a) => `${a.txHash}:${a.ref}`)),
    graphml: sorted(g2.mapNodes((id, a) => caipAddress(id, a.address as string)), g2.mapEdges((_k, a) => `${a.txHash}:${a.ref}`)),
    dot: sorted(
      dot.nodes.map((n) => caipAddress(n.id, String(n.attributes.get('address' as never)))),
      dot.edges.map((e) => String(e.attributes.get('key' as never))),
    ),
    csv: sorted(
      csv.flatMap((r) => [r.from!, r.to!]),
      csv.map((r) => `${r.txHash}:${r.ref}`),
    ),
    html: sorted(
      (data.nodes as Json[]).map((n) => caipAddress(n.id as string, n.address as string)),
      // One link per pair of addresses, with every transfer between them (the HTML draws a pair once).
      (data.links as Json[]).flatMap((l) => (l.transfers as Json[]).map((t) => `${t.tx}:${t.ref}`)),
    ),
    json: sorted(
      (json.graph.nodes as Json[]).map((n) => caipAddress(n.id as string, n.address as string)),
      (json.graph.edges as Json[]).map((e) => e.key as string),
    ),
  };
}

describe('the demo chain', () => {
  let db: string;
  let trace: Json;

  beforeAll(async () => {
    db = tempDb('demo.db');
    trace = JSON.parse(await out(['demo', '--db', db, '--json'])) as Json;
  }, 120_000);

  it('shows the THORChain hit the route that carried 199 ETH, beside the earliest one through 0.0073 ETH', () => {
    const hit = (trace.hits as Json[]).find((h) => h.address === DEMO_EXPECTED.venue.address)!;
    expect(hit.path.map((s: Json) => s.to)).toEqual(DEMO_EXPECTED.path.slice(1)); // the earliest, 5 hops
    expect(hit.path[2].amount).toBe('7348015299192604');
    const main = hit.byValue;
    expect(main.valueClass).toBe('native');
    expect(main.path.map((s: Json) => s.to)).toEqual([D.fbi51e9, D.eth7f1d, D.cpf3de, D.ethf588, D.ethb21e, D.thorchainRouter]);
    expect(main.path.map((s: Json) => s.blockNumber)).toEqual([4, 6, 12, 13, 18, 19]);
    expect(main.path[3].amount).toBe('199091733736482537760');
    expect(main.width).toBe('44945000000000000000');
    // The others: the 0.0073 ETH route, the WETH route (0.0149 ETH at its narrowest) and the USDT route (no width in ETH).
    expect(main.others).toEqual({ count: 3, total: String(7348015299192604n + 14908482760000000n), truncated: false });
  });

  it('the text, Markdown and HTML reports show both views: the earliest path and the main path by value', async () => {
    const step199 = '0x50629abcfeb024bb9ccdd8c46ae1ea6191d40749a3b5f3a2e29de37e858327e8';
    const text = await out(['report', '--db', db, '--no-color']);
    const md = await out(['report', '--db', db, '--format', 'md']);
    const html = await out(['report', '--db', db, '--format', 'html']);
    for (const [name, doc] of [['text', text], ['md', md], ['html', html]] as const) {
      const after = doc.slice(doc.indexOf('main path by value'));
      expect(doc.indexOf('main path by value'), name).toBeGreaterThan(0);
      expect(after, name).toContain(step199);
      expect(after, name).toContain('3 other routes in time order');
    }
    // The earliest path, before it, does not pass the 199 ETH step.
    expect(text.slice(0, text.indexOf('main path by value'))).not.toContain(step199.slice(0, 20));
  });

  it('every export, the HTML graph and the JSON report have exactly the walk\'s node and edge sets, the USDT leg included', async () => {
    const walk = walkRecord(db, [DEMO_EXPECTED.seed]);
    expect(walk.nodes).toContain(D.cpd852);
    expect(walk.edges.length).toBeGreaterThan(10);
    const formats = await everyFormat(db);
    for (const [name, sets] of Object.entries(formats)) expect(sets, name).toEqual(walk);
  });

  it('a run recorded before runs kept their walk\'s edges still reports, draws the tainted movements and says so', async () => {
    const copy = join(dirname(db), 'old-run.db');
    copyFileSync(db, copy);
    const conn = openDb(copy);
    conn.prepare(`UPDATE trace_runs SET edges_recorded = 0`).run();
    conn.prepare(`DELETE FROM trace_run_edges`).run();
    conn.close();
    const doc = JSON.parse(await out(['report', '--db', copy, '--format', 'json'])) as Json;
    expect(doc.attribution.notes.join(' ')).toContain('was recorded before runs kept the movements their walk followed');
    const tainted = (doc.graph.edges as Json[]).every((e) => e.taintPoison !== '0');
    expect(tainted).toBe(true);
    expect((doc.graph.edges as Json[]).length).toBeGreaterThan(5);
  });

  it('GEXF edges carry kind as an attribute, and every export carries the readable amount', async () => {
    const g = gexf.parse(MultiDirectedGraph, await out(['export', '--db', db, '--format', 'gexf']));
    const usdt = g.filterEdges((_k, a) => a.symbol === 'USDT');
    expect(usdt.length).toBe(2);
    expect(g.getEdgeAttribute(usdt[0]!, 'kind')).toBe('erc20');
    expect(g.mapEdges((_k, a) => a.value as string)).toContain('547,168.413925 USDT');
  });

  it('attribution adds up, names USDT with its decimals, and poison takes in the token leg spent with no inflow seen', async () => {
    const text = await out(['report', '--db', db, '--no-color']);
    expect(text).not.toMatch(/units of token/);
    expect(text).toContain('547,168.413925 USDT');
    expect(text.match(/adds up, to the base unit/g)).toHaveLength(3);
    const a = (JSON.parse(await out(['report', '--db', db, '--format', 'json'])) as Json).attribution;
    expect(a.seeded.poison).toEqual({ native: '20000000000000000000000' });
    expect(a.takenIn).toEqual({ poison: { '0x5fbdb2315678afecb367f032d93f642f64180aa3': '547168413925' }, haircut: {}, fifo: {} });
    expect(a.frontier.total.poison['0x5fbdb2315678afecb367f032d93f642f64180aa3']).toBe('547168413925');
  });

  it('the report JSON with byValue, takenIn, converted and graph validates against the report schema', async () => {
    const schema = JSON.parse(readFileSync(new URL('../schema/trace-report.schema.json', import.meta.url), 'utf8')) as object;
    const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    addFormatsModule.default(ajv);
    const validate = ajv.compile(schema);
    const doc = JSON.parse(await out(['report', '--db', db, '--format', 'json'])) as Json;
    expect(doc.hits[0].byValue).toBeDefined();
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    doc.hits[0].byValue.width = '44.9';
    expect(validate(doc)).toBe(false);
  });

  it('path offers the main path by value per asset: USDT and ETH from 0x7f1D to 0xf588', async () => {
    const doc = JSON.parse(await out(['path', D.eth7f1d, D.ethf588, '--db', db, '--json'])) as Json;
    const byClass = Object.fromEntries((doc.byValue as Json[]).map((b) => [b.valueClass, b]));
    expect(byClass['native'].path.addresses).toEqual([D.eth7f1d, D.cpf3de, D.ethf588]);
    expect(byClass['0x5fbdb2315678afecb367f032d93f642f64180aa3'].path.addresses).toEqual([D.eth7f1d, D.cpd852, D.ethf588]);
    expect(byClass['0x5fbdb2315678afecb367f032d93f642f64180aa3'].width).toBe('500000000000');
    const text = await out(['path', D.eth7f1d, D.ethf588, '--db', db]);
    expect(text).toContain('every step carried at least 500,000 USDT');
    expect(text).toContain('every step carried at least 199.09173373648253776 ETH');
  });
});

describe('token metadata for every asset shown', () => {
  const SEED = Wallet.createRandom().address.toLowerCase();
  const TO = Wallet.createRandom().address.toLowerCase();
  const SILENT_TO = Wallet.createRandom().address.toLowerCase();
  let anvil: AnvilHandle;
  let db: string;
  let usdt: string;
  let silent: string;

  beforeAll(async () => {
    anvil = await startAnvil({ genesisTimestamp: Date.parse('2025-03-01T00:00:00Z') / 1000 });
    const s = createScenario(anvil.url);
    await s.fund(SEED, 10n ** 18n);
    usdt = (await s.deploy('TestToken', ['USDT-like (fixture)', 'USDT', 6])).address.toLowerCase();
    await s.mintToken(usdt, SEED, 600_000_000_000n);
    await s.tokenTransfer(usdt, SEED, TO, 500_000_000_000n);
    // A contract whose constructor logs Transfer(SEED, SILENT_TO, 123456789) and which has no code after:
    // decimals() and symbol() answer nothing.
    const word = (hex: string): string => hex.replace(/^0x/, '').padStart(64, '0');
    const init =
      '0x7f' + word((123_456_789).toString(16)) + '600052' + // PUSH32 value, PUSH1 0, MSTORE
      '73' + SILENT_TO.slice(2) + '73' + SEED.slice(2) + // PUSH20 to, PUSH20 from
      '7f' + 'ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef' + // PUSH32 Transfer topic
      '60206000a300'; // PUSH1 32, PUSH1 0, LOG3, STOP
    const from = await s.deployer();
    const hash = await s.rpc<string>('eth_sendTransaction', [{ from, data: init, gas: '0x100000' }]);
    await s.mine(1);
    const receipt = await s.rpc<{ contractAddress: string; logs: unknown[] }>('eth_getTransactionReceipt', [hash]);
    expect(receipt.logs).toHaveLength(1);
    silent = receipt.contractAddress.toLowerCase();
    await s.mine(2);
    db = tempDb('tokens.db');
    await out(['trace', SEED, '--rpc', anvil.url, '--db', db, '--hops', '2', '--json']);
  }, 120_000);

  afterAll(async () => {
    await anvil?.stop();
  });

  it('a USDT-like token is USDT with 6 decimals in every output, never raw units', async () => {
    const text = await out(['report', '--db', db, '--no-color']);
    expect(text).toContain('500,000 USDT');
    expect(text).not.toMatch(new RegExp(`units of token ${usdt.slice(0, 6)}`, 'i'));
    expect(text).toMatch(new RegExp(`units of token ${silent.slice(0, 6)}`, 'i')); // the check above can fail
    const csv = parseCsv(await out(['export', '--db', db, '--format', 'csv']), { columns: true }) as Record<string, string>[];
    expect(csv.find((r) => r.asset === usdt)).toMatchObject({ symbol: 'USDT', decimals: '6', value: '500,000 USDT' });
    const path = await out(['path', SEED, TO, '--db', db]);
    expect(path).toContain('500,000 USDT');
  });

  it('a token that does not answer decimals() is shown in raw units, and every output says why', async () => {
    const json = JSON.parse(await out(['report', '--db', db, '--format', 'json'])) as Json;
    expect(json.attribution.assets).toContainEqual({ asset: silent, symbol: null, decimals: null });
    expect(json.attribution.notes.join(' ')).toContain(`the token ${silent} did not answer decimals()`);
    const path = await out(['path', SEED, SILENT_TO, '--db', db]);
    expect(path).toContain('123,456,789 units of token');
    expect(path).toContain('(raw units: the token did not answer decimals())');
    const csv = parseCsv(await out(['export', '--db', db, '--format', 'csv']), { columns: true }) as Record<string, string>[];
    expect(csv.find((r) => r.asset === silent)).toMatchObject({ decimals: '', amount: '123456789' });
  });

  it('the traced graph is the same in every output here too', async () => {
    const walk = walkRecord(db, [SEED]);
    expect(walk.nodes).toEqual([SEED, TO, SILENT_TO].sort());
    for (const [name, sets] of Object.entries(await everyFormat(db))) expect(sets, name).toEqual(walk);
  });
});

