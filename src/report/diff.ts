import { TAINT_MODELS, type TaintModel } from '../graph/index.js';
import type { Evidence, Hit, PathStep, TraceResult } from '../trace/result.js';
import type { Address, Asset } from '../types.js';
import { MODEL_CITATIONS, assetOrder, type AttributionJson } from './attribution.js';
import { UsageError } from '../errors.js';
import { fromJsonValue } from './fromJson.js';
import type { FullReportJson, GraphJson } from './full.js';
import { addressEvidenceJson } from './json.js';

/**
 * What changed between two runs of one case (`hoptrace diff`): hits that are new or gone, evidence that
 * changed, amounts per venue that grew or shrank, movements and addresses the later run reached, and
 * where the two runs did not see the same (coverage, parameters, labels), so that a "new" hit that is
 * only better coverage is not taken for news. Pure: two reports in, one JSON-ready value out
 * (schema/run-diff.schema.json); every renderer draws that value, so text and JSON cannot disagree.
 */

/** Version of the diff JSON (schema/run-diff.schema.json). Bump on any incompatible change. */
export const DIFF_SCHEMA_VERSION = 1;

/** `labels.dataVersion` of a side whose report did not record its label data (older reports). */
export const LABELS_UNRECORDED = 'unrecorded';

/** One side of a diff: a stored run or a JSON report file, read into the same shape. */
export interface DiffSide {
  /** How the reader names it: `run 3` or `file a.json`. */
  name: string;
  source: 'run' | 'file';
  /** The run id (stored run, or the manifest's run of a report file); null when the file has no manifest. */
  run: number | null;
  result: TraceResult;
  /** Present for `report --format json` files and stored runs; absent for `trace --json` files. */
  attribution: AttributionJson | null;
  /** The traced graph (same); absent for `trace --json` files, whose hit paths are used instead. */
  graph: GraphJson | null;
}

/**
 * A report document as one side of a diff: its hits read back (report/fromJson.ts, schema 1 and 2), and
 * its attribution and graph where it carries them (`report --format json`; not `trace --json`).
 */
export function diffSide(doc: unknown, name: string, source: DiffSide['source'], run: number | null): DiffSide {
  // Errors name a file as the user typed it.
  const what = source === 'file' && name.startsWith('file ') ? name.slice('file '.length) : name;
  const result = fromJsonValue(doc, what);
  const d = doc as Partial<FullReportJson>;
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const p = d.params as unknown;
  if (!isObject(p) || typeof p['toBlock'] !== 'number' || typeof p['fromBlock'] !== 'number' || typeof p['direction'] !== 'string') {
    throw new UsageError(`${what} is not a hoptrace JSON report: no params with a block range and a direction.`);
  }
  if (!Array.isArray(d.seeds) || !isObject(d.coverage) || !Array.isArray(d.coverage.warnings)) {
    throw new UsageError(`${what} is not a hoptrace JSON report: no seeds or coverage.`);
  }
  // Reports written before the label data was recorded (schema 1, early schema 2) say nothing of it.
  if (!isObject(d.labels)) result.labels = { dataVersion: LABELS_UNRECORDED, userLabels: 0 };
  const attribution = isObject(d.attribution) && Array.isArray(d.attribution.venues) && Array.isArray(d.attribution.assets) ? d.attribution : null;
  const graph = isObject(d.graph) && Array.isArray(d.graph.nodes) && Array.isArray(d.graph.edges) ? d.graph : null;
  // What the diff reads of them, checked: a report edited by hand is bad input, not an internal error.
  const bad = (where: string): never => {
    throw new UsageError(`${what} is not a hoptrace JSON report: ${where} is malformed.`);
  };
  const decimal = (v: unknown): boolean => typeof v === 'string' && /^\d+$/.test(v);
  attribution?.venues.forEach((v, i) => {
    if (!isObject(v) || typeof v.address !== 'string' || !isObject(v.amounts)) bad(`attribution.venues[${i}]`);
    for (const m of TAINT_MODELS) {
      const amounts = (v.amounts as Record<string, unknown>)[m];
      if (!isObject(amounts) || !Object.values(amounts).every(decimal)) bad(`attribution.venues[${i}].amounts.${m}`);
    }
  });
  result.hits.forEach((h, i) => {
    if (!['out', 'in'].includes(h.direction) || typeof h.seed !== 'string' || typeof h.address !== 'string' || !Number.isSafeInteger(h.firstBlock) || !Number.isSafeInteger(h.hops)) bad(`hits[${i}]`);
    h.path.forEach((p, j) => Number.isSafeInteger(p.blockNumber) || bad(`hits[${i}].path[${j}]`));
  });
  graph?.edges.forEach((e, i) => {
    if (!isObject(e) || !['txHash', 'ref', 'from', 'to', 'asset'].every((k) => typeof e[k] === 'string') || !Number.isSafeInteger(e.blockNumber) || !decimal(e.amount)) bad(`graph.edges[${i}]`);
  });
  graph?.nodes.forEach((n, i) => {
    if (!isObject(n) || typeof n.address !== 'string' || typeof n.hop !== 'number') bad(`graph.nodes[${i}]`);
  });
  return { name, source, run, result, attribution, graph };
}

