/**
 * Chain data is attacker-controlled: a token whose symbol carries terminal escape sequences, HTML, a
 * right-to-left override and a huge length must come out neutralised in every output (text, JSON,
 * NDJSON), and label files carrying the same are refused (or, in an export of a database written some
 * other way, neutralised). The API key of an RPC URL appears nowhere: not on stdout or stderr, not in
 * the JSON report, not in any byte of the database files.
 */
import Database from 'better-sqlite3';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import { hoptrace } from './helpers/cli.js';
import { startProxy, type Proxy } from './helpers/proxy.js';
import { lazarus, tempDb, venue } from './helpers/trace.js';

const ESC = '\u001b';
const RLO = '\u202e';
/** Recolours, retitles the terminal (OSC 0 … BEL), hides the rest, and reverses what follows. */
const HOSTILE = `${ESC}[31m${ESC}]0;pwned\u0007<script>alert(1)</script>${RLO}TDSU${ESC}[8m${'W'.repeat(5_000)}`;
const KEY = 'SECRETKEY';

const [seed, mule] = lazarus('bybit', 2, 3) as [string, string];
const binance = venue('Binance')[0]!.address;
let anvil: AnvilHandle;
let keyed: Proxy;
let rpcWithKey: string;

beforeAll(async () => {
  anvil = await startAnvil();
  const s = createScenario(anvil.url);
  await s.fund(seed, 10n ** 20n);
  await s.fund(mule, 10n ** 18n);
  // The TestToken constructor takes any name and symbol: the hostile token needs no contract of its own.
  const token = (await s.deploy('TestToken', [HOSTILE, HOSTILE, 6])).address;
  await s.mintToken(token, seed, 5_000_000n);
  await s.tokenTransfer(token, seed, mule, 4_000_000n);
  await s.tokenTransfer(token, mule, binance, 3_000_000n);
  await s.mine(10);
  // Any path reaches the node through the proxy: the key sits where Alchemy puts it.
  keyed = await startProxy(anvil.url);
  rpcWithKey = `${keyed.url}/v2/${KEY}`;
}, 60_000);

afterAll(async () => {
  await keyed?.stop();
  await anvil?.stop();
});

/** No raw escape, control (but newline), bidi or zero-width character, and no line longer than a screenful. */
function expectNeutral(out: string, what: string): void {
  expect(out, what).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/);
}

describe('hostile token metadata', () => {
  let db: string;
  beforeAll(() => {
    db = tempDb();
  });

  it('is neutralised in the text report, and still names the hop', async () => {
    const out = await hoptrace(['trace', seed, '--rpc', rpcWithKey, '--db', db, '--labels-chain', 'ethereum']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('Binance');
    expectNeutral(out.stdout + out.stderr, 'text');
    // What is left of the escape sequences stays visible (tampering shows), cut to a short symbol.
    expect(out.stdout).toMatch(/\[31m\]0;pwned<script…/);
    expect(out.stdout).not.toContain('W'.repeat(100));
    for (const line of out.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(200);
  });

  it('is exact but escaped in JSON and NDJSON, and bounded in length', async () => {
    const json = await hoptrace(['trace', seed, '--rpc', rpcWithKey, '--db', db, '--labels-chain', 'ethereum', '--json']);
    expect(json.code).toBe(0);
    expectNeutral(json.stdout, 'json');
    const doc = JSON.parse(json.stdout) as { rpc: string; hits: { path: { symbol: string | null }[] }[] };
    const symbol = doc.hits[0]!.path[0]!.symbol!;
    // Kept as evidence (JSON.parse gives the hostile text back), but never more than 64 characters.
    expect(HOSTILE.startsWith(symbol)).toBe(true);
    expect(symbol).toContain(RLO);
    expect(symbol.length).toBeLessThanOrEqual(64);

    const nd = await hoptrace(['trace', seed, '--rpc', rpcWithKey, '--db', db, '--labels-chain', 'ethereum', '--ndjson']);
    expect(nd.code).toBe(0);
    expectNeutral(nd.stdout, 'ndjson');
    expect((JSON.parse(nd.stdout.split('\n')[0]!) as { path: { symbol: string }[] }).path[0]!.symbol).toBe(symbol);
  });

  it('never shows the API key of the RPC URL: not in output, report, nor any byte of the database', async () => {
    const outs = await Promise.all([
      hoptrace(['trace', seed, '--rpc', rpcWithKey, '--db', db, '--labels-chain', 'ethereum', '--json']),
      // A failing run too: its error message names the endpoint.
      hoptrace(['trace', seed, '--rpc', `http://127.0.0.1:1/v2/${KEY}`, '--db', db]),
    ]);
    for (const o of outs) expect(o.stdout + o.stderr).not.toContain(KEY);
    expect((JSON.parse(outs[0].stdout) as { rpc: string }).rpc).toBe(`${keyed.url}/v2/***`);
    expect(outs[1].stderr).toContain('http://127.0.0.1:1/v2/***');
    const dir = dirname(db);
    const files = readdirSync(dir).filter((f) => f.startsWith('trace.db'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(readFileSync(join(dir, f)).includes(KEY), f).toBe(false);
    // The endpoint is stored (capabilities are cached per endpoint), redacted.
    const r = new Database(db, { readonly: true });
    try {
      const keys = (r.prepare(`SELECT key FROM meta WHERE key LIKE 'caps:%'`).all() as { key: string }[]).map((k) => k.key);
      expect(keys).toEqual([`caps:${keyed.url}/v2/***`]);
    } finally {
      r.close();
    }
  });
});

describe('hostile label text', () => {
  it('refuses a label file whose entity or source carries escape sequences or bidi overrides', async () => {
    const db = tempDb();
    const file = join(dirname(db), 'evil.csv');
    writeFileSync(file, `address,entity,category,source\n${mule},"${ESC}[31mBinance${RLO}",exchange,court order\n${seed},Fine,otc,"x${ESC}[2J"\n`);
    const out = await hoptrace(['labels', 'import', file, '--db', db]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/entity contains a control or invisible character \(U\+001B\)/);
    expect(out.stderr).toMatch(/source contains a control or invisible character \(U\+001B\)/);
    expectNeutral(out.stderr, 'stderr');
    const add = await hoptrace(['labels', 'add', mule, '--entity', `Evil${RLO}`, '--category', 'otc', '--source', 'me', '--db', db]);
    expect(add.code).toBe(2);
    expect(add.stderr).toMatch(/U\+202E/);
  });

  it('neutralises, in every export and listing, labels that reached the database another way', async () => {
    const db = tempDb();
    const file = join(dirname(db), 'ok.csv');
    writeFileSync(file, `address,entity,category,source\n${mule},Placeholder,exchange,court order\n`);
    expect((await hoptrace(['labels', 'import', file, '--db', db])).code).toBe(0);
    // An older hoptrace, or a hand edit, wrote hostile text into the table.
    const w = new Database(db);
    const tables = (w.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((t) => t.name);
    const table = tables.find((t) => /label/i.test(t))!;
    w.prepare(`UPDATE "${table}" SET entity = ?`).run(HOSTILE);
    w.close();
    for (const args of [['labels', 'export'], ['labels', 'export', '--format', 'json'], ['labels', 'list', '--user'], ['labels', 'show', mule]]) {
      const out = await hoptrace([...args, '--db', db]);
      expect(out.code, `${args.join(' ')}: ${out.stderr}`).toBe(0);
      expectNeutral(out.stdout, args.join(' '));
      expect(out.stdout).toContain('<script>'); // HTML is inert text on a terminal and in CSV/JSON: shown as is
    }
  });
});
