import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HoptraceError } from '../errors.js';

const PACKAGE_NAME = 'hoptrace';
let cachedRoot: string | undefined;

/**
 * The directory holding hoptrace's own package.json, found by walking up from `start` (default: this
 * module's directory). The same code runs from `src/**` (vitest) and `dist/**` (built), so files that
 * ship beside package.json (data/, fixtures/, schema/) are found from here, not by counting `..`.
 * A package.json of another name is skipped, so a nested one cannot fool it.
 */
export function packageRoot(start?: string): string {
  if (start !== undefined) return findRoot(start);
  cachedRoot ??= findRoot(dirname(fileURLToPath(import.meta.url)));
  return cachedRoot;
}

/** hoptrace's version, from its package.json. */
export function packageVersion(): string {
  const parsed = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return parsed.version ?? '0.0.0';
}

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readName(manifest) === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) {
      throw new HoptraceError(`cannot find the ${PACKAGE_NAME} package root above ${start}.`, {
        hint: 'reinstall hoptrace: its data/ and fixtures/ folders sit beside package.json',
      });
    }
  }
}

function readName(manifest: string): string | undefined {
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
    return typeof parsed.name === 'string' ? parsed.name : undefined;
  } catch {
    return undefined;
  }
}
