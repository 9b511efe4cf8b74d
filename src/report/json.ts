import type { Manifest } from './manifest.js';
import { crossingsOf, frontierOf, hitChain, runChains, stepChain } from './crossChain.js';
import { evidenceJson, type EvidenceJson } from './deposit.js';
import {
  hubOf,
  type Coverage,
  type Crossing,
  type Evidence,
  type FrontierRow,
  type Hit,
  type HitByValue,
  type HitDeposit,
  type HitExit,
  type PathStep,
  type PathSwap,
  type Promised,
  type TraceParams,
  type TraceResult,
  type TraceStats,
} from '../trace/result.js';

/**
 * The JSON shapes of `--json` / `--ndjson` (schema/trace-report.schema.json). Same fields and order as
 * the TypeScript contract in trace/result.ts, with every bigint amount as an exact decimal string.
 */
export type PathSwapJson = Omit<PathSwap, 'amountIn' | 'amountOut'> & { amountIn: string; amountOut: string };
export type PromisedJson = Omit<Promised, 'amount'> & { amount: string | null };
export type CrossingJson = Omit<Crossing, 'promised'> & { promised: PromisedJson };
export type HitExitJson = Omit<HitExit, 'promised' | 'paid'> & { promised: PromisedJson; paid: { asset: string; amount: string } | null };
export type FrontierRowJson = Omit<FrontierRow, 'amount'> & { amount: string | null };
export type PathStepJson = Omit<PathStep, 'amount' | 'chainId' | 'crossing' | 'swap'> & { chainId: number; amount: string; crossing: CrossingJson | null; swap?: PathSwapJson | null };
export type TotalJson = Omit<Hit['totals'][number], 'amount'> & { amount: string };
export type HitDepositJson = EvidenceJson & Pick<HitDeposit, 'origin' | 'learnedAt'>;
export type HitByValueJson = Omit<HitByValue, 'path' | 'width' | 'others'> & {
  path: PathStepJson[] | null;
  width: string | null;
  others: { count: number; total: string; truncated: boolean };
};
export type HitJson = Omit<Hit, 'path' | 'totals' | 'deposit' | 'byValue' | 'chainId' | 'exit'> & {
  chainId: number;
  exit: HitExitJson | null;
  path: PathStepJson[];
  totals: TotalJson[];
  deposit: HitDepositJson | null;
  byValue?: HitByValueJson;
};
export type TraceReportJson = Omit<TraceResult, 'hits' | 'chains' | 'crossings' | 'frontier'> & {
  hits: HitJson[];
  chains: NonNullable<TraceResult['chains']>;
  crossings: CrossingJson[];
  frontier: FrontierRowJson[];
};
/** One NDJSON line: a hit that can be read without the rest of the report. */
export type HitLineJson = { schemaVersion: number; chainId: number } & HitJson;

/**
 * Characters that JSON.stringify leaves raw but that a terminal or editor acts on: DEL and the C1
 * controls (U+009B starts an escape sequence on some terminals), bidi marks/overrides/isolates,
 * zero-width characters, line/paragraph separators and the invisible tag characters. Outside string
 * literals JSON.stringify only writes ASCII, so escaping them as `\uXXXX` never changes a value: the
 * report stays exact evidence (`jq`, JSON.parse give back the original) while `cat report.json` is safe.
 */
const RAW_UNSAFE = /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u206f\ufeff\u{e0000}-\u{e007f}]/gu;

export function escapeUnsafe(json: string): string {
  return json.replace(RAW_UNSAFE, (ch) => {
    let escaped = '';
    for (let i = 0; i < ch.length; i++) escaped += '\\u' + ch.charCodeAt(i).toString(16).padStart(4, '0');
    return escaped;
  });
}

/** A record with its keys sorted, so that the same data always serialises to the same bytes. */
function sortedRecord<V>(record: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key] as V;
  return out;
}

function promisedJson(p: Promised): PromisedJson {
  return { asset: p.asset, symbol: p.symbol, decimals: p.decimals, amount: p.amount === null ? null : p.amount.toString(), amountKind: p.amountKind };
}

function crossingJson(c: Crossing): CrossingJson {
  const end = (e: Crossing['exit']): Crossing['exit'] => ({ txHash: e.txHash, blockNumber: e.blockNumber, timestamp: e.timestamp, logIndex: e.logIndex, contract: e.contract, event: e.event });
  return {
    protocol: c.protocol,
    protocolName: c.protocolName,
    fromChainId: c.fromChainId,
    toChainId: c.toChainId,
    exit: end(c.exit),
    arrival: end(c.arrival),
    from: c.from,
    to: c.to,
    link: { evidence: c.link.evidence, basis: c.link.basis, kind: c.link.kind, key: c.link.key, confidence: c.link.confidence, reasons: [...c.link.reasons] },
    promised: promisedJson(c.promised),
    hop: c.hop,
  };
}

