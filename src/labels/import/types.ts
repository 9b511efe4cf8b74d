import type { LabelInput } from '../userInput.js';

/** The file formats `hoptrace labels import` reads. */
export const IMPORT_FORMATS = Object.freeze(['csv', 'json', 'tagpack', 'ofac-xml', 'ofac-csv'] as const);
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** A file read into label inputs, before the checks of userInput.ts. */
export interface ParsedFile {
  format: ImportFormat;
  /** One input per address found, with its line. */
  rows: LabelInput[];
  /** Problems of the file itself (bad syntax, a missing column), as `<line>: <problem>` pairs. */
  problems: { line: number; text: string }[];
  /** Entries left out on purpose (non-EVM currencies, tags without an address), counted by reason. */
  skipped: Map<string, number>;
}

/** A new ParsedFile to fill. */
export function emptyParse(format: ImportFormat): ParsedFile {
  return { format, rows: [], problems: [], skipped: new Map() };
}

/** Counts one skipped entry under `reason`. */
export function skip(parsed: ParsedFile, reason: string): void {
  parsed.skipped.set(reason, (parsed.skipped.get(reason) ?? 0) + 1);
}
