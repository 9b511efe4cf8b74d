import { randomBytes } from 'node:crypto';
import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { normalizeTxId, parseThorchainMemo, THORCHAIN_MEMO_MAX_BYTES, type ThorSwapMemo } from '../src/bridges/thorchainMemo.js';

/** A fresh 0x address (mixed-case checksum form, as wallets print it). */
const evm = (): string => Wallet.createRandom().address;
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
/** A bech32-shaped bc1q string of random characters: shaped like a Bitcoin address, owned by no one. */
const bech32 = (n: number): string => Array.from(randomBytes(n), (b) => BECH32[b % 32]).join('');
const btc = (): string => `bc1q${bech32(38)}`;
const hash = (): string => randomBytes(32).toString('hex');

function swap(memo: string): ThorSwapMemo {
  const m = parseThorchainMemo(memo);
  if (m.kind !== 'swap') throw new Error(`expected a swap, got ${m.kind}: ${m.kind === 'unknown' ? m.reason : ''}`);
  return m;
}

describe('THORChain swap memos', () => {
  it('reads the streaming form with limit, interval, quantity, affiliate and fee', () => {
    const to = btc();
    const m = swap(`=:BTC.BTC:${to}:1e6/1/0:t:10`);
    expect(m.function).toBe('=');
    expect(m.asset).toMatchObject({ notation: 'BTC.BTC', chainCode: 'BTC', form: 'layer1', abbreviated: false, contract: null });
    expect(m.destination).toEqual({ kind: 'external', text: to });
    expect(m.limit).toBe(1_000_000n);
    expect(m.streamInterval).toBe(1n);
    expect(m.streamQuantity).toBe(0n);
    expect(m.affiliate).toBe('t');
    expect(m.affiliateFee).toBe('10');
    expect(m.memo).toBe(`=:BTC.BTC:${to}:1e6/1/0:t:10`);
  });

  it('lower-cases an EVM destination and accepts every spelling of the function', () => {
    const to = evm();
    for (const fn of ['SWAP', 'swap', 'Swap', 's', '=']) {
      const m = swap(`${fn}:ETH.ETH:${to}`);
      expect(m.destination).toEqual({ kind: 'evm', address: to.toLowerCase() });
      expect(m.limit).toBeNull();
    }
  });

  it('expands the short codes of common/asset.go, case-sensitively', () => {
    const to = evm();
    expect(swap(`=:e:${to}`).asset.notation).toBe('ETH.ETH');
    expect(swap(`=:s:${to}`).asset.notation).toBe('BSC.BNB');
    expect(swap(`=:a:${to}`).asset.notation).toBe('AVAX.AVAX');
    expect(swap(`=:b:${btc()}`).asset.notation).toBe('BTC.BTC');
    expect(swap(`=:r:thor1${bech32(38)}`).asset.notation).toBe('THOR.RUNE');
    // `E` is no short code: without a chain separator it is not an asset we accept.
    expect(parseThorchainMemo(`=:E:${to}`)).toMatchObject({ kind: 'unknown' });
  });

  it('keeps an abbreviated token unresolved and a THORName as a name', () => {
    const m = swap('=:ETH.USDT:dx:100e7:t:10');
    expect(m.asset).toMatchObject({ notation: 'ETH.USDT', ticker: 'USDT', contract: null, abbreviated: true });
    expect(m.destination).toEqual({ kind: 'thorname', name: 'dx' });
    expect(m.limit).toBe(1_000_000_000n);
    expect(swap('=:ETH.USDT-ec7:dx').asset.abbreviated).toBe(true);
  });

  it('takes a full contract from the notation, lower-cased', () => {
    const token = evm();
    const m = swap(`=:ETH.USDT-${token.toUpperCase()}:${evm()}:628197586176`);
    expect(m.asset.contract).toBe(token.toLowerCase());
    expect(m.asset.abbreviated).toBe(false);
    expect(m.limit).toBe(628_197_586_176n);
  });

  it('tells synths and trade assets (they stay on THORChain) from layer-1 assets', () => {
    const thor = `thor1${bech32(38)}`;
    expect(swap(`=:ETH/USDC:${thor}`).asset.form).toBe('synth');
    const trade = swap(`=:BTC~BTC:${thor}:1e6/1/0:dx:10`);
    expect(trade.asset.form).toBe('trade');
    expect(trade.destination).toEqual({ kind: 'external', text: thor });
  });

  it('keeps an unlisted chain code as written, without mapping it', () => {
    const to = evm();
    const m = swap(`=:BASE.ETH:${to}`);
    expect(m.asset.chainCode).toBe('BASE');
    expect(m.destination).toEqual({ kind: 'external', text: to });
  });

  it('reads an empty destination as "the sender", and a refund address after /', () => {
    expect(swap('=:b::1e6').destination).toEqual({ kind: 'sender' });
    const to = btc();
    const refund = btc();
    const m = swap(`=:b:${to}/${refund}`);
    expect(m.destination).toEqual({ kind: 'external', text: to });
    expect(m.refundAddress).toBe(refund);
    expect(parseThorchainMemo(`=:b:/${refund}`)).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('refund address') });
  });

  it('computes limits exactly, dropping fractions as thornode does', () => {
    const to = btc();
    expect(swap(`=:b:${to}:1.5e8`).limit).toBe(150_000_000n);
    expect(swap(`=:b:${to}:1.23456789e2`).limit).toBe(123n);
    expect(swap(`=:b:${to}:0`).limit).toBeNull();
    expect(swap(`=:b:${to}:/3/0`).limit).toBeNull();
    expect(swap(`=:b:${to}:${'9'.repeat(40)}`).limit).toBe(BigInt('9'.repeat(40)));
  });

  it('drops what follows | as thornode does, and keeps it', () => {
    const to = btc();
    const m = swap(`=:b:${to}:0|anything:at:all`);
    expect(m.suffix).toBe('anything:at:all');
    expect(m.limit).toBeNull();
  });
});

