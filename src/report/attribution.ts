import { TAINT_MODELS, emptyModelAmounts, frontierTotal, type Amounts, type Attribution, type ModelAmounts, type TaintModel, type VenueFlow } from '../graph/index.js';
import type { HitCategory, TraceResult } from '../trace/result.js';
import type { Address, Asset, LabelCategory, Risk, Transfer } from '../types.js';
import { accountKey } from './chains.js';

/** Symbol and decimals of an asset, as the store knows them (null = the token did not say). */
export interface AssetMeta {
  symbol: string | null;
  decimals: number | null;
}

/** Attribution of one run, with what rendering needs besides the models' output. */
export interface AttributionReport {
  attribution: Attribution;
  /** The same models run from each seed alone (null when there were too many seeds to run one by one). */
  perSeed: { seed: Address; attribution: Attribution }[] | null;
  assets: ReadonlyMap<Asset, AssetMeta>;
  /** Assets of the traced movements on other chains than the home chain, keyed `<chain id>:<asset>`. */
  chainAssets?: ReadonlyMap<string, AssetMeta>;
  /** Unix seconds of the blocks the store has headers for. */
  times: ReadonlyMap<number, number>;
  /** Sentences on what the figures rest on and do not cover. */
  notes: string[];
  /**
   * The movements the run's walk followed, with the hop each was first followed at: the graph every
   * output draws (report/export.ts). Null for a run recorded before runs kept them: the graph is then the
   * movements that carried taint.
   */
  traced: { transfer: Transfer; hop: number }[] | null;
  /**
   * Venues the walk reached on another chain than the run's home chain, across a bridge: the models run
   * over the home chain only, so these carry the traced amounts that reached them (facts) and no model's
   * figure. Absent or empty for a run on one chain.
   */
  notAttributed?: UnattributedVenue[];
}

/** The marker every output prints beside a venue reached on another chain (no taint model ran there). */
export const NOT_ATTRIBUTED = 'not attributed: on another chain than the home chain';

/**
 * Beside a venue's figure whose asset no log named (a Wormhole redemption in the chain's coin, on a node
 * without trace_transaction to show the call that paid it): the figure
 * is the exit's promise on the source chain, not a delivery seen on the venue's chain.
 */
export const PROMISED_NOT_SEEN = "not seen: the exit's promise on its source chain (no log of the arrival names what was paid)";

/** A venue reached on another chain than the home chain: what the walk's movements brought it (facts). */
export interface UnattributedVenue {
  address: Address;
  chainId: number;
  entity: string;
  category: LabelCategory;
  risk: Risk;
  /** Fewest hops of its hits (the hop count runs on across a crossing). */
  hops: number;
  /** Traced movements into it. */
  arrivals: number;
  /** First and last arrival; `timestamp` from that chain's stored header (null where none is stored). */
  first: { blockNumber: number; txHash: string; timestamp?: number | null };
  last: { blockNumber: number; txHash: string; timestamp?: number | null };
  /**
   * Sum of the traced movements into it, per asset of its own chain (`native` there is that chain's coin).
   * A bridge's payee that is itself the venue: the crossing steps into it; `promised` where the step's
   * amount is the exit's promise, not a delivery seen (PathStep.promised; every output says so with
   * PROMISED_NOT_SEEN).
   */
  traced: { asset: Asset | null; symbol: string | null; decimals: number | null; amount: bigint; promised?: true }[];
  /**
   * How the walk got there from a seed: `fact` where some hit's path into it crosses by links that are
   * facts only (a protocol's own id), `inference` where every path crosses by a heuristic match (the
   * traced movements into it are facts either way; that they are the seed's funds is then an inference).
   */
  route: 'fact' | 'inference';
}

/** The words every output prints beside a venue on another chain reached only through an inferred crossing. */
export const INFERRED_ROUTE = 'route: inference (reached through a crossing matched by heuristic)';

/** An UnattributedVenue in the JSON report: amounts as exact decimal strings, marked as facts and not attributed. */
export type UnattributedVenueJson = Omit<UnattributedVenue, 'traced'> & {
  /** `promised`: set where the amount is the exit's promise, not a delivery seen (PathStep.promised). */
  traced: { asset: Asset | null; symbol: string | null; decimals: number | null; amount: string; promised?: true }[];
  evidence: 'fact';
  attribution: typeof NOT_ATTRIBUTED;
  /** `venue` or `bridge` (see VENUE_DEFINITION), as the venue CSV's `reached_as`. */
  reachedAs: ReachedRow['role'];
};

