/**
 * The receipt a Wormhole crossing's asset is read from (sources/arrivalTransfers.ts) is checked before it
 * is believed, as every receipt is (sources/validate.ts checkReceipt): its logs of that transaction and
 * block, against the block's header hash and bloom, and of the arrival's block. A wrong answer is asked
 * again; one that persists stops the run with one sentence. And only the bridge's own payout counts: a
 * Transfer into the payee from anyone but the bridge contract or the zero address (a mint) is not it.
 * A redemption in the chain's coin (no log) is read from the transaction's call tree, checked alike
 * (checkTree and the block check). The cross-chain scenario's Wormhole path (devchain/crossChain.ts,
 * `{ wormhole: true }`) on real anvils; a liar (127.0.0.1, bounded) in front of the BSC one changes the
 * answers of one call for one redemption only (the token redemption's receipt, or the coin one's tree).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCrossChainScenario, type CrossChainScenario, type WormholePath } from '../src/devchain/crossChain.js';
import { hoptrace, type Outcome } from './helpers/cli.js';
import { startHostileNode, type Lie } from './helpers/hostileNode.js';

const ETH = 10n ** 18n;
const FOREIGN = `0x${'ba'.repeat(32)}`;

interface RpcLogish {
  blockHash: string;
  logIndex: string;
  topics: string[];
  data: string;
}

let scenario: CrossChainScenario | undefined;
let wh: WormholePath;
let dir: string;

beforeAll(async () => {
  scenario = await buildCrossChainScenario({ wormhole: true });
  wh = scenario.wormhole!;
  dir = mkdtempSync(join(tmpdir(), 'hoptrace-arrival-receipt-'));
}, 180_000);

afterAll(async () => {
  await scenario?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A change to an answer (a receipt, a call tree); `n` counts the answers of that call so far (from 1). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a node's answer, changed field by field
type Tamper = (answer: any, n: number) => boolean;

/**
 * A trace with BSC behind a liar applying `tamper` to the answers of `method` for one redemption (by
 * default the token redemption's receipt); both payees labelled, so each crossing step ends a hit's path.
 */
async function runWith(tamper: Tamper, name: string, method = 'eth_getTransactionReceipt', tx: 'tokenOut' | 'nativeOut' = 'tokenOut'): Promise<{ out: Outcome; tampered: number }> {
  const { eth, bsc, who } = scenario!;
  let asked = 0;
  let tampered = 0;
  const lie: Lie = async (call, ctx) => {
    const answer = await ctx.forward();
    if (call.method === method && String(call.params[0]).toLowerCase() === wh.tx[tx] && answer.result) {
      asked += 1;
      if (tamper(answer.result, asked)) tampered += 1;
    }
    return { json: answer };
  };
  const node = await startHostileNode(bsc.anvil.url, lie, { maxRequests: 5_000, maxMs: 120_000 });
  const db = join(dir, `${name}.db`);
  try {
    for (const [address, entity] of [[wh.tokenRecipient, 'Payee T'], [wh.nativeRecipient, 'Payee N']] as const) {
      const label = await hoptrace(['labels', 'add', address, '--db', db, '--chain', 'bsc', '--entity', entity, '--category', 'exchange', '--source', 'test fixture (anvil dev account)', '--role', 'hot-wallet']);
      expect(label.code, label.stderr).toBe(0);
    }
    const out = await hoptrace(['trace', who.seed, '--rpc', `ethereum=${eth.anvil.url}`, '--rpc', `bsc=${node.url}`, '--db', db, '--hops', '5', '--json']);
    expect(node.overLimit(), 'the run ended by itself').toBe(0);
    return { out, tampered };
  } finally {
    await node.stop();
  }
}

/** A run that ended well, its receipt changed `tampered` times, whose crossing step names the token and the 1 ETH its payout carried. */
function expectTokenStep(r: { out: Outcome; tampered: number }, tampered: number | 'some'): void {
  expect(r.out.code, r.out.stderr).toBe(0);
  if (tampered === 'some') expect(r.tampered).toBeGreaterThan(0);
  else expect(r.tampered).toBe(tampered);
  const doc = JSON.parse(r.out.stdout) as { hits: { path: Record<string, unknown>[] }[] };
  const step = doc.hits.flatMap((h) => h.path).find((s) => s.kind === 'bridge' && s.to === wh.tokenRecipient);
  expect(step).toMatchObject({ chainId: 56, asset: wh.token, amount: String(ETH) });
}

