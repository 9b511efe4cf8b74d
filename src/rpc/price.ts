/**
 * What a run's calls cost at a provider that bills per call in credits (compute units): a price table
 * (credits per JSON-RPC method, with where each number was read) and the pricing of calls by method.
 * Pure: the file is read by `priceFile.ts`; here only its text is checked and numbers are summed.
 *
 * Providers price a JSON-RPC batch as the sum of its members, so batching saves round trips, not
 * credits: the counters read here count each member of a batch as one call of its method.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { UsageError } from '../errors.js';

/** One priced method: credits per call and the page the number was read on. */
export interface MethodPrice {
  credits: number;
  source: string;
}

/** A provider's price table, as checked by `parsePriceTable`. */
export interface PriceTable {
  /** Who bills (`Alchemy`), or the file's name for a table that does not say. */
  provider: string;
  /** What the credits are called (`compute units`). */
  unit: string;
  /** The page the table was read from (a URL or a description), or '' when the file does not say. */
  source: string;
  /** The day the table was read or published (YYYY-MM-DD), or '' when the file does not say. */
  read: string;
  /** How a batch is priced: `sum` (each member at its method's price: the only rule seen at providers). */
  batch: 'sum';
  /** Where the table came from: the bundled file's name or the `--price-table` path given. */
  file: string;
  methods: ReadonlyMap<string, MethodPrice>;
}

/** One method's calls, priced. */
export interface PricedMethod {
  method: string;
  calls: number;
  /** Credits per call. */
  credits: number;
  /** calls × credits. */
  total: number;
  /** The page this price was read on (the table's own, or a row's own page). */
  source: string;
}

/** Calls by method priced in one table: what is priced and what the table has no price for. */
export interface PricedCalls {
  table: Omit<PriceTable, 'methods'>;
  /** Priced methods, most credits first (then by name). */
  methods: PricedMethod[];
  /** Every call counted, priced or not. */
  calls: number;
  /** Sum of the priced methods' totals. */
  credits: number;
  /** Methods the table does not price: their calls are counted, never given a price. */
  unpriced: { method: string; calls: number }[];
}

/**
 * The calls by method of an RPC client's counters (`rpc.stats`, a pool's, or a report's
 * `stats.rpcCalls`). The one place that reads their shape: a batch's members are counted as calls of
 * their own method there, round trips separately.
 */
export function callsByMethod(counters: { byMethod: Readonly<Record<string, number>> }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [method, n] of Object.entries(counters.byMethod)) if (n > 0) out[method] = n;
  return out;
}

/**
 * Prices `calls` (method → number of calls) in `table`.
 *
 * @example priceCalls({ eth_getLogs: 3 }, table).credits // 180 with Alchemy's 60 CU per eth_getLogs
 */
export function priceCalls(calls: Readonly<Record<string, number>>, table: PriceTable): PricedCalls {
  const methods: PricedMethod[] = [];
  const unpriced: { method: string; calls: number }[] = [];
  let total = 0;
  for (const [method, n] of Object.entries(calls)) {
    if (!(n > 0)) continue;
    total += n;
    const price = table.methods.get(method);
    if (price === undefined) unpriced.push({ method, calls: n });
    else methods.push({ method, calls: n, credits: price.credits, total: roundCredits(n * price.credits), source: price.source });
  }
  methods.sort((a, b) => b.total - a.total || b.calls - a.calls || byName(a.method, b.method));
  unpriced.sort((a, b) => b.calls - a.calls || byName(a.method, b.method));
  const { methods: _, ...about } = table;
  return { table: about, methods, calls: total, credits: roundCredits(methods.reduce((s, m) => s + m.total, 0)), unpriced };
}

/**
 * What a plan (sources/planner.ts) counts a call of a method `table` does not price at: the mean of the
 * prices it has (1 for an empty table). One figure per table, so a method is priced alike in every plan;
 * the run's own figures (`priceCalls`) never price such calls, they list them as unpriced.
 */
export function standInCredits(table: Pick<PriceTable, 'methods'>): number {
  const prices = [...table.methods.values()].map((m) => m.credits);
  return prices.length > 0 ? prices.reduce((a, b) => a + b, 0) / prices.length : 1;
}

/**
 * Credits rounded once, here, to a millionth: a fractional price (0.1 per call) summed in binary floating
 * point gives 12.100000000000001, and the text and JSON of one run must read the same figure.
 */
