/**
 * The words and shapes of a crossing (trace/result.ts `Crossing`, `HitExit`, `FrontierRow`) made from
 * the bridges layer's exits, arrivals and matches. Pure: run.ts reads the logs and walks on.
 */
import type { BridgeMatch } from '../bridges/link.js';
import type { BridgeAsset, BridgeExit, BridgeProtocol } from '../bridges/types.js';
import { labelChainForChainId, nativeSymbol } from '../labels/chains.js';
import { NATIVE, type Address, type Asset, type Hex } from '../types.js';
import { formatAmount } from '../util/amount.js';
import type { Crossing, ExitReason, FrontierRow, Hit, HitExit, Promised } from './result.js';

/** How each protocol is named in reports. */
export const PROTOCOL_NAMES: Readonly<Record<BridgeProtocol, string>> = {
  thorchain: 'THORChain',
  across: 'Across',
  wormhole: 'Wormhole token bridge',
  'op-standard-bridge': 'OP Stack standard bridge',
};

/**
 * How long after an exit its arrival is looked for, in seconds. These are our search windows, not the
 * protocols' promises: an arrival later than this is "no arrival found yet" (a frontier row), never a
 * guess. Across says its own deadline (fillDeadline), used when the exit carries it. The OP window is
 * the matching window of bridges/link.ts.
 */
export const ARRIVAL_WINDOW_SECONDS: Readonly<Record<BridgeProtocol, number>> = {
  thorchain: 2 * 86_400,
  across: 86_400,
  wormhole: 7 * 86_400,
  'op-standard-bridge': 3_600,
};

/** The search window of one exit (Across: up to its fillDeadline when it states one). */
export function arrivalWindow(exit: BridgeExit, exitTime: number): number {
  if (exit.protocol === 'across' && exit.deadline !== null && exit.deadline > exitTime) return exit.deadline - exitTime;
  return ARRIVAL_WINDOW_SECONDS[exit.protocol];
}

/** A chain's readable name: its label-chain name (`bsc`), else `chain <id>`. */
export function chainName(chainId: number): string {
  return labelChainForChainId(chainId) ?? `chain ${chainId}`;
}

/** An EVM asset of a bridge as a report asset (`native` or the token), or null for any other kind. */
export function evmAssetOf(a: BridgeAsset | null): Asset | null {
  if (a === null) return null;
  if (a.kind === 'native') return NATIVE;
  if (a.kind === 'token') return a.address;
  return null;
}

/** The promise in report terms: asset notation, symbol and decimals where the protocol fixes them. */
export function promisedOf(exit: BridgeExit): Promised {
  const p = exit.promised;
  const a = p.asset;
  let asset: string | null = null;
  let symbol: string | null = null;
  let decimals: number | null = p.amountKind === 'normalized-8' ? 8 : null;
  if (a !== null) {
    switch (a.kind) {
      case 'native':
        asset = NATIVE;
        symbol = nativeSymbol(labelChainForChainId(a.chainId));
        decimals ??= 18;
        break;
      case 'token':
        asset = a.address;
        break;
      case 'thorchain':
        asset = a.notation;
        symbol = a.symbol;
        // THORChain states every amount in 1e8 units (docs/bridges.md, "Promise").
        decimals = 8;
        break;
      case 'wormhole':
        asset = `wormhole:${a.tokenChain}:${a.tokenAddress}`;
        break;
      case 'bytes32':
        asset = a.value;
        break;
    }
  }
  return { asset, symbol, decimals, amount: p.amount, amountKind: p.amountKind };
}

/** `at least 1 BTC`, `5 ETH`, `no amount`: the promise in words. */
export function promisedWords(p: Promised): string {
  if (p.amount === null || p.amountKind === 'none') return 'no amount';
  const unit = p.symbol ?? p.asset ?? 'an asset the protocol does not name';
  // The figure as every renderer prints it (util/amount.ts): grouped, scaled by known decimals, else in
  // base units said as such (`1,000 units of …`).
  const n = p.decimals === null ? `${formatAmount(p.amount, null)} of` : formatAmount(p.amount, p.decimals);
  return `${p.amountKind === 'minimum' ? 'at least ' : ''}${n} ${unit}`;
}

/** The destination in report terms. */
export function destinationOf(exit: BridgeExit): HitExit['destination'] {
  const d = exit.destination;
  if (d.kind === 'evm') return { kind: 'evm', chainId: d.chainId, name: chainName(d.chainId), code: null };
  if (d.kind === 'named') return { kind: 'named', chainId: null, name: d.name, code: d.protocolCode };
  return { kind: 'unknown', chainId: null, name: d.protocolCode, code: d.protocolCode };
}

