/**
 * OP Stack standard bridge (OP Mainnet, Base and the other OP Stack chains): a same-address bridge by
 * default (`depositETH`, `bridgeETH`, `bridgeERC20` send to the caller's own address on the other side).
 * The events carry from, to, token pair and amount, but nothing that names the other side's
 * transaction: arrivals are matched by recipient + asset + amount in a time window (link.ts), an
 * inference with its confidence. Which chain is on the other side is a property of the bridge contract
 * (data/bridges.csv `remote_chain_id`), not of the log.
 */
import type { Address } from '../types.js';
import type { ReadLog } from './abi.js';
import { addr, evmAsset, uint } from './abi.js';
import type { BridgeAsset, BridgeDestination, DecodedBridgeLog } from './types.js';

/** Legacy L1 events emitted right before their universal twin (L1StandardBridge._emit…Initiated). */
export const OP_LEGACY_EXIT_EVENTS: ReadonlySet<string> = new Set(['ETHDepositInitiated', 'ERC20DepositInitiated']);

type ExitEvent = 'ETHBridgeInitiated' | 'ERC20BridgeInitiated' | 'ETHDepositInitiated' | 'ERC20DepositInitiated';

/** An `…Initiated` event: the funds left for the bridge's remote chain. */
export function decodeOpExit(r: ReadLog, event: ExitEvent, remoteChainId: number | undefined): DecodedBridgeLog {
  const a = r.args;
  const eth = event === 'ETHBridgeInitiated' || event === 'ETHDepositInitiated';
  const from = addr(a.get('from'));
  const to = addr(a.get('to'));
  const amount = uint(a.get('amount'));
  const local: Address | null = eth ? null : addr(a.get(event === 'ERC20DepositInitiated' ? 'l1Token' : 'localToken'));
  const remote: Address | null = eth ? null : addr(a.get(event === 'ERC20DepositInitiated' ? 'l2Token' : 'remoteToken'));
  const destination: BridgeDestination =
    remoteChainId === undefined
      ? { kind: 'unknown', protocolCode: r.at.contract, reason: 'this bridge contract has no remote chain in data/bridges.csv' }
      : { kind: 'evm', chainId: remoteChainId };
  const paidAsset: BridgeAsset = local === null ? { kind: 'native', chainId: r.at.chainId } : evmAsset(r.at.chainId, local);
  let promisedAsset: BridgeAsset | null = null;
  if (remoteChainId !== undefined) promisedAsset = remote === null ? { kind: 'native', chainId: remoteChainId } : evmAsset(remoteChainId, remote);
  const caveats = ['the bridge names no link to the payout: matched by recipient, asset and amount in a time window'];
  if (to !== from) caveats.push('recipient differs from sender (bridge…To)');
  return {
    kind: 'exit',
    exit: {
      protocol: 'op-standard-bridge', event, source: r.at, sender: from,
      paid: { asset: paidAsset, amount }, destination, recipient: { kind: 'evm', address: to },
      promised: { asset: promisedAsset, amount, amountKind: 'exact' },
      link: { kind: 'none' }, deadline: null, memo: null, caveats,
    },
  };
}

/** An `…Finalized` event: the payout on this chain. `originSender` is kept in `link.parts` for matching. */
export function decodeOpArrival(r: ReadLog, event: 'ETHBridgeFinalized' | 'ERC20BridgeFinalized', remoteChainId: number | undefined): DecodedBridgeLog {
  const a = r.args;
  const eth = event === 'ETHBridgeFinalized';
  const asset: BridgeAsset = eth ? { kind: 'native', chainId: r.at.chainId } : evmAsset(r.at.chainId, addr(a.get('localToken')));
  return {
    kind: 'arrival',
    arrival: {
      protocol: 'op-standard-bridge', event, at: r.at, recipient: addr(a.get('to')), asset, amount: uint(a.get('amount')),
      amountKind: 'exact', link: { kind: 'none' },
      origin: remoteChainId === undefined ? null : { kind: 'evm', chainId: remoteChainId },
      originSender: addr(a.get('from')), refund: false, caveats: [],
    },
  };
}
