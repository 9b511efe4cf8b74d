/**
 * The cross-chain scenario (devchain/crossChain.ts: three real anvils) for the fault tests of bridge reads:
 * built once per test file, and a CLI trace from its seed with one chain's node behind a liar
 * (helpers/hostileNode.ts, 127.0.0.1, bounded).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildCrossChainScenario, type CrossChainScenario } from '../../src/devchain/crossChain.js';
import { hoptrace, type Outcome } from './cli.js';
import { allRows } from './db.js';
import { startHostileNode, type Lie } from './hostileNode.js';

/** A block hash no chain of the scenario has. */
export const FOREIGN = `0x${'ba'.repeat(32)}`;

/** Builds the scenario before the file's tests and stops it after; `scenario()` and `dir()` while they run. */
export function scenarioForFile(prefix: string): { scenario: () => CrossChainScenario; dir: () => string } {
  let scenario: CrossChainScenario | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    scenario = await buildCrossChainScenario();
    dir = mkdtempSync(join(tmpdir(), `hoptrace-${prefix}-`));
  }, 120_000);
  afterAll(async () => {
    await scenario?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return { scenario: () => scenario!, dir: () => dir! };
}

/**
 * `hoptrace trace` from the scenario's seed over its three chains, 5 hops, JSON out, with `liarOn`'s node
 * behind `lie`; the outcome and every row of its database (`<dir>/<name>.db`) as text.
 */
export async function traceWithLiar(s: CrossChainScenario, dir: string, liarOn: 'ethereum' | 'bsc', lie: Lie, name: string): Promise<{ out: Outcome; rows: string[] }> {
  const node = await startHostileNode((liarOn === 'ethereum' ? s.eth : s.bsc).anvil.url, lie, { maxRequests: 5_000, maxMs: 90_000 });
  const db = join(dir, `${name}.db`);
  try {
    const eth = liarOn === 'ethereum' ? node.url : s.eth.anvil.url;
    const bsc = liarOn === 'bsc' ? node.url : s.bsc.anvil.url;
    const out = await hoptrace(['trace', s.who.seed!, '--rpc', `ethereum=${eth}`, '--rpc', `bsc=${bsc}`, '--rpc', `10=${s.op.anvil.url}`, '--db', db, '--hops', '5', '--json']);
    expect(node.overLimit(), 'the run ended by itself').toBe(0);
    return { out, rows: allRows(db) };
  } finally {
    await node.stop();
  }
}
