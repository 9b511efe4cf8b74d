import { createHash } from 'node:crypto';
import { TAINT_MODELS } from '../graph/index.js';
import type { Address } from '../types.js';
import { fullAddress, shortAddress } from './address.js';
import { formatAssetAmount } from './amount.js';
import { MODEL_CITATIONS, strength } from './attribution.js';
import { tracedGraph } from './export.js';
import { amountList, type FullReport } from './full.js';
import { cleanOptional, cleanText, escapeMarkup as esc } from './sanitize.js';
import { byValueLines, formatTime } from './text.js';
import type { PathStep } from '../trace/result.js';

/**
 * `--format html`: one self-contained file, readable from disk without a server or a network. A summary
 * table, the flows per venue, the hits' paths (every hop linked to its transaction) and an interactive
 * graph of the traced subgraph.
 *
 * The graph is laid out here (column = hop from the seed, rows in order of first appearance) and drawn
 * as SVG by a small inline script with pan, zoom, hover and click. We chose this over a graph library
 * (sigma.js, cytoscape) because those are hundreds of kB to inline, need WebGL or a canvas that headless
 * Chromium without a GPU draws unreliably, and a layered layout reads better for hop-by-hop money flows.
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
  const explorer = EXPLORERS.get(res.chainId);
  const txLink = (hash: string, short = false): string => {
    const h = /^0x[0-9a-f]{64}$/i.test(hash) ? hash : '';
    const full = esc(cleanText(hash, 70));
    const text = short && h !== '' ? `${h.slice(0, 10)}…${h.slice(-6)}` : full;
    return explorer && h !== ''
      ? `<a href="${esc(explorer + h)}" rel="noreferrer" class="mono" title="${full}">${text}</a>`
      : `<span class="mono" title="${full}">${text}</span>`;
  };
  const amounts = (m: Parameters<typeof amountList>[0]): string => esc(amountList(m, a));

  const venueRows = a.attribution.venues
    .map(
      (v) => `<tr class="risk-${esc(v.venue.risk)}"><td>${esc(cleanOptional(v.venue.entity, 60, '(unnamed)'))}</td><td>${esc(cleanText(v.venue.category, 24))}</td>` +
        `<td>${esc(cleanText(v.venue.risk, 16))}</td><td class="mono" title="${esc(fullAddress(v.address))}">${esc(shortAddress(v.address))}</td>` +
        `<td>${v.hops}</td><td>${v.arrivals}</td><td>${esc(formatTime(a.times.get(v.first.block) ?? null))}<br>${txLink(v.first.txHash, true)}</td>` +
        `<td>${esc(formatTime(a.times.get(v.last.block) ?? null))}<br>${txLink(v.last.txHash, true)}</td>` +
        TAINT_MODELS.map((m) => `<td class="num">${amounts(v.amounts[m])}</td>`).join('') +
        `<td>${esc(strength(v.support))}</td></tr>`,
    )
    .join('\n');

  const hitSections = res.hits
    .map((h) => {
      const stepRows = (path: PathStep[]): string => path
        .map(
          (s, i) => `<tr><td>${i + 1}</td><td class="mono">${esc(fullAddress(s.from))}</td><td class="mono">${esc(fullAddress(s.to))}</td>` +
            `<td class="num">${esc(formatAssetAmount(s.amount, s.decimals, s.symbol, s.asset))}</td><td>${txLink(s.txHash)}</td>` +
            `<td>${s.blockNumber}</td><td class="mono">${esc(cleanText(s.blockHash, 70))}</td><td>${esc(cleanText(s.ref, 40))}</td><td>${esc(formatTime(s.timestamp))}</td></tr>`,
        )
        .join('\n');
      const steps = stepRows(h.path);
      const head = '<table><thead><tr><th>#</th><th>from</th><th>to</th><th>amount</th><th>transaction</th><th>block</th><th>block hash</th><th>ref</th><th>time</th></tr></thead><tbody>\n';
      // The main path by value (graph/widest.ts), as a table of its own when it is not the path above.
      const byValue = byValueLines(h, (p) => [`${head}${stepRows(p)}\n</tbody></table>`], '')
        .map((l) => (l.startsWith('<table>') ? l : `<p class="by-value">${esc(l.trim())}</p>`))
        .join('\n');
      return `<h3>${esc(cleanOptional(h.entity, 60, '(unnamed)'))} <small>${esc(cleanText(h.risk, 16))}, ${h.hops} hop(s) from seed <span class="mono">${esc(fullAddress(h.seed))}</span></small></h3>\n` +
        `<table><thead><tr><th>#</th><th>from</th><th>to</th><th>amount</th><th>transaction</th><th>block</th><th>block hash</th><th>ref</th><th>time</th></tr></thead><tbody>\n${steps}\n</tbody></table>` +
        (byValue === '' ? '' : `\n${byValue}`);
    })
    .join('\n');

  const m = r.manifest;
  const manifestRows: [string, string][] = [
    ['tool', `hoptrace ${m.tool.version} (report schema ${m.reportSchemaVersion}, database schema ${m.databaseSchemaVersion})`],
    ['run', `#${m.run.id}, traced ${m.run.tracedAt} with hoptrace ${m.run.toolVersion}`],
    ['chain', `${m.chainId} via ${m.rpc.join(', ')}`],
    ['blocks', `${m.blockRange.fromBlock}–${m.blockRange.toBlock}`],
    ['labels', `data ${m.labels.dataVersion}, sha256 ${m.labels.sha256}, ${m.labels.userLabels} user label(s)`],
    ['parameters', JSON.stringify(m.params)],
    ['seeds', m.seeds.join(' ')],
    ['generated', m.generatedAt],
  ];

  const script = GRAPH_SCRIPT;
  const scriptHash = createHash('sha256').update(script).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src data:; base-uri 'none'; form-action 'none'`;
  const f = a.attribution;

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
<h1>hoptrace report <small>run ${m.run.id}, chain ${res.chainId}, blocks ${res.params.fromBlock}–${res.params.toBlock}</small></h1>
<section id="summary">
<h2>Summary</h2>
<table><tbody>
<tr><th>seeds</th><td>${res.seeds.length}</td></tr>
<tr><th>venues reached</th><td>${f.venues.length} (${f.venues.filter((v) => v.venue.risk === 'sanctioned').length} sanctioned)</td></tr>
<tr><th>hits (paths)</th><td>${res.hits.length}</td></tr>
${TAINT_MODELS.map((mm) => `<tr><th>left the seeds (${mm})</th><td class="num">${amounts(f.seeded[mm])}</td></tr>`).join('\n')}
<tr><th>coverage warnings</th><td>${res.coverage.warnings.length === 0 ? 'none' : res.coverage.warnings.map((w) => esc(cleanText(w, 600))).join('<br>')}</td></tr>
</tbody></table>
</section>
<section id="venues">
<h2>Value that reached each venue</h2>
<table><thead><tr><th>venue</th><th>category</th><th>risk</th><th>address</th><th>hops</th><th>arrivals</th><th>first</th><th>last</th><th>poison</th><th>haircut</th><th>FIFO</th><th>models agree</th></tr></thead>
<tbody>
${venueRows || '<tr><td colspan="12">No venue received tainted value under any model.</td></tr>'}
</tbody></table>
<ul class="models">${TAINT_MODELS.map((mm) => `<li><b>${mm}</b>: ${esc(MODEL_CITATIONS[mm])}</li>`).join('')}</ul>
${a.notes.map((n) => `<p class="note">${esc(cleanText(n, 600))}</p>`).join('\n')}
</section>
<section id="graph-section">
<h2>Traced graph <small>drag to pan, wheel to zoom, click a node for details</small></h2>
<div id="legend"><span class="seed">seed</span> <span class="address">address</span> <span class="venue">venue</span> <span class="high">high risk</span> <span class="sanctioned">sanctioned</span></div>
<svg id="graph" role="img" aria-label="traced graph" xmlns="http://www.w3.org/2000/svg"></svg>
<pre id="details">Click a node or an edge.</pre>
</section>
<section id="hits">
<h2>Paths (every hop with its evidence)</h2>
${hitSections || '<p>No labelled venue reached.</p>'}
</section>
<section id="manifest">
<h2>Manifest</h2>
<table><tbody>
${manifestRows.map(([k, v]) => `<tr><th>${esc(k)}</th><td class="mono">${esc(cleanText(v, 4000))}</td></tr>`).join('\n')}
</tbody></table>
</section>
<script type="application/json" id="graph-data">${embedJson(graphData(r, explorer ?? null))}</script>
<script>${script}</script>
</body>
</html>
`;
}

/** Explorers by chain id, for links from a transaction hash (a link; nothing is fetched). */
const EXPLORERS = new Map<number, string>([
  [1, 'https://etherscan.io/tx/'],
  [10, 'https://optimistic.etherscan.io/tx/'],
  [56, 'https://bscscan.com/tx/'],
  [137, 'https://polygonscan.com/tx/'],
  [8453, 'https://basescan.org/tx/'],
  [42161, 'https://arbiscan.io/tx/'],
]);