describe('THORChain outbound and refund memos', () => {
  it('reads OUT: and REFUND: with the inbound hash in THORChain form', () => {
    const h = hash();
    expect(parseThorchainMemo(`OUT:${h}`)).toEqual({ kind: 'outbound', memo: `OUT:${h}`, txId: h.toUpperCase() });
    expect(parseThorchainMemo(`out:0x${h}`)).toMatchObject({ kind: 'outbound', txId: h.toUpperCase() });
    expect(parseThorchainMemo(`REFUND:${h.toUpperCase()}`)).toMatchObject({ kind: 'refund', txId: h.toUpperCase() });
    expect(normalizeTxId(`0x${h}`)).toBe(h.toUpperCase());
  });

  it('refuses a hash that is not 64 hex digits, or fields after it', () => {
    expect(parseThorchainMemo('OUT:xyz')).toMatchObject({ kind: 'unknown' });
    expect(parseThorchainMemo(`OUT:${hash().slice(1)}`)).toMatchObject({ kind: 'unknown' });
    expect(parseThorchainMemo(`OUT:${'g'.repeat(64)}`)).toMatchObject({ kind: 'unknown' });
    expect(parseThorchainMemo(`OUT:${hash()}:more`)).toMatchObject({ kind: 'unknown' });
    expect(parseThorchainMemo('OUT:')).toMatchObject({ kind: 'unknown' });
  });

  it('names the other memo types without treating them as crossings', () => {
    expect(parseThorchainMemo('ADD:BTC.BTC')).toMatchObject({ kind: 'other', type: 'add' });
    expect(parseThorchainMemo('MIGRATE:3494355')).toMatchObject({ kind: 'other', type: 'migrate' });
    expect(parseThorchainMemo('+:BTC/BTC::t:10')).toMatchObject({ kind: 'other', type: 'add' });
    expect(parseThorchainMemo('ragnarok:1')).toMatchObject({ kind: 'other', type: 'ragnarok' });
  });
});

describe('memos outside the grammar are unknown, never guessed', () => {
  const cases: Array<[string, string]> = [
    ['', 'empty'],
    ['FOO:bar', 'not a THORChain memo type'],
    ['=:', 'without an asset'],
    ['=:ETHETH:0xabc', 'no chain'],
    [`=:b:${'x'}:abc`, 'trade limit'],
    [`=:b:bc1q:1/2/3/4`, 'more than'],
    [`=:b:bc1q:1/x/0`, 'stream interval'],
    [`=:b:bc1q:1/0/-1`, 'stream quantity'],
    [`=:b:bc1q:1:t:ten`, 'affiliate fee'],
    [`=:b:bc1q:1:t:10:a:b:c:d`, 'at most 9'],
    ['=:b:bc1\u0000q', 'U+0000'],
    ['=:b:bc1q\u001b[31m', 'U+001B'],
    ['=:b:bc1q\u202e', 'U+202E'],
    ['=:b:bc1qé', 'U+00E9'],
  ];
  for (const [memo, reason] of cases) {
    it(`${JSON.stringify(memo).slice(0, 40)} → unknown (${reason})`, () => {
      const m = parseThorchainMemo(memo);
      expect(m.kind).toBe('unknown');
      expect(m.kind === 'unknown' && m.reason).toContain(reason);
      expect(m.memo).toBe(memo);
    });
  }

  it('a 10,000-character memo is over the byte limit, and kept whole', () => {
    const memo = `=:b:${'a'.repeat(10_000 - 4)}`;
    const m = parseThorchainMemo(memo);
    expect(m).toMatchObject({ kind: 'unknown', reason: expect.stringContaining(`${THORCHAIN_MEMO_MAX_BYTES}-byte`) });
    expect(m.memo.length).toBe(10_000);
  });

  it('the limit is counted in bytes, not characters', () => {
    const ok = `=:b:${'a'.repeat(THORCHAIN_MEMO_MAX_BYTES - 4)}`;
    expect(parseThorchainMemo(ok).kind).not.toBe('unknown');
    expect(parseThorchainMemo(`${ok}a`).kind).toBe('unknown');
  });
});
