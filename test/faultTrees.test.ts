/**
 * Whole call trees (trace_transaction) are checked as every other trace answer is: a tree whose frames
 * name another block's hash is refused and asked again, then the run stops with one sentence; nothing of
 * it is stored. The trees are read by the per-address plan for the transactions where trace_filter found
 * nested frames (a contract paying on): here a Forwarder paying on what it was sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import { InvalidResponseError } from '../src/errors.js';
import type { ParityTrace } from '../src/rpc/actions/parityTrace.js';
import { checkTree, lackedFrame } from '../src/sources/traceFilterByAddress.js';
import type { Address } from '../src/types.js';
import type { Strategy } from '../src/sources/fetcher.js';
import { dbContent } from './helpers/campaign.js';
import { startHostileNode, type Call, type Lie } from './helpers/hostileNode.js';
import { startProxy, type ProxyOptions } from './helpers/proxy.js';
import { lazarus, tempDb, trace } from './helpers/trace.js';

let chain: AnvilHandle;
let seed: Address;
let forwarder: Address;
/** The forwarded transactions: each pays on in a nested frame, so its tree is read. */
const forwarded: string[] = [];

beforeAll(async () => {
  chain = await startAnvil();
  const s = createScenario(chain.url);
  const [from, a, b] = lazarus('ronin', 3, 11) as [Address, Address, Address];
  seed = from;
  await s.fund(from, 10n ** 20n);
  forwarder = (await s.deploy('Forwarder', [await s.deployer()])).address as Address;
  await s.mine(2);
  forwarded.push((await s.forward(forwarder, from, a, 3n * 10n ** 18n)).hash);
  await s.mine(3);
  forwarded.push((await s.forward(forwarder, from, b, 2n * 10n ** 18n)).hash);
  await s.mine(5);
}, 60_000);

afterAll(async () => {
  await chain?.stop();
});

/** A trace from the seed through a proxy (per address unless told); the rows stored, the proxy's counters, the error if any. */
async function run(opts: ProxyOptions, setup?: (p: Awaited<ReturnType<typeof startProxy>>) => void, strategy: Strategy = 'address') {
  const proxy = await startProxy(chain.url, opts);
  setup?.(proxy);
  const db = tempDb();
  try {
    const err = await traceOnce(proxy.url, db, strategy);
    return { err, rows: dbContent(db), calls: { ...proxy.calls }, served: { ...proxy.served } };
  } finally {
    await proxy.stop();
  }
}

/** The trace from the seed at `url`: null, or the error it ended with. */
const traceOnce = (url: string, db: string, strategy: Strategy): Promise<Error | null> =>
  trace(url, db, [seed], { hops: 2, strategy }).then(
    () => null,
    (e: unknown) => e as Error,
  );

/**
 * A trace (per address unless told) through a liar that hands `edit` the node's trace_transaction answer
 * for `asked` to change in place, and answers the calls `refuse` gives an error for with that JSON-RPC
 * error. The rows, the liar's counters, the error if any.
 */
async function runTreeLiar(
  asked: string,
  edit: (frames: { traceAddress: number[]; transactionHash?: string }[]) => void,
  opts: { strategy?: Strategy; refuse?: (call: Call) => { code: number; message: string } | undefined } = {},
) {
  const lie: Lie = async (call, ctx) => {
    const error = opts.refuse?.(call);
    if (error !== undefined) return { json: { jsonrpc: '2.0', id: call.id, error } };
    const answer = await ctx.forward();
    if (call.method === 'trace_transaction' && call.params[0] === asked && Array.isArray(answer.result)) {
      edit(answer.result as { traceAddress: number[]; transactionHash?: string }[]);
    }
    return { json: answer };
  };
  const node = await startHostileNode(chain.url, lie, { maxRequests: 500, maxMs: 60_000 });
  const db = tempDb();
  try {
    const err = await traceOnce(node.url, db, opts.strategy ?? 'address');
    expect(node.overLimit(), 'the run ended by itself').toBe(0);
    return { err, rows: dbContent(db).transfers, calls: { ...node.calls } };
  } finally {
    await node.stop();
  }
}

const internalOf = (rows: string[], tx: string): string[] => rows.filter((r) => r.includes(tx.slice(2)) && r.includes('"kind":"internal"'));

