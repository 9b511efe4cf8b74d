import { Chalk } from 'chalk';
import { TAINT_MODELS, frontierTotal, taintBalance, type Amounts, type TaintModel } from '../graph/index.js';
import type { TraceResult } from '../trace/result.js';
import type { Asset } from '../types.js';
import { fullAddress } from './address.js';
import { formatAssetAmount, formatCount } from './amount.js';
import {
  MODEL_CITATIONS,
  assetOrder,
  attributionJson,
  frontierModels,
  strength,
  venuesTotal,
  type AttributionJson,
  type AttributionReport,
} from './attribution.js';
import { toJsonValue, escapeUnsafe, type TraceReportJson } from './json.js';
import type { Manifest } from './manifest.js';
import { csvField } from './csv.js';
import { tracedGraph, type ExportEdge, type ExportNode, type TracedGraph } from './export.js';
import { cleanOptional, cleanText, escapeMarkup } from './sanitize.js';
import { byValueLines, formatTime, renderText, styles, type TextOptions } from './text.js';
import type { PathStep } from '../trace/result.js';
import { plural } from '../util/plural.js';
import { evidenceIndex, evidenceLine, pathNotes } from './evidence.js';

/** Everything `hoptrace report` renders: the run's trace report, its manifest and the attribution. */
export interface FullReport {
  result: TraceResult;
  manifest: Manifest;
  attribution: AttributionReport;
}

/** The JSON report of `hoptrace report --format json`: the trace report plus `manifest`, `attribution` and the traced `graph`. */
export type FullReportJson = TraceReportJson & { manifest: Manifest; attribution: AttributionJson; graph: GraphJson };

/** The traced graph in the JSON report: the nodes and edges every export and the HTML graph have (report/export.ts). */
export interface GraphJson {
  nodes: ({ address: string } & ExportNode)[];
  edges: ({ key: string; from: string; to: string } & ExportEdge)[];
}

/**
 * The graph of a run with what is known of each address: the one call every output draws it with
 * (export, the HTML graph, the JSON report's `graph`), so that they cannot disagree on evidence.
 */
export function reportGraph(r: FullReport): TracedGraph {
  return tracedGraph(r.attribution, r.manifest.seeds, evidenceIndex(r.result.hits, r.result.inferences));
}

/** The report as a plain JSON-safe object (amounts as exact decimal strings). */
export function fullReportJson(r: FullReport): FullReportJson {
  const g = reportGraph(r);
  const graph: GraphJson = { nodes: [], edges: [] };
  g.forEachNode((address, attrs) => graph.nodes.push({ address, ...attrs }));
  g.forEachEdge((key, attrs, from, to) => graph.edges.push({ key, from, to, ...attrs }));
  return { ...toJsonValue(r.result), manifest: r.manifest, attribution: attributionJson(r.attribution), graph };
}

/** The `--format json` document: 2-space indent, newline-terminated, invisible/bidi characters escaped. */
export function renderFullJson(r: FullReport): string {
  return escapeUnsafe(JSON.stringify(fullReportJson(r), null, 2)) + '\n';
}

/** Amounts of one model as `12.5 ETH, 1,000 USDT` (or `—` when none). */
export function amountList(m: Amounts, r: AttributionReport): string {
  const parts = amountParts(m, r);
  return parts.length === 0 ? '—' : parts.join(', ');
}

/** The non-zero amounts of one model, one formatted string per asset, native first (empty when none). */
export function amountParts(m: Amounts, r: AttributionReport): string[] {
  return [...m]
    .filter(([, v]) => v !== 0n)
    .sort(([a], [b]) => assetOrder(a, b))
    .map(([asset, v]) => formatAssetAmount(v, meta(r, asset).decimals, meta(r, asset).symbol, asset));
}

function meta(r: AttributionReport, asset: Asset): { symbol: string | null; decimals: number | null } {
  return r.assets.get(asset) ?? { symbol: null, decimals: null };
}

