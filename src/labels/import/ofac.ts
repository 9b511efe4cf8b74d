import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { SaxesParser } from 'saxes';
import { csvRows } from './csvRows.js';
import { evmChainOf } from './currencies.js';
import { emptyParse, skip, type ParsedFile } from './types.js';

/**
 * The OFAC SDN list, in its two published forms, reduced to the digital-currency addresses on EVM chains.
 * Every address becomes a `sanctioned` label whose entity is the SDN entry's name and whose source names
 * the entry, the feature ("Digital Currency Address - ETH") and the file. The SDN list says nothing about
 * what kind of party an entry is in hoptrace's terms (exchange, mixer, …): the category comes from the
 * `--category` option or from a label hoptrace already has for the address (see userInput.ts).
 */

const FEATURE_PREFIX = 'Digital Currency Address - ';

interface FeatureRow {
  profile: string;
  featureType: string;
  value: string;
  line: number;
}

/**
 * Reads `sdn_advanced.xml` as a stream (the file is over 100 MB; only the address features, the names
 * of the profiles that have one and the entry dates are kept). Structure used:
 * `ReferenceValueSets/FeatureTypeValues/FeatureType[@ID]` (the feature names),
 * `DistinctParties/DistinctParty/Profile[@ID]` with `Identity/Alias[@Primary="true"]/DocumentedName/
 * DocumentedNamePart/NamePartValue` (the name) and `Feature[@FeatureTypeID]/FeatureVersion/VersionDetail`
 * (the address), and `SanctionsEntries/SanctionsEntry[@ProfileID]/EntryEvent/Date` (when the entry was
 * made: the listing date recorded for its addresses; the file has no per-address date).
 */
export async function parseOfacXml(file: string): Promise<ParsedFile> {
  const out = emptyParse('ofac-xml');
  const parser = new SaxesParser({ position: true });
  const stack: string[] = [];
  let text = '';
  let refId: string | null = null;
  const featureTypes = new Map<string, string>();
  const eventTypes = new Map<string, string>();
  const names = new Map<string, string>();
  const dates = new Map<string, { type: string | null; date: string }[]>();
  const features: FeatureRow[] = [];
  let profile: string | null = null;
  let primaryAlias = false;
  let nameParts: string[] | null = null;
  let featureType: string | null = null;
  let detailLine = 0;
  let entryProfile: string | null = null;
  let eventType: string | null = null;
  const ymd: Record<'Year' | 'Month' | 'Day', string | null> = { Year: null, Month: null, Day: null };
  let issued: string | null = null;
  let root: string | null = null;

  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    const attr = (a: string): string | null => {
      const v = tag.attributes[a];
      return typeof v === 'string' ? v : null;
    };
    if (root === null) {
      root = name;
      if (name !== 'Sanctions') throw new NotOfac(`not an OFAC SDN advanced XML file (the root element is <${name}>, not <Sanctions>)`);
    }
    stack.push(name);
    text = '';
    switch (name) {
      case 'FeatureType':
      case 'EntryEventType':
        refId = attr('ID');
        break;
      case 'Profile':
        profile = attr('ID');
        break;
      case 'Alias':
        primaryAlias = attr('Primary') === 'true';
        break;
      case 'DocumentedName':
        if (primaryAlias && profile !== null && !names.has(profile)) nameParts = [];
        break;
      case 'Feature':
        featureType = attr('FeatureTypeID');
        break;
      case 'VersionDetail':
        detailLine = parser.line;
        break;
      case 'SanctionsEntry':
        entryProfile = attr('ProfileID');
        break;
      case 'EntryEvent':
        eventType = attr('EntryEventTypeID');
        ymd.Year = ymd.Month = ymd.Day = null;
        break;
      case 'DateOfIssue':
        ymd.Year = ymd.Month = ymd.Day = null;
        break;
    }
  });
  parser.on('text', (t) => {
    text += t;
  });
  parser.on('closetag', (tag) => {
    const name = local(tag.name);
    stack.pop();
    const value = text.trim();
    switch (name) {
      case 'FeatureType':
        if (refId !== null) featureTypes.set(refId, value);
        break;
      case 'EntryEventType':
        if (refId !== null) eventTypes.set(refId, value);
        break;
      case 'NamePartValue':
        nameParts?.push(value);
        break;
      case 'DocumentedName':
        if (nameParts !== null && profile !== null) names.set(profile, nameParts.filter((p) => p !== '').join(' '));
        nameParts = null;
        break;
      case 'Alias':
        primaryAlias = false;
        break;
      case 'VersionDetail':
        if (profile !== null && featureType !== null && value !== '') {
          features.push({ profile, featureType, value, line: detailLine });
        }
        break;
      case 'Feature':
        featureType = null;
        break;
      case 'Profile':
        profile = null;
        break;
      case 'Year':
      case 'Month':
      case 'Day':
        ymd[name] = value;
        break;
      case 'EntryEvent': {
        const date = isoDate(ymd);
        if (entryProfile !== null && date !== null) {
          const list = dates.get(entryProfile) ?? [];
          list.push({ type: eventType, date });
          dates.set(entryProfile, list);
        }
        break;
      }
      case 'SanctionsEntry':
        entryProfile = null;
        break;
      case 'DateOfIssue':
        issued = isoDate(ymd);
        break;
    }
    text = '';
  });

  try {
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      parser.write(chunk as string);
    }
    parser.close();
  } catch (err) {
    if (err instanceof NotOfac) out.problems.push({ line: 1, text: err.message });
    else out.problems.push({ line: parser.line, text: `not valid XML: ${(err as Error).message.replace(/^[^:]*:\d+:\d+: /, '')}` });
    return out;
  }
  if (root === null) {
    out.problems.push({ line: 1, text: 'not an OFAC SDN advanced XML file (no root element)' });
    return out;
  }

  const where = `${basename(file)}${issued === null ? '' : ` of ${issued}`}`;
  for (const f of features) {
    const type = featureTypes.get(f.featureType);
    if (type === undefined || !type.startsWith(FEATURE_PREFIX)) continue;
    const entity = names.get(f.profile) ?? `OFAC SDN profile ${f.profile}`;
    sdnAddress(out, {
      line: f.line,
      currency: type.slice(FEATURE_PREFIX.length).trim(),
      address: f.value,
      entity,
      source: `OFAC SDN "${entity}" (${type}; profile ${f.profile}; ${where})`,
      listedAt: entryDate(dates.get(f.profile), eventTypes),
    });
  }
  return out;
}

