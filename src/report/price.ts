/**
 * `hoptrace stats`: a recorded run's RPC calls priced in a provider's table, as text and as JSON. Both
 * are drawn from the one `CallsReport` value, so the JSON carries every number and name the text shows.
 */
import type { PricedCalls } from '../rpc/price.js';
import { formatCount } from './amount.js';
import { cleanText } from './sanitize.js';

/** What `stats` reports of one recorded run. */
export interface CallsReport {
  run: { id: number; createdAt: string; chainId: number; rpc: string };
  /**
   * `stats --watch`: the calls are a watch's polls after its first trace (`run` is the watch's latest
   * recorded run): how many polls, how many new blocks they processed, and the calls per block.
   */
  watch?: WatchCalls;
  /** Round trips are not priced: every call (a batch member included) is, at its method's price. */
  priced: PricedCalls;
}

/** What a watch's polls did, for `stats --watch`. */
export interface WatchCalls {
  id: number;
  createdAt: string;
  polls: number;
  /** The block of its first trace (or of the run it started from), and the last block processed. */
  baselineBlock: number;
  lastBlock: number;
  /** New blocks processed by the polls. */
  blocks: number;
  /** Calls per new block (null before any new block). */
  callsPerBlock: number | null;
}

/** The JSON value of `hoptrace stats --json`. */
export interface CallsReportJson {
  run: CallsReport['run'];
  /** Present for `stats --watch`. */
  watch?: WatchCalls;
  table: { provider: string; unit: string; source: string; read: string; batch: 'sum'; file: string };
  calls: number;
  credits: number;
  methods: { method: string; calls: number; credits: number; total: number; source: string }[];
  unpriced: { method: string; calls: number }[];
  unpricedCalls: number;
}

/** The report as a plain JSON-safe object, keys in a fixed order. */
export function callsReportJson(r: CallsReport): CallsReportJson {
  const p = r.priced;
  return {
    run: { id: r.run.id, createdAt: r.run.createdAt, chainId: r.run.chainId, rpc: r.run.rpc },
    ...(r.watch ? { watch: { ...r.watch } } : {}),
    table: { provider: p.table.provider, unit: p.table.unit, source: p.table.source, read: p.table.read, batch: p.table.batch, file: p.table.file },
    calls: p.calls,
    credits: p.credits,
    methods: p.methods.map((m) => ({ method: m.method, calls: m.calls, credits: m.credits, total: m.total, source: m.source })),
    unpriced: p.unpriced.map((u) => ({ method: u.method, calls: u.calls })),
    unpricedCalls: p.unpriced.reduce((s, u) => s + u.calls, 0),
  };
}

/** A credit figure: whole numbers grouped (`12,340`), fractions as priceCalls rounded them (the JSON's figure). */
export function formatCredits(n: number): string {
  return Number.isInteger(n) ? formatCount(n) : String(n);
}

/** One line: the run's credits in a table, for a trace's summary. */
export function creditsLine(p: PricedCalls): string {
  const unpriced = p.unpriced.reduce((s, u) => s + u.calls, 0);
  return (
    `${formatCount(p.calls)} RPC calls priced at ${formatCredits(p.credits)} ${cleanText(p.table.unit, 40)} (${tableName(p)})` +
    (unpriced > 0 ? `; ${formatCount(unpriced)} unpriced` : '')
  );
}

function tableName(p: PricedCalls): string {
  const t = p.table;
  return `${cleanText(t.provider, 60)}${t.read ? `, ${cleanText(t.read, 10)}` : ''}`;
}

/** The text of `hoptrace stats`. */
export function renderCallsReport(r: CallsReport): string {
  const p = r.priced;
  const t = p.table;
  const unit = cleanText(t.unit, 40);
  const lines: string[] = [];
  const w = r.watch;
  if (w) {
    lines.push(
      `Watch ${w.id}  ${cleanText(w.createdAt, 40)}  chain ${r.run.chainId}  via ${cleanText(r.run.rpc, 120)}: ${formatCount(w.polls)} polls after its first trace, ` +
        `${formatCount(w.blocks)} new blocks (${w.baselineBlock + 1}–${w.lastBlock}), ` +
        `${w.callsPerBlock === null ? 'no new block yet' : `${w.callsPerBlock.toFixed(1)} calls a block`}`,
    );
  } else lines.push(`Trace run ${r.run.id}  ${cleanText(r.run.createdAt, 40)}  chain ${r.run.chainId}  via ${cleanText(r.run.rpc, 120)}`);
  lines.push(
    `Priced in ${cleanText(t.provider, 60)} ${unit}${t.read ? ` (table read ${cleanText(t.read, 10)})` : ''}: ` +
      `${t.source ? cleanText(t.source, 200) : 'no source given'} (${cleanText(t.file, 200)})`,
  );
  lines.push('A batch costs the sum of its members: each member is priced as a call of its method.');
  lines.push('');
  const rows = [
    ['method', 'calls', `${unit}/call`, unit],
    ...p.methods.map((m) => [cleanText(m.method, 60), formatCount(m.calls), formatCredits(m.credits), formatCredits(m.total)]),
    ...p.unpriced.map((u) => [cleanText(u.method, 60), formatCount(u.calls), 'unpriced', '—']),
    ['total', formatCount(p.calls), '', formatCredits(p.credits)],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) {
    lines.push(`  ${row[0]!.padEnd(widths[0]!)}  ${row.slice(1).map((c, i) => c.padStart(widths[i + 1]!)).join('  ')}`.trimEnd());
  }
  // A row priced from another page than the table's says which.
  const elsewhere = p.methods.filter((m) => m.source !== '' && m.source !== t.source);
  if (elsewhere.length > 0) {
    lines.push('');
    for (const m of elsewhere) lines.push(`${cleanText(m.method, 60)}: price from ${cleanText(m.source, 200)}`);
  }
  if (p.unpriced.length > 0) {
    const n = p.unpriced.reduce((s, u) => s + u.calls, 0);
    lines.push('');
    lines.push(
      `${formatCount(n)} call${n === 1 ? '' : 's'} of ${p.unpriced.length} method${p.unpriced.length === 1 ? '' : 's'} the table does not price: ` +
        `not in the total (give --price-table a table that prices ${p.unpriced.length === 1 ? 'it' : 'them'}).`,
    );
  }
  return lines.join('\n') + '\n';
}
