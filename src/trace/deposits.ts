/**
 * Exchange deposit-address detection: the per-customer addresses that no label list names, found by
 * the way an exchange empties them into a labelled hot wallet.
 *
 * Ground: F. Victor, "Address Clustering Heuristics for Ethereum", Financial Cryptography 2020. An
 * exchange hands each customer a deposit address and sweeps what arrives there into its hot wallet; an
 * address that forwards what it received to an exchange within a bounded time and a bounded amount
 * difference is taken for that exchange's deposit address. hoptrace applies the idea to one traced
 * arrival at a time, with the thresholds below, and grades what it finds (see the README section
 * "Deposit addresses and hubs").
 */
import type { Address, DepositConfidence, DepositEvidence, Label, Transfer } from '../types.js';
import { plural } from '../util/plural.js';

/**
 * Longest delay, in blocks, from the traced arrival to the first sweep: about 12 hours at 12 s a block.
 * Exchanges sweep in minutes to hours; a forward a day later is a person deciding, not a sweeper.
 */
export const SWEEP_WINDOW_BLOCKS = 3_600;
/** A sweep within this many blocks (about an hour) is what automated sweepers do: it raises confidence. */
export const FAST_SWEEP_BLOCKS = 300;
/** Least share of what arrived (same asset, from the arrival to the last sweep) the sweeps must carry, in basis points. */
export const MIN_SWEPT_SHARE_BPS = 9_000;
/**
 * Most the sweeps may carry relative to what arrived, in basis points: an address that sends far more
 * than it received in the window was spending an older balance, which is a wallet, not a deposit address.
 */
export const MAX_SWEPT_SHARE_BPS = 11_000;
/** At or above this share (basis points) the sweep is "all of it, less gas": no doubt on the amount. */
export const FULL_SWEEP_BPS = 9_800;
/** Sweeps are one transaction, two at most (a token sweep and the leftover gas, or a split batch). */
export const MAX_SWEEP_TXS = 2;
/**
 * Most distinct senders (other than the exchange itself, which tops up gas for token sweeps) between the
 * arrival and the sweep. A deposit address serves one customer; more senders than this is a collector.
 */
export const MAX_SENDERS = 3;
/** Value sent elsewhere than the exchange in the window, at most this share of what arrived (basis points). */
export const MAX_OTHER_OUT_BPS = 1_000;

/** Label categories an address can be a deposit address of. */
const EXCHANGE_CATEGORIES = new Set<Label['category']>(['exchange', 'sanctioned-exchange']);

// The evidence's shape is stored (store/deposits.ts), and the store may not import trace/: it lives in types.ts.
export type { DepositConfidence, DepositEvidence };

export interface DepositInput {
  address: Address;
  /** The traced transfer that brought the funds in. */
  arrival: Transfer;
  /** The address's outgoing transfers from the arrival block to arrival + SWEEP_WINDOW_BLOCKS. */
  outgoing: readonly Transfer[];
  /** Its incoming transfers over the same window. */
  incoming: readonly Transfer[];
  /** The label in force for a transfer's recipient, if any. */
  labelOf: (address: Address) => Label | undefined;
}

/** The end of the window searched for a sweep after an arrival at `block`. */
export function sweepWindowEnd(block: number): number {
  return block + SWEEP_WINDOW_BLOCKS;
}

/**
 * The sweeps of an arrival: outgoing transfers of the same asset, after the arrival and within the
 * window, to a labelled exchange address that is not itself a deposit address (role `deposit`). Empty when there are none, when they go to more than one exchange (a
 * deposit address belongs to one; sweeps to two entities are a person paying two venues), when they
 * take more than MAX_SWEEP_TXS transactions, or when together they carry less than MIN_SWEPT_SHARE_BPS
 * of the arrival alone (what arrived in all is at least that): decided on outgoing rows only, so an
 * ordinary address, or a busy one, costs no look at its incoming transfers.
 */
export function sweepsOf(input: Omit<DepositInput, 'incoming'>): Transfer[] {
  const { arrival } = input;
  const sweeps = input.outgoing.filter((t) => {
    if (t.asset !== arrival.asset || t.amount === 0n || t.from === t.to) return false;
    if (!after(t, arrival) || t.blockNumber > sweepWindowEnd(arrival.blockNumber)) return false;
    const label = input.labelOf(t.to);
    // A payment into a labelled *deposit* address is a customer paying in, not a sweep: deposit
    // addresses sweep into the exchange's wallets, they are not swept into.
    return label !== undefined && EXCHANGE_CATEGORIES.has(label.category) && label.role !== 'deposit';
  });
  const entity = sweeps[0] && input.labelOf(sweeps[0].to)?.entity;
  if (!sweeps.every((t) => input.labelOf(t.to)?.entity === entity)) return [];
  if (new Set(sweeps.map((t) => t.txHash)).size > MAX_SWEEP_TXS) return [];
  const swept = sweeps.reduce((sum, t) => sum + t.amount, 0n);
  return swept * 10_000n < arrival.amount * BigInt(MIN_SWEPT_SHARE_BPS) ? [] : sweeps;
}

