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
import { checkTree } from '../src/sources/traceFilterByAddress.js';
import type { Address } from '../src/types.js';
import { dbContent } from './helpers/campaign.js';
import { startProxy, type ProxyOptions } from './helpers/proxy.js';
import { lazarus, tempDb, trace } from './helpers/trace.js';

let chain: AnvilHandle;
let seed: Address;
/** The forwarded transactions: each pays on in a nested frame, so its tree is read. */
const forwarded: string[] = [];

beforeAll(async () => {
  chain = await startAnvil();
  const s = createScenario(chain.url);
  const [from, a, b] = lazarus('ronin', 3, 11) as [Address, Address, Address];
  seed = from;
  await s.fund(from, 10n ** 20n);
  const forwarder = (await s.deploy('Forwarder', [await s.deployer()])).address;
  await s.mine(2);
  forwarded.push((await s.forward(forwarder, from, a, 3n * 10n ** 18n)).hash);
  await s.mine(3);
  forwarded.push((await s.forward(forwarder, from, b, 2n * 10n ** 18n)).hash);
  await s.mine(5);
}, 60_000);

afterAll(async () => {
  await chain?.stop();
});

/** A per-address trace from the seed through a proxy; the rows stored, the proxy's counters, the error if any. */
async function run(opts: ProxyOptions, setup?: (p: Awaited<ReturnType<typeof startProxy>>) => void) {
  const proxy = await startProxy(chain.url, opts);
  setup?.(proxy);
  const db = tempDb();
  try {
    const err = await trace(proxy.url, db, [seed], { hops: 2, strategy: 'address' }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    return { err, rows: dbContent(db), calls: { ...proxy.calls }, served: { ...proxy.served } };
  } finally {
    await proxy.stop();
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
    expect(() => checkTree([frame([], asked, 7), frame([0], other, 7)], asked, 7)).toThrow(InvalidResponseError);
    expect(() => checkTree([frame([], asked, 7), frame([0], other, 7)], asked, 7)).toThrow(/^trace_transaction for 0x11111111… returned a frame of transaction 0x22222222…$/);
    expect(() => checkTree([frame([], null, 7)], asked, 7)).toThrow(/returned a frame of no transaction$/);
    expect(() => checkTree([frame([], asked, 7), frame([0], asked, 8)], asked, 7)).toThrow(/^trace_transaction placed transaction 0x11111111… in block 8, trace_filter in block 7$/);
  });
});
