/**
 * Does a command's JSON hold what its text shows? Reads the text for what a reader takes from it —
 * addresses (full or shortened), transaction hashes, amounts with their asset, percentages, dates, block
 * numbers, every other whole number — and looks each one up in the JSON document of the same command.
 * Returns what it could not find, so a test can print it (an empty list is the pass).
 */
import { formatUnits } from 'ethers';

type Json = unknown;

interface Leaves {
  strings: string[];
  numbers: Set<number>;
  /** Array lengths and object sizes: a count the text may print ("3 hits"). */
  counts: Set<number>;
}

function leaves(doc: Json): Leaves {
  const out: Leaves = { strings: [], numbers: new Set(), counts: new Set() };
  const walk = (v: Json, key: string | null): void => {
    if (typeof v === 'string') {
      out.strings.push(v);
      if (key !== null) out.strings.push(key);
      if (/^\d+$/.test(v) && v.length < 16) out.numbers.add(Number(v));
    } else if (typeof v === 'number') out.numbers.add(v);
    else if (Array.isArray(v)) {
      out.counts.add(v.length);
      for (const x of v) walk(x, null);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      out.counts.add(entries.length);
      for (const [k, x] of entries) {
        out.strings.push(k);
        walk(x, k);
      }
    }
  };
  walk(doc, null);
  return out;
}

/** "10000.0" → "10000", "2.50" → "2.5": the figure as text prints it, without grouping. */
function plain(n: string): string {
  const s = n.replace(/,/g, '');
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Every base-unit amount of the document formatted with every decimals it names (18 for native). */
function amounts(doc: Json, l: Leaves): Set<string> {
  const decimals = new Set<number>([18]);
  const collect = (v: Json): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, Json>;
      if (typeof o.decimals === 'number') decimals.add(o.decimals);
      Object.values(o).forEach(collect);
    }
  };
  collect(doc);
  const out = new Set<string>();
  for (const s of l.strings) {
    if (!/^-?\d+$/.test(s)) continue;
    for (const d of decimals) out.add(plain(formatUnits(BigInt(s), d)));
  }
  return out;
}

const utcMinute = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ');

/**
 * What of `text` is missing from `json`. `symbols`: asset names the text prints after an amount (ETH,
 * the tokens' symbols, `native`); every whole number left after the typed tokens are taken out must be a
 * number of the JSON, a count (array length) or a number inside one of its strings.
 */
export function missingFromJson(text: string, json: Json, symbols: readonly string[] = ['ETH', 'native']): string[] {
  const l = leaves(json);
  const blob = JSON.stringify(json).toLowerCase();
  const fullAddresses = [...new Set(blob.match(/0x[0-9a-f]{40}/g) ?? [])];
  const missing: string[] = [];
  // A string the JSON holds as it is (a label, a source) is found whatever figures it contains.
  let rest = text;
  for (const s of [...new Set(l.strings)].filter((x) => x.length >= 12).sort((a, b) => b.length - a.length)) rest = rest.split(s).join(' ');
  const take = (re: RegExp, check: (m: RegExpMatchArray) => boolean, what: string): void => {
    for (const m of rest.matchAll(re)) if (!check(m)) missing.push(`${what} ${m[0]}`);
    rest = rest.replace(re, ' ');
  };
  take(/0x[0-9a-fA-F]{64}/g, (m) => blob.includes(m[0].toLowerCase()), 'hash');
  take(/0x[0-9a-fA-F]{40}/g, (m) => blob.includes(m[0].toLowerCase()), 'address');
  take(
    /0x([0-9a-fA-F]{4})…([0-9a-fA-F]{4})/g,
    (m) => fullAddresses.some((a) => a.startsWith(`0x${m[1]!.toLowerCase()}`) && a.endsWith(m[2]!.toLowerCase())),
    'short address',
  );
  const figures = amounts(json, l);
  const sym = symbols.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  take(new RegExp(`(?<![\\w.])(\\d[\\d,]*(?:\\.\\d+)?) (?:${sym})(?![\\w])`, 'g'), (m) => figures.has(plain(m[1]!)), 'amount');
  take(/(\d+)\.(\d\d)%/g, (m) => l.numbers.has(Number(m[1]) * 100 + Number(m[2])), 'percentage');
  const minutes = new Set([...l.numbers].filter((n) => n > 1e9 && n < 1e10).map(utcMinute));
  for (const s of l.strings) if (/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(s)) minutes.add(s.slice(0, 16).replace('T', ' '));
  take(/(\d{4}-\d\d-\d\d \d\d:\d\d) UTC/g, (m) => minutes.has(m[1]!), 'time');
  // ISO times, dates and versions: the JSON holds them as strings.
  take(/\d{4}-\d\d-\d\dT[\d:.]+Z|\d{4}-\d\d-\d\d|\d+\.\d+\.\d+/g, (m) => l.strings.some((s) => s.includes(m[0])), 'text');
  take(/(?<![\w.])\d[\d,]*(?![\w.])/g, (m) => {
    const n = Number(m[0].replace(/,/g, ''));
    // As a value, a count, or the same digits inside a string ("I-022625-PSA": leading zeros kept).
    const digits = m[0].replace(/,/g, '');
    return l.numbers.has(n) || l.counts.has(n) || l.strings.some((s) => new RegExp(`(?<!\\d)(?:${n}|${digits})(?!\\d)`).test(s));
  }, 'number');
  return missing;
}

/** The strings of a JSON document (values and keys), for checks of names and sources. */
export function jsonStrings(json: Json): string[] {
  return leaves(json).strings;
}

/** Whether a text field (cleaned, possibly cut with "…") is one of the document's strings or the start of one. */
export function shownIn(field: string, json: Json): boolean {
  const cut = field.endsWith('…') ? field.slice(0, -1) : null;
  return jsonStrings(json).some((s) => (cut === null ? s === field || s.includes(field) : s.startsWith(cut) || s.includes(cut)));
}
