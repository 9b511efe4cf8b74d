/**
 * The format table (report/formats/) and the one `--format` of `trace`, `report` and `export`: every
 * format a command offers is reachable through `--format`, gives the bytes of the route it had before
 * (the aliases `--json` / `--ndjson`, the default, the renderers called directly), and one run's outputs
 * rest on one report JSON. Through the built CLI (run `npm run build` first) on the demo chain.
 */
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputStyle } from '../src/cli/shared.js';
import { assembleReport } from '../src/cli/runReport.js';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { DEMO_EXPECTED } from '../src/devchain/demo.js';
import { demoChainPath } from '../src/devchain/paths.js';
import { writeGraph } from '../src/report/export.js';
import { FORMATS, formatsOf, type FormatCommand } from '../src/report/formats/index.js';
import { renderMarkdown } from '../src/report/formats/md.js';
import { reportGraph } from '../src/report/full.js';
import { renderHtml } from '../src/report/html.js';
import { createStore } from '../src/store/store.js';
import { hoptrace, type Outcome } from './helpers/cli.js';
import { tempDb } from './helpers/trace.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON documents, read field by field
type Json = Record<string, any>;

const COMMANDS: FormatCommand[] = ['trace', 'report', 'export', 'diff'];

let anvil: AnvilHandle;
let db: string;
/** stdout of the `trace --json` run that made `db`. */
let traceJson: string;

/** A trace of the demo seed; address strategy, so that two runs read the chain the same way. */
const traceArgs = (dbPath: string, ...extra: string[]): string[] => [
  'trace', DEMO_EXPECTED.seed, '--rpc', anvil.url, '--db', dbPath, '--labels-chain', 'ethereum', '--hops', String(DEMO_EXPECTED.hops + 1), '--strategy', 'address', '-q', ...extra,
];

