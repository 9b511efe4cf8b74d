/**
 * A trace killed with SIGKILL at any point resumes cleanly: the resumed run ends with exactly the rows
 * of an uninterrupted run, no duplicates, and no block range marked fetched without its rows.
 * 20 kill points by default (5 with HOPTRACE_QUICK=1, any number with HOPTRACE_KILLS), drawn from a seed
 * that is printed: HOPTRACE_KILL_SEED=<seed> replays a failure.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import type { Address } from '../src/types.js';
import { packageRoot } from '../src/util/package.js';
import { dbContent, envCount, recordFigures } from './helpers/campaign.js';
import { startProxy, type Proxy } from './helpers/proxy.js';
import { lazarus, tempDb, venue } from './helpers/trace.js';
import { mulberry32 } from '../src/devchain/random.js';

const BIN = join(packageRoot(), 'bin', 'hoptrace.js');
const ETH = 10n ** 18n;
const A = lazarus('poloniex', 40, 100);
const exchange = venue('Binance')[0]!.address;
const seed = A[0]!;

let anvil: AnvilHandle;
let slow: Proxy;

/** A laundering tree: the seed fans out to 6 mules, each to 5 more, half of which reach Binance. */
beforeAll(async () => {
  anvil = await startAnvil();
  const s = createScenario(anvil.url);
  for (const a of [...A, exchange]) await s.fund(a, 100n * ETH);
  let next = 1;
  const level1: Address[] = [];
  for (let i = 0; i < 6; i++) {
    const mule = A[next++]!;
    level1.push(mule);
    await s.sendEth(seed, mule, 10n * ETH);
  }
  for (const mule of level1) {
    for (let j = 0; j < 5 && next < A.length; j++) {
      const m2 = A[next++]!;
      await s.sendEth(mule, m2, 1n * ETH);
      if (j % 2 === 0) await s.sendEth(m2, exchange, ETH / 2n);
    }
  }
  await s.mine(70);
  // Every call takes a little while, as from a distant provider, so that a kill lands mid-run.
  slow = await startProxy(anvil.url, { latencyMs: 15 });
}, 120_000);

afterAll(async () => {
  await slow?.stop();
  await anvil?.stop();
});

/**
 * The trace every run of this file makes. One strategy for every run: the planner prices plans with call
 * times measured so far (kept in the database), so a killed run and the reference could otherwise read
 * the same transfers by other plans and store different (equally correct) rows and intervals.
 */
function traceArgs(db: string): string[] {
  return ['trace', seed, '--rpc', slow.url, '--db', db, '--labels-chain', 'ethereum', '--json', '--concurrency', '4', '--strategy', 'address'];
}

/**
 * Runs the CLI trace. With `killAtRows`, watches the database from outside (WAL lets a reader in while
 * the trace writes) and sends SIGKILL as soon as that many transfers are stored: the kill lands at a
 * point of progress, not of wall-clock time, so a loaded machine does not move it. Resolves with the
 * exit code (null when killed).
 */
function runCli(db: string, killAtRows?: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const args = traceArgs(db);
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const watch =
      killAtRows === undefined
        ? undefined
        : setInterval(() => {
            if (storedRows(db) >= killAtRows) child.kill('SIGKILL');
          }, 2);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (watch) clearInterval(watch);
      if (code !== 0 && signal === null) reject(new Error(`hoptrace exited ${code}: ${stderr}`));
      else resolve(code);
    });
  });
}

/** Transfers stored so far, read without disturbing the writer; 0 while the file is not set up yet. */
function storedRows(db: string): number {
  try {
    const reader = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (reader.prepare('SELECT COUNT(*) AS n FROM transfers').get() as { n: number }).n;
    } finally {
      reader.close();
    }
  } catch {
    return 0;
  }
}

