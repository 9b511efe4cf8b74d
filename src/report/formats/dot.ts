import { EDGE_KEYS, NODE_KEYS, type ExportNode, type TracedGraph } from '../graph.js';
import type { GraphFormat } from './types.js';

/** Graphviz DOT, written here. */
export const dotFormat: GraphFormat = {
  name: 'dot',
  summary: 'Graphviz',
  renders: 'graph',
  output: 'data',
  extension: '.dot',
  color: false,
  commands: ['export'],
  write: toDot,
};

/** A DOT double-quoted ID: backslash and quote escaped, no line breaks (cleaned text has none). */
function dotId(s: string | number): string {
  return `"${String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\r\n]/g, ' ')}"`;
}

/** Graphviz DOT: nodes coloured by role and risk; every attribute kept (custom attributes are allowed). */
function toDot(g: TracedGraph): string {
  const colour = (a: ExportNode): string =>
    a.role === 'seed' ? '#1f77b4' : a.role === 'known-perpetrator' ? '#9467bd' : a.role === 'bridge' ? '#17becf' : a.role === 'destination' ? '#8c564b' : a.risk === 'sanctioned' ? '#d62728' : a.risk === 'high' ? '#ff7f0e' : a.role === 'venue' ? '#2ca02c' : '#7f7f7f';
  const out: string[] = ['digraph hoptrace {', '  rankdir=LR;', '  node [shape=box, style=filled, fontcolor=white];'];
  g.forEachNode((id, a) => {
    const attrs = NODE_KEYS.map((k) => `${k}=${dotId(a[k])}`).join(', ');
    out.push(`  ${dotId(id)} [${attrs}, fillcolor=${dotId(colour(a))}];`);
  });
  g.forEachEdge((key, a, s, t) => {
    const attrs = EDGE_KEYS.map((k) => `${k}=${dotId(a[k])}`).join(', ');
    out.push(`  ${dotId(s)} -> ${dotId(t)} [key=${dotId(key)}, ${attrs}];`);
  });
  out.push('}', '');
  return out.join('\n');
}