function exitJson(e: HitExit): HitExitJson {
  return {
    protocol: e.protocol,
    protocolName: e.protocolName,
    event: e.event,
    chainId: e.chainId,
    txHash: e.txHash,
    blockNumber: e.blockNumber,
    timestamp: e.timestamp,
    logIndex: e.logIndex,
    contract: e.contract,
    destination: { kind: e.destination.kind, chainId: e.destination.chainId, name: e.destination.name, code: e.destination.code },
    recipient: { kind: e.recipient.kind, text: e.recipient.text },
    promised: promisedJson(e.promised),
    paid: e.paid === null ? null : { asset: e.paid.asset, amount: e.paid.amount.toString() },
    reason: e.reason,
    reasonText: e.reasonText,
    evidence: e.evidence,
    promise: e.promise,
    caveats: [...e.caveats],
    summary: e.summary,
  };
}

function frontierJson(f: FrontierRow): FrontierRowJson {
  return {
    chainId: f.chainId,
    chain: f.chain,
    address: f.address,
    asset: f.asset,
    symbol: f.symbol,
    decimals: f.decimals,
    amount: f.amount === null ? null : f.amount.toString(),
    amountKind: f.amountKind,
    protocol: f.protocol,
    fromChainId: f.fromChainId,
    txHash: f.txHash,
    seed: f.seed,
    hop: f.hop,
    reason: f.reason,
    reasonText: f.reasonText,
  };
}

function stepJson(s: PathStep, chainId: number): PathStepJson {
  return {
    chainId: stepChain(s, { chainId }),
    from: s.from,
    to: s.to,
    txHash: s.txHash,
    blockNumber: s.blockNumber,
    blockHash: s.blockHash,
    timestamp: s.timestamp,
    asset: s.asset,
    symbol: s.symbol,
    decimals: s.decimals,
    amount: s.amount.toString(),
    ...(s.promised ? { promised: true } : {}),
    kind: s.kind,
    ref: s.ref,
    crossing: s.crossing ? crossingJson(s.crossing) : null,
    fromEvidence: s.fromEvidence === null ? null : addressEvidenceJson(s.fromEvidence),
    toEvidence: s.toEvidence === null ? null : addressEvidenceJson(s.toEvidence),
    ...(s.swap ? { swap: swapJson(s.swap) } : {}),
  };
}

function swapJson(w: PathSwap): PathSwapJson {
  return {
    fact: w.fact,
    holder: w.holder,
    txHash: w.txHash,
    blockNumber: w.blockNumber,
    assetIn: w.assetIn,
    symbolIn: w.symbolIn,
    decimalsIn: w.decimalsIn,
    amountIn: w.amountIn.toString(),
    assetOut: w.assetOut,
    symbolOut: w.symbolOut,
    decimalsOut: w.decimalsOut,
    amountOut: w.amountOut.toString(),
    pools: w.pools.map((p) => ({ address: p.address, protocol: p.protocol, ref: p.ref })),
  };
}

/** Evidence in the contract's key order, every list copied. */
export function addressEvidenceJson(e: Evidence): Evidence {
  return {
    level: e.level,
    sources: e.sources.map((s) => ({
      kind: s.kind,
      origin: s.origin,
      name: s.name,
      category: s.category,
      role: s.role,
      tier: s.tier,
      incident: s.incident,
      source: s.source,
    })),
    inference:
      e.inference === null
        ? null
        : {
            heuristic: e.inference.heuristic,
            entity: e.inference.entity,
            hotWallet: e.inference.hotWallet,
            confidence: e.inference.confidence,
            reasons: [...e.inference.reasons],
            origin: e.inference.origin,
          },
    conflict: e.conflict,
  };
}

function hitJson(h: Hit, chainId: number): HitJson {
  return {
    kind: h.kind,
    chainId: hitChain(h, { chainId }),
    seed: h.seed,
    address: h.address,
    entity: h.entity,
    category: h.category,
    role: h.role,
    risk: h.risk,
    jurisdiction: h.jurisdiction,
    labelSource: h.labelSource,
    labelOrigin: h.labelOrigin,
    labelAtHop: { risk: h.labelAtHop.risk, sanctionedAtHop: h.labelAtHop.sanctionedAtHop, note: h.labelAtHop.note },
    direction: h.direction,
    hops: h.hops,
    path: h.path.map((s) => stepJson(s, chainId)),
    totals: h.totals.map((t) => ({
      asset: t.asset,
      symbol: t.symbol,
      decimals: t.decimals,
      amount: t.amount.toString(),
      transfers: t.transfers,
    })),
    firstBlock: h.firstBlock,
    lastBlock: h.lastBlock,
    via: h.via,
    deposit: h.deposit === null ? null : depositJson(h.deposit),
    exit: h.exit ? exitJson(h.exit) : null,
    evidence: addressEvidenceJson(h.evidence),
    perpetrator: h.perpetrator === null ? null : { label: h.perpetrator.label, incident: h.perpetrator.incident, tier: h.perpetrator.tier, source: h.perpetrator.source },
    ...(h.byValue
      ? {
          byValue: {
            valueClass: h.byValue.valueClass,
            path: h.byValue.path?.map((s) => stepJson(s, chainId)) ?? null,
            width: h.byValue.width?.toString() ?? null,
            others: { count: h.byValue.others.count, total: h.byValue.others.total.toString(), truncated: h.byValue.others.truncated },
          },
        }
      : {}),
  };
}