describe('trace_transaction trees of another block', () => {
  let clean: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    clean = await run({});
  }, 60_000);

  it('are read on the clean run: the forwarded payments come from the trees', () => {
    expect(clean.err).toBeNull();
    // The probe asks one; each forwarded transaction's tree is read once.
    expect(clean.calls['trace_transaction'] ?? 0).toBeGreaterThanOrEqual(1 + forwarded.length);
    for (const tx of forwarded) expect(internalOf(clean.rows.transfers, tx), tx).toHaveLength(1);
  });

  it('stop the run with one sentence when every tree carries a foreign block hash, and nothing of them is stored', async () => {
    const faulty = await run({ faults: { rate: 1, seed: 1, kinds: ['wrong-block'], methods: ['trace_transaction'] } });
    expect(faulty.served['wrong-block'] ?? 0).toBeGreaterThan(0);
    // Nothing of the tampered trees is stored (before the check, their rows were, and the run then took
    // them for a reorg deeper than the finality depth).
    expect(faulty.rows.transfers.filter((r) => r.includes('bababa'))).toEqual([]);
    for (const tx of forwarded) expect(internalOf(faulty.rows.transfers, tx), tx).toEqual([]);
    expect(faulty.err?.message).toMatch(
      /^trace_transaction at http:\/\/127\.0\.0\.1:\d+ gave an inconsistent answer 4 times in a row \(trace_transaction returned block \d+ with hash 0xbababa[^)]*\); nothing of it was stored\.$/,
    );
    expect(faulty.err?.message.split('\n')).toHaveLength(1);
    // The header the check read was the one trace_filter's answer was checked with: no wrong block stored either.
    expect(faulty.rows.blocks.filter((r) => r.includes('bababa'))).toEqual([]);
  }, 60_000);

  it('are asked again when a few trees carry a foreign block hash: the fault-free rows, one call more per refused tree', async () => {
    const faulty = await run({}, (p) => p.inject('wrong-block', { times: 3, method: 'trace_transaction' }));
    const tampered = faulty.served['wrong-block'] ?? 0;
    expect(faulty.err).toBeNull();
    expect(tampered).toBeGreaterThan(0);
    expect(faulty.calls['trace_transaction']).toBe((clean.calls['trace_transaction'] ?? 0) + tampered);
    expect(faulty.rows.transfers).toEqual(clean.rows.transfers);
    expect(faulty.rows.blocks).toEqual(clean.rows.blocks);
  }, 60_000);

  it('stop the run when a tree names another transaction than the one asked: nothing of it stored', async () => {
    // The tree of the first forwarded transaction, handed out as the second's (its frames renamed):
    // its payment would be stored under the other transaction.
    const [asked, other] = forwarded as [string, string];
    const { err, rows } = await runTreeLiar(asked, (frames) => {
      for (const f of frames) f.transactionHash = other;
    });
    for (const r of rows) expect(clean.rows.transfers, r).toContain(r);
    expect(internalOf(rows, asked)).toEqual([]);
    expect(err?.message).toMatch(
      new RegExp(`^trace_transaction at http://127\\.0\\.0\\.1:\\d+ gave an inconsistent answer 4 times in a row \\(trace_transaction for ${asked.slice(0, 10)}… returned a frame of transaction ${other.slice(0, 10)}…\\); nothing of it was stored\\.$`),
    );
  }, 60_000);

  it.each([
    { times: 2, outcome: 'are read again: the clean rows, one call more per lacking tree' },
    { times: Number.POSITIVE_INFINITY, outcome: 'stop the run with one sentence when every tree lacks it' },
  ])('trees lacking a frame trace_filter returned (its payment would be dropped unseen) $outcome', async ({ times }) => {
    const asked = forwarded[0]!;
    let cut = 0;
    // The nested frames cut: the tree keeps the top call only.
    const { err, rows, calls } = await runTreeLiar(asked, (frames) => {
      if (cut >= times) return;
      cut += 1;
      frames.splice(0, frames.length, ...frames.filter((f) => f.traceAddress.length === 0));
    });
    if (times === 2) {
      expect(err).toBeNull();
      expect(cut).toBe(2);
      expect(calls['trace_transaction']).toBe((clean.calls['trace_transaction'] ?? 0) + 2);
      expect(rows).toEqual(clean.rows.transfers);
    } else {
      for (const r of rows) expect(clean.rows.transfers, r).toContain(r);
      expect(err?.message).toMatch(
        new RegExp(`^trace_transaction at http://127\\.0\\.0\\.1:\\d+ gave an inconsistent answer 4 times in a row \\(the tree of transaction ${asked.slice(0, 10)}… lacks frame 0, which trace_filter returned\\); nothing of it was stored\\.$`),
      );
    }
  }, 60_000);

  it('are checked alike in the set plan where trace_block is not served (its trees read per transaction)', async () => {
    // The enclosing-frame query (trace_filter of the calls into the forwarder) refused as too large: the
    // transactions are left to tree reads, here trace_transaction.
    const enclosing = (c: { method: string; params: unknown }): boolean => {
      const to = (c.params as { toAddress?: unknown }[])[0]?.toAddress;
      return c.method === 'trace_filter' && Array.isArray(to) && to.length === 1 && String(to[0]).toLowerCase() === forwarder;
    };
    const setClean = await run({ refuse: ['trace_block'], tooMany: enclosing }, undefined, 'set');
    expect(setClean.err).toBeNull();
    expect(setClean.calls['trace_transaction'] ?? 0).toBeGreaterThanOrEqual(1 + forwarded.length);
    const faulty = await run({ refuse: ['trace_block'], tooMany: enclosing, faults: { rate: 1, seed: 1, kinds: ['wrong-block'], methods: ['trace_transaction'] } }, undefined, 'set');
    expect(faulty.served['wrong-block'] ?? 0).toBeGreaterThan(0);
    for (const r of faulty.rows.transfers) expect(setClean.rows.transfers, r).toContain(r);
    for (const tx of forwarded) expect(internalOf(faulty.rows.transfers, tx), tx).toEqual([]);
    expect(faulty.err?.message).toMatch(/^trace_transaction at http:\/\/127\.0\.0\.1:\d+ gave an inconsistent answer 4 times in a row \(trace_transaction returned block \d+ with hash 0xbababa/);
  }, 60_000);

  it('in the set plan, name trace_transaction when it, not trace_block, gave the lacking tree', async () => {
    // trace_block is served (the probe) but fails for the first forwarded transaction's block, and the
    // enclosing-frame query is refused as too large: that tree is read by trace_transaction, which cuts
    // its nested frame every time.
    const asked = forwarded[0]!;
    const block = Number((await createScenario(chain.url).rpc<{ blockNumber: string }>('eth_getTransactionReceipt', [asked])).blockNumber);
    const { err } = await runTreeLiar(
      asked,
      (frames) => void frames.splice(0, frames.length, ...frames.filter((f) => f.traceAddress.length === 0)),
      {
        strategy: 'set',
        refuse: (c) => {
          if (c.method === 'trace_block' && c.params[0] === `0x${block.toString(16)}`) return { code: -32000, message: 'tracing failed' };
          const to = (c.params[0] as { toAddress?: unknown } | undefined)?.toAddress;
          if (c.method === 'trace_filter' && Array.isArray(to) && to.length === 1 && String(to[0]).toLowerCase() === forwarder) {
            return { code: -32005, message: 'query returned more than 10000 results' };
          }
          return undefined;
        },
      },
    );
    expect(err?.message).toMatch(new RegExp(`^trace_transaction at http://127\\.0\\.0\\.1:\\d+ gave an inconsistent answer 4 times in a row \\(the tree of transaction ${asked.slice(0, 10)}… lacks frame 0`));
  }, 60_000);

  it('read no header for the check: a run that reads no trees reads the same headers', async () => {
    // Without trace_transaction the nested frames are decoded as trace_filter gave them (same rows here:
    // nothing reverted); the headers read are those of trace_filter's checks and of the path steps.
    const noTrees = await run({ refuse: ['trace_transaction'] });
    expect(noTrees.err).toBeNull();
    expect(noTrees.calls['trace_transaction']).toBe(1); // the probe
    expect(noTrees.rows.transfers).toEqual(clean.rows.transfers);
    expect(clean.calls['eth_getBlockByNumber'] ?? 0).toBeGreaterThan(0);
    expect(clean.calls['eth_getBlockByNumber']).toBe(noTrees.calls['eth_getBlockByNumber']);
  }, 60_000);
});

