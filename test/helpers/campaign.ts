/**
 * Helpers of the reliability campaigns (faults, kills, bad input, several endpoints). dbContent: the
 * whole content of a hoptrace database as sorted text rows, for "same answer" comparisons between
 * runs (fault-free vs faulty, uninterrupted vs killed and resumed). `meta` is left out: it holds the
 * probed capabilities per endpoint, and every test proxy has its own port.
 */
import Database from 'better-sqlite3';
import { appendFileSync } from 'node:fs';
import { DEMO_EXPECTED } from '../../src/devchain/demo.js';
import type { RpcClient } from '../../src/rpc/client.js';
import type { Strategy } from '../../src/sources/fetcher.js';
import { createStore } from '../../src/store/store.js';
import type { TraceResult } from '../../src/trace/result.js';
import { connect, runTrace } from '../../src/trace/run.js';
import { book, DEFAULTS } from './trace.js';

export interface DbContent {
  transfers: string[];
  intervals: string[];
  blocks: string[];
  tokens: string[];
}

/**
 * Reads every row of the data tables. Opened read-write, though it writes nothing, and only while no
 * writer runs: a process killed mid-write leaves a write-ahead log whose index a read-only connection
 * may not rebuild ("attempt to write a readonly database"), so SQLite must be let recover it, as the
 * resumed run will.
 */
export function dbContent(path: string): DbContent {
  const db = new Database(path, { fileMustExist: true });
  try {
    // A run killed before its first migration committed leaves a file without tables: empty, not an error.
    // transfers is a view over the id tables since schema 7.
    const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'view')`).all() as { name: string }[]).map((t) => t.name));
    const rows = (sql: string) =>
      tables.has(/FROM (\w+)/.exec(sql)![1]!) ? (db.prepare(sql).all() as Record<string, unknown>[]).map((r) => JSON.stringify(r)) : [];
    return {
      transfers: rows('SELECT * FROM transfers ORDER BY chain_id, tx_hash, ref'),
      intervals: rows('SELECT * FROM intervals ORDER BY chain_id, address, source, from_block'),
      blocks: rows('SELECT * FROM blocks ORDER BY chain_id, number'),
      tokens: rows('SELECT * FROM tokens ORDER BY chain_id, address'),
    };
  } finally {
    db.close();
  }
}

/**
 * Appends one line of campaign figures to $HOPTRACE_RELIABILITY_OUT when set (scripts/reliability.mjs
 * sums them into the README table); does nothing otherwise.
 */
export function recordFigures(campaign: string, figures: Record<string, number>): void {
  const out = process.env.HOPTRACE_RELIABILITY_OUT;
  if (out) appendFileSync(out, `${JSON.stringify({ campaign, ...figures })}\n`);
}

/** A whole-number knob from the environment (campaign sizes), with its default. */
export function envCount(name: string, fallback: number): number {
  const v = process.env[name];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback;
}

/**
 * The demo trace (both directions, hops 6) on the demo chain through `rpc`, into `db`; the store is
 * closed after. The strategy is fixed: `auto` prices plans with call times measured during the run, so
 * a slow (faulty) run could choose another plan than the clean one and store other rows, each correct.
 */
export async function demoTrace(rpc: RpcClient, db: string, strategy: Strategy = 'address'): Promise<TraceResult> {
  const store = createStore(db);
  try {
    const conn = await connect(rpc, store, 64);
    return await runTrace(
      { rpc, store, labels: book, labelChain: 'ethereum', nativeSymbol: 'ETH', version: 'test' },
      conn,
      { ...DEFAULTS, seeds: [{ address: DEMO_EXPECTED.seed }], direction: 'both', hops: DEMO_EXPECTED.hops + 1, strategy },
    );
  } finally {
    store.close();
  }
}
