/**
 * `verify` judges a hop only by answers checked as the trace checks its reads: a call tree or a receipt
 * carrying another block's hash than the header names, or a tree of another transaction, is asked again
 * and then ends the run in one sentence; no hop holds (or fails) by it. The report is a real trace of an
 * anvil chain (a seed paying Binance through a Forwarder, twice alike, and a token to Garantex); the
 * faults come from the test proxy or a liar in front of the same anvil (127.0.0.1, bounded). The CLI
 * case runs the built CLI (`npm run build` first; npm test does).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import { InconsistentAnswerError } from '../src/rpc/errors.js';
import { createRpcClient } from '../src/rpc/client.js';
import { toJson } from '../src/report/json.js';
import type { TraceResult } from '../src/trace/result.js';
import type { Address } from '../src/types.js';
import { verifyReport, type VerifyResult } from '../src/verify/verify.js';
import { hoptrace } from './helpers/cli.js';
import { startHostileNode, type Lie } from './helpers/hostileNode.js';
import { startProxy, type ProxyOptions } from './helpers/proxy.js';
import { lazarus, tempDb, trace, venue } from './helpers/trace.js';

const ETH = 10n ** 18n;
const BINANCE = venue('Binance')[0]!.address;
const GARANTEX = venue('Garantex')[0]!.address;

let chain: AnvilHandle;
let report: TraceResult;
/** The two forwarded payments (alike: same sender, recipient and amount, in different blocks). */
const forwarded: string[] = [];
let tokenTx: string;
let clean: Awaited<ReturnType<typeof viaProxy>>;

beforeAll(async () => {
  chain = await startAnvil();
  const s = createScenario(chain.url);
  const [seed] = lazarus('ronin', 1, 17) as [Address];
  await s.fund(seed, 100n * ETH);
  const forwarder = (await s.deploy('Forwarder', [await s.deployer()])).address as Address;
  const token = (await s.deploy('TestToken', ['Test (fixture)', 'TST', 6])).address as Address;
  await s.mintToken(token, seed, 1_000n);
  await s.mine(2);
  forwarded.push((await s.forward(forwarder, seed, BINANCE, 3n * ETH)).hash);
  await s.mine(3);
  forwarded.push((await s.forward(forwarder, seed, BINANCE, 3n * ETH)).hash);
  tokenTx = (await s.tokenTransfer(token, seed, GARANTEX, 1_000n)).hash;
  await s.mine(5);
  report = await trace(chain.url, tempDb(), [seed], { hops: 3 });
  // The verdicts and calls of an honest node, for the fault cases to compare with.
  clean = await viaProxy({});
}, 90_000);

afterAll(async () => {
  await chain?.stop();
});

/** The hops of the report as verify sees them (`txHash ref`). */
const hops = (r: TraceResult): string[] => [...new Set(r.hits.flatMap((h) => h.path.map((s) => `${s.txHash} ${s.ref}`)))].sort();

/** verify at `url`: its result, or the error it ended with. */
const verifyAt = (url: string): Promise<VerifyResult | Error> =>
  verifyReport(report, createRpcClient({ url, rps: 500, timeoutMs: 10_000 })).catch((e: unknown) => e as Error);

/** verify through the test proxy: the outcome and the proxy's counters. */
async function viaProxy(opts: ProxyOptions, setup?: (p: Awaited<ReturnType<typeof startProxy>>) => void) {
  const proxy = await startProxy(chain.url, opts);
  setup?.(proxy);
  try {
    const out = await verifyAt(proxy.url);
    return { out, calls: { ...proxy.calls }, served: { ...proxy.served } };
  } finally {
    await proxy.stop();
  }
}

/**
 * verify through a liar that may replace the node's answer to a call: `edit` returns the new result, or
 * undefined to keep it; `refused` methods are answered as not served.
 */
async function viaLiar(edit: (method: string, params: unknown[], result: unknown) => Promise<unknown> | unknown, refused: readonly string[] = []) {
  const lie: Lie = async (call, ctx) => {
    if (refused.includes(call.method)) return { json: { jsonrpc: '2.0', id: call.id, error: { code: -32601, message: 'Method not found' } } };
    const answer = await ctx.forward();
    const changed = answer.result === undefined ? undefined : await edit(call.method, call.params, answer.result);
    return { json: changed === undefined ? answer : { ...answer, result: changed } };
  };
  const node = await startHostileNode(chain.url, lie, { maxRequests: 500, maxMs: 60_000 });
  try {
    const out = await verifyAt(node.url);
    expect(node.overLimit(), 'verify ended by itself').toBe(0);
    return out;
  } finally {
    await node.stop();
  }
}

/** A one-line sentence of an inconsistent answer of `method`, naming `why`. */
const sentence = (method: string, why: string): RegExp =>
  new RegExp(`^${method} at http://127\\.0\\.0\\.1:\\d+ gave an inconsistent answer 4 times in a row \\(${why}[^\\n]*\\); nothing of it was stored\\.$`);

