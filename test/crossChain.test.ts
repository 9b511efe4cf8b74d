/**
 * The pure parts of a cross-chain trace, without a node: how `--rpc` values and seeds name their chain,
 * and how an exit reads in the report (the promise in words, the frontier row).
 */
import { describe, expect, it } from 'vitest';
import { parseThorchainMemo } from '../src/bridges/index.js';
import type { BridgeExit } from '../src/bridges/types.js';
import { parseSeedArg, planRpc } from '../src/cli/rpc.js';
import { UsageError } from '../src/errors.js';
import { arrivalWindow, frontierRowOf, hitExitOf, promisedWords } from '../src/trace/crossChain.js';
import type { Hit, HitExit, TraceResult } from '../src/trace/result.js';
import { promisedText } from '../src/report/crossChain.js';
import { renderFrontierCsv } from '../src/report/formats/frontier.js';

const A = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';
const ROUTER = '0xd37bbe5744d730a1d98d8dc97c42f0ca46ad7146';
const TX = `0x${'ab'.repeat(32)}`;

describe('--rpc and seeds name their chain', () => {
  it('splits bare URLs (the home pool) from named chains, by name or id, several per chain a pool', () => {
    const plan = planRpc(['http://a.example/v2/key?x=1', 'bsc=https://b.example', '56=https://c.example', '31337=http://127.0.0.1:8545']);
    expect(plan.bare).toEqual(['http://a.example/v2/key?x=1']);
    expect(plan.named).toEqual([
      { name: 'bsc', chainId: 56, urls: ['https://b.example', 'https://c.example'] },
      { name: '31337', chainId: 31337, urls: ['http://127.0.0.1:8545'] },
    ]);
  });

  it('refuses a chain name it does not know, in one sentence', () => {
    expect(() => planRpc(['bnb=https://b.example'])).toThrow(UsageError);
    expect(() => planRpc(['bnb=https://b.example'])).toThrow(/"bnb" is not a chain/);
    // Said for what it is (it was "RPC URL *** is not an http(s) URL", the whole value masked).
    expect(() => planRpc(['bsc='])).toThrow(/^--rpc bsc= names a chain but gives no URL after it\.$/);
    expect(() => planRpc(['99999999999999999=https://b.example'])).toThrow(/chain id too large: "99999999999999999" is not an EIP-155 chain id/);
    expect(() => parseSeedArg(`0:${A}`)).toThrow(/chain id 0: "0" is not an EIP-155 chain id/);
    // A chain part that is no name or id at all: the part said, the URL not (it was masked as a bad URL).
    for (const bad of ['-1=https://b.example/KEY', '=https://b.example/KEY', ' bsc =https://b.example/KEY']) {
      expect(() => planRpc([bad]), bad).toThrow(/the part before "=" is not a chain/);
      expect(() => planRpc([bad]), bad).not.toThrow(/KEY/);
    }
    // A URL whose query holds `=` is still a URL.
    expect(planRpc(['http://a.example/v2/key?x=1']).bare).toEqual(['http://a.example/v2/key?x=1']);
  });

  it('reads `chain:0x…` seeds, and refuses a chain the run has no endpoint for', () => {
    expect(parseSeedArg(A)).toEqual({ address: A });
    expect(parseSeedArg(`bsc:${A}`, new Set([1, 56]))).toEqual({ address: A, chainId: 56 });
    expect(parseSeedArg(`10:${A}`)).toEqual({ address: A, chainId: 10 });
    expect(() => parseSeedArg(`polygon:${A}`, new Set([1]))).toThrow(/has no --rpc in this run/);
  });
});

