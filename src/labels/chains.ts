import { UsageError } from '../errors.js';

/**
 * Chain names as the bundled data files spell them (`chain` column of data/*.csv), and the bridge from
 * an RPC endpoint's numeric chain id to those names.
 *
 * The files also use `evm` ("every EVM chain"); it is not a chain of its own and so is not listed here.
 */

/** The `chain` value that makes a data row apply on every EVM chain. */
export const EVM_ANY = 'evm' as const;

/** Chain id → label-chain name, per the ids the chains publish (chainlist / EIP-155 registrations). */
const CHAIN_BY_ID: ReadonlyMap<number, string> = new Map([
  [1, 'ethereum'],
  [56, 'bsc'],
  [137, 'polygon'],
  [42161, 'arbitrum'],
  [10, 'optimism'],
  [43114, 'avalanche'],
  [250, 'fantom'],
  [8453, 'base'],
  [100, 'gnosis'],
  [61, 'ethereum-classic'],
]);

/**
 * Native coin symbol per label chain. Polygon's is POL since the 2024 MATIC→POL migration; the L2s that
 * settle in ETH use ETH.
 */
const NATIVE_SYMBOL: ReadonlyMap<string, string> = new Map([
  ['ethereum', 'ETH'],
  ['bsc', 'BNB'],
  ['polygon', 'POL'],
  ['arbitrum', 'ETH'],
  ['optimism', 'ETH'],
  ['avalanche', 'AVAX'],
  ['fantom', 'FTM'],
  ['base', 'ETH'],
  ['gnosis', 'xDAI'],
  ['ethereum-classic', 'ETC'],
]);

/** Every chain name a data row may carry besides `evm`, in chain-id table order. */
export const KNOWN_LABEL_CHAINS: readonly string[] = Object.freeze([...CHAIN_BY_ID.values()]);

/**
 * The label-chain name for an EIP-155 chain id, or null for a chain the bundled data does not know
 * (a devnet such as anvil's 31337, a testnet): on such a chain only `evm` rows apply.
 *
 * @example labelChainForChainId(56) // 'bsc'
 */
export function labelChainForChainId(chainId: number): string | null {
  return CHAIN_BY_ID.get(chainId) ?? null;
}

/**
 * The chain id of a label-chain name, or null for a name the table does not have.
 *
 * @example chainIdForLabelChain('bsc') // 56
 */
export function chainIdForLabelChain(name: string): number | null {
  for (const [id, n] of CHAIN_BY_ID) if (n === name) return id;
  return null;
}

/** True when `name` is one of KNOWN_LABEL_CHAINS (not `evm`). */
export function isKnownLabelChain(name: string): boolean {
  return NATIVE_SYMBOL.has(name);
}

/**
 * Refuses a label chain that is neither null nor a known name: a typo would otherwise silently drop
 * every chain-specific row. `evm` is refused too: it is a row marker, not a chain to trace on.
 */
export function checkLabelChain(labelChain: string | null): void {
  if (labelChain !== null && !isKnownLabelChain(labelChain)) {
    throw new UsageError(`unknown label chain "${labelChain}".`, {
      hint: `use one of ${KNOWN_LABEL_CHAINS.join(', ')}`,
    });
  }
}

/**
 * Symbol of the native coin on a label chain, or null when the chain is unknown (the caller picks its
 * own fallback; guessing ETH would be wrong on half the chains we do not know).
 *
 * @example nativeSymbol('polygon') // 'POL'
 */
export function nativeSymbol(labelChain: string | null): string | null {
  return labelChain === null ? null : (NATIVE_SYMBOL.get(labelChain) ?? null);
}
