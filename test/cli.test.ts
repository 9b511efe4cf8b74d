/**
 * The `hoptrace` binary as a user runs it (built dist/, a child process): bad input gives one sentence
 * on stderr and exit 2, never a stack trace, and nothing stored is lost; `--json` output follows the
 * published schema; secrets in the RPC URL are never printed.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import { createStore } from '../src/store/store.js';
import { packageRoot } from '../src/util/package.js';
import { hoptrace } from './helpers/cli.js';
import { lazarus, tempDb, venue } from './helpers/trace.js';

const ETH = 10n ** 18n;

const [seed, mule] = lazarus('ronin', 2) as [string, string];
const garantex = venue('Garantex')[0]!.address;
let anvil: AnvilHandle;
let otherChain: AnvilHandle;
let db: string;

beforeAll(async () => {
  [anvil, otherChain] = await Promise.all([startAnvil(), startAnvil({ chainId: 1 })]);
  const s = createScenario(anvil.url);
  await s.fund(seed, 100n * ETH);
  await s.fund(mule, 1n * ETH);
  await s.sendEth(seed, mule, 40n * ETH);
  await s.sendEth(mule, garantex, 30n * ETH);
  await s.mine(70);
  db = tempDb();
}, 60_000);

afterAll(async () => {
  await Promise.all([anvil?.stop(), otherChain?.stop()]);
});

describe('hoptrace trace', () => {
  it('prints a report with the sanctioned hit, and a JSON document that follows the schema', async () => {
    const text = await hoptrace(['trace', seed, '--rpc', anvil.url, '--db', db, '--labels-chain', 'ethereum']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('SANCTIONED');
    expect(text.stdout).toContain('Garantex');
    expect(text.stdout).not.toContain('\u001b');

    const json = await hoptrace(['trace', seed, '--rpc', anvil.url, '--db', db, '--labels-chain', 'ethereum', '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      hits: { kind: string; address: string; risk: string; path: { amount: string }[]; evidence: { level: string } }[];
      manifest: { run: { id: number }; rpc: string[]; seeds: string[]; labels: { sha256: string }; blockRange: { toBlock: number } };
    };
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schema', 'trace-report.schema.json'), 'utf8')) as object;
    const ajv = new Ajv2020.default({ strict: false });
    addFormatsModule.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.hits.filter((h) => h.kind === 'venue').map((h) => [h.address, h.risk, h.path.map((st) => st.amount)])).toEqual([
      [garantex, 'sanctioned', [(40n * ETH).toString(), (30n * ETH).toString()]],
    ]);
    // Since report schema 2: the mule is itself on the bundled seed list (a Ronin address), so reaching
    // it is a known-perpetrator hit of its own (the trace follows on through it to Garantex).
    expect(doc.hits.filter((h) => h.kind === 'known-perpetrator').map((h) => [h.address, h.evidence.level])).toEqual([[mule.toLowerCase(), 'label']]);

    // The report carries its manifest: the run it is recorded as (the second run in this database), the
    // endpoint, the seeds, the label data's full hash, the block range.
    expect(doc.manifest.run.id).toBe(2);
    expect(doc.manifest.rpc).toEqual([anvil.url.replace(/\/$/, '')]);
    expect(doc.manifest.seeds).toEqual([seed.toLowerCase()]);
    expect(doc.manifest.labels.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.manifest.blockRange.toBlock).toBeGreaterThan(0);

    const nd = await hoptrace(['trace', seed, '--rpc', anvil.url, '--db', db, '--labels-chain', 'ethereum', '--ndjson']);
    // NDJSON carries the same hits as the JSON document, the known perpetrator included, in the same order.
    expect(nd.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { address: string }).address)).toEqual(doc.hits.map((h) => h.address));
    expect(doc.hits.map((h) => h.address).sort()).toEqual([garantex, mule.toLowerCase()].sort());
  });

  it('never prints the secret part of an RPC URL', async () => {
    const key = 'Zk3vQ9sT0pSecretKey0000abcdef12';
    const out = await hoptrace(['trace', seed, '--rpc', `http://127.0.0.1:1/v2/${key}`, '--db', tempDb()]);
    expect(out.code).toBe(2);
    expect(out.stdout + out.stderr).not.toContain(key);
    expect(out.stderr).toContain('http://127.0.0.1:1/v2/***');
  });

  it.each([
    ['as a seed (the --rpc flag forgotten)', (url: string) => ['trace', url, seed]],
    ['as a number', (url: string) => ['trace', seed, '--rpc', anvil.url, '--hops', url]],
    ['as a choice', (url: string) => ['trace', seed, '--rpc', anvil.url, '--direction', url]],
    ['as a date', (url: string) => ['trace', seed, '--rpc', anvil.url, '--since', url]],
  ])('does not echo a key-bearing URL typed in the wrong place: %s', async (_where, args) => {
    const key = 'Zk3vQ9sT0pSecretKey0000abcdef12';
    const out = await hoptrace(args(`https://eth-mainnet.example.org/v2/${key}`));
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('https://eth-mainnet.example.org/v2/***');
    // Not the key, nor any long piece of it.
    expect(out.stdout + out.stderr).not.toMatch(/Zk3vQ9sT0p/);
  });
});

describe('bad input: one sentence, exit 2, nothing lost', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['malformed address', () => ['trace', '0x1234', '--rpc', anvil.url], /not an address/],
    ['wrong checksum', () => ['trace', '0x098B716B8Aaf21512996dC57EB0615e2383E2f97', '--rpc', anvil.url], /checksum/],
    ['no seeds', () => ['trace', '--rpc', anvil.url], /no seeds/],
    ['no RPC', () => ['trace', seed], /no RPC endpoint/],
    ['unknown seed list', () => ['trace', '--seeds', 'nosuchincident', '--rpc', anvil.url, '--db', tempDb()], /unknown seed list/],
    ['unreachable RPC', () => ['trace', seed, '--rpc', 'http://127.0.0.1:1', '--db', tempDb()], /cannot reach/],
    ['reversed block range', () => ['trace', seed, '--rpc', anvil.url, '--from-block', '9', '--to-block', '3'], /reversed/],
    ['bad hop count', () => ['trace', seed, '--rpc', anvil.url, '--hops', 'many'], /--hops/],
    ['bad date', () => ['trace', seed, '--rpc', anvil.url, '--since', 'yesterday'], /not a date/],
    ['impossible date', () => ['trace', seed, '--rpc', anvil.url, '--until', '2025-02-30'], /"2025-02-30" is not a valid date/],
    ['bad min value', () => ['trace', seed, '--rpc', anvil.url, '--min-value', 'lots'], /not an amount/],
    ['unknown label chain', () => ['trace', seed, '--rpc', anvil.url, '--labels-chain', 'mars'], /mars/],
    ['unknown option', () => ['trace', seed, '--bogus'], /unknown option/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const out = await hoptrace(args());
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
    expect(out.stdout).toBe('');
  });

  it('refuses an RPC on another chain than the database holds, and keeps the database intact', async () => {
    const held = tempDb();
    expect((await hoptrace(['trace', seed, '--rpc', anvil.url, '--db', held, '-q'])).code).toBe(0);
    const before = countRows(held);
    const out = await hoptrace(['trace', seed, '--rpc', otherChain.url, '--db', held]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/serves chain 1, but database .* holds chain 31337/);
    expect(countRows(held)).toBe(before);
  });

  it('refuses a file that is not a hoptrace database, and leaves it as it was', async () => {
    const notOurs = tempDb('notes.db');
    writeFileSync(notOurs, 'not a database at all\n');
    const out = await hoptrace(['trace', seed, '--rpc', anvil.url, '--db', notOurs]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/not a SQLite file/);
    expect(readFileSync(notOurs, 'utf8')).toBe('not a database at all\n');
  });

  it('refuses a corrupt database', async () => {
    const good = tempDb();
    expect((await hoptrace(['trace', seed, '--rpc', anvil.url, '--db', good, '-q'])).code).toBe(0);
    const damaged = tempDb('damaged.db');
    copyFileSync(good, damaged);
    const bytes = readFileSync(damaged);
    bytes.fill(0x41, 0, 100); // the SQLite header
    writeFileSync(damaged, bytes);
    const out = await hoptrace(['trace', seed, '--rpc', anvil.url, '--db', damaged]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/not a SQLite file|corrupt/);
  });
});

function countRows(path: string): number {
  const store = createStore(path);
  try {
    store.bindChain(31337, 'test');
    return store.transferCount();
  } finally {
    store.close();
  }
}
