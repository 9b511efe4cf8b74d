import { UsageError } from '../errors.js';
import type { Hit, HitByValue, TraceResult } from '../trace/result.js';
import type { HitByValueJson, HitJson, TraceReportJson } from './json.js';

/**
 * Reads a JSON trace report (what `toJsonValue` wrote, or a file a user hands in) back into a
 * TraceResult, amounts as bigint. Checks the shape the readers rely on (hits, paths, amounts as decimal
 * strings); anything else is a UsageError naming `what` (the file) — a malformed report is bad input.
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
  const hits: Hit[] = (d.hits as HitJson[]).map((h, i) => {
    if (typeof h !== 'object' || h === null || !Array.isArray(h.path)) bad(`hit ${i + 1} has no path`);
    return {
      ...h,
      path: h.path.map((s, j) => {
        if (typeof s !== 'object' || s === null) bad(`hit ${i + 1}, step ${j + 1} is not an object`);
        return { ...s, amount: amount(s.amount, `hit ${i + 1}, step ${j + 1}`) };
      }),
      totals: (Array.isArray(h.totals) ? h.totals : []).map((t) => ({ ...t, amount: amount(t.amount, `hit ${i + 1} totals`) })),
      deposit:
        h.deposit && typeof h.deposit === 'object'
          ? { ...h.deposit, received: amount(h.deposit.received, `hit ${i + 1} deposit`), swept: amount(h.deposit.swept, `hit ${i + 1} deposit`) }
          : null,
      byValue: h.byValue && typeof h.byValue === 'object' ? byValueOf(h.byValue, i) : undefined,
    };
  });
  return { ...(d as TraceReportJson), hits } as TraceResult;

  function byValueOf(b: HitByValueJson, i: number): HitByValue {
    const where = `hit ${i + 1} byValue`;
    if (b.path !== null && !Array.isArray(b.path)) bad(`${where}: the path is not a list`);
    if (typeof b.others !== 'object' || b.others === null) bad(`${where}: no others`);
    return {
      valueClass: b.valueClass,
      path: b.path?.map((s, j) => ({ ...s, amount: amount(s.amount, `${where}, step ${j + 1}`) })) ?? null,
      width: b.width === null ? null : amount(b.width, where),
      others: { ...b.others, total: amount(b.others.total, `${where} others`) },
    };
  }
}
