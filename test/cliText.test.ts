/**
 * Small things a user reads: counts with their nouns in the right number, and progress lines as wide as
 * the terminal — also under a pseudo-terminal that reports no size (`script`, CI runners).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { progressWidth } from '../src/cli/progress.js';
import { packageRoot } from '../src/util/package.js';
import { noun, plural } from '../src/util/plural.js';

const run = promisify(execFile);

describe('plural', () => {
  it('writes one and many of the nouns hoptrace counts', () => {
    expect([plural(1, 'block'), plural(0, 'block'), plural(2, 'block')]).toEqual(['1 block', '0 blocks', '2 blocks']);
    expect([plural(1, 'address'), plural(3, 'address')]).toEqual(['1 address', '3 addresses']);
    expect([plural(1n, 'entry'), plural(2n, 'entry'), plural(2, 'day')]).toEqual(['1 entry', '2 entries', '2 days']);
    expect(noun(5, 'match')).toBe('matches');
    expect(plural(2, 'person', 'people')).toBe('2 people');
    expect(plural(1, 'person', 'people')).toBe('1 person');
  });
});

describe('progress line width', () => {
  it('uses the terminal width, else $COLUMNS, else 80 — never a 20-column stub', () => {
    expect(progressWidth(120, {})).toBe(119);
    expect(progressWidth(0, {})).toBe(79);
    expect(progressWidth(undefined, {})).toBe(79);
    expect(progressWidth(0, { COLUMNS: '200' })).toBe(199);
    expect(progressWidth(0, { COLUMNS: 'wide' })).toBe(79);
    expect(progressWidth(12, { COLUMNS: '200' })).toBe(11);
  });

  const script = '/usr/bin/script';
  it.skipIf(!existsSync(script))(`keeps a long line whole up to 79 columns under a pseudo-terminal of no size${existsSync(script) ? '' : ' (skipped: util-linux script is not installed)'}`, async () => {
    const progress = pathToFileURL(join(packageRoot(), 'dist', 'cli', 'progress.js')).href;
    const code = `import(${JSON.stringify(progress)}).then((m) => { const p = m.createProgress({ enabled: true }); p.update('x'.repeat(100) + 'END'); process.stderr.write('\\n'); })`;
    // script(1) gives the child a pty; with no terminal of its own to copy, its size is 0 x 0.
    const { stdout } = await run(script, ['-qec', `${JSON.stringify(process.execPath)} -e ${shellQuote(code)}`, '/dev/null'], {
      env: { ...process.env, COLUMNS: '' },
      timeout: 30_000,
    });
    const line = /x+/.exec(stdout)?.[0] ?? '';
    expect(line).toHaveLength(79);
    expect(stdout).not.toContain('END');
  });
});

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
