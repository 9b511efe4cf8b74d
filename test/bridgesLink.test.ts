import { describe, expect, it } from 'vitest';
import { decodeBridgeLog, matchBridgeCrossings, type BridgeArrival, type BridgeExit, type Timed } from '../src/bridges/index.js';
import { addr, arrivalOf, bridgeLog, exitOf, hash, pad, ZERO } from './helpers/bridgeLogs.js';

const at = <T>(item: T, timestamp: number): Timed<T> => ({ item, timestamp });

function thorDeposit(chainId: number, to: string): BridgeExit {
  return exitOf(decodeBridgeLog(bridgeLog('Deposit', [addr(), ZERO, 100n, `=:ETH.ETH:${to}`]), { chainId }));
}
function thorOut(chainId: number, inbound: string, to: string, memo = 'OUT'): BridgeArrival {
  return arrivalOf(decodeBridgeLog(bridgeLog('TransferOut', [addr(), to, ZERO, 90n, `${memo}:${inbound.slice(2)}`]), { chainId }));
}
function opExit(from: string, amount: bigint, remote = 10): BridgeExit {
  return exitOf(decodeBridgeLog(bridgeLog('ETHBridgeInitiated', [from, from, amount, '0x']), { chainId: 1, remoteChainOf: () => remote }));
}
function opArrival(from: string, amount: bigint, chainId = 10): BridgeArrival {
  return arrivalOf(decodeBridgeLog(bridgeLog('ETHBridgeFinalized', [from, from, amount, '0x']), { chainId, remoteChainOf: () => 1 }));
}

describe('protocol links are facts', () => {
  it('THORChain: OUT:<inbound hash> matches its deposit, on the named chain, after it', () => {
    const to = addr();
    const exit = thorDeposit(56, to);
    const out = thorOut(1, exit.source.txHash, to);
    const { matches, unmatched } = matchBridgeCrossings([at(exit, 100)], [at(thorOut(1, hash(), to), 150), at(out, 200)]);
    expect(unmatched).toEqual([]);
    expect(matches).toHaveLength(1);
    expect(matches[0]).toMatchObject({ basis: 'protocol-link', confidence: 'certain', arrival: out });
    expect(matches[0]?.reasons[0]).toContain(exit.source.txHash.slice(2).toUpperCase());
  });

  it('THORChain: every outbound of a streaming swap matches the one inbound; a refund matches on the inbound chain only', () => {
    const to = addr();
    const exit = thorDeposit(56, to);
    const parts = [thorOut(1, exit.source.txHash, to), thorOut(1, exit.source.txHash, to)];
    expect(matchBridgeCrossings([at(exit, 1)], parts.map((p) => at(p, 2))).matches).toHaveLength(2);
    const refundHere = thorOut(56, exit.source.txHash, to, 'REFUND');
    const r = matchBridgeCrossings([at(exit, 1)], [at(refundHere, 2)]);
    expect(r.matches[0]?.reasons).toContain('the payout is a refund of the inbound');
    const refundElsewhere = thorOut(1, exit.source.txHash, to, 'REFUND');
    const w = matchBridgeCrossings([at(exit, 1)], [at(refundElsewhere, 2)]);
    expect(w.matches).toHaveLength(0);
    expect(w.unmatched[0]?.reason).toBe('refund on chain 1, the inbound was on chain 56');
  });

  it('a link found on another chain than the exit names is refused', () => {
    const to = addr();
    const exit = thorDeposit(56, to);
    const r = matchBridgeCrossings([at(exit, 1)], [at(thorOut(43114, exit.source.txHash, to), 2)]);
    expect(r.matches).toEqual([]);
    expect(r.unmatched[0]?.reason).toBe('link found on chain 43114, but the exit names chain 1');
  });

  it('an arrival earlier than its exit is refused', () => {
    const to = addr();
    const exit = thorDeposit(56, to);
    const r = matchBridgeCrossings([at(exit, 500)], [at(thorOut(1, exit.source.txHash, to), 400)]);
    expect(r.matches).toEqual([]);
    expect(r.unmatched[0]?.reason).toContain('earlier');
  });

  it('Across: the fill with the same origin chain and deposit id, used once', () => {
    const [dep, rcp, tin, tout] = [addr(), addr(), addr(), addr()];
    const exit = exitOf(decodeBridgeLog(bridgeLog('FundsDeposited', [pad(tin), pad(tout), 10n, 9n, 8453n, 5n, 0, 0, 0, pad(dep), pad(rcp), pad(ZERO), '0x']), { chainId: 10 }));
    const fill = (origin: bigint, id: bigint): BridgeArrival =>
      arrivalOf(decodeBridgeLog(bridgeLog('FilledRelay', [pad(tin), pad(tout), 10n, 9n, 10n, origin, id, 0, 0, pad(ZERO), pad(addr()), pad(dep), pad(rcp), hash(), [pad(rcp), hash(), 9n, 0]]), { chainId: 8453 }));
    const right = fill(10n, 5n);
    const r = matchBridgeCrossings([at(exit, 1), at(exit, 1)], [at(fill(1n, 5n), 2), at(fill(10n, 6n), 2), at(right, 3)]);
    expect(r.matches.map((m) => m.arrival)).toEqual([right]);
    expect(r.unmatched).toHaveLength(1);
  });
});

describe('the same-address bridge is an inference', () => {
  it('one arrival with the same recipient, asset, amount and sender inside the window: medium confidence, reasons stated', () => {
    const me = addr();
    const exit = opExit(me, 7n);
    const arrival = opArrival(me, 7n);
    const noise = [opArrival(me, 8n), opArrival(addr(), 7n), opArrival(me, 7n, 8453)];
    const r = matchBridgeCrossings([at(exit, 1_000)], [...noise.map((n) => at(n, 1_100)), at(arrival, 1_180)]);
    expect(r.matches).toHaveLength(1);
    expect(r.matches[0]).toMatchObject({ basis: 'heuristic', confidence: 'medium', arrival });
    expect(r.matches[0]?.reasons.join(' ')).toContain('180 s after the exit');
  });

  it('two arrivals that fit equally give no match, with the count', () => {
    const me = addr();
    const r = matchBridgeCrossings([at(opExit(me, 7n), 0)], [at(opArrival(me, 7n), 10), at(opArrival(me, 7n), 20)]);
    expect(r.matches).toEqual([]);
    expect(r.unmatched[0]?.reason).toBe('2 arrivals fit equally: not matched');
  });

  it('outside the window, or before the exit, nothing fits', () => {
    const me = addr();
    expect(matchBridgeCrossings([at(opExit(me, 7n), 0)], [at(opArrival(me, 7n), 3_601)]).matches).toEqual([]);
    expect(matchBridgeCrossings([at(opExit(me, 7n), 0)], [at(opArrival(me, 7n), 3_601)], { windowSeconds: 4_000 }).matches).toHaveLength(1);
    expect(matchBridgeCrossings([at(opExit(me, 7n), 100)], [at(opArrival(me, 7n), 99)]).matches).toEqual([]);
  });
});