/** Why a hit is new (or gone): what explains it. */
export type HitCause = 'new-activity' | 'labels' | 'parameters' | 'coverage' | 'unexplained';

export interface DiffHit {
  direction: 'out' | 'in';
  seed: Address;
  address: Address;
  kind: Hit['kind'];
  entity: string;
  category: string;
  risk: string;
  hops: number;
  /** First block funds arrived (out) or left (in), and its time (unix seconds) where a report knows it. */
  firstBlock: number;
  firstSeen: number | null;
  /** The hit's evidence (a label is a fact; an inference names its heuristic). */
  evidence: Evidence;
  cause: HitCause;
  /** The cause in one sentence. */
  why: string;
}

export interface EvidenceChange {
  direction: 'out' | 'in';
  seed: Address;
  address: Address;
  entity: string;
  from: Evidence;
  to: Evidence;
}

export interface FirstSeenChange {
  direction: 'out' | 'in';
  seed: Address;
  address: Address;
  entity: string;
  from: { block: number; timestamp: number | null };
  to: { block: number; timestamp: number | null };
}

/**
 * `traced`: the traced transfers into the venue (out) or out of it (in), summed (facts: `Hit.totals`); a
 * taint model's attribution otherwise (forward only).
 */
export type AmountMeasure = 'traced' | TaintModel;

export interface AmountChange {
  /** `out`: value that reached the venue; `in`: value that came from it toward the seeds. */
  direction: 'out' | 'in';
  address: Address;
  entity: string;
  measure: AmountMeasure;
  /** `fact` for `traced` (on-chain transfers summed); `model` for a taint model's attribution. */
  basis: 'fact' | 'model';
  /** Only for a venue on another chain than the home chain (its asset is that chain's). */
  chainId?: number;
  asset: Asset;
  symbol: string | null;
  decimals: number | null;
  /** Base units as exact decimal strings; `0` where the side had none. */
  a: string;
  b: string;
  /** |b − a|, decimal string; `grew` says which way. */
  change: string;
  grew: boolean;
}

export interface DiffEdge {
  txHash: string;
  ref: string;
  /** The chain the movement is on (a cross-chain run's steps are on several). */
  chainId: number;
  from: Address;
  to: Address;
  blockNumber: number;
  timestamp: number | null;
  asset: Asset;
  symbol: string | null;
  decimals: number | null;
  amount: string;
  /** Whether the block is after the earlier side's last block: a movement that happened since. */
  afterA: boolean;
}

export interface DiffSideJson {
  source: 'run' | 'file';
  name: string;
  run: number | null;
  chainId: number;
  direction: string;
  seeds: Address[];
  blockRange: { fromBlock: number; toBlock: number };
  generatedAt: string;
  complete: boolean;
  carries: { attribution: boolean; graph: boolean };
}

