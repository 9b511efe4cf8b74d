/**
 * The two ways of reading native movements per block — Parity traces (trace_block) and Geth's
 * callTracer (debug_traceBlockByHash) — must give the same rows with the same refs, or a database filled
 * from both kinds of node would hold a transfer twice. Checked on anvil, which serves both, with a
 * contract that calls a precompile before paying out (the case where numberings could drift).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario, type Scenario } from '../src/devchain/scenario.js';
import { decodeCallFrames } from '../src/sources/callTracer.js';
import { toQuantity } from '../src/rpc/hex.js';
import type { ParityTrace } from '../src/rpc/actions/parityTrace.js';
import { decodeTraces } from '../src/sources/traces.js';
import { lazarus } from './helpers/trace.js';

const ETH = 10n ** 18n;
const [payer, payee] = lazarus('stake', 2) as [string, string];
/** Runtime code: STATICCALL ecrecover (0x01) with no input, then CALL payee with the whole callvalue. */
const PAYS_AFTER_PRECOMPILE = `0x6000600060006000${'6001'}5afa50${'6000600060006000'}3473${payee.slice(2)}5af15000`;
const CONTRACT = '0x00000000000000000000000000000000000c0de1';

let anvil: AnvilHandle;
let s: Scenario;

beforeAll(async () => {
  anvil = await startAnvil();
  s = createScenario(anvil.url);
  await s.rpc('anvil_setCode', [CONTRACT, PAYS_AFTER_PRECOMPILE]);
  await s.fund(payer, 10n * ETH);
});

afterAll(async () => {
  await anvil?.stop();
});

describe('per-block readers agree', () => {
  it('trace_block and callTracer give the same movements and refs around a precompile call', async () => {
    const tx = await s.sendEth(payer, CONTRACT, 1n * ETH);
    const q = toQuantity(tx.blockNumber);
    const parity = decodeTraces(await s.rpc<ParityTrace[]>('trace_block', [q]), 31337);
    const frames = await s.rpc('debug_traceBlockByHash', [tx.blockHash, { tracer: 'callTracer' }]);
    const geth = decodeCallFrames(frames, { number: tx.blockNumber, hash: tx.blockHash, txHashes: [tx.hash] }, 31337);
    expect(geth).toEqual(parity);
    expect(parity.map((t) => [t.kind, t.ref, t.from, t.to, t.amount])).toEqual([
      ['native', 'trace:', payer, CONTRACT, 1n * ETH],
      ['internal', 'trace:1', CONTRACT, payee, 1n * ETH],
    ]);
  });
});
