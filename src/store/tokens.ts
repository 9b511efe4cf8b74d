import type { Address, TokenInfo } from '../types.js';
import { withSqliteErrors, type Db } from './open.js';

/** Token metadata (symbol, decimals) read once from each contract, kept per chain (table tokens). */
export interface TokenStore {
  /** What is stored of the token on the store's chain, or null when it was never read. */
  get(address: Address): TokenInfo | null;
  put(info: TokenInfo): void;
}

/**
 * The tokens table of an open database, on the chain `chain()` gives (the store's: it throws while
 * none is bound). Read once per token of every path: statements prepared once.
 */
export function tokenStore(db: Db, path: string, chain: () => number): TokenStore {
  const select = db.prepare(`SELECT address, symbol, decimals FROM tokens WHERE chain_id = ? AND address = ?`);
  const upsert = db.prepare(`INSERT OR REPLACE INTO tokens (chain_id, address, symbol, decimals) VALUES (?, ?, ?, ?)`);
  return {
    get: (address) => withSqliteErrors(path, () => (select.get(chain(), address) as TokenInfo | undefined) ?? null),
    put: (info) => void withSqliteErrors(path, () => upsert.run(chain(), info.address, info.symbol, info.decimals)),
  };
}