export interface RunDiffJson {
  diffSchemaVersion: number;
  a: DiffSideJson;
  b: DiffSideJson;
  /** Whether anything below differs: `hoptrace diff --exit-code` exits 3 exactly when true. */
  changed: boolean;
  /** The runs were of different cases and compared with --force: what differs. */
  forced: string[];
  summary: {
    newHits: number;
    /** New hits explained by movements after the earlier side's last block: the news. */
    newHitsFromNewActivity: number;
    goneHits: number;
    evidenceChanged: number;
    firstSeenChanged: number;
    amountsChanged: number;
    newEdges: number;
    newEdgesAfterA: number;
    goneEdges: number;
    newAddresses: number;
    goneAddresses: number;
  };
  hits: { new: DiffHit[]; gone: DiffHit[]; evidenceChanged: EvidenceChange[]; firstSeenChanged: FirstSeenChange[] };
  /** `models`: the taint models compared, with their published definitions. */
  amounts: { measures: AmountMeasure[]; models: { name: TaintModel; citation: string }[]; changes: AmountChange[] };
  edges: { from: 'graph' | 'paths'; new: number; gone: number; newListed: DiffEdge[]; goneListed: DiffEdge[] };
  addresses: { new: number; gone: number; newListed: { address: Address; hop: number | null }[]; goneListed: { address: Address; hop: number | null }[] };
  coverage: {
    warningsOnlyInA: string[];
    warningsOnlyInB: string[];
    methods: { part: 'erc20' | 'native' | 'internal'; a: string | null; b: string | null }[];
    params: { name: string; a: unknown; b: unknown }[];
    labels: { a: { dataVersion: string; userLabels: number }; b: { dataVersion: string; userLabels: number } } | null;
  };
  notes: string[];
}

export interface DiffOptions {
  /** Most new (and gone) movements and addresses listed; all are counted. */
  limit: number;
  /** The differences of case `comparability` found, when the caller compares anyway (--force). */
  forced?: string[];
  /** A block's time where the reports do not give it (the database's headers, when a side is a stored run). */
  blockTime?: (block: number) => number | null;
}

/**
 * What makes two runs runs of different cases: another chain, direction or seed set. Empty when they
 * can be compared. Each entry is a clause: `chains differ (1 and 10)`.
 */
export function comparability(a: DiffSide, b: DiffSide): string[] {
  const out: string[] = [];
  if (a.result.chainId !== b.result.chainId) out.push(`chains differ (${a.result.chainId} and ${b.result.chainId})`);
  if (a.result.params.direction !== b.result.params.direction) out.push(`directions differ (${a.result.params.direction} and ${b.result.params.direction})`);
  const sa = new Set(a.result.seeds.map((s) => s.address));
  const sb = new Set(b.result.seeds.map((s) => s.address));
  const onlyA = [...sa].filter((s) => !sb.has(s)).length;
  const onlyB = [...sb].filter((s) => !sa.has(s)).length;
  if (onlyA + onlyB > 0) out.push(`seeds differ (${onlyA} only in ${a.name}, ${onlyB} only in ${b.name})`);
  return out;
}

const hitKey = (h: { direction: string; seed: string; address: string }): string => `${h.direction}|${h.seed}|${h.address}`;

/** The evidence's identity: level, what kind of hit, the sources' names and origins, the inference's entity, the conflict. */
function evidenceSignature(h: Hit): string {
  const e = h.evidence;
  return JSON.stringify([
    e.level,
    h.kind,
    e.sources.map((s) => `${s.kind}:${s.origin}:${s.name}:${s.category}`).sort(),
    e.inference?.entity ?? null,
    e.conflict,
  ]);
}