/**
 * What "venue" means in every output: a labelled exchange or service (exchange, OTC desk, swap service,
 * mixer) where the funds were cashed out or deposited, on any chain of the run. A bridge the funds entered
 * is a crossing (or an exit not followed), never a venue, whether or not the label book names it: the
 * models stop at a labelled bridge as at any label, so it keeps its row with its figures, marked.
 */
export const VENUE_DEFINITION = 'a labelled exchange or service where the funds were cashed out or deposited, on any chain; a bridge entered is a crossing or an exit, not a venue';

/** The words every output prints beside a labelled bridge's row: its figures are shown, it is not counted as a venue. */
export const BRIDGE_NOT_VENUE = 'bridge entered: a crossing or an exit, not counted as a venue';

/** A row of the venue table: a labelled address the traced funds reached, on the chain it was reached on. */
export interface ReachedRow {
  address: Address;
  chainId: number;
  risk: Risk;
  /** `venue`: counted as a venue reached; `bridge`: a bridge contract entered (see VENUE_DEFINITION). */
  role: 'venue' | 'bridge';
}

/** The venues a run reached, counted one way for every output (text, Markdown, HTML, CSV, JSON). */
export interface VenuesReached {
  /** The home chain's attribution rows, then those on other chains, in the attribution's order. */
  rows: ReachedRow[];
  /** The chain each attributed venue was reached on (the attribution keys venues by address alone). */
  chainOf: ReadonlyMap<Address, number>;
  /** Rows with role `venue`, on every chain. */
  count: number;
  sanctioned: number;
  high: number;
  /** Of `count`, those on another chain than the home chain (no model ran there). */
  otherChains: number;
  /** Rows with role `bridge`: labelled bridges the funds entered, not counted. */
  bridges: number;
  /**
   * Every bridge contract the funds entered, on any chain (bridgesEntered): the labelled ones of `bridges`
   * and the contracts of the crossings and exits, as the graph exports mark them (role `bridge`). Not counted.
   */
  bridgesEntered: number;
}

/** A row's role by its label's category: a bridge is never a venue. */
export function reachedRole(category: LabelCategory | HitCategory): ReachedRow['role'] {
  return category === 'bridge' ? 'bridge' : 'venue';
}

/**
 * The chain each venue of the attribution was reached on: the chain of the transfer its first arrival
 * came in (the attribution keys venues by address alone). Absent: the run's home chain.
 */
export function venueChains(a: AttributionReport, home: number): Map<Address, number> {
  const txChain = new Map<string, number>();
  for (const e of a.traced ?? a.attribution.edges) txChain.set(e.transfer.txHash, e.transfer.chainId);
  return new Map(a.attribution.venues.map((v) => [v.address, txChain.get(v.first.txHash) ?? home]));
}

/** The run's facts bridgesEntered reads besides the attribution: its home chain, crossings and exits. */
export type ReachedRun = Pick<TraceResult, 'chainId' | 'crossings' | 'hits'>;

/**
 * The bridge contracts the funds entered, keyed by chain and address (accountKey), as the graph exports
 * mark them (role `bridge`): the labelled bridges of the venue table, the contract each crossing left
 * from and each exit's contract, less any that is a venue of the table.
 */
export function bridgesEntered(rows: readonly ReachedRow[], run: ReachedRun): Set<string> {
  const venues = new Set(rows.filter((r) => r.role === 'venue').map((r) => accountKey(r.chainId, r.address)));
  const entered = new Set<string>([
    ...rows.filter((r) => r.role === 'bridge').map((r) => accountKey(r.chainId, r.address)),
    ...(run.crossings ?? []).map((c) => accountKey(c.fromChainId, c.from)),
    ...run.hits.flatMap((h) => (h.exit ? [accountKey(h.exit.chainId, h.exit.contract)] : [])),
  ]);
  for (const v of venues) entered.delete(v);
  return entered;
}

