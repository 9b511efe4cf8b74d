import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { HoptraceError } from '../errors.js';

/** One data row of a CSV file, with the line it sits on (1-based; the header is line 1). */
export interface CsvRecord<C extends string> {
  line: number;
  row: Record<C, string>;
}

/**
 * Reads a bundled CSV file whose header must be exactly `columns`, in that order. Quoting follows
 * RFC 4180 (csv-parse does the work: the files carry quoted fields with commas and doubled quotes).
 *
 * Every problem becomes a HoptraceError naming the file and, where there is one, the line: a damaged
 * data file is reported, never a crash. A field spanning lines is refused so that `line` is always
 * the line the whole row is on.
 */
export function readCsvFile<C extends string>(file: string, columns: readonly C[]): CsvRecord<C>[] {
  const bytes = readBundledFile(file);
  let records: CsvRecord<string>[];
  try {
    records = parse<CsvRecord<string>, Record<string, string>>(bytes, {
      bom: true,
      skip_empty_lines: true,
      columns: (header: string[]) => {
        if (header.length !== columns.length || header.some((h, i) => h !== columns[i])) {
          throw dataFileError(
            file,
            1,
            `header is "${header.join(',')}", expected "${columns.join(',')}"`,
          );
        }
        return [...columns];
      },
      on_record: (row, ctx) => ({ line: ctx.lines, row }),
    });
  } catch (err) {
    if (err instanceof HoptraceError) throw err;
    const line = (err as { lines?: unknown }).lines;
    const detail = err instanceof Error ? err.message : String(err);
    throw dataFileError(file, typeof line === 'number' ? line : undefined, `not valid CSV: ${detail}`, err);
  }
  for (const rec of records) {
    for (const c of columns) {
      if (/[\r\n]/.test(rec.row[c] ?? '')) throw dataFileError(file, rec.line, `field "${c}" spans several lines`);
    }
  }
  // Safe: the header check above made `columns` the keys of every row, and csv-parse refuses a row
  // whose field count differs from the header's.
  return records as CsvRecord<C>[];
}

/** The raw bytes of a data file; a missing or unreadable file is a HoptraceError naming it. */
export function readBundledFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new HoptraceError(`cannot read data file ${file} (${code}).`, {
      hint: 'the bundled data/ folder ships with hoptrace; reinstall it or restore the file from git',
      cause: err,
    });
  }
}

/**
 * The error for a bad row in a data file: `<file>:<line>: <problem>`. Exit code 1: the bundled files
 * are part of the program, so a bad one is our failure, not the user's input.
 */
export function dataFileError(file: string, line: number | undefined, problem: string, cause?: unknown): HoptraceError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new HoptraceError(`bad data file ${where}: ${problem}.`, {
    hint: 'bundled data files are never edited in place; restore it from git (git checkout -- data/) or reinstall hoptrace',
    cause,
  });
}
