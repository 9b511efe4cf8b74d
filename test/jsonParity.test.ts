/**
 * Every command's `--json` holds what its text shows (issue 11 item 6): each command runs twice through
 * the built CLI, as text and as JSON, and every address, hash, amount, date, number, entity and source
 * the text prints is looked up in the JSON (test/helpers/parity.ts). No expected value is written here:
 * the two outputs are compared with each other. One anvil chain: a Bybit seed (data/lazarus-seeds.csv)
 * pays a fresh address, which pays Binance (labelled), a fresh address swept to Garantex's labelled hot
 * wallet (a deposit address hoptrace infers) and, in a fixture token, a fresh address the user labelled.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import { packageRoot } from '../src/util/package.js';
import { hoptrace } from './helpers/cli.js';
import { missingFromJson, shownIn } from './helpers/parity.js';
import { lazarus, tempDb, venue } from './helpers/trace.js';

const ETH = 10n ** 18n;
const SEED = lazarus('bybit', 1)[0]!;
const MULE = Wallet.createRandom().address.toLowerCase();
const DEPOSIT = Wallet.createRandom().address.toLowerCase();
const USER_VENUE = Wallet.createRandom().address.toLowerCase();
const BINANCE = venue('Binance')[0]!.address;
const GARANTEX = venue('Garantex')[0]!.address;
const SYMBOLS = ['ETH', 'native', 'FUSD'];
/** How the text tags a risk (report/text.ts riskTag). */
const RISK_TAG: Record<string, string> = { sanctioned: '[SANCTIONED]', high: '[HIGH RISK]', standard: '[standard]' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON documents, read field by field
type Json = any;

let anvil: AnvilHandle;
let textDb: string;
let jsonDb: string;
let reportFile: string;
let traceText: string;
let traceJson: Json;

/** Runs a command; it must succeed. */
async function ok(args: string[]): Promise<string> {
  const out = await hoptrace(args);
  expect(out.code, `${args.join(' ')}: ${out.stderr}`).toBe(0);
  return out.stdout;
}

/** The command as text and as JSON (`jsonArgs` added), both successful. */
async function both(args: string[], jsonArgs: string[] = ['--json']): Promise<{ text: string; json: Json }> {
  const [text, json] = await Promise.all([ok(args), ok([...args, ...jsonArgs])]);
  return { text, json: JSON.parse(json) };
}

/** Names and sources a trace or label text shows, each of which must be a JSON string (or the start of one). */
function namesShown(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/\[(?:standard|HIGH RISK|SANCTIONED)\] (.+?)(?: \(likely deposit address\))? — /g)) names.push(m[1]!);
  for (const m of text.matchAll(/^ +source +(?:hot wallet label: |user label: )?(.+)$/gm)) names.push(m[1]!.trim());
  for (const m of text.matchAll(/likely deposit address of (.+?)(?: \(|  )/g)) names.push(m[1]!);
  return names;
}

/**
 * A trace's text without what differs between two runs (the generation time, the duration, the RPC
 * endpoint's port, the calls made): each of those lines is checked to name a field the JSON holds.
 */
function stableTrace(text: string, json: Json): string {
  const generated = /^ {2}generated {2}(\S+)$/m.exec(text)!;
  expect(typeof json.generatedAt).toBe('string');
  const duration = /^ {4}duration {6}.+$/m.exec(text)!; // ms, s or min (report/text.ts formatDuration)
  expect(typeof json.stats.durationMs).toBe('number');
  const chain = /^ {2}chain {6}(\d+) \((\w+)\) via (http:\/\/127\.0\.0\.1):\d+$/m.exec(text)!;
  expect([json.chainId, json.labelChain, json.rpc.replace(/:\d+$/, '')]).toEqual([Number(chain[1]), chain[2], chain[3]]);
  const rpcLines = /^ {4}RPC calls.*\n(?: {6}\w+ +\d+\n)*/m.exec(text)![0];
  for (const m of rpcLines.matchAll(/^ {6}(\w+) +\d+$/gm)) expect(json.stats.rpcCalls.byMethod).toHaveProperty(m[1]!);
  return text.replace(generated[0], '').replace(duration[0], '').replace(chain[0], '').replace(rpcLines, '');
}

function expectParity(text: string, json: Json, symbols = SYMBOLS): void {
  expect(missingFromJson(text, json, symbols)).toEqual([]);
  for (const name of namesShown(text)) expect(shownIn(name, json), name).toBe(true);
}

