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
import { NATIVE, type Address, type Asset, type DepositConfidence, type DepositEvidence, type Label, type Transfer } from '../types.js';
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
/**
 * How far either side of the traced arrival the address's history is read for its other deposit cycles,
 * in blocks: about 7 days. A customer's deposit address is paid into and swept again over weeks and
 * months; the span is a bound on what one sweep lookup may cost, not a property of deposit addresses.
 */
export const HISTORY_BLOCKS = 50_400;
/**
 * Arrival→sweep cycles into one venue that make the deposit pattern *repeated* (Victor's reuse signal).
 * A reason, not a ground for `high` on its own: a launderer's wallet paid twice and emptied twice into
 * its own deposit address at a venue repeats the pattern just as well.
 */
export const MIN_CYCLES = 2;
/** Doubts (see detectDeposit) an address with an exchange-side signal can carry and still be `high`. */
export const MAX_HIGH_DOUBTS = 1;
/**
 * How far either side of the first sweep, in blocks (about an hour), the destination's own arrivals are
 * read to see whether it acts as a hot wallet: the place where an exchange empties its many customers'
 * deposit addresses, paid by other addresses all day long.
 */
export const HOT_WALLET_WINDOW_BLOCKS = 300;
/**
 * Distinct other payers of the destination in that window (the venue's own labelled addresses not
 * counted) that show it is a hot wallet: more than a deposit address may have (MAX_SENDERS), so a
 * customer's deposit address labelled with its venue but no role, paid by one wallet, is not taken for one.
 */
export const MIN_HOT_WALLET_PAYERS = 4;

/** Label categories an address can be a deposit address of. */
export const EXCHANGE_CATEGORIES = new Set<Label['category']>(['exchange', 'sanctioned-exchange']);

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
  /**
   * Whether `label` applied at the time of transfer `t` (a user label's validFrom / validTo). Omitted:
   * always. A hot wallet whose label was not in force at the sweep is nobody's hot wallet then.
   */
  inForce?: (label: Label, t: Transfer) => boolean;
  /**
   * The address's transfers over a wider span around the arrival (HISTORY_BLOCKS either side, as far as
   * the trace reaches): where its other arrival→sweep cycles into the same venue show. Omitted: only the
   * window's rows are read.
   */
  history?: { outgoing: readonly Transfer[]; incoming: readonly Transfer[] };
  /**
   * How many other addresses pay the same venue inside the first sweep's transaction (a batched sweep
   * by the exchange's sweeper contract). Omitted: not looked at.
   */
  batchPeers?: number;
  /**
   * How many other addresses, none labelled with the venue's entity, pay the first sweep's destination
   * within HOT_WALLET_WINDOW_BLOCKS either side of it: the hot wallet's other customers' sweeps. Omitted:
   * not looked at (then only a `hot-wallet` role on the label shows the destination is one).
   */
  venuePayers?: number;
}

/** The exchange label of `address` in force at transfer `t`, if any. */
function exchangeAt(input: Pick<DepositInput, 'labelOf' | 'inForce'>, address: Address, t: Transfer): Label | undefined {
  const label = input.labelOf(address);
  if (label === undefined || !EXCHANGE_CATEGORIES.has(label.category)) return undefined;
  return input.inForce === undefined || input.inForce(label, t) ? label : undefined;
}

/** A transfer into a venue's wallet (not into one of its deposit addresses) that could be a sweep. */
function sweepLabel(input: Pick<DepositInput, 'labelOf' | 'inForce'>, t: Transfer): Label | undefined {
  const label = exchangeAt(input, t.to, t);
  // A payment into a labelled *deposit* address is a customer paying in, not a sweep: deposit
  // addresses sweep into the exchange's wallets, they are not swept into.
  return label !== undefined && label.role !== 'deposit' ? label : undefined;
}

/** The end of the window searched for a sweep after an arrival at `block`. */
export function sweepWindowEnd(block: number): number {
  return block + SWEEP_WINDOW_BLOCKS;
}

/** A movement out that can be a sweep of the arrival before labels are asked: same asset, some value, to another address, in the sweep window after it. */
function inSweepWindow(arrival: Transfer, t: Transfer): boolean {
  if (t.asset !== arrival.asset || t.amount === 0n || t.from === t.to) return false;
  return after(t, arrival) && t.blockNumber <= sweepWindowEnd(arrival.blockNumber);
}

/**
 * False when no movement of `outgoing` can be a sweep of the arrival whatever labels are in force (a
 * label out of force only takes sweeps away): sweepsOf then finds none, so a caller need not learn which
 * dated labels were in force. Asks the labels of the movements in the sweep window only.
 */
export function maySweep(input: Pick<DepositInput, 'arrival' | 'outgoing' | 'labelOf'>): boolean {
  return input.outgoing.some((t) => inSweepWindow(input.arrival, t) && sweepLabel({ labelOf: input.labelOf }, t) !== undefined);
}

