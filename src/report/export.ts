/**
 * `hoptrace export`: a run's traced graph (graph.ts) in one of the graph formats of the format table
 * (formats/: gexf, graphml, dot, csv).
 */
import { FORMATS, graphFormat } from './formats/index.js';
import type { TracedGraph } from './graph.js';
import { xmlSafe } from './sanitize.js';

export { EDGE_KEYS, NODE_KEYS, tracedGraph, type ExportEdge, type ExportNode, type TracedGraph } from './graph.js';

/** The names of the graph formats, as `export --format` takes them. */
export const EXPORT_FORMATS: readonly string[] = FORMATS.filter((f) => f.renders === 'graph' && f.commands.includes('export')).map((f) => f.name);
export type ExportFormat = string;

/**
 * Writes the graph in `format` (formats/index.ts renderRun does the same for a run). Every format leaves
 * through xmlSafe: a character XML 1.0 forbids (U+FFFF in a token symbol) becomes U+FFFD.
 */
export function writeGraph(g: TracedGraph, format: ExportFormat): string {
  const f = graphFormat(format);
  if (f === undefined) throw new Error(`no graph format ${format}`);
  return xmlSafe(f.write(g));
}
