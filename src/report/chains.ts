import { labelChainForChainId } from '../labels/chains.js';
import type { Address } from '../types.js';

/**
 * Chains as reports show them: a name, a node key that keeps the same address on two chains apart, and
 * a link to a block explorer where one is known.
 */

/**
 * A chain's name for a reader: the label-chain name (`ethereum`, `bsc`, …) when the chain id is one the
 * bundled data knows, else `chain <id>` (a devnet such as anvil's 31337, a testnet).
 *
 * @example chainName(56) // 'bsc'
 */
export function chainName(chainId: number): string {
  return labelChainForChainId(chainId) ?? `chain ${chainId}`;
}

/**
 * The key of an address on a chain, in CAIP-10 form (`eip155:<chain id>:<address>`, ChainAgnostic
 * CAIPs, caip-10.md): what every graph export and the JSON `graph` key nodes by, so that the same address
 * on two chains is two nodes.
 *
 * @example accountKey(1, '0xab…') // 'eip155:1:0xab…'
 */
export function accountKey(chainId: number, address: Address): string {
  return `eip155:${chainId}:${address.toLowerCase()}`;
}

/**
 * A block explorer of an EVM chain. Its routes are EIP-3091's ("Block Explorer API Routes":
 * `<url>/tx/<hash>`, `<url>/address/<address>`, `<url>/block/<number>`); an explorer is listed only
 * where ethereum-lists/chains (the data behind chainlist.org) gives it for the chain id with
 * `"standard": "EIP3091"` — so every link's pattern has a public source.
 */
export interface Explorer {
  chainId: number;
  name: string;
  /** Base URL, without a trailing slash. */
  url: string;
  /** Where the URL and its EIP-3091 routes are stated. */
  source: string;
}

const LISTS = 'https://github.com/ethereum-lists/chains/blob/master/_data/chains';
const explorer = (chainId: number, name: string, url: string): Explorer => ({ chainId, name, url, source: `${LISTS}/eip155-${chainId}.json (standard EIP3091)` });

/**
 * One explorer per chain id, the first EIP-3091 explorer ethereum-lists/chains lists for it. Ethereum
 * Classic (61) is left out: its listed explorer declares no standard, so its routes are not cited.
 */
export const EXPLORERS: ReadonlyMap<number, Explorer> = new Map(
  [
    explorer(1, 'Etherscan', 'https://etherscan.io'),
    explorer(10, 'Etherscan (OP Mainnet)', 'https://optimistic.etherscan.io'),
    explorer(56, 'BscScan', 'https://bscscan.com'),
    explorer(100, 'GnosisScan', 'https://gnosisscan.io'),
    explorer(137, 'PolygonScan', 'https://polygonscan.com'),
    explorer(250, 'FTMScan', 'https://ftmscan.com'),
    explorer(8453, 'BaseScan', 'https://basescan.org'),
    explorer(42161, 'Arbiscan', 'https://arbiscan.io'),
    explorer(43114, 'Snowtrace', 'https://snowtrace.io'),
  ].map((e) => [e.chainId, e]),
);

/** The explorer page of a transaction on a chain, or null when no explorer of the chain is listed or `hash` is no transaction hash. */
export function txUrl(chainId: number, hash: string): string | null {
  const e = EXPLORERS.get(chainId);
  return e === undefined || !/^0x[0-9a-fA-F]{64}$/.test(hash) ? null : `${e.url}/tx/${hash}`;
}

/** The explorer page of an address on a chain, or null (no listed explorer, or not a 20-byte address). */
export function addressUrl(chainId: number, address: string): string | null {
  const e = EXPLORERS.get(chainId);
  return e === undefined || !/^0x[0-9a-fA-F]{40}$/.test(address) ? null : `${e.url}/address/${address}`;
}
