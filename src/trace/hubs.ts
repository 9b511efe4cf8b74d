import { InvalidResponseError } from '../errors.js';
import { getTransactionCount } from '../rpc/actions/getTransactionCount.js';
import type { RpcClient } from '../rpc/client.js';
import type { NonceCache } from '../store/nonces.js';
import type { Address } from '../types.js';
import type { Hub } from './result.js';

/** What the pre-check finds: a hub but for the hop it was reached at (and the degreeKind its kind implies). */
export type PrecheckedHub = Omit<Hub, 'hop' | 'degreeKind'>;

/**
 * An account that has sent at least this many transactions (its nonce) is a service (an exchange's
 * hot wallet, a payout bot), not a laundering hop: fetching its history would cost more than the rest
 * of the trace and its fan-out would stop the branch anyway.
 */
export const BUSY_SENDER_NONCE = 10_000;

/**
 * Pre-checks are made only for a window of at least this many blocks (about 1.4 days on Ethereum) that
 * the store does not hold yet. A pre-check costs one or two calls to save a fetch; in a shorter window
 * the fetch is bounded by what the chain carried in it, one range call per source at most providers, and
 * the degree check after fetching still stops a hub. Where the store holds the window (a block scan read
 * it), the degree check on stored rows costs nothing at all.
 */
export const PRECHECK_MIN_WINDOW = 10_000;

/** What a hub pre-check asks: the two questions of the walk's world (trace/walk.ts WalkWorld). */
export interface HubFacts {
  /** How many transactions the account has sent; null when the node gave no usable answer. */
  nonce(address: Address): Promise<number | null>;
  /** Whether the contract answers decimals(). */
  isToken(address: Address): Promise<boolean>;
}

/**
 * The hub pre-check: before an address's transfers are fetched, has it sent BUSY_SENDER_NONCE or more
 * transactions (its nonce), or is it an ERC-20 token contract (it answers decimals(); token contracts
 * receive stray tokens from everyone)? The nonce comes first, one call: only an account with a nonce of
 * 0 or 1 is asked decimals(), because a contract starts at nonce 1 (EIP-161) and an account that has
 * sent transactions of its own is no token. A token that deployed contracts (nonce > 1) is left to the
 * degree check after fetching. Null: not a hub as far as can be seen without fetching (an unknown
 * nonce gives no hint; the degree check after fetching still applies).
 */
export async function hubPrecheck(facts: HubFacts, address: Address): Promise<PrecheckedHub | null> {
  const nonce = await facts.nonce(address);
  if (nonce === null) return null;
  if (nonce >= BUSY_SENDER_NONCE) return { address, degree: nonce, kind: 'busy-sender' };
  if (nonce <= 1 && (await facts.isToken(address))) return { address, degree: 0, kind: 'token' };
  return null;
}

/**
 * An account's nonce as the node says it (eth_getTransactionCount at latest), kept in the store
 * (account_nonces) so that a re-run asks nothing. Null when the node answers something else.
 */
export async function accountNonce(rpc: RpcClient, cache: NonceCache, chainId: number, address: Address): Promise<number | null> {
  let nonce = cache.get(chainId, address);
  if (nonce === undefined) {
    try {
      nonce = await getTransactionCount(rpc, address);
    } catch (err) {
      // A node that answers something else gives no hint; the degree check after fetching still applies.
      if (err instanceof InvalidResponseError) return null;
      throw err;
    }
    cache.put(chainId, address, nonce);
  }
  return nonce;
}
