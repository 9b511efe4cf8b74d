import { withSqliteErrors, type Db } from './open.js';
import type { Address } from '../types.js';

/** Account nonces read for the hub pre-check (trace/hubs.ts), kept so a re-run does not ask again. */
export interface NonceCache {
  get(chainId: number, address: Address): number | undefined;
  put(chainId: number, address: Address, nonce: number): void;
}

/** The account_nonces table of an open database. */
export function nonceCache(db: Db, path: string): NonceCache {
  const select = db.prepare(`SELECT nonce FROM account_nonces WHERE chain_id = ? AND address = ?`);
  const upsert = db.prepare(`INSERT OR REPLACE INTO account_nonces (chain_id, address, nonce) VALUES (?, ?, ?)`);
  return {
    get: (chainId, address) => withSqliteErrors(path, () => (select.get(chainId, address) as { nonce: number } | undefined)?.nonce),
    put: (chainId, address, nonce) => void withSqliteErrors(path, () => upsert.run(chainId, address, nonce)),
  };
}
