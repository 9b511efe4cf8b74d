/**
 * `hoptrace diff` (issue 17 item 6): two traces of one case on anvil, with a movement mined between them
 * (more to Binance, a first payment to Kraken) and a user label added (the inferred deposit address
 * becomes a labelled one); then what the diff says of them, through the built CLI (run `npm run build`
 * first): new hits with their cause, the evidence change, amounts that grew, new movements; text and JSON
 * of one diff hold the same figures; the JSON validates against schema/run-diff.schema.json; stored runs
 * and report files give the same diff; refusals are one sentence and exit 2; `--exit-code` is 3 exactly
 * when something changed; the README's cron lines run as written. Pure tests of report/diff.ts on the
 * stored runs' reports, changed by hand, cover what the chain cannot show cheaply (coverage, a gone hit).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020.js';
import Database from 'better-sqlite3';
import addFormatsModule from 'ajv-formats';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario, type Scenario } from '../src/devchain/scenario.js';
import { comparability, diffRuns, diffSide, type DiffSide, type RunDiffJson } from '../src/report/diff.js';
import { renderDiffText } from '../src/report/formats/diffText.js';
import { packageRoot } from '../src/util/package.js';
import { BIN, hoptrace, succeeds } from './helpers/cli.js';
import { missingFromJson } from './helpers/parity.js';
import { lazarus, tempDb, venue } from './helpers/trace.js';

const ETH = 10n ** 18n;
const SEED = lazarus('bybit', 1)[0]!;
const OTHER_SEED = lazarus('bybit', 1, 1)[0]!;
const MULE = Wallet.createRandom().address.toLowerCase();
const DEPOSIT = Wallet.createRandom().address.toLowerCase();
const BINANCE = venue('Binance')[0]!.address;
const KRAKEN = venue('Kraken')[0]!.address;
const GARANTEX = venue('Garantex')[0]!.address;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON documents, read field by field
type Json = any;

let anvil: AnvilHandle;
let s: Scenario;
let db: string;
let dir: string;
/** The last block run 1 read. */
let endOfRun1: number;

const ok = (args: string[]): Promise<string> => succeeds(args);

const traceArgs = (...extra: string[]): string[] => ['trace', SEED, '--rpc', anvil.url, '--db', db, '--hops', '2', '--labels-chain', 'ethereum', '-q', ...extra];

function validator(): (doc: unknown) => void {
  const ajv = new Ajv2020.default({ strict: false });
  addFormatsModule.default(ajv);
  for (const f of ['trace-report.schema.json', 'run-diff.schema.json']) ajv.addSchema(JSON.parse(readFileSync(join(packageRoot(), 'schema', f), 'utf8')) as object);
  const validate = ajv.getSchema('https://hoptrace.dev/schema/run-diff/v1.json')!;
  return (doc) => expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
}