/**
 * The sweeps of an arrival: outgoing transfers of the same asset, after the arrival and within the
 * window, to a labelled exchange address that is not itself a deposit address (role `deposit`), in
 * chain order up to the one that carries MIN_SWEPT_SHARE_BPS of the arrival (a later sweep in the window
 * is the address's next cycle). Empty when there are none, when they go to more than one exchange (a
 * deposit address belongs to one; sweeps to two entities are a person paying two venues), when they
 * take more than MAX_SWEEP_TXS transactions, or when together they carry less than MIN_SWEPT_SHARE_BPS
 * of the arrival alone (what arrived in all is at least that): decided on outgoing rows only, so an
 * ordinary address, or a busy one, costs no look at its incoming transfers.
 */
export function sweepsOf(input: Omit<DepositInput, 'incoming'>): Transfer[] {
  const { arrival } = input;
  const all = input.outgoing
    .filter((t) => inSweepWindow(arrival, t) && sweepLabel(input, t) !== undefined)
    .sort((x, y) => (after(x, y) ? 1 : before(x, y) ? -1 : 0));
  // The sweeps that carry this arrival, in chain order, up to the one that completes it: a reused
  // address's next cycle, swept later in the window, is not this arrival's sweep.
  const sweeps: Transfer[] = [];
  let swept = 0n;
  for (const t of all) {
    if (swept * 10_000n >= arrival.amount * BigInt(MIN_SWEPT_SHARE_BPS) && t.txHash !== sweeps[sweeps.length - 1]?.txHash) break;
    sweeps.push(t);
    swept += t.amount;
  }
  const entity = sweeps[0] && input.labelOf(sweeps[0].to)?.entity;
  if (!sweeps.every((t) => input.labelOf(t.to)?.entity === entity)) return [];
  if (new Set(sweeps.map((t) => t.txHash)).size > MAX_SWEEP_TXS) return [];
  return swept * 10_000n < arrival.amount * BigInt(MIN_SWEPT_SHARE_BPS) ? [] : sweeps;
}

/**
 * Decides whether `address` is a deposit address of the exchange it sweeps to, from the traced arrival
 * and its transfers around it. Returns the evidence, or null when it does not look like one.
 *
 * Confidence: the window's doubts (a slow sweep, less than all of it swept, a split sweep, more than
 * one sender, other payments out) lower it, and `high` needs a signal from the exchange's side, which a
 * launderer's wallet forwarding everything to its own account at the venue cannot give: the destination
 * shown to be a hot wallet (its label's role says so, or at least MIN_HOT_WALLET_PAYERS other addresses
 * pay it around the sweep), the venue's own gas top-up before a token sweep, or a batched sweep with
 * other addresses; with at most MAX_HIGH_DOUBTS doubts. The ground: an account-based exchange credits a
 * customer through the customer's deposit address, so whoever cashes out pays a deposit address, and the
 * address that pays a hot wallet in full is in the deposit address's place; an exchange address paid by
 * nobody else may itself be that deposit address (labelled with its venue, no role), the forwarder its
 * customer. Without such a signal (the pattern repeated is a reason, not one) the verdict is `medium`;
 * two doubts or more make any verdict `low`.
 */