/** The rows of the venue table, on the chain each was reached on, with the role each is counted in. */
export function reachedRows(a: AttributionReport, home: number, chainOf: ReadonlyMap<Address, number> = venueChains(a, home)): ReachedRow[] {
  return [
    ...a.attribution.venues.map((v) => ({ address: v.address, chainId: chainOf.get(v.address) ?? home, risk: v.venue.risk, role: reachedRole(v.venue.category) })),
    ...(a.notAttributed ?? []).map((v) => ({ address: v.address, chainId: v.chainId, risk: v.risk, role: reachedRole(v.category) })),
  ];
}

/** The venues reached, as every output counts them (VENUE_DEFINITION). */
export function venuesReached(a: AttributionReport, run: ReachedRun): VenuesReached {
  const home = run.chainId;
  const chainOf = venueChains(a, home);
  const rows = reachedRows(a, home, chainOf);
  const venues = rows.filter((r) => r.role === 'venue');
  return {
    rows,
    chainOf,
    count: venues.length,
    sanctioned: venues.filter((r) => r.risk === 'sanctioned').length,
    high: venues.filter((r) => r.risk === 'high').length,
    otherChains: venues.filter((r) => r.chainId !== home).length,
    bridges: rows.length - venues.length,
    bridgesEntered: bridgesEntered(rows, run).size,
  };
}

/**
 * `2 (0 sanctioned, 0 high risk; 2 on other chains, not attributed); not counted: 3 bridges the funds
 * entered, 2 of them with a row below (…)`, in every text output: the bridges as the graph exports count
 * them; a row below is the venue table's (a bridge the label book names), and the others carry the bridge
 * registry's label in the paths and the graph.
 */
export function venuesReachedText(v: VenuesReached): string {
  const other = v.otherChains > 0 ? `; ${v.otherChains} on other chains, not attributed` : '';
  const n = v.bridgesEntered;
  const bridges = n > 0 ? `; not counted: ${n} bridge${n === 1 ? '' : 's'} the funds entered, ${v.bridges === n ? (n === 1 ? 'with its row below' : 'each with a row below') : `${v.bridges} of them with a row below`} (a crossing or an exit, not a venue)` : '';
  return `${v.count} (${v.sanctioned} sanctioned, ${v.high} high risk${other})${bridges}`;
}

/** The `venuesReached` member of the JSON attribution: the same counts, with the definition they follow. */
export interface VenuesReachedJson {
  count: number;
  sanctioned: number;
  highRisk: number;
  onOtherChains: number;
  bridgesNotCounted: number;
  /** Every bridge contract the funds entered (VenuesReached.bridgesEntered), labelled or not: the graph's `bridge` nodes. */
  bridgesEntered: number;
  definition: typeof VENUE_DEFINITION;
}

/** Published definitions of the models, cited in every report. */
export const MODEL_CITATIONS: Record<TaintModel, string> = {
  poison:
    'Möser, Böhme, Breuker (2014), "Towards Risk Scoring of Bitcoin Transactions", FC 2014 workshops: any tainted input taints every later output in full.',
  haircut:
    'Möser, Böhme, Breuker (2014), ibid.: each output carries the tainted fraction of the balance (exact: floored share, the remainder stays with the sender).',
  fifo:
    'Anderson, Shumailov, Ahmed (2018), "Making Bitcoin Legal", Security Protocols XXVI: first in, first out per address and asset (Clayton\'s case).',
};

/**
 * Strength of a finding from how many models support it. Poison taints whatever haircut or FIFO taints
 * (an address holding tainted value was poisoned when it received it), so one model is poison alone.
 */
export function strength(support: readonly TaintModel[]): 'all models' | 'two models' | 'poison only' | 'none' {
  return support.length >= 3 ? 'all models' : support.length === 2 ? 'two models' : support.length === 1 ? 'poison only' : 'none';
}

export type AmountsJson = Record<string, string>;
export type ModelAmountsJson = Record<TaintModel, AmountsJson>;

export interface VenueFlowJson {
  address: Address;
  /** The chain the venue was reached on (its first arrival's); absent only where the report knows no chain. */
  chainId: number | undefined;
  entity: string;
  category: LabelCategory;
  risk: Risk;
  hops: number;
  arrivals: number;
  first: { blockNumber: number; timestamp: number | null; txHash: string };
  last: { blockNumber: number; timestamp: number | null; txHash: string };
  support: TaintModel[];
  strength: ReturnType<typeof strength>;
  amounts: ModelAmountsJson;
  /** `venue`: counted in venuesReached; `bridge`: a labelled bridge entered, its figures shown, not counted (the CSV's reached_as). */
  reachedAs: ReachedRow['role'];
}

