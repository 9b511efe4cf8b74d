import { createHash } from 'node:crypto';
import { TAINT_MODELS, type Amounts, type VenueFlow } from '../graph/index.js';
import type { Hit, HitExit, PathStep } from '../trace/result.js';
import type { Address, LabelCategory } from '../types.js';
import { plural } from '../util/plural.js';
import { fullAddress } from './address.js';
import { formatAssetAmount, swapText } from './amount.js';
import { BRIDGE_NOT_VENUE, INFERRED_ROUTE, MODEL_CITATIONS, NOT_ATTRIBUTED, PROMISED_NOT_SEEN, reachedRole, strength, tracedParts, venuesReached, venuesReachedText } from './attribution.js';
import { accountKey, addressUrl, txUrl } from './chains.js';
import {
  chainLabel, crossingLinkText, crossingsOf, exitDestination, exitEvidenceText, exitLine, frontierOf, hitChain, promisedText, runChainName, runChains, spansChains, stepChain, stepCrossing,
} from './crossChain.js';
import { depositLines } from './deposit.js';
import { evidenceIndex, evidenceLine, pathNotes } from './evidence.js';
import { tracedGraph, type TracedGraph } from './graph.js';
import { amountParts, type FullReport } from './full.js';
import { cleanOptional, cleanText, escapeMarkup as esc } from './sanitize.js';
import { HIT_KIND_ORDER, byValueLines, formatTime } from './text.js';

/**
 * `--format html`: one self-contained file, readable from disk without a server or a network. A summary
 * table, the flows per venue (sanctioned and high-risk venues first), the hits' paths (every hop linked
 * to its transaction), an interactive graph of the traced subgraph and the table of its transfers.
 *
 * Made to read on a 1366 px laptop screen: long hashes and addresses are shown shortened
 * (`0x3379…c29bc`) while the element still holds the full value (selecting and copying it copies all of
 * it; the tooltip shows it), tables wrap between values rather than inside them, and any table still too
 * wide scrolls inside its own box, never the page.
 *
 * The graph is laid out in layers (column = hop from the seed; rows ordered so that a node sits level
 * with what paid it) and drawn as SVG by a small inline script with pan, zoom, hover and click. Each node
 * is a circle with its label on a light background to its right; edges leave from the right end of that
 * box and enter at the circle, so an edge between neighbouring hops never runs through a label. The view
 * box is fitted to what was drawn. We chose this over a graph library (sigma.js, cytoscape) because those
 * are hundreds of kB to inline, need WebGL or a canvas that headless Chromium without a GPU draws
 * unreliably, and a layered layout reads better for hop-by-hop money flows.
 *
 * Safety: token symbols, labels and seed names are chosen by others. Every piece of text is cleaned of
 * control and bidi characters (cleanText) and HTML-escaped; the graph data is embedded as JSON in a
 * `<script type="application/json">` with `<`, `>`, `&`, U+2028 and U+2029 escaped, and the script puts
 * text into the page only through `textContent`. A Content-Security-Policy allows no network at all and
 * only the page's own script (by its sha256), so even a missed escape could not run injected script.
 */
