import { InvalidResponseError } from '../errors.js';

/** Block numbers, indexes: nodes send hex quantities, some (anvil's trace_*) plain numbers. */
export function hexToNumber(v: unknown): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^0x[0-9a-fA-F]+$/.test(v)) {
    const n = Number.parseInt(v, 16);
    if (Number.isSafeInteger(n)) return n;
  }
  throw new InvalidResponseError(`the node sent ${JSON.stringify(v)} where a number was expected.`);
}

/** Values: hex quantity (or decimal number) to bigint. */
export function hexToBigInt(v: unknown): bigint {
  if (typeof v === 'string' && /^0x[0-9a-fA-F]*$/.test(v)) return v === '0x' ? 0n : BigInt(v);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new InvalidResponseError(`the node sent ${JSON.stringify(v)} where an amount was expected.`);
}

/** Block number as a JSON-RPC quantity. */
export function toQuantity(n: number): string {
  return '0x' + n.toString(16);
}
