import { getAddress } from 'ethers';
import { cleanText } from './sanitize.js';

/**
 * EIP-55 form of an address for display. Anything that is not an address (which the contract says
 * cannot happen) is shown cleaned rather than thrown on: a report must still render.
 *
 * @example fullAddress('0x098b716b8aaf21512996dc57eb0615e2383e2f96') // '0x098B716B8Aaf21512996dC57EB0615e2383E2f96'
 */
export function fullAddress(address: string): string {
  try {
    return getAddress(address);
  } catch {
    return cleanText(address, 42);
  }
}

/**
 * Shortened EIP-55 form (`0x098B…2f96`) for path lines, where the full transaction hash is the evidence
 * and the full address would push the line apart.
 */
export function shortAddress(address: string): string {
  const full = fullAddress(address);
  return /^0x[0-9a-fA-F]{40}$/.test(full) ? `${full.slice(0, 6)}…${full.slice(-4)}` : full;
}
