import { Chalk } from 'chalk';
import { stripVTControlCharacters } from 'node:util';
import { TABLE_COLUMNS, type TableColumn } from '../labels/import/columns.js';
import type { IncidentSeeds } from '../labels/seedSummary.js';
import type { Label, Seed } from '../types.js';
import { fullAddress } from './address.js';
import { csvField } from './csv.js';
import { escapeUnsafe } from './json.js';
import { cleanOptional, cleanText } from './sanitize.js';
import { riskTag, styles, type Styles } from './text.js';

/**
 * Output of the `labels` and `seeds` commands: text for a terminal (every foreign string cleaned, colour
 * only when asked), JSON for tools, and the CSV / JSON of `labels export`.
 */

export interface ListOptions {
  color: boolean;
}

/** A label as the JSON outputs write it: every field of the Label; a user label's `addedAt` and `originFile` too. */
export type LabelJson = Label & { addedAt?: string; originFile?: string | null };

const MAX = { entity: 40, source: 400, chain: 16, category: 20, line: 160 };

function st(opts: ListOptions): Styles {
  return styles(new Chalk({ level: opts.color ? 1 : 0 }));
}

/** One label per line: address, chain, risk, category, entity, dates, origin; then a count. */
export function renderLabelList(rows: readonly Label[], opts: ListOptions): string {
  const s = st(opts);
  const chainPad = Math.max(5, ...rows.map((l) => cleanText(l.chain, MAX.chain).length));
  const lines = rows.map((l) => {
    const dates = validityText(l);
    return [
      fullAddress(l.address),
      cleanText(l.chain, MAX.chain).padEnd(chainPad),
      padStyled(riskTag(l.risk, s), 12),
      cleanText(l.category, MAX.category).padEnd(19),
      cleanOptional(l.entity, MAX.entity, '(unnamed)'),
      ...(dates === '' ? [] : [s.dim(`(${dates})`)]),
      ...(l.origin === 'user' ? [s.title('[user]')] : []),
    ].join('  ');
  });
  const users = rows.filter((l) => l.origin === 'user').length;
  lines.push(`${rows.length} label${rows.length === 1 ? '' : 's'} (${rows.length - users} bundled, ${users} user)`);
  return lines.join('\n') + '\n';
}

/** Everything known about one address: each label row with its validity and source, and any seed row. */
export function renderLabelDetail(address: string, rows: readonly Label[], seeds: readonly Seed[], opts: ListOptions): string {
  const s = st(opts);
  const out: string[] = [s.title(fullAddress(address))];
  if (rows.length === 0 && seeds.length === 0) out.push('  no label and no seed for this address (bundled data or user labels)');
  const hasUser = rows.some((l) => l.origin === 'user');
  for (const l of rows) {
    out.push('');
    out.push(
      `  ${riskTag(l.risk, s)} ${cleanOptional(l.entity, MAX.entity, '(unnamed)')} — ${cleanText(l.category, MAX.category)} · role ${cleanText(l.role, 16)} · ` +
        `chain ${cleanText(l.chain, MAX.chain)} · jurisdiction ${cleanOptional(l.jurisdiction, 8, 'unknown')} · ${l.origin} label`,
    );
    out.push(`    source    ${cleanOptional(l.source, MAX.source, '(none)')}`);
    const dates = validityText(l);
    out.push(`    validity  ${dates === '' ? 'no dates in the data: applies as it is today' : dates}`);
    if (l.events.length > 0) out.push(`    events    ${l.events.map((e) => `${e.kind} ${e.date}`).join(', ')}`);
    const user: LabelJson = l;
    if (user.addedAt !== undefined) {
      out.push(`    added     ${cleanText(user.addedAt, 32)}${user.originFile ? ` from ${cleanText(user.originFile, MAX.line)}` : ' (labels add)'}`);
    }
    if (l.origin === 'bundled' && hasUser) {
      out.push(s.dim('    overridden by the user label above where both apply'));
    }
  }
  for (const seed of seeds) {
    out.push('');
    out.push(`  seed (${cleanText(seed.tier ?? 'no tier', 24)}) ${cleanOptional(seed.label, MAX.line, '-')} — chain ${cleanText(seed.chain, MAX.chain)}`);
    out.push(`    incident  ${cleanOptional(seed.incident, MAX.line, '-')}`);
    out.push(`    source    ${cleanOptional(seed.source, MAX.source, '(none)')}`);
  }
  return out.join('\n') + '\n';
}