export function renderHtml(r: FullReport): string {
  const res = r.result;
  const a = r.attribution;
  const known = evidenceIndex(res);
  const g = tracedGraph(a, r.manifest.seeds, res);
  const names = nodeNames(g);
  // Over several chains every venue, hit and step names its chain; each transaction links to its own chain's explorer.
  const multi = spansChains(res);
  const home = res.chainId;
  const reached = venuesReached(a, res);
  const venueChain = reached.chainOf;
  const bridgeMark = (category: LabelCategory): string => (reachedRole(category) === 'bridge' ? `<br><small class="not-venue">${esc(BRIDGE_NOT_VENUE)}</small>` : '');
  const tx = (hash: string, chainId: number = home): string => hashHtml(hash, txUrl(chainId, hash));
  const chainBadge = (chainId: number): string => (multi ? ` <span class="chain" title="chain id ${chainId}">${esc(runChainName(res, chainId))}</span>` : '');
  const amounts = (m: Amounts): string => {
    const parts = amountParts(m, a);
    return parts.length === 0 ? '—' : parts.map(amountHtml).join('<br>');
  };
  // Block times: the home chain's from its headers; a venue reached on another chain brings its own (`at`).
  const when = (block: number, hash: string, chainId: number, at: number | null = null): string =>
    `<span class="nw">${esc(formatTime(chainId === home ? (a.times.get(block) ?? null) : at))}</span><br><small>block ${block}</small> ${tx(hash, chainId)}`;

  const venues = [...a.attribution.venues].sort(venueOrder);
  // Venues on another chain: the traced movements into them (facts), no model's figure (the models run over the home chain).
  const unattributedRows = (a.notAttributed ?? [])
    .map((v) => {
      const ev = known.get(v.chainId, v.address);
      const evBadge = ev ? ` <span class="ev ev-${ev.level}" title="${esc(evidenceLine(ev, v.address))}">${esc(ev.level === 'inferred' ? 'inferred' : ev.level)}</span>` : '';
      const first = when(v.first.blockNumber, v.first.txHash, v.chainId, v.first.timestamp ?? null);
      const span = v.first.txHash === v.last.txHash ? first : `${first}<br>to ${when(v.last.blockNumber, v.last.txHash, v.chainId, v.last.timestamp ?? null)}`;
      const amountsOf = (ts: typeof v.traced): string => ts.map((t) => esc(formatAssetAmount(t.amount, t.decimals, t.symbol, t.asset))).join('<br>');
      const { seen, promised } = tracedParts(v.traced);
      const traced = [...(seen.length > 0 ? [`traced (fact): ${amountsOf(seen)}`] : []), ...(promised.length > 0 ? [`promised: ${amountsOf(promised)}<br><small>${esc(PROMISED_NOT_SEEN)}</small>`] : [])].join('<br>');
      return `<tr class="risk-${esc(v.risk)} not-attributed"><td>${riskBadge(v.risk)} <b class="name">${esc(cleanOptional(v.entity, 60, '(unnamed)'))}</b>${evBadge}<br><small>${esc(cleanText(v.category, 24))}</small>${bridgeMark(v.category)}</td>` +
        `<td>${hashHtml(fullAddress(v.address), addressUrl(v.chainId, v.address))}${chainBadge(v.chainId)}</td><td class="num">${v.hops}</td><td class="num">${v.arrivals}</td><td>${span}</td>` +
        `<td colspan="3">${traced}<br><small>${esc(NOT_ATTRIBUTED)}</small>${v.route === 'inference' ? `<br><small class="inferred">${esc(INFERRED_ROUTE)}</small>` : ''}</td><td>${esc(NOT_ATTRIBUTED)}</td></tr>`;
    })
    .join('\n');
  const venueRows = venues
    .map((v) => {
      const chainId = venueChain.get(v.address) ?? home;
      const ev = known.get(chainId, v.address);
      // How we know it is this venue: a label (a fact), or a heuristic's guess, or sources in conflict.
      const evBadge = ev ? ` <span class="ev ev-${ev.level}" title="${esc(evidenceLine(ev, v.address))}">${esc(ev.level === 'inferred' ? 'inferred' : ev.level)}</span>` : '';
      const span = v.first.txHash === v.last.txHash ? when(v.first.block, v.first.txHash, chainId) : `${when(v.first.block, v.first.txHash, chainId)}<br>to ${when(v.last.block, v.last.txHash, chainId)}`;
      return `<tr class="risk-${esc(v.venue.risk)}"><td>${riskBadge(v.venue.risk)} <b class="name">${esc(cleanOptional(v.venue.entity, 60, '(unnamed)'))}</b>${evBadge}<br><small>${esc(cleanText(v.venue.category, 24))}</small>${bridgeMark(v.venue.category)}</td>` +
        `<td>${hashHtml(fullAddress(v.address), addressUrl(chainId, v.address))}${chainBadge(chainId)}</td><td class="num">${v.hops}</td><td class="num">${v.arrivals}</td><td>${span}</td>` +
        TAINT_MODELS.map((m) => `<td class="num">${amounts(v.amounts[m])}</td>`).join('') +
        `<td>${esc(strength(v.support))}</td></tr>`;
    })
    .join('\n');

  // Hits in the venue table's order (a hit at a venue no model reached goes after those of its risk); the
  // known perpetrators the funds went through follow the venues, where they can be frozen.
  const kindRank = (h: Hit): number => HIT_KIND_ORDER[h.kind];
  const venueRank = new Map(venues.map((v, i) => [v.address, i]));
  const rankOf = (h: Hit): number => venueRank.get(h.address) ?? venues.length;
  const hitSections = [...res.hits]
    .sort((x, y) => kindRank(x) - kindRank(y) || riskRank(x.risk) - riskRank(y.risk) || rankOf(x) - rankOf(y))
    .map((h) => {
      const ev = hitEvidence(h);
      const deposit = depositLines(h, (x) => x).map((l) => esc(l.trim()));
      // What is known of the addresses on the path (an inference about an intermediary, a known perpetrator).
      const notes = pathNotes(h)
        .map((n) => `<li class="ev-${n.evidence.level}">${hashHtml(fullAddress(n.address), null)}: ${esc(evidenceLine(n.evidence, n.address, false))}</li>`)
        .join('');
      const what = h.kind === 'known-perpetrator' ? 'known perpetrator' : h.kind === 'exit' ? 'exit, not followed' : esc(cleanText(h.category, 24));
      return `<section class="hit risk-${esc(h.risk)}${h.exit ? ' exit' : ''}">\n<h3>${h.exit ? '<span class="badge exit">EXIT</span> ' : ''}${riskBadge(h.risk)} ${esc(cleanOptional(h.entity, 60, '(unnamed)'))} ` +
        `<span class="ev ev-${ev.level}" title="${esc(ev.detail)}">${esc(ev.text)}</span> ` +
        `<small>${what} · ${plural(h.hops, 'hop')} ${h.direction === 'out' ? 'from' : 'to'} seed ${hashHtml(fullAddress(h.seed), null)} · at ${hashHtml(fullAddress(h.address), null)}${chainBadge(hitChain(h, res))}</small></h3>\n` +
        (h.exit ? exitHtml(res, h.exit) : '') +
        `<p class="evidence ev-${h.evidence.level}"><b>evidence: ${esc(h.evidence.level)}</b> — ${esc(evidenceLine(h.evidence, h.address))}</p>\n` +
        (notes === '' ? '' : `<ul class="notes">${notes}</ul>\n`) +
        (deposit.length > 0 ? `<p class="deposit">${deposit.join('<br>')}</p>\n` : '') +
        pathViews(h).map((view) => pathTable(view, { names, tx, result: res, multi })).join('\n') +
        // What the main path by value carried, and how many other routes there are (graph/widest.ts).
        byValueLines(h, () => [], '').map((l) => `\n<p class="by-value">${esc(l.trim())}</p>`).join('') +
        '\n</section>';
    })
    .join('\n');

  const edgeRows = edgeTable(g, names, a.times, multi, home);

  const m = r.manifest;
  const manifestRows: [string, string][] = [
    ['tool', `hoptrace ${m.tool.version} (report schema ${m.reportSchemaVersion}, database schema ${m.databaseSchemaVersion})`],
    ['run', `#${m.run.id}, traced ${m.run.tracedAt} with hoptrace ${m.run.toolVersion}`],
    ['chain', `${m.chainId} via ${m.rpc.join(', ')}`],
    ...(multi ? [['chains', runChains(res).map((c) => `${chainLabel(res, c.chainId)}${c.home ? ' (home)' : ''} via ${c.rpc}, blocks ${c.fromBlock}–${c.toBlock}`).join('; ')] as [string, string]] : []),
    ['blocks', `${m.blockRange.fromBlock}–${m.blockRange.toBlock}`],
    ['labels', `data ${m.labels.dataVersion}, sha256 ${m.labels.sha256}, ${plural(m.labels.userLabels, 'user label')}`],
    ['parameters', JSON.stringify(m.params)],
    ['seeds', m.seeds.join(' ')],
    ['generated', m.generatedAt],
  ];

  const script = GRAPH_SCRIPT;
  const scriptHash = createHash('sha256').update(script).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src data:; base-uri 'none'; form-action 'none'`;
  const f = a.attribution;
  const exits = res.hits.filter((h) => h.kind === 'exit').length;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hoptrace report — run ${m.run.id}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>hoptrace report <small>run ${m.run.id}, ${multi ? `chains ${esc(runChains(res).map((c) => chainLabel(res, c.chainId)).join(', '))}` : `chain ${res.chainId}`}, blocks ${res.params.fromBlock}–${res.params.toBlock}</small></h1>
<section id="summary">
<h2>Summary</h2>
<table class="kv"><tbody>
<tr><th>seeds</th><td>${res.seeds.length}</td></tr>
<tr><th>venues reached</th><td>${esc(venuesReachedText(reached))}</td></tr>
<tr><th>hits (paths)</th><td>${res.hits.length} (${plural(res.hits.filter((h) => h.kind === 'venue').length, 'venue hit')}, ${plural(res.hits.filter((h) => h.kind === 'known-perpetrator').length, 'known perpetrator')}${exits > 0 ? `, ${plural(exits, 'exit')} to chains not followed` : ''})</td></tr>
${TAINT_MODELS.map((mm) => `<tr><th>left the seeds (${mm})</th><td>${amounts(f.seeded[mm])}</td></tr>`).join('\n')}
<tr><th>coverage warnings</th><td>${res.coverage.warnings.length === 0 ? 'none' : res.coverage.warnings.map((w) => esc(cleanText(w, 600))).join('<br>')}</td></tr>
</tbody></table>
</section>
<section id="venues">
<h2>Value that reached each venue <small>sanctioned and high-risk venues first, then by value (ETH under poison)</small></h2>
<div class="tw"><table id="venue-table"><thead><tr><th>venue</th><th>address${multi ? ', chain' : ''}</th><th>hops</th><th>arrivals</th><th>first – last arrival</th><th>poison</th><th>haircut</th><th>FIFO</th><th>models agree</th></tr></thead>
<tbody>
${[venueRows, unattributedRows].filter((x) => x !== '').join('\n') || '<tr><td colspan="9">No venue received tainted value under any model.</td></tr>'}
</tbody></table></div>
<ul class="models">${TAINT_MODELS.map((mm) => `<li><b>${mm}</b>: ${esc(MODEL_CITATIONS[mm])}</li>`).join('')}</ul>
${a.notes.map((n) => `<p class="note">${esc(cleanText(n, 600))}</p>`).join('\n')}
</section>
<section id="graph-section">
<h2>Traced graph <small>hover an edge for its amounts; drag to pan, wheel to zoom, double-click to fit; click a node or edge for details</small></h2>
<div id="legend"><span class="seed">seed</span> <span class="address">address</span> <span class="perp">known perpetrator</span> <span class="venue">venue</span> <span class="high">high risk</span> <span class="sanctioned">sanctioned</span>${multi ? ' <span class="bridge">bridge</span> <span class="dest">destination not followed</span>' : ''}</div>
<div id="graph-wrap"><svg id="graph" role="img" aria-label="traced graph" xmlns="http://www.w3.org/2000/svg"></svg></div>
<pre id="details">Click a node or an edge.</pre>
<details id="edges"${g.size <= 60 ? ' open' : ''}><summary>${plural(g.size, 'transfer')} in the graph</summary>
<div class="tw"><table id="edge-table"><thead><tr><th>hop</th><th>from</th><th>to</th><th>amount</th><th>transaction</th><th>time, block</th><th>tainted: poison</th><th>haircut</th><th>FIFO</th></tr></thead>
<tbody>
${edgeRows || '<tr><td colspan="9">No transfer was followed.</td></tr>'}
</tbody></table></div>
</details>
</section>
<section id="hits">
<h2>Paths <small>every hop with its evidence</small></h2>
${hitSections || '<p>No labelled venue reached.</p>'}
</section>
${[crossingSection(res, tx), frontierSection(res)].filter((x) => x !== '').map((x) => `${x}\n`).join('')}${inferenceSection(res.inferences ?? [])}
<section id="manifest">
<h2>Manifest</h2>
<table class="kv"><tbody>
${manifestRows.map(([k, v]) => `<tr><th>${esc(k)}</th><td class="mono wrap">${esc(cleanText(v, 4000))}</td></tr>`).join('\n')}
</tbody></table>
</section>
</main>
<script type="application/json" id="graph-data">${embedJson(graphData(g))}</script>
<script>${script}</script>
</body>
</html>
`;
}