/** Block times the two sides know: path steps and attribution first/last arrivals. */
function blockTimes(sides: readonly DiffSide[]): Map<number, number> {
  const out = new Map<number, number>();
  const note = (block: number, t: number | null | undefined): void => {
    if (typeof t === 'number' && !out.has(block)) out.set(block, t);
  };
  for (const s of sides) {
    for (const h of s.result.hits) for (const p of [...h.path, ...(h.byValue?.path ?? [])]) note(p.blockNumber, p.timestamp);
    for (const v of s.attribution?.venues ?? []) {
      note(v.first.blockNumber, v.first.timestamp);
      note(v.last.blockNumber, v.last.timestamp);
    }
  }
  return out;
}

/** Parameters that change what a run can reach (not the block range: that is what a later run moves). */
function paramChanges(a: TraceResult, b: TraceResult): { name: string; a: unknown; b: unknown }[] {
  const names = ['hops', 'minValue', 'fanOutCap', 'maxAddresses', 'stopAtLabels', 'fromBlock'] as const;
  return names
    .filter((n) => JSON.stringify(a.params[n]) !== JSON.stringify(b.params[n]))
    .map((n) => ({ name: n, a: a.params[n], b: b.params[n] }));
}

const PARTS = ['erc20', 'native', 'internal'] as const;

/** Whether `x` saw less than `y`: a warning `y` does not have, or a kind of transfer `x` could not read and `y` could. */
function sawLess(x: TraceResult, y: TraceResult): boolean {
  const yw = new Set(y.coverage.warnings);
  return x.coverage.warnings.some((w) => !yw.has(w)) || PARTS.some((p) => x.coverage[p] === null && y.coverage[p] !== null);
}

/** The graph's movements, or the hit paths' when a side carries no graph (`trace --json`). */
function edgesOf(s: DiffSide, fromGraph: boolean): Map<string, Omit<DiffEdge, 'afterA' | 'timestamp'> & { hop: number | null }> {
  const out = new Map<string, Omit<DiffEdge, 'afterA' | 'timestamp'> & { hop: number | null }>();
  if (fromGraph && s.graph) {
    for (const e of s.graph.edges) {
      const decimals = e.decimals === '' ? null : Number(e.decimals);
      const chainId = typeof e.chainId === 'number' ? e.chainId : s.result.chainId;
      out.set(`${chainId}:${e.txHash}:${e.ref}`, {
        txHash: e.txHash, ref: e.ref, chainId, from: e.from as Address, to: e.to as Address, blockNumber: e.blockNumber,
        asset: e.asset as Asset, symbol: e.symbol === '' ? null : e.symbol, decimals: Number.isInteger(decimals) ? decimals : null, amount: e.amount, hop: e.hop,
      });
    }
    return out;
  }
  const add = (p: PathStep, hop: number): void => {
    // A crossing step whose arrival named no asset moved no asset this diff can compare.
    if (p.asset === null) return;
    const chainId = p.chainId ?? s.result.chainId;
    const key = `${chainId}:${p.txHash}:${p.ref}`;
    const had = out.get(key);
    if (had && had.hop !== null && had.hop <= hop) return;
    out.set(key, { txHash: p.txHash, ref: p.ref, chainId, from: p.from, to: p.to, blockNumber: p.blockNumber, asset: p.asset, symbol: p.symbol, decimals: p.decimals, amount: p.amount.toString(), hop });
  };
  for (const h of s.result.hits) {
    for (const path of [h.path, h.byValue?.path ?? []]) {
      // Hops count from the seed: the seed is first for `out`, last for `in`.
      path.forEach((p, i) => add(p, h.direction === 'out' ? i + 1 : path.length - i));
    }
  }
  return out;
}

/** The graph's addresses with their hop, or the hit paths' endpoints. */
function addressesOf(s: DiffSide, fromGraph: boolean, edges: ReturnType<typeof edgesOf>): Map<Address, number | null> {
  const out = new Map<Address, number | null>();
  if (fromGraph && s.graph) {
    for (const n of s.graph.nodes) out.set(n.address as Address, n.hop < 0 ? null : n.hop);
    return out;
  }
  for (const seed of s.result.seeds) out.set(seed.address, 0);
  for (const e of edges.values()) {
    const far = s.result.params.direction === 'in' ? e.from : e.to;
    const near = far === e.to ? e.from : e.to;
    if (!out.has(far)) out.set(far, e.hop);
    if (!out.has(near)) out.set(near, e.hop === null ? null : e.hop - 1);
  }
  return out;
}