/** Incidents with counts per tier and chain and their main sources; the seeds too when included. */
export function renderSeedSummary(groups: readonly IncidentSeeds[], opts: ListOptions & { maxSources?: number }): string {
  const s = st(opts);
  const out: string[] = [];
  const total = groups.reduce((n, g) => n + g.count, 0);
  for (const g of groups) {
    out.push(s.title(`${cleanText(g.slug, 32)}  ${g.count} seed${g.count === 1 ? '' : 's'}  ${cleanOptional(g.incident, MAX.line, '')}`));
    out.push(`  tiers    ${Object.entries(g.tiers).map(([t, n]) => `${cleanText(t, 24)} ${n}`).join(', ')}`);
    out.push(`  chains   ${Object.entries(g.chains).map(([c, n]) => `${cleanText(c, MAX.chain)} ${n}`).join(', ')}`);
    const max = opts.maxSources ?? 3;
    const shown = g.sources.slice(0, max);
    shown.forEach((src, i) => out.push(`  ${i === 0 ? 'sources' : '       '}  ${src.seeds}× ${cleanOptional(src.source, MAX.source, '')}`));
    if (g.sources.length > shown.length) out.push(s.dim(`           … ${g.sources.length - shown.length} more sources (--json lists all)`));
    for (const seed of g.seeds ?? []) {
      out.push(
        `    ${fullAddress(seed.address)}  ${cleanText(seed.chain, MAX.chain).padEnd(9)}  ${cleanText(seed.tier ?? 'no tier', 16).padEnd(15)}  ${cleanOptional(seed.label, MAX.line, '-')}`,
      );
    }
    out.push('');
  }
  out.push(`${total} seed${total === 1 ? '' : 's'} in ${groups.length} incident${groups.length === 1 ? '' : 's'}`);
  return out.join('\n') + '\n';
}

/** One incident in `seeds --json`: the summary the text shows, and every seed of it under `addresses`. */
export type IncidentSeedsJson = Omit<IncidentSeeds, 'seeds'> & { addresses: Seed[] };

/**
 * `seeds --json`: an array of incidents, each with its counts, every source and every seed address
 * (`jq -r '.[].addresses[].address'`), whether or not the text lists them. `groups` must hold their seeds.
 */
export function seedSummaryJson(groups: readonly IncidentSeeds[]): string {
  return toPrettyJson(groups.map(({ seeds, ...rest }): IncidentSeedsJson => ({ ...rest, addresses: seeds ?? [] })));
}

/** The JSON of a label (see LabelJson): a copy, the events as plain objects. */
export function labelJson(l: Label): LabelJson {
  return { ...l, events: l.events.map((e) => ({ kind: e.kind, date: e.date })) };
}

/** Any value as the JSON the commands print: pretty, newline-terminated, no raw control or bidi character. */
export function toPrettyJson(value: unknown): string {
  return escapeUnsafe(JSON.stringify(value, null, 2)) + '\n';
}

/** A label in the import format's columns (labels/import/table.ts), so an export imports back unchanged. */
function exportRecord(l: Label): Record<TableColumn, string | null> {
  return {
    address: l.address,
    chain: l.chain,
    entity: l.entity,
    category: l.category,
    jurisdiction: l.jurisdiction,
    risk: l.risk,
    source: l.source,
    listed_at: l.listedAt,
    delisted_at: l.delistedAt,
    valid_from: l.validFrom,
    valid_to: l.validTo,
    role: l.role,
  };
}

/** `labels export --format csv`: RFC 4180, a header line, one label per line. */
export function labelsCsv(rows: readonly Label[]): string {
  const quote = (v: string | null): string => csvField(v ?? '');
  const lines = [
    TABLE_COLUMNS.join(','),
    ...rows.map((l) => {
      const r = exportRecord(l);
      return TABLE_COLUMNS.map((c) => quote(r[c])).join(',');
    }),
  ];
  return lines.join('\n') + '\n';
}

/** `labels export --format json`: an array of objects keyed as the CSV columns. */
export function labelsJson(rows: readonly Label[]): string {
  return toPrettyJson(rows.map(exportRecord));
}

/** Pads a possibly coloured string to `width` visible characters. */
function padStyled(styled: string, width: number): string {
  return styled + ' '.repeat(Math.max(0, width - stripVTControlCharacters(styled).length));
}

function validityText(l: Label): string {
  const parts: string[] = [];
  if (l.listedAt !== null) parts.push(`listed ${l.listedAt}`);
  for (const e of l.events) if (e.kind === 'relisted') parts.push(`re-designated ${e.date}`);
  if (l.delistedAt !== null) parts.push(`removed ${l.delistedAt}`);
  for (const e of l.events) if (e.kind === 'takedown') parts.push(`taken down ${e.date}`);
  if (l.validFrom !== null) parts.push(`valid from ${l.validFrom}`);
  if (l.validTo !== null) parts.push(`valid until ${l.validTo}`);
  return parts.join(', ');
}
