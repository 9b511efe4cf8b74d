/**
 * Wormhole token bridge. Sending publishes a message on the core contract (`LogMessagePublished`,
 * sender = the token bridge) whose payload is the transfer (Bridge.sol encodeTransfer, packed):
 * payloadID u8 (1, or 3 with a payload), amount u256, tokenAddress b32, tokenChain u16, to b32,
 * toChain u16, then fee u256 (id 1) or fromAddress b32 + payload (id 3). Redeeming emits
 * `TransferRedeemed(emitterChainId, emitterAddress, sequence)`: (emitter chain, emitter, sequence)
 * is the link. Chain ids in the payload are Wormhole's own (chains.ts).
 */
import type { Address } from '../types.js';
import type { ReadLog } from './abi.js';
import { addr, bytes32Recipient, uint } from './abi.js';
import { wormholeChainOfEvm, wormholeDestination } from './chains.js';
import type { BridgeRecipient, DecodedBridgeLog } from './types.js';

const TRANSFER_LEN = 133;

/** The link key of a Wormhole message. */
export function wormholeLinkKey(emitterChain: number, emitter32: string, sequence: bigint): string {
  return `wormhole:${emitterChain}:${emitter32.toLowerCase()}:${sequence}`;
}

function pad32(a: Address): string {
  return `0x${a.slice(2).toLowerCase().padStart(64, '0')}`;
}

/**
 * `LogMessagePublished` whose sender is a token bridge. `tokenBridges`, when given, lists the token
 * bridges of this chain: any other sender's message is not a token transfer, whatever its bytes say
 * (anyone can publish a message). Without the list the exit carries a caveat.
 */
export function decodeWormholeMessage(r: ReadLog, tokenBridges: ReadonlySet<Address> | undefined): DecodedBridgeLog {
  const sender = addr(r.args.get('sender'));
  const event = 'LogMessagePublished';
  if (tokenBridges !== undefined && !tokenBridges.has(sender)) {
    return { kind: 'ignored', protocol: 'wormhole', event, reason: `message from ${sender}, not a known token bridge` };
  }
  const payload = Buffer.from(String(r.args.get('payload')).slice(2), 'hex');
  const id = payload[0];
  if (id !== 1 && id !== 3) return { kind: 'ignored', protocol: 'wormhole', event, reason: `payload id ${String(id)} is not a token transfer` };
  if (payload.length < TRANSFER_LEN || (id === 1 && payload.length !== TRANSFER_LEN)) {
    return { kind: 'malformed', protocol: 'wormhole', event, reason: `transfer payload of ${payload.length} bytes (id ${id})` };
  }
  const hex = (from: number, to: number): string => `0x${payload.subarray(from, to).toString('hex')}`;
  const amount = BigInt(hex(1, 33));
  const tokenAddress = hex(33, 65);
  const tokenChain = payload.readUInt16BE(65);
  const to = hex(67, 99);
  const toChain = payload.readUInt16BE(99);
  const fee = id === 1 ? BigInt(hex(101, 133)) : 0n;
  const destination = wormholeDestination(toChain);
  const caveats = ['sender of the funds is the token bridge\'s caller: read it from the transaction'];
  if (tokenBridges === undefined) caveats.push('emitter not checked against the token-bridge list');
  let recipient: BridgeRecipient = bytes32Recipient(to);
  if (destination.kind !== 'evm' && recipient.kind === 'evm') recipient = { kind: 'external', text: to };
  if (id === 3) caveats.push('transfer with payload: only the recipient contract can redeem it, and acts on the payload');
  if (fee > 0n) caveats.push(`relayer fee ${fee} (8-decimal units) goes to whoever redeems, unless the recipient does`);
  if (fee > amount) return { kind: 'malformed', protocol: 'wormhole', event, reason: 'fee larger than amount (the bridge refuses this)' };
  const emitterChain = wormholeChainOfEvm(r.at.chainId);
  const sequence = uint(r.args.get('sequence'));
  if (emitterChain === null) caveats.push(`chain ${r.at.chainId} has no Wormhole chain id in our table: no link`);
  return {
    kind: 'exit',
    exit: {
      protocol: 'wormhole', event, source: r.at, sender: null, paid: null, destination, recipient,
      promised: { asset: { kind: 'wormhole', tokenChain, tokenAddress }, amount: amount - fee, amountKind: 'normalized-8' },
      link:
        emitterChain === null
          ? { kind: 'none' }
          : { kind: 'id', key: wormholeLinkKey(emitterChain, pad32(sender), sequence), parts: { emitterChain: String(emitterChain), emitter: pad32(sender), sequence: sequence.toString() } },
      deadline: null, memo: null, caveats,
    },
  };
}

/** `TransferRedeemed`: names the message, not the payee or amount (those are the tx's token transfer). */
export function decodeWormholeRedeemed(r: ReadLog): DecodedBridgeLog {
  const chain = Number(uint(r.args.get('emitterChainId')));
  const emitter = String(r.args.get('emitterAddress')).toLowerCase();
  const sequence = uint(r.args.get('sequence'));
  return {
    kind: 'arrival',
    arrival: {
      protocol: 'wormhole', event: 'TransferRedeemed', at: r.at, recipient: null, asset: null, amount: null, amountKind: 'none',
      link: { kind: 'id', key: wormholeLinkKey(chain, emitter, sequence), parts: { emitterChain: String(chain), emitter, sequence: sequence.toString() } },
      origin: wormholeDestination(chain), originSender: null, refund: false,
      caveats: ['TransferRedeemed names no payee or amount: the token transfer in the same transaction carries them'],
    },
  };
}