export interface SwapTaintJson {
  holder: Address;
  txHash: string;
  blockNumber: number;
  assetIn: Asset;
  amountIn: string;
  assetOut: Asset;
  amountOut: string;
  pools: Address[];
  taintIn: Record<TaintModel, string>;
  taintOut: Record<TaintModel, string>;
}

export interface AttributionJson {
  models: { name: TaintModel; citation: string }[];
  transfersRead: number;
  assets: { asset: Asset; symbol: string | null; decimals: number | null }[];
  seeded: ModelAmountsJson;
  venues: VenueFlowJson[];
  frontier: {
    total: ModelAmountsJson;
    addresses: { address: Address; hop: number; reason: 'hop-limit' | 'hub' | 'not-traced' | null; held: ModelAmountsJson; notFollowed: ModelAmountsJson }[];
  };
  burned: ModelAmountsJson;
  belowMinValue: ModelAmountsJson;
  returnedToSeeds: ModelAmountsJson;
  /** Value not from the seeds a model counts as tainted (poison only; zero for haircut and FIFO). */
  takenIn: ModelAmountsJson;
  /** Taint moved between the native coin and a wrapper token by wraps and unwraps, and across DEX swaps. */
  converted: { out: ModelAmountsJson; in: ModelAmountsJson };
  /** The DEX swaps that carried taint, with the taint in and out per model (absent when none did). */
  swaps?: SwapTaintJson[];
  perSeed: { seed: Address; seeded: ModelAmountsJson; atVenues: ModelAmountsJson; frontier: ModelAmountsJson }[] | null;
  notes: string[];
  /** Venues reached on another chain than the home chain: traced amounts only, no model ran there. */
  notAttributed?: UnattributedVenueJson[];
  /** The venues reached on every chain, counted as every output counts them (VENUE_DEFINITION). */
  venuesReached: VenuesReachedJson;
}

/** Amounts as `{ asset: "decimal string" }`, assets sorted (native first), zeros left out. */
export function amountsJson(m: Amounts): AmountsJson {
  const out: AmountsJson = {};
  for (const asset of [...m.keys()].sort(assetOrder)) {
    const v = m.get(asset)!;
    if (v !== 0n) out[asset] = v.toString();
  }
  return out;
}

export function modelAmountsJson(m: ModelAmounts): ModelAmountsJson {
  return { poison: amountsJson(m.poison), haircut: amountsJson(m.haircut), fifo: amountsJson(m.fifo) };
}

/** Order of assets in every report: native first, then token addresses ascending. */
export function assetOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (a === 'native') return -1;
  if (b === 'native') return 1;
  return a < b ? -1 : 1;
}

/** Sum of the venues' amounts per model. */
export function venuesTotal(venues: readonly VenueFlow[]): ModelAmounts {
  const out = emptyModelAmounts();
  for (const v of venues) {
    for (const model of TAINT_MODELS) {
      for (const [asset, amount] of v.amounts[model]) out[model].set(asset, (out[model].get(asset) ?? 0n) + amount);
    }
  }
  return out;
}

/** What the frontier addresses hold, summed per model. */
export function frontierModels(a: Attribution): ModelAmounts {
  return { poison: frontierTotal(a.frontier, 'poison'), haircut: frontierTotal(a.frontier, 'haircut'), fifo: frontierTotal(a.frontier, 'fifo') };
}