beforeAll(async () => {
  anvil = await startAnvil({ genesisTimestamp: Date.parse('2025-03-01T00:00:00Z') / 1000 });
  const s = createScenario(anvil.url);
  await s.fund(SEED, 1_000n * ETH);
  const token = (await s.deploy('TestToken', ['Fixture USD', 'FUSD', 6])).address;
  await s.mintToken(token, SEED, 5_000_000n);
  await s.sendEth(SEED, MULE, 10n * ETH);
  await s.sendEth(MULE, BINANCE, 4n * ETH);
  await s.sendEth(MULE, DEPOSIT, 5n * ETH);
  await s.sendEth(DEPOSIT, GARANTEX, 5n * ETH - 10n ** 15n);
  await s.tokenTransfer(token, SEED, MULE, 2_500_000n);
  await s.tokenTransfer(token, MULE, USER_VENUE, 2_500_000n);
  await s.mine(2);
  textDb = tempDb('text.db');
  jsonDb = tempDb('json.db');
  for (const db of [textDb, jsonDb]) {
    await ok(['labels', 'add', USER_VENUE, '--entity', 'Fixture Exchange', '--category', 'exchange', '--source', 'test fixture', '--db', db]);
  }
  reportFile = join(mkdtempSync(join(tmpdir(), 'hoptrace-parity-')), 'report.json');
  // Two databases, one run each: the same chain and labels give the same hits; only times and
  // durations differ between the runs, and those are compared by field. The JSON run's database is
  // the one every other command reads.
  const args = (db: string) => ['trace', SEED, '--rpc', anvil.url, '--db', db, '--hops', '3', '--labels-chain', 'ethereum'];
  traceText = await ok(args(textDb));
  const json = await ok([...args(jsonDb), '--json']);
  writeFileSync(reportFile, json);
  traceJson = JSON.parse(json);
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('trace, report, path, verify: the JSON holds the text', () => {

  it('trace: every hit, path step, amount, label source and count of the text is in --json', () => {
    // Report schema 2: the deposit address is expanded, so Garantex (the fact) is the hit and the deposit
    // address an annotation on the step into it.
    expect(traceJson.hits.map((h: Json) => h.evidence.level)).toEqual(['label', 'label', 'label']);
    const annotated = traceJson.hits.flatMap((h: Json) => h.path).filter((s: Json) => s.toEvidence?.level === 'inferred');
    expect(new Set(annotated.map((s: Json) => s.to))).toEqual(new Set([DEPOSIT]));
    expectParity(stableTrace(traceText, traceJson), traceJson);
  });

  it('trace --ndjson: each hit block of the text is in the line of that hit', async () => {
    const lines = (await ok(['trace', SEED, '--rpc', anvil.url, '--db', textDb, '--hops', '3', '--labels-chain', 'ethereum', '--ndjson']))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    // A hit's block: from its "[risk] entity —" line to the next hit, or the rule before the Inferences
    // section (not a hit's: --json carries it as `inferences`, checked above) or before Coverage.
    const blocks = traceText.split(/\n(?= {2}\[)|\n─+\n(?:Coverage|Inferences)/).filter((b) => b.startsWith('  ['));
    expect(blocks).toHaveLength(lines.length);
    for (const block of blocks) {
      const venue = /^ {4}venue {5}(0x[0-9a-fA-F]{40})$/m.exec(block)![1]!.toLowerCase();
      const line = lines.find((l) => l.address === venue);
      expect(line, venue).toBeDefined();
      expectParity(block, line);
    }
  });

  it('demo: the text and --json of the demo trace hold the same hit, path and figures', async () => {
    const [text, json] = await Promise.all([ok(['demo', '--db', tempDb('demo-text.db')]), ok(['demo', '--db', tempDb('demo-json.db'), '--json'])]);
    expectParity(stableTrace(text, JSON.parse(json)), JSON.parse(json));
  });

  it('report: the text and the JSON of one stored run carry the same figures, attribution and manifest included', async () => {
    const { text, json } = await both(['report', '--db', jsonDb, '--format', 'text'], ['--format', 'json']);
    expect(text).toContain('Attribution');
    expectParity(text, json);
  });

  it('path: every address, transaction, amount (ETH and a token) and block the text lists is in --json', async () => {
    for (const to of [BINANCE, USER_VENUE]) {
      const { text, json } = await both(['path', SEED, to, '--db', jsonDb]);
      expect(json.paths.length).toBeGreaterThan(0);
      expectParity(text, json);
    }
  });

  it('verify: every check the text lists is in --json', async () => {
    const { text, json } = await both(['verify', reportFile, '--rpc', anvil.url]);
    expect(json.checks.length).toBeGreaterThan(0);
    expectParity(text, json);
  });
});

describe('labels: the JSON holds the text', () => {
  it('labels list --deposits: each inferred deposit address with its evidence', async () => {
    const { text, json } = await both(['labels', 'list', '--deposits', '--db', jsonDb]);
    expect(json.map((d: Json) => d.address)).toEqual([DEPOSIT]);
    expectParity(text, json);
  });

  it('labels show: a label with its sources, a seed row, an inference, a user label', async () => {
    for (const address of [BINANCE, SEED, DEPOSIT, USER_VENUE]) {
      const { text, json } = await both(['labels', 'show', address, '--db', jsonDb]);
      expectParity(text, json);
      for (const m of text.matchAll(/^ {4}(?:incident|source) +(.+)$/gm)) expect(shownIn(m[1]!.trim(), json), m[1]).toBe(true);
    }
  });

  /** `labels list`-style rows: address, chain, risk, category, entity each the JSON row's, in order; the count line from the rows. */
  function expectListParity(text: string, json: Json[]): void {
    const lines = text.trimEnd().split('\n');
    const count = /^(\d+) labels? \((\d+) bundled, (\d+) user\)$/.exec(lines.pop()!)!;
    const users = json.filter((l) => l.origin === 'user').length;
    expect(count.slice(1).map(Number)).toEqual([json.length, json.length - users, users]);
    expect(lines).toHaveLength(json.length);
    lines.forEach((line, i) => {
      const [address, chain, risk, category, entity] = line.split(/ {2,}/);
      const row = json[i];
      expect([address!.toLowerCase(), chain, risk, category], line).toEqual([row.address, row.chain, RISK_TAG[row.risk], row.category]);
      expect(shownIn(entity!, [row.entity]), line).toBe(true);
    });
    expect(missingFromJson(lines.join('\n'), json)).toEqual([]);
  }

  it('labels list (all, --user, --category) and labels search: every row and the count line', async () => {
    for (const args of [['labels', 'list'], ['labels', 'list', '--user'], ['labels', 'list', '--category', 'mixer'], ['labels', 'search', 'garantex']]) {
      const { text, json } = await both([...args, '--db', jsonDb]);
      expect(json.length, args.join(' ')).toBeGreaterThan(0);
      expectListParity(text, json);
    }
  });
});

describe('labels add, remove, import, export: the JSON holds the text', () => {
  /** The same command on two fresh databases (it writes), as text and as JSON; `setup` runs on each first. */
  async function twice(args: (db: string) => string[], setup: (db: string) => Promise<unknown> = async () => {}): Promise<{ text: string; json: Json }> {
    const [a, b] = [tempDb('a.db'), tempDb('b.db')];
    await Promise.all([setup(a), setup(b)]);
    const [text, json] = await Promise.all([ok(args(a)), ok([...args(b), '--json'])]);
    return { text, json: JSON.parse(json) };
  }
  const add = (db: string) => ['labels', 'add', USER_VENUE, '--entity', 'Fixture OTC', '--category', 'otc', '--source', 'test fixture 2', '--listed', '2024-05-01', '--db', db];

  it('labels add --json: the label as stored, and whether it was added or updated', async () => {
    for (const setup of [undefined, (db: string) => ok([...add(db).slice(0, 3), '--entity', 'Fixture OTC', '--category', 'exchange', '--source', 'older', '--db', db])]) {
      const { text, json } = await twice(add, setup);
      expect(text.split(' ')[0]).toBe(json.action);
      expectParity(text, json);
      for (const word of ['Fixture OTC', 'otc', json.label.risk, json.label.chain]) expect(text).toContain(word);
    }
  });

  it('labels remove --json: how many were removed, of which address', async () => {
    const { text, json } = await twice((db) => ['labels', 'remove', USER_VENUE, '--db', db], (db) => ok(add(db)));
    expect(json).toMatchObject({ address: USER_VENUE, chain: null });
    expectParity(text, json);
  });

  it('labels import --json: the counts, the format and what was skipped and why', async () => {
    const tagpack = join(packageRoot(), 'test', 'fixtures', 'venues.tagpack.yaml');
    const { text, json } = await twice((db) => ['labels', 'import', tagpack, '--db', db]);
    expect(Object.keys(json.skipped).length).toBeGreaterThan(0);
    expectParity(text, json);
    for (const reason of Object.keys(json.skipped)) expect(text).toContain(`${json.skipped[reason]} ${reason}`);
  });

  it('labels export: every CSV cell is in the JSON row of the same place', async () => {
    for (const extra of [[], ['--all']]) {
      const { text, json } = await both(['labels', 'export', ...extra, '--db', jsonDb], ['--format', 'json']);
      const rows = parseCsv(text, { columns: true }) as Record<string, string>[];
      expect(rows).toHaveLength(json.length);
      rows.forEach((row, i) => {
        for (const [column, cell] of Object.entries(row)) expect(json[i][column] ?? '', `${i} ${column}`).toBe(cell);
      });
    }
  });
});

describe('seeds: the JSON holds the text, addresses included', () => {
  /** Incident headings, tiers, chains, sources and seed rows of `hoptrace seeds` against its JSON. */
  function expectSeedsParity(text: string, json: Json[]): void {
    const lines = text.trimEnd().split('\n');
    const total = /^(\d+) seeds? in (\d+) incidents?$/.exec(lines.pop()!)!;
    expect([Number(total[1]), Number(total[2])]).toEqual([json.reduce((n, g) => n + g.count, 0), json.length]);
    let group: Json = null;
    for (const line of lines) {
      const heading = /^(\S+) {2}(\d+) seeds? {2}(.*)$/.exec(line);
      if (heading) {
        group = json.find((g) => g.slug === heading[1]);
        expect(group, line).toBeDefined();
        expect([group.count, shownIn(heading[3]!, [group.incident])], line).toEqual([Number(heading[2]), true]);
        continue;
      }
      const counts = /^ {2}(tiers|chains) {3,4}(.*)$/.exec(line);
      if (counts) {
        const shown = Object.fromEntries(counts[2]!.split(', ').map((p) => [p.slice(0, p.lastIndexOf(' ')), Number(p.slice(p.lastIndexOf(' ') + 1))]));
        expect(shown, line).toEqual(group[counts[1]!]);
        continue;
      }
      const source = /^ {2}(?:sources| {7}) {2}(\d+)× (.*)$/.exec(line);
      if (source) {
        expect(group.sources.some((s: Json) => s.seeds === Number(source[1]) && shownIn(source[2]!, [s.source])), line).toBe(true);
        continue;
      }
      const seed = /^ {4}(0x[0-9a-fA-F]{40}) {2}(\S+) +(\S+) +(.*)$/.exec(line);
      if (seed) {
        const row = group.addresses.find((a: Json) => a.address === seed[1]!.toLowerCase());
        expect(row, line).toBeDefined();
        expect([row.chain, row.tier ?? 'no tier', shownIn(seed[4]!, [row.label])], line).toEqual([seed[2], seed[3], true]);
        continue;
      }
      expect(line === '' || /^ +… \d+ more sources \(--json lists all\)$/.test(line), line).toBe(true);
    }
  }

  it('seeds --json: every incident with its addresses (jq -r \'.[].addresses[].address\'), counts and sources', async () => {
    const { text, json } = await both(['seeds']);
    expectSeedsParity(text, json);
    // The text lists no address without --incident; the JSON always does, one row per seed counted.
    for (const g of json) expect(g.addresses).toHaveLength(g.count);
  });

  it('seeds --incident, --tier and --chain: the addresses the text lists are the JSON\'s', async () => {
    for (const args of [['seeds', '--incident', 'bybit'], ['seeds', '--incident', 'bybit', '--tier', 'official', '--chain', 'ethereum'], ['seeds', '--chain', 'bsc']]) {
      const { text, json } = await both(args);
      expect(json.length, args.join(' ')).toBeGreaterThan(0);
      expectSeedsParity(text, json);
      if (args.includes('--incident')) {
        const shown = [...text.matchAll(/^ {4}(0x[0-9a-fA-F]{40})/gm)].map((m) => m[1]!.toLowerCase());
        expect(shown).toEqual(json.flatMap((g: Json) => g.addresses.map((a: Json) => a.address)));
      }
    }
  });
});
