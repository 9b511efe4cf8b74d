import type { Amounts } from '../graph/index.js';
import type { TraceResult } from '../trace/result.js';
import type { Asset } from '../types.js';
import { formatAssetAmount } from './amount.js';
import { assetOrder, attributionJson, type AttributionJson, type AttributionReport } from './attribution.js';
import { tracedGraph, type ExportEdge, type ExportNode, type TracedGraph } from './graph.js';
import { toJsonValue, type TraceReportJson } from './json.js';
import type { Manifest } from './manifest.js';
import { cleanText } from './sanitize.js';

/** Everything `hoptrace report` renders: the run's trace report, its manifest and the attribution. */
export interface FullReport {
  result: TraceResult;
  manifest: Manifest;
  attribution: AttributionReport;
}

/** The JSON report of `hoptrace report --format json`: the trace report plus `manifest`, `attribution` and the traced `graph`. */
export type FullReportJson = TraceReportJson & { manifest: Manifest; attribution: AttributionJson; graph: GraphJson };

/**
 * The traced graph in the JSON report: the nodes and edges every export and the HTML graph have
 * (report/graph.ts). A node's `id` is its key (`eip155:<chain id>:<address>`, or `exit:…` for a
 * destination not followed); an edge's `source` / `target` are node ids, `from` / `to` their addresses.
 */
export interface GraphJson {
  nodes: ({ id: string } & ExportNode)[];
  edges: ({ key: string; source: string; target: string; from: string; to: string } & ExportEdge)[];
}

/**
 * The graph of a run with what is known of each address: the one call every output draws it with
 * (export, the HTML graph, the JSON report's `graph`), so that they cannot disagree on evidence.
 */
export function reportGraph(r: FullReport): TracedGraph {
  return tracedGraph(r.attribution, r.manifest.seeds, r.result);
}

/** The report as a plain JSON-safe object (amounts as exact decimal strings). */
export function fullReportJson(r: FullReport, json: TraceReportJson = toJsonValue(r.result)): FullReportJson {
  const g = reportGraph(r);
  const graph: GraphJson = { nodes: [], edges: [] };
  g.forEachNode((id, attrs) => graph.nodes.push({ id, ...attrs }));
  g.forEachEdge((key, attrs, source, target, sa, ta) => graph.edges.push({ key, source, target, from: sa.address, to: ta.address, ...attrs }));
  return { ...json, manifest: r.manifest, attribution: attributionJson(r.attribution, r.result), graph };
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
    .map(([asset, v]) => formatAssetAmount(v, assetMeta(r, asset).decimals, assetMeta(r, asset).symbol, asset));
}

/** Symbol and decimals of an asset as the report knows them (both null when it does not). */
export function assetMeta(r: AttributionReport, asset: Asset): { symbol: string | null; decimals: number | null } {
  return r.assets.get(asset) ?? { symbol: null, decimals: null };
}

/** The manifest as the text and Markdown reports show it: a heading line, then one line per item. */
export function manifestLines(m: Manifest): string[] {
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

