import type { LabelEvent, LabelEventKind } from './types.js';

/**
 * The dated events of a label's `source` text (sanctions listing, removal, re-designation, takedown).
 * Beside types.ts because both the store (which rebuilds a user label's events from its stored source
 * and dates) and labels/ (the bundled data, labels/validity.ts) read them: the store may not import labels/.
 */

const DATE = String.raw`(\d{4}-\d{2}-\d{2})`;

/**
 * Phrases of the `source` texts that carry a date, as the bundled data writes them (see data/README.md).
 * Parsing is mechanical: a date is taken only from one of these phrases, never guessed.
 */
const SOURCE_PHRASES: readonly (readonly [LabelEventKind, RegExp])[] = [
  ['listed', new RegExp(String.raw`(?<![\w-])listed (?:on )?${DATE}`, 'gi')],
  ['listed', new RegExp(String.raw`\bOFAC designation (?:on )?${DATE}`, 'gi')],
  ['listed', new RegExp(String.raw`(?<![\w-])designated (?:on )?${DATE}`, 'gi')],
  ['relisted', new RegExp(String.raw`\bre-?(?:designated|listed) (?:on )?${DATE}`, 'gi')],
  ['delisted', new RegExp(String.raw`\bremoved from (?:the )?(?:OFAC )?(?:SDN|sanctions)(?: list)? (?:on )?${DATE}`, 'gi')],
  ['delisted', new RegExp(String.raw`\bdelisted (?:on )?${DATE}`, 'gi')],
  ['takedown', new RegExp(String.raw`\b(?:taken down|seized|takedown)(?: on)? ${DATE}`, 'gi')],
];

/** "OFAC action <recent-actions URL>": the designation the row cites, dated by the URL. Used only when no listing date is written out. */
const OFAC_ACTION = /\bOFAC action https?:\/\/ofac\.treasury\.gov\/recent-actions\/(\d{4})(\d{2})(\d{2})\b/gi;

const KIND_ORDER: Record<LabelEventKind, number> = { listed: 0, relisted: 1, delisted: 2, takedown: 3 };

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

/**
 * The dated events a `source` text states, oldest first, each (kind, date) once.
 *
 * @example parseSourceEvents('OFAC SDN "TORNADO CASH" listed 2022-08-08 (…); removed from SDN 2025-03-21')
 *   // [{ kind: 'listed', date: '2022-08-08' }, { kind: 'delisted', date: '2025-03-21' }]
 */
export function parseSourceEvents(source: string): LabelEvent[] {
  const found: LabelEvent[] = [];
  for (const [kind, re] of SOURCE_PHRASES) {
    for (const m of source.matchAll(re)) {
      const date = m[1] ?? '';
      if (isIsoDate(date)) found.push({ kind, date });
    }
  }
  if (!found.some((e) => e.kind === 'listed')) {
    for (const m of source.matchAll(OFAC_ACTION)) {
      const date = `${m[1]}-${m[2]}-${m[3]}`;
      if (isIsoDate(date)) found.push({ kind: 'listed', date });
    }
  }
  return sortEvents(found);
}

/**
 * The events of a label: those its source states, with explicit listing / removal dates (a user's
 * `--listed` / `--delisted`) taking the place of the parsed ones of the same kind.
 */
export function labelEvents(source: string, listedAt: string | null, delistedAt: string | null): LabelEvent[] {
  let events = parseSourceEvents(source);
  if (listedAt !== null) events = [...events.filter((e) => e.kind !== 'listed'), { kind: 'listed', date: listedAt }];
  if (delistedAt !== null) events = [...events.filter((e) => e.kind !== 'delisted'), { kind: 'delisted', date: delistedAt }];
  return sortEvents(events);
}

/** First listing and last removal among `events` (what Label.listedAt / delistedAt hold). */
export function listingDates(events: readonly LabelEvent[]): { listedAt: string | null; delistedAt: string | null } {
  const listed = events.filter((e) => e.kind === 'listed');
  const delisted = events.filter((e) => e.kind === 'delisted');
  return { listedAt: listed[0]?.date ?? null, delistedAt: delisted[delisted.length - 1]?.date ?? null };
}

function sortEvents(events: readonly LabelEvent[]): LabelEvent[] {
  const seen = new Set<string>();
  return [...events]
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : KIND_ORDER[a.kind] - KIND_ORDER[b.kind]))
    .filter((e) => {
      const key = `${e.kind}@${e.date}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

