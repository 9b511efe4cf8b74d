import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/package.js';
import { readBundledFile } from './csv.js';

/** File name of the labelled-address set (exchanges, sanctioned venues, mixers, bridges) in data/. */
export const EXCHANGES_FILE = 'exchanges.csv';
/** File name of the seed set (DPRK / Lazarus-attributed addresses) in data/. */
export const SEEDS_FILE = 'lazarus-seeds.csv';

/** Options shared by the loaders: tests point them at a temporary folder. */
export interface DataDirOptions {
  /** Folder holding the CSV files; default: the bundled data/ folder (see dataDir()). */
  dataDir?: string;
}

let bundledDir: string | undefined;

/**
 * Absolute path of the bundled data/ folder, beside hoptrace's package.json (util/package.ts finds it
 * from dist/ and from src/ alike; the current directory may be anywhere).
 */
export function dataDir(): string {
  bundledDir ??= join(packageRoot(), 'data');
  return bundledDir;
}

/** Resolves the data folder for a call: the option when given, else the bundled one. */
export function resolveDataDir(opts?: DataDirOptions): string {
  return opts?.dataDir ?? dataDir();
}

const digests = new Map<string, string>();

/**
 * Full sha256 (64 hex) of the label data: exchanges.csv followed by lazarus-seeds.csv, byte for byte.
 * Reports' manifests carry it, so anyone can check the data they hold is the data a report was made
 * with: `cat data/exchanges.csv data/lazarus-seeds.csv | sha256sum`. Cached per process, keyed on the
 * files' size and mtime too: a file changed while the process runs gets a new digest.
 */
export function labelDataSha256(opts?: DataDirOptions): string {
  const dir = resolveDataDir(opts);
  const key = [dir, ...[EXCHANGES_FILE, SEEDS_FILE].map((name) => fileStamp(join(dir, name)))].join('|');
  const cached = digests.get(key);
  if (cached !== undefined) return cached;
  const hash = createHash('sha256');
  for (const name of [EXCHANGES_FILE, SEEDS_FILE]) hash.update(readBundledFile(join(dir, name)));
  const digest = hash.digest('hex');
  digests.set(key, digest);
  return digest;
}

/**
 * Short identifier of the label data in use: the first 12 hex digits of labelDataSha256. Reports record
 * it so that a finding can be tied to the exact data it was made with. The same value comes out of
 * `cat data/exchanges.csv data/lazarus-seeds.csv | sha256sum | cut -c1-12`.
 */
export function labelDataVersion(opts?: DataDirOptions): string {
  return labelDataSha256(opts).slice(0, 12);
}

function fileStamp(file: string): string {
  try {
    const st = statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing'; // readBundledFile reports it
  }
}
