import type { RpcClient } from '../rpc/client.js';
import type { Fetcher } from '../sources/fetcher.js';
import type { Headers } from '../sources/headers.js';
import { tokenInfo } from '../sources/tokens.js';
import type { NonceCache } from '../store/nonces.js';
import type { Store } from '../store/store.js';
import type { Address, Label, Seed } from '../types.js';
import { accountNonce } from './hubs.js';
import type { DepositChecker, SwapChecker, WalkWorld } from './walk.js';

export interface NodeWorldOptions {
  rpc: RpcClient;
  store: Store;
  chainId: number;
  /** Fills the store from the node: the world's `ensure` and `held` are the fetcher's. */
  fetcher: Pick<Fetcher, 'ensure' | 'held'>;
  headers: Pick<Headers, 'get'>;
  nonces: NonceCache;
  labels: { get(address: Address): Label | undefined };
  /** The whole seed list that applies on the chain; omitted, no address is on it. */
  seedList?: { get(address: Address): Seed | undefined };
  deposits?: DepositChecker;
  /** DEX swaps of expanded addresses (sources/swaps.ts); omitted, none is read. */
  swaps?: SwapChecker;
}

/**
 * The world a `trace` run walks: transfers from the store, fetched from the node by the fetcher when
 * the store lacks them; block times from the header cache; token and nonce answers from the node, kept
 * in the store. A thin adapter: every rule is the walk's own (trace/walk.ts).
 */
export function createNodeWorld(o: NodeWorldOptions): WalkWorld {
  const { rpc, store } = o;
  const world: WalkWorld = {
    ensure: (needs, hint) => o.fetcher.ensure(needs, hint),
    held: (need) => o.fetcher.held(need),
    transfersOf: (address, side, from, to) => store.transfersOf(address, side, from, to),
    label: (address) => o.labels.get(address),
    blockTime: async (block) => (await o.headers.get(block)).timestamp,
    isToken: async (address) => (await tokenInfo(rpc, store, address)).decimals !== null,
    nonce: (address) => accountNonce(rpc, o.nonces, o.chainId, address),
    seedList: (address) => o.seedList?.get(address),
  };
  if (o.deposits) world.deposits = o.deposits;
  if (o.swaps) world.swaps = o.swaps;
  return world;
}