const RISK_RANK: Record<string, number> = { sanctioned: 0, high: 1 };

/** Sanctioned before high risk before the rest: what an investigator acts on first. */
function riskRank(risk: string): number {
  return RISK_RANK[risk] ?? 2;
}

/**
 * Venues by risk, then by the ETH (native) value that reached them under poison, most first, then by name:
 * amounts of different tokens are not comparable, so the native coin decides.
 */
export function venueOrder(x: VenueFlow, y: VenueFlow): number {
  const byRisk = riskRank(x.venue.risk) - riskRank(y.venue.risk);
  if (byRisk !== 0) return byRisk;
  const vx = x.amounts.poison.get('native') ?? 0n;
  const vy = y.amounts.poison.get('native') ?? 0n;
  if (vx !== vy) return vx > vy ? -1 : 1;
  return (x.venue.entity ?? '').localeCompare(y.venue.entity ?? '');
}

function riskBadge(risk: string): string {
  const r = riskRank(risk);
  return r === 2 ? '' : `<span class="badge ${r === 0 ? 'sanctioned' : 'high'}">${r === 0 ? 'SANCTIONED' : 'HIGH RISK'}</span>`;
}

/** Every heuristic verdict of the run, apart from the hits: inferences, not labels (empty when none). */
function inferenceSection(list: NonNullable<FullReport['result']['inferences']>): string {
  if (list.length === 0) return '';
  const items = list.map((i) => `<li class="ev-${i.evidence.level}">${hashHtml(fullAddress(i.address), null)}: ${esc(evidenceLine(i.evidence, i.address))}</li>`);
  return `<section id="inferences">\n<h2>Inferences <small>heuristics, not labels: every address on the home chain the walk went through that a heuristic judged</small></h2>\n<ul class="notes">${items.join('')}</ul>\n</section>`;
}

/** The badge in a hit's heading: its evidence level (label, inferred, conflict), the details on hover. */
function hitEvidence(h: Hit): { level: Hit['evidence']['level']; text: string; detail: string } {
  const text = h.evidence.level === 'inferred' ? 'inferred: deposit address' : h.evidence.level;
  return { level: h.evidence.level, text, detail: evidenceLine(h.evidence, h.address) };
}

/** One way of showing how value reached a hit; a hit can have several (e.g. first found, main by value). */
interface PathView {
  title: string;
  steps: PathStep[];
}

/** The path views of a hit, in the order shown: the first path found, then the main path by value when it differs. */
function pathViews(h: Hit): PathView[] {
  const views: PathView[] = [{ title: 'first path found (fewest hops, then earliest)', steps: h.path }];
  const main = h.byValue?.path;
  const same = main && main.length === h.path.length && main.every((s, i) => s.txHash === h.path[i]?.txHash && s.ref === h.path[i]?.ref);
  if (main && !same) views.push({ title: 'main path by value (widest in time order)', steps: main });
  return views;
}

