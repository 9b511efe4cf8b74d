/**
 * Reports of a run across chains (report/crossChain.ts, chains.ts, graph.ts and every format of the format
 * table), from a hand-made TraceResult and attribution (test/helpers/crossChainRun.ts): no node, no
 * database. Every output is read back with a parser we did not write (graphology-gexf,
 * graphology-graphml, ts-graphviz, csv-parse, saxes) and held to the others: the same hits, crossings,
 * exits, chains and numbers. The HTML is drawn by headless Chromium where it is installed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse as parseCsv } from 'csv-parse/sync';
import graphology from 'graphology';
import gexf from 'graphology-gexf';
import graphml from 'graphology-graphml';
import { SaxesParser } from 'saxes';
import { fromDot } from 'ts-graphviz';
import { describe, expect, it } from 'vitest';
import { accountKey, txUrl } from '../src/report/chains.js';
import { findFormat, renderRun, type FormatCommand, type RunView } from '../src/report/formats/index.js';
import { FRONTIER_COLUMNS } from '../src/report/formats/frontier.js';
import { fullReportJson } from '../src/report/full.js';
import { tracedGraph } from '../src/report/graph.js';
import { toJsonValue } from '../src/report/json.js';
import type { TraceResult } from '../src/trace/result.js';
import { chromiumMissing, chromiumPath, dumpDom } from './helpers/chromium.js';
import { ACROSS_CROSSING, BTC_ADDRESS, BUSD, ETH, MID, RECV, ROUTER, SEED, SPOKE, THOR_CROSSING, TX, VENUE, crossChainFull, crossChainResult, exitHit, tracedTransfers } from './helpers/crossChainRun.js';
import { unattributedVenues } from '../src/cli/runReport.js';
import { BRIDGE_NOT_VENUE, INFERRED_ROUTE, type UnattributedVenue } from '../src/report/attribution.js';
import type { VenueFlow } from '../src/graph/index.js';
import { missingFromJson } from './helpers/parity.js';

const { MultiDirectedGraph } = graphology;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed documents, read field by field
type Json = Record<string, any>;

function view(full = crossChainFull()): RunView {
  return { result: full.result, json: toJsonValue(full.result), manifest: full.manifest, full };
}

function render(name: string, command: FormatCommand = 'report', run: RunView = view()): string {
  const f = findFormat(command, name);
  if (f === undefined) throw new Error(`no format ${name} for ${command}`);
  return renderRun(f, run, { color: false });
}

/** Well-formed XML, by a parser we did not write: the errors it reports (none is the pass). */
function xmlErrors(doc: string): string[] {
  const errors: string[] = [];
  const p = new SaxesParser({ xmlns: false });
  p.on('error', (e) => errors.push(e.message));
  p.write(doc).close();
  return errors;
}

/** The text of an HTML page as a reader sees it: the entities escapeMarkup writes turned back. */
const htmlText = (h: string): string => h.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const edgeKey = (c: typeof THOR_CROSSING): string => `${c.arrival.txHash}:bridge:${c.arrival.logIndex}`;