/** The `attribution` member of the JSON report (schema: `$defs/attribution`). */
export function attributionJson(r: AttributionReport, run: ReachedRun): AttributionJson {
  const a = r.attribution;
  const home = run.chainId;
  // The block times are the home chain's (the store's headers of the run's range): a venue reached on
  // another chain gets no time from them. Its chain is that of its first arrival (venueChains).
  const reached = venuesReached(r, run);
  const chainOf = (v: VenueFlow): number => reached.chainOf.get(v.address) ?? home;
  const time = (block: number, v?: VenueFlow): number | null => (v === undefined || chainOf(v) === home ? (r.times.get(block) ?? null) : null);
  const usedAssets = new Set<Asset>();
  for (const m of [...Object.values(a.seeded), ...Object.values(a.takenIn)]) for (const k of m.keys()) usedAssets.add(k);
  for (const v of a.venues) for (const model of TAINT_MODELS) for (const k of v.amounts[model].keys()) usedAssets.add(k);
  for (const model of TAINT_MODELS) for (const k of frontierTotal(a.frontier, model).keys()) usedAssets.add(k);
  for (const w of a.swaps) for (const k of [w.conversion.assetIn, w.conversion.assetOut]) usedAssets.add(k);
  const perModel = (t: Record<TaintModel, bigint>): Record<TaintModel, string> => ({ poison: t.poison.toString(), haircut: t.haircut.toString(), fifo: t.fifo.toString() });
  return {
    models: TAINT_MODELS.map((name) => ({ name, citation: MODEL_CITATIONS[name] })),
    transfersRead: a.transfersRead,
    assets: [...usedAssets].sort(assetOrder).map((asset) => ({ asset, symbol: r.assets.get(asset)?.symbol ?? null, decimals: r.assets.get(asset)?.decimals ?? null })),
    seeded: modelAmountsJson(a.seeded),
    venues: a.venues.map((v) => ({
      address: v.address,
      chainId: chainOf(v),
      entity: v.venue.entity,
      category: v.venue.category,
      risk: v.venue.risk,
      hops: v.hops,
      arrivals: v.arrivals,
      first: { blockNumber: v.first.block, timestamp: time(v.first.block, v), txHash: v.first.txHash },
      last: { blockNumber: v.last.block, timestamp: time(v.last.block, v), txHash: v.last.txHash },
      support: [...v.support],
      strength: strength(v.support),
      amounts: modelAmountsJson(v.amounts),
      reachedAs: reachedRole(v.venue.category),
    })),
    frontier: {
      total: modelAmountsJson(frontierModels(a)),
      addresses: a.frontier.map((h) => ({ address: h.address, hop: h.hop, reason: h.reason, held: modelAmountsJson(h.held), notFollowed: modelAmountsJson(h.notFollowed) })),
    },
    burned: modelAmountsJson(a.burned),
    belowMinValue: modelAmountsJson(a.belowMinValue),
    returnedToSeeds: modelAmountsJson(a.returnedToSeeds),
    takenIn: modelAmountsJson(a.takenIn),
    converted: { out: modelAmountsJson(a.converted.out), in: modelAmountsJson(a.converted.in) },
    ...(a.swaps.length === 0
      ? {}
      : {
          swaps: a.swaps.map(({ conversion: c, taintIn, taintOut }) => ({
            holder: c.holder,
            txHash: c.txHash,
            blockNumber: c.blockNumber,
            assetIn: c.assetIn,
            amountIn: c.amountIn.toString(),
            assetOut: c.assetOut,
            amountOut: c.amountOut.toString(),
            pools: c.legs.map((l) => l.pool),
            taintIn: perModel(taintIn),
            taintOut: perModel(taintOut),
          })),
        }),
    perSeed:
      r.perSeed?.map((s) => ({
        seed: s.seed,
        seeded: modelAmountsJson(s.attribution.seeded),
        // Every row of the venue table, labelled bridges too: the balance adds up over them.
        atVenues: modelAmountsJson(venuesTotal(s.attribution.venues)),
        frontier: modelAmountsJson(frontierModels(s.attribution)),
      })) ?? null,
    notes: [...r.notes],
    ...(r.notAttributed && r.notAttributed.length > 0 ? { notAttributed: r.notAttributed.map(unattributedJson) } : {}),
    venuesReached: venuesReachedJson(reached),
  };
}

function venuesReachedJson(v: VenuesReached): VenuesReachedJson {
  return { count: v.count, sanctioned: v.sanctioned, highRisk: v.high, onOtherChains: v.otherChains, bridgesNotCounted: v.bridges, bridgesEntered: v.bridgesEntered, definition: VENUE_DEFINITION };
}

function unattributedJson(v: UnattributedVenue): UnattributedVenueJson {
  return { ...v, traced: v.traced.map((t) => ({ ...t, amount: t.amount.toString() })), evidence: 'fact', attribution: NOT_ATTRIBUTED, reachedAs: reachedRole(v.category) };
}

/** A venue's traced amounts split for every renderer: the movements seen (facts), and the exits' promises. */
export function tracedParts<T extends { promised?: true }>(traced: readonly T[]): { seen: T[]; promised: T[] } {
  return { seen: traced.filter((t) => t.promised !== true), promised: traced.filter((t) => t.promised === true) };
}
