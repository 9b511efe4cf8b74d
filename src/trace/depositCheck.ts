import type { FetchNeed } from '../sources/fetcher.js';
import type { DepositStore, LearnedDeposit } from '../store/deposits.js';
import type { Store } from '../store/store.js';
import type { Address, Label, Seed, Transfer } from '../types.js';
import { detectDeposit, sweepsOf, sweepWindowEnd } from './deposits.js';
import type { DepositChecker, DepositFinding } from './walk.js';

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
      const out = new Map<Address, DepositFinding>();
      const open: { address: Address; arrival: Transfer }[] = [];
      for (const item of items) {
        const found = known(item.address);
        if (found) out.set(item.address, found);
        else open.push(item);
      }
      if (open.length === 0) return out;
      if (lookup) {
        stats.sweepLookups += open.length;
        await opts.ensure(open.map(({ address, arrival }) => ({ address, side: 'from', from: arrival.blockNumber, to: windowEnd(arrival) })));
      }
      // Only an address that did send to an exchange in the window is worth its incoming transfers.
      const candidates = open.flatMap(({ address, arrival }) => {
        const outgoing = store.transfersOf(address, 'from', arrival.blockNumber, windowEnd(arrival));
        const sweeps = sweepsOf({ address, arrival, outgoing, labelOf: (a) => labels.get(a) });
        const last = sweeps[sweeps.length - 1];
        return last ? [{ address, arrival, outgoing, lastBlock: last.blockNumber }] : [];
      });
      if (candidates.length === 0) return out;
      await opts.ensure(candidates.map(({ address, arrival, lastBlock }) => ({ address, side: 'to', from: arrival.blockNumber, to: lastBlock })));
      for (const { address, arrival, outgoing, lastBlock } of candidates) {
        const incoming = store.transfersOf(address, 'to', arrival.blockNumber, lastBlock);
        const evidence = detectDeposit({ address, arrival, outgoing, incoming, labelOf: (a) => labels.get(a) });
        if (!evidence) continue;
        const perpetrator = opts.seedList?.get(address);
        if (perpetrator) {
          const hot = labels.get(evidence.hotWallet);
          if (hot) out.set(address, { label: hot, evidence, known: false, learnedAt: new Date().toISOString(), conflict: perpetrator });
          continue;
        }
        const row = learned.put(chainId, address, evidence);
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
