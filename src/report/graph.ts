import graphology from 'graphology';
import type { Evidence } from '../trace/result.js';
import type { Address } from '../types.js';
import { shortAddress } from './address.js';
import type { AttributionReport } from './attribution.js';
import { formatAssetAmount as amountText } from './amount.js';
import { traceKey } from '../graph/index.js';
import { evidenceLine } from './evidence.js';
import { cleanText } from './sanitize.js';

const { MultiDirectedGraph } = graphology;

/** Attributes of an address in an exported graph. */
export interface ExportNode {
  /**
   * Entity for a venue, `seed 0x1234…abcd` for a seed, `0x1234…abcd (known perpetrator)` for an address of
   * the seed list the trace reached (address first: a cut label keeps it), the short address otherwise.
   */
  label: string;
  role: 'seed' | 'venue' | 'known-perpetrator' | 'address';
  entity: string;
  category: string;
  risk: string;
  /** Fewest traced movements from a seed, either way (0 for a seed; -1 for a node no traced movement links to a seed). */
  hop: number;
  /** How we know what the address is: `label`, `inferred`, `conflict`, or empty when nothing is known of it. */
  evidence: string;
  /** The evidence in words: the label and its source, the heuristic and its reasons, or both sides of a conflict. */
  evidenceDetail: string;
}

/** Attributes of a movement in an exported graph: its evidence and the taint each model put on it. */
export interface ExportEdge {
  txHash: string;
  ref: string;
  kind: string;
  blockNumber: number;
  blockHash: string;
  asset: string;
  symbol: string;
  decimals: string;
  amount: string;
  /** The amount for reading: `44.945 ETH`, or `500,000 units of token 0x5FbD…` (raw units: the token did not say its decimals). */
  value: string;
  hop: number;
  taintPoison: string;
  taintHaircut: string;
  taintFifo: string;
}

export type TracedGraph = InstanceType<typeof MultiDirectedGraph<ExportNode, ExportEdge>>;

const TEXT_MAX = 200;

/**
 * The traced graph of a run: the movements its walk followed (AttributionReport.traced), all assets,
 * one edge per movement keyed `<txHash>:<ref>`, with the taint each model put on it (zero where a model
 * put none); for a run recorded before runs kept their walk's edges, the movements that carried taint
 * under poison (the widest model). A node's hop is its fewest traced movements from a seed (either
 * way: a backward trace counts from the seed too). Text from labels and tokens is cleaned of control and
 * bidi characters (cleanText); amounts stay exact decimal strings, with a display form (`value`).
 */
export function tracedGraph(a: AttributionReport, seeds: readonly Address[], known: ReadonlyMap<Address, Evidence> = new Map()): TracedGraph {
  const g: TracedGraph = new MultiDirectedGraph<ExportNode, ExportEdge>();
  const seedSet = new Set(seeds);
  const venues = new Map(a.attribution.venues.map((v) => [v.address, v.venue]));
  const taint = new Map(a.attribution.edges.map((e) => [traceKey(e.transfer), e]));
  const edges = a.traced ?? a.attribution.edges.map((e) => ({ transfer: e.transfer, hop: e.hop }));
  const node = (address: Address): void => {
    if (g.hasNode(address)) return;
    const venue = venues.get(address);
    const seed = seedSet.has(address);
    const e = known.get(address);
    // On the seed list (what the evidence of the run says of it), and no venue of the attribution.
    const perpetrator = !seed && !venue && (e?.sources.some((s) => s.kind === 'seed') ?? false);
    g.addNode(address, {
      label: venue
        ? cleanText(venue.entity, TEXT_MAX)
        : seed
          ? `seed ${shortAddress(address)}`
          : perpetrator
            ? `${shortAddress(address)} (known perpetrator)`
            : shortAddress(address),
      role: seed ? 'seed' : venue ? 'venue' : perpetrator ? 'known-perpetrator' : 'address',
      entity: venue ? cleanText(venue.entity, TEXT_MAX) : '',
      category: venue ? cleanText(venue.category, 40) : '',
      risk: venue ? cleanText(venue.risk, 40) : '',
      hop: seed ? 0 : -1,
      // A venue of the attribution is a labelled address (or a last-hop deposit address, whose hit says so).
      evidence: e?.level ?? (venue ? 'label' : ''),
      evidenceDetail: e ? cleanText(evidenceLine(e, address), 2000) : venue ? cleanText(`label: ${venue.entity}, ${venue.category}`, TEXT_MAX) : '',
    });
  };
  for (const s of seeds) node(s);
  for (const e of edges) {
    const t = e.transfer;
    node(t.from);
    node(t.to);
    const meta = a.assets.get(t.asset);
    const decimals = meta?.decimals ?? null;
    const symbol = meta?.symbol == null ? '' : cleanText(meta.symbol, 40);
    const on = taint.get(traceKey(t))?.taint;
    g.addDirectedEdgeWithKey(`${t.txHash}:${t.ref}`, t.from, t.to, {
      txHash: t.txHash,
      ref: t.ref,
      kind: t.kind,
      blockNumber: t.blockNumber,
      blockHash: t.blockHash,
      asset: t.asset,
      symbol,
      decimals: decimals === null ? '' : String(decimals),
      amount: t.amount.toString(),
      value: amountText(t.amount, decimals, meta?.symbol ?? null, t.asset),
      hop: e.hop,
      taintPoison: (on?.poison ?? 0n).toString(),
      taintHaircut: (on?.haircut ?? 0n).toString(),
      taintFifo: (on?.fifo ?? 0n).toString(),
    });
  }
  // Fewest traced movements from a seed, either way along them (breadth-first).
  let level = seeds.filter((s) => g.hasNode(s));
  for (let hop = 1; level.length > 0; hop++) {
    const next: Address[] = [];
    for (const a of level) {
      g.forEachNeighbor(a, (b) => {
        if (g.getNodeAttribute(b, 'hop') !== -1) return;
        g.setNodeAttribute(b, 'hop', hop);
        next.push(b);
      });
    }
    level = next;
  }
  return g;
}

/** The attributes every graph format writes, in this order (graph formats under formats/). */
export const NODE_KEYS = ['label', 'role', 'entity', 'category', 'risk', 'hop', 'evidence', 'evidenceDetail'] as const;
export const EDGE_KEYS = ['txHash', 'ref', 'kind', 'blockNumber', 'blockHash', 'asset', 'symbol', 'decimals', 'amount', 'value', 'hop', 'taintPoison', 'taintHaircut', 'taintFifo'] as const;
/** Attributes written as integers where a format has types (GraphML). */
export const INT_KEYS: ReadonlySet<string> = new Set(['hop', 'blockNumber']);