beforeAll(async () => {
  anvil = await startAnvil({ genesisTimestamp: Date.parse('2025-03-01T00:00:00Z') / 1000 });
  s = createScenario(anvil.url);
  db = tempDb('diff.db');
  dir = mkdtempSync(join(tmpdir(), 'hoptrace-diff-'));
  await s.fund(SEED, 1_000n * ETH);
  await s.sendEth(SEED, MULE, 20n * ETH);
  await s.sendEth(MULE, BINANCE, 4n * ETH);
  // A fresh address swept to Garantex's hot wallet: at the last hop (--hops 2) an inferred deposit address.
  await s.sendEth(MULE, DEPOSIT, 5n * ETH);
  await s.sendEth(DEPOSIT, GARANTEX, 5n * ETH - 10n ** 15n);
  await s.mine(2);
  // Run 1, then the news: more to Binance, a first payment to Kraken; and a user label on the deposit address.
  writeFileSync(join(dir, 'trace1.json'), await ok(traceArgs('--json')));
  endOfRun1 = JSON.parse(readFileSync(join(dir, 'trace1.json'), 'utf8')).params.toBlock;
  await s.mine(3, 3600);
  await s.sendEth(MULE, BINANCE, 2n * ETH);
  await s.sendEth(MULE, KRAKEN, 3n * ETH);
  await s.mine(2);
  await ok(['labels', 'add', DEPOSIT, '--entity', 'Fixture Exchange', '--category', 'exchange', '--source', 'test fixture', '--db', db]);
  // Run 2 sees all that; run 3 follows at once (nothing new); run 4 is another case (another seed).
  writeFileSync(join(dir, 'trace2.json'), await ok(traceArgs('--json')));
  await ok(traceArgs('--json'));
  await s.fund(OTHER_SEED, 10n * ETH);
  await ok(['trace', OTHER_SEED, '--rpc', anvil.url, '--db', db, '--hops', '2', '--labels-chain', 'ethereum', '-q', '--json']);
  for (const run of [1, 2]) await ok(['report', '--db', db, '--run', String(run), '--format', 'json', '-o', join(dir, `report${run}.json`)]);
}, 180_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('hoptrace diff on two traces of one case', () => {
  let diff: Json;
  let text: string;
  beforeAll(async () => {
    [text, diff] = await Promise.all([ok(['diff', '1', '2', '--db', db]), ok(['diff', '1', '2', '--db', db, '--json']).then((j) => JSON.parse(j) as Json)]);
  });

  it('names the new venue as news, with its first arrival after run 1, and the movement that made it', () => {
    validator()(diff);
    expect(diff.changed).toBe(true);
    const kraken = diff.hits.new.find((h: Json) => h.address === KRAKEN);
    expect(kraken).toMatchObject({ cause: 'new-activity', seed: SEED, hops: 2, evidence: { level: 'label' } });
    expect(kraken.firstBlock).toBeGreaterThan(endOfRun1);
    expect(typeof kraken.firstSeen).toBe('number');
    expect(diff.summary.newHitsFromNewActivity).toBeGreaterThanOrEqual(1);
    // The two movements mined between the runs are new, after run 1; nothing of run 1 is gone.
    const since = diff.edges.newListed.filter((e: Json) => e.afterA).map((e: Json) => [e.to, e.amount]);
    expect(since).toEqual(expect.arrayContaining([[BINANCE, (2n * ETH).toString()], [KRAKEN, (3n * ETH).toString()]]));
    expect(diff.edges).toMatchObject({ from: 'graph', gone: 0 });
    expect(diff.addresses.newListed.map((a: Json) => a.address)).toContain(KRAKEN);
  });

  it('shows the inferred deposit address now labelled as an evidence change of its own, not a new and a gone hit', () => {
    const change = diff.hits.evidenceChanged.filter((e: Json) => e.address === DEPOSIT);
    expect(change.map((e: Json) => [e.from.level, e.to.level])).toEqual([['inferred', 'label']]);
    expect([...diff.hits.new, ...diff.hits.gone].map((h: Json) => h.address)).not.toContain(DEPOSIT);
    expect(diff.coverage.labels.b.userLabels).toBe(diff.coverage.labels.a.userLabels + 1);
  });

  it('gives the amounts per venue that grew, traced (fact) and under each taint model, in base units with the asset', () => {
    expect(diff.amounts.measures).toEqual(['traced', 'poison', 'haircut', 'fifo']);
    const binance = diff.amounts.changes.filter((c: Json) => c.address === BINANCE);
    expect(binance.map((c: Json) => c.measure).sort()).toEqual(['fifo', 'haircut', 'poison', 'traced']);
    for (const c of binance) {
      expect([c.asset, c.grew, BigInt(c.b) - BigInt(c.a)], c.measure).toEqual(['native', true, 2n * ETH]);
      expect([c.direction, c.basis]).toEqual(['out', c.measure === 'traced' ? 'fact' : 'model']);
    }
    expect(text).toMatch(/received \(fact: the traced transfers into it, summed\): 4 ETH → 6 ETH \(grew by 2 ETH\)/);
  });

  it('text and JSON of one diff hold the same hits, amounts, movements, blocks and times', () => {
    expect(missingFromJson(text, diff)).toEqual([]);
    for (const h of diff.hits.new) expect(text.toLowerCase()).toContain(h.address);
    expect(text).toContain('why new   NEWS, funds moved since A — the path to it uses block');
  });

  it('gives the same diff from the two runs\' report files as from the stored runs', async () => {
    const files = JSON.parse(await ok(['diff', join(dir, 'report1.json'), join(dir, 'report2.json'), '--json'])) as Json;
    validator()(files);
    // The one difference: a diff of stored runs says their attributions were computed now.
    expect(diff.notes.filter((n: string) => !files.notes.includes(n))).toEqual([expect.stringMatching(/^The attributions of stored runs are computed now/)]);
    const strip = (d: Json): Json => ({ ...d, notes: files.notes, a: { ...d.a, source: null, name: null }, b: { ...d.b, source: null, name: null }, hits: JSON.parse(JSON.stringify(d.hits).replaceAll(/run \d|file [^ ,"]+\.json/g, 'X')) });
    expect(strip(files)).toEqual(strip(diff));
    expect([files.a.run, files.b.run]).toEqual([1, 2]);
  });

  it('compares trace --json files on what they carry: traced amounts and the hits\' paths, and says so', async () => {
    const d = JSON.parse(await ok(['diff', join(dir, 'trace1.json'), join(dir, 'trace2.json'), '--json'])) as Json;
    validator()(d);
    expect(d.amounts.measures).toEqual(['traced']);
    expect(d.edges.from).toBe('paths');
    expect(d.hits.new.map((h: Json) => h.address)).toContain(KRAKEN);
    expect(d.notes.join(' ')).toMatch(/no attribution/);
  });

  it('says "no changes" for two runs of one head, and --exit-code gives 0 then, 3 when something changed', async () => {
    const same = await hoptrace(['diff', '2', '3', '--db', db, '--exit-code']);
    expect([same.code, same.stdout]).toEqual([0, expect.stringContaining('No changes')]);
    const changed = await hoptrace(['diff', '1', '2', '--db', db, '--exit-code', '--json']);
    expect(changed.code).toBe(3);
    expect(JSON.parse(changed.stdout).changed).toBe(true);
    // Without the option a change is no failure.
    expect((await hoptrace(['diff', '1', '2', '--db', db])).code).toBe(0);
  });

  it('renders Markdown from the same sections', async () => {
    const md = await ok(['diff', '1', '2', '--db', db, '--format', 'md']);
    expect(md).toMatch(/^# hoptrace diff/);
    expect(md).toContain('## New hits');
    expect(missingFromJson(md.replace(/\\/g, ''), diff)).toEqual([]);
  });
});

describe('hoptrace diff refuses what it cannot compare: one sentence, exit 2', () => {
  const refused = async (args: string[], pattern: RegExp): Promise<void> => {
    const r = await hoptrace(args);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };
  it('runs of different seeds, unless --force, which says so in the diff', async () => {
    await refused(['diff', '2', '4', '--db', db], /^hoptrace: run 2 and run 4 are not runs of one case: seeds differ \(1 only in run 2, 1 only in run 4\)\.\n {2}hint: compare them anyway with --force\n$/);
    const forced = JSON.parse(await ok(['diff', '2', '4', '--db', db, '--force', '--json'])) as Json;
    expect(forced.forced).toEqual(['seeds differ (1 only in run 2, 1 only in run 4)']);
    expect(forced.notes.join(' ')).toMatch(/--force/);
  });
  it('an unknown run, a missing or unreadable file, a file that is no report', async () => {
    await refused(['diff', '1', '99', '--db', db], /holds no trace run 99\./);
    await refused(['diff', '1', '2', '--db', join(dir, 'none.db')], /database .* does not exist\./);
    await refused(['diff', join(dir, 'missing.json'), '2', '--db', db], /is neither a run id nor an existing report file\./);
    writeFileSync(join(dir, 'bad.json'), '{"hits": [');
    await refused(['diff', join(dir, 'bad.json'), '2', '--db', db], /is not JSON/);
    writeFileSync(join(dir, 'other.json'), '{"schemaVersion": 2, "chainId": 1, "hits": []}');
    await refused(['diff', join(dir, 'other.json'), '2', '--db', db], /is not a hoptrace JSON report: no params/);
    await refused(['diff', dir, '2', '--db', db], /cannot be read \(EISDIR\)/);
  });
});

describe("the README's cron lines", () => {
  it('run as written: a mail body only when something changed, and the news listed by jq', async () => {
    const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
    const block = /## What changed since yesterday[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    const script = block.split('\n').filter((l) => !l.startsWith('#') && !l.startsWith('0 ') && l.trim() !== '').join('\n');
    // `hoptrace` on the PATH is the built CLI; `mail` writes its body to a file.
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'hoptrace'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
    writeFileSync(join(bin, 'mail'), `#!/bin/sh\ncat > "${join(dir, 'mail.txt')}"\necho "$@" > "${join(dir, 'mail.args')}"\n`, { mode: 0o755 });
    const run = (caseDb: string) =>
      promisify(execFile)('bash', ['-c', script], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, CASE_DB: caseDb, NO_COLOR: '1' }, cwd: dir }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    // The database's last two runs are 3 and 4 (another case): the script compares the two latest.
    const twoRuns = tempDb('cron.db');
    writeFileSync(twoRuns, readFileSync(db));
    const r = await run(twoRuns);
    expect(r.stderr).toMatch(/not runs of one case/);
    expect(r.code).toBe(2);
    // A database whose last two runs are 1 and 2: news, mailed.
    const news = tempDb('cron2.db');
    writeFileSync(news, readFileSync(db));
    const h = new Database(news);
    h.prepare('DELETE FROM trace_run_edges WHERE run_id > 2').run();
    h.prepare('DELETE FROM trace_runs WHERE id > 2').run();
    h.close();
    const r2 = await run(news);
    expect(r2.code, r2.stderr).toBe(0);
    const body = readFileSync(join(dir, 'mail.txt'), 'utf8');
    expect(body).toContain(KRAKEN);
    expect(body).toMatch(/new-activity/);
  });
});

describe('report/diff.ts on the stored runs, changed by hand', () => {
  const side = (file: string, name: string, change: (d: Json) => void = () => {}): DiffSide => {
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Json;
    change(doc);
    return diffSide(doc, name, 'file', null);
  };

  it('a diff of a run with itself is empty', () => {
    const a = side('report2.json', 'A');
    const d: RunDiffJson = diffRuns(a, side('report2.json', 'B'), { limit: 20 });
    expect(d.changed).toBe(false);
    expect(Object.values(d.summary).every((n) => n === 0)).toBe(true);
  });

  it('a hit the earlier run missed in its own blocks while it saw less is better coverage, not news', () => {
    const a = side('report2.json', 'A', (doc) => {
      doc.hits = doc.hits.filter((h: Json) => h.address !== BINANCE);
      doc.coverage.warnings.push('internal transfers were not read');
    });
    const d = diffRuns(a, side('report2.json', 'B'), { limit: 20 });
    const binance = d.hits.new.filter((h) => h.address === BINANCE);
    expect(binance.map((h) => h.cause)).toEqual(['coverage']);
    expect(d.summary.newHitsFromNewActivity).toBe(0);
    expect(d.coverage.warningsOnlyInA).toEqual(['internal transfers were not read']);
    // With the same coverage and nothing else different, it is unexplained; with more hops, the parameters.
    expect(diffRuns(side('report2.json', 'A', (doc) => (doc.hits = doc.hits.filter((h: Json) => h.address !== BINANCE))), side('report2.json', 'B'), { limit: 20 }).hits.new[0]!.cause).toBe('unexplained');
    const hops = diffRuns(side('report2.json', 'A', (doc) => ((doc.hits = doc.hits.filter((h: Json) => h.address !== BINANCE)), (doc.params.hops = 1))), side('report2.json', 'B'), { limit: 20 });
    expect([hops.hits.new[0]!.cause, hops.coverage.params]).toEqual(['parameters', [{ name: 'hops', a: 1, b: 2 }]]);
    // A label added between the runs (run 2 has one user label more than run 1): the labels, before parameters or coverage.
    const labels = diffRuns(side('report2.json', 'A', (doc) => ((doc.hits = doc.hits.filter((h: Json) => h.address !== BINANCE)), (doc.labels.userLabels -= 1), doc.coverage.warnings.push('x'))), side('report2.json', 'B'), { limit: 20 });
    expect(labels.hits.new.map((h) => [h.address, h.cause])).toEqual([[BINANCE, 'labels']]);
  });

  it('a hit only the earlier run has is gone; a new conflict is an evidence change; --limit cuts lists, not counts', () => {
    const d = diffRuns(side('report1.json', 'A'), side('report2.json', 'B', (doc) => {
      doc.hits = doc.hits.filter((h: Json) => h.address !== BINANCE);
      const g = doc.hits.find((h: Json) => h.address === DEPOSIT);
      g.evidence = { ...g.evidence, level: 'conflict', conflict: 'the seed list says otherwise' };
    }), { limit: 1 });
    expect(d.hits.gone.map((h) => h.address)).toEqual([BINANCE]);
    expect(d.hits.evidenceChanged.map((e) => [e.address, e.to.level])).toEqual([[DEPOSIT, 'conflict']]);
    expect(d.edges.newListed).toHaveLength(1);
    expect(d.edges.new).toBeGreaterThan(1);
  });

  it('an older report without its label data: no hit is put down to labels, and the notes say why', () => {
    const a = side('report2.json', 'A', (doc) => {
      doc.hits = doc.hits.filter((h: Json) => h.address !== BINANCE);
      delete doc.labels;
      doc.coverage.warnings.push('the head moved during the trace');
    });
    const d = diffRuns(a, side('report2.json', 'B', (doc) => (doc.labels.userLabels += 5)), { limit: 20 });
    expect(d.hits.new.map((h) => h.cause)).toEqual(['coverage']);
    expect(d.coverage.labels).toBeNull();
    expect(d.notes.join(' ')).toMatch(/A did not record its label data/);
    // A file of another tool, or a trace cut short, is one sentence.
    expect(() => side('report2.json', 'X', (doc) => delete doc.params)).toThrow(/^X is not a hoptrace JSON report: no params/);
    expect(() => side('report2.json', 'X', (doc) => (doc.attribution.venues[0].amounts.haircut = { native: 1.5 }))).toThrow(/^X is not a hoptrace JSON report: attribution\.venues\[0\]\.amounts\.haircut is malformed\.$/);
    expect(() => side('report2.json', 'X', (doc) => delete doc.hits[0].firstBlock)).toThrow(/^X is not a hoptrace JSON report: hits\[0\] is malformed\.$/);
    expect(() => side('report2.json', 'X', (doc) => delete doc.graph.edges[1].txHash)).toThrow(/^X is not a hoptrace JSON report: graph\.edges\[1\] is malformed\.$/);
  });

  it('a backward trace: the traced figures are what left each venue toward the seeds, and the text says "sent"', () => {
    const backward = (doc: Json): void => {
      doc.params.direction = 'in';
      for (const h of doc.hits) h.direction = 'in';
      delete doc.attribution;
    };
    const d = diffRuns(side('report1.json', 'A', backward), side('report2.json', 'B', backward), { limit: 20 });
    const binance = d.amounts.changes.filter((c) => c.address === BINANCE);
    expect(binance.map((c) => [c.direction, c.measure, c.grew])).toEqual([['in', 'traced', true]]);
    expect(renderDiffText(d, { color: false })).toMatch(/Binance 0x[0-9a-fA-F]{40} \(backward: funds from it\)\n {4}sent \(fact: the traced transfers out of it toward the seeds, summed\): 4 ETH → 6 ETH/);
  });

  it('comparability names what differs', () => {
    const a = side('report1.json', 'A');
    const b = side('report1.json', 'B', (doc) => ((doc.chainId = 10), (doc.params.direction = 'in')));
    expect(comparability(a, b)).toEqual(['chains differ (31337 and 10)', 'directions differ (out and in)']);
  });
});