/**
 * Reads the SDN CSV extract (`sdn.csv`: no header; ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
 * Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks). Addresses are in the remarks as
 * "Digital Currency Address - ETH 0x…". The extract carries no dates.
 */
export function parseOfacCsv(text: string, file: string): ParsedFile {
  const out = emptyParse('ofac-csv');
  const records = csvRows(text.replace(/\u001a\s*$/, ''), out);
  if (records === null) return out;
  const feature = /Digital Currency Address - ([A-Za-z0-9]+) ([0-9A-Za-z]+)/g;
  for (const { line, fields } of records) {
    const [entNum, name, , , , , , , , , , remarks] = fields;
    if (entNum === undefined || !/^\d+$/.test(entNum.trim()) || name === undefined) {
      out.problems.push({ line, text: 'not an OFAC sdn.csv row (expected ent_num, SDN_Name, …, Remarks)' });
      continue;
    }
    for (const m of (remarks ?? '').matchAll(feature)) {
      const currency = m[1] ?? '';
      const entity = name.trim();
      sdnAddress(out, { line, currency, address: m[2] ?? '', entity, source: `OFAC SDN "${entity}" (${FEATURE_PREFIX}${currency}; ent_num ${entNum.trim()}; ${basename(file)})` });
    }
  }
  return out;
}

/**
 * One SDN digital-currency address as an import row (sanctioned, no hoptrace category, its source naming
 * the entry), or, on a chain that is not EVM, counted as skipped: the XML and the CSV say it alike.
 */
function sdnAddress(
  out: ParsedFile,
  a: { line: number; currency: string; address: string; entity: string; source: string; listedAt?: string | undefined },
): void {
  const chain = evmChainOf(a.currency, a.address);
  if (chain === null) {
    skip(out, `${a.currency} addresses (not on an EVM chain)`);
    return;
  }
  out.rows.push({
    line: a.line,
    address: a.address,
    chain,
    entity: a.entity,
    category: null,
    categoryNote: `OFAC SDN entry "${a.entity}" has no hoptrace category`,
    risk: 'sanctioned',
    source: a.source,
    ...('listedAt' in a ? { listedAt: a.listedAt } : {}),
  });
}

class NotOfac extends Error {}

function local(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

function isoDate(ymd: Record<'Year' | 'Month' | 'Day', string | null>): string | null {
  if (ymd.Year === null || ymd.Month === null || ymd.Day === null) return null;
  if (!/^\d{4}$/.test(ymd.Year) || !/^\d{1,2}$/.test(ymd.Month) || !/^\d{1,2}$/.test(ymd.Day)) return null;
  return `${ymd.Year}-${ymd.Month.padStart(2, '0')}-${ymd.Day.padStart(2, '0')}`;
}

/** The earliest "Created" event of an entry (any event when the types are not named), or undefined. */
function entryDate(events: { type: string | null; date: string }[] | undefined, types: ReadonlyMap<string, string>): string | undefined {
  if (events === undefined || events.length === 0) return undefined;
  const created = events.filter((e) => e.type !== null && types.get(e.type) === 'Created');
  return (created.length > 0 ? created : events).map((e) => e.date).sort()[0];
}