export function detectDeposit(input: DepositInput): DepositEvidence | null {
  const { arrival } = input;
  const sweeps = sweepsOf(input);
  const first = sweeps[0];
  if (!first) return null;
  const hotLabel = sweepLabel(input, first)!;
  const entity = hotLabel.entity;
  const sweepTxs = [...new Set(sweeps.map((t) => t.txHash))];
  const last = sweeps[sweeps.length - 1]!;
  const fromVenue = (t: Transfer): boolean => exchangeAt(input, t.from, t)?.entity === entity;

  // What the sweep empties: what arrived since the address last paid this asset out (an earlier sweep),
  // at most a sweep window before the arrival: another customer's payment just before ours is swept too.
  const outs = [...(input.history?.outgoing ?? []), ...input.outgoing];
  const previousOut = outs
    .filter((t) => t.asset === arrival.asset && t.amount > 0n && t.from !== t.to && before(t, arrival))
    .reduce<Transfer | undefined>((latest, t) => (latest === undefined || after(t, latest) ? t : latest), undefined);
  const lookback = arrival.blockNumber - SWEEP_WINDOW_BLOCKS;
  const pending = (t: Transfer): boolean =>
    !after(t, last) && t.blockNumber >= lookback && (previousOut === undefined || after(t, previousOut)) && t.from !== t.to;
  const inWindow = (t: Transfer): boolean => !before(t, arrival) && !after(t, last);
  const received = input.incoming.filter((t) => t.asset === arrival.asset && pending(t)).reduce((sum, t) => sum + t.amount, 0n);
  const swept = sweeps.reduce((sum, t) => sum + t.amount, 0n);
  if (received === 0n) return null;
  const shareBps = Number((swept * 10_000n) / received);
  if (shareBps < MIN_SWEPT_SHARE_BPS || shareBps > MAX_SWEPT_SHARE_BPS) return null;

  const others = input.outgoing.filter((t) => t.amount > 0n && t.from !== t.to && !sweeps.includes(t) && inWindow(t));
  const otherValue = others.filter((t) => t.asset === arrival.asset).reduce((sum, t) => sum + t.amount, 0n);
  if (otherValue * 10_000n > received * BigInt(MAX_OTHER_OUT_BPS)) return null;

  // The exchange funds its deposit addresses with gas before a token sweep: not another customer.
  const topUps = input.incoming.filter((t) => t.amount > 0n && pending(t) && fromVenue(t));
  const senders = new Set(input.incoming.filter((t) => t.amount > 0n && pending(t) && !fromVenue(t)).map((t) => t.from));
  if (senders.size > MAX_SENDERS) return null;

  const delayBlocks = first.blockNumber - arrival.blockNumber;
  const reasons: string[] = [];
  let doubts = 0;
  const doubt = (why: string): void => {
    doubts++;
    reasons.push(why);
  };
  // What the exchange's side does and a launderer's wallet cannot make it do: each a reason of its own.
  const strong: string[] = [];
  const payers = input.venuePayers ?? 0;
  if (hotLabel.role === 'hot-wallet') strong.push(`${first.to} is ${entity}'s hot wallet by its label's own words`);
  else if (payers >= MIN_HOT_WALLET_PAYERS) {
    strong.push(`${plural(payers, 'other address', 'other addresses')} paid ${first.to} within ${HOT_WALLET_WINDOW_BLOCKS} blocks of the sweep: it acts as ${entity}'s hot wallet`);
  }
  const gas = topUps.filter((t) => t.asset === NATIVE && before(t, first));
  if (arrival.asset !== NATIVE && gas.length > 0) strong.push(`${entity} topped it up with gas before the token sweep (tx ${gas[0]!.txHash})`);
  const peers = input.batchPeers ?? 0;
  if (peers > 0) strong.push(`swept in one transaction with ${plural(peers, 'other address', 'other addresses')} paying ${entity} (a batched sweep)`);
  reasons.push(...strong);
  const cycles = cyclesInto(input, entity);
  if (cycles >= MIN_CYCLES) reasons.push(`paid in and swept into ${entity} ${cycles} times (the deposit pattern repeated)`);

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
  if (strong.length === 0) {
    const seen = input.venuePayers === undefined ? 'not looked at' : `${plural(payers, 'other payer')} within ${HOT_WALLET_WINDOW_BLOCKS} blocks`;
    reasons.push(
      `${first.to} is not shown to be ${entity}'s hot wallet (${seen}): it may be a deposit address itself, this address its customer, so not high`,
    );
  }
  // One doubt is what an address with an exchange-side signal can carry and stay `high` (a threshold
  // sweeper is slow; a customer address is paid by more than one wallet); without one it is `medium`.
  const confidence: DepositConfidence = strong.length > 0 && doubts <= MAX_HIGH_DOUBTS ? 'high' : doubts <= 1 ? 'medium' : 'low';

  return {
    hotWallet: first.to,
    entity,
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

/**
 * Arrival→sweep cycles into `entity` in the address's history: sweeps (one per transaction and asset,
 * in chain order) each carrying 90–110 % of what arrived in that asset since the previous one, the
 * first of those arrivals within a sweep window of it. The venue's own payments in (gas) are not arrivals.
 */
export function cyclesInto(input: Pick<DepositInput, 'labelOf' | 'inForce' | 'outgoing' | 'incoming' | 'history'>, entity: string): number {
  const outgoing = input.history?.outgoing ?? input.outgoing;
  const incoming = (input.history?.incoming ?? input.incoming).filter(
    (t) => t.amount > 0n && t.from !== t.to && exchangeAt(input, t.from, t)?.entity !== entity,
  );
  const groups = new Map<string, { at: Transfer; amount: bigint }>();
  for (const t of outgoing) {
    if (t.amount === 0n || t.from === t.to || sweepLabel(input, t)?.entity !== entity) continue;
    const key = `${t.txHash}|${t.asset}`;
    const g = groups.get(key);
    if (g) g.amount += t.amount;
    else groups.set(key, { at: t, amount: t.amount });
  }
  const ordered = [...groups.values()].sort((x, y) => (after(x.at, y.at) ? 1 : before(x.at, y.at) ? -1 : 0));
  const previous = new Map<Asset, Transfer>();
  let cycles = 0;
  for (const { at, amount } of ordered) {
    const prev = previous.get(at.asset);
    previous.set(at.asset, at);
    const arrivals = incoming.filter(
      (t) => t.asset === at.asset && before(t, at) && (prev === undefined || after(t, prev)) && at.blockNumber - t.blockNumber <= SWEEP_WINDOW_BLOCKS,
    );
    const got = arrivals.reduce((sum, t) => sum + t.amount, 0n);
    if (got > 0n && amount * 10_000n >= got * BigInt(MIN_SWEPT_SHARE_BPS) && amount * 10_000n <= got * BigInt(MAX_SWEPT_SHARE_BPS)) cycles++;
  }
  return cycles;
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
