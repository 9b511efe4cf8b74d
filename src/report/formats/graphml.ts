import { EDGE_KEYS, INT_KEYS, NODE_KEYS, type TracedGraph } from '../graph.js';
import { escapeMarkup } from '../sanitize.js';
import type { GraphFormat } from './types.js';

/** GraphML 1.0, written here (no maintained writer). */
export const graphmlFormat: GraphFormat = {
  name: 'graphml',
  summary: 'yEd, Cytoscape, NetworkX',
  renders: 'graph',
  output: 'data',
  extension: '.graphml',
  color: false,
  commands: ['export'],
  write: toGraphml,
};

const xml = (s: string | number): string => escapeMarkup(String(s));

/** GraphML 1.0: every attribute declared as a key (string, or int for hop and block number). */
function toGraphml(g: TracedGraph): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
  ];
  for (const k of NODE_KEYS) out.push(`  <key id="n_${k}" for="node" attr.name="${k}" attr.type="${INT_KEYS.has(k) ? 'int' : 'string'}"/>`);
  for (const k of EDGE_KEYS) out.push(`  <key id="e_${k}" for="edge" attr.name="${k}" attr.type="${INT_KEYS.has(k) ? 'int' : 'string'}"/>`);
  out.push('  <graph id="hoptrace" edgedefault="directed">');
  g.forEachNode((id, attrs) => {
    out.push(`    <node id="${xml(id)}">`);
    for (const k of NODE_KEYS) out.push(`      <data key="n_${k}">${xml(attrs[k])}</data>`);
    out.push('    </node>');
  });
  g.forEachEdge((key, attrs, source, target) => {
    out.push(`    <edge id="${xml(key)}" source="${xml(source)}" target="${xml(target)}">`);
    for (const k of EDGE_KEYS) out.push(`      <data key="e_${k}">${xml(attrs[k])}</data>`);
    out.push('    </edge>');
  });
  out.push('  </graph>', '</graphml>', '');
  return out.join('\n');
}
