/**
 * A trace killed with SIGKILL at any point resumes cleanly: the resumed run ends with exactly the rows
 * of an uninterrupted run, no duplicates, and no block range marked fetched without its rows.
 * (The fuller crash campaign — 20+ kill points — belongs to the reliability issue; this is the
 * guarantee the store's one-transaction writes give, checked at a few points.)
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import { createStore } from '../src/store/store.js';
import type { Address } from '../src/types.js';
import { packageRoot } from '../src/util/package.js';
import { startProxy, type Proxy } from './helpers/proxy.js';
import { lazarus, tempDb, venue } from './helpers/trace.js';

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
 * Runs the CLI trace. With `killAtRows`, watches the database from outside (WAL lets a reader in while
 * the trace writes) and sends SIGKILL as soon as that many transfers are stored: the kill lands at a
 * point of progress, not of wall-clock time, so a loaded machine does not move it. Resolves with the
 * exit code (null when killed).
 */
function runCli(db: string, killAtRows?: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    // One strategy for every run: the planner prices plans with call times measured so far (kept in the
    // database), so a killed run and the reference could otherwise read the same transfers by other
    // plans and store different (equally correct) rows and intervals.
    const args = ['trace', seed, '--rpc', slow.url, '--db', db, '--labels-chain', 'ethereum', '--json', '--concurrency', '4', '--strategy', 'address'];
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

function snapshot(db: string): { transfers: string[]; gaps: string[] } {
  const store = createStore(db);
  try {
    const transfers = (store.db.prepare('SELECT * FROM transfers ORDER BY tx_hash, ref').all() as Record<string, unknown>[]).map((r) =>
      JSON.stringify(r),
    );
    // An interval marked done must have every transfer of its address/side inside it: compare the
    // per-address rows the interval covers against a fresh uninterrupted run (done by the caller).
    const gaps = (store.db.prepare(`SELECT address, source, from_block, to_block FROM intervals ORDER BY 1, 2, 3`).all() as {
      address: string;
      source: string;
    }[]).map((r) => JSON.stringify(r));
    return { transfers, gaps };
  } finally {
    store.close();
  }
}

describe('kill -9 and resume', () => {
  it('ends with the same rows as an uninterrupted run, whatever the kill point', async () => {
    const reference = tempDb();
    await runCli(reference);
    const want = snapshot(reference);
    expect(want.transfers.length).toBeGreaterThan(40);

    let interrupted = 0;
    for (const fraction of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      const db = tempDb();
      const code = await runCli(db, Math.max(1, Math.floor(want.transfers.length * fraction)));
      if (code === null) {
        interrupted++;
        // What a killed run left is a consistent prefix: never a row twice, never more than the whole.
        expect(snapshot(db).transfers.length).toBeLessThanOrEqual(want.transfers.length);
      }
      await runCli(db); // resume
      const got = snapshot(db);
      expect(got.transfers, `kill at ${fraction} (exit ${code})`).toEqual(want.transfers);
      expect(got.gaps, `kill at ${fraction}`).toEqual(want.gaps);
    }
    // The kills must have landed mid-run for the test to mean anything.
    expect(interrupted).toBeGreaterThanOrEqual(4);
  }, 180_000);
});
