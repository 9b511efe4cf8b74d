/**
 * Matching exits to arrivals across chains. Where the protocol links the sides (THORChain's inbound
 * hash, Across's origin chain + deposit id, Wormhole's emitter + sequence) the match is the protocol's
 * fact. Where it does not (the OP Stack bridge) a match is an inference: same recipient, same asset,
 * same amount, same sender, inside a time window, and only when exactly one arrival fits; its confidence
 * and reasons are stated, and several candidates give no match at all.
 */
import type { BridgeArrival, BridgeAsset, BridgeExit } from './types.js';

/** An exit or arrival with its block's timestamp (unix seconds): logs do not carry it. */
export interface Timed<T> {
  item: T;
  timestamp: number;
}

/** One matched crossing. */
export interface BridgeMatch {
  exit: BridgeExit;
  arrival: BridgeArrival;
  /** `protocol-link`: the protocol names the other side (a fact). `heuristic`: our inference. */
  basis: 'protocol-link' | 'heuristic';
  confidence: 'certain' | 'medium';
  reasons: string[];
}

/** An exit no arrival was matched to, with why. */
export interface UnmatchedExit {
  exit: BridgeExit;
  reason: string;
}

export interface MatchOptions {
  /**
   * Heuristic window after the exit, seconds. Our parameter, not a protocol promise; the default of
   * 3 600 s covers OP Stack deposits (included on L2 within minutes of the L1 block).
   */
  windowSeconds?: number;
}

export interface MatchResult {
  matches: BridgeMatch[];
  unmatched: UnmatchedExit[];
}

const DEFAULT_WINDOW = 3_600;

/**
 * Matches exits to arrivals. An arrival is used at most once; time order holds (an arrival before its
 * exit is never its payout); a protocol link whose chains disagree is refused with the reason.
 */
export function matchBridgeCrossings(exits: readonly Timed<BridgeExit>[], arrivals: readonly Timed<BridgeArrival>[], opts: MatchOptions = {}): MatchResult {
  const window = opts.windowSeconds ?? DEFAULT_WINDOW;
  const byKey = new Map<string, Timed<BridgeArrival>[]>();
  for (const a of arrivals) {
    if (a.item.link.kind === 'none') continue;
    const k = `${a.item.protocol}|${a.item.link.key}`;
    const list = byKey.get(k) ?? [];
    list.push(a);
    byKey.set(k, list);
  }
  const used = new Set<Timed<BridgeArrival>>();
  const matches: BridgeMatch[] = [];
  const unmatched: UnmatchedExit[] = [];

  for (const e of exits) {
    const exit = e.item;
    if (exit.link.kind !== 'none') {
      const candidates = (byKey.get(`${exit.protocol}|${exit.link.key}`) ?? []).filter((a) => !used.has(a));
      const fit = candidates.filter((a) => refuse(e, a) === null);
      if (fit.length === 0) {
        const why = candidates.length > 0 ? (refuse(e, candidates[0] as Timed<BridgeArrival>) ?? '') : 'no arrival carries its link';
        unmatched.push({ exit, reason: why });
        continue;
      }
      // THORChain may pay one inbound in several outbounds (streaming swaps): each is a match.
      for (const a of exit.protocol === 'thorchain' ? fit : fit.slice(0, 1)) {
        used.add(a);
        matches.push({
          exit, arrival: a.item, basis: 'protocol-link', confidence: 'certain',
          reasons: [linkReason(exit), ...(a.item.refund ? ['the payout is a refund of the inbound'] : [])],
        });
      }
      continue;
    }
    const fit = arrivals.filter((a) => !used.has(a) && a.item.link.kind === 'none' && a.item.protocol === exit.protocol && heuristicFits(e, a, window));
    if (fit.length !== 1) {
      unmatched.push({ exit, reason: fit.length === 0 ? `no arrival with the same recipient, asset and amount within ${window} s` : `${fit.length} arrivals fit equally: not matched` });
      continue;
    }
    const a = fit[0] as Timed<BridgeArrival>;
    used.add(a);
    matches.push({
      exit, arrival: a.item, basis: 'heuristic', confidence: 'medium',
      reasons: [
        'same recipient, same asset, same amount, same sender',
        `arrival ${a.timestamp - e.timestamp} s after the exit (window ${window} s)`,
        'the only arrival that fits; the bridge names no link',
      ],
    });
  }
  return { matches, unmatched };
}

function linkReason(exit: BridgeExit): string {
  switch (exit.protocol) {
    case 'thorchain':
      return `THORChain's outbound memo names the inbound transaction (${exit.link.kind === 'exact' ? exit.link.txHash : ''})`;
    case 'across':
      return 'the fill names the deposit: origin chain and deposit id';
    case 'wormhole':
      return 'the redemption names the message: emitter chain, emitter and sequence';
    default:
      return 'the protocol links the two sides';
  }
}

/** Why a protocol-linked arrival cannot be this exit's, or null when it can. */
function refuse(e: Timed<BridgeExit>, a: Timed<BridgeArrival>): string | null {
  const exit = e.item;
  const arrival = a.item;
  if (a.timestamp < e.timestamp) return 'the only arrival with its link is earlier than the exit';
  // A refund pays back on the inbound's own chain, whatever the swap's destination was.
  if (arrival.refund) {
    return arrival.at.chainId === exit.source.chainId ? null : `refund on chain ${arrival.at.chainId}, the inbound was on chain ${exit.source.chainId}`;
  }
  if (exit.destination.kind === 'evm' && exit.destination.chainId !== arrival.at.chainId) {
    return `link found on chain ${arrival.at.chainId}, but the exit names chain ${exit.destination.chainId}`;
  }
  if (arrival.origin?.kind === 'evm' && arrival.origin.chainId !== exit.source.chainId) {
    return `arrival names origin chain ${arrival.origin.chainId}, the exit is on chain ${exit.source.chainId}`;
  }
  return null;
}

function heuristicFits(e: Timed<BridgeExit>, a: Timed<BridgeArrival>, window: number): boolean {
  const exit = e.item;
  const arrival = a.item;
  if (exit.destination.kind !== 'evm' || exit.destination.chainId !== arrival.at.chainId) return false;
  if (arrival.origin?.kind === 'evm' && arrival.origin.chainId !== exit.source.chainId) return false;
  if (exit.recipient.kind !== 'evm' || exit.recipient.address !== arrival.recipient) return false;
  if (exit.sender !== null && arrival.originSender !== null && exit.sender !== arrival.originSender) return false;
  if (exit.promised.amount === null || exit.promised.amount !== arrival.amount) return false;
  if (!sameAsset(exit.promised.asset, arrival.asset)) return false;
  const dt = a.timestamp - e.timestamp;
  return dt >= 0 && dt <= window;
}

function sameAsset(x: BridgeAsset | null, y: BridgeAsset | null): boolean {
  if (x === null || y === null) return false;
  if (x.kind === 'native' && y.kind === 'native') return x.chainId === y.chainId;
  if (x.kind === 'token' && y.kind === 'token') return x.chainId === y.chainId && x.address === y.address;
  return false;
}
