import { UsageError } from '../errors.js';
import { REPORT_SCHEMA_VERSION, type Crossing, type Evidence, type FrontierRow, type Hit, type HitByValue, type HitDeposit, type HitExit, type PathStep, type PathSwap, type Promised, type TraceResult } from '../trace/result.js';
import type { CrossingJson, FrontierRowJson, HitByValueJson, HitExitJson, HitJson, PathStepJson, PathSwapJson, PromisedJson, TraceReportJson } from './json.js';

/**
 * Reads a JSON trace report (what `toJsonValue` wrote, or a file a user hands in) back into a
 * TraceResult, amounts as bigint. Checks the shape the readers rely on (hits, paths, amounts as decimal
 * strings); anything else is a UsageError naming `what` (the file) — a malformed report is bad input.
 *
 * A version 1 report (before evidence levels) is read as version 2: every hit is a venue; its evidence
 * is `inferred` for a deposit-address hit and `label` otherwise, from the fields v1 had; its role is
 * null (v1 did not record one); path steps carry no evidence (null: v1 said nothing of them).
 * A version 1 or 2 report (one chain) is read as version 3: every step and hit on the report's chain,
 * no crossing, no exit, `chains` the report's own chain, empty `crossings` and `frontier`.
 */
export function fromJsonValue(doc: unknown, what: string): TraceResult {
  const bad = (why: string): never => {
    throw new UsageError(`${what} is not a hoptrace JSON report: ${why}.`);
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) bad('not a JSON object');
  const d = doc as Partial<TraceReportJson>;
  if (typeof d.schemaVersion !== 'number') bad('no schemaVersion');
  if (typeof d.chainId !== 'number' || !Number.isSafeInteger(d.chainId)) bad('no chainId');
  if (!Array.isArray(d.hits)) bad('no hits list');
  const amount = (v: unknown, where: string): bigint => {
    if (typeof v !== 'string' || !/^\d+$/.test(v)) bad(`${where}: the amount is not a decimal string`);
    return BigInt(v as string);
  };
  const home = d.chainId as number;
  const optAmount = (v: unknown, where: string): bigint | null => (v === null || v === undefined ? null : amount(v, where));
  const promised = (p: PromisedJson, where: string): Promised => {
    if (typeof p !== 'object' || p === null) bad(`${where}: no promised amount`);
    return { ...p, amount: optAmount(p.amount, where) };
  };
  const crossing = (c: CrossingJson | null | undefined, where: string): Crossing | null => {
    if (!c || typeof c !== 'object') return null;
    if (typeof c.link !== 'object' || c.link === null) bad(`${where} crossing: no link`);
    return { ...c, promised: promised(c.promised, `${where} crossing`) };
  };
  const step = (s: PathStepJson, where: string): PathStep => {
    if (typeof s !== 'object' || s === null) bad(`${where} is not an object`);
    const { swap, promised: isPromise, ...rest } = s;
    return {
      ...rest,
      chainId: typeof s.chainId === 'number' ? s.chainId : home,
      amount: amount(s.amount, where),
      // Only where the run recorded it: a step naming no asset may still carry an amount its arrival showed (Across).
      ...(isPromise === true ? { promised: true } : {}),
      crossing: crossing(s.crossing, where),
      fromEvidence: s.fromEvidence ?? null,
      toEvidence: s.toEvidence ?? null,
      ...swapOf(swap, where),
    };
  };
  const exitOf = (e: HitExitJson | null | undefined, where: string): HitExit | null =>
    e && typeof e === 'object' ? { ...e, promised: promised(e.promised, `${where} exit`), paid: e.paid ? { asset: e.paid.asset, amount: amount(e.paid.amount, `${where} exit`) } : null } : null;
  const hits: Hit[] = (d.hits as HitJson[]).map((h, i) => {
    if (typeof h !== 'object' || h === null || !Array.isArray(h.path)) bad(`hit ${i + 1} has no path`);
    const deposit: HitDeposit | null =
      h.deposit && typeof h.deposit === 'object'
        ? { ...h.deposit, received: amount(h.deposit.received, `hit ${i + 1} deposit`), swept: amount(h.deposit.swept, `hit ${i + 1} deposit`) }
        : null;
    const hit: Hit = {
      ...h,
      chainId: typeof h.chainId === 'number' ? h.chainId : home,
      exit: exitOf(h.exit, `hit ${i + 1}`),
      path: h.path.map((s, j) => step(s, `hit ${i + 1}, step ${j + 1}`)),
      totals: (Array.isArray(h.totals) ? h.totals : []).map((t) => ({ ...t, amount: amount(t.amount, `hit ${i + 1} totals`) })),
      deposit,
      byValue: h.byValue && typeof h.byValue === 'object' ? byValueOf(h.byValue, i) : undefined,
    };
    if (d.schemaVersion === 1) upgradeV1Hit(hit);
    else if (typeof h.evidence !== 'object' || h.evidence === null) bad(`hit ${i + 1} has no evidence`);
    return hit;
  });
  const chains = Array.isArray(d.chains)
    ? d.chains
    : [{ chainId: home, labelChain: d.labelChain ?? 'evm', nativeSymbol: '', rpc: d.rpc ?? '', home: true, fromBlock: d.params?.fromBlock ?? 0, toBlock: d.params?.toBlock ?? 0 }];
  const crossings = (Array.isArray(d.crossings) ? d.crossings : []).map((c, i) => crossing(c, `crossing ${i + 1}`) as Crossing);
  const frontier: FrontierRow[] = (Array.isArray(d.frontier) ? d.frontier : []).map((f: FrontierRowJson, i) => ({ ...f, amount: optAmount(f.amount, `frontier row ${i + 1}`) }));
  return {
    ...(d as TraceReportJson),
    schemaVersion: d.schemaVersion! < REPORT_SCHEMA_VERSION ? REPORT_SCHEMA_VERSION : d.schemaVersion!,
    hits,
    chains,
    crossings,
    frontier,
  } as TraceResult;

  /** A step's swap (reports before swaps were read have none: null). */
  function swapOf(w: PathSwapJson | null | undefined, where: string): { swap?: PathSwap } {
    if (w === undefined || w === null) return {};
    if (typeof w !== 'object' || !Array.isArray(w.pools)) bad(`${where}: the swap is malformed`);
    return { swap: { ...w, amountIn: amount(w.amountIn, `${where} swap`), amountOut: amount(w.amountOut, `${where} swap`) } };
  }

  function byValueOf(b: HitByValueJson, i: number): HitByValue {
    const where = `hit ${i + 1} byValue`;
    if (b.path !== null && !Array.isArray(b.path)) bad(`${where}: the path is not a list`);
    if (typeof b.others !== 'object' || b.others === null) bad(`${where}: no others`);
    return {
      valueClass: b.valueClass,
      path: b.path?.map((s, j) => step(s, `${where}, step ${j + 1}`)) ?? null,
      width: b.width === null ? null : amount(b.width, where),
      others: { ...b.others, total: amount(b.others.total, `${where} others`) },
    };
  }
}

/** The fields of a version 2 hit, from what a version 1 hit recorded. */
function upgradeV1Hit(h: Hit): void {
  h.kind = 'venue';
  h.role = h.deposit ? 'deposit' : null;
  h.perpetrator = null;
  const evidence: Evidence = h.deposit
    ? {
        level: 'inferred',
        sources: [],
        inference: {
          heuristic: 'exchange-deposit-address',
          entity: h.deposit.entity,
          hotWallet: h.deposit.hotWallet,
          confidence: h.deposit.confidence,
          reasons: [...h.deposit.reasons],
          origin: h.deposit.origin,
        },
        conflict: null,
      }
    : {
        level: 'label',
        sources: [{ kind: 'venue', origin: h.labelOrigin, name: h.entity, category: h.category, role: null, tier: null, incident: null, source: h.labelSource }],
        inference: null,
        conflict: null,
      };
  h.evidence = evidence;
}
