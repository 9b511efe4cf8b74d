/**
 * A bridge arrival is printed as a fact, so its log is checked against its block's header as every log
 * read is (sources/bridgeLogs.ts findArrivals): a destination chain's node answering the arrival query
 * with a log carrying another block's hash is asked again, and if it keeps doing so the run stops with
 * one sentence, no crossing printed or stored. Three real anvils (the cross-chain scenario,
 * devchain/crossChain.ts); a liar in front of the BSC one (127.0.0.1, bounded) tampers with the answers
 * to the arrival query only: eth_getLogs of the registry's BSC bridge contracts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { crossChainRegistry } from '../src/devchain/crossChain.js';
import type { Outcome } from './helpers/cli.js';
import type { Lie } from './helpers/hostileNode.js';
import { FOREIGN, scenarioForFile, traceWithLiar } from './helpers/scenarioLiar.js';
const REGISTRY = crossChainRegistry();
const BRIDGES_56 = [REGISTRY.thorRouter56, REGISTRY.spokePool56].map((a) => a.toLowerCase());

const files = scenarioForFile('arrivals');

/** Whether `call` is the arrival query: eth_getLogs of the registry's bridge contracts on BSC. */
const isArrivalQuery = (method: string, params: unknown[]): boolean => {
  const address = (params[0] as { address?: unknown } | undefined)?.address;
  const list = Array.isArray(address) ? address : [address];
  return method === 'eth_getLogs' && list.some((a) => typeof a === 'string' && BRIDGES_56.includes(a.toLowerCase()));
};

/**
 * A trace from the scenario's seed with BSC behind a liar that gives the next `times` non-empty arrival
 * answers a foreign block hash. Returns the CLI's outcome, how many answers were tampered with and how
 * many arrival queries were asked, and every row of the database as text.
 */
async function runWith(times: number, name: string): Promise<{ out: Outcome; tampered: number; asked: number; rows: string[] }> {
  let tampered = 0;
  let asked = 0;
  const lie: Lie = async (call, ctx) => {
    const answer = await ctx.forward();
    if (isArrivalQuery(call.method, call.params)) {
      asked += 1;
      if (tampered < times && Array.isArray(answer.result) && answer.result.length > 0) {
        tampered += 1;
        for (const log of answer.result as { blockHash?: string }[]) log.blockHash = FOREIGN;
      }
    }
    return { json: answer };
  };
  const { out, rows } = await traceWithLiar(files.scenario(), files.dir(), 'bsc', lie, name);
  return { out, tampered, asked, rows };
}

describe('a bridge arrival log of another block', () => {
  let clean: Awaited<ReturnType<typeof runWith>>;
  let crossings: { protocol: string; toChainId: number; arrival: { txHash: string } }[];

  beforeAll(async () => {
    clean = await runWith(0, 'clean');
    expect(clean.out.code, clean.out.stderr).toBe(0);
    crossings = (JSON.parse(clean.out.stdout) as { crossings: typeof crossings }).crossings;
  }, 120_000);

  it('is where the clean run finds its crossings to BSC, which it stores', () => {
    const toBsc = crossings.filter((c) => c.toChainId === 56);
    expect(toBsc.map((c) => c.protocol).sort()).toEqual(['across', 'thorchain']);
    expect(clean.asked).toBeGreaterThanOrEqual(toBsc.length);
    const { tx } = files.scenario();
    for (const h of [tx.thorOut, tx.acrossFill]) expect(clean.rows.some((r) => r.includes(h.slice(2))), h).toBe(true);
  });

  it('stops the run with one sentence when the node keeps answering so: no crossing printed or stored', async () => {
    const faulty = await runWith(Number.POSITIVE_INFINITY, 'always');
    expect(faulty.tampered).toBeGreaterThan(0);
    expect(faulty.out.code).not.toBe(0);
    expect(faulty.out.stdout).toBe('');
    expect(faulty.out.stderr).toMatch(
      /^hoptrace: eth_getLogs at http:\/\/127\.0\.0\.1:\d+ gave an inconsistent answer 4 times in a row \(eth_getLogs returned block \d+ with hash 0xbababa[^)]*\); nothing of it was stored\.$/m,
    );
    // The sentence, then the usual hint line; no stack.
    const lines = faulty.out.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^ {2}hint: /);
    const { tx } = files.scenario();
    for (const h of [tx.thorOut, tx.acrossFill, FOREIGN]) expect(faulty.rows.filter((r) => r.includes(h.slice(2)))).toEqual([]);
  }, 120_000);

  it('is asked again when the node answers so a few times: the clean run’s crossings, one query more per refused answer', async () => {
    const faulty = await runWith(2, 'twice');
    expect(faulty.out.code, faulty.out.stderr).toBe(0);
    expect(faulty.tampered).toBe(2);
    expect(faulty.asked).toBe(clean.asked + 2);
    expect((JSON.parse(faulty.out.stdout) as { crossings: unknown }).crossings).toEqual(crossings);
    expect(faulty.rows.filter((r) => r.includes(FOREIGN.slice(2)))).toEqual([]);
  }, 120_000);
});
