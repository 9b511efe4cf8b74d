/**
 * The walk's rules on an in-memory world (src/trace/memoryWorld.ts), without a node or a database:
 * time order (block, then transaction index; backward mirrored), what is followed, hubs, budgets,
 * labels and their validity, the seed list. Deposit-address verdicts are in walkDeposits.test.ts; the
 * same rules end to end on anvil are in trace.test.ts, facts.test.ts and deposits.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryWorld } from '../src/trace/memoryWorld.js';
import { NATIVE } from '../src/types.js';
import { walk } from '../src/trace/walk.js';
import { addr, hitLines, move, seedRow, tracedTx, venueLabel, WALK_DEFAULTS, walkIn } from './helpers/walk.js';

const ETH = 10n ** 18n;

describe('walk: time order', () => {
  it('forward, follows an address only from its earliest traced arrival on', async () => {
    const [s, a, before, after] = [addr(), addr(), addr(), addr()];
    const t1 = move(s, a, 10);
    const early = move(a, before, 5);
    const late = move(a, after, 20);
    const { result, world } = await walkIn({ transfers: [t1, early, late] }, [s]);
    expect([...result.traced.values()].map((e) => e.transfer)).toEqual([t1, late]);
    expect(result.visited.has(after)).toBe(true);
    expect(result.visited.has(before)).toBe(false);
    // The earlier payment is not even read: a's window starts at its arrival.
    expect(world.ensured.find((n) => n.address === a)).toEqual({ address: a, side: 'from', from: 10, to: 1_000 });
  });

  it('within one block, by transaction index: an earlier transaction is before the arrival, the same one is not', async () => {
    const [s, a, b, c, d] = [addr(), addr(), addr(), addr(), addr()];
    const arrival = move(s, a, 10, { tx: 5 });
    const earlier = move(a, b, 10, { tx: 3 });
    const same = move(a, c, 10, { tx: 5, txHash: arrival.txHash, ref: 'trace:0' });
    const later = move(a, d, 10, { tx: 7 });
    const { result } = await walkIn({ transfers: [arrival, earlier, same, later] }, [s]);
    const followed = [...result.traced.values()].map((e) => e.transfer);
    expect(followed).toContain(same);
    expect(followed).toContain(later);
    expect(followed).not.toContain(earlier);
  });

  it('backward mirrors it: only what arrived before the departure that was traced', async () => {
    const [seed, a, x, y, v] = [addr(), addr(), addr(), addr(), addr()];
    const departure = move(a, seed, 10);
    const before = move(x, a, 5);
    const after = move(y, a, 15);
    const fromVenue = move(v, x, 2);
    const labels = [venueLabel(v)];
    const { result, world } = await walkIn({ transfers: [departure, before, after, fromVenue], labels }, [seed], { direction: 'in' });
    expect(tracedTx(result)).toEqual([`${departure.txHash.slice(-4)}@1`, `${before.txHash.slice(-4)}@2`, `${fromVenue.txHash.slice(-4)}@3`].sort());
    expect(result.visited.has(y)).toBe(false);
    // The path of a backward hit reads from the venue to the seed, in the direction the money moved.
    expect(result.hits).toHaveLength(1);
    expect(result.hits[0]!.path).toEqual([fromVenue, before, departure]);
    // Only up to the traced departure is read: what came in after it is not even fetched.
    expect(world.ensured).toContainEqual({ address: a, side: 'to', from: 0, to: 10 });
    expect(result.skipped).toBe(0);
    // Backward, the address's own WETH events are asked for too (logs only, its `from` side).
    expect(world.ensured.some((n) => n.address === a && n.side === 'from' && n.logsOnly === true)).toBe(true);
  });

  it('a later hop that reaches an address earlier in time opens the window the first arrival closed', async () => {
    const [s, a, b, v] = [addr(), addr(), addr(), addr()];
    const direct = move(s, a, 50);
    const viaB1 = move(s, b, 10);
    const viaB2 = move(b, a, 20);
    const out = move(a, v, 30);
    const { result } = await walkIn({ transfers: [direct, viaB1, viaB2, out], labels: [venueLabel(v)] }, [s]);
    expect(result.hits).toHaveLength(1);
    // The path shown is consistent in time: through b, not the direct payment that came after.
    expect(result.hits[0]!.path).toEqual([viaB1, viaB2, out]);
  });

  it('the hop limit ends the walk: a venue one hop too far is no hit', async () => {
    const [s, a, b, v] = [addr(), addr(), addr(), addr()];
    const transfers = [move(s, a, 1), move(a, b, 2), move(b, v, 3)];
    const labels = [venueLabel(v)];
    expect((await walkIn({ transfers, labels }, [s], { hops: 2 })).result.hits).toEqual([]);
    const three = (await walkIn({ transfers, labels }, [s], { hops: 3 })).result;
    expect(three.hits.map((h) => [h.venue, h.path.length])).toEqual([[v, 3]]);
  });

  it('reads only the window from fromBlock to toBlock', async () => {
    const [s, a, b] = [addr(), addr(), addr()];
    const { result, world } = await walkIn({ transfers: [move(s, a, 5), move(s, b, 50)] }, [s], { fromBlock: 10, toBlock: 100 });
    expect(result.visited.has(a)).toBe(false);
    expect(result.visited.has(b)).toBe(true);
    expect(world.ensured[0]).toEqual({ address: s, side: 'from', from: 10, to: 100 });
  });
});

describe('walk: what is followed', () => {
  it('--min-value is per asset', async () => {
    const [s, a, b, token] = [addr(), addr(), addr(), addr()];
    const small = move(s, a, 1, { amount: ETH });
    const tokenMove = move(s, b, 2, { amount: 1n, asset: token });
    const minValue = (asset: string): bigint => (asset === NATIVE ? 2n * ETH : 0n);
    const { result } = await walkIn({ transfers: [small, tokenMove] }, [s], { minValue });
    expect([...result.traced.values()].map((e) => e.transfer)).toEqual([tokenMove]);
    expect(result.skipped).toBe(1);
  });

  it('never follows a zero-value movement (address poisoning), a self move or a burn, whatever --min-value says', async () => {
    const [s, a, v] = [addr(), addr(), addr()];
    const zero = move(s, v, 1, { amount: 0n });
    const self = move(s, s, 2);
    const burn = move(s, '0x0000000000000000000000000000000000000000', 3);
    const real = move(s, a, 4);
    const { result } = await walkIn({ transfers: [zero, self, burn, real], labels: [venueLabel(v)] }, [s], { minValue: () => -1n });
    expect(result.hits).toEqual([]);
    expect([...result.traced.values()].map((e) => e.transfer)).toEqual([real]);
    expect(result.skipped).toBe(3);
  });

  it('a payment into an unlabelled token that wrapped it (WETH) is not followed; into a labelled one, or a non-token, it is', async () => {
    const [s, weth] = [addr(), addr()];
    const pay = move(s, weth, 5, { amount: 3n * ETH });
    const wrap = move(s, s, 5, { txHash: pay.txHash, ref: 'log:0', kind: 'wrap', asset: weth, amount: 3n * ETH });
    const transfers = [pay, wrap];
    const asToken = await walkIn({ transfers, tokens: [weth] }, [s]);
    expect(asToken.result.traced.size).toBe(0);
    expect(asToken.world.asked.isToken).toContain(weth);
    // A wallet that logs its receipts with the same event but is no token stays a destination.
    const notToken = await walkIn({ transfers }, [s]);
    expect(notToken.result.visited.has(weth)).toBe(true);
    // A labelled wrapper is a venue: the payment is followed and it is the hit.
    const labelled = await walkIn({ transfers, tokens: [weth], labels: [venueLabel(weth)] }, [s]);
    expect(labelled.result.hits.map((h) => h.venue)).toEqual([weth]);
  });

  it('counts each movement once per seed, at the hop it was first followed', async () => {
    const [s, a, b] = [addr(), addr(), addr()];
    const ab = move(a, b, 20);
    const { result } = await walkIn({ transfers: [move(s, a, 10), move(s, b, 5), ab, move(b, a, 30)] }, [s], { hops: 3 });
    expect(result.traced.get(`${ab.txHash}|${ab.ref}`)?.hop).toBe(2);
    expect(result.followed).toBe(result.traced.size);
  });
});

describe('walk: hubs and budgets', () => {
  it('an address with more counterparties than the fan-out cap is a hub: reported, not followed', async () => {
    const [s, hub] = [addr(), addr()];
    const payees = [addr(), addr(), addr()];
    const transfers = [move(s, hub, 1), ...payees.map((p, i) => move(hub, p, 2 + i))];
    const { result } = await walkIn({ transfers }, [s], { fanOutCap: 2 });
    expect(result.hubs).toEqual([{ address: hub, degree: 3, hop: 1, kind: 'fan-out', degreeKind: 'counterparties' }]);
    for (const p of payees) expect(result.visited.has(p)).toBe(false);
    // At the cap it is no hub.
    const atCap = (await walkIn({ transfers }, [s], { fanOutCap: 3 })).result;
    expect(atCap.hubs).toEqual([]);
    for (const p of payees) expect(atCap.visited.has(p)).toBe(true);
  });

  it('a seed is never a hub, however many it paid', async () => {
    const s = addr();
    const payees = [addr(), addr(), addr()];
    const { result } = await walkIn({ transfers: payees.map((p, i) => move(s, p, 1 + i)) }, [s], { fanOutCap: 1 });
    expect(result.hubs).toEqual([]);
    for (const p of payees) expect(result.visited.has(p)).toBe(true);
  });

  it('--max-addresses: the addresses past the budget are counted as unexpanded, not followed', async () => {
    const s = addr();
    const payees = [addr(), addr(), addr()];
    const { result, world } = await walkIn({ transfers: payees.map((p, i) => move(s, p, 1 + i)) }, [s], { maxAddresses: 2 });
    expect(result.visited.size).toBe(2);
    expect(result.unexpanded).toBe(2);
    // What is not expanded is not fetched either.
    expect(new Set(world.ensured.map((n) => n.address)).size).toBe(2);
  });

  it('pre-checks an address before fetching it: a busy sender or a token contract is a hub and is never fetched', async () => {
    const [s, busy, token, plain] = [addr(), addr(), addr(), addr()];
    const transfers = [move(s, busy, 1), move(s, token, 2, { asset: addr() }), move(s, plain, 3), move(busy, addr(), 4)];
    const { result, world } = await walkIn(
      { transfers, nonces: new Map([[busy, 10_000], [token, 1], [plain, 5]]), tokens: [token, plain] },
      [s],
      { precheckMinWindow: 0 },
    );
    expect(result.hubs.map((h) => [h.address, h.kind, h.degree, h.hop]).sort()).toEqual(
      [
        [busy, 'busy-sender', 10_000, 1],
        [token, 'token', 0, 1],
      ].sort(),
    );
    const fetched = new Set(world.ensured.map((n) => n.address));
    expect(fetched.has(busy) || fetched.has(token)).toBe(false);
    expect(fetched.has(plain)).toBe(true);
    // The seed is never pre-checked; an account that has sent transactions is not asked decimals().
    expect(world.asked.nonce).not.toContain(s);
    expect(world.asked.isToken).not.toContain(plain);
  });

  it('pre-checks only a window at least precheckMinWindow long that is not held yet', async () => {
    const [s, busy] = [addr(), addr()];
    const input = { transfers: [move(s, busy, 1), move(busy, addr(), 2)], nonces: new Map([[busy, 50_000]]) };
    // A short window: the fetch is cheap, the pre-check is not made and the address is fetched.
    const short = await walkIn(input, [s], { toBlock: 99, precheckMinWindow: 100 });
    expect(short.world.asked.nonce).toEqual([]);
    expect(short.result.visited.has(busy)).toBe(true);
    const long = await walkIn(input, [s], { toBlock: 99, precheckMinWindow: 99 });
    expect(long.world.asked.nonce).toEqual([busy]);
    // A window already held costs nothing to read: no pre-check.
    const world = createMemoryWorld(input);
    await world.ensure([{ address: busy, side: 'from', from: 1, to: 99 }]);
    const held = await walk({ ...WALK_DEFAULTS, world, seeds: [s], toBlock: 99, precheckMinWindow: 0 });
    expect(world.asked.nonce).not.toContain(busy);
    expect(held.hubs).toEqual([]);
    expect(held.visited.has(busy)).toBe(true);
  });
});

describe('walk: labels and the seed list', () => {
  it('a labelled venue is a hit at its own hop, with every followed transfer into it in its totals', async () => {
    const [s, a, v] = [addr(), addr(), addr()];
    const t1 = move(s, a, 1, { amount: 5n });
    const t2 = move(a, v, 2, { amount: 2n });
    const t3 = move(a, v, 3, { amount: 3n });
    const { result } = await walkIn({ transfers: [t1, t2, t3], labels: [venueLabel(v)] }, [s]);
    expect(result.hits).toHaveLength(1);
    const hit = result.hits[0]!;
    expect(hit).toMatchObject({ kind: 'venue', seed: s, venue: v, direction: 'out' });
    expect(hit.path).toEqual([t1, t2]);
    expect(hit.transfers).toEqual([t2, t3]);
    expect(hit.deposit).toBeUndefined();
  });

  it('stops at a labelled venue, or walks on through it without stopAtLabels', async () => {
    const [s, v, w, v2] = [addr(), addr(), addr(), addr()];
    const transfers = [move(s, v, 1), move(v, w, 2), move(w, v2, 3)];
    const labels = [venueLabel(v), venueLabel(v2, { entity: 'Other Exchange' })];
    const stop = (await walkIn({ transfers, labels }, [s])).result;
    expect(stop.hits.map((h) => h.venue)).toEqual([v]);
    expect(stop.visited.has(v)).toBe(false);
    const through = (await walkIn({ transfers, labels }, [s], { stopAtLabels: false })).result;
    expect(through.hits.map((h) => h.venue).sort()).toEqual([v, v2].sort());
  });

  it('a label out of force at the time of the transfer is walked through; in force, it is a hit', async () => {
    const [s, v, w] = [addr(), addr(), addr()];
    // One block a day from 2024-01-01: block 10 is 2024-01-11, block 30 is 2024-01-31.
    const blockTime = (n: number): number => Date.UTC(2024, 0, 1) / 1000 + n * 86_400;
    const labels = [venueLabel(v, { validFrom: '2024-01-20' })];
    const early = await walkIn({ transfers: [move(s, v, 10), move(v, w, 11)], labels, blockTime }, [s]);
    expect(early.result.hits).toEqual([]);
    expect(early.result.visited.has(v)).toBe(true);
    expect(early.result.visited.has(w)).toBe(true);
    const late = await walkIn({ transfers: [move(s, v, 30), move(v, w, 31)], labels, blockTime }, [s]);
    expect(late.result.hits.map((h) => h.venue)).toEqual([v]);
    expect(late.result.visited.has(v)).toBe(false);
    // validTo is inclusive, by calendar day.
    const until = [venueLabel(v, { validTo: '2024-01-11' })];
    expect((await walkIn({ transfers: [move(s, v, 10)], labels: until, blockTime }, [s])).result.hits).toHaveLength(1);
    expect((await walkIn({ transfers: [move(s, v, 11)], labels: until, blockTime }, [s])).result.hits).toEqual([]);
  });

  it('an address of the seed list reached is a known-perpetrator hit, and the walk goes on through it', async () => {
    const [s, p, v] = [addr(), addr(), addr()];
    const t1 = move(s, p, 1);
    const t2 = move(p, v, 2);
    const { result } = await walkIn({ transfers: [t1, t2], labels: [venueLabel(v)], seedList: [seedRow(s), seedRow(p)] }, [s]);
    expect(hitLines(result)).toEqual(
      [
        `known-perpetrator ${p} path=${t1.txHash.slice(-4)} total=${ETH}`,
        `venue ${v} path=${t1.txHash.slice(-4)},${t2.txHash.slice(-4)} total=${ETH}`,
      ].sort(),
    );
    expect(result.hits.find((h) => h.kind === 'known-perpetrator')!.perpetrator).toEqual(seedRow(p));
  });

  it('a seed-list address that a label calls a venue is both hits, and is followed on even with stopAtLabels', async () => {
    const [s, p, v] = [addr(), addr(), addr()];
    const { result } = await walkIn({ transfers: [move(s, p, 1), move(p, v, 2)], labels: [venueLabel(p), venueLabel(v)], seedList: [seedRow(p)] }, [s]);
    expect(result.hits.map((h) => `${h.kind} ${h.venue}`).sort()).toEqual([`known-perpetrator ${p}`, `venue ${p}`, `venue ${v}`].sort());
  });

  it("a run's own seed reached from another seed is neither a venue nor a perpetrator hit", async () => {
    const [s1, s2] = [addr(), addr()];
    const { result } = await walkIn({ transfers: [move(s1, s2, 1)], labels: [venueLabel(s2)], seedList: [seedRow(s1), seedRow(s2)] }, [s1, s2]);
    expect(result.hits).toEqual([]);
  });
});

describe('bridges and arrivals (across chains)', () => {
  it('returns each payment into a bridge contract as its own bridge hit with its path, and does not expand the contract', async () => {
    const [seed, mule, bridge, beyond] = [addr(), addr(), addr(), addr()];
    const t1 = move(seed, mule, 10);
    const t2 = move(mule, bridge, 11, { amount: 3n });
    const t3 = move(mule, bridge, 12, { amount: 2n });
    const t4 = move(bridge, beyond, 13);
    const { result, world } = await walkIn({ transfers: [t1, t2, t3, t4], labels: [venueLabel(bridge, { category: 'bridge' })], bridges: [bridge] }, [seed]);
    const bridgeHits = result.hits.filter((h) => h.kind === 'bridge');
    expect(bridgeHits.map((h) => [h.venue, h.path.map((t) => t.txHash), h.transfers.map((t) => t.amount)])).toEqual([
      [bridge, [t1.txHash, t2.txHash], [3n]],
      [bridge, [t1.txHash, t3.txHash], [2n]],
    ]);
    // Labelled or not, a bridge contract is where the funds may leave the chain: no venue hit, no expansion.
    expect(result.hits.filter((h) => h.kind === 'venue')).toEqual([]);
    expect(world.ensured.some((n) => n.address === bridge)).toBe(false);
  });

  it('walks a seed reached by an arrival only from the arrival on (startAt)', async () => {
    const [payee, before, after] = [addr(), addr(), addr()];
    const early = move(payee, before, 20, { tx: 5 });
    const sameBlockEarlier = move(payee, before, 30, { tx: 1 });
    const later = move(payee, after, 30, { tx: 4 });
    const { result } = await walkIn(
      { transfers: [early, sameBlockEarlier, later], labels: [venueLabel(before), venueLabel(after, { entity: 'Later' })] },
      [payee],
      { startAt: new Map([[payee, { block: 30, tx: 3 }]]) },
    );
    expect(result.hits.map((h) => h.venue)).toEqual([after]);
    // Block 20 is outside the window read; the earlier transaction of block 30 is read and skipped.
    expect(result.skipped).toBe(1);
  });
});
