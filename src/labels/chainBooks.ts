import type { Label } from '../types.js';
import { checkLabelChain } from './chains.js';
import { loadLabelBook, type DataDirOptions } from './load.js';
import { overlayUserLabels, type LayeredLabelBook } from './overlay.js';
import { seedBook, type SeedBook } from './seeds.js';

/**
 * The label and seed books of a run that spans several chains: one pair per chain id, each built from
 * the rows that apply on that chain's label chain (its own rows and the `evm` ones) and nothing else, so
 * that a row of chain X is never looked up for an address on chain Y. Every caller that has an address
 * and its chain asks here instead of holding one book for the run.
 */
export interface ChainBooks {
  /** The label chain in force on `chainId` (null: a chain the bundled data does not know, `evm` rows only). */
  labelChain(chainId: number): string | null;
  /** The bundled labels of the chain with the user's labels for it laid over them. */
  labels(chainId: number): LayeredLabelBook;
  /** The seed list's rows that apply on the chain. */
  seeds(chainId: number): SeedBook;
}

/**
 * Books per chain id, built on first use and shared by every chain id of the same label chain.
 * `labelChainOf` is the run's decision per chain (the name `--rpc <name>=URL` gave, `--labels-chain`,
 * else labels/chains.ts labelChainForChainId); it is checked here, so a typo fails before any lookup.
 *
 * @example chainBooks((id) => (id === 1 ? 'ethereum' : 'bsc'), userRows).labels(56).get(router)?.chain // 'bsc' or 'evm', never 'ethereum'
 */
export function chainBooks(labelChainOf: (chainId: number) => string | null, userRows: readonly Label[], opts?: DataDirOptions): ChainBooks {
  const labels = new Map<string | null, LayeredLabelBook>();
  const seeds = new Map<string | null, SeedBook>();
  const chainOf = (chainId: number): string | null => {
    const name = labelChainOf(chainId);
    checkLabelChain(name);
    return name;
  };
  return {
    labelChain: chainOf,
    labels(chainId) {
      const name = chainOf(chainId);
      let book = labels.get(name);
      if (book === undefined) {
        book = overlayUserLabels(loadLabelBook(name, opts), userRows);
        labels.set(name, book);
      }
      return book;
    },
    seeds(chainId) {
      const name = chainOf(chainId);
      let book = seeds.get(name);
      if (book === undefined) {
        book = seedBook(name, opts);
        seeds.set(name, book);
      }
      return book;
    },
  };
}