/** Amounts per direction, venue, measure and asset of one side: `traced` from the hits' totals, the models from the attribution. */
function venueAmounts(s: DiffSide, measures: readonly AmountMeasure[]): {
  amounts: Map<string, bigint>;
  entity: Map<Address, string>;
  meta: Map<Asset, { symbol: string | null; decimals: number | null }>;
} {
  const amounts = new Map<string, bigint>();
  const entity = new Map<Address, string>();
  const meta = new Map<Asset, { symbol: string | null; decimals: number | null }>();
  // The home chain's assets first: an asset of another chain is keyed `<asset>@<chain id>` (`native` there is
  // that chain's coin), never taken for the home chain's.
  for (const x of s.attribution?.assets ?? []) if (!meta.has(x.asset)) meta.set(x.asset, { symbol: x.symbol, decimals: x.decimals });
  if (measures.includes('traced')) {
    // One hit per seed and venue: the venue's traced arrivals are the same for each seed, counted once.
    const seen = new Set<string>();
    for (const h of s.result.hits) {
      if (h.kind !== 'venue' || seen.has(`${h.direction}|${h.address}`)) continue;
      seen.add(`${h.direction}|${h.address}`);
      entity.set(h.address, h.entity);
      const chain = h.chainId ?? s.result.chainId;
      for (const t of h.totals) {
        const asset = chain === s.result.chainId ? t.asset : `${t.asset}@${chain}`;
        const k = `${h.direction}|${h.address}|traced|${asset}`;
        amounts.set(k, (amounts.get(k) ?? 0n) + t.amount);
        if (!meta.has(asset)) meta.set(asset, { symbol: t.symbol, decimals: t.decimals });
      }
    }
  }
  for (const v of s.attribution?.venues ?? []) {
    if (!entity.has(v.address)) entity.set(v.address, v.entity);
    for (const m of TAINT_MODELS) {
      if (!measures.includes(m)) continue;
      for (const [asset, value] of Object.entries(v.amounts[m])) amounts.set(`out|${v.address}|${m}|${asset}`, BigInt(value));
    }
  }
  return { amounts, entity, meta };
}

/** Sorts by block, then transaction and ref: the order every list of movements is in. */
const byBlock = (x: DiffEdge, y: DiffEdge): number => x.blockNumber - y.blockNumber || (x.txHash < y.txHash ? -1 : x.txHash > y.txHash ? 1 : x.ref < y.ref ? -1 : x.ref > y.ref ? 1 : 0);

/**
 * What changed from `a` (the earlier run) to `b` (the later). Both sides must be of one case
 * (`comparability` empty) unless the caller forces it (`opts.forced` then lists what differs).
 */