/** JSON safe inside a `<script>` element: nothing can close the element or start a comment or CDATA. */
function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

interface GraphNode {
  id: Address;
  label: string;
  role: string;
  risk: string;
  category: string;
  hop: number;
  x: number;
  y: number;
}

/** Nodes with a layered layout (x = hop, y = order within the hop) and edges with their evidence. */
function graphData(r: FullReport, explorer: string | null): { nodes: GraphNode[]; edges: unknown[]; explorer: string | null } {
  const g = tracedGraph(r.attribution, r.manifest.seeds);
  const perHop = new Map<number, number>();
  const nodes: GraphNode[] = [];
  g.forEachNode((id, at) => {
    const row = perHop.get(at.hop) ?? 0;
    perHop.set(at.hop, row + 1);
    nodes.push({ id, label: at.label, role: at.role, risk: at.risk, category: at.category, hop: at.hop, x: 60 + at.hop * 220, y: 40 + row * 56 });
  });
  const edges: unknown[] = [];
  g.forEachEdge((_key, at, s, t) => {
    edges.push({
      source: s,
      target: t,
      tx: at.txHash,
      ref: at.ref,
      block: at.blockNumber,
      amount: formatAssetAmount(BigInt(at.amount), at.decimals === '' ? null : Number(at.decimals), at.symbol === '' ? null : at.symbol, at.asset),
      taint: { poison: at.taintPoison, haircut: at.taintHaircut, fifo: at.taintFifo },
    });
  });
  return { nodes, edges, explorer };
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1 small,h2 small,h3 small{font-weight:normal;color:#666}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
.num{text-align:right;white-space:nowrap}.mono{font-family:ui-monospace,monospace;font-size:12px}
tr.risk-sanctioned td:first-child{color:#b00;font-weight:bold}tr.risk-high td:first-child{color:#c60;font-weight:bold}
#graph{width:100%;height:480px;border:1px solid #ccc;cursor:grab;background:#fafafa}
#details{background:#f4f4f4;padding:.5em;white-space:pre-wrap}
#legend span{display:inline-block;padding:0 6px;border-radius:3px;color:#fff}
.seed{background:#1f77b4}.address{background:#7f7f7f}.venue{background:#2ca02c}.high{background:#ff7f0e}.sanctioned{background:#d62728}
.note{color:#a60}`;

/**
 * The page's only script: draws the graph from #graph-data with DOM calls (text through textContent
 * only), then marks the body `data-graph="drawn"` with the counts (what the browser test checks).
 */
const GRAPH_SCRIPT = `
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var data = JSON.parse(document.getElementById('graph-data').textContent);
  var svg = document.getElementById('graph');
  var details = document.getElementById('details');
  var colour = function (n) {
    if (n.role === 'seed') return '#1f77b4';
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
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var defs = el('defs', {}, svg);
  var marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 18, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' }, defs);
  el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#999' }, marker);
  var view = el('g', {}, svg);
  var edgeEls = [];
  data.edges.forEach(function (e) {
    var s = byId[e.source], t = byId[e.target];
    if (!s || !t) return;
    var line = el('line', { x1: s.x, y1: s.y, x2: t.x, y2: t.y, stroke: '#999', 'stroke-width': 1.5, 'marker-end': 'url(#arrow)', 'class': 'edge' }, view);
    var title = el('title', {}, line);
    title.textContent = e.amount + ' — tx ' + e.tx + ' (' + e.ref + '), block ' + e.block;
    line.addEventListener('click', function (ev) {
      ev.stopPropagation();
      details.textContent = 'transfer ' + e.source + ' → ' + e.target + '\\n' + e.amount + '\\ntx ' + e.tx + ' ' + e.ref + ', block ' + e.block +
        '\\ntaint: poison ' + e.taint.poison + ', haircut ' + e.taint.haircut + ', FIFO ' + e.taint.fifo + ' (base units)' +
        (data.explorer ? '\\n' + data.explorer + e.tx : '');
    });
    edgeEls.push({ e: e, line: line });
  });
  data.nodes.forEach(function (n) {
    var g = el('g', { transform: 'translate(' + n.x + ',' + n.y + ')', 'class': 'node' }, view);
    el('circle', { r: n.role === 'address' ? 7 : 11, fill: colour(n), stroke: '#fff', 'stroke-width': 2 }, g);
    var label = el('text', { x: 14, y: 4, 'font-size': 11 }, g);
    label.textContent = n.label;
    var title = el('title', {}, g);
    title.textContent = n.id + (n.category ? ' — ' + n.category : '') + ', hop ' + n.hop;
    g.addEventListener('click', function (ev) {
      ev.stopPropagation();
      details.textContent = n.label + '\\n' + n.id + '\\nrole ' + n.role + (n.risk ? ', risk ' + n.risk : '') + ', hop ' + n.hop;
      edgeEls.forEach(function (x) {
        var on = x.e.source === n.id || x.e.target === n.id;
        x.line.setAttribute('stroke', on ? '#d62728' : '#999');
      });
    });
  });
  var vb = { x: 0, y: 0, w: 1000, h: 480 };
  var maxX = 0, maxY = 0;
  data.nodes.forEach(function (n) { maxX = Math.max(maxX, n.x); maxY = Math.max(maxY, n.y); });
  vb.w = Math.max(600, maxX + 260); vb.h = Math.max(300, maxY + 60);
  var apply = function () { svg.setAttribute('viewBox', vb.x + ' ' + vb.y + ' ' + vb.w + ' ' + vb.h); };
  apply();
  svg.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var k = ev.deltaY < 0 ? 0.9 : 1.1;
    vb.x += vb.w * (1 - k) / 2; vb.y += vb.h * (1 - k) / 2; vb.w *= k; vb.h *= k;
    apply();
  }, { passive: false });
  var drag = null;
  svg.addEventListener('mousedown', function (ev) { drag = { x: ev.clientX, y: ev.clientY }; });
  window.addEventListener('mouseup', function () { drag = null; });
  svg.addEventListener('mousemove', function (ev) {
    if (!drag) return;
    var scale = vb.w / (svg.clientWidth || vb.w);
    vb.x -= (ev.clientX - drag.x) * scale; vb.y -= (ev.clientY - drag.y) * scale;
    drag = { x: ev.clientX, y: ev.clientY };
    apply();
  });
  document.body.setAttribute('data-graph', 'drawn');
  document.body.setAttribute('data-graph-nodes', String(svg.querySelectorAll('g.node').length));
  document.body.setAttribute('data-graph-edges', String(svg.querySelectorAll('line.edge').length));
})();
`;
