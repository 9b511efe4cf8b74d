/**
 * Across SpokePool logs. A deposit names its destination chain and gets a deposit id on its origin
 * chain; the relayer's fill on the destination names (origin chain id, deposit id): that pair is the link.
 * Current events carry bytes32 addresses (non-EVM chains such as Solana); the V3 events before the
 * 2025-02 change carry 20-byte addresses and a uint32 id. Both are read.
 */
import type { ReadLog } from './abi.js';
import { addr, bytes32Asset, bytes32Recipient, bytes32ToAddress, evmAsset, smallInt, uint } from './abi.js';
import type { BridgeAsset, BridgeDestination, BridgeRecipient, DecodedBridgeLog } from './types.js';

/** The link key of an Across crossing. */
export function acrossLinkKey(originChainId: bigint | number, depositId: bigint | number): string {
  return `across:${originChainId}:${depositId}`;
}

const ZERO32 = `0x${'0'.repeat(64)}`;

/** `FundsDeposited` (bytes32 fields) or `V3FundsDeposited` (address fields). */
export function decodeAcrossDeposit(r: ReadLog, event: 'FundsDeposited' | 'V3FundsDeposited'): DecodedBridgeLog {
  const legacy = event === 'V3FundsDeposited';
  const a = r.args;
  const destId = uint(a.get('destinationChainId'));
  const depositId = uint(a.get('depositId'));
  const destChain = smallInt(destId);
  const caveats: string[] = [];
  const destination: BridgeDestination =
    destChain === null
      ? { kind: 'unknown', protocolCode: destId.toString(), reason: 'destination chain id does not fit a chain id' }
      : { kind: 'evm', chainId: destChain };
  const depositorRaw = String(a.get('depositor'));
  const sender = legacy ? addr(depositorRaw) : bytes32ToAddress(depositorRaw);
  if (sender === null) caveats.push('depositor is not a 20-byte address');
  const recipient: BridgeRecipient = legacy ? { kind: 'evm', address: addr(a.get('recipient')) } : bytes32Recipient(String(a.get('recipient')));
  if (recipient.kind === 'external') caveats.push('recipient is a 32-byte key of a non-EVM chain');
  const inputToken = String(a.get('inputToken'));
  const paidAsset: BridgeAsset = legacy ? evmAsset(r.at.chainId, addr(inputToken)) : bytes32Asset(r.at.chainId, inputToken);
  const outputToken = String(a.get('outputToken'));
  let promisedAsset: BridgeAsset | null = null;
  const zeroOut = legacy ? /^0x0{40}$/.test(outputToken) : outputToken.toLowerCase() === ZERO32;
  if (zeroOut) caveats.push("outputToken is zero: Across pays the input token's equivalent on the destination");
  else if (destChain !== null) promisedAsset = legacy ? evmAsset(destChain, addr(outputToken)) : bytes32Asset(destChain, outputToken);
  if (String(a.get('message')) !== '0x') caveats.push('deposit carries a message: the recipient contract acts on it');
  return {
    kind: 'exit',
    exit: {
      protocol: 'across', event, source: r.at, sender,
      paid: { asset: paidAsset, amount: uint(a.get('inputAmount')) },
      destination, recipient,
      promised: { asset: promisedAsset, amount: uint(a.get('outputAmount')), amountKind: 'exact' },
      link: { kind: 'id', key: acrossLinkKey(r.at.chainId, depositId), parts: { originChainId: String(r.at.chainId), depositId: depositId.toString() } },
      deadline: smallInt(uint(a.get('fillDeadline'))), memo: null, caveats,
    },
  };
}

/** `FilledRelay` / `FilledV3Relay`: the payout, to the (possibly updated) recipient. */
export function decodeAcrossFill(r: ReadLog, event: 'FilledRelay' | 'FilledV3Relay'): DecodedBridgeLog {
  const legacy = event === 'FilledV3Relay';
  const a = r.args;
  const originId = uint(a.get('originChainId'));
  const depositId = uint(a.get('depositId'));
  const info = a.get('relayExecutionInfo') as readonly unknown[];
  const caveats: string[] = [];
  const updatedRaw = String(info[0]);
  const recipientRaw = String(a.get('recipient'));
  const payee = legacy ? addr(updatedRaw) : bytes32ToAddress(updatedRaw);
  const original = legacy ? addr(recipientRaw) : bytes32ToAddress(recipientRaw);
  if (payee === null) caveats.push('recipient is not a 20-byte address');
  if (payee !== original) caveats.push('the depositor changed the recipient with a signed speed-up; the payee is the updated one');
  if (Number(info[3]) === 2) caveats.push('slow fill: paid by the SpokePool itself after the bundle was validated');
  const outputToken = String(a.get('outputToken'));
  const originChain = smallInt(originId);
  return {
    kind: 'arrival',
    arrival: {
      protocol: 'across', event, at: r.at, recipient: payee,
      asset: legacy ? evmAsset(r.at.chainId, addr(outputToken)) : bytes32Asset(r.at.chainId, outputToken),
      amount: uint(info[2]), amountKind: 'exact',
      link: { kind: 'id', key: acrossLinkKey(originId, depositId), parts: { originChainId: originId.toString(), depositId: depositId.toString() } },
      origin: originChain === null ? { kind: 'unknown', protocolCode: originId.toString(), reason: 'origin chain id does not fit a chain id' } : { kind: 'evm', chainId: originChain },
      originSender: legacy ? addr(a.get('depositor')) : bytes32ToAddress(String(a.get('depositor'))),
      refund: false, caveats,
    },
  };
}
