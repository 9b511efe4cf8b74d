import gexf from 'graphology-gexf';
import type { GraphFormat } from './types.js';

/** GEXF 1.3 through graphology-gexf: Gephi's own format. */
export const gexfFormat: GraphFormat = {
  name: 'gexf',
  summary: 'Gephi',
  renders: 'graph',
  output: 'data',
  extension: '.gexf',
  color: false,
  commands: ['export'],
  write: (g) =>
    // Every edge attribute as a GEXF attvalue (the default formatter makes `kind` GEXF's own edge
    // kind, which readers take for a multigraph layer, not the movement's kind); the readable amount
    // is also the edge's label.
    gexf.write(g, { pretty: true, formatEdge: (_key, attributes) => ({ label: attributes.value, attributes: { ...attributes } }) }),
};
