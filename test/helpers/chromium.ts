/**
 * Headless Chromium (Debian's `chromium` package, /usr/bin/chromium) for the HTML report checks:
 * `--dump-dom` loads a file, runs its scripts, and prints the DOM as it stands afterwards.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Chromium binary, or null when it is not installed ($HOPTRACE_CHROMIUM overrides). */
export function chromiumPath(): string | null {
  const p = process.env.HOPTRACE_CHROMIUM ?? '/usr/bin/chromium';
  return existsSync(p) ? p : null;
}

/**
 * Why the browser tests cannot run here, or null when they can. CI installs Chromium (.ci/run) and sets
 * HOPTRACE_REQUIRE_CHROMIUM=1, so there a missing browser is a failure, never a skip.
 */
export function chromiumMissing(): string | null {
  if (chromiumPath() !== null) return null;
  if (process.env.HOPTRACE_REQUIRE_CHROMIUM) throw new Error('HOPTRACE_REQUIRE_CHROMIUM is set but /usr/bin/chromium is missing');
  return 'Chromium is not installed here (apt-get install -y chromium); .ci/run installs it and requires it';
}

/** The DOM of `file` after its scripts ran, from a fresh profile, with no network, in a window of `size` (CSS px). */
export async function dumpDom(file: string, size: { width: number; height: number } = { width: 1366, height: 768 }): Promise<string> {
  const bin = chromiumPath();
  if (!bin) throw new Error('no chromium');
  const profile = mkdtempSync(join(tmpdir(), 'hoptrace-chromium-'));
  const { stdout } = await run(
    bin,
    [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--virtual-time-budget=2000',
      `--window-size=${size.width},${size.height}`,
      '--dump-dom', pathToFileURL(file).href,
    ],
    { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}
