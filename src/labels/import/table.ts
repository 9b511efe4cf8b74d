import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { LabelInput } from '../userInput.js';
import { csvRows } from './csvRows.js';
import { TABLE_COLUMNS, type TableColumn } from './columns.js';
import { emptyParse, type ParsedFile } from './types.js';

/*
 * Readers of hoptrace's own label table (columns: see columns.ts), as CSV and as JSON.
 */

/** Columns a file must have; the others may be left out (defaults: see userInput.ts). */
const REQUIRED: readonly TableColumn[] = ['address', 'entity', 'source'];

/** Reads our CSV. Lines are the file's lines (the header is line 1). */
export function parseTableCsv(text: string): ParsedFile {
  const out = emptyParse('csv');
  const records = csvRows(text, out);
  if (records === null) return out;
  const [header, ...body] = records;
  if (header === undefined) return out;
  const columns = header.fields.map((f) => f.trim());
  if (!checkColumns(columns, header.line, out)) return out;
  for (const { line, fields } of body) {
    if (fields.length !== columns.length) {
      out.problems.push({ line, text: `${fields.length} fields, the header has ${columns.length}` });
      continue;
    }
    out.rows.push(toInput(line, (c) => fields[columns.indexOf(c)]));
  }
  return out;
}

/**
 * Reads our JSON: an array of objects keyed by the CSV column names. The JSON is first checked by
 * JSON.parse (strict); the line of each object is then taken from the YAML 1.2 parser, of which JSON is
 * a subset, so that a problem can be pointed at its line.
 */
export function parseTableJson(text: string): ParsedFile {
  const out = emptyParse('json');
  const body = text.replace(/^\uFEFF/, '');
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    out.problems.push({ line: 1, text: `not valid JSON: ${(err as Error).message}` });
    return out;
  }
  if (!Array.isArray(data)) {
    out.problems.push({ line: 1, text: 'expected a JSON array of label objects' });
    return out;
  }
  const lines = new LineCounter();
  const doc = parseDocument(body, { lineCounter: lines });
  const items = isSeq(doc.contents) ? doc.contents.items : [];
  data.forEach((item: unknown, i) => {
    const node = items[i];
    const line = node !== undefined && isMap(node) && node.range ? lines.linePos(node.range[0]).line : 1;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      out.problems.push({ line, text: 'expected an object with the label columns' });
      return;
    }
    const record = item as Record<string, unknown>;
    const unknown = Object.keys(record).filter((k) => !(TABLE_COLUMNS as readonly string[]).includes(k));
    if (unknown.length > 0) {
      out.problems.push({ line, text: `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${TABLE_COLUMNS.join(', ')})` });
      return;
    }
    const missing = REQUIRED.filter((c) => record[c] === undefined);
    if (missing.length > 0) {
      out.problems.push({ line, text: `${missing.map((c) => `"${c}"`).join(', ')} missing` });
      return;
    }
    out.rows.push(toInput(line, (c) => scalar(record[c])));
  });
  return out;
}

function checkColumns(columns: readonly string[], line: number, out: ParsedFile): boolean {
  const unknown = columns.filter((c) => !(TABLE_COLUMNS as readonly string[]).includes(c));
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (unknown.length > 0) out.problems.push({ line, text: `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')} (known: ${TABLE_COLUMNS.join(', ')})` });
  if (missing.length > 0) out.problems.push({ line, text: `column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} missing from the header` });
  if (repeated.length > 0) out.problems.push({ line, text: `column "${repeated[0]}" appears twice in the header` });
  return unknown.length === 0 && missing.length === 0 && repeated.length === 0;
}

function toInput(line: number, get: (c: TableColumn) => string | undefined): LabelInput {
  return {
    line,
    address: get('address') ?? '',
    chain: get('chain'),
    entity: get('entity'),
    category: get('category'),
    jurisdiction: get('jurisdiction'),
    risk: get('risk'),
    source: get('source'),
    listedAt: get('listed_at'),
    delistedAt: get('delisted_at'),
    validFrom: get('valid_from'),
    validTo: get('valid_to'),
    role: get('role'),
  };
}

/** A JSON value as the text a CSV cell would hold (null and absent → undefined). */
function scalar(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}