async function ok(args: string[]): Promise<string> {
  const r = await hoptrace(args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** The latest stored run of a database, as the table holds it. */
function storedRun(dbPath: string): { result: Json; params: Json } {
  const handle = new Database(dbPath, { readonly: true });
  try {
    const row = handle.prepare('SELECT result, params FROM trace_runs ORDER BY id DESC LIMIT 1').get() as { result: string; params: string };
    return { result: JSON.parse(row.result) as Json, params: JSON.parse(row.params) as Json };
  } finally {
    handle.close();
  }
}

/** What differs between two renderings of one stored run: the time a document was rendered. */
function withoutRenderTime(doc: Json): Json {
  return { ...doc, manifest: { ...doc.manifest, generatedAt: undefined } };
}

beforeAll(async () => {
  anvil = await startAnvil({ loadState: demoChainPath() });
  db = tempDb('formats.db');
  traceJson = await ok(traceArgs(db, '--json'));
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('the format table', () => {
  it('gives each command formats of unique names, its default first, colour only for terminal text', () => {
    for (const command of COMMANDS) {
      const names = formatsOf(command).map((f) => f.name);
      expect(new Set(names).size, command).toBe(names.length);
      expect(names.length, command).toBeGreaterThan(0);
    }
    expect(formatsOf('trace')[0]!.name).toBe('text');
    expect(formatsOf('report')[0]!.name).toBe('text');
    expect(formatsOf('export')[0]!.name).toBe('gexf');
    expect(formatsOf('diff')[0]!.name).toBe('text');
    for (const f of FORMATS) {
      expect(f.color && f.output !== 'text', f.name).toBe(false);
      expect(f.extension, f.name).toMatch(/^\.[a-z]+$/);
      // A graph is drawn from the attribution, which only report and export read from the database.
      if (f.renders === 'graph') expect(f.commands, f.name).not.toContain('trace');
    }
  });

  it('is what --help lists for --format, per command', async () => {
    for (const command of COMMANDS) {
      const help = await ok([command, '--help']);
      const line = /--format <name>\s+output format:\s+([\s\S]*?);\s+default\s+(\w+)/.exec(help);
      expect(line, command).not.toBeNull();
      // Each format as `name (summary)`; commander may wrap the line anywhere between words.
      const listed = [...line![1]!.replace(/\([^)]*\)/g, '').matchAll(/(\w+)/g)].map((m) => m[1]);
      expect(listed, command).toEqual(formatsOf(command).map((f) => f.name));
      expect(line![2], command).toBe(formatsOf(command)[0]!.name);
    }
  });
});

describe('the colour decision (outputStyle)', () => {
  const tty = { isTTY: true, columns: 120 };
  const pipe = { isTTY: false };
  it('colours a terminal unless --no-color, NO_COLOR or a file says otherwise; FORCE_COLOR colours a pipe', () => {
    expect(outputStyle({ color: true }, {}, tty)).toEqual({ color: true, width: 120 });
    expect(outputStyle({ color: true }, {}, pipe)).toEqual({ color: false });
    expect(outputStyle({ color: false }, {}, tty)).toEqual({ color: false, width: 120 });
    expect(outputStyle({ color: true }, { NO_COLOR: '1' }, tty).color).toBe(false);
    // An empty NO_COLOR counts as unset (no-color.org).
    expect(outputStyle({ color: true }, { NO_COLOR: '' }, tty).color).toBe(true);
    expect(outputStyle({ color: true }, { FORCE_COLOR: '1' }, pipe).color).toBe(true);
    expect(outputStyle({ color: true }, { FORCE_COLOR: '0' }, tty).color).toBe(false);
    expect(outputStyle({ color: true }, { FORCE_COLOR: 'false' }, tty).color).toBe(false);
    // NO_COLOR, --no-color and a file win over FORCE_COLOR.
    expect(outputStyle({ color: true }, { FORCE_COLOR: '1', NO_COLOR: '1' }, pipe).color).toBe(false);
    expect(outputStyle({ color: false }, { FORCE_COLOR: '1' }, pipe).color).toBe(false);
    expect(outputStyle({ color: true, out: 'r.txt' }, { FORCE_COLOR: '1' }, tty)).toEqual({ color: false });
  });

  it('FORCE_COLOR colours the text of trace, report, labels and seeds through a pipe; NO_COLOR wins', async () => {
    const sgr = /\x1b\[[0-9;]*m/;
    for (const args of [['report', '--db', db], ['seeds'], ['labels', 'show', DEMO_EXPECTED.venue.address, '--db', db]]) {
      const forced = await hoptrace(args, { NO_COLOR: '', FORCE_COLOR: '1' });
      expect(forced.code, forced.stderr).toBe(0);
      const plain = await hoptrace(args, { NO_COLOR: '', FORCE_COLOR: '0' });
      // Same text once the colour is taken out: the decision changes nothing else.
      expect(forced.stdout.replace(/\x1b\[[0-9;]*m/g, ''), args.join(' ')).toBe(plain.stdout);
      expect(plain.stdout).not.toMatch(sgr);
      expect(forced.stdout, args.join(' ')).toMatch(sgr);
      expect((await hoptrace(args, { NO_COLOR: '1', FORCE_COLOR: '1' })).stdout).toBe(plain.stdout);
    }
    const trace = await hoptrace(traceArgs(tempDb()), { NO_COLOR: '', FORCE_COLOR: '1' });
    expect(trace.stdout).toMatch(sgr);
    expect((await hoptrace(traceArgs(tempDb()), { NO_COLOR: '1', FORCE_COLOR: '1' })).stdout).not.toMatch(sgr);
  }, 120_000);
});

describe('one report JSON per run', () => {
  it('trace --json: stdout, the stored run and the manifest hold the same report', () => {
    const doc = JSON.parse(traceJson) as Json;
    const stored = storedRun(db);
    const { manifest, ...report } = doc;
    expect(report).toEqual(stored.result);
    expect(manifest.params).toEqual(report.params);
    expect(stored.params).toEqual(report.params);
  });

  it('trace --json -o: the file and the stored run of that run hold the same report, stdout nothing', async () => {
    const other = tempDb('formats-o.db');
    const file = join(dirname(other), 'trace.json');
    expect(await ok(traceArgs(other, '--json', '-o', file))).toBe('');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as Json;
    const { manifest, ...report } = doc;
    expect(report).toEqual(storedRun(other).result);
    expect(manifest.params).toEqual(report.params);
    // The file has the bytes stdout has for the same trace into a new database (only times differ).
    const again = await ok(traceArgs(tempDb(), '--json'));
    const masked = (s: string): string => s.replace(/"(generatedAt|tracedAt)": "[^"]*"/g, '"$1": ""').replace(/"durationMs": \d+/g, '"durationMs": 0');
    expect(masked(readFileSync(file, 'utf8'))).toBe(masked(again));
  });

  it('report --format json holds the trace --json report of the same run, with the attribution and graph added', async () => {
    const trace = JSON.parse(traceJson) as Json;
    const report = JSON.parse(await ok(['report', '--db', db, '--format', 'json'])) as Json;
    const { attribution, graph, ...rest } = report;
    expect(attribution).toBeDefined();
    expect(graph).toBeDefined();
    expect(withoutRenderTime(rest)).toEqual(withoutRenderTime(trace));
  });
});

describe('every format through --format gives the bytes of its old route', () => {
  it('trace: --format json ≡ --json, --format ndjson ≡ --ndjson, --format text ≡ the default', async () => {
    // Two traces into new databases differ in their times and duration only.
    const mask = (s: string): string =>
      s
        .replace(/"(generatedAt|tracedAt)": "[^"]*"/g, '"$1": ""')
        .replace(/"durationMs": \d+/g, '"durationMs": 0')
        .replace(/generated\s+\S+/g, 'generated')
        .replace(/\b\d+(\.\d+)? ?(ms|s)\b/g, 'N');
    const fresh = (...extra: string[]): Promise<string> => ok(traceArgs(tempDb(), ...extra));
    expect(await fresh('--format', 'ndjson')).toBe(await fresh('--ndjson'));
    expect(mask(await fresh('--format', 'json'))).toBe(mask(await fresh('--json')));
    expect(mask(await fresh('--format', 'text'))).toBe(mask(await fresh()));
  }, 120_000);

  it('report: --json ≡ --format json, --ndjson ≡ --format ndjson ≡ trace --ndjson, text ≡ the default, md and html ≡ their renderers', async () => {
    const viaFormat = JSON.parse(await ok(['report', '--db', db, '--format', 'json'])) as Json;
    const viaAlias = JSON.parse(await ok(['report', '--db', db, '--json'])) as Json;
    expect(withoutRenderTime(viaAlias)).toEqual(withoutRenderTime(viaFormat));
    const ndjson = await ok(['report', '--db', db, '--format', 'ndjson']);
    expect(await ok(['report', '--db', db, '--ndjson'])).toBe(ndjson);
    const d = tempDb('formats-nd.db');
    expect(ndjson).toBe(await ok(traceArgs(d, '--ndjson')));
    expect(ndjson.length).toBeGreaterThan(0);
    expect(await ok(['report', '--db', db, '--format', 'text'])).toBe(await ok(['report', '--db', db]));
    const store = createStore(db, { readonly: true });
    try {
      const full = assembleReport(store, undefined);
      expect(await ok(['report', '--db', db, '--format', 'md'])).toBe(renderMarkdown(full));
      const stamp = (s: string): string => s.replace(/<th>generated<\/th><td[^>]*>[^<]*</, '<th>generated</th><td><');
      expect(stamp(await ok(['report', '--db', db, '--format', 'html']))).toBe(stamp(renderHtml(full)));
    } finally {
      store.close();
    }
  });

  it('export: every graph format ≡ writeGraph of the run\'s graph, to stdout and to -o alike; gexf is the default', async () => {
    const store = createStore(db, { readonly: true });
    const graph = (() => {
      try {
        return reportGraph(assembleReport(store, undefined));
      } finally {
        store.close();
      }
    })();
    for (const f of formatsOf('export')) {
      const out = await ok(['export', '--db', db, '--format', f.name]);
      // The frontier is a table of the run, not of its graph: the same bytes as `report --format frontier`.
      expect(out, f.name).toBe(f.renders === 'graph' ? writeGraph(graph, f.name) : await ok(['report', '--db', db, '--format', f.name]));
      const file = join(dirname(db), `graph${f.extension}`);
      // -o keeps the permissions of the file it replaces.
      writeFileSync(file, 'old');
      chmodSync(file, 0o600);
      expect(await ok(['export', '--db', db, '--format', f.name, '-o', file])).toBe('');
      expect(readFileSync(file, 'utf8'), f.name).toBe(out);
      expect(statSync(file).mode & 0o777, f.name).toBe(0o600);
    }
    expect(await ok(['export', '--db', db])).toBe(await ok(['export', '--db', db, '--format', 'gexf']));
  });
});

describe('bad format choices', () => {
  it.each(COMMANDS)('%s: an unknown format is one sentence naming the valid ones, exit 2, nothing on stdout', async (command) => {
    const args =
      command === 'trace' ? [command, DEMO_EXPECTED.seed, '--rpc', 'http://127.0.0.1:9', '--db', tempDb()] : command === 'diff' ? [command, '1', '1', '--db', db] : [command, '--db', db];
    const r: Outcome = await hoptrace([...args, '--format', 'xlsx']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^hoptrace: --format "xlsx" is not a format of hoptrace ${command}: use `));
    for (const f of formatsOf(command)) expect(lines[0]).toContain(f.name);
    for (const f of FORMATS.filter((x) => !x.commands.includes(command))) {
      if (!formatsOf(command).some((g) => g.name === f.name)) expect(lines[0]).not.toMatch(new RegExp(`\\b${f.name}\\b`));
    }
  });

  it('trace -o into a missing directory is refused before the trace starts, leaving no database', async () => {
    const d = tempDb();
    const r = await hoptrace(traceArgs(d, '--json', '-o', join(dirname(d), 'no-such-dir', 'r.json')));
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^hoptrace: cannot write .*r\.json: the directory .*no-such-dir does not exist\.\n$/);
    expect(existsSync(d)).toBe(false);
  });

  it('an alias and a different --format contradict each other; --json with --ndjson as before', async () => {
    const r = await hoptrace(['report', '--db', db, '--json', '--format', 'md']);
    expect([r.code, r.stdout, r.stderr.trim()]).toEqual([2, '', 'hoptrace: --json and --format md cannot be used together.']);
    const both = await hoptrace(['report', '--db', db, '--json', '--ndjson']);
    expect([both.code, both.stderr.trim()]).toEqual([2, 'hoptrace: --json and --ndjson cannot be used together.']);
    // The same name twice is no contradiction.
    expect(await ok(['report', '--db', db, '--ndjson', '--format', 'ndjson'])).toBe(await ok(['report', '--db', db, '--ndjson']));
    // export offers neither alias.
    expect((await hoptrace(['export', '--db', db, '--json'])).code).toBe(2);
  });
});
