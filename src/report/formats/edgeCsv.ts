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

const CHAIN_KEYS: ReadonlySet<string> = new Set(['chainId', 'fromChainId', 'toChainId']);

export const EDGE_CSV_COLUMNS = ['from', 'to', 'from_chain', 'to_chain', 'from_label', 'to_label', 'from_role', 'to_role', 'from_evidence', 'to_evidence', ...EDGE_KEYS] as const;

/**
 * CSV edge list: one line per movement (a transfer, a crossing, an exit), with both ends' addresses,
 * chains (by name; the ids are the `fromChainId` / `toChainId` columns), labels and roles.
 */
function toEdgeCsv(g: TracedGraph): string {
  const lines: string[] = [EDGE_CSV_COLUMNS.join(',')];
  g.forEachEdge((_key, a, _s, _t, sa, ta) => {
    // A chain id of -1 (a destination not on an EVM chain) is an empty field here: `'-1` (csv.ts's guard) would read as text.
    const field = (k: (typeof EDGE_KEYS)[number]): string | number => (CHAIN_KEYS.has(k) && a[k] === -1 ? '' : a[k]);
    lines.push([sa.address, ta.address, sa.chain, ta.chain, sa.label, ta.label, sa.role, ta.role, sa.evidence, ta.evidence, ...EDGE_KEYS.map(field)].map((v) => csvField(v)).join(','));
  });
  return lines.join('\n') + '\n';
}
