import type { Label, LabelCategory, Risk } from '../types.js';

// The parsing of source dates lives below the store (which reads user labels' dates too); re-exported
// here, where the rest of labels/ and its tests look for it.
export { isIsoDate, labelEvents, listingDates, parseSourceEvents } from '../labelEvents.js';

/**
 * Labels in time. A label's `risk` is its classification today; its dated events (sanctions listing,
 * removal, re-designation, takedown) and its validity window say what held at an earlier moment.
 * `labelAt` answers "what was this venue when the funds arrived?", which is what a hit must state:
 * a hop into Tornado Cash in 2023 went into a sanctioned mixer, the same hop in June 2025 did not.
 *
 * Dates are calendar days in UTC (YYYY-MM-DD). An event takes effect at 00:00 UTC of its day: the
 * sources give days, not times, and a hop on the day itself is said to be "on the day of this hop".
 */

/** The state of a label at the moment of a hop. */
export interface LabelAtHop {
  /** Risk at the time of the hop (the label's `risk` is the risk today). */
  risk: Risk;
  /** True when the address was on a sanctions list at the time of the hop, as far as the data knows. */
  sanctionedAtHop: boolean;
  /** What the dates say about this hop, in one line; null when the label carries no dates. */
  note: string | null;
}

/**
 * The risk of a venue while it is not on a sanctions list: its risk today when that is not
 * `sanctioned` (Tornado Cash is `high` today); otherwise what its category is without a listing —
 * a mixer or a no-KYC swap service `high`, anything else (an exchange before its designation) `standard`.
 */
export function unlistedRisk(label: Pick<Label, 'risk' | 'category'>): Risk {
  if (label.risk !== 'sanctioned') return label.risk;
  return categoryRisk(label.category);
}

/** The risk a category carries by itself, without a sanctions listing. */
export function categoryRisk(category: LabelCategory): Risk {
  return category === 'mixer' || category === 'swap-service' ? 'high' : 'standard';
}

/**
 * The risk of `label` at `unixSeconds` (see labelAt).
 *
 * @example riskAt(tornadoPool, Date.parse('2023-01-01T00:00:00Z') / 1000) // 'sanctioned'
 */
export function riskAt(label: Label, unixSeconds: number | null): Risk {
  return labelAt(label, unixSeconds).risk;
}

/**
 * What a label said at the moment of a hop (`unixSeconds`, null when the block time is unknown).
 *
 * - Outside the label's validity window the label did not apply: risk `standard`, and the note says so.
 * - With sanctions events the address was sanctioned from a listing (or re-designation) to the next
 *   removal. Listed with no removal on record while the risk today is not `sanctioned` (a formerly
 *   listed address whose removal date no source gives): still counted as sanctioned after the listing,
 *   with a note that says the removal date is unknown.
 * - Not sanctioned at the hop: the unlisted risk (see unlistedRisk), and the note dates the listing.
 * - Without any sanctions event the risk is today's, and a `sanctioned` one is flagged with a note that
 *   the listing date is not in the data.
 * - Takedowns change no risk; the note states them.
 */
export function labelAt(label: Label, unixSeconds: number | null): LabelAtHop {
  const today: LabelAtHop = { risk: label.risk, sanctionedAtHop: label.risk === 'sanctioned', note: null };
  const dated = label.events.length > 0 || label.validFrom !== null || label.validTo !== null;
  if (unixSeconds === null || !Number.isFinite(unixSeconds)) {
    return { ...today, note: dated ? 'time of the hop unknown: risk as of today' : today.note };
  }
  const day = new Date(unixSeconds * 1000).toISOString().slice(0, 10);

  if (label.validFrom !== null && day < label.validFrom) {
    return { risk: 'standard', sanctionedAtHop: false, note: `label applies from ${label.validFrom}; this hop is earlier` };
  }
  if (label.validTo !== null && day > label.validTo) {
    return { risk: 'standard', sanctionedAtHop: false, note: `label applies until ${label.validTo}; this hop is later` };
  }

  const words = wording(label.source);
  const sanctions = label.events.filter((e) => e.kind !== 'takedown');
  const notes: string[] = [];
  let state: LabelAtHop;
  if (sanctions.length === 0) {
    state = today;
    if (label.risk === 'sanctioned') notes.push(`${words.onList} per the label's source; listing date not in the data`);
  } else {
    const past = sanctions.filter((e) => e.date <= day);
    const last = past[past.length - 1];
    const on = last !== undefined && last.kind !== 'delisted';
    if (on) {
      const firstListing = past.find((e) => e.kind === 'listed') ?? last;
      notes.push(`${words.listed} on ${firstListing.date}, ${when(firstListing.date, day)}`);
      for (const e of past) if (e.kind === 'relisted') notes.push(`re-designated on ${e.date}, ${when(e.date, day)}`);
      const removal = sanctions.find((e) => e.date > day && e.kind === 'delisted');
      if (removal !== undefined) notes.push(`${words.removed} on ${removal.date}, ${when(removal.date, day)}`);
      else if (label.risk !== 'sanctioned') notes.push('no longer listed today, removal date not in the data');
      state = { risk: 'sanctioned', sanctionedAtHop: true, note: null };
    } else {
      if (last === undefined) {
        const next = sanctions[0]!;
        notes.push(`${next.kind === 'delisted' ? words.removed : words.listed} on ${next.date}, ${when(next.date, day)}`);
      } else {
        notes.push(`${words.removed} on ${last.date}, ${when(last.date, day)}`);
        const again = sanctions.find((e) => e.date > day && e.kind !== 'delisted');
        if (again !== undefined) notes.push(`listed again on ${again.date}, ${when(again.date, day)}`);
      }
      state = { risk: unlistedRisk(label), sanctionedAtHop: false, note: null };
    }
  }
  for (const e of label.events) if (e.kind === 'takedown') notes.push(`taken down on ${e.date}, ${when(e.date, day)}`);
  return { ...state, note: notes.length > 0 ? notes.join('; ') : null };
}

function when(date: string, day: string): string {
  return date < day ? 'before this hop' : date > day ? 'after this hop' : 'on the day of this hop';
}

/** OFAC's words when the source is an OFAC / SDN citation, neutral ones otherwise. */
function wording(source: string): { listed: string; removed: string; onList: string } {
  return /\bOFAC\b|\bSDN\b/.test(source)
    ? { listed: 'listed by OFAC', removed: 'removed from the SDN list', onList: 'on the SDN list' }
    : { listed: 'listed', removed: 'removed from the sanctions list', onList: 'on a sanctions list' };
}
