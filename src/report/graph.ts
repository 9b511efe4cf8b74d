import graphology from 'graphology';
import type { Crossing, PathStep, TraceResult } from '../trace/result.js';
import type { Address } from '../types.js';
import { shortAddress } from './address.js';
import { bridgesEntered, reachedRole, reachedRows, venueChains, type AttributionReport } from './attribution.js';
import { ASSET_NOT_NAMED, formatAssetAmount as amountText } from './amount.js';
import { formatAmount } from '../util/amount.js';
import { traceKey, type VenueInfo } from '../graph/index.js';
import { accountKey } from './chains.js';
import { destinationKey, exitDestination, exitEvidenceText, nativeSymbolOf, promisedText, runChainName } from './crossChain.js';
import { evidenceIndex, evidenceLine } from './evidence.js';
import { cleanText } from './sanitize.js';

const { MultiDirectedGraph } = graphology;

/** Attributes of an address in an exported graph (keyed `eip155:<chain id>:<address>`: chains.ts accountKey). */
export interface ExportNode {
  /**
   * Entity for a venue, `seed 0x1234…abcd` for a seed, `0x1234…abcd (known perpetrator)` for an address of
   * the seed list the trace reached (address first: a cut label keeps it), the short address otherwise;
   * a destination not followed: `<chain> <recipient>`.
   */
  label: string;
  /**
   * `bridge`: a bridge contract the funds entered (a crossing left from it, or an exit hit); `destination`:
   * where an exit's protocol promised to pay, on a chain the run did not follow (the frontier).
   */
  role: 'seed' | 'venue' | 'known-perpetrator' | 'address' | 'bridge' | 'destination';
  /** The address as the chain spells it (lower-case hex on an EVM chain; a destination's recipient as the protocol carries it). */
  address: string;
  /** EIP-155 chain id of the address; -1 for a destination not on an EVM chain. */
  chainId: number;
  /** The chain's name (`ethereum`, `bsc`, `chain 31337`; a destination: the protocol's name of its chain). */
  chain: string;
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

/**
 * Attributes of a movement in an exported graph: its evidence and the taint each model put on it. Three
 * kinds of edge: a transfer on one chain (a fact), a crossing (`kind` bridge: the bridge contract on the
 * chain it left → the recipient the arrival paid, linked by the protocol's own data or by a heuristic),
 * and an exit (`kind` exit: the bridge contract → a destination not followed, the protocol's promise).
 */
export interface ExportEdge {
  txHash: string;
  ref: string;
  kind: string;
  /** The chain of `txHash` (a crossing: the destination chain, where the arrival is; an exit: the chain it left). */
  chainId: number;
  /** The chain the edge starts on (a transfer: `chainId`). */
  fromChainId: number;
  /** The chain the edge ends on; -1 for an exit to a chain that is not EVM. */
  toChainId: number;
  blockNumber: number;
  blockHash: string;
  asset: string;
  symbol: string;
  decimals: string;
  amount: string;
  /** The amount for reading: `44.945 ETH`, or `500,000 units of token 0x5FbD…` (raw units: the token did not say its decimals). */
  value: string;
  hop: number;
  /**
   * `fact` (an on-chain transfer; a crossing linked by the protocol; an exit's decoded event), `inference`
   * (a crossing matched by a heuristic), or `promise` (a crossing whose amount no arrival showed: the
   * exit's promise, not seen; its link is still the one `basis` names).
   */
  evidence: string;
  /** `transfer`, `protocol-link`, `heuristic`, or `protocol-promise` (an exit: destination and amount as the protocol promised them). */
  basis: string;
  /** A crossing's link confidence (`certain`, `medium`); empty otherwise. */
  confidence: string;
  /** The bridge protocol of a crossing or exit; empty for a transfer. */
  protocol: string;
  /**
   * The taint each model put on the movement; empty where no model ran on it (a crossing, an exit, a
   * movement on another chain than the run's home chain: the models run over the home chain only).
   */
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
 * under poison (the widest model). Nodes are keyed by chain and address (CAIP-10), so the same address on
 * two chains is two nodes. The run's crossings join the chains (`kind` bridge edges) and its exits end at
 * a destination node each (`kind` exit). A node's hop is its fewest traced movements from a seed (either
 * way: a backward trace counts from the seed too). Text from labels and tokens is cleaned of control and
 * bidi characters (cleanText); amounts stay exact decimal strings, with a display form (`value`).
 */
export function tracedGraph(a: AttributionReport, seeds: readonly Address[], result: TraceResult): TracedGraph {
  const g: TracedGraph = new MultiDirectedGraph<ExportNode, ExportEdge>();
  const home = result.chainId;
  const known = evidenceIndex(result);
  const seedSet = new Set(seeds.map((s) => accountKey(home, s)));
  const venueChain = venueChains(a, home);
  // The venues of the attribution, and those reached on another chain (traced, not attributed): every
  // output shows both as venues, so the graph does too.
  const venues = new Map<string, VenueInfo>([
    ...a.attribution.venues.map((v) => [accountKey(venueChain.get(v.address) ?? home, v.address), v.venue] as const),
    ...(a.notAttributed ?? []).map((v) => [accountKey(v.chainId, v.address), v] as const),
  ]);
  // The bridges entered, counted as venuesReached counts them (its bridgesEntered): labelled ones, crossings' and exits' contracts.
  const bridges = bridgesEntered(reachedRows(a, home, venueChain), result);
  const taint = new Map(a.attribution.edges.map((e) => [traceKey(e.transfer), e]));
  const edges = a.traced ?? a.attribution.edges.map((e) => ({ transfer: e.transfer, hop: e.hop }));
  const node = (chainId: number, address: Address): string => {
    const id = accountKey(chainId, address);
    if (g.hasNode(id)) return id;
    const venue = venues.get(id);
    const seed = seedSet.has(id);
    const e = known.get(chainId, address);
    // On the seed list (what the evidence of the run says of it), and no venue of the attribution.
    const perpetrator = !seed && !venue && (e?.sources.some((s) => s.kind === 'seed') ?? false);
    const bridge = !seed && !venue && !perpetrator && bridges.has(id);
    const bridgeSource = bridge ? e?.sources.find((s) => s.kind === 'bridge' || s.category === 'bridge') : undefined;
    g.addNode(id, {
      label: venue
        ? cleanText(venue.entity, TEXT_MAX)
        : seed
          ? `seed ${shortAddress(address)}`
          : perpetrator
            ? `${shortAddress(address)} (known perpetrator)`
            : bridgeSource
              ? `${cleanText(bridgeSource.name, TEXT_MAX)} (bridge)`
              : shortAddress(address),
      // A labelled bridge the models stopped at keeps its label's words, but is a bridge, not a venue (attribution.ts VENUE_DEFINITION).
      role: seed ? 'seed' : venue ? (reachedRole(venue.category) === 'bridge' ? 'bridge' : 'venue') : perpetrator ? 'known-perpetrator' : bridge ? 'bridge' : 'address',
      address: address.toLowerCase(),
      chainId,
      chain: runChainName(result, chainId),
      entity: venue ? cleanText(venue.entity, TEXT_MAX) : bridgeSource ? cleanText(bridgeSource.name, TEXT_MAX) : '',
      category: venue ? cleanText(venue.category, 40) : bridge ? 'bridge' : '',
      risk: venue ? cleanText(venue.risk, 40) : '',
      hop: seed ? 0 : -1,
      // A venue of the attribution is a labelled address (or a last-hop deposit address, whose hit says so).
      evidence: e?.level ?? (venue ? 'label' : ''),
      evidenceDetail: e ? cleanText(evidenceLine(e, address), 2000) : venue ? cleanText(`label: ${venue.entity}, ${venue.category}`, TEXT_MAX) : '',
    });
    return id;
  };
  for (const s of seeds) node(home, s);
  for (const e of edges) {
    const t = e.transfer;
    const from = node(t.chainId, t.from);
    const to = node(t.chainId, t.to);
    // `native` is the coin of the movement's chain: BNB on bsc, whatever the home chain's is.
    // Another chain's asset is looked up by chain and asset (a token address may name another token there).
    const meta =
      t.chainId === home
        ? a.assets.get(t.asset)
        : t.asset === 'native'
          ? { symbol: nativeSymbolOf(result, t.chainId), decimals: 18 }
          : a.chainAssets?.get(`${t.chainId}:${t.asset}`);
    const decimals = meta?.decimals ?? null;
    const symbol = meta?.symbol == null ? '' : cleanText(meta.symbol, 40);
    // The models run over the home chain's movements only: another chain's movement carries no model's
    // figure (empty, not zero: not attributed, reached across a bridge).
    const on = taint.get(traceKey(t))?.taint;
    const modelled = t.chainId === home;
    g.addDirectedEdgeWithKey(`${t.txHash}:${t.ref}`, from, to, {
      txHash: t.txHash,
      ref: t.ref,
      kind: t.kind,
      chainId: t.chainId,
      fromChainId: t.chainId,
      toChainId: t.chainId,
      blockNumber: t.blockNumber,
      blockHash: t.blockHash,
      asset: t.asset,
      symbol,
      decimals: decimals === null ? '' : String(decimals),
      amount: t.amount.toString(),
      value: amountText(t.amount, decimals, meta?.symbol ?? null, t.asset),
      hop: e.hop,
      evidence: 'fact',
      basis: 'transfer',
      confidence: '',
      protocol: '',
      taintPoison: modelled ? (on?.poison ?? 0n).toString() : '',
      taintHaircut: modelled ? (on?.haircut ?? 0n).toString() : '',
      taintFifo: modelled ? (on?.fifo ?? 0n).toString() : '',
    });
  }
  addCrossings(g, result, node);
  addExits(g, result, node);
  // Fewest traced movements from a seed, either way along them (breadth-first).
  let level = [...seedSet].filter((s) => g.hasNode(s));
  for (let hop = 1; level.length > 0; hop++) {
    const next: string[] = [];
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

/** The crossings the walk followed: the bridge contract on the chain left → the recipient the arrival paid. */
function addCrossings(g: TracedGraph, result: TraceResult, node: (chainId: number, address: Address) => string): void {
  // The step of each crossing carries what the arrival paid (asset, amount, block hash).
  const steps = new Map<string, PathStep>();
  for (const h of result.hits) for (const s of [...h.path, ...(h.byValue?.path ?? [])]) if (s.crossing) steps.set(crossingId(s.crossing), s);
  for (const c of result.crossings ?? []) {
    const key = `${c.arrival.txHash}:bridge:${c.arrival.logIndex}`;
    if (g.hasEdge(key)) continue;
    const step = steps.get(crossingId(c));
    const from = node(c.fromChainId, c.from);
    const to = node(c.toChainId, c.to);
    const p = c.promised;
    // A step whose arrival named no asset says so (empty, and `asset not named` in its value).
    const asset = step ? step.asset : p.asset;
    const decimals = step ? step.decimals : p.decimals;
    const symbol = step ? step.symbol : p.symbol;
    const amount = step?.amount ?? p.amount;
    // An amount no arrival showed (the step's `promised`): the exit's promise, not a delivery seen.
    const promise = step?.promised === true;
    g.addDirectedEdgeWithKey(key, from, to, {
      txHash: c.arrival.txHash,
      ref: `bridge:${c.arrival.logIndex}`,
      kind: 'bridge',
      chainId: c.toChainId,
      fromChainId: c.fromChainId,
      toChainId: c.toChainId,
      blockNumber: c.arrival.blockNumber,
      blockHash: step?.blockHash ?? '',
      asset: asset ?? '',
      symbol: symbol === null ? '' : cleanText(symbol, 40),
      decimals: decimals === null ? '' : String(decimals),
      amount: amount === null ? '' : amount.toString(),
      value: amount === null ? promisedText(p) : promise ? promisedValue(amount, decimals, symbol, asset) : amountText(amount, decimals, symbol, asset),
      hop: c.hop,
      evidence: promise ? 'promise' : c.link.evidence,
      basis: c.link.basis,
      confidence: c.link.confidence,
      protocol: c.protocol,
      taintPoison: '',
      taintHaircut: '',
      taintFifo: '',
    });
  }
}

/** Each exit hit: the bridge contract entered → the destination the protocol promised to pay, not followed. */
function addExits(g: TracedGraph, result: TraceResult, node: (chainId: number, address: Address) => string): void {
  for (const h of result.hits) {
    const e = h.exit;
    if (!e) continue;
    const key = `${e.txHash}:exit:${e.logIndex}`;
    if (g.hasEdge(key)) continue;
    const from = node(e.chainId, e.contract);
    const evm = e.destination.chainId !== null && e.recipient.kind === 'evm';
    const place = exitDestination(result, e);
    const to = evm ? node(e.destination.chainId!, e.recipient.text as Address) : destinationKey(e.destination.code ?? e.destination.name, e.recipient.text);
    if (!g.hasNode(to)) {
      g.addNode(to, {
        label: cleanText(`${place} ${e.recipient.text}`, TEXT_MAX),
        role: 'destination',
        address: cleanText(e.recipient.text, TEXT_MAX),
        chainId: e.destination.chainId ?? -1,
        chain: place,
        entity: '',
        category: '',
        risk: '',
        hop: -1,
        evidence: '',
        evidenceDetail: cleanText(exitEvidenceText(e), 2000),
      });
    } else if (g.getNodeAttribute(to, 'role') === 'address') g.setNodeAttribute(to, 'role', 'destination');
    const p = e.promised;
    g.addDirectedEdgeWithKey(key, from, to, {
      txHash: e.txHash,
      ref: `exit:${e.logIndex}`,
      kind: 'exit',
      chainId: e.chainId,
      fromChainId: e.chainId,
      toChainId: e.destination.chainId ?? -1,
      blockNumber: e.blockNumber,
      blockHash: '',
      asset: p.asset ?? '',
      symbol: p.symbol === null ? '' : cleanText(p.symbol, 40),
      decimals: p.decimals === null ? '' : String(p.decimals),
      amount: p.amount === null ? '' : p.amount.toString(),
      value: promisedText(p),
      hop: h.hops,
      evidence: 'fact',
      basis: 'protocol-promise',
      confidence: '',
      protocol: e.protocol,
      taintPoison: '',
      taintHaircut: '',
      taintFifo: '',
    });
  }
}

/** The value of a crossing whose amount is the exit's promise: `0.5 (asset not named; the exit's promise, not seen)`. */
function promisedValue(amount: bigint, decimals: number | null, symbol: string | null, asset: PathStep['asset']): string {
  const said = "the exit's promise, not seen";
  return asset === null ? `${formatAmount(amount, decimals)} (${ASSET_NOT_NAMED}; ${said})` : `${amountText(amount, decimals, symbol, asset)} (${said})`;
}

/** One crossing's identity: the exit and arrival logs it joins. */
function crossingId(c: Crossing): string {
  return `${c.exit.txHash}:${c.exit.logIndex}>${c.arrival.txHash}:${c.arrival.logIndex}`;
}

/** The attributes every graph format writes, in this order (graph formats under formats/). */
export const NODE_KEYS = ['label', 'role', 'address', 'chainId', 'chain', 'entity', 'category', 'risk', 'hop', 'evidence', 'evidenceDetail'] as const;
export const EDGE_KEYS = [
  'txHash', 'ref', 'kind', 'chainId', 'fromChainId', 'toChainId', 'blockNumber', 'blockHash', 'asset', 'symbol', 'decimals', 'amount', 'value', 'hop',
  'evidence', 'basis', 'confidence', 'protocol', 'taintPoison', 'taintHaircut', 'taintFifo',
] as const;
/** Attributes written as integers where a format has types (GraphML). */
export const INT_KEYS: ReadonlySet<string> = new Set(['hop', 'blockNumber', 'chainId', 'fromChainId', 'toChainId']);
