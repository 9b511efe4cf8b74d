/**
 * `hoptrace watch` against a real anvil, with blocks mined while it runs (the CLI from dist/, as a user
 * runs it): a movement into a labelled venue raises exactly one alert within a poll, a reorganisation
 * withdraws an unfinal one, a kill -9 and a restart in between miss nothing and repeat nothing, a webhook
 * that fails twice gets the event once, one that fails every try is reported (its key masked) and served
 * at the next start, a seeded SIGKILL campaign loses and repeats nothing, `--run` watches a stored run,
 * an outage is reported and survived, and SIGINT ends it with exit 0.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario, type Scenario } from '../src/devchain/scenario.js';
import { mulberry32 } from '../src/devchain/random.js';
import { packageRoot } from '../src/util/package.js';
import { startProxy, type Proxy } from './helpers/proxy.js';
import { lazarus, tempDb, venue } from './helpers/trace.js';

const BIN = join(packageRoot(), 'bin', 'hoptrace.js');
const ETH = 10n ** 18n;
const [seed, mule, mule2] = lazarus('poloniex', 3, 100) as [string, string, string];
const [binance, okx] = [venue('Binance')[0]!.address, venue('OKX')[0]!.address];

const schema = JSON.parse(readFileSync(join(packageRoot(), 'schema', 'watch-event.schema.json'), 'utf8')) as { $id: string };
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
addFormatsModule.default(ajv);
const validEvent = ajv.compile(schema);

interface Event {
  type: 'alert' | 'final' | 'withdrawal';
  id: string;
  reasons?: string[];
  final?: boolean;
  movement?: { txHash: string; to: string; amount: string };
  venue?: { entity: string; claim: string } | null;
}

/** A running `hoptrace watch`: its events as parsed, its poll lines, its exit. */
interface Watcher {
  child: ChildProcess;
  events: Event[];
  polls(): number;
  stderr(): string;
  exited: Promise<number | null>;
}

let anvil: AnvilHandle;
let proxy: Proxy;
let s: Scenario;
let hook: { url: string; bodies: { status: number; body: string }[]; close(): Promise<void> };

beforeAll(async () => {
  anvil = await startAnvil();
  s = createScenario(anvil.url);
  for (const a of [seed, mule, mule2]) await s.fund(a as never, 100n * ETH);
  await s.sendEth(seed as never, mule as never, 10n * ETH);
  await s.mine(3);
  proxy = await startProxy(anvil.url);
  hook = await startHook(2);
}, 60_000);

afterAll(async () => {
  await hook?.close();
  await proxy?.stop();
  await anvil?.stop();
});

