import type { Address } from '../types.js';
import { isAddress } from '../util/address.js';
import { EVM_ANY, isKnownLabelChain, KNOWN_LABEL_CHAINS } from './chains.js';
import { dataFileError } from './csv.js';

/**
 * Field checks shared by the data-file loaders. Each returns the checked value or throws a
 * HoptraceError naming file and line. Values are taken as they are, never repaired: SOURCES.md promises
 * lower-case addresses and fixed vocabularies, so anything else means the file was damaged.
 */

/** Where a value came from, for the error message. */
export interface FieldAt {
  file: string;
  line: number;
}

/** A lower-case `0x` + 40 hex address. */
export function checkAddress(at: FieldAt, value: string): Address {
  if (!isAddress(value)) {
    throw dataFileError(at.file, at.line, `address "${value}" is not lower-case 0x followed by 40 hex digits`);
  }
  return value;
}

/** A known chain name or `evm`. */
export function checkChain(at: FieldAt, value: string): string {
  if (value !== EVM_ANY && !isKnownLabelChain(value)) {
    throw dataFileError(at.file, at.line, `chain "${value}" is not one of ${EVM_ANY}, ${KNOWN_LABEL_CHAINS.join(', ')}`);
  }
  return value;
}

/** One of a fixed set of values. */
export function checkOneOf<T extends string>(at: FieldAt, column: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw dataFileError(at.file, at.line, `${column} "${value}" is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** A non-blank text field (entity, incident, source, …). */
export function checkText(at: FieldAt, column: string, value: string): string {
  if (value.trim() === '') throw dataFileError(at.file, at.line, `${column} is empty`);
  return value;
}

/**
 * Remembers `(address, chain)` pairs and refuses a second row for the same pair: the files are unique on
 * it (SOURCES.md), and a repeat would make the row that wins depend on file order.
 */
export function uniquePairs(): (at: FieldAt, address: Address, chain: string) => void {
  const seen = new Map<string, number>();
  return (at, address, chain) => {
    const key = `${address}@${chain}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw dataFileError(at.file, at.line, `address ${address} on chain ${chain} is already on line ${first}`);
    }
    seen.set(key, at.line);
  };
}
