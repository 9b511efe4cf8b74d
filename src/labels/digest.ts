import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXCHANGES_FILE, SEEDS_FILE, resolveDataDir, type DataDirOptions } from './files.js';

/**
 * Full sha256 (64 hex) of the bundled label data: data/exchanges.csv followed by data/lazarus-seeds.csv,
 * byte for byte. labelDataVersion is its first 12 digits; reports' manifests carry the whole digest, so
 * anyone can check the data they hold is the data a report was made with:
 * `cat data/exchanges.csv data/lazarus-seeds.csv | sha256sum`.
 */
export function labelDataSha256(opts?: DataDirOptions): string {
  const dir = resolveDataDir(opts);
  const hash = createHash('sha256');
  for (const name of [EXCHANGES_FILE, SEEDS_FILE]) hash.update(readFileSync(join(dir, name)));
  return hash.digest('hex');
}
