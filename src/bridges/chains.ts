/**
 * The chain codes each protocol uses, and the EVM chain id where one exists. Every entry rests on a file
 * named in docs/bridges.md; a code not listed here is reported as unknown, never mapped by guess.
 */
import type { BridgeDestination } from './types.js';

interface ChainEntry {
  /** EIP-155 chain id, when the chain is an EVM chain hoptrace could follow. */
  chainId?: number;
  /** A readable name for a chain without one. */
  name: string;
}

/**
 * THORChain chain codes (thornode common/chain.go). The EVM ids are the `chainId` fields of thornode's
 * own token lists for those chains (common/tokenlist/{eth,bsc,avax}tokens/*_mainnet_latest.json).
 */
const THORCHAIN_CHAINS: ReadonlyMap<string, ChainEntry> = new Map([
  ['ETH', { chainId: 1, name: 'Ethereum' }],
  ['BSC', { chainId: 56, name: 'BNB Smart Chain' }],
  ['AVAX', { chainId: 43114, name: 'Avalanche C-Chain' }],
  ['BTC', { name: 'Bitcoin' }],
  ['LTC', { name: 'Litecoin' }],
  ['BCH', { name: 'Bitcoin Cash' }],
  ['DOGE', { name: 'Dogecoin' }],
  ['GAIA', { name: 'Cosmos Hub' }],
  ['THOR', { name: 'THORChain' }],
  ['BNB', { name: 'BNB Beacon Chain' }],
  ['TERRA', { name: 'Terra' }],
]);

/** THORChain's EVM chain codes: a destination address there must be 0x + 40 hex. */
export function isThorchainEvmCode(code: string): boolean {
  return THORCHAIN_CHAINS.get(code)?.chainId !== undefined;
}

/** True when THORChain's chain.go lists the code. */
export function isKnownThorchainCode(code: string): boolean {
  return THORCHAIN_CHAINS.has(code);
}

/**
 * Wormhole chain ids (sdk/js/src/utils/consts.ts `CHAINS`). The EVM chain ids are hoptrace's own table
 * (labels/chains.ts) for the same names; test/bridgesDecode.test.ts checks the two agree.
 */
const WORMHOLE_CHAINS: ReadonlyMap<number, ChainEntry> = new Map([
  [1, { name: 'solana' }],
  [2, { chainId: 1, name: 'ethereum' }],
  [3, { name: 'terra' }],
  [4, { chainId: 56, name: 'bsc' }],
  [5, { chainId: 137, name: 'polygon' }],
  [6, { chainId: 43114, name: 'avalanche' }],
  [8, { name: 'algorand' }],
  [10, { chainId: 250, name: 'fantom' }],
  [15, { name: 'near' }],
  [18, { name: 'terra2' }],
  [21, { name: 'sui' }],
  [22, { name: 'aptos' }],
  [23, { chainId: 42161, name: 'arbitrum' }],
  [24, { chainId: 10, name: 'optimism' }],
  [25, { chainId: 100, name: 'gnosis' }],
  [29, { name: 'btc' }],
  [30, { chainId: 8453, name: 'base' }],
]);

/** The Wormhole chain id of an EVM chain id, or null when the table has none. */
export function wormholeChainOfEvm(chainId: number): number | null {
  for (const [wid, e] of WORMHOLE_CHAINS) if (e.chainId === chainId) return wid;
  return null;
}

/** Every Wormhole entry that names an EVM chain: [wormhole id, name, chain id] (for the cross-check test). */
export function wormholeEvmEntries(): Array<[number, string, number]> {
  const out: Array<[number, string, number]> = [];
  for (const [wid, e] of WORMHOLE_CHAINS) if (e.chainId !== undefined) out.push([wid, e.name, e.chainId]);
  return out;
}

/** Destination of a THORChain chain code. */
export function thorchainDestination(code: string): BridgeDestination {
  return destinationOf(THORCHAIN_CHAINS.get(code), code, 'THORChain');
}

/** Destination of a Wormhole chain id. */
export function wormholeDestination(wormholeChainId: number): BridgeDestination {
  return destinationOf(WORMHOLE_CHAINS.get(wormholeChainId), String(wormholeChainId), 'Wormhole');
}

function destinationOf(entry: ChainEntry | undefined, code: string, protocol: string): BridgeDestination {
  if (!entry) return { kind: 'unknown', protocolCode: code, reason: `${protocol} chain ${code} is not in our table` };
  if (entry.chainId !== undefined) return { kind: 'evm', chainId: entry.chainId };
  return { kind: 'named', protocolCode: code, name: entry.name };
}