function thorExit(memo: string): BridgeExit {
  const m = parseThorchainMemo(memo);
  if (m.kind !== 'swap') throw new Error('not a swap memo');
  const limit = m.limit;
  return {
    protocol: 'thorchain',
    event: 'Deposit',
    source: { chainId: 1, txHash: TX, logIndex: 2, blockNumber: 9, contract: ROUTER },
    sender: null,
    paid: { asset: { kind: 'native', chainId: 1 }, amount: 10n ** 18n },
    destination: { kind: 'named', protocolCode: 'BTC', name: 'Bitcoin' },
    recipient: m.destination,
    promised: { asset: { kind: 'thorchain', notation: 'BTC.BTC', chainCode: 'BTC', symbol: 'BTC', ticker: 'BTC', contract: null, form: 'layer1', abbreviated: false }, amount: limit, amountKind: limit === null ? 'none' : 'minimum' },
    link: { kind: 'exact', key: `thorchain:${TX.slice(2).toUpperCase()}`, txHash: TX.slice(2).toUpperCase() },
    deadline: null,
    memo: m,
    caveats: [],
  };
}

describe('an exit in the report', () => {
  it('says where the funds left, to whom, via what, and what was promised', () => {
    const btc = 'bc1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9';
    const e = hitExitOf(thorExit(`=:b:${btc}:12000000000`), A, 1_700_000_000, 'non-evm', 'Bitcoin is not an EVM chain');
    expect(e.summary).toBe(`left to BTC ${btc} via THORChain, at least 120 BTC promised`);
    expect(e).toMatchObject({ evidence: 'fact', promise: 'protocol', destination: { kind: 'named', code: 'BTC', chainId: null }, paid: { asset: 'native', amount: 10n ** 18n } });
    expect(hitExitOf(thorExit(`=:b:${btc}`), A, null, 'non-evm', '').summary).toBe(`left to BTC ${btc} via THORChain, no amount promised`);
  });

  it('gives one frontier row with the same facts', () => {
    const exit = hitExitOf(thorExit('=:b:bc1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9:150000000'), A, 5, 'non-evm', 'why');
    const hit = { seed: A, hops: 3, exit } as unknown as Hit & { exit: HitExit };
    expect(frontierRowOf(hit)).toEqual({
      chainId: null, chain: 'Bitcoin', address: 'bc1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9', asset: 'BTC.BTC', symbol: 'BTC', decimals: 8,
      amount: 150000000n, amountKind: 'minimum', protocol: 'thorchain', fromChainId: 1, txHash: TX, seed: A, hop: 3, reason: 'non-evm', reasonText: 'why',
    });
    expect(promisedWords(exit.promised)).toBe('at least 1.5 BTC');
  });

  it("states the promise in the exit's summary with the figure the frontier and its CSV print (grouped, scaled, base units said as such)", () => {
    const base = thorExit('=:b:bc1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9');
    const token = `0x${'cd'.repeat(20)}`;
    const cases: [BridgeExit['promised'], string][] = [
      // A token the protocol names without decimals: base units, grouped, as the frontier shows them.
      [{ asset: { kind: 'token', chainId: 137, address: token }, amount: 10n ** 18n, amountKind: 'exact' }, `1,000,000,000,000,000,000 units of ${token}`],
      // THORChain's 1e8 units: scaled and grouped.
      [{ ...base.promised, amount: 1_234_567_850_000_000n, amountKind: 'minimum' }, 'at least 12,345,678.5 BTC'],
    ];
    for (const [promised, words] of cases) {
      const e = hitExitOf({ ...base, promised }, A, 5, 'no-endpoint', 'why');
      expect(e.summary).toContain(`, ${words} promised`);
      const row = frontierRowOf({ seed: A, hops: 1, exit: e } as unknown as Hit & { exit: HitExit });
      const csv = renderFrontierCsv({ chainId: 1, labelChain: 'ethereum', params: {}, frontier: [row] } as unknown as TraceResult);
      const figure = words.replace(/^at least /, '').replace(/ (units of|BTC).*$/, '');
      expect(csv).toContain(figure);
      expect(promisedText(e.promised)).toContain(figure);
      expect(e.summary).not.toMatch(/\d{7}/);
    }
  });

  it('looks for an Across fill until its deadline, and for others within our window', () => {
    const across = { ...thorExit('=:b:bc1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9'), protocol: 'across' as const, deadline: 1_000_600 };
    expect(arrivalWindow(across, 1_000_000)).toBe(600);
    expect(arrivalWindow(thorExit('=:b:bc1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9'), 1_000_000)).toBe(2 * 86_400);
  });
});