/** The terminal report: the trace report, then Attribution and Manifest sections. */
export function renderFullText(r: FullReport, opts: TextOptions): string {
  const st = styles(new Chalk({ level: opts.color ? (opts.colorLevel ?? 1) : 0 }));
  const a = r.attribution;
  const lines: string[] = ['', st.heading('Attribution') + '  (how much of what left the seeds reached each venue)'];
  const pad = (m: string): string => m.padEnd(8);
  lines.push('    left the seeds and followed');
  for (const m of TAINT_MODELS) lines.push(`      ${pad(m)} ${amountList(a.attribution.seeded[m], a)}`);
  if (TAINT_MODELS.some((m) => a.attribution.takenIn[m].size > 0)) {
    lines.push('    taken in: value not from the seeds that the model counts as tainted (poison taints all a poisoned address holds, receives or spends)');
    for (const m of TAINT_MODELS) lines.push(`      ${pad(m)} ${amountList(a.attribution.takenIn[m], a)}`);
  }
  if (a.attribution.venues.length === 0) lines.push('', '    No venue received tainted value under any model.');
  const known = evidenceIndex(r.result.hits, r.result.inferences);
  for (const v of a.attribution.venues) {
    const when =
      v.first.block === v.last.block
        ? `block ${v.first.block} (${formatTime(a.times.get(v.first.block) ?? null)})`
        : `blocks ${v.first.block}–${v.last.block} (${formatTime(a.times.get(v.first.block) ?? null)} – ${formatTime(a.times.get(v.last.block) ?? null)})`;
    const risk = v.venue.risk === 'sanctioned' ? st.sanctioned('[SANCTIONED]') : v.venue.risk === 'high' ? st.high('[HIGH RISK]') : st.dim('[standard]');
    lines.push('');
    lines.push(`  ${risk} ${st.title(cleanOptional(v.venue.entity, 48, '(unnamed)'))} — ${cleanText(v.venue.category, 24)} · ${v.hops} hop${v.hops === 1 ? '' : 's'} · ${formatCount(v.arrivals)} arrival${v.arrivals === 1 ? '' : 's'} · ${when}`);
    lines.push(`    venue     ${fullAddress(v.address)}`);
    const ev = known.get(v.address);
    if (ev) lines.push(`    evidence  ${evidenceLine(ev, v.address, false)}`);
    lines.push(`    support   ${v.support.join(', ')} (${strength(v.support)})`);
    for (const m of TAINT_MODELS) lines.push(`      ${pad(m)} ${amountList(v.amounts[m], a)}`);
  }
  const f = frontierModels(a.attribution);
  lines.push('', `    not at a venue (held, or sent past the hop limit, a hub or the walk's edges): ${formatCount(a.attribution.frontier.length)} address${a.attribution.frontier.length === 1 ? '' : 'es'}`);
  for (const m of TAINT_MODELS) lines.push(`      ${pad(m)} ${amountList(f[m], a)}`);
  lines.push('', '    balance: left the seeds + taken in = at venues + not at a venue + burned + below --min-value + back to the seeds (a wrap moves taint between ETH and its token)');
  const balance = taintBalance(a.attribution);
  for (const m of TAINT_MODELS) {
    const off = [...balance[m]].filter(([, b]) => b.sources !== b.uses).map(([asset]) => asset);
    lines.push(`      ${pad(m)} ${off.length === 0 ? 'adds up, to the base unit' : `does not add up for ${off.join(', ')}`}`);
  }
  if (a.perSeed) {
    lines.push('', '    per seed (each seed alone): at venues / still at the frontier, haircut');
    for (const s of a.perSeed) {
      lines.push(`      ${fullAddress(s.seed)}  ${amountList(venuesTotal(s.attribution.venues).haircut, a)} / ${amountList(frontierTotal(s.attribution.frontier, 'haircut'), a)}`);
    }
  }
  lines.push('', '    models');
  for (const m of TAINT_MODELS) lines.push(`      ${pad(m)} ${MODEL_CITATIONS[m]}`);
  for (const n of a.notes) lines.push(st.warn(`  ! ${cleanText(n, 600)}`));
  lines.push('', ...manifestLines(r.manifest).map((l, i) => (i === 0 ? st.heading(l) : l)));
  return renderText(r.result, opts) + lines.join('\n') + '\n';
}