describe('a trace_transaction tree of another transaction or block (checkTree)', () => {
  const asked = `0x${'11'.repeat(32)}`;
  const other = `0x${'22'.repeat(32)}`;
  const frame = (traceAddress: number[], tx: string | null, block: number): ParityTrace => ({
    type: 'call',
    action: { from: `0x${'aa'.repeat(20)}`, to: `0x${'bb'.repeat(20)}`, value: '0x1', callType: 'call' },
    traceAddress,
    transactionHash: tx,
    blockNumber: block,
    blockHash: `0x${'cc'.repeat(32)}`,
  });

  it('is refused when a frame names another transaction, none, or another block than trace_filter placed it in', () => {
    expect(() => checkTree([frame([], asked, 7), frame([0], asked, 7)], asked, 7)).not.toThrow();
    // The same hash in other letters is the same transaction.
    const upper = `0x${'ab'.repeat(32).toUpperCase()}`;
    expect(() => checkTree([frame([], upper, 7)], upper.toLowerCase(), 7)).not.toThrow();
    expect(() => checkTree([frame([], asked, 7), frame([0], other, 7)], asked, 7)).toThrow(InvalidResponseError);
    expect(() => checkTree([frame([], asked, 7), frame([0], other, 7)], asked, 7)).toThrow(/^trace_transaction for 0x11111111… returned a frame of transaction 0x22222222…$/);
    expect(() => checkTree([frame([], null, 7)], asked, 7)).toThrow(/returned a frame of no transaction$/);
    expect(() => checkTree([frame([], asked, 7), frame([0], asked, 8)], asked, 7)).toThrow(/^trace_transaction placed transaction 0x11111111… in block 8, trace_filter in block 7$/);
  });

  it('lacks a frame trace_filter returned when no frame has its trace address (lackedFrame)', () => {
    const tree = [frame([], asked, 7), frame([0], asked, 7), frame([0, 1], asked, 7)];
    expect(lackedFrame(tree, ['', '0', '0.1'])).toBeUndefined();
    expect(lackedFrame(tree, ['0', '1'])).toBe('1');
    expect(lackedFrame(tree.slice(1), ['0.1', ''])).toBe('');
    expect(lackedFrame(tree, ['0.1.0'])).toBe('0.1.0');
  });
});