describe("a Wormhole arrival's receipt", () => {
  it('with logs of another block, again and again: the run stops with one sentence naming the receipt call', async () => {
    const r = await runWith((rc: { logs: RpcLogish[] }) => {
      for (const l of rc.logs) l.blockHash = FOREIGN;
      return rc.logs.length > 0;
    }, 'always');
    expect(r.tampered).toBeGreaterThan(0);
    expect(r.out.code).not.toBe(0);
    expect(r.out.stdout).toBe('');
    expect(r.out.stderr).toMatch(/^hoptrace: eth_getTransactionReceipt at http:\/\/127\.0\.0\.1:\d+ gave an inconsistent answer 4 times in a row \([^\n]*0xbababa[^\n]*\); nothing of it was stored\.$/m);
    expect(r.out.stderr.trimEnd().split('\n')).toHaveLength(2);
  }, 180_000);

  it('of another block once (a lagging backend): asked again, and the step names the token its log carried', async () => {
    const r = await runWith((rc: { blockHash: string; logs: RpcLogish[] }, n) => {
      if (n > 1) return false;
      rc.blockHash = FOREIGN;
      for (const l of rc.logs) l.blockHash = FOREIGN;
      return true;
    }, 'once');
    expectTokenStep(r, 1);
  }, 180_000);

  it("credits the bridge only with its own payout, not another Transfer into the payee in that transaction", async () => {
    const padded = `0x${'0'.repeat(24)}${wh.tokenRecipient.slice(2).toLowerCase()}`;
    const r = await runWith((rc: { logs: RpcLogish[] }) => {
      const paid = rc.logs.find((l) => l.topics.length === 3 && l.topics[2]!.toLowerCase() === padded);
      if (!paid) return false;
      // The payee paying itself: every topic and the token are in the block's bloom already, so the
      // header check lets it through; only who paid tells it apart from the bridge's payout.
      const next = Math.max(...rc.logs.map((l) => Number(l.logIndex))) + 1;
      rc.logs.push({ ...paid, topics: [paid.topics[0]!, padded, padded], logIndex: `0x${next.toString(16)}` });
      return true;
    }, 'self');
    expectTokenStep(r, 'some');
  }, 180_000);
});

/** The crossing step into `payee`, from a run's JSON. */
function stepInto(out: Outcome, payee: string): Record<string, unknown> | undefined {
  const doc = JSON.parse(out.stdout) as { hits: { path: Record<string, unknown>[] }[] };
  return doc.hits.flatMap((h) => h.path).find((s) => s.kind === 'bridge' && s.to === payee);
}

describe("a Wormhole redemption in the chain's coin", () => {
  it("names the coin and the amount the bridge's call sent the payee, read from the checked call tree: a fact", async () => {
    const r = await runWith(() => false, 'coin', 'trace_transaction', 'nativeOut');
    expect(r.out.code, r.out.stderr).toBe(0);
    expect(stepInto(r.out, wh.nativeRecipient)).toMatchObject({ chainId: 56, asset: 'native', decimals: 18, amount: String(ETH / 2n) });
    const report = await hoptrace(['report', '--db', join(dir, 'coin.db'), '--format', 'json']);
    const venue = (JSON.parse(report.stdout) as { attribution: { notAttributed: { address: string; traced: unknown[] }[] } }).attribution.notAttributed.find((v) => v.address === wh.nativeRecipient);
    expect(venue?.traced).toEqual([expect.objectContaining({ asset: 'native', amount: String(ETH / 2n) })]);
  }, 180_000);

  it('with a call tree of another block, again and again: the run stops with one sentence naming trace_transaction', async () => {
    const r = await runWith((frames: { blockHash: string }[]) => {
      for (const f of frames) f.blockHash = FOREIGN;
      return frames.length > 0;
    }, 'tree', 'trace_transaction', 'nativeOut');
    expect(r.tampered).toBeGreaterThan(0);
    expect(r.out.code).not.toBe(0);
    expect(r.out.stdout).toBe('');
    expect(r.out.stderr).toMatch(/^hoptrace: trace_transaction at http:\/\/127\.0\.0\.1:\d+ gave an inconsistent answer 4 times in a row \([^\n]*0xbababa[^\n]*\); nothing of it was stored\.$/m);
  }, 180_000);
});