/** Runs the CLI and SIGKILLs it `ms` after the start (a kill at any point: opening, probing, mid-write). */
function runCliKilledAfter(db: string, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...traceArgs(db)], {
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/**
 * What a killed run left must be a consistent prefix of the whole: no row the full run does not have,
 * and no interval marked fetched without every row of the full run inside it (for its address, side
 * and kind of source).
 */
function checkPrefix(db: string, reference: string): void {
  const got = dbContent(db);
  const want = new Set(dbContent(reference).transfers);
  for (const t of got.transfers) expect(want.has(t), `row not in the full run: ${t}`).toBe(true);
  const have = new Set(got.transfers);
  const rows = [...want].map((r) => JSON.parse(r) as { from_addr: string; to_addr: string; kind: string; block_number: number });
  for (const i of got.intervals.map((r) => JSON.parse(r) as { address: string; source: string; from_block: number; to_block: number })) {
    const [kindOf, side] = i.source.split(':') as [string, string];
    const kinds = kindOf === 'logs' ? ['erc20', 'wrap', 'unwrap'] : kindOf === 'traces' ? ['native', 'internal'] : undefined;
    if (kinds === undefined) continue; // block scans are not used by this trace
    const inside = rows.filter(
      (r) => kinds.includes(r.kind) && (side === 'from' ? r.from_addr : r.to_addr) === i.address && r.block_number >= i.from_block && r.block_number <= i.to_block,
    );
    for (const r of inside) expect(have.has(JSON.stringify(r)), `interval ${JSON.stringify(i)} marked done without its row`).toBe(true);
  }
}

describe('kill -9 and resume', () => {
  it('ends with the same database as an uninterrupted run, whatever the kill point', async () => {
    const reference = tempDb();
    await runCli(reference);
    const want = dbContent(reference);
    expect(want.transfers.length).toBeGreaterThan(40);

    const kills = envCount('HOPTRACE_KILLS', process.env.HOPTRACE_QUICK ? 5 : 20);
    const killSeed = envCount('HOPTRACE_KILL_SEED', Date.now() % 100_000);
    console.log(`kill -9 campaign: ${kills} kills, HOPTRACE_KILL_SEED=${killSeed}`);
    const rand = mulberry32(killSeed); // seeded, so a failing kill point can be replayed with HOPTRACE_KILL_SEED
    let interrupted = 0;
    for (let k = 0; k < kills; k++) {
      const db = tempDb();
      // Half the kills at a point of progress (rows stored), half at a point in time (any phase).
      const byRows = k % 2 === 0;
      const point = byRows ? Math.max(1, Math.floor(want.transfers.length * rand())) : Math.floor(rand() * 1500);
      const where = `kill ${k} ${byRows ? `at ${point} rows` : `after ${point} ms`} (HOPTRACE_KILL_SEED=${killSeed})`;
      const code = byRows ? await runCli(db, point) : await runCliKilledAfter(db, point);
      if (code === null) {
        interrupted++;
        if (existsSync(db)) checkPrefix(db, reference);
      }
      await runCli(db); // resume
      expect(dbContent(db), where).toEqual(want);
    }
    recordFigures('kills', { kills, interrupted });
    // The kills must have landed mid-run for the test to mean anything.
    expect(interrupted).toBeGreaterThanOrEqual(Math.ceil(kills * 0.6));
  }, Math.max(300_000, envCount('HOPTRACE_KILLS', 20) * 10_000));

  it('lets two processes write one database at once: both finish, or one is told so in one sentence', async () => {
    const reference = tempDb();
    await runCli(reference);
    const db = tempDb();
    const outcomes = await Promise.all([runCliOutcome(db), runCliOutcome(db)]);
    for (const o of outcomes) {
      if (o.code !== 0) {
        expect(o.code).toBe(1);
        expect(o.stderr.trim()).toMatch(/^hoptrace: database .* is locked by another process; try again when it has finished\.$/m);
      }
    }
    expect(outcomes.some((o) => o.code === 0)).toBe(true);
    await runCli(db);
    expect(dbContent(db)).toEqual(dbContent(reference));
  }, 120_000);
});

describe('opening one new database from two processes at once', () => {
  it('migrates it once: both processes open it without error', async () => {
    // Both read schema version 0 before either wrote; the second must see the first's migration.
    const open = (db: string) =>
      new Promise<string>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--input-type=module', '-e', `const { createStore } = await import(${JSON.stringify(join(packageRoot(), 'dist', 'store', 'store.js'))}); createStore(${JSON.stringify(db)}).close();`],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let err = '';
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.on('exit', () => resolve(err));
      });
    for (let i = 0; i < 8; i++) {
      const db = tempDb();
      expect(await Promise.all([open(db), open(db)]), `pair ${i}`).toEqual(['', '']);
    }
  }, 60_000);
});

/** Runs the CLI to its end; resolves with exit code and stderr whatever the code. */
function runCliOutcome(db: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...traceArgs(db)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}
