import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { UsageError } from '../../errors.js';
import { parseOfacCsv, parseOfacXml } from './ofac.js';
import { parseTableCsv, parseTableJson } from './table.js';
import { parseTagPack } from './tagpack.js';
import { IMPORT_FORMATS, type ImportFormat, type ParsedFile } from './types.js';

export { IMPORT_FORMATS, type ImportFormat, type ParsedFile } from './types.js';
export { TABLE_COLUMNS, type TableColumn } from './columns.js';

/**
 * Reads a label file in one of the import formats (given, or told from its name and first bytes) into
 * label inputs. Nothing is checked beyond the format itself here; userInput.ts checks the labels.
 *
 * @throws UsageError when the file cannot be read or its format cannot be told.
 */
export async function readImportFile(file: string, format?: ImportFormat): Promise<ParsedFile> {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new UsageError(`${file} is a directory, not a label file.`);
    size = st.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`);
  }
  const fmt = format ?? detectFormat(file, head(file, Math.min(size, 4096)));
  // The advanced SDN XML is streamed; the other formats are small enough to read whole.
  if (fmt === 'ofac-xml') return parseOfacXml(file);
  const text = readFileSync(file, 'utf8');
  switch (fmt) {
    case 'csv':
      return parseTableCsv(text);
    case 'json':
      return parseTableJson(text);
    case 'tagpack':
      return parseTagPack(text);
    case 'ofac-csv':
      return parseOfacCsv(text, file);
  }
}

/**
 * The format of a file from its extension and its first bytes: `.yaml`/`.yml` TagPack, `.xml` OFAC
 * advanced XML, `.json` our JSON, `.csv` our CSV when the first line is a header with `address`, else
 * the SDN CSV extract (its first field is a number). Other names are told by content.
 *
 * @throws UsageError when neither tells.
 */
export function detectFormat(file: string, start: string): ImportFormat {
  const ext = extname(file).toLowerCase();
  const text = start.replace(/^\uFEFF/, '').trimStart();
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  if (ext === '.yaml' || ext === '.yml') return 'tagpack';
  if (ext === '.xml') return 'ofac-xml';
  if (ext === '.json') return 'json';
  if (/^\d+,/.test(firstLine)) return 'ofac-csv';
  if (ext === '.csv' || /(^|,)\s*"?address"?\s*(,|$)/.test(firstLine)) return 'csv';
  if (text.startsWith('<')) return 'ofac-xml';
  if (text.startsWith('[')) return 'json';
  if (/^(title|creator|tags)\s*:/m.test(text)) return 'tagpack';
  throw new UsageError(`cannot tell the format of ${file}.`, { hint: `pass --format (${IMPORT_FORMATS.join(', ')})` });
}

function head(file: string, bytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