/** What a path table needs besides its steps. */
interface PathContext {
  names: ReadonlyMap<string, string>;
  tx: (hash: string, chainId: number) => string;
  result: FullReport['result'];
  /** The run spans several chains: each step names its chain. */
  multi: boolean;
}

/**
 * A path as a table. A step links its transaction on its own chain's explorer; a crossing step (from the
 * bridge contract on the chain left to the recipient the arrival paid) shows the exit transaction too, and
 * its link's evidence: the protocol's own link (a fact) or a heuristic match (an inference, with its
 * confidence and reasons).
 */
function pathTable(view: PathView, ctx: PathContext): string {
  const res = ctx.result;
  const rows = view.steps
    .map((s, i) => {
      const c = stepCrossing(s);
      const on = stepChain(s, res);
      const fromChain = c ? c.fromChainId : on;
      const chain = ctx.multi ? `<td>${esc(c ? `${runChainName(res, c.fromChainId)} → ${runChainName(res, c.toChainId)}` : runChainName(res, on))}</td>` : '';
      const evidence = c
        ? `<span class="ev ev-${c.link.evidence === 'fact' ? 'fact' : 'inferred'}" title="${esc(crossingLinkText(c))}">bridge · ${esc(cleanText(c.protocolName, 24))} · ${esc(c.link.evidence)}${c.link.evidence === 'fact' ? '' : `, ${esc(cleanText(c.link.confidence, 12))}`}</span>`
        : `<span class="ev ev-fact" title="an on-chain transfer, re-checkable with hoptrace verify">transfer · ${esc(cleanText(s.kind, 16))}</span>`;
      return (
        `<tr${c ? ' class="crossing"' : ''}><td class="num">${i + 1}</td>${chain}<td>${addressHtml(s.from, fromChain, ctx.names)}</td><td>${addressHtml(s.to, on, ctx.names)}</td>` +
        `<td class="num">${amountHtml(formatAssetAmount(s.amount, s.decimals, s.symbol, s.asset))}${s.swap ? `<br><small class="swap">${esc(swapText(s.swap))}</small>` : ''}` +
        (s.promised ? `<br><small class="promised">${esc(PROMISED_NOT_SEEN)}</small>` : '') +
        `</td>` +
        `<td>${ctx.tx(s.txHash, on)}<br><small class="mono">${esc(cleanText(s.ref, 60))}</small>` +
        (c ? `<br><small>exit tx</small> ${ctx.tx(c.exit.txHash, c.fromChainId)}` : '') +
        `</td>` +
        `<td><span class="nw">${esc(formatTime(s.timestamp))}</span><br><small>block ${s.blockNumber}</small> ${hashHtml(cleanText(s.blockHash, 70), null)}</td>` +
        `<td>${evidence}` +
        (s.toEvidence ? ` <span class="ev ev-${s.toEvidence.level}" title="${esc(evidenceLine(s.toEvidence, s.to))}">to: ${esc(s.toEvidence.level)}</span>` : '') +
        (c ? `<br><small class="link">${esc(crossingLinkText(c))}</small>` : '') +
        `</td></tr>`
      );
    })
    .join('\n');
  return `<div class="path"><h4>${esc(view.title)} <small>${plural(view.steps.length, 'transfer')}</small></h4>\n` +
    `<div class="tw"><table class="steps"><thead><tr><th>#</th>${ctx.multi ? '<th>chain</th>' : ''}<th>from</th><th>to</th><th>amount</th><th>transaction</th><th>time, block</th><th>evidence</th></tr></thead><tbody>\n${rows}\n</tbody></table></div></div>`;
}

/** An exit's facts and promise: where the protocol said it would pay, how much, and why the run stopped. */
function exitHtml(res: FullReport['result'], e: HitExit): string {
  return (
    `<p class="exit-line"><b>${esc(exitLine(e))}</b><br>to ${esc(exitDestination(res, e))} ${esc(cleanOptional(e.recipient.text, 100, '(no recipient)'))}: ${esc(promisedText(e.promised))} (${esc(cleanText(e.promised.asset ?? 'asset not named', 60))})</p>\n` +
    `<p class="evidence ev-fact"><b>exit: fact, amount promised</b> — ${esc(exitEvidenceText(e))} ${hashHtml(e.txHash, txUrl(e.chainId, e.txHash))}</p>\n`
  );
}

/** Every crossing the walk followed, both transactions linked on their own chains, with the link's evidence; empty when none. */
function crossingSection(res: FullReport['result'], tx: (hash: string, chainId: number) => string): string {
  const list = crossingsOf(res);
  if (list.length === 0) return '';
  const body = list
    .map(
      (c) =>
        `<tr><td>${esc(cleanText(c.protocolName, 40))}</td><td>${esc(`${chainLabel(res, c.fromChainId)} → ${chainLabel(res, c.toChainId)}`)}</td>` +
        `<td>${esc(cleanText(c.exit.event, 40))} ${tx(c.exit.txHash, c.fromChainId)}</td><td>${esc(cleanText(c.arrival.event, 40))} ${tx(c.arrival.txHash, c.toChainId)}</td>` +
        `<td>${hashHtml(fullAddress(c.to), addressUrl(c.toChainId, c.to))}</td><td class="num">${esc(promisedText(c.promised))}</td>` +
        `<td><span class="ev ev-${c.link.evidence === 'fact' ? 'fact' : 'inferred'}">${esc(c.link.evidence)}</span> ${esc(crossingLinkText(c))}</td></tr>`,
    )
    .join('\n');
  return `<section id="crossings">\n<h2>Crossings <small>followed from one chain into another: by the protocol's own link (a fact) or a heuristic match (an inference)</small></h2>\n` +
    `<div class="tw"><table id="crossing-table"><thead><tr><th>protocol</th><th>chains</th><th>exit</th><th>arrival</th><th>recipient</th><th>promised</th><th>link</th></tr></thead><tbody>\n${body}\n</tbody></table></div>\n</section>`;
}

