/**
 * A bridge exit is printed as a fact, so the receipt it is read from (sources/bridgeLogs.ts readExits) is
 * checked as every receipt is (sources/validate.ts checkReceipt): of the transaction asked, its logs of
 * that transaction and block, against the block's header hash and bloom. A wrong answer is asked again;
 * one that persists stops the run with one sentence, no crossing printed or stored. Three real anvils (the
 * cross-chain scenario, devchain/crossChain.ts); a liar in front of the Ethereum one (127.0.0.1, bounded)
 * gives the receipts of the transactions that paid the bridges (THORChain, Across, the OP bridge) logs
 * carrying another block's hash, the receipt's own block hash left true.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Outcome } from './helpers/cli.js';
import type { Lie } from './helpers/hostileNode.js';
import { FOREIGN, scenarioForFile, traceWithLiar } from './helpers/scenarioLiar.js';

const files = scenarioForFile('exits');

/**
 * A trace from the scenario's seed with Ethereum behind a liar that gives the first `times` receipts of
 * each bridge payment (per transaction) logs of a foreign block. Returns the CLI's outcome, how many
 * receipts were tampered with and asked, and every row of the database as text.
 */
async function runWith(times: number, name: string): Promise<{ out: Outcome; tampered: number; asked: number; rows: string[] }> {
  const { tx } = files.scenario();
  const exits = new Set([tx.thorIn, tx.acrossIn, tx.opIn]);
  const seen = new Map<string, number>();
  let tampered = 0;
  let asked = 0;
  const lie: Lie = async (call, ctx) => {
    const answer = await ctx.forward();
    const hash = String(call.params[0]).toLowerCase();
    if (call.method === 'eth_getTransactionReceipt' && exits.has(hash)) {
      asked += 1;
      const n = (seen.get(hash) ?? 0) + 1;
      seen.set(hash, n);
      const logs = (answer.result as { logs?: { blockHash: string }[] } | null)?.logs ?? [];
      if (n <= times && logs.length > 0) {
        tampered += 1;
        for (const l of logs) l.blockHash = FOREIGN;
      }
    }
    return { json: answer };
  };
  const { out, rows } = await traceWithLiar(files.scenario(), files.dir(), 'ethereum', lie, name);
  return { out, tampered, asked, rows };
}

describe("a bridge exit's receipt with logs of another block", () => {
  let clean: Awaited<ReturnType<typeof runWith>>;
  let crossings: { protocol: string; exit: { txHash: string } }[];

  beforeAll(async () => {
    clean = await runWith(0, 'clean');
    expect(clean.out.code, clean.out.stderr).toBe(0);
    crossings = (JSON.parse(clean.out.stdout) as { crossings: typeof crossings }).crossings;
  }, 120_000);

  it('is where the clean run reads the exits of its crossings', () => {
    expect(crossings.map((c) => c.protocol).sort()).toEqual(['across', 'op-standard-bridge', 'thorchain']);
    expect(clean.asked).toBeGreaterThanOrEqual(3);
  });

  it('again and again: the run stops with one sentence naming the receipt call, no crossing printed or stored', async () => {
    const faulty = await runWith(Number.POSITIVE_INFINITY, 'always');
    expect(faulty.tampered).toBeGreaterThan(0);
    expect(faulty.out.code).not.toBe(0);
    expect(faulty.out.stdout).toBe('');
    expect(faulty.out.stderr).toMatch(/^hoptrace: eth_getTransactionReceipt at http:\/\/127\.0\.0\.1:\d+ gave an inconsistent answer 4 times in a row \([^\n]*0xbababa[^\n]*\); nothing of it was stored\.$/m);
    const lines = faulty.out.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^ {2}hint: /);
    const { tx } = files.scenario();
    for (const h of [tx.thorOut, tx.acrossFill, tx.opOut, FOREIGN]) expect(faulty.rows.filter((r) => r.includes(h.slice(2)))).toEqual([]);
  }, 120_000);

  it('once per payment (a lagging backend): asked again, and the clean run’s crossings', async () => {
    const faulty = await runWith(1, 'once');
    expect(faulty.out.code, faulty.out.stderr).toBe(0);
    expect(faulty.tampered).toBe(3);
    expect(faulty.asked, 'one receipt asked again per refused answer').toBe(clean.asked + 3);
    expect((JSON.parse(faulty.out.stdout) as { crossings: unknown }).crossings).toEqual(crossings);
    expect(faulty.rows.filter((r) => r.includes(FOREIGN.slice(2)))).toEqual([]);
  }, 120_000);
});
