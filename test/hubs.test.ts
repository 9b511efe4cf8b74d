/**
 * The hub pre-check (src/trace/hubs.ts) on an in-memory nonce and token source: which accounts are
 * taken for a hub before their transfers are fetched, and which questions that costs. Its use by the
 * walk (which windows are worth a pre-check) is in walk.test.ts; on anvil, in deposits.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BUSY_SENDER_NONCE, hubPrecheck, type HubFacts } from '../src/trace/hubs.js';
import type { Address } from '../src/types.js';
import { addr } from './helpers/walk.js';

/** Nonces and token contracts in memory; records what was asked. */
function facts(nonces: Map<Address, number | null>, tokens: Address[]): HubFacts & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async nonce(a) {
      asked.push(`nonce ${a}`);
      return nonces.has(a) ? nonces.get(a)! : 0;
    },
    async isToken(a) {
      asked.push(`isToken ${a}`);
      return tokens.includes(a);
    },
  };
}

describe('hubPrecheck', () => {
  it('an account that has sent BUSY_SENDER_NONCE transactions or more is a busy sender, its nonce the degree', async () => {
    const [busy, almost] = [addr(), addr()];
    const f = facts(new Map([[busy, BUSY_SENDER_NONCE], [almost, BUSY_SENDER_NONCE - 1]]), [busy]);
    expect(await hubPrecheck(f, busy)).toEqual({ address: busy, degree: BUSY_SENDER_NONCE, kind: 'busy-sender' });
    expect(await hubPrecheck(f, almost)).toBeNull();
    // A busy sender is not asked decimals(); neither is an account that has sent transactions of its own.
    expect(f.asked).toEqual([`nonce ${busy}`, `nonce ${almost}`]);
  });

  it('a contract at nonce 0 or 1 that answers decimals() is a token hub; at nonce 2 it is left to the degree check', async () => {
    const [t0, t1, t2, plain] = [addr(), addr(), addr(), addr()];
    const f = facts(new Map([[t0, 0], [t1, 1], [t2, 2], [plain, 1]]), [t0, t1, t2]);
    expect(await hubPrecheck(f, t0)).toEqual({ address: t0, degree: 0, kind: 'token' });
    expect(await hubPrecheck(f, t1)).toEqual({ address: t1, degree: 0, kind: 'token' });
    expect(await hubPrecheck(f, t2)).toBeNull();
    expect(await hubPrecheck(f, plain)).toBeNull();
    expect(f.asked).not.toContain(`isToken ${t2}`);
    expect(f.asked).toContain(`isToken ${plain}`);
  });

  it('an unknown nonce (a node answer that is no quantity) gives no hint and asks nothing more', async () => {
    const a = addr();
    const f = facts(new Map([[a, null]]), [a]);
    expect(await hubPrecheck(f, a)).toBeNull();
    expect(f.asked).toEqual([`nonce ${a}`]);
  });
});