/** The destinations not followed (TraceResult.frontier), with their source transactions linked; empty when none. */
function frontierSection(res: FullReport['result']): string {
  const rows = frontierOf(res);
  if (rows.length === 0) return '';
  const body = rows
    .map(
      (f) =>
        `<tr><td>${esc(f.chainId === null ? cleanOptional(f.chain, 40, 'unknown') : chainLabel(res, f.chainId))}</td><td>${hashHtml(cleanText(f.address, 100), f.chainId === null ? null : addressUrl(f.chainId, f.address))}</td>` +
        `<td>${esc(promisedText(f))}</td><td>${esc(cleanText(f.protocol, 40))}</td><td>${esc(chainLabel(res, f.fromChainId))}<br>${hashHtml(f.txHash, txUrl(f.fromChainId, f.txHash))}</td>` +
        `<td>${hashHtml(fullAddress(f.seed), null)}</td><td class="num">${f.hop}</td><td>${esc(cleanOptional(f.reasonText, 300, f.reason))}</td></tr>`,
    )
    .join('\n');
  return `<section id="frontier">\n<h2>Frontier <small>destinations not followed: <code>hoptrace export --format frontier</code> writes them as CSV for the next tool</small></h2>\n` +
    `<div class="tw"><table id="frontier-table"><thead><tr><th>chain</th><th>address</th><th>promised</th><th>protocol</th><th>from, source tx</th><th>seed</th><th>hop</th><th>reason</th></tr></thead><tbody>\n${body}\n</tbody></table></div>\n</section>`;
}

/** A formatted amount whose figure never breaks across lines; the asset's name may wrap after it. */
function amountHtml(text: string): string {
  const cut = text.indexOf(' ');
  return cut < 0 ? `<span class="amt">${esc(text)}</span>` : `<span class="amt"><span class="n">${esc(text.slice(0, cut))}</span>${esc(text.slice(cut))}</span>`;
}

/** Names the graph gives its labelled nodes (venues, seeds), for the tables' address cells. */
function nodeNames(g: TracedGraph): Map<string, string> {
  const out = new Map<string, string>();
  g.forEachNode((id, at) => {
    if (at.role !== 'address') out.set(id, at.role === 'seed' ? 'seed' : at.label);
  });
  return out;
}

function addressHtml(address: Address, chainId: number, names: ReadonlyMap<string, string>): string {
  const name = names.get(accountKey(chainId, address));
  return hashHtml(fullAddress(address), addressUrl(chainId, address)) + (name === undefined ? '' : `<br><small class="name">${esc(cleanText(name, 40))}</small>`);
}

/**
 * A hash or address shown as `0x3379…9bc`: the element holds the whole value (a copy copies all of it;
 * the title shows it), CSS hides the middle. Linked to `url` when given (an explorer page of its chain).
 */
function hashHtml(value: string, url: string | null): string {
  const full = esc(value);
  const inner = value.length > 16 ? `<span class="hx-h">${esc(value.slice(0, -6))}</span><span class="hx-t">${esc(value.slice(-6))}</span>` : full;
  return url !== null
    ? `<a href="${esc(url)}" rel="noreferrer" class="hx" title="${full}">${inner}</a>`
    : `<span class="hx" title="${full}">${inner}</span>`;
}

/** A graph node's address with its name (venues, seeds, bridges); a destination not followed shows its chain. */
function nodeHtml(g: TracedGraph, id: string, names: ReadonlyMap<string, string>, multi: boolean): string {
  const at = g.getNodeAttributes(id);
  const name = names.get(id);
  const shown = at.chainId < 0 ? cleanText(at.address, 100) : fullAddress(at.address);
  return hashHtml(shown, at.chainId < 0 ? null : addressUrl(at.chainId, at.address)) +
    (name === undefined ? '' : `<br><small class="name">${esc(cleanText(name, 40))}</small>`) +
    (multi ? `<br><small class="chain">${esc(cleanText(at.chain, 40))}</small>` : '');
}

function edgeTable(g: TracedGraph, names: ReadonlyMap<string, string>, times: ReadonlyMap<number, number>, multi: boolean, home: number): string {
  const rows: { hop: number; block: number; html: string }[] = [];
  g.forEachEdge((_key, at, s, t) => {
    const decimals = at.decimals === '' ? null : Number(at.decimals);
    const symbol = at.symbol === '' ? null : at.symbol;
    const fmt = (v: string): string => amountHtml(formatAssetAmount(BigInt(v), decimals, symbol, at.asset));
    // Headers are stored for some blocks only (the arrival times the report shows): no time is no claim.
    // Block times are read on the home chain: another chain's block number says nothing of it.
    const time = at.chainId === home && at.kind !== 'bridge' ? times.get(at.blockNumber) : undefined;
    // A crossing or an exit carries no taint figures (no model ran on it); its amount is what the arrival paid or the protocol promised.
    const taint = (v: string): string => (v === '' ? '<td class="num">n/a</td>' : `<td class="num">${v === at.amount ? 'all' : v === '0' ? '—' : fmt(v)}</td>`);
    const amount = at.amount === '' || at.kind === 'exit' ? esc(at.value) : fmt(at.amount);
    const kind = at.kind === 'bridge' || at.kind === 'exit' ? `<br><small>${esc(at.kind)} · ${esc(at.protocol)} · ${esc(at.evidence)}${at.confidence === '' || at.confidence === 'certain' ? '' : `, ${esc(at.confidence)}`}</small>` : '';
    rows.push({
      hop: at.hop,
      block: at.blockNumber,
      html: `<tr><td class="num">${at.hop}</td><td>${nodeHtml(g, s, names, multi)}</td><td>${nodeHtml(g, t, names, multi)}</td><td class="num">${amount}${kind}</td>` +
        `<td>${hashHtml(at.txHash, txUrl(at.chainId, at.txHash))}</td><td>${time === undefined ? '' : `<span class="nw">${esc(formatTime(time))}</span><br>`}<small>block ${at.blockNumber}</small></td>` +
        [at.taintPoison, at.taintHaircut, at.taintFifo].map(taint).join('') + '</tr>',
    });
  });
  return rows
    .sort((x, y) => x.hop - y.hop || x.block - y.block)
    .map((r) => r.html)
    .join('\n');
}

/** JSON safe inside a `<script>` element: nothing can close the element or start a comment or CDATA. */
function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Longest node label drawn in the graph; the tooltip and the details pane carry the whole label. */
const GRAPH_LABEL_MAX = 28;
/** Vertical distance between two nodes of one hop, in SVG units (the node box is 22 high). */
const ROW_HEIGHT = 34;

interface GraphNode {
  /** The node's key: `eip155:<chain id>:<address>`, or `exit:…` for a destination not followed. */
  id: string;
  label: string;
  fullLabel: string;
  /** The address as its chain spells it, and the chain's name (the tooltip and details pane show both). */
  address: string;
  chain: string;
  role: string;
  risk: string;
  category: string;
  hop: number;
  /** Evidence level of the address (label, inferred, conflict; empty when nothing is known). */
  evidence: string;
  /** Vertical position; the script places columns horizontally once it has measured the labels. */
  y: number;
  /** No traced transfer touches it (a seed that sent nothing followed): drawn in a block under the layers. */
  alone: boolean;
}