describe('a report across two chains', () => {
  const run = view();
  const res = run.result;
  const json = fullReportJson(run.full!, run.json) as unknown as Json;

  it('names the chains of the run, and the chain of every hit and step, in text and Markdown', () => {
    const text = render('text');
    expect(text).toContain('chains     ethereum (1), home, via https://eth.example.org; bsc (56) via https://bsc.example.org');
    expect(text).toMatch(/\[ethereum → bsc\] 0x9D76…6893 ⇒ 0x6813…0906 +12 BUSD +tx 0x00d4/);
    expect(text).toMatch(/\[bsc\] +0x6813…0906 → 0x8D3C…84Ee +12 BUSD/);
    expect(text).toContain('venue     0x8D3C05241ac6B69044922007d460071Ea49484Ee  on bsc (56)');
    const md = render('md');
    expect(md).toContain('| # | chain | from | to | amount | tx | block | ref |');
    expect(md).toMatch(/\| 4 \| bsc \(56\) \| `0x68135d52cfA82B02427ddbC8F4acBc1450580906` \|/);
    expect(md).toMatch(/\| BSC Exchange \| `0x8D3C05241ac6B69044922007d460071Ea49484Ee` \| bsc \(56\) \|/);
  });

  it('shows every crossing with its protocol and link basis, fact or inference with its confidence, in every format', () => {
    const text = render('text');
    const md = render('md');
    const html = htmlText(render('html'));
    const edges = parseCsv(render('csv', 'export'), { columns: true }) as Record<string, string>[];
    const g = gexf.parse(MultiDirectedGraph, render('gexf', 'export'));
    for (const c of [THOR_CROSSING, ACROSS_CROSSING]) {
      const linkWords = c.link.evidence === 'fact' ? `link fact: ${c.protocolName}'s own link (${c.link.kind}` : `link inference: heuristic match (${c.link.kind}), ${c.link.confidence} confidence`;
      for (const [name, doc] of [['text', text], ['md', md], ['html', html]] as const) {
        expect(doc, name).toContain(c.arrival.txHash);
        expect(doc, name).toContain(c.exit.txHash);
        expect(doc, name).toContain(c.link.reasons[0]!);
      }
      expect(text).toContain(linkWords);
      const row = edges.find((e) => `${e.txHash}:${e.ref}` === edgeKey(c))!;
      expect([row.kind, row.protocol, row.evidence, row.basis, row.confidence, row.fromChainId, row.toChainId]).toEqual(['bridge', c.protocol, c.link.evidence, c.link.basis, c.link.confidence, String(c.fromChainId), String(c.toChainId)]);
      expect([row.from, row.to, row.from_chain, row.to_chain]).toEqual([c.from, c.to, 'ethereum', 'bsc']);
      const attrs = g.getEdgeAttributes(edgeKey(c));
      expect([attrs.evidence, attrs.basis, attrs.confidence, attrs.protocol]).toEqual([c.link.evidence, c.link.basis, c.link.confidence, c.protocol]);
      expect(g.source(edgeKey(c))).toBe(accountKey(c.fromChainId, c.from));
      expect(g.target(edgeKey(c))).toBe(accountKey(c.toChainId, c.to));
      const j = (json.graph.edges as Json[]).find((e) => e.key === edgeKey(c))!;
      expect([j.evidence, j.basis, j.confidence, j.source, j.target]).toEqual([c.link.evidence, c.link.basis, c.link.confidence, accountKey(c.fromChainId, c.from), accountKey(c.toChainId, c.to)]);
      expect((json.crossings as Json[]).some((x) => x.arrival.txHash === c.arrival.txHash && x.link.evidence === c.link.evidence)).toBe(true);
    }
    // The inference is marked as one in the HTML path and crossing tables, never as a fact.
    expect(html).toMatch(/<span class="ev ev-inferred">inference<\/span>/);
    expect(html).toMatch(/bridge · THORChain · fact/);
  });

  it('reports the exit to Bitcoin as a hit of its own kind and one frontier row, with the same facts everywhere', () => {
    const f = res.frontier![0]!;
    const text = render('text');
    const md = render('md');
    const html = htmlText(render('html'));
    // The walk's summary of the exit, then why it was not followed.
    const sentence = `left to BTC ${BTC_ADDRESS} via THORChain, at least 0.15 BTC promised (not followed: Bitcoin is not an EVM chain)`;
    expect(res.hits[1]!.exit!.summary).toBe(sentence.slice(0, sentence.indexOf(' (not followed')));
    for (const [name, doc] of [['text', text], ['md', md], ['html', html]] as const) {
      expect(doc, name).toContain(sentence);
      expect(doc, name).toContain(f.txHash);
      expect(doc, name).toContain("the destination and amount are the protocol's promise, not a delivery seen");
    }
    expect(text).toContain('[EXIT]');
    expect(text).toContain('2 hits (1 venue hit, 0 known perpetrators, 1 exit to chains not followed)');
    expect(text).toContain(`  Bitcoin ${BTC_ADDRESS}  at least 0.15 BTC promised via thorchain  tx ${TX.midToRouterBtc} (chain 1) — Bitcoin is not an EVM chain; hop 2 from seed 0x4A48…F662`);
    // The frontier for the next tool: one row, from every command that offers it, the same bytes.
    const csv = render('frontier', 'export');
    expect(render('frontier', 'report')).toBe(csv);
    expect(render('frontier', 'trace', { ...run, full: null })).toBe(csv);
    const rows = parseCsv(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...FRONTIER_COLUMNS]);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect([row.chain_id, row.chain, row.address, row.asset, row.amount, row.amount_text, row.amount_kind, row.protocol, row.from_chain_id, row.source_tx, row.seed, row.hop, row.reason]).toEqual([
      '', 'Bitcoin', BTC_ADDRESS, 'BTC.BTC', String(f.amount), '0.15 BTC', 'minimum', 'thorchain', '1', TX.midToRouterBtc, SEED, '2', 'non-evm',
    ]);
    expect((json.frontier as Json[])[0]).toMatchObject({ address: row.address, amount: row.amount, txHash: row.source_tx, chainId: null });
    // The graph ends the exit at a destination node: the protocol's promise, not a transfer seen.
    const g = graphml.parse(MultiDirectedGraph, render('graphml', 'export'));
    const dest = g.findNode((_id, a) => a.role === 'destination')!;
    expect(g.getNodeAttributes(dest)).toMatchObject({ address: BTC_ADDRESS, chain: 'Bitcoin', chainId: -1 });
    const exit = g.findEdge((_k, a) => a.kind === 'exit')!;
    expect(g.source(exit)).toBe(accountKey(1, ROUTER));
    expect(g.getEdgeAttributes(exit)).toMatchObject({ amount: row.amount, basis: 'protocol-promise', evidence: 'fact', txHash: row.source_tx, toChainId: -1 });
    // The edge CSV leaves a chain id that is not an EVM chain's empty, as the frontier does.
    const edges = parseCsv(render('csv', 'export'), { columns: true }) as Record<string, string>[];
    expect(edges.find((e) => e.kind === 'exit')!.toChainId).toBe('');
  });

  it('keeps the same address on two chains apart: two nodes in every graph format', () => {
    const both = [accountKey(1, MID), accountKey(56, MID)];
    const g1 = gexf.parse(MultiDirectedGraph, render('gexf', 'export'));
    const g2 = graphml.parse(MultiDirectedGraph, render('graphml', 'export'));
    const dot = fromDot(render('dot', 'export'));
    const html = render('html');
    const data = JSON.parse(/<script type="application\/json" id="graph-data">([^<]*)<\/script>/.exec(html)![1]!) as Json;
    const sets: Record<string, string[]> = {
      gexf: g1.nodes(),
      graphml: g2.nodes(),
      dot: dot.nodes.map((n) => n.id),
      html: (data.nodes as Json[]).map((n) => n.id as string),
      json: (json.graph.nodes as Json[]).map((n) => n.id as string),
    };
    for (const [name, ids] of Object.entries(sets)) {
      for (const id of both) expect(ids, name).toContain(id);
      expect(new Set(ids).size, name).toBe(sets.json!.length);
      expect([...ids].sort(), name).toEqual([...sets.json!].sort());
    }
    expect(g1.getNodeAttributes(accountKey(56, MID))).toMatchObject({ address: MID, chainId: 56, chain: 'bsc' });
    expect(g2.getNodeAttributes(accountKey(1, MID))).toMatchObject({ address: MID, chainId: 1, chain: 'ethereum' });
    // The crossing lands on the bsc node; the ethereum node only sends.
    expect(g1.inNeighbors(accountKey(56, MID))).toEqual([accountKey(1, ROUTER)]);
    expect(g1.outNeighbors(accountKey(1, MID)).sort()).toEqual([accountKey(1, ROUTER), accountKey(1, '0x' + ACROSS_CROSSING.from.slice(2))].sort());
  });

  it('gives every graph format the same edges with the same chains and amounts', () => {
    // GEXF drops an empty attribute value on reading: a missing one compares as empty.
    const byKey = (list: { key: string; a: Json }[]): Map<string, string> =>
      new Map(list.map(({ key, a }) => [key, [a.chainId, a.fromChainId, a.toChainId, a.amount, a.kind, a.evidence, a.taintPoison].map((v) => String(v ?? '')).join('|')]));
    const j = byKey((json.graph.edges as Json[]).map((e) => ({ key: e.key as string, a: e })));
    const g1 = gexf.parse(MultiDirectedGraph, render('gexf', 'export'));
    const g2 = graphml.parse(MultiDirectedGraph, render('graphml', 'export'));
    const dot = fromDot(render('dot', 'export'));
    const csv = parseCsv(render('csv', 'export'), { columns: true }) as Record<string, string>[];
    const dotAttrs = (e: (typeof dot.edges)[number]): Json => Object.fromEntries(e.attributes.values.map(([k, v]) => [k, v]));
    const others: Record<string, Map<string, string>> = {
      gexf: byKey(g1.mapEdges((key, a) => ({ key, a }))),
      graphml: byKey(g2.mapEdges((key, a) => ({ key, a }))),
      dot: byKey(dot.edges.map((e) => ({ key: String(dotAttrs(e).key), a: dotAttrs(e) }))),
      // The CSV leaves a chain id of -1 empty.
      csv: byKey(csv.map((r) => ({ key: `${r.txHash}:${r.ref}`, a: { ...r, toChainId: r.toChainId === '' ? '-1' : r.toChainId } }))),
    };
    expect(j.size).toBe(8); // 5 transfers, 2 crossings, 1 exit
    for (const [name, m] of Object.entries(others)) expect([...m].sort(), name).toEqual([...j].sort());
  });

  it("names the native coin of a movement's own chain: BNB on bsc, not the home chain's ETH", () => {
    const full = crossChainFull();
    const bnb = { ...full.attribution.traced![4]!, transfer: { ...full.attribution.traced![4]!.transfer, asset: 'native', txHash: TX.acrossFill as `0x${string}`, ref: 'trace:' } };
    const g = tracedGraph({ ...full.attribution, traced: [...full.attribution.traced!, bnb] }, full.manifest.seeds, full.result);
    expect(g.getEdgeAttributes(`${TX.acrossFill}:trace:`)).toMatchObject({ chainId: 56, symbol: 'BNB', value: '12 BNB' });
    expect(g.getEdgeAttributes(`${TX.seedToMid}:trace:`)).toMatchObject({ chainId: 1, symbol: 'ETH', value: '10 ETH' });
  });

  it("names another chain's token by that chain's metadata, even where the home chain has a token at the same address", () => {
    const full = crossChainFull();
    const token = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
    const at = (i: number, chainId: number, txHash: string, amount: bigint) => ({ ...full.attribution.traced![i]!, transfer: { ...full.attribution.traced![i]!.transfer, chainId, asset: token, amount, txHash: txHash as `0x${string}`, ref: 'log:9' } });
    const home = at(0, 1, TX.seedToMid, 2_000_000n);
    const bsc = at(4, 56, TX.acrossFill, 3n * 10n ** 18n);
    const g = tracedGraph(
      { ...full.attribution, traced: [...full.attribution.traced!, home, bsc], assets: new Map([...full.attribution.assets, [token, { symbol: 'USDC', decimals: 6 }]]), chainAssets: new Map([[`56:${token}`, { symbol: 'BUSD', decimals: 18 }]]) },
      full.manifest.seeds,
      full.result,
    );
    expect(g.getEdgeAttributes(`${TX.acrossFill}:log:9`)).toMatchObject({ chainId: 56, symbol: 'BUSD', decimals: '18', value: '3 BUSD' });
    expect(g.getEdgeAttributes(`${TX.seedToMid}:log:9`)).toMatchObject({ chainId: 1, symbol: 'USDC', decimals: '6', value: '2 USDC' });
  });

  it('puts the chain of each venue in the venue CSV, the JSON attribution and the HTML, and keeps the figures equal', () => {
    const rows = parseCsv(render('csv'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.venue, r.chain_id, r.chain, r.model, r.amount])).toEqual(
      ['poison', 'haircut', 'fifo'].map((m) => [VENUE, '56', 'bsc', m, String(12n * 10n ** 18n)]),
    );
    // No home-chain block time is put on a block of another chain.
    expect(rows.every((r) => r.first_time === '')).toBe(true);
    const v = (json.attribution.venues as Json[])[0]!;
    expect([v.address, v.chainId, v.amounts.poison[BUSD], v.first.timestamp]).toEqual([VENUE, 56, String(12n * 10n ** 18n), null]);
    expect(render('html')).toMatch(/9484Ee<\/span><\/a> <span class="chain" title="chain id 56">bsc<\/span><\/td><td class="num">4<\/td>/);
  });

  it('says nothing in text or Markdown that the JSON report does not hold', () => {
    const symbols = ['ETH', 'BUSD', 'BTC', 'native'];
    expect(missingFromJson(render('text'), json, symbols)).toEqual([]);
    expect(missingFromJson(render('text', 'trace', { ...run, full: null }), run.json, symbols)).toEqual([]);
    expect(missingFromJson(render('md'), json, symbols)).toEqual([]);
  });

  it("links each transaction to its own chain's explorer, and none where no explorer of the chain is listed", () => {
    const html = render('html');
    expect(html).toContain(`href="${txUrl(1, TX.seedToMid)}"`);
    expect(html).toContain(`href="https://etherscan.io/tx/${TX.seedToMid}"`);
    expect(html).toContain(`href="https://bscscan.com/tx/${TX.midToVenue}"`);
    expect(html).toContain(`href="https://bscscan.com/tx/${THOR_CROSSING.arrival.txHash}"`);
    expect(html).toContain(`href="https://etherscan.io/tx/${THOR_CROSSING.exit.txHash}"`);
    expect(html).not.toContain(`https://etherscan.io/tx/${TX.midToVenue}`);
    expect(html).not.toContain(`https://bscscan.com/tx/${TX.seedToMid}`);
    expect(html).toContain(`href="https://bscscan.com/address/${RECV}"`);
    // The same run on chains no explorer is listed for (devnets): no link at all.
    const full = crossChainFull();
    const devnet = (id: number): number => (id === 1 ? 31337 : 31338);
    const r = full.result;
    const moved: TraceResult = {
      ...r,
      chainId: 31337,
      chains: r.chains!.map((c) => ({ ...c, chainId: devnet(c.chainId) })),
      hits: r.hits.map((h) => ({
        ...h,
        chainId: devnet(h.chainId!),
        exit: h.exit ? { ...h.exit, chainId: devnet(h.exit.chainId) } : null,
        path: h.path.map((s) => ({ ...s, chainId: devnet(s.chainId!), crossing: s.crossing ? { ...s.crossing, fromChainId: devnet(s.crossing.fromChainId), toChainId: devnet(s.crossing.toChainId) } : null })),
      })),
      crossings: [],
      frontier: [],
    };
    const traced = full.attribution.traced!.map((e) => ({ ...e, transfer: { ...e.transfer, chainId: devnet(e.transfer.chainId) } }));
    const edges = full.attribution.attribution.edges.map((e) => ({ ...e, transfer: { ...e.transfer, chainId: devnet(e.transfer.chainId) } }));
    const page = render('html', 'report', view({ ...full, result: moved, attribution: { ...full.attribution, traced, attribution: { ...full.attribution.attribution, edges } } }));
    expect(page).toContain('<span class="chain" title="chain id 31338">bsc</span>');
    expect(page).not.toMatch(/<a href=/);
  });

  it("holds the graph and the attribution to the report schema's shapes", () => {
    const schema = JSON.parse(readFileSync(new URL('../schema/trace-report.schema.json', import.meta.url), 'utf8')) as { $id: string };
    const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    addFormatsModule.default(ajv);
    ajv.addSchema(schema);
    for (const [part, value] of [['properties/graph', json.graph], ['$defs/attribution', json.attribution]] as const) {
      const validate = ajv.getSchema(`${schema.$id}#/${part}`)!;
      expect(validate(value), `${part}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('writes XML that a parser we did not write reads without error', () => {
    expect(xmlErrors(render('gexf', 'export'))).toEqual([]);
    expect(xmlErrors(render('graphml', 'export'))).toEqual([]);
  });

  it('reads a report of one chain as it always did: no chain column, no chain on a step', () => {
    const full = crossChainFull();
    const r = full.result;
    const one: TraceResult = { ...r, hits: [{ ...r.hits[0]!, chainId: 1, path: r.hits[0]!.path.slice(0, 2).map((s) => ({ ...s, chainId: 1 })) }], chains: [r.chains![0]!], crossings: [], frontier: [] };
    const run1 = view({ ...full, result: one, attribution: { ...full.attribution, traced: full.attribution.traced!.filter((e) => e.transfer.chainId === 1) } });
    const text = render('text', 'trace', { ...run1, full: null });
    expect(text).toContain('  chain      1 (ethereum) via https://eth.example.org');
    expect(text).not.toContain('[ethereum]');
    expect(text).not.toContain('Frontier');
    const md = render('md', 'report', run1);
    expect(md).toContain('| # | from | to | amount | tx | block | ref |');
    expect(render('frontier', 'trace', { ...run1, full: null })).toBe(FRONTIER_COLUMNS.join(',') + '\n');
  });
});

describe('the HTML report of two chains in a browser', () => {
  const missing = chromiumMissing();
  const json = fullReportJson(view().full!) as unknown as Json;
  it.skipIf(missing !== null)(`draws the graph across both chains at 1366×768 without a horizontal scroll bar${missing ? ` (skipped: ${missing})` : ''}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoptrace-xreport-'));
    const file = join(dir, 'two-chains.html');
    writeFileSync(file, render('html'));
    const dom = await dumpDom(file);
    expect(dom).toMatch(/data-graph="drawn"/);
    expect(/data-graph-nodes="(\d+)"/.exec(dom)?.[1]).toBe(String((json.graph.nodes as Json[]).length));
    expect(/data-overflow-x="(-?\d+)"/.exec(dom)?.[1]).toBe('0');
    // A screenshot for a person to look at (HOPTRACE_SCREENSHOT=<file.png>); the checks above are the test.
    const shot = process.env.HOPTRACE_SCREENSHOT;
    if (shot) {
      await promisify(execFile)(chromiumPath()!, ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${join(dir, 'profile')}`, '--window-size=1366,768', '--virtual-time-budget=2000', `--screenshot=${shot}`, `file://${file}`], { timeout: 60_000 });
    }
  }, 90_000);
});

describe('a venue on another chain reached only through an inferred crossing', () => {
  // The fixture's venue on bsc is reached through THORChain (a fact link); the same path through a
  // crossing matched by heuristic makes its route an inference, and a second hit by a fact link makes it a fact.
  const withCrossing = (evidence: 'fact' | 'inference') => {
    const r = crossChainResult();
    const crossing = evidence === 'fact' ? THOR_CROSSING : { ...THOR_CROSSING, link: ACROSS_CROSSING.link };
    // New steps: the fixture's steps are shared by every result it makes.
    return { ...r, hits: r.hits.map((h) => ({ ...h, path: h.path.map((s) => (s.crossing ? { ...s, crossing } : s)) })) };
  };
  const venues = (r: ReturnType<typeof crossChainResult>) => unattributedVenues(r, tracedTransfers(), new Map(), () => null);

  it('says so: route inference, and fact as soon as one path into it crosses by fact links', () => {
    expect(venues(withCrossing('fact')).map((v) => [v.address, v.route])).toEqual([[VENUE, 'fact']]);
    const inferred = withCrossing('inference');
    expect(venues(inferred).map((v) => [v.address, v.route])).toEqual([[VENUE, 'inference']]);
    const both = withCrossing('inference');
    const factHit = crossChainResult().hits.find((h) => h.address === VENUE)!;
    both.hits.push(factHit);
    expect(venues(both).map((v) => v.route)).toEqual(['fact']);
  });

  it('every output marks it: text, Markdown, HTML and CSV print the route, JSON carries it', () => {
    const full = crossChainFull();
    const withVenues = (notAttributed: ReturnType<typeof venues>): RunView => view({ ...full, attribution: { ...full.attribution, notAttributed } });
    const inferred = withVenues(venues(withCrossing('inference')));
    for (const name of ['text', 'md', 'html', 'csv']) expect(htmlText(render(name, 'report', inferred)), name).toContain(INFERRED_ROUTE);
    const json = fullReportJson(inferred.full!, inferred.json) as unknown as Json;
    expect(json.attribution.notAttributed[0].route).toBe('inference');
    expect(render('text', 'report', withVenues(venues(withCrossing('fact'))))).not.toContain(INFERRED_ROUTE);
  });
});

describe('venues reached: one definition, one count in every output', () => {
  // The THORChain router labelled as a bridge (as data/exchanges.csv labels the real one): the models stop
  // at it as at any label, so it has a row of the venue table; Across's SpokePool has no label and none.
  // A bridge entered is a crossing, never a venue, whether the label book names it or not. Reached: the
  // bsc exchange (the fixture's) and a high-risk one on bsc that no model ran on.
  const full = crossChainFull();
  const router: VenueFlow = {
    address: ROUTER,
    venue: { entity: 'THORChain', category: 'bridge', risk: 'standard' },
    amounts: { poison: new Map([['native', 10n * ETH]]), haircut: new Map([['native', 10n * ETH]]), fifo: new Map([['native', 10n * ETH]]) },
    arrivals: 2,
    first: { block: 102, txHash: TX.midToRouter },
    last: { block: 103, txHash: TX.midToRouterBtc },
    hops: 2,
    support: ['poison', 'haircut', 'fifo'],
  };
  const other: UnattributedVenue = {
    address: RECV, chainId: 56, entity: 'Other Exchange', category: 'exchange', risk: 'high', hops: 4, arrivals: 1,
    first: { blockNumber: 9, txHash: TX.acrossFill, timestamp: null }, last: { blockNumber: 9, txHash: TX.acrossFill, timestamp: null },
    traced: [{ asset: BUSD, symbol: 'BUSD', decimals: 18, amount: 3n * ETH }], route: 'inference',
  };
  const a = full.attribution;
  const withRouter = { ...a.attribution, venues: [router, ...a.attribution.venues] };
  // Each seed alone: one seed here, so the same attribution, router row included.
  const run = view({ ...full, attribution: { ...a, attribution: withRouter, perSeed: [{ seed: SEED, attribution: withRouter }], notAttributed: [other] } });

  it('counts the two exchanges on bsc and not the labelled bridge, alike in text, Markdown, HTML, CSV, JSON and the graph', () => {
    // Two bridges entered: the labelled THORChain router, and Across's SpokePool (a crossing's contract, no label row).
    const counted = '2 (0 sanctioned, 1 high risk; 2 on other chains, not attributed); not counted: 2 bridges the funds entered, 1 of them with a row below (a crossing or an exit, not a venue)';
    expect(render('text', 'report', run)).toContain(`venues reached  ${counted}`);
    expect(render('md', 'report', run)).toContain(`Venues reached: ${counted}.`);
    expect(htmlText(render('html', 'report', run))).toContain(`<th>venues reached</th><td>${counted}</td>`);
    const rows = parseCsv(render('csv', 'report', run), { columns: true }) as Record<string, string>[];
    const distinct = (role: string): string[] => [...new Set(rows.filter((r) => r.reached_as === role).map((r) => `${r.chain_id}:${r.venue}`))].sort();
    expect(distinct('venue')).toEqual([`56:${RECV}`, `56:${VENUE}`].sort());
    expect(distinct('bridge')).toEqual([`1:${ROUTER}`]);
    const json = JSON.parse(render('json', 'report', run)) as Json;
    expect(json.attribution.venuesReached).toMatchObject({ count: 2, sanctioned: 0, highRisk: 1, onOtherChains: 2, bridgesNotCounted: 1, bridgesEntered: 2 });
    // The JSON rows the count is made of: every row of the venue table, less those of category bridge.
    const jsonRows = [...json.attribution.venues, ...json.attribution.notAttributed] as Json[];
    expect(jsonRows.filter((v) => v.category !== 'bridge')).toHaveLength(json.attribution.venuesReached.count);
    // Each JSON row says how it is counted, as the CSV's reached_as does.
    const jsonAs = (role: string): string[] => jsonRows.filter((v) => v.reachedAs === role).map((v) => `${v.chainId}:${v.address}`).sort();
    expect(jsonAs('venue')).toEqual(distinct('venue'));
    expect(jsonAs('bridge')).toEqual(distinct('bridge'));
    // The graph calls the router a bridge too, not a venue.
    const g = tracedGraph(run.full!.attribution, [SEED], run.result);
    expect(g.getNodeAttribute(accountKey(1, ROUTER), 'role')).toBe('bridge');
    expect(g.getNodeAttribute(accountKey(56, VENUE), 'role')).toBe('venue');
    // The bridges the sentence counts are the graph's bridge nodes, labelled or not.
    expect(g.filterNodes((_n, x) => x.role === 'bridge').sort()).toEqual([accountKey(1, ROUTER), accountKey(1, SPOKE)].sort());
    expect(g.filterNodes((_n, x) => x.role === 'bridge')).toHaveLength(json.attribution.venuesReached.bridgesEntered);
  });

  it('words what the per-seed figure and the balance count as every row of the venue table: venues and labelled bridges', () => {
    const text = render('text', 'report', run);
    expect(text).toContain('per seed (each seed alone): at venues and labelled bridges / still at the frontier, haircut');
    expect(text).toContain('= at venues and labelled bridges + not at a venue');
    expect(text).not.toMatch(/= at venues \+|: at venues \//);
    // The figure is the same in JSON, router included: 10 ETH into the router, 12 BUSD into the bsc exchange.
    const json = JSON.parse(render('json', 'report', run)) as Json;
    expect(json.attribution.perSeed[0].atVenues.haircut).toEqual({ native: (10n * ETH).toString(), [BUSD]: (12n * ETH).toString() });
    expect(text).toMatch(new RegExp(`${SEED}\\s+10 ETH, 12 BUSD / `, 'i'));
  });

  it('counts venue hits as hits, and names no bridge under the SANCTIONED or HIGH RISK venue lines', () => {
    // A payment into a labelled bridge with no exit event is a venue hit (trace/run.ts): no venue reached.
    const bridgeHit = { ...exitHit(), kind: 'venue' as const, exit: null, risk: 'high' as const };
    const res = { ...run.result, hits: [...run.result.hits, bridgeHit] };
    const text = render('text', 'report', { ...run, result: res, json: toJsonValue(res), full: { ...run.full!, result: res } });
    expect(text).toContain('3 hits (2 venue hits, 0 known perpetrators, 1 exit to chains not followed)');
    expect(text).not.toContain('HIGH RISK venue reached');
    expect(text).toContain('HIGH RISK bridge entered (a crossing or an exit, not a venue): THORChain');
  });

  it('marks the bridge row in every venue table: its figures are shown, it is not counted', () => {
    for (const name of ['text', 'md', 'html']) expect(htmlText(render(name, 'report', run)), name).toContain(BRIDGE_NOT_VENUE);
  });
});