function depositJson(d: HitDeposit): HitDepositJson {
  return { ...evidenceJson(d), origin: d.origin, learnedAt: d.learnedAt };
}

function paramsJson(p: TraceParams): TraceParams {
  return {
    hops: p.hops,
    direction: p.direction,
    fromBlock: p.fromBlock,
    toBlock: p.toBlock,
    minValue: sortedRecord(p.minValue),
    fanOutCap: p.fanOutCap,
    maxAddresses: p.maxAddresses,
    stopAtLabels: p.stopAtLabels,
  };
}

function coverageJson(c: Coverage): Coverage {
  return {
    erc20: c.erc20,
    native: c.native,
    internal: c.internal,
    warnings: [...c.warnings],
    hubs: c.hubs.map(hubOf),
  };
}

function statsJson(s: TraceStats): TraceStats {
  return {
    rpcCalls: { total: s.rpcCalls.total, byMethod: sortedRecord(s.rpcCalls.byMethod) },
    addressesVisited: s.addressesVisited,
    transfersStored: s.transfersStored,
    transfersFollowed: s.transfersFollowed,
    transfersSkipped: s.transfersSkipped,
    sweepLookups: s.sweepLookups,
    depositsLearned: s.depositsLearned,
    ...(s.swaps ? { swaps: { receipts: s.swaps.receipts, ruledOut: s.swaps.ruledOut, poolCalls: s.swaps.poolCalls, conversions: s.swaps.conversions } } : {}),
    durationMs: s.durationMs,
  };
}

/**
 * The report as a plain JSON-safe object: bigints become exact decimal strings, keys come in the order
 * of the TypeScript contract (records sorted by key), fields outside the contract are dropped.
 *
 * @example toJsonValue(result).hits[0]?.path[0]?.amount // '1180591620717411303424'
 */
export function toJsonValue(result: TraceResult): TraceReportJson {
  return {
    schemaVersion: result.schemaVersion,
    tool: { name: result.tool.name, version: result.tool.version },
    chainId: result.chainId,
    labelChain: result.labelChain,
    labels: { dataVersion: result.labels.dataVersion, userLabels: result.labels.userLabels },
    rpc: result.rpc,
    generatedAt: result.generatedAt,
    params: paramsJson(result.params),
    seeds: result.seeds.map((s) => ({ address: s.address, ...(s.chainId === undefined ? {} : { chainId: s.chainId }), label: s.label, incident: s.incident, tier: s.tier, source: s.source })),
    coverage: coverageJson(result.coverage),
    stats: statsJson(result.stats),
    hits: result.hits.map((h) => hitJson(h, result.chainId)),
    inferences: (result.inferences ?? []).map((i) => ({ address: i.address, evidence: addressEvidenceJson(i.evidence) })),
    chains: runChains(result).map((c) => ({
      chainId: c.chainId,
      labelChain: c.labelChain,
      nativeSymbol: c.nativeSymbol,
      rpc: c.rpc,
      home: c.home,
      fromBlock: c.fromBlock,
      toBlock: c.toBlock,
    })),
    crossings: crossingsOf(result).map(crossingJson),
    frontier: frontierOf(result).map(frontierJson),
  };
}

/**
 * The `--json` document: pretty-printed with 2 spaces, newline-terminated, valid against
 * schema/trace-report.schema.json.
 */
export function toJson(result: TraceResult, manifest?: Manifest): string {
  return reportJsonText(toJsonValue(result), manifest);
}

/** `toJson` of a report whose JSON value is already built (one build per run, shared by every output). */
export function reportJsonText(json: TraceReportJson, manifest?: Manifest): string {
  return jsonText(manifest ? { ...json, manifest } : json);
}

/** A JSON document as hoptrace writes one: 2-space indent, newline-terminated, invisible/bidi characters escaped. */
export function jsonText(doc: unknown): string {
  return escapeUnsafe(JSON.stringify(doc, null, 2)) + '\n';
}

/** One self-contained NDJSON object per hit: `{ schemaVersion, chainId, ...hit }`. */
export function toHitLines(result: TraceResult): HitLineJson[] {
  // A line's chainId is its hit's chain (the report's own chain before cross-chain runs).
  return result.hits.map((h) => {
    const { chainId, ...hit } = hitJson(h, result.chainId);
    return { schemaVersion: result.schemaVersion, chainId, ...hit };
  });
}

/**
 * The `--ndjson` stream: one hit per line (`$defs/hitLine` of the schema), each line newline-terminated;
 * the empty string when there are no hits.
 */
export function toNdjson(result: TraceResult): string {
  return toHitLines(result)
    .map((line) => escapeUnsafe(JSON.stringify(line)) + '\n')
    .join('');
}
