import { getAddress } from 'ethers';
import { UsageError } from '../errors.js';
import type { Address } from '../types.js';

const HEX40 = /^0x[0-9a-fA-F]{40}$/;

/**
 * Validates a user-supplied address and returns it lower-cased. All-lower or all-upper hex is accepted
 * as is; mixed case must be a valid EIP-55 checksum (a typo in a mixed-case address is caught, not traced).
 *
 * @example parseAddress('0x098B716B8Aaf21512996dC57EB0615e2383E2f96') // '0x098b…2f96'
 */
export function parseAddress(input: string, what = 'address'): Address {
  const s = input.trim();
  if (!HEX40.test(s)) {
    throw new UsageError(`${what} "${clip(s)}" is not an address: expected 0x followed by 40 hex digits.`);
  }
  const body = s.slice(2);
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
  if (mixed) {
    let checksummed: string;
    try {
      checksummed = getAddress(s.toLowerCase());
    } catch {
      throw new UsageError(`${what} "${clip(s)}" is not a valid address.`);
    }
    if (checksummed !== s) {
      throw new UsageError(`${what} "${s}" has a wrong EIP-55 checksum (mixed case that does not match).`, {
        hint: `check the address for a typo; the checksummed form of this hex is ${checksummed}`,
      });
    }
  }
  return s.toLowerCase();
}

/** True when `s` is already a normalised (lower-case) address. */
export function isAddress(s: string): s is Address {
  return HEX40.test(s) && s === s.toLowerCase();
}

/** EIP-55 form for display. */
export function checksum(address: Address): string {
  return getAddress(address);
}

/** Address from a 32-byte log topic (the last 20 bytes), lower-cased. */
export function topicToAddress(topic: string): Address {
  return ('0x' + topic.slice(-40)).toLowerCase();
}

/** 32-byte log topic for an address. */
export function addressToTopic(address: Address): string {
  return '0x' + address.slice(2).toLowerCase().padStart(64, '0');
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '…' : s;
}
