/**
 * Reads a price table from a file (`--price-table`) or the bundled one (data/price-tables/), and checks
 * it with `parsePriceTable`. Every problem is one UsageError sentence (exit 2), never a stack trace.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { packageRoot } from '../util/package.js';
import { parsePriceTable, type PriceTable } from './price.js';

/** The bundled table: Alchemy's compute units, read 2026-12-02 (data/price-tables/README.md). */
export const DEFAULT_PRICE_TABLE = 'alchemy-2026-12-02.json';

/** A price table is a page of numbers: anything larger is not one. */
const MAX_BYTES = 1 << 20;

/** The table in `file`, or the bundled one when `file` is undefined. */
export function readPriceTable(file?: string): PriceTable {
  if (file === undefined) {
    const path = join(packageRoot(), 'data', 'price-tables', DEFAULT_PRICE_TABLE);
    return parsePriceTable(readFileSync(path, 'utf8'), DEFAULT_PRICE_TABLE);
  }
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new UsageError(`price table ${file} is not a file.`);
    size = st.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`price table ${file} cannot be read: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`);
  }
  if (size > MAX_BYTES) throw new UsageError(`price table ${file} is ${size} bytes: a price table is at most ${MAX_BYTES} bytes.`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`price table ${file} cannot be read: ${(err as Error).message}.`);
  }
  return parsePriceTable(text, file);
}
