import type { FetchNeed } from '../sources/fetcher.js';
import type { DepositStore, LearnedDeposit } from '../store/deposits.js';
import type { Store } from '../store/store.js';
import type { Address, DepositEvidence, Label, Seed, Transfer } from '../types.js';
import { detectDeposit, HISTORY_BLOCKS, HOT_WALLET_WINDOW_BLOCKS, maySweep, MIN_CYCLES, sweepsOf, SWEEP_WINDOW_BLOCKS, sweepWindowEnd } from './deposits.js';
import type { DepositAsk, DepositChecker, DepositFinding } from './walk.js';
import { windowReads, type MovementRead } from './windowReads.js';

export interface DepositCheckOptions {
  store: Store;
  learned: DepositStore;
  chainId: number;
  /** Last block of the trace: no sweep is looked for past it. */
  toBlock: number;
  ensure: (needs: readonly FetchNeed[]) => Promise<void>;
  labels: { get(address: Address): Label | undefined };
  /**
   * The whole seed list: an address on it is an attributed perpetrator, never an exchange's customer.
   * The heuristic still runs on it, so the report can name the conflict, but its verdict is not stored.
   */
  seedList?: { get(address: Address): Seed | undefined };
  /**
   * Whether a label was the address's at a block (a user label's validFrom / validTo, by the block's
   * time), as the walk asks it: a sweep into an address whose exchange label was not in force then is no sweep.
   * Omitted: every label is in force.
   */
  labelInForce?: (label: Label, block: number) => Promise<boolean>;
}

/** A DepositChecker plus what it did, for the report's stats. */
export interface DepositCheck extends DepositChecker {
  readonly stats: { sweepLookups: number; learned: number };
}

/**
 * The walk's deposit-address questions answered from the store: learned inferences first (no call),
 * then the heuristic of trace/deposits.ts on the transfers around the traced arrival. Incoming transfers
 * are fetched only for an address whose outgoing ones already show a sweep to an exchange, so an
 * ordinary address costs nothing beyond what the walk fetches anyway (or one sweep lookup at the last hop).
 * What is detected is stored, with its evidence, for later traces, except on an address of the seed
 * list: there the verdict contradicts a sourced attribution and comes back as a conflict, unstored.
 */
