/**
 * One entry point for every bridge event: a log in, a `DecodedBridgeLog` out, never an exception.
 * The caller decides which contracts to feed (data/bridges.csv); the topic decides the decoder.
 */
import type { Address } from '../types.js';
import { readLog } from './abi.js';
import { decodeAcrossDeposit, decodeAcrossFill } from './across.js';
import { EVENTS_BY_TOPIC } from './events.js';
import { decodeOpArrival, decodeOpExit, OP_LEGACY_EXIT_EVENTS } from './opStack.js';
import { decodeThorchainDeposit, decodeThorchainTransferOut } from './thorchain.js';
import type { BridgeExit, DecodedBridgeLog, RawLog } from './types.js';
import { decodeWormholeMessage, decodeWormholeRedeemed } from './wormhole.js';

/** What a decoder needs beyond the log: the chain, and the registry facts a log does not carry. */
export interface DecodeContext {
  /** EIP-155 id of the chain the log is from. */
  chainId: number;
  /** For rollup bridges: the chain on the other side of a bridge contract (data/bridges.csv remote_chain_id). */
  remoteChainOf?: (contract: Address) => number | undefined;
  /** Wormhole token bridges on this chain; a core message from any other sender is not a transfer. */
  wormholeTokenBridges?: ReadonlySet<Address>;
}

/**
 * Decodes one log of a bridge contract.
 *
 * @example
 * const d = decodeBridgeLog(log, { chainId: 1 });
 * if (d.kind === 'exit') console.log(d.exit.destination, d.exit.recipient);
 */
export function decodeBridgeLog(log: RawLog, ctx: DecodeContext): DecodedBridgeLog {
  const topic0 = typeof log?.topics?.[0] === 'string' ? log.topics[0].toLowerCase() : undefined;
  const ev = topic0 === undefined ? undefined : EVENTS_BY_TOPIC.get(topic0);
  if (!ev) return { kind: 'not-ours' };
  const name = ev.fragment.name;
  try {
    const r = readLog(log, ev, ctx.chainId);
    if (typeof r === 'string') return { kind: 'malformed', protocol: ev.protocol, event: name, reason: r };
    const remote = (): number | undefined => ctx.remoteChainOf?.(r.at.contract);
    switch (name) {
      case 'Deposit':
        return decodeThorchainDeposit(r);
      case 'TransferOut':
      case 'TransferOutAndCall':
        return decodeThorchainTransferOut(r, name);
      case 'FundsDeposited':
      case 'V3FundsDeposited':
        return decodeAcrossDeposit(r, name);
      case 'FilledRelay':
      case 'FilledV3Relay':
        return decodeAcrossFill(r, name);
      case 'LogMessagePublished':
        return decodeWormholeMessage(r, ctx.wormholeTokenBridges);
      case 'TransferRedeemed':
        return decodeWormholeRedeemed(r);
      case 'ETHBridgeInitiated':
      case 'ERC20BridgeInitiated':
      case 'ETHDepositInitiated':
      case 'ERC20DepositInitiated':
        return decodeOpExit(r, name, remote());
      case 'ETHBridgeFinalized':
      case 'ERC20BridgeFinalized':
        return decodeOpArrival(r, name, remote());
      default:
        return { kind: 'not-ours' };
    }
  } catch (err) {
    // Every decoder checks its input; this is the last guard so that no log can stop a trace.
    return { kind: 'malformed', protocol: ev.protocol, event: name, reason: `could not be read: ${String((err as Error)?.message ?? err).split('\n')[0]}` };
  }
}

/**
 * Decodes the logs of one or more transactions, one answer per log in order. The OP Stack L1 bridge
 * emits a legacy `…DepositInitiated` and the universal `…BridgeInitiated` for the same move; the legacy
 * one is answered `ignored` when its twin is in the same transaction (counting both would double the
 * exit). Before Bedrock only the legacy event existed, and then it is the exit.
 */
export function decodeBridgeLogs(logs: readonly RawLog[], ctx: DecodeContext): DecodedBridgeLog[] {
  const out = logs.map((l) => decodeBridgeLog(l, ctx));
  const universal = new Set<string>();
  for (const d of out) if (d.kind === 'exit' && d.exit.protocol === 'op-standard-bridge' && !OP_LEGACY_EXIT_EVENTS.has(d.exit.event)) universal.add(opMoveKey(d.exit));
  return out.map((d) =>
    d.kind === 'exit' && OP_LEGACY_EXIT_EVENTS.has(d.exit.event) && universal.has(opMoveKey(d.exit))
      ? { kind: 'ignored', protocol: 'op-standard-bridge', event: d.exit.event, reason: 'legacy twin of the universal event in the same transaction' }
      : d,
  );
}

function opMoveKey(e: BridgeExit): string {
  const asset = e.paid?.asset;
  const token = asset?.kind === 'token' ? asset.address : 'native';
  return `${e.source.txHash}|${e.source.contract}|${e.sender}|${e.recipient.kind === 'evm' ? e.recipient.address : ''}|${token}|${e.paid?.amount}`;
}