/** A JSON-RPC call to anvil itself (no proxy). */
async function ask(method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(chain.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return ((await res.json()) as { result: unknown }).result;
}

describe('verify against answers of another block or transaction', () => {
  it('holds on the clean node, the forwarded payment judged by its tree and the token by its receipt', () => {
    const r = clean.out as VerifyResult;
    expect(r).not.toBeInstanceOf(Error);
    expect(r.failed).toBe(0);
    expect(r.checks.map((c) => `${c.txHash} ${c.ref}`).sort()).toEqual(hops(report));
    expect(hops(report)).toContain(`${forwarded[0]} trace:0`);
    expect(hops(report)).toContain(`${tokenTx} log:0`);
    expect(clean.calls['trace_transaction'] ?? 0).toBeGreaterThan(0);
    // The checks read no header more than the block-hash comparison: one per block of the report's hops.
    expect(clean.calls['eth_getBlockByNumber']).toBe(new Set(report.hits.flatMap((h) => h.path.map((s) => s.blockNumber))).size);
  });

  it('never confirms a hop from trees carrying a foreign block hash: one sentence, no verdict', async () => {
    const faulty = await viaProxy({ faults: { rate: 1, seed: 1, kinds: ['wrong-block'], methods: ['trace_transaction'] } });
    expect(faulty.served['wrong-block'] ?? 0).toBeGreaterThan(0);
    // Before the check, every hop held (the tree's block number was right, its hash never compared).
    expect(faulty.out).toBeInstanceOf(InconsistentAnswerError);
    expect((faulty.out as Error).message).toMatch(sentence('trace_transaction', 'trace_transaction returned block \\d+ with hash 0xbababa'));
  }, 60_000);

  it('hoptrace verify prints no verdict then: one sentence on stderr, exit 1', async () => {
    const file = join(dirname(tempDb()), 'report.json');
    writeFileSync(file, toJson(report));
    const proxy = await startProxy(chain.url, { faults: { rate: 1, seed: 1, kinds: ['wrong-block'], methods: ['trace_transaction'] } });
    try {
      const r = await hoptrace(['verify', file, '--rpc', proxy.url]);
      expect(r.code).toBe(1);
      expect(r.stdout).not.toMatch(/holds|FAILS/);
      expect(r.stderr).toMatch(/^hoptrace: trace_transaction at http:\/\/127\.0\.0\.1:\d+ gave an inconsistent answer 4 times in a row \(trace_transaction returned block \d+ with hash 0xbababa/m);
      expect(r.stderr).not.toContain('    at ');
      // The same report holds on the honest node.
      expect((await hoptrace(['verify', file, '--rpc', chain.url])).code).toBe(0);
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  it('asks again for a few such trees: the clean verdicts, one call more per refused tree', async () => {
    const faulty = await viaProxy({}, (p) => p.inject('wrong-block', { times: 2, method: 'trace_transaction' }));
    expect(faulty.served['wrong-block']).toBe(2);
    expect((faulty.out as VerifyResult).checks).toEqual((clean.out as VerifyResult).checks);
    expect(faulty.calls['trace_transaction']).toBe((clean.calls['trace_transaction'] ?? 0) + 2);
    // A refused tree's header is read again too (it may have been the wrong answer).
    expect(faulty.calls['eth_getBlockByNumber']).toBe((clean.calls['eth_getBlockByNumber'] ?? 0) + 2);
  }, 60_000);

  it('never confirms a hop from the tree of another transaction, however well it fits the block', async () => {
    // The second forwarded payment is the first's twin: its tree, set in the first's block (number and
    // real hash), would confirm every field of the first's hop.
    const [asked, twin] = forwarded as [string, string];
    const twinTree = (await ask('trace_transaction', [twin])) as { blockNumber: number; blockHash: string }[];
    const askedReceipt = (await ask('eth_getTransactionReceipt', [asked])) as { blockNumber: string; blockHash: string };
    const out = await viaLiar((method, params) =>
      method === 'trace_transaction' && params[0] === asked
        ? twinTree.map((f) => ({ ...f, blockNumber: Number.parseInt(askedReceipt.blockNumber, 16), blockHash: askedReceipt.blockHash }))
        : undefined,
    );
    expect(out).toBeInstanceOf(InconsistentAnswerError);
    expect((out as Error).message).toMatch(sentence('trace_transaction', `trace_transaction for ${asked.slice(0, 10)}… returned a frame of transaction ${twin.slice(0, 10)}…`));
  }, 60_000);

  it('judges no hop by a receipt carrying a foreign block hash (before, the token hop FAILED by it)', async () => {
    const foreign = `0x${'ba'.repeat(32)}`;
    const out = await viaLiar((method, params, result) => {
      if (method !== 'eth_getTransactionReceipt' || params[0] !== tokenTx) return undefined;
      const r = result as { blockHash: string; logs: { blockHash: string }[] };
      return { ...r, blockHash: foreign, logs: r.logs.map((l) => ({ ...l, blockHash: foreign })) };
    });
    expect(out).toBeInstanceOf(InconsistentAnswerError);
    expect((out as Error).message).toMatch(sentence('eth_getTransactionReceipt', 'eth_getTransactionReceipt returned block \\d+ with hash 0xbababa'));
  }, 60_000);

  it('on a node without trace methods, judges no top call by a transaction answer of another block', async () => {
    const foreign = `0x${'ba'.repeat(32)}`;
    const asked = forwarded[0]!;
    const honest = await viaLiar(() => undefined, ['trace_transaction']);
    // The top call holds from the transaction itself; the internal one cannot be checked there.
    expect((honest as VerifyResult).checks.find((c) => c.txHash === asked && c.ref === 'trace:')?.ok).toBe(true);
    const out = await viaLiar((method, params, result) => (method === 'eth_getTransactionByHash' && params[0] === asked ? { ...(result as object), blockHash: foreign } : undefined), ['trace_transaction']);
    expect(out).toBeInstanceOf(InconsistentAnswerError);
    expect((out as Error).message).toMatch(sentence('eth_getTransactionByHash', 'eth_getTransactionByHash returned block \\d+ with hash 0xbababa'));
  }, 60_000);
});
