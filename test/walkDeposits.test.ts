/**
 * How the walk uses a deposit-address checker (the DepositChecker of its world), on an in-memory world
 * with scripted verdicts: what it asks, when a verdict is an annotation and when a hit, and a verdict on
 * a seed-list address. The heuristic itself (thresholds, evidence) is tested in depositHeuristic.test.ts,
 * end to end on anvil in deposits.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { DepositEvidence } from '../src/trace/deposits.js';
import type { DepositChecker, DepositFinding } from '../src/trace/walk.js';
import { NATIVE, type Address, type Transfer } from '../src/types.js';
import { addr, move, seedRow, venueLabel, walkIn } from './helpers/walk.js';

/** A checker that says "deposit address of `hot`" for the addresses given, and records every question. */
function scripted(verdicts: Map<Address, DepositFinding>): DepositChecker & { calls: { addresses: Address[]; arrivals: Transfer[]; lookup: boolean }[] } {
  const calls: { addresses: Address[]; arrivals: Transfer[]; lookup: boolean }[] = [];
  return {
    calls,
    known: (address) => verdicts.get(address),
    async check(items, lookup) {
      calls.push({ addresses: items.map((i) => i.address), arrivals: items.map((i) => i.arrival), lookup });
      return new Map(items.flatMap((i) => (verdicts.has(i.address) ? [[i.address, verdicts.get(i.address)!] as const] : [])));
    },
  };
}

function finding(hot: Address, arrival: Transfer, conflict?: ReturnType<typeof seedRow>): DepositFinding {
  const evidence: DepositEvidence = {
    hotWallet: hot,
    entity: 'Test Exchange',
    asset: NATIVE,
    arrivalTx: arrival.txHash,
    arrivalBlock: arrival.blockNumber,
    sweepTxs: ['0x' + 'ab'.repeat(32)],
    sweepBlock: arrival.blockNumber + 1,
    delayBlocks: 1,
    received: arrival.amount,
    swept: arrival.amount,
    shareBps: 10_000,
    senders: 1,
    confidence: 'high',
    reasons: ['scripted for the test'],
  };
  const f: DepositFinding = { label: venueLabel(hot), evidence, known: false, learnedAt: '2026-01-01T00:00:00.000Z' };
  if (conflict) f.conflict = conflict;
  return f;
}