/** A webhook receiver on 127.0.0.1 that answers 500 to its first `failures` requests, then 200. */
function startHook(failures: number): Promise<typeof hook> {
  const bodies: { status: number; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = bodies.length < failures ? 500 : 200;
      bodies.push({ status, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'down');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/hook?token=s3cr3t-hook-key`, bodies, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

function startWatch(db: string, extra: string[] = []): Watcher {
  const child = spawn(
    process.execPath,
    [BIN, 'watch', seed, '--rpc', proxy.url, '--db', db, '--labels-chain', 'ethereum', '--hops', '3', '--interval', '1', '--confirmations', '2', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const events: Event[] = [];
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      const value = JSON.parse(line) as Event;
      expect(validEvent(value), JSON.stringify(validEvent.errors)).toBe(true);
      events.push(value);
    }
  });
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  // 'close', not 'exit': the lines a killed process wrote are still read from the pipe before it counts as ended.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, events, polls: () => (err.match(/^hoptrace: watch \d+: block/gm) ?? []).length, stderr: () => err, exited };
}

async function until(what: string, cond: () => boolean, w: Watcher, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stderr:\n${w.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the watcher has finished `n` more polls than now (each poll line is written after its delivery). */
async function polls(w: Watcher, n: number): Promise<void> {
  const target = w.polls() + n;
  await until(`${n} more polls`, () => w.polls() >= target, w);
}

/** Every (id, type) at most once across these outputs. */
function expectNoRepeats(events: Event[]): void {
  const keys = events.map((e) => `${e.id}|${e.type}`);
  expect(new Set(keys).size, keys.join('\n')).toBe(keys.length);
}

function storedAlerts(db: string): { id: string; state: string }[] {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare('SELECT id, state FROM watch_alerts ORDER BY block_number').all() as { id: string; state: string }[];
  } finally {
    d.close();
  }
}

describe('hoptrace watch on a live anvil', () => {
  it('alerts once per movement into a venue, withdraws a reorganised one, survives kill -9, delivers the webhook once', async () => {
    const db = tempDb('watch.db');
    const execLog = join(dirname(db), 'exec.ndjson');
    const channels = ['--webhook', hook.url, '--exec', `cat >> ${JSON.stringify(execLog)}`];
    let w = startWatch(db, channels);
    await until('the first trace', () => w.polls() >= 1, w);
    expect(w.stderr()).toMatch(/first trace/);
    expect(w.events).toEqual([]); // the case as traced at the start is the baseline, not news

    // 1. Funds move toward a labelled venue in a new block: one alert, at the latest one poll after the
    // poll that may have been under way when the block was mined.
    const tx1 = await s.sendEth(mule as never, binance, 2n * ETH);
    await polls(w, 2);
    const alerts1 = w.events.filter((e) => e.type === 'alert' && e.movement?.txHash === tx1.hash);
    expect(alerts1).toHaveLength(1);
    expect(alerts1[0]).toMatchObject({ reasons: ['venue'], final: false, venue: { entity: 'Binance', claim: 'fact' } });
    await polls(w, 1);
    expect(w.events.filter((e) => e.movement?.txHash === tx1.hash)).toHaveLength(1);

    // 2. A reorganisation replaces an alert's block before it is final: one withdrawal of that alert.
    await s.mine(2); // the first alert becomes final; the snapshot below keeps it
    const snap = await s.rpc<string>('evm_snapshot');
    const tx2 = await s.sendEth(mule as never, okx, ETH);
    await until('the alert of tx2', () => w.events.some((e) => e.movement?.txHash === tx2.hash), w);
    const id2 = w.events.find((e) => e.movement?.txHash === tx2.hash)!.id;
    await s.rpc('evm_revert', [snap]);
    await s.mine(3);
    await until('the withdrawal', () => w.events.some((e) => e.type === 'withdrawal' && e.id === id2), w);
    await polls(w, 1);
    expect(w.events.filter((e) => e.type === 'withdrawal')).toHaveLength(1);
    expect(w.events.filter((e) => e.type === 'final').map((e) => e.id)).toContain(alerts1[0]!.id);

    // 3. kill -9 while it waits for the next poll; a movement in the blocks it misses; a restart.
    await polls(w, 1);
    w.child.kill('SIGKILL');
    await w.exited;
    const before = [...w.events];
    const tx3 = await s.sendEth(mule as never, binance, 3n * ETH);
    await s.mine(1);
    w = startWatch(db, channels);
    await polls(w, 2);
    expect(w.events.filter((e) => e.type === 'alert').map((e) => e.movement?.txHash)).toEqual([tx3.hash]);
    expectNoRepeats([...before, ...w.events]);

    // Every event reached the webhook exactly once (after its two failures), the URL never on stderr.
    await polls(w, 1);
    const taken = hook.bodies.filter((b) => b.status === 200).map((b) => JSON.parse(b.body) as Event);
    expect(hook.bodies.filter((b) => b.status === 500)).toHaveLength(2);
    expectNoRepeats(taken);
    const printed = [...before, ...w.events];
    expect(taken.map((e) => `${e.id}|${e.type}`).sort()).toEqual(printed.map((e) => `${e.id}|${e.type}`).sort());
    expect(w.stderr()).not.toContain('s3cr3t-hook-key');
    // --exec got each event once on its standard input.
    const execed = readFileSync(execLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Event);
    expect(execed.map((e) => `${e.id}|${e.type}`).sort()).toEqual(printed.map((e) => `${e.id}|${e.type}`).sort());

    // The store holds each alert once with its state.
    const stored = storedAlerts(db);
    expect(stored.find((a) => a.id === id2)?.state).toBe('withdrawn');
    expect(stored.find((a) => a.id === alerts1[0]!.id)?.state).toBe('final');
    expect(stored).toHaveLength(3);

    // SIGINT: the current step finishes, exit 0.
    w.child.kill('SIGINT');
    expect(await w.exited).toBe(0);
  }, 120_000);

  it('killed with SIGKILL at random points (seeded), then run --once: every movement alerted exactly once', async () => {
    const db = tempDb('kills.db');
    const printed: Event[] = [];
    let w = startWatch(db);
    await until('the first trace', () => w.polls() >= 1, w);
    const killSeed = Number(process.env.HOPTRACE_KILL_SEED ?? Date.now() % 100_000);
    console.log(`watch kill campaign: HOPTRACE_KILL_SEED=${killSeed}`);
    const rand = mulberry32(killSeed);
    const sent: string[] = [];
    for (let k = 0; k < 4; k++) {
      sent.push((await s.sendEth(mule as never, binance, ETH / 10n + BigInt(k))).hash);
      await new Promise((r) => setTimeout(r, Math.floor(rand() * 1500)));
      w.child.kill('SIGKILL');
      await w.exited;
      printed.push(...w.events);
      w = startWatch(db);
    }
    w.child.kill('SIGKILL');
    await w.exited;
    printed.push(...w.events);
    const last = startWatch(db, ['--once']);
    expect(await last.exited, last.stderr()).toBe(0);
    printed.push(...last.events);
    expectNoRepeats(printed);
    const alerted = printed.filter((e) => e.type === 'alert').map((e) => e.movement!.txHash);
    for (const tx of sent) expect(alerted.filter((h) => h === tx), `${tx} (HOPTRACE_KILL_SEED=${killSeed})`).toHaveLength(1);
  }, 120_000);

  it('--run: watches a stored trace run, alerting on what came after it; a webhook that failed is served at the next start', async () => {
    const db = tempDb('run.db');
    const traced = spawn(process.execPath, [BIN, 'trace', seed, '--rpc', anvil.url, '--db', db, '--labels-chain', 'ethereum', '--hops', '3', '-q', '--json'], { stdio: 'ignore' });
    expect(await new Promise((r) => traced.on('close', r))).toBe(0);
    const tx = await s.sendEth(mule as never, binance, ETH / 3n);
    // A webhook that takes nothing: every try fails, one sentence on stderr (the key masked), exit 0.
    const once = async (webhook: string) => {
      const child = spawn(process.execPath, [BIN, 'watch', '--run', '1', '--rpc', anvil.url, '--db', db, '--labels-chain', 'ethereum', '--once', '--webhook', webhook], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const code = await new Promise((r) => child.on('close', r));
      return { code, err, events: out.trim() === '' ? [] : out.trim().split('\n').map((l) => JSON.parse(l) as Event) };
    };
    const down = await once('http://127.0.0.1:9/hook?key=hunter3');
    expect(down.code).toBe(0);
    expect(down.events.map((e) => [e.type, e.movement?.txHash])).toEqual([['alert', tx.hash]]);
    expect(down.err).toMatch(/^hoptrace: watch: the webhook http:\/\/127\.0\.0\.1:9\/hook\?key=\*\*\* did not take the alert event [0-9a-f]{32} after 5 tries \(.*\); it is tried again when the watch restarts\.$/m);
    expect(down.err).not.toContain('hunter3');
    // The next start delivers it to the webhook, and prints nothing again.
    const taken = hook.bodies.length;
    const up = await once(hook.url);
    expect(up.events).toEqual([]);
    const posted = hook.bodies.slice(taken).filter((b) => b.status === 200).map((b) => JSON.parse(b.body) as Event);
    expect(posted.map((e) => [e.type, e.movement?.txHash])).toEqual([['alert', tx.hash]]);

    // stats --watch: the polls after the run, their new blocks and calls, priced.
    const stats = spawn(process.execPath, [BIN, 'stats', '--watch', '--db', db, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let json = '';
    stats.stdout.on('data', (c: Buffer) => (json += c.toString()));
    expect(await new Promise((r) => stats.on('close', r))).toBe(0);
    const st = JSON.parse(json) as { watch: { id: number; polls: number; blocks: number; callsPerBlock: number | null }; calls: number };
    expect(st.watch).toMatchObject({ id: 1, polls: 2, blocks: 1 });
    expect(st.calls).toBeGreaterThan(0);
    expect(st.watch.callsPerBlock).toBe(st.calls / st.watch.blocks);
  }, 60_000);

  it('reports a provider outage on stderr, keeps polling, and still raises the alert', async () => {
    const db = tempDb('outage.db');
    const w = startWatch(db, ['-q']);
    try {
      await until('the first trace', () => /hoptrace: watch/.test(w.stderr()) || w.events.length > 0 || existsDb(db), w);
      await new Promise((r) => setTimeout(r, 1500));
      proxy.inject('http503', { times: 10 }); // one poll's every retry, and the next poll's first few
      await until('the outage report', () => /the provider failed/.test(w.stderr()), w, 60_000);
      const line = w.stderr().split('\n').find((l) => /the provider failed/.test(l))!;
      expect(line).toMatch(/^hoptrace: watch: the provider failed \(.*\); trying again in \d+ s \(attempt \d+\)\.$/);
      // During the outage the seed pays a new mule, which pays the exchange: news once the node answers.
      await s.sendEth(seed as never, mule2 as never, 5n * ETH);
      const tx = await s.sendEth(mule2 as never, binance, ETH);
      await until('the alert after the outage', () => w.events.some((e) => e.type === 'alert' && e.movement?.txHash === tx.hash), w, 60_000);
      expect(w.stderr()).toMatch(/the provider answers again/);
    } finally {
      w.child.kill('SIGINT');
      expect(await w.exited).toBe(0);
    }
  }, 120_000);
});

describe('hoptrace watch: bad input', () => {
  const refused = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'watch', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
  it('is one sentence and exit 2, before any file is made or request sent', async () => {
    const db = tempDb('bad.db');
    const rpc = ['--rpc', 'http://127.0.0.1:9', '--db', db];
    const cases: [string[], RegExp][] = [
      [[...rpc], /^hoptrace: no seeds: give one or more addresses, or --seeds <list>\.$/m],
      [[seed, '--run', '1', ...rpc], /^hoptrace: give seeds or --run <id>, not both/m],
      [[seed, '--interval', '0', ...rpc], /^hoptrace: --interval must be at least 1 \(got 0\)\.$/m],
      [[seed, '--threshold', 'lots', ...rpc], /^hoptrace: --threshold "lots" is not an amount/m],
      [[seed, '--webhook', 'ftp://user:hunter2@example.org/x', ...rpc], /^hoptrace: --webhook ftp:\/\/\*\*\*@example\.org\/x is not an http\(s\) URL\.$/m],
      [[seed, '--to-block', '5', ...rpc], /unknown option '--to-block'/],
      // One chain per watch (its polls reconnect, check finality and alert on one chain only).
      [[seed, ...rpc, '--rpc', 'bsc=http://127.0.0.1:9/hunter2'], /^hoptrace: watch follows one chain: /m],
      [[`bsc:${seed}`, '--rpc', 'bsc=http://127.0.0.1:9/hunter2', '--db', db], /^hoptrace: watch follows one chain: /m],
    ];
    for (const [args, want] of cases) {
      const r = await refused(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stderr).not.toContain('hunter2');
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(existsSync(db)).toBe(false);
  });
});

function existsDb(db: string): boolean {
  try {
    const d = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (d.prepare('SELECT COUNT(*) AS n FROM watches').get() as { n: number }).n > 0;
    } finally {
      d.close();
    }
  } catch {
    return false;
  }
}