/** The recipient in report terms; `sender` resolved to the address that paid the bridge when known. */
export function recipientOf(exit: BridgeExit, payer: Address): HitExit['recipient'] {
  const r = exit.recipient;
  switch (r.kind) {
    case 'evm':
      return { kind: 'evm', text: r.address };
    case 'external':
      return { kind: 'external', text: r.text };
    case 'thorname':
      return { kind: 'thorname', text: r.name };
    case 'sender':
      return { kind: 'sender', text: payer };
    case 'unknown':
      return { kind: 'unknown', text: r.text };
  }
}

/** The EVM address the protocol pays, or null when it names none we can follow. */
export function evmRecipient(exit: BridgeExit, payer: Address): Address | null {
  if (exit.recipient.kind === 'evm') return exit.recipient.address;
  if (exit.recipient.kind === 'sender') return payer;
  return null;
}

/** An exit's facts for an exit hit, with the reason it was not followed. */
export function hitExitOf(exit: BridgeExit, payer: Address, timestamp: number | null, reason: ExitReason, reasonText: string): HitExit {
  const destination = destinationOf(exit);
  const recipient = recipientOf(exit, payer);
  const promised = promisedOf(exit);
  const to = destination.code ?? destination.name;
  const who = recipient.text === '' ? 'an unnamed recipient' : recipient.text;
  return {
    protocol: exit.protocol,
    protocolName: PROTOCOL_NAMES[exit.protocol],
    event: exit.event,
    chainId: exit.source.chainId,
    txHash: exit.source.txHash,
    blockNumber: exit.source.blockNumber,
    timestamp,
    logIndex: exit.source.logIndex,
    contract: exit.source.contract,
    destination,
    recipient,
    promised,
    paid: exit.paid ? { asset: evmAssetOf(exit.paid.asset) ?? 'unknown', amount: exit.paid.amount } : null,
    reason,
    reasonText,
    evidence: 'fact',
    promise: 'protocol',
    caveats: [...exit.caveats],
    summary: `left to ${to} ${who} via ${PROTOCOL_NAMES[exit.protocol]}, ${promisedWords(promised)} promised`,
  };
}

/** The frontier row of an exit hit (the same facts, one line for the next tool). */
export function frontierRowOf(hit: Hit & { exit: HitExit }): FrontierRow {
  const e = hit.exit;
  return {
    chainId: e.destination.chainId,
    chain: e.destination.name,
    address: e.recipient.text,
    asset: e.promised.asset,
    symbol: e.promised.symbol,
    decimals: e.promised.decimals,
    amount: e.promised.amount,
    amountKind: e.promised.amountKind,
    protocol: e.protocol,
    fromChainId: e.chainId,
    txHash: e.txHash,
    seed: hit.seed,
    hop: hit.hops,
    reason: e.reason,
    reasonText: e.reasonText,
  };
}

/** A followed crossing from a match, with both sides' block times. */
export function crossingOf(
  m: BridgeMatch,
  ends: { from: Address; to: Address; exitTime: number | null; arrivalTime: number | null; hop: number },
): Crossing {
  const toChain = m.arrival.at.chainId;
  const side = (at: BridgeMatch['exit']['source'], event: string, timestamp: number | null) => ({
    txHash: at.txHash as Hex,
    blockNumber: at.blockNumber,
    timestamp,
    logIndex: at.logIndex,
    contract: at.contract,
    event,
  });
  const fact = m.basis === 'protocol-link';
  return {
    protocol: m.exit.protocol,
    protocolName: PROTOCOL_NAMES[m.exit.protocol],
    fromChainId: m.exit.source.chainId,
    toChainId: toChain,
    exit: side(m.exit.source, m.exit.event, ends.exitTime),
    arrival: side(m.arrival.at, m.arrival.event, ends.arrivalTime),
    from: ends.from,
    to: ends.to,
    link: {
      evidence: fact ? 'fact' : 'inference',
      basis: m.basis,
      kind: m.exit.link.kind,
      key: m.exit.link.kind === 'none' ? null : m.exit.link.key,
      confidence: m.confidence,
      reasons: [...m.reasons],
    },
    promised: promisedOf(m.exit),
    hop: ends.hop,
  };
}
