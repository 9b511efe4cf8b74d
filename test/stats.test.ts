/**
 * `hoptrace stats` and `--price-table` through the built CLI, on a real trace against anvil: the text and
 * the JSON show the same figures; the credits are the calls the run recorded, priced in the table's own
 * rows (compared with each other, nothing written down); a bad table is one sentence and exit 2.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import { DEFAULT_PRICE_TABLE } from '../src/rpc/priceFile.js';
import { packageRoot } from '../src/util/package.js';
import { hoptrace } from './helpers/cli.js';
import { missingFromJson } from './helpers/parity.js';
import { tempDb } from './helpers/trace.js';

const ETH = 10n ** 18n;
const SEED = Wallet.createRandom().address.toLowerCase();
const MULE = Wallet.createRandom().address.toLowerCase();
const SINK = Wallet.createRandom().address.toLowerCase();

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON documents, read field by field
type Json = any;

const bundled = JSON.parse(readFileSync(join(packageRoot(), 'data', 'price-tables', DEFAULT_PRICE_TABLE), 'utf8')) as {
  provider: string;
  methods: Record<string, { credits: number }>;
};

let anvil: AnvilHandle;
let db: string;
let dir: string;
let traced: Json;
let traceStderr: string;

async function ok(args: string[]): Promise<string> {
  const out = await hoptrace(args);
  expect(out.code, `${args.join(' ')}: ${out.stderr}`).toBe(0);
  return out.stdout;
}

beforeAll(async () => {
  anvil = await startAnvil();
  const s = createScenario(anvil.url);
  await s.fund(SEED, 100n * ETH);
  await s.sendEth(SEED, MULE, 10n * ETH);
  await s.sendEth(MULE, SINK, 4n * ETH);
  await s.mine(2);
  db = tempDb('stats.db');
  dir = mkdtempSync(join(tmpdir(), 'hoptrace-price-'));
  const out = await hoptrace(['trace', SEED, '--rpc', anvil.url, '--db', db, '--hops', '3', '--json', '--price-table', join(packageRoot(), 'data', 'price-tables', DEFAULT_PRICE_TABLE)]);
  expect(out.code, out.stderr).toBe(0);
  traced = JSON.parse(out.stdout);
  traceStderr = out.stderr;
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('hoptrace stats', () => {
  it('the text and --json show the same figures', async () => {
    const [text, json] = await Promise.all([ok(['stats', '--db', db]), ok(['stats', '--db', db, '--json'])]);
    const doc = JSON.parse(json);
    expect(missingFromJson(text, doc)).toEqual([]);
    // Every method line of the text is a method of the JSON, priced or unpriced.
    const rows = [...text.matchAll(/^ {2}(\w+) +([\d,]+) +(\S+)(?: +(\S+))?$/gm)].filter((m) => m[1] !== 'method' && m[1] !== 'total');
    const named = [...doc.methods.map((m: Json) => m.method), ...doc.unpriced.map((u: Json) => u.method)];
    expect(rows.map((m) => m[1]).sort()).toEqual([...named].sort());
    for (const [, method, calls] of rows) {
      const m = [...doc.methods, ...doc.unpriced].find((x: Json) => x.method === method);
      expect(Number(calls!.replace(/,/g, '')), method).toBe(m.calls);
    }
    expect(text).toContain(doc.table.provider);
    expect(text).toContain(doc.table.source);
    expect(text).toContain(doc.table.read);
    // A price read on another page than the table's names it, in both.
    const elsewhere = [...text.matchAll(/^(\w+): price from (\S+)$/gm)].map((m) => ({ method: m[1], source: m[2] }));
    expect(elsewhere.length).toBeGreaterThan(0); // anvil serves trace_*: priced from their own pages
    expect(elsewhere).toEqual(doc.methods.filter((m: Json) => m.source !== doc.table.source).map((m: Json) => ({ method: m.method, source: m.source })));
    const total = /^ {2}total +([\d,]+) +([\d,]+)$/m.exec(text)!;
    expect([Number(total[1]!.replace(/,/g, '')), Number(total[2]!.replace(/,/g, ''))]).toEqual([doc.calls, doc.credits]);
  });

  it('prices exactly the calls the run made, at the table\'s rows', async () => {
    const doc = JSON.parse(await ok(['stats', '--db', db, '--json']));
    const byMethod: Record<string, number> = traced.stats.rpcCalls.byMethod;
    expect(doc.calls).toBe(traced.stats.rpcCalls.total);
    expect(doc.run.createdAt).toBe(traced.generatedAt);
    const expected = Object.entries(byMethod).reduce((s, [m, n]) => s + n * (bundled.methods[m]?.credits ?? 0), 0);
    expect(doc.credits).toBe(expected);
    expect(doc.credits).toBe(doc.methods.reduce((s: number, m: Json) => s + m.total, 0));
    for (const m of doc.methods) expect(m.calls).toBe(byMethod[m.method]);
    expect(doc.unpriced).toEqual(Object.keys(byMethod).filter((m) => bundled.methods[m] === undefined).map((m) => ({ method: m, calls: byMethod[m] })));
    // The trace's own summary line, asked for with --price-table, says the same total.
    expect(traceStderr).toContain(`${doc.calls} RPC calls priced at ${doc.credits.toLocaleString('en-US')} compute units (${bundled.provider}`);
  });

  it('--price-table: another table prices what it knows; the rest is counted, not priced', async () => {
    const byMethod: Record<string, number> = traced.stats.rpcCalls.byMethod;
    const [first, ...rest] = Object.keys(byMethod);
    const file = join(dir, 'one.csv');
    writeFileSync(file, `method,credits\n${first},3\n`);
    const doc = JSON.parse(await ok(['stats', '--db', db, '--json', '--price-table', file]));
    expect(doc.table.provider).toBe('one.csv');
    expect(doc.credits).toBe(3 * byMethod[first!]!);
    expect(doc.unpriced.map((u: Json) => u.method).sort()).toEqual(rest.sort());
    expect(doc.unpricedCalls).toBe(doc.calls - byMethod[first!]!);
    const text = await ok(['stats', '--db', db, '--price-table', file]);
    expect(text).toContain(`${doc.unpricedCalls} calls of ${rest.length} methods the table does not price`);
    expect(missingFromJson(text, doc)).toEqual([]);
  });

  it('--run picks a run; a run or database that is not there is one sentence', async () => {
    const doc = JSON.parse(await ok(['stats', '--db', db, '--run', '1', '--json']));
    expect(doc.run.id).toBe(1);
    const none = await hoptrace(['stats', '--db', db, '--run', '99']);
    expect(none.code).toBe(2);
    const missing = await hoptrace(['stats', '--db', join(dir, 'nothing.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^hoptrace: database .*nothing\.db does not exist\./);
    expect(existsSync(join(dir, 'nothing.db'))).toBe(false);
  });
});

describe('--price-table: a bad file is one sentence and exit 2, before anything is opened', () => {
  const bad: [string, string, RegExp][] = [
    ['missing.json', '', /cannot be read: no such file\./],
    ['words.txt', 'these are not prices\n', /is not JSON, nor CSV with a method,credits header\./],
    ['negative.csv', 'method,credits\neth_getLogs,-60\n', /credits of "eth_getLogs" are negative/],
    ['text.json', '{"methods": {"eth_getLogs": "sixty"}}', /credits of "eth_getLogs" are not a number/],
    ['shape.json', '{"eth_getLogs": 60}', /has no "methods" object/],
  ];

  it.each(bad)('%s', async (name, content, sentence) => {
    const file = join(dir, name);
    if (content !== '') writeFileSync(file, content);
    const fresh = join(dir, `fresh-${name}.db`);
    for (const args of [
      ['trace', SEED, '--rpc', anvil.url, '--db', fresh, '--price-table', file],
      ['stats', '--db', db, '--price-table', file],
    ]) {
      const out = await hoptrace(args);
      expect(out.code, args[0]).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr).toMatch(sentence);
      expect(out.stderr).toMatch(/^hoptrace: price table /);
      expect(out.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(existsSync(fresh)).toBe(false);
  });
});