function manifestLines(m: Manifest): string[] {
  return [
    'Manifest',
    `    tool          hoptrace ${cleanText(m.tool.version, 24)} (report schema ${m.reportSchemaVersion}, database schema ${m.databaseSchemaVersion})`,
    `    run           #${m.run.id}, traced ${cleanText(m.run.tracedAt, 40)} with hoptrace ${cleanText(m.run.toolVersion, 24)}`,
    `    chain         ${m.chainId} via ${m.rpc.map((u) => cleanText(u, 120)).join(', ')}`,
    `    blocks        ${m.blockRange.fromBlock}–${m.blockRange.toBlock}`,
    `    labels        data ${cleanText(m.labels.dataVersion, 16)} (sha256 ${cleanText(m.labels.sha256, 64)}), ${m.labels.userLabels} user labels`,
    `    parameters    ${cleanText(JSON.stringify(m.params), 400)}`,
    `    seeds         ${m.seeds.length}`,
  ];
}

/** Text for Markdown: cleaned of control/bidi characters, HTML escaped, and the characters that make emphasis, links, code or table columns escaped. */
export function mdText(s: string, max = 80): string {
  return escapeMarkup(cleanText(s, max), { quotes: false })
    .replace(/([\\`*_[\]|~#])/g, '\\$1'); // enough inside a table cell: no emphasis, link, code or column break
}

/** `--format md`: a Markdown document with a summary table, venue flows, hit paths and the manifest. */
export function renderMarkdown(r: FullReport): string {
  const a = r.attribution;
  const res = r.result;
  const out: string[] = [];
  const amounts = (m: Amounts): string => mdText(amountList(m, a), 400);
  out.push(`# hoptrace report — run ${r.manifest.run.id}`, '');
  out.push(`Chain ${res.chainId}, blocks ${res.params.fromBlock}–${res.params.toBlock}, ${plural(res.seeds.length, 'seed')}, ${plural(res.hits.length, 'hit')}, traced ${mdText(r.manifest.run.tracedAt)}.`, '');
  out.push('## Value that reached each venue', '');
  const known = evidenceIndex(res.hits, res.inferences);
  out.push('| venue | address | risk | evidence | hops | arrivals | first | last | poison | haircut | FIFO | support |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const v of a.attribution.venues) {
    out.push(
      `| ${mdText(v.venue.entity, 48)} | \`${fullAddress(v.address)}\` | ${mdText(v.venue.risk)} | ${known.get(v.address)?.level ?? 'label'} | ${v.hops} | ${v.arrivals} | ${v.first.block} | ${v.last.block} | ` +
        `${amounts(v.amounts.poison)} | ${amounts(v.amounts.haircut)} | ${amounts(v.amounts.fifo)} | ${strength(v.support)} |`,
    );
  }
  if (a.attribution.venues.length === 0) out.push('| (none) | | | | | | | | | | | |');
  const f = frontierModels(a.attribution);
  out.push('', `Left the seeds: poison ${amounts(a.attribution.seeded.poison)}; haircut ${amounts(a.attribution.seeded.haircut)}; FIFO ${amounts(a.attribution.seeded.fifo)}.`);
  out.push(`Not at a venue (${a.attribution.frontier.length} addresses): poison ${amounts(f.poison)}; haircut ${amounts(f.haircut)}; FIFO ${amounts(f.fifo)}.`);
  out.push(`Taken in (value not from the seeds a model counts as tainted): poison ${amounts(a.attribution.takenIn.poison)}; haircut ${amounts(a.attribution.takenIn.haircut)}; FIFO ${amounts(a.attribution.takenIn.fifo)}.`, '');
  out.push('## Hits and their paths', '');
  for (const h of res.hits) {
    const what = h.kind === 'known-perpetrator' ? 'known perpetrator' : mdText(h.risk);
    out.push(`### ${mdText(h.entity, 48)} (${what}), ${plural(h.hops, 'hop')} from \`${fullAddress(h.seed)}\``, '');
    out.push(`Evidence — ${mdText(evidenceLine(h.evidence, h.address), 1200)}`, '');
    out.push('| # | from | to | amount | tx | block | ref |', '|---|---|---|---|---|---|---|');
    const rows = (path: PathStep[]): string[] =>
      path.map((s, i) => `| ${i + 1} | \`${fullAddress(s.from)}\` | \`${fullAddress(s.to)}\` | ${mdText(formatAssetAmount(s.amount, s.decimals, s.symbol, s.asset), 80)} | \`${s.txHash}\` | ${s.blockNumber} | ${mdText(s.ref, 40)} |`);
    out.push(...rows(h.path), '');
    // The main path by value, as a table of its own when it is not the path above.
    out.push(...byValueLines(h, (p) => ['', '| # | from | to | amount | tx | block | ref |', '|---|---|---|---|---|---|---|', ...rows(p), ''], '').map((l) => (l.startsWith('|') || l === '' ? l : mdText(l.trim(), 400))), '');
    for (const n of pathNotes(h)) out.push(`- note \`${fullAddress(n.address)}\`: ${mdText(evidenceLine(n.evidence, n.address, false), 1200)}`);
    if (pathNotes(h).length > 0) out.push('');
  }
  const inferences = res.inferences ?? [];
  if (inferences.length > 0) {
    out.push('## Inferences (heuristics, not labels)', '');
    for (const i of inferences) out.push(`- \`${fullAddress(i.address)}\`: ${mdText(evidenceLine(i.evidence, i.address), 1200)}`);
    out.push('');
  }
  out.push('## Models', '');
  for (const m of TAINT_MODELS) out.push(`- **${m}**: ${mdText(MODEL_CITATIONS[m], 400)}`);
  for (const n of a.notes) out.push(`- note: ${mdText(n, 600)}`);
  out.push('', '## Manifest', '', '```', ...manifestLines(r.manifest).slice(1).map((l) => l.trim().replace(/`/g, "'")), '```', '');
  return out.join('\n');
}

const CSV_COLUMNS = [
  'venue', 'entity', 'category', 'risk', 'hops', 'arrivals', 'first_block', 'first_time', 'last_block', 'last_time',
  'model', 'asset', 'symbol', 'decimals', 'amount', 'support', 'evidence', 'evidence_detail',
] as const;

/** `--format csv`: one line per (venue, model, asset) with the exact amount in base units. */
export function renderCsv(r: FullReport): string {
  const a = r.attribution;
  const lines: string[] = [CSV_COLUMNS.join(',')];
  const iso = (block: number): string | null => {
    const t = a.times.get(block);
    return t === undefined ? null : new Date(t * 1000).toISOString();
  };
  const known = evidenceIndex(r.result.hits, r.result.inferences);
  for (const v of a.attribution.venues) {
    const e = known.get(v.address);
    for (const model of TAINT_MODELS as readonly TaintModel[]) {
      for (const [asset, amount] of v.amounts[model]) {
        const m = meta(a, asset);
        lines.push(
          [
            v.address, v.venue.entity, v.venue.category, v.venue.risk, v.hops, v.arrivals, v.first.block, iso(v.first.block),
            v.last.block, iso(v.last.block), model, asset, m.symbol, m.decimals, amount.toString(), v.support.join(' '),
            // A venue of the attribution is a labelled address unless a hit says otherwise.
            e?.level ?? 'label', e ? evidenceLine(e, v.address) : '',
          ]
            .map(csvField)
            .join(','),
        );
      }
    }
  }
  return lines.join('\n') + '\n';
}
