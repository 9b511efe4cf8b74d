/**
 * The strict shapes of what a node sends. Every value of a node's answer that is used or stored passes
 * through one of these first: an address is 0x and 40 hex digits, a hash or topic 0x and 64, a quantity
 * hex of bounded length (an amount below 2^256, a block number a safe integer). Anything else is an
 * InvalidResponseError — an inconsistent answer that refetch.ts asks again and then
 * reports — never a row. Values come back in the one form the store keeps (hex lower-cased).
 */
import { InvalidResponseError } from '../errors.js';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;
/** Up to 64 hex digits: every value below 2^256, with the leading zeros some nodes send. */
const AMOUNT = /^0x[0-9a-fA-F]{0,64}$/;
/** Up to 16 hex digits; the value must then also be a safe integer. */
const NUMBER = /^0x[0-9a-fA-F]{1,16}$/;

/** Block numbers, indexes: nodes send hex quantities, some (anvil's trace_*) plain numbers. */
export function hexToNumber(v: unknown): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && NUMBER.test(v)) {
    const n = Number.parseInt(v, 16);
    if (Number.isSafeInteger(n)) return n;
  }
  throw new InvalidResponseError(`the node sent ${shown(v)} where a number was expected.`);
}

/** Values: hex quantity (or a safe decimal number) to bigint, below 2^256 (what an EVM word holds). */
export function hexToBigInt(v: unknown): bigint {
  if (typeof v === 'string' && AMOUNT.test(v)) return v === '0x' ? 0n : BigInt(v);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new InvalidResponseError(`the node sent ${shown(v)} where an amount below 2^256 was expected.`);
}

/** Throws as hexToBigInt would for `v`, without making the bigint (a value checked now and read later). */
export function checkAmount(v: unknown): void {
  if (typeof v === 'string' ? !AMOUNT.test(v) : !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)) hexToBigInt(v);
}

/** An address from a node: 0x and 40 hex digits, returned lower-cased. */
export function nodeAddress(v: unknown, what = 'an address'): string {
  if (typeof v === 'string' && ADDRESS.test(v)) return v.toLowerCase();
  throw new InvalidResponseError(`the node sent ${shown(v)} where ${what} was expected.`);
}

/** A block or transaction hash, or a log topic, from a node: 0x and 64 hex digits, lower-cased. */
export function nodeHash(v: unknown, what = 'a hash'): string {
  if (typeof v === 'string' && HASH.test(v)) return v.toLowerCase();
  throw new InvalidResponseError(`the node sent ${shown(v)} where ${what} was expected.`);
}

/** Block number as a JSON-RPC quantity. */
export function toQuantity(n: number): string {
  return '0x' + n.toString(16);
}

/**
 * A node's value as a message may quote it: JSON, cut to a few dozen characters, control characters
 * escaped (JSON.stringify leaves U+007F–U+009F and bidi controls raw). A 3 MB string stays out of the
 * terminal.
 */
export function shown(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  if (s.length > 48) s = `${s.slice(0, 44)}…(${s.length} chars)`;
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