/**
 * Decides whether `address` is a deposit address of the exchange it sweeps to, from the traced arrival
 * and its transfers around it. Returns the evidence, or null when it does not look like one.
 */
export function detectDeposit(input: DepositInput): DepositEvidence | null {
  const { arrival } = input;
  const sweeps = sweepsOf(input);
  const first = sweeps[0];
  if (!first) return null;
  const hotLabel = input.labelOf(first.to)!;
  const sweepTxs = [...new Set(sweeps.map((t) => t.txHash))];
  const last = sweeps[sweeps.length - 1]!;

  const inWindow = (t: Transfer): boolean => !before(t, arrival) && !after(t, last);
  const received = input.incoming
    .filter((t) => t.asset === arrival.asset && t.from !== t.to && inWindow(t))
    .reduce((sum, t) => sum + t.amount, 0n);
  const swept = sweeps.reduce((sum, t) => sum + t.amount, 0n);
  if (received === 0n) return null;
  const shareBps = Number((swept * 10_000n) / received);
  if (shareBps < MIN_SWEPT_SHARE_BPS || shareBps > MAX_SWEPT_SHARE_BPS) return null;

  const others = input.outgoing.filter(
    (t) => t.amount > 0n && t.from !== t.to && !sweeps.includes(t) && !after(t, last) && !before(t, arrival),
  );
  const otherValue = others.filter((t) => t.asset === arrival.asset).reduce((sum, t) => sum + t.amount, 0n);
  if (otherValue * 10_000n > received * BigInt(MAX_OTHER_OUT_BPS)) return null;

  // The exchange funds its deposit addresses with gas before a token sweep: not another customer.
  const senders = new Set(
    input.incoming.filter((t) => t.amount > 0n && t.from !== t.to && inWindow(t) && input.labelOf(t.from)?.entity !== hotLabel.entity).map((t) => t.from),
  );
  if (senders.size > MAX_SENDERS) return null;

  const delayBlocks = first.blockNumber - arrival.blockNumber;
  const reasons: string[] = [];
  let doubts = 0;
  const doubt = (why: string): void => {
    doubts++;
    reasons.push(why);
  };
  if (delayBlocks <= FAST_SWEEP_BLOCKS) reasons.push(`swept ${plural(delayBlocks, 'block')} after the arrival`);
  else doubt(`swept only ${plural(delayBlocks, 'block')} after the arrival (an automated sweep takes at most ${FAST_SWEEP_BLOCKS})`);
  if (shareBps >= FULL_SWEEP_BPS) reasons.push(`the sweep carried ${formatBps(shareBps)} of what arrived`);
  else doubt(`the sweep carried ${formatBps(shareBps)} of what arrived, not all of it`);
  if (sweepTxs.length === 1) reasons.push('one sweep transaction');
  else doubt(`${sweepTxs.length} sweep transactions`);
  if (senders.size <= 1) reasons.push('one sender in the window');
  else doubt(`${senders.size} senders in the window`);
  if (others.length === 0) reasons.push('nothing else sent out in the window');
  else doubt(`${others.length} other outgoing transfer${others.length === 1 ? '' : 's'} in the window`);
  const confidence: DepositConfidence = doubts === 0 ? 'high' : doubts === 1 ? 'medium' : 'low';

  return {
    hotWallet: first.to,
    entity: hotLabel.entity,
    asset: arrival.asset,
    arrivalTx: arrival.txHash,
    arrivalBlock: arrival.blockNumber,
    sweepTxs,
    sweepBlock: first.blockNumber,
    delayBlocks,
    received,
    swept,
    shareBps,
    senders: senders.size,
    confidence,
    reasons,
  };
}

/** "99.98%" from basis points. */
export function formatBps(bps: number): string {
  return `${Math.floor(bps / 100)}.${String(bps % 100).padStart(2, '0')}%`;
}

/** Strictly later in chain order (block, then transaction index). */
function after(t: Transfer, ref: Transfer): boolean {
  return t.blockNumber > ref.blockNumber || (t.blockNumber === ref.blockNumber && t.txIndex > ref.txIndex);
}

function before(t: Transfer, ref: Transfer): boolean {
  return t.blockNumber < ref.blockNumber || (t.blockNumber === ref.blockNumber && t.txIndex < ref.txIndex);
}