function roundCredits(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const METHOD = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/**
 * Checks a price table's text. JSON: `{ provider?, unit?, source?, read?, batch?: "sum", methods: {
 * "<method>": <credits> | { credits, source? } } }`. CSV: a `method,credits` header (optional `source`
 * column), one method per line. Anything else — not JSON or CSV, a negative or non-numeric price, a
 * method twice, no methods — is a UsageError naming the file and the first problem.
 *
 * @param name the file's name or path, used in messages and as the provider when the file names none
 */
export function parsePriceTable(text: string, name: string): PriceTable {
  const kind = /\.csv$/i.test(name) ? 'csv' : /\.json$/i.test(name) ? 'json' : text.trimStart().startsWith('{') ? 'json' : 'csv';
  return kind === 'json' ? fromJson(text, name) : fromCsv(text, name);
}

function bad(name: string, what: string): UsageError {
  return new UsageError(`price table ${name}: ${what}`, {
    hint: 'a price table is JSON ({"methods": {"eth_getLogs": 60, …}}) or CSV (header method,credits); see data/price-tables/README.md',
  });
}

function fromJson(text: string, name: string): PriceTable {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad(name, 'is not JSON (nor CSV with a method,credits header).');
  }
  if (!isObject(doc)) throw bad(name, 'is not a JSON object with a "methods" object.');
  const rows = doc['methods'];
  if (!isObject(rows)) throw bad(name, 'has no "methods" object (method → credits).');
  const meta = {
    provider: optionalText(doc, 'provider', name),
    unit: optionalText(doc, 'unit', name),
    source: optionalText(doc, 'source', name),
    read: optionalText(doc, 'read', name),
  };
  if (meta.read !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(meta.read)) throw bad(name, `"read" is not a date (YYYY-MM-DD): ${JSON.stringify(meta.read).slice(0, 40)}.`);
  const batch = doc['batch'];
  if (batch !== undefined && batch !== 'sum') throw bad(name, '"batch" can only be "sum" (a batch costs the sum of its members).');
  const source = meta.source ?? '';
  const methods = new Map<string, MethodPrice>();
  for (const [method, row] of Object.entries(rows)) {
    const value = isObject(row) ? row['credits'] : row;
    const rowSource = isObject(row) && row['source'] !== undefined ? row['source'] : source;
    if (typeof rowSource !== 'string') throw bad(name, `the source of ${shown(method)} is not text.`);
    methods.set(checkMethod(method, name), { credits: checkCredits(value, method, name), source: rowSource });
  }
  return finish(name, { provider: meta.provider, unit: meta.unit, source, read: meta.read ?? '' }, methods);
}

function fromCsv(text: string, name: string): PriceTable {
  let rows: string[][];
  try {
    rows = parseCsv(text.replace(/^\uFEFF/, ''), { skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch {
    throw bad(name, 'is not JSON, nor CSV with a method,credits header.');
  }
  const header = rows[0]?.map((h) => h.toLowerCase());
  const at = (col: string) => header?.indexOf(col) ?? -1;
  if (header === undefined || at('method') < 0 || at('credits') < 0) throw bad(name, 'is not JSON, nor CSV with a method,credits header.');
  const methods = new Map<string, MethodPrice>();
  for (const row of rows.slice(1)) {
    const method = checkMethod(row[at('method')] ?? '', name);
    if (methods.has(method)) throw bad(name, `prices ${method} twice.`);
    const cell = row[at('credits')] ?? '';
    const credits = checkCredits(/^\s*-?\d+(\.\d+)?\s*$/.test(cell) ? Number(cell) : cell, method, name);
    methods.set(method, { credits, source: at('source') >= 0 ? (row[at('source')] ?? '') : '' });
  }
  return finish(name, { source: '', read: '' }, methods);
}

function finish(
  name: string,
  meta: { provider?: string | undefined; unit?: string | undefined; source: string; read: string },
  methods: Map<string, MethodPrice>,
): PriceTable {
  if (methods.size === 0) throw bad(name, 'prices no method.');
  const file = name.split(/[\\/]/).pop() ?? name;
  return { provider: meta.provider ?? file, unit: meta.unit ?? 'credits', source: meta.source, read: meta.read, batch: 'sum', file: name, methods };
}

function checkMethod(method: string, name: string): string {
  if (!METHOD.test(method)) throw bad(name, `${shown(method)} is not a JSON-RPC method name.`);
  return method;
}

function checkCredits(value: unknown, method: string, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(name, `the credits of ${shown(method)} are not a number: ${shown(String(value))}.`);
  if (value < 0) throw bad(name, `the credits of ${shown(method)} are negative (${value}).`);
  return value;
}

function optionalText(doc: Record<string, unknown>, key: string, name: string): string | undefined {
  const v = doc[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > 500) throw bad(name, `"${key}" is not text.`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A name from the file, quoted and cut for a message (the output gate escapes the rest). */
function shown(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}
