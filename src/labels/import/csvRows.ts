import { parse as parseCsv } from 'csv-parse/sync';
import type { ParsedFile } from './types.js';

/** One CSV record with the line it starts on (1-based). */
export interface CsvRow {
  line: number;
  fields: string[];
}

/**
 * The records of a user's CSV file, any number of fields each (the caller checks the count), or null
 * after recording the syntax problem (a broken quote, …) with its line in `out`.
 */
export function csvRows(text: string, out: ParsedFile): CsvRow[] | null {
  try {
    const records = parseCsv(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as {
      info: { lines: number };
      record: string[];
    }[];
    return records.map((r) => ({ line: r.info.lines, fields: r.record }));
  } catch (err) {
    const line = (err as { lines?: unknown }).lines;
    out.problems.push({ line: typeof line === 'number' ? line : 1, text: `not valid CSV: ${(err as Error).message}` });
    return null;
  }
}
