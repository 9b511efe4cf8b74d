/**
 * The shape a report must have before `verify` reads it. A report is someone else's file: every field
 * verify touches is checked for its type first, and the first one that is wrong is named by its JSON path
 * (`report.hits[0].path[2].ref is null, expected a string`), instead of failing somewhere inside.
 */
import { UsageError } from '../errors.js';
import { fromJsonValue } from '../report/fromJson.js';
import type { TraceResult } from '../trace/result.js';

type Check = (v: unknown) => boolean;
/** A check of a step's field that may read the step's other fields (its kind). */
type StepCheck = (v: unknown, step: Record<string, unknown>) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isDecimal: Check = (v) => typeof v === 'string' && /^\d+$/.test(v);
const isBlockNumber: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObject: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Each checked field of a path step, with what it must be. */
const STEP_FIELDS: readonly (readonly [string, StepCheck, string])[] = [
  ['txHash', isString, 'a string'],
  ['ref', isString, 'a string'],
  ['blockNumber', isBlockNumber, 'a block number (a whole number, 0 or more)'],
  ['blockHash', isString, 'a string'],
  ['from', isString, 'a string'],
  ['to', isString, 'a string'],
  // Null on a crossing step whose arrival named no asset (PathStep.asset); verify skips crossing steps.
  ['asset', (v, step) => isString(v) || (v === null && step['kind'] === 'bridge'), 'a string (or null on a crossing step)'],
  ['amount', isDecimal, 'a decimal string of base units'],
  // Set on a crossing step whose amount is the exit's promise, not seen (PathStep.promised).
  ['promised', (v, step) => v === undefined || (v === true && step['kind'] === 'bridge'), 'true on a crossing step, or absent'],
];

/**
 * Checks the fields of `doc` that verify reads, then reads it as a report. Throws a UsageError (exit 2)
 * naming the first wrong field of `file` by its JSON path.
 */
export function reportToVerify(doc: unknown, file: string): TraceResult {
  const problem = shapeProblem(doc);
  if (problem !== null) throw new UsageError(`report ${file} is malformed: ${problem}.`, { hint: 'verify reads what hoptrace trace --json or hoptrace report --format json wrote' });
  return fromJsonValue(doc, file);
}

/** The first field of `doc` that does not have the type verify needs, as a sentence part; null when none. */
export function shapeProblem(doc: unknown): string | null {
  const wrong = (path: string, v: unknown, expected: string): string => `${path} ${describe(v)}, expected ${expected}`;
  if (!isObject(doc)) return wrong('report', doc, 'a JSON object');
  const d = doc as Record<string, unknown>;
  if (typeof d['schemaVersion'] !== 'number') return wrong('report.schemaVersion', d['schemaVersion'], 'a number');
  if (!isBlockNumber(d['chainId'])) return wrong('report.chainId', d['chainId'], 'a chain id (a whole number)');
  if (!Array.isArray(d['hits'])) return wrong('report.hits', d['hits'], 'an array');
  for (const [i, hit] of (d['hits'] as unknown[]).entries()) {
    const at = `report.hits[${i}]`;
    if (!isObject(hit)) return wrong(at, hit, 'an object');
    const h = hit as Record<string, unknown>;
    if (!Array.isArray(h['path'])) return wrong(`${at}.path`, h['path'], 'an array');
    for (const [j, step] of (h['path'] as unknown[]).entries()) {
      if (!isObject(step)) return wrong(`${at}.path[${j}]`, step, 'an object');
      for (const [field, ok, expected] of STEP_FIELDS) {
        const v = (step as Record<string, unknown>)[field];
        if (!ok(v, step as Record<string, unknown>)) return wrong(`${at}.path[${j}].${field}`, v, expected);
      }
    }
    if (h['totals'] !== undefined) {
      if (!Array.isArray(h['totals'])) return wrong(`${at}.totals`, h['totals'], 'an array');
      for (const [k, t] of (h['totals'] as unknown[]).entries()) {
        if (!isObject(t)) return wrong(`${at}.totals[${k}]`, t, 'an object');
        const amount = (t as Record<string, unknown>)['amount'];
        if (!isDecimal(amount)) return wrong(`${at}.totals[${k}].amount`, amount, 'a decimal string of base units');
      }
    }
    const deposit = h['deposit'];
    if (deposit !== undefined && deposit !== null) {
      if (!isObject(deposit)) return wrong(`${at}.deposit`, deposit, 'an object or null');
      for (const field of ['received', 'swept']) {
        const v = (deposit as Record<string, unknown>)[field];
        if (!isDecimal(v)) return wrong(`${at}.deposit.${field}`, v, 'a decimal string of base units');
      }
    }
  }
  return null;
}

/** What a JSON value is, for a message: `is null`, `is a number (5)`, `is missing`. */
function describe(v: unknown): string {
  if (v === undefined) return 'is missing';
  if (v === null) return 'is null';
  if (Array.isArray(v)) return 'is an array';
  if (typeof v === 'number') return `is a number (${Number.isFinite(v) ? String(v).slice(0, 24) : v})`;
  if (typeof v === 'string') return `is the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `is ${typeof v === 'object' ? 'an object' : `a ${typeof v}`}`;
}