interface GraphLink {
  source: string;
  target: string;
  /** Sum per asset of the transfers between the two, formatted: what the edge's tooltip leads with. */
  total: string;
  /** Each movement: its chain (the target's), kind, evidence and the explorer page of its transaction on that chain (null: none listed). */
  transfers: { amount: string; tx: string; ref: string; block: number; chain: string; kind: string; evidence: string; url: string | null; taint: { poison: string; haircut: string; fifo: string } }[];
}

/**
 * Nodes in layers by hop, each placed level with the mean of the nodes that paid it where room allows
 * (a chain of single transfers is a straight line), and one link per pair of addresses with all the
 * transfers between them.
 */
function graphData(g: TracedGraph): { nodes: GraphNode[]; links: GraphLink[] } {
  const byHop = new Map<number, string[]>();
  g.forEachNode((id, at) => {
    if (g.degree(id) === 0) return;
    const col = byHop.get(at.hop) ?? [];
    col.push(id);
    byHop.set(at.hop, col);
  });
  const y = new Map<string, number>();
  for (const hop of [...byHop.keys()].sort((p, q) => p - q)) {
    const want = (id: string): number => {
      const from = g.inNeighbors(id).filter((p) => y.has(p) && g.getNodeAttribute(p, 'hop') < hop);
      return from.length === 0 ? Infinity : from.reduce((sum, p) => sum + y.get(p)!, 0) / from.length;
    };
    const col = byHop.get(hop)!.map((id, i) => ({ id, i, want: want(id) })).sort((p, q) => p.want - q.want || p.i - q.i);
    let next = 0;
    for (const n of col) {
      const at = Number.isFinite(n.want) ? Math.max(next, n.want) : next;
      y.set(n.id, at);
      next = at + ROW_HEIGHT;
    }
  }
  const nodes: GraphNode[] = [];
  // Over several chains a drawn label names its chain too: the same address on two chains is two nodes.
  const chains = new Set<number>();
  g.forEachNode((_id, at) => void chains.add(at.chainId));
  g.forEachNode((id, at) => {
    const label = chains.size > 1 ? `${cleanText(at.label, GRAPH_LABEL_MAX)} · ${cleanText(at.chain, 16)}` : cleanText(at.label, GRAPH_LABEL_MAX);
    nodes.push({ id, label, fullLabel: at.label, address: at.address, chain: at.chain, role: at.role, risk: at.risk, category: at.category, hop: at.hop, evidence: at.evidence, y: y.get(id) ?? 0, alone: g.degree(id) === 0 });
  });
  const links = new Map<string, { link: GraphLink; sums: Map<string, { amount: bigint; decimals: number | null; symbol: string | null; text: string | null }> }>();
  g.forEachEdge((_key, at, s, t) => {
    const key = `${s}>${t}`;
    const entry = links.get(key) ?? { link: { source: s, target: t, total: '', transfers: [] as GraphLink['transfers'] }, sums: new Map() };
    links.set(key, entry);
    const decimals = at.decimals === '' ? null : Number(at.decimals);
    const symbol = at.symbol === '' ? null : at.symbol;
    const fmt = (v: string): string => formatAssetAmount(BigInt(v), decimals, symbol, at.asset);
    // A crossing or exit: no model ran on it (no taint figures); an exit's amount is the protocol's promise.
    const figure = (v: string): string => (v === '' ? 'n/a' : fmt(v));
    const promise = at.kind === 'exit' || at.amount === '';
    entry.link.transfers.push({
      amount: promise ? at.value : fmt(at.amount), tx: at.txHash, ref: at.ref, block: at.blockNumber,
      // An exit's transaction is on the chain it left (its target is the destination, e.g. Bitcoin).
      chain: g.getNodeAttribute(at.kind === 'exit' ? s : t, 'chain'), kind: at.kind,
      evidence: at.evidence + (at.confidence === '' ? '' : `, ${at.confidence}`), url: txUrl(at.chainId, at.txHash),
      taint: { poison: figure(at.taintPoison), haircut: figure(at.taintHaircut), fifo: figure(at.taintFifo) },
    });
    if (promise) return void entry.sums.set(`${at.asset}:promised`, { amount: -1n, decimals, symbol, text: at.value });
    const sum = entry.sums.get(at.asset) ?? { amount: 0n, decimals, symbol, text: null };
    sum.amount += BigInt(at.amount);
    entry.sums.set(at.asset, sum);
  });
  for (const { link, sums } of links.values()) {
    link.total = [...sums].map(([asset, v]) => v.text ?? formatAssetAmount(v.amount, v.decimals, v.symbol, asset)).join(', ');
  }
  return { nodes, links: [...links.values()].map((l) => l.link) };
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}
main{max-width:1600px;margin:0 auto;padding:1em 1.5em}
h1 small,h2 small,h3 small,h4 small{font-weight:normal;color:#666;font-size:80%}
h3{margin:1.2em 0 .3em}h4{margin:.6em 0 .2em;font-size:100%}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
thead th{background:#f2f2f2;white-space:nowrap}
.tw{max-width:100%;overflow-x:auto}
.num{text-align:right}.nw{white-space:nowrap}.amt{overflow-wrap:anywhere}.amt .n{white-space:nowrap}.name{overflow-wrap:anywhere}.mono{font-family:ui-monospace,monospace;font-size:12px}.wrap{overflow-wrap:anywhere}
.hx{font-family:ui-monospace,monospace;font-size:12px;white-space:nowrap}
.hx-h{display:inline-block;max-width:8ch;overflow:hidden;text-overflow:ellipsis;vertical-align:bottom}
@media (min-width:1700px){.hx-h{max-width:13ch}}
small .hx,h3 .hx{font-size:90%}
tr.risk-sanctioned td:first-child .name{color:#b00}tr.risk-high td:first-child .name{color:#c60}
.badge{display:inline-block;padding:0 5px;border-radius:3px;color:#fff;font-size:11px;font-weight:bold;vertical-align:middle}
.badge.sanctioned{background:#d62728}.badge.high{background:#e67300}
.ev{display:inline-block;padding:0 5px;border-radius:3px;font-size:11px;font-weight:normal;border:1px solid;white-space:nowrap;vertical-align:middle}
.ev-label,.ev-fact{color:#1a5e1a;border-color:#8c8;background:#f0fff0}.ev-inferred{color:#8a5a00;border-color:#db4;background:#fffbe8}.ev-conflict{color:#a00;border-color:#e88;background:#fff0f0}
.hit{border-top:1px solid #ddd}.src,.deposit{margin:.2em 0;color:#444}.deposit{color:#8a5a00}
#graph-wrap{width:fit-content;max-width:100%;max-height:80vh;overflow:auto;border:1px solid #ccc;background:#fafafa}
#graph{display:block;cursor:grab}
#graph .node text{font-size:12px}#graph .caption{font-size:12px;fill:#666}
#graph .lbg{fill:#fff;fill-opacity:.9;stroke:#ddd}
#graph .edge{fill:none;stroke:#999;stroke-width:1.5}
#graph .hit{fill:none;stroke:transparent;stroke-width:10;cursor:pointer}
#graph .link:hover .edge,#graph .edge.on{stroke:#d62728;stroke-width:3}
#details{background:#f4f4f4;padding:.5em;white-space:pre-wrap;overflow-wrap:anywhere}
#legend span{display:inline-block;padding:0 6px;border-radius:3px;color:#fff}
.seed{background:#1f77b4}.address{background:#7f7f7f}.perp{background:#9467bd}.venue{background:#2ca02c}.high{background:#ff7f0e}.sanctioned{background:#d62728}#legend .bridge{background:#17becf}#legend .dest{background:#8c564b}
.chain{display:inline-block;padding:0 4px;border-radius:3px;background:#eef;color:#335;font-size:11px}small.chain{background:none;padding:0}
.badge.exit{background:#8c564b}.exit-line{margin:.2em 0}small.link{color:#555}tr.crossing td{background:#f3fbfd}
.kv th{white-space:nowrap}
.note{color:#a60}`;

/**
 * The page's only script: lays out and draws the graph from #graph-data with DOM calls (text through
 * textContent only), fits the view box to what it drew, then marks the body with what the browser test
 * checks: `data-graph="drawn"`, the node and transfer counts, the drawn box against the view box, the
 * page's horizontal overflow, tables that need their own scroll bar, the tallest row of a path table, and
 * how many edges run through a label.
 */
const GRAPH_SCRIPT = `
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var GAP = 70, PAD = 12, ROW = ${ROW_HEIGHT};
  var data = JSON.parse(document.getElementById('graph-data').textContent);
  var svg = document.getElementById('graph');
  var wrap = document.getElementById('graph-wrap');
  var details = document.getElementById('details');
  var colour = function (n) {
    if (n.role === 'seed') return '#1f77b4';
    if (n.role === 'known-perpetrator') return '#9467bd';
    if (n.role === 'bridge') return '#17becf';
    if (n.role === 'destination') return '#8c564b';
    if (n.risk === 'sanctioned') return '#d62728';
    if (n.risk === 'high') return '#ff7f0e';
    if (n.role === 'venue') return '#2ca02c';
    return '#7f7f7f';
  };
  var el = function (name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    parent.appendChild(e);
    return e;
  };
  var defs = el('defs', {}, svg);
  var marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto', markerUnits: 'userSpaceOnUse' }, defs);
  el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#999' }, marker);
  var view = el('g', {}, svg);
  var edgeLayer = el('g', {}, view);
  var nodeLayer = el('g', {}, view);
  var byId = {};
  var colWidth = {};
  data.nodes.forEach(function (n) {
    byId[n.id] = n;
    n.r = n.role === 'address' ? 6 : 8;
    n.g = el('g', { 'class': 'node' }, nodeLayer);
    n.bg = el('rect', { 'class': 'lbg', rx: 3, ry: 3 }, n.g);
    el('circle', { r: n.r, fill: colour(n), stroke: '#fff', 'stroke-width': 2 }, n.g);
    var label = el('text', { x: n.r + 6, y: 4 }, n.g);
    label.textContent = n.label;
    var tw = label.getComputedTextLength();
    n.bg.setAttribute('x', String(n.r + 2)); n.bg.setAttribute('y', '-11');
    n.bg.setAttribute('width', String(tw + 8)); n.bg.setAttribute('height', '22');
    n.w = n.r + 10 + tw;
    if (!n.alone) colWidth[n.hop] = Math.max(colWidth[n.hop] || 0, n.w + n.r);
    var title = el('title', {}, n.g);
    title.textContent = n.fullLabel + '\\n' + n.address + ' on ' + n.chain + (n.category ? ' — ' + n.category : '') + ', hop ' + n.hop;
  });
  var hops = Object.keys(colWidth).map(Number).sort(function (p, q) { return p - q; });
  var colX = {}, x = 0;
  hops.forEach(function (h) { colX[h] = x; x += colWidth[h] + GAP; });
  // Addresses no edge touches (seeds that sent nothing followed) would make one tall column of their own:
  // they go in rows under the layers instead, as wide as the layers or the page, whichever is wider.
  var alone = data.nodes.filter(function (n) { return n.alone; });
  var bottom = -ROW;
  data.nodes.forEach(function (n) { if (!n.alone) bottom = Math.max(bottom, n.y); });
  if (alone.length > 0) {
    var caption = el('text', { x: 0, y: bottom + ROW + 8, 'class': 'caption' }, nodeLayer);
    caption.textContent = alone.length + (alone.length === 1 ? ' address' : ' addresses') + ' with no followed transfer:';
    var limit = Math.max(300, x - GAP, wrap.parentNode.clientWidth - 2 * PAD - 4), cx = 0, cy = bottom + 2 * ROW;
    alone.forEach(function (n) {
      if (cx > 0 && cx + n.w + n.r > limit) { cx = 0; cy += ROW; }
      n.x = cx + n.r; n.y = cy;
      cx += n.w + n.r + 24;
    });
  }
  data.nodes.forEach(function (n) {
    if (!n.alone) n.x = colX[n.hop] + n.r;
    n.g.setAttribute('transform', 'translate(' + n.x + ',' + n.y + ')');
  });
  var transfers = 0;
  var edgeEls = [];
  data.links.forEach(function (e) {
    var s = byId[e.source], t = byId[e.target];
    if (!s || !t) return;
    var x1 = s.x + s.w, y1 = s.y, x2 = t.x - t.r - 1, y2 = t.y, d;
    if (x2 > x1) {
      var c = (x2 - x1) / 2;
      d = 'M' + x1 + ',' + y1 + ' C' + (x1 + c) + ',' + y1 + ' ' + (x2 - c) + ',' + y2 + ' ' + x2 + ',' + y2;
    } else if (s.hop === t.hop) {
      // Within one hop: a bow through the gap left of the column, from circle to circle, clear of labels.
      var bow = Math.min(GAP - 10, 20 + Math.abs(y2 - y1) / 4);
      x1 = s.x - s.r;
      d = 'M' + x1 + ',' + y1 + ' C' + (x1 - bow) + ',' + y1 + ' ' + (x2 - bow) + ',' + y2 + ' ' + x2 + ',' + y2;
    } else {
      // Back to an earlier hop: a loop under both nodes.
      var low = Math.max(y1, y2) + 26;
      d = 'M' + x1 + ',' + y1 + ' C' + (x1 + 40) + ',' + low + ' ' + (x2 - 40) + ',' + low + ' ' + x2 + ',' + y2;
    }
    // A wide transparent stroke under the visible one: a 1.5-unit line is too thin to find with a mouse.
    var link = el('g', { 'class': 'link', 'data-transfers': e.transfers.length }, edgeLayer);
    el('path', { d: d, 'class': 'hit' }, link);
    var path = el('path', { d: d, 'class': 'edge', 'marker-end': 'url(#arrow)' }, link);
    var title = el('title', {}, link);
    title.textContent = s.fullLabel + ' → ' + t.fullLabel + ': ' + e.total + (e.transfers.length === 1 ? '' : ' in ' + e.transfers.length + ' transfers') +
      e.transfers.map(function (x) { return '\\n' + x.amount + ' — tx ' + x.tx + ' (' + x.ref + '), block ' + x.block; }).join('');
    link.addEventListener('click', function (ev) {
      ev.stopPropagation();
      details.textContent = 'transfers ' + e.source + ' → ' + e.target + ': ' + e.total + e.transfers.map(function (x) {
        return '\\n' + x.amount + ' — tx ' + x.tx + ' ' + x.ref + ', block ' + x.block + '; tainted: poison ' + x.taint.poison + ', haircut ' + x.taint.haircut + ', FIFO ' + x.taint.fifo +
          (x.kind === 'bridge' || x.kind === 'exit' ? '\\n  ' + x.kind + ' on ' + x.chain + ', evidence ' + x.evidence : '') +
          (x.url ? '\\n  ' + x.url : '');
      }).join('');
    });
    transfers += e.transfers.length;
    edgeEls.push({ e: e, path: path });
  });
  data.nodes.forEach(function (n) {
    n.g.addEventListener('click', function (ev) {
      ev.stopPropagation();
      details.textContent = n.fullLabel + '\\n' + n.address + ' on ' + n.chain + '\\nrole ' + n.role + (n.risk ? ', risk ' + n.risk : '') + (n.category ? ', ' + n.category : '') + ', hop ' + n.hop;
      edgeEls.forEach(function (x) {
        var on = x.e.source === n.id || x.e.target === n.id;
        x.path.setAttribute('class', on ? 'edge on' : 'edge');
      });
    });
  });
  var box = view.getBBox();
  var fit = { x: box.x - PAD, y: box.y - PAD, w: box.width + 2 * PAD, h: box.height + 2 * PAD };
  var vb = { x: fit.x, y: fit.y, w: fit.w, h: fit.h };
  var apply = function () { svg.setAttribute('viewBox', vb.x + ' ' + vb.y + ' ' + vb.w + ' ' + vb.h); };
  // One SVG unit is one CSS pixel where the graph fits; a wider graph is shrunk to the page down to 60 %,
  // then scrolls inside its own box. The element keeps the view box's proportions: no empty margins.
  var scale = Math.min(1, Math.max(0.6, (wrap.parentNode.clientWidth - 2) / fit.w));
  svg.setAttribute('width', String(Math.round(fit.w * scale)));
  svg.setAttribute('height', String(Math.round(fit.h * scale)));
  apply();
  svg.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var k = ev.deltaY < 0 ? 0.9 : 1.1;
    vb.x += vb.w * (1 - k) / 2; vb.y += vb.h * (1 - k) / 2; vb.w *= k; vb.h *= k;
    apply();
  }, { passive: false });
  svg.addEventListener('dblclick', function () { vb = { x: fit.x, y: fit.y, w: fit.w, h: fit.h }; apply(); });
  var drag = null;
  svg.addEventListener('mousedown', function (ev) { drag = { x: ev.clientX, y: ev.clientY }; });
  window.addEventListener('mouseup', function () { drag = null; });
  svg.addEventListener('mousemove', function (ev) {
    if (!drag) return;
    var k = vb.w / (svg.clientWidth || vb.w);
    vb.x -= (ev.clientX - drag.x) * k; vb.y -= (ev.clientY - drag.y) * k;
    drag = { x: ev.clientX, y: ev.clientY };
    apply();
  });
  // Edges through labels: points along each edge inside another node's label box (bounded work).
  var crossings = -1;
  if (edgeEls.length * data.nodes.length <= 200000) {
    crossings = 0;
    edgeEls.forEach(function (x) {
      var len = x.path.getTotalLength();
      var hit = {};
      for (var i = 1; i < 24; i++) {
        var p = x.path.getPointAtLength(len * i / 24);
        data.nodes.forEach(function (n) {
          var bx = n.x + n.r + 2, bw = n.w - n.r - 2;
          if (p.x > bx + 1 && p.x < bx + bw - 1 && p.y > n.y - 10 && p.y < n.y + 10) hit[n.id] = true;
        });
      }
      crossings += Object.keys(hit).length;
    });
  }
  var body = document.body, rect = svg.getBoundingClientRect();
  body.setAttribute('data-graph', 'drawn');
  body.setAttribute('data-graph-nodes', String(svg.querySelectorAll('g.node').length));
  body.setAttribute('data-graph-edges', String(transfers));
  body.setAttribute('data-graph-links', String(svg.querySelectorAll('path.edge').length));
  body.setAttribute('data-graph-fit', [box.width, box.height, fit.w, fit.h, rect.width, rect.height].map(function (v) { return Math.round(v); }).join(' '));
  body.setAttribute('data-graph-crossings', String(crossings));
  body.setAttribute('data-overflow-x', String(document.documentElement.scrollWidth - document.documentElement.clientWidth));
  var wide = 0;
  document.querySelectorAll('.tw').forEach(function (w) { if (w.scrollWidth > w.clientWidth) wide++; });
  body.setAttribute('data-tables-scrolled', String(wide));
  var tallest = 0;
  document.querySelectorAll('table.steps tbody tr').forEach(function (tr) { tallest = Math.max(tallest, tr.getBoundingClientRect().height); });
  body.setAttribute('data-path-row-max', String(Math.round(tallest)));
})();
`;