export function diffRuns(a: DiffSide, b: DiffSide, opts: DiffOptions): RunDiffJson {
  const ra = a.result;
  const rb = b.result;
  const times = blockTimes([a, b]);
  const time = (block: number): number | null => times.get(block) ?? opts.blockTime?.(block) ?? null;
  const notes: string[] = [];
  const params = paramChanges(ra, rb);
  // Label data are compared only where both reports recorded them (a side that did not is said in the notes).
  const unrecorded = [a, b].filter((s) => s.result.labels.dataVersion === LABELS_UNRECORDED);
  const labelsDiffer = unrecorded.length === 0 && (ra.labels.dataVersion !== rb.labels.dataVersion || ra.labels.userLabels !== rb.labels.userLabels);
  if (unrecorded.length > 0) notes.push(`${unrecorded.map((s) => s.name).join(' and ')} did not record ${unrecorded.length === 1 ? 'its' : 'their'} label data (an older report): a hit that a label change made new cannot be told from the others.`);
  const aSawLess = sawLess(ra, rb);
  const bSawLess = sawLess(rb, ra);

  // Hits, keyed by direction, seed and address: evidence is compared, not keyed, so a change of it shows as one.
  const hitsA = new Map(ra.hits.map((h) => [hitKey(h), h]));
  const hitsB = new Map(rb.hits.map((h) => [hitKey(h), h]));
  const diffHit = (h: Hit, cause: HitCause, why: string): DiffHit => ({
    direction: h.direction, seed: h.seed, address: h.address, kind: h.kind, entity: h.entity, category: h.category, risk: h.risk, hops: h.hops,
    firstBlock: h.firstBlock, firstSeen: time(h.firstBlock), evidence: addressEvidenceJson(h.evidence), cause, why,
  });
  const learned = (h: Hit): boolean => h.evidence.inference?.origin === 'learned';
  /** Why `h`, which only `later` has, was not in `earlier`. */
  const causeOf = (h: Hit, earlier: DiffSide, later: DiffSide, earlierSawLess: boolean): [HitCause, string] => {
    // Only block numbers of the home chain compare with a run's range: steps on other chains (after a
    // crossing, or from a seed there) are left out, so a hit there is not called news by its numbers.
    const home = earlier.result.chainId;
    const onHome = h.path.filter((p) => (p.chainId ?? home) === home && p.kind !== 'bridge').map((p) => p.blockNumber);
    const lastBlock = Math.max((h.chainId ?? home) === home ? h.firstBlock : -1, ...onHome);
    const end = earlier.result.params.toBlock;
    if (later === b && lastBlock > end) return ['new-activity', `the path to it uses block ${lastBlock}, after block ${end}, the last ${a.name} read`];
    if (later === a && lastBlock > rb.params.toBlock) return ['parameters', `its path uses block ${lastBlock}, after block ${rb.params.toBlock}, the last ${b.name} read`];
    if (labelsDiffer) {
      return ['labels', `the label data differ (A: ${ra.labels.dataVersion} with ${ra.labels.userLabels} user labels; B: ${rb.labels.dataVersion} with ${rb.labels.userLabels}): a label, not a movement, can have made the difference`];
    }
    if (learned(h)) return ['labels', 'its evidence is a deposit address learned by a trace in between: an inference stored since, not a movement'];
    if (params.length > 0) return ['parameters', `the runs' parameters differ (${params.map((p) => p.name).join(', ')}): not news`];
    if (earlierSawLess) {
      return ['coverage', later === b
        ? `its movements are in ${a.name}'s blocks, and ${a.name} saw less (see coverage): better coverage, not news`
        : `${b.name} saw less (see coverage): worse coverage, not a change on chain`];
    }
    return ['unexplained', `its movements are in ${earlier.name}'s blocks and coverage, parameters and labels are the same: a reorg or a node that answered differently (compare the runs with hoptrace verify)`];
  };
  const newHits = [...hitsB].filter(([k]) => !hitsA.has(k)).map(([, h]) => diffHit(h, ...causeOf(h, a, b, aSawLess)));
  const goneHits = [...hitsA].filter(([k]) => !hitsB.has(k)).map(([, h]) => diffHit(h, ...causeOf(h, b, a, bSawLess)));
  const evidenceChanged: EvidenceChange[] = [];
  const firstSeenChanged: FirstSeenChange[] = [];
  for (const [k, hb] of hitsB) {
    const ha = hitsA.get(k);
    if (!ha) continue;
    if (evidenceSignature(ha) !== evidenceSignature(hb)) {
      evidenceChanged.push({ direction: hb.direction, seed: hb.seed, address: hb.address, entity: hb.entity, from: addressEvidenceJson(ha.evidence), to: addressEvidenceJson(hb.evidence) });
    }
    if (ha.firstBlock !== hb.firstBlock) {
      firstSeenChanged.push({
        direction: hb.direction, seed: hb.seed, address: hb.address, entity: hb.entity,
        from: { block: ha.firstBlock, timestamp: time(ha.firstBlock) }, to: { block: hb.firstBlock, timestamp: time(hb.firstBlock) },
      });
    }
  }

  // Amounts: `traced` always (both report kinds carry hit totals); the models where both carry an attribution.
  const bothAttributed = a.attribution !== null && b.attribution !== null;
  const measures: AmountMeasure[] = ['traced', ...(bothAttributed ? TAINT_MODELS : [])];
  if (!bothAttributed) {
    const without = [a, b].filter((s) => s.attribution === null).map((s) => s.name).join(' and ');
    notes.push(`${without} carr${without.includes(' and ') ? 'y' : 'ies'} no attribution (a trace --json report): amounts are compared as traced (the traced transfers into, or out of, each venue) only; diff stored runs, or report --format json files, for the taint models.`);
  }
  const va = venueAmounts(a, measures);
  const vb = venueAmounts(b, measures);
  const amountChanges: AmountChange[] = [];
  for (const key of new Set([...va.amounts.keys(), ...vb.amounts.keys()])) {
    const x = va.amounts.get(key) ?? 0n;
    const y = vb.amounts.get(key) ?? 0n;
    if (x === y) continue;
    const [direction, address, measure, keyed] = key.split('|') as ['out' | 'in', Address, AmountMeasure, string];
    const m = vb.meta.get(keyed) ?? va.meta.get(keyed) ?? { symbol: null, decimals: null };
    // `<asset>@<chain id>`: a venue's asset on another chain than the home chain (its chain said, the asset plain).
    const [asset, on] = keyed.split('@') as [Asset, string | undefined];
    amountChanges.push({
      direction, address, entity: vb.entity.get(address) ?? va.entity.get(address) ?? '', measure, basis: measure === 'traced' ? 'fact' : 'model',
      ...(on === undefined ? {} : { chainId: Number(on) }),
      asset, symbol: m.symbol, decimals: m.decimals, a: x.toString(), b: y.toString(), change: (y > x ? y - x : x - y).toString(), grew: y > x,
    });
  }
  amountChanges.sort((x, y) => (x.direction !== y.direction ? (x.direction === 'out' ? -1 : 1) : x.address < y.address ? -1 : x.address > y.address ? 1 : measures.indexOf(x.measure) - measures.indexOf(y.measure) || assetOrder(x.asset, y.asset)));

  // Movements and addresses: the traced graphs when both carry one, else the hit paths of both.
  const fromGraph = a.graph !== null && b.graph !== null;
  if (!fromGraph) notes.push('Movements and addresses are compared along the hits\' paths only: a side without its traced graph (a trace --json report) shows no other.');
  const ea = edgesOf(a, fromGraph);
  const eb = edgesOf(b, fromGraph);
  const edge = (e: Omit<DiffEdge, 'afterA' | 'timestamp'> & { hop: number | null }): DiffEdge => {
    const { hop: _hop, ...rest } = e;
    void _hop;
    // Block numbers compare only on the chain A's range is of (its home chain); a movement on another
    // chain is not called news by its number. Times are of the home chain's headers only.
    const home = e.chainId === ra.chainId;
    return { ...rest, timestamp: home ? time(e.blockNumber) : null, afterA: home && e.blockNumber > ra.params.toBlock };
  };
  const newEdges = [...eb].filter(([k]) => !ea.has(k)).map(([, e]) => edge(e)).sort(byBlock);
  const goneEdges = [...ea].filter(([k]) => !eb.has(k)).map(([, e]) => edge(e)).sort(byBlock);
  const aa = addressesOf(a, fromGraph, ea);
  const ab = addressesOf(b, fromGraph, eb);
  const byHop = (x: { address: Address; hop: number | null }, y: { address: Address; hop: number | null }): number =>
    (x.hop ?? Infinity) - (y.hop ?? Infinity) || (x.address < y.address ? -1 : 1);
  const newAddresses = [...ab].filter(([k]) => !aa.has(k)).map(([address, hop]) => ({ address, hop })).sort(byHop);
  const goneAddresses = [...aa].filter(([k]) => !ab.has(k)).map(([address, hop]) => ({ address, hop })).sort(byHop);

  // Coverage: what one saw that the other did not.
  const wb = new Set(rb.coverage.warnings);
  const wa = new Set(ra.coverage.warnings);
  const coverage: RunDiffJson['coverage'] = {
    warningsOnlyInA: ra.coverage.warnings.filter((w) => !wb.has(w)),
    warningsOnlyInB: rb.coverage.warnings.filter((w) => !wa.has(w)),
    // A kind of transfer one run could read and the other could not; which methods read it (the planner's
    // choice per range) is no difference in what was seen.
    methods: PARTS.filter((p) => (ra.coverage[p] === null) !== (rb.coverage[p] === null)).map((p) => ({ part: p, a: ra.coverage[p], b: rb.coverage[p] })),
    params,
    labels: labelsDiffer ? { a: { ...ra.labels }, b: { ...rb.labels } } : null,
  };
  if (rb.params.toBlock < ra.params.toBlock) notes.push(`${b.name} ends at block ${rb.params.toBlock}, before ${a.name} (block ${ra.params.toBlock}): the runs look given in reverse (hoptrace diff <earlier> <later>); "new" below is what ${b.name} has and ${a.name} has not.`);
  if (bothAttributed && a.source === 'run' && b.source === 'run') {
    notes.push('The attributions of stored runs are computed now, each over its own traced graph and block range, with the labels the database holds today (as hoptrace report does): a label added between the runs shows as an evidence change of a hit, not as an amount.');
  }
  if (opts.forced && opts.forced.length > 0) notes.push(`Compared with --force although the ${opts.forced.join(', ')}: hits and amounts of one case are not news of the other.`);

  const sideJson = (s: DiffSide): DiffSideJson => ({
    source: s.source, name: s.name, run: s.run, chainId: s.result.chainId, direction: s.result.params.direction,
    seeds: s.result.seeds.map((x) => x.address), blockRange: { fromBlock: s.result.params.fromBlock, toBlock: s.result.params.toBlock },
    generatedAt: s.result.generatedAt, complete: s.result.coverage.warnings.length === 0, carries: { attribution: s.attribution !== null, graph: s.graph !== null },
  });
  const summary: RunDiffJson['summary'] = {
    newHits: newHits.length,
    newHitsFromNewActivity: newHits.filter((h) => h.cause === 'new-activity').length,
    goneHits: goneHits.length,
    evidenceChanged: evidenceChanged.length,
    firstSeenChanged: firstSeenChanged.length,
    amountsChanged: amountChanges.length,
    newEdges: newEdges.length,
    newEdgesAfterA: newEdges.filter((e) => e.afterA).length,
    goneEdges: goneEdges.length,
    newAddresses: newAddresses.length,
    goneAddresses: goneAddresses.length,
  };
  const changed =
    newHits.length + goneHits.length + evidenceChanged.length + firstSeenChanged.length + amountChanges.length + newEdges.length + goneEdges.length + newAddresses.length + goneAddresses.length > 0;
  return {
    diffSchemaVersion: DIFF_SCHEMA_VERSION,
    a: sideJson(a),
    b: sideJson(b),
    changed,
    forced: opts.forced ?? [],
    summary,
    hits: { new: newHits, gone: goneHits, evidenceChanged, firstSeenChanged },
    amounts: { measures, models: (bothAttributed ? TAINT_MODELS : []).map((name) => ({ name, citation: MODEL_CITATIONS[name] })), changes: amountChanges },
    edges: { from: fromGraph ? 'graph' : 'paths', new: newEdges.length, gone: goneEdges.length, newListed: newEdges.slice(0, opts.limit), goneListed: goneEdges.slice(0, opts.limit) },
    addresses: { new: newAddresses.length, gone: goneAddresses.length, newListed: newAddresses.slice(0, opts.limit), goneListed: goneAddresses.slice(0, opts.limit) },
    coverage,
    notes,
  };
}