export function createDepositCheck(opts: DepositCheckOptions): DepositCheck {
  const { store, learned, chainId, labels } = opts;
  const stats = { sweepLookups: 0, learned: 0 };
  const windowEnd = (arrival: Transfer): number => Math.min(opts.toBlock, sweepWindowEnd(arrival.blockNumber));

  /**
   * Whether a label was in force at a transfer, answered ahead (the heuristic is synchronous): for the
   * counterparties on `side` of `rows` that carry a dated label. `known` adds to an earlier answer.
   */
  const forceOf = async (
    rows: readonly Transfer[],
    side: 'from' | 'to',
    known?: (label: Label, t: Transfer) => boolean,
  ): Promise<((label: Label, t: Transfer) => boolean) | undefined> => {
    const ask = opts.labelInForce;
    if (!ask) return undefined;
    const outside = new Set<string>();
    for (const t of rows) {
      const label = labels.get(t[side]);
      if (!label || (label.validFrom === null && label.validTo === null)) continue;
      if (!(await ask(label, t.blockNumber))) outside.add(`${t.txHash}|${t.ref}|${label.address}`);
    }
    // Asked per transfer and label by the heuristic: no key is built when no dated label was out of force.
    return (label, t) => (outside.size === 0 || !outside.has(`${t.txHash}|${t.ref}|${label.address}`)) && (known?.(label, t) ?? true);
  };

  const finding = (row: LearnedDeposit, known: boolean): DepositFinding | undefined => {
    // The inference stands on the hot wallet's label: without it (a user label removed) it is no hit.
    const label = labels.get(row.hotWallet);
    if (!label) return undefined;
    const { chainId: _c, address: _a, learnedAt, ...evidence } = row;
    const found: DepositFinding = { label, evidence, known, learnedAt };
    // Learned before the address was put on the seed list: the attribution wins, the verdict is a conflict.
    const perpetrator = opts.seedList?.get(row.address);
    if (perpetrator) found.conflict = perpetrator;
    return found;
  };

  /** Whether a remembered verdict's hot wallet label was in force at the remembered sweep's block. */
  const inForceAtSweep = async ({ label, evidence }: DepositFinding): Promise<boolean> =>
    !opts.labelInForce || (label.validFrom === null && label.validTo === null) || opts.labelInForce(label, evidence.sweepBlock);

  /**
   * What the heuristic counts of the payments into a hot wallet in [from, to] around a sweep (value > 0,
   * not to itself), leaving out the candidate `address`: the distinct other payers in the sweep's own
   * transaction (batchPeers), and the distinct payers outside the wallet's entity (venuePayers). A
   * window's payers (by transaction, and the foreign ones) are gathered once per check (`memo`): the
   * candidates of one sweep block share the window, and each leaves out only itself. The rows come from
   * the check's planned reads (`read`, windowReads.ts): the candidates ask about the same few wallets
   * over overlapping windows (at 20,000 bench addresses 2,822 asks read 1.1M rows, 5 s, when each read
   * its own), and each run of overlapping windows of a wallet is read from the store once.
   */
  interface WindowPayers {
    byTx: Map<string, Set<Address>>;
    foreign: Set<Address>;
  }
  const venueCounts = (
    memo: Map<string, WindowPayers>,
    read: MovementRead,
    address: Address,
    sweep: Transfer,
    from: number,
    to: number,
  ): { batchPeers: number; venuePayers: number } => {
    const key = `${sweep.to}|${from}|${to}`;
    let payers = memo.get(key);
    if (!payers) {
      const entity = labels.get(sweep.to)?.entity;
      payers = { byTx: new Map(), foreign: new Set() };
      for (const t of read(sweep.to, 'to', from, to)) {
        if (t.amount === 0n || t.from === t.to) continue;
        let inTx = payers.byTx.get(t.txHash);
        if (!inTx) payers.byTx.set(t.txHash, (inTx = new Set()));
        inTx.add(t.from);
        if (labels.get(t.from)?.entity !== entity) payers.foreign.add(t.from);
      }
      memo.set(key, payers);
    }
    const without = (set: Set<Address> | undefined): number => (set ? set.size - (set.has(address) ? 1 : 0) : 0);
    return { batchPeers: without(payers.byTx.get(sweep.txHash)), venuePayers: without(payers.foreign) };
  };

  // The walk asks about every unlabelled address a transfer reaches: one SELECT per address, not per ask.
  const seen = new Map<Address, DepositFinding | null>();
  const known = (address: Address): DepositFinding | undefined => {
    let found = seen.get(address);
    if (found === undefined) {
      const row = learned.get(chainId, address);
      found = (row && finding(row, true)) ?? null;
      seen.set(address, found);
    }
    return found ?? undefined;
  };

  return {
    stats,
    known,
    async check(items, lookup) {
      // The addresses not asked about before, looked up in one statement rather than one each.
      const unseen = [...new Set(items.map((i) => i.address).filter((a) => !seen.has(a)))];
      if (unseen.length > 1) {
        const rows = new Map(learned.getIn(chainId, unseen).map((row) => [row.address, row]));
        for (const a of unseen) {
          const row = rows.get(a);
          seen.set(a, (row && finding(row, true)) ?? null);
        }
      }
      const out = new Map<Address, DepositFinding>();
      const open: DepositAsk[] = [];
      for (const item of items) {
        const found = known(item.address);
        // A remembered verdict stands on its hot wallet's label at the remembered sweep's time, as a
        // fresh one would: a user label narrowed since (validFrom / validTo) sends it back to detection.
        if (found && (await inForceAtSweep(found))) out.set(item.address, found);
        else open.push(item);
      }
      if (open.length === 0) return out;
      if (lookup) {
        stats.sweepLookups += open.length;
        await opts.ensure(open.map(({ address, arrival }) => ({ address, side: 'from', from: arrival.blockNumber, to: windowEnd(arrival) })));
      }
      // Only an address that did send to an exchange in the window is worth its incoming transfers.
      const firstPass = await Promise.all(
        open.map(async ({ address, arrival, outgoing: held }) => {
          const [from, to] = [arrival.blockNumber, windowEnd(arrival)];
          // The rows the walk read already are the same rows: no second read of the store.
          const outgoing = held && held.to >= to ? upTo(held.rows, to) : store.transfersOf(address, 'from', from, to);
          // Most addresses pay no exchange in the window: no label's validity is asked for them.
          if (!maySweep({ arrival, outgoing, labelOf: (a) => labels.get(a) })) return [];
          const inForce = await forceOf(outgoing, 'to');
          const sweeps = sweepsOf({ address, arrival, outgoing, labelOf: (a) => labels.get(a), inForce });
          return sweeps.length > 0 ? [{ address, arrival, outgoing, first: sweeps[0]!, last: sweeps[sweeps.length - 1]! }] : [];
        }),
      );
      const candidates = firstPass.flat();
      if (candidates.length === 0) return out;
      // The address's payments out around the arrival (its other sweeps into the venue), what came in
      // from a sweep window before the arrival to the sweep (what the sweep empties), and the hot wallet's
      // arrivals around the sweep (a batched sweep shows in the sweep's transaction, the other customers'
      // sweeps that make it a hot wallet within HOT_WALLET_WINDOW_BLOCKS; a label that says `hot-wallet`
      // already says so, and only the sweep's block is read).
      const span = ({ arrival }: { arrival: Transfer }) => ({
        from: Math.max(0, arrival.blockNumber - HISTORY_BLOCKS),
        to: Math.min(opts.toBlock, arrival.blockNumber + HISTORY_BLOCKS),
      });
      const pendingFrom = ({ arrival }: { arrival: Transfer }) => Math.max(0, arrival.blockNumber - SWEEP_WINDOW_BLOCKS);
      const venueSpan = ({ first }: { first: Transfer }) =>
        labels.get(first.to)?.role === 'hot-wallet'
          ? { from: first.blockNumber, to: first.blockNumber }
          : { from: Math.max(0, first.blockNumber - HOT_WALLET_WINDOW_BLOCKS), to: Math.min(opts.toBlock, first.blockNumber + HOT_WALLET_WINDOW_BLOCKS) };
      const asks = candidates.flatMap((c) => [
        { address: c.address, side: 'from' as const, ...span(c) },
        { address: c.address, side: 'to' as const, from: pendingFrom(c), to: c.last.blockNumber },
        { address: c.first.to, side: 'to' as const, ...venueSpan(c) },
      ]);
      await opts.ensure(asks);
      // Only an address that paid the venue in MIN_CYCLES transactions or more can show the pattern
      // repeated: its incoming transfers over the whole span are fetched, nobody else's.
      const outgoingSpan = new Map(candidates.map((c) => [c, store.transfersOf(c.address, 'from', span(c).from, span(c).to)]));
      const reused = new Set(
        candidates.filter((c) => {
          const entity = labels.get(c.first.to)?.entity;
          const paid = outgoingSpan.get(c)!.filter((t) => t.amount > 0n && labels.get(t.to)?.entity === entity);
          return new Set(paid.map((t) => t.txHash)).size >= MIN_CYCLES;
        }),
      );
      const reusedAsks = [...reused].map((c) => ({ address: c.address, side: 'to' as const, ...span(c) }));
      if (reusedAsks.length > 0) await opts.ensure(reusedAsks);
      // A reused address's incoming span holds its pending window, and the windows around a hot wallet's
      // sweeps overlap: one read of the store serves each run of them. Held for this check only: its
      // windows are all fetched by now and nothing is stored between its reads; a later check reads anew,
      // as the store may have gained rows in a window read here (a scan refused then, made later).
      const pendingAsks = candidates.map((c) => ({ address: c.address, side: 'to' as const, from: pendingFrom(c), to: c.last.blockNumber }));
      const venueAsks = candidates.map((c) => ({ address: c.first.to, side: 'to' as const, ...venueSpan(c) }));
      const payersMemo = new Map<string, WindowPayers>();
      const read = windowReads((address, side, from, to) => store.transfersOf(address, side, from, to), [...pendingAsks, ...reusedAsks, ...venueAsks]);
      // The verdicts to learn are stored together after the loop (one transaction, not one per address:
      // 681 at 20,000 bench addresses); `out` takes every verdict in the loop's order even so.
      const verdicts: { address: Address; conflict?: DepositFinding; evidence?: DepositEvidence }[] = [];
      for (const c of candidates) {
        const { address, arrival, outgoing, first, last } = c;
        const { from, to } = span(c);
        const incoming = read(address, 'to', pendingFrom(c), last.blockNumber);
        const history = {
          outgoing: outgoingSpan.get(c)!,
          incoming: reused.has(c) ? read(address, 'to', from, to) : incoming,
        };
        // Other addresses paying the same hot wallet inside the sweep's own transaction (a batched sweep),
        // and around it (the hot wallet's other customers), the venue's own addresses not counted.
        const { from: vFrom, to: vTo } = venueSpan(c);
        const { batchPeers, venuePayers } = venueCounts(payersMemo, read, address, first, vFrom, vTo);
        const inForce = await forceOf([...history.outgoing, ...outgoing], 'to', await forceOf(history.incoming, 'from'));
        const evidence = detectDeposit({ address, arrival, outgoing, incoming, history, batchPeers, venuePayers, labelOf: (a) => labels.get(a), inForce });
        if (!evidence) continue;
        const perpetrator = opts.seedList?.get(address);
        if (perpetrator) {
          const hot = labels.get(evidence.hotWallet);
          if (hot) verdicts.push({ address, conflict: { label: hot, evidence, known: false, learnedAt: new Date().toISOString(), conflict: perpetrator } });
          continue;
        }
        verdicts.push({ address, evidence });
      }
      const rows = learned.putAll(chainId, verdicts.flatMap(({ address, evidence }) => (evidence ? [{ address, evidence }] : [])));
      let next = 0;
      for (const { address, conflict } of verdicts) {
        if (conflict) {
          out.set(address, conflict);
          continue;
        }
        const row = rows[next++]!;
        // Asked again, it is what a later trace would read: learned before.
        seen.set(address, finding(row, true) ?? null);
        const found = finding(row, false);
        if (found) {
          stats.learned++;
          out.set(address, found);
        }
      }
      return out;
    },
  };
}

/** The rows (in chain order) up to block `to`: the rows themselves when none lies beyond it. */
function upTo(rows: readonly Transfer[], to: number): readonly Transfer[] {
  const last = rows[rows.length - 1];
  return last === undefined || last.blockNumber <= to ? rows : rows.filter((t) => t.blockNumber <= to);
}
