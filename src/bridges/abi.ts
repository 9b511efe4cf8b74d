/**
 * Reading one log against one known event, without ever throwing: shape checks first (topic count,
 * hex), then the ABI decode in a try, so a truncated or forged log becomes one sentence.
 */
import { AbiCoder, ParamType } from 'ethers';
import type { Address, Hex } from '../types.js';
import type { KnownEvent } from './events.js';
import type { BridgeAsset, BridgeRecipient, LogPosition, RawLog } from './types.js';

const coder = AbiCoder.defaultAbiCoder();
const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const HEX40 = /^0x[0-9a-fA-F]{40}$/;
const DATA = /^0x(?:[0-9a-fA-F]{2})*$/;
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

/** Decoded arguments by parameter name, with the log's position. */
export interface ReadLog {
  args: ReadonlyMap<string, unknown>;
  at: LogPosition;
}

/** Reads `log` as `ev`; a string is the reason it cannot be read. */
export function readLog(log: RawLog, ev: KnownEvent, chainId: number): ReadLog | string {
  const name = ev.fragment.name;
  if (typeof log !== 'object' || log === null) return `${name}: not a log object`;
  if (typeof log.address !== 'string' || !HEX40.test(log.address)) return `${name}: emitter is not an address`;
  if (!Array.isArray(log.topics)) return `${name}: topics missing`;
  if (log.topics.length !== ev.topicCount) return `${name}: ${log.topics.length} topics, the event has ${ev.topicCount}`;
  if (!log.topics.every((t) => typeof t === 'string' && HEX32.test(t))) return `${name}: a topic is not 32 bytes of hex`;
  if (typeof log.data !== 'string' || !DATA.test(log.data)) return `${name}: data is not hex`;
  if (typeof log.transactionHash !== 'string' || !HEX32.test(log.transactionHash)) return `${name}: no transaction hash`;
  if (!Number.isSafeInteger(log.logIndex) || log.logIndex < 0) return `${name}: bad log index`;
  if (!Number.isSafeInteger(log.blockNumber) || log.blockNumber < 0) return `${name}: bad block number`;

  const args = new Map<string, unknown>();
  try {
    const indexed = ev.fragment.inputs.filter((p) => p.indexed);
    for (const [i, p] of indexed.entries()) {
      const topic = log.topics[i + 1] as string;
      // Re-encoding catches what decoding lets through lazily (an address with dirty upper bytes).
      let value: unknown;
      try {
        value = coder.decode([p], topic)[0];
        if (coder.encode([p], [value]).toLowerCase() !== topic.toLowerCase()) throw new Error('not canonical');
      } catch {
        return `${name}: topic ${i + 1} is not ${/^[aeiou]/.test(p.type) ? 'an' : 'a'} ${p.type}`;
      }
      args.set(p.name, value);
    }
    const rest = ev.fragment.inputs.filter((p) => !p.indexed);
    // A declared `string` is read as `bytes` (same encoding) so invalid UTF-8 reaches the caller's checks.
    const types = rest.map((p) => (p.type === 'string' ? ParamType.from('bytes') : p));
    const values = coder.decode(types, log.data);
    // Solidity emits the canonical encoding; anything else (dirty address bytes, trailing junk) is forged.
    if (coder.encode(types, values).toLowerCase() !== log.data.toLowerCase()) {
      return `${name}: data is not the canonical ABI encoding of the event`;
    }
    rest.forEach((p, i) => args.set(p.name, values[i]));
  } catch (err) {
    return `${name}: ${shortError(err)}`;
  }
  return {
    args,
    at: {
      chainId,
      txHash: log.transactionHash.toLowerCase(),
      logIndex: log.logIndex,
      blockNumber: log.blockNumber,
      contract: log.address.toLowerCase(),
    },
  };
}

/** The ethers error's short message, cut to one line. */
function shortError(err: unknown): string {
  const e = err as { shortMessage?: unknown; message?: unknown };
  const text = typeof e?.shortMessage === 'string' ? e.shortMessage : String(e?.message ?? err);
  return `data does not decode (${text.split('\n')[0]?.slice(0, 160) ?? ''})`;
}

/** An address argument, lower-cased. */
export function addr(v: unknown): Address {
  return String(v).toLowerCase();
}

/** A uint argument as bigint. */
export function uint(v: unknown): bigint {
  return typeof v === 'bigint' ? v : BigInt(String(v));
}

/** The chain's coin for the zero address (THORChain, Across use it so), else the token. */
export function evmAsset(chainId: number, address: Address): BridgeAsset {
  return address === ZERO_ADDRESS ? { kind: 'native', chainId } : { kind: 'token', chainId, address };
}

/** A bytes32 holding a left-padded 20-byte address gives the address; anything else null. */
export function bytes32ToAddress(v: Hex): Address | null {
  const s = v.toLowerCase();
  return HEX32.test(s) && s.startsWith('0x000000000000000000000000') ? `0x${s.slice(26)}` : null;
}

/** A bytes32 recipient: an EVM address when it is one, else the 32 bytes as an external key. */
export function bytes32Recipient(v: Hex): BridgeRecipient {
  const a = bytes32ToAddress(v);
  return a !== null ? { kind: 'evm', address: a } : { kind: 'external', text: v.toLowerCase() };
}

/** A bytes32 token on `chainId`: an EVM asset when it is an address, else the bytes. */
export function bytes32Asset(chainId: number, v: Hex): BridgeAsset {
  const a = bytes32ToAddress(v);
  return a !== null ? evmAsset(chainId, a) : { kind: 'bytes32', value: v.toLowerCase() };
}

/** A uint that must fit a JS number (chain ids, timestamps); null when it does not. */
export function smallInt(v: bigint): number | null {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
}
