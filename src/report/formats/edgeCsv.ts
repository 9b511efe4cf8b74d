import { csvField } from '../csv.js';
import { EDGE_KEYS, type TracedGraph } from '../graph.js';
import type { GraphFormat } from './types.js';

/** The graph as a CSV edge list (the report's own `csv` is of venues: formats/csv.ts). */
export const edgeCsvFormat: GraphFormat = {
  name: 'csv',
  summary: 'one line per movement',
  renders: 'graph',
  output: 'data',
  extension: '.csv',
  color: false,
  commands: ['export'],
  write: toEdgeCsv,
};

export const EDGE_CSV_COLUMNS = ['from', 'to', 'from_label', 'to_label', 'from_role', 'to_role', 'from_evidence', 'to_evidence', ...EDGE_KEYS] as const;

/** CSV edge list: one line per movement, with both ends' labels and roles. */
function toEdgeCsv(g: TracedGraph): string {
  const lines: string[] = [EDGE_CSV_COLUMNS.join(',')];
  g.forEachEdge((_key, a, s, t, sa, ta) => {
    lines.push([s, t, sa.label, ta.label, sa.role, ta.role, sa.evidence, ta.evidence, ...EDGE_KEYS.map((k) => a[k])].map((v) => csvField(v)).join(','));
  });
  return lines.join('\n') + '\n';
}