describe('walk and the deposit checker', () => {
  it('a verdict on an address the walk expands anyway is an annotation: the hot wallet one hop on is the hit', async () => {
    const [s, d, hot] = [addr(), addr(), addr()];
    const arrival = move(s, d, 1);
    const sweep = move(d, hot, 2);
    const checker = scripted(new Map([[d, finding(hot, arrival)]]));
    const { result } = await walkIn({ transfers: [arrival, sweep], labels: [venueLabel(hot)], deposits: checker }, [s]);
    expect(result.hits.map((h) => [h.venue, h.deposit])).toEqual([[hot, undefined]]);
    expect(result.hits[0]!.path).toEqual([arrival, sweep]);
    expect([...result.inferences.keys()]).toEqual([d]);
    // Asked without a sweep lookup (its transfers are fetched anyway), with the traced arrival.
    expect(checker.calls[0]).toEqual({ addresses: [d], arrivals: [arrival], lookup: false });
  });

  it('at the last hop the deposit address itself is the hit, inferred, with the hot wallet as its label', async () => {
    const [s, d, hot] = [addr(), addr(), addr()];
    const first = move(s, d, 1, { amount: 4n });
    const second = move(s, d, 3, { amount: 6n });
    const f = finding(hot, first);
    const checker = scripted(new Map([[d, f]]));
    const { result, world } = await walkIn({ transfers: [first, second], labels: [venueLabel(hot)], deposits: checker }, [s], { hops: 1 });
    expect(result.hits).toHaveLength(1);
    expect(result.hits[0]).toMatchObject({ kind: 'venue', venue: d, label: f.label, deposit: f, path: [first] });
    // Its totals are every followed transfer into it.
    expect(result.hits[0]!.transfers).toEqual([first, second]);
    // The lookup is the checker's to make (a sweep lookup): the walk itself does not expand the last hop.
    expect(checker.calls).toEqual([{ addresses: [d], arrivals: [first], lookup: true }]);
    expect(world.ensured.some((n) => n.address === d)).toBe(false);
    expect(result.visited.has(d)).toBe(false);
  });

  it('a seed-list address judged a deposit address is a conflict, never a finding', async () => {
    const [s, p, hot] = [addr(), addr(), addr()];
    const arrival = move(s, p, 1);
    const f = finding(hot, arrival, seedRow(p));
    const checker = scripted(new Map([[p, f]]));
    const { result } = await walkIn({ transfers: [arrival], labels: [venueLabel(hot)], seedList: [seedRow(p)], deposits: checker }, [s], { hops: 1 });
    expect(result.hits.map((h) => `${h.kind} ${h.venue} ${h.deposit === undefined}`)).toEqual([`known-perpetrator ${p} true`]);
    expect(result.inferences.get(p)?.conflict).toEqual(seedRow(p));
  });

  it('hands the checker the rows it read from the earliest arrival on, so the checker reads them no second time', async () => {
    // Two seeds reach d, the later one first in the frontier: the question is about the earliest arrival,
    // and the rows given must be those of its window (the payment before the later arrival included).
    const [s1, s2, d, x, y] = [addr(), addr(), addr(), addr(), addr()];
    const early = move(s2, d, 10);
    const late = move(s1, d, 20);
    const between = move(d, x, 15);
    const after = move(d, y, 25);
    const items: { address: Address; arrival: Transfer; outgoing?: { to: number; rows: readonly Transfer[] } }[] = [];
    const checker: DepositChecker = { known: () => undefined, check: async (asked) => (items.push(...asked), new Map()) };
    await walkIn({ transfers: [late, early, between, after], deposits: checker }, [s1, s2], { hops: 2 });
    expect(items.filter((i) => i.address === d)).toEqual([{ address: d, arrival: early, outgoing: { to: 1_000, rows: [between, after] } }]);
  });

  it('never asks about a labelled address, a seed of the run, or anything backward', async () => {
    const [s1, s2, v, x] = [addr(), addr(), addr(), addr()];
    const transfers = [move(s1, v, 1), move(s1, s2, 2), move(v, x, 3), move(s2, x, 4)];
    const checker = scripted(new Map());
    await walkIn({ transfers, labels: [venueLabel(v)], deposits: checker }, [s1, s2], { hops: 2, stopAtLabels: false });
    const asked = checker.calls.flatMap((c) => c.addresses);
    expect(asked).toContain(x);
    for (const a of [s1, s2, v]) expect(asked).not.toContain(a);
    const backward = scripted(new Map());
    await walkIn({ transfers, deposits: backward }, [x], { direction: 'in', hops: 2 });
    expect(backward.calls).toEqual([]);
  });

  it('asks about an address whose exchange label was not yet in force at the arrival, never one labelled as something else', async () => {
    const [s, d, m, hot] = [addr(), addr(), addr(), addr()];
    const checker = scripted(new Map());
    // At block 1 (time 12 s) d's exchange label (from 2099) and m's mixer label (from 2099) applied to neither.
    const { result } = await walkIn(
      {
        transfers: [move(s, d, 1), move(s, m, 2), move(d, hot, 3), move(m, hot, 4)],
        labels: [venueLabel(hot), venueLabel(d, { validFrom: '2099-01-01' }), venueLabel(m, { category: 'mixer', validFrom: '2099-01-01' })],
        deposits: checker,
      },
      [s],
      { hops: 1 },
    );
    expect(result.hits).toEqual([]);
    const asked = checker.calls.flatMap((c) => c.addresses);
    expect(asked).toContain(d);
    expect(asked).not.toContain(m);
  });

  it('sweep lookups share the --max-addresses budget: the last-hop addresses past it are counted unchecked', async () => {
    const s = addr();
    const payees = [addr(), addr(), addr()];
    const transfers = payees.map((p, i) => move(s, p, 1 + i));
    const checker = scripted(new Map());
    const { result } = await walkIn({ transfers, deposits: checker }, [s], { hops: 1, maxAddresses: 2 });
    expect(result.depositsUnchecked).toBe(2);
    expect(checker.calls.flatMap((c) => c.addresses)).toHaveLength(1);
    // Without a checker nothing is said to be unchecked.
    expect((await walkIn({ transfers }, [s], { hops: 1, maxAddresses: 2 })).result.depositsUnchecked).toBe(0);
  });
});
