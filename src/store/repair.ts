/**
 * Rows a current release would refuse, found in a database an older release wrote from a lying node (a
 * malformed address, an amount of 2^300, a hash of the wrong length), poison every later run: the range
 * they sit in is marked done, so an honest node is never asked again. `repairStore` drops them, and the
 * block intervals they sit in (so those blocks are read again), once per REPAIR_VERSION: every row written
 * since went through the strict checks of sources/hex.ts.
 */
import type { Db } from './open.js';

/** Bumped when the checks below grow: a database checked by an older set is checked again. */
export const REPAIR_VERSION = '1';
const META_KEY = 'rows_checked';

/** 2^256 − 1 in decimal: 78 digits. Amounts of that length compare as strings. */
const MAX_AMOUNT = '115792089237316195423570985008687907853269984665640564039457584007913129639935';

/** SQL true when column `c` is not 0x and `n` lower-case hex digits. */
const notHex = (c: string, n: number): string => `(length(${c}) <> ${n + 2} OR substr(${c}, 1, 2) <> '0x' OR substr(${c}, 3) GLOB '*[^0-9a-f]*')`;

const BAD_TRANSFER = `
  ${notHex('tx_hash', 64)} OR ${notHex('block_hash', 64)} OR ${notHex('from_addr', 40)} OR ${notHex('to_addr', 40)}
  OR (asset <> 'native' AND ${notHex('asset', 40)})
  OR typeof(amount) <> 'text' OR amount = '' OR amount GLOB '*[^0-9]*' OR (length(amount) > 1 AND amount GLOB '0*')
  OR length(amount) > 78 OR (length(amount) = 78 AND amount > '${MAX_AMOUNT}')
  OR typeof(block_number) <> 'integer' OR block_number < 0 OR typeof(tx_index) <> 'integer' OR tx_index < 0
  OR NOT (ref GLOB 'log:[0-9]*' OR ref = 'trace:' OR ref GLOB 'trace:[0-9]*')`;
const BAD_BLOCK = `${notHex('hash', 64)} OR typeof(number) <> 'integer' OR number < 0 OR typeof(timestamp) <> 'integer' OR timestamp < 0`;
const BAD_TOKEN = `${notHex('address', 40)} OR (decimals IS NOT NULL AND (typeof(decimals) <> 'integer' OR decimals < 0 OR decimals > 255))`;

/** What repairStore dropped. */
export interface RepairReport {
  transfers: number;
  blocks: number;
  tokens: number;
  /** Distinct blocks whose intervals were cut, so they are read again. */
  reopenedBlocks: number;
}

/**
 * Drops rows of `db` that the strict checks refuse, and cuts the block each sat in out of every interval
 * of its chain, in one transaction. Returns what it dropped, or null when there was nothing to check (the
 * database was checked by this REPAIR_VERSION already, or is not writable: then nothing changes).
 * The caller says so, once, when anything was dropped (repairMessage).
 */
export function repairStore(db: Db): RepairReport | null {
  if (db.readonly) return null;
  // transfers is a view over the id tables since schema 7: its triggers turn the DELETE below into theirs.
  const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'view')`).all() as { name: string }[]).map((t) => t.name));
  if (!tables.has('meta') || !tables.has('transfers')) return null;
  const checked = (db.prepare(`SELECT value FROM meta WHERE key = ?`).get(META_KEY) as { value: string } | undefined)?.value;
  if (checked === REPAIR_VERSION) return null;
  return db
    .transaction((): RepairReport => {
      const badBlocks = new Map<number, Set<number>>();
      /** Chains with a bad row whose block number itself is unreadable: it cannot be placed. */
      const unplaced = new Set<number>();
      const note = (rows: { chain_id: number; n: unknown }[]): void => {
        for (const r of rows) {
          if (typeof r.n !== 'number' || !Number.isSafeInteger(r.n) || r.n < 0) {
            unplaced.add(r.chain_id);
            continue;
          }
          let set = badBlocks.get(r.chain_id);
          if (!set) badBlocks.set(r.chain_id, (set = new Set()));
          set.add(r.n);
        }
      };
      note(db.prepare(`SELECT DISTINCT chain_id, block_number AS n FROM transfers WHERE ${BAD_TRANSFER}`).all() as { chain_id: number; n: unknown }[]);
      note(db.prepare(`SELECT DISTINCT chain_id, number AS n FROM blocks WHERE ${BAD_BLOCK}`).all() as { chain_id: number; n: unknown }[]);
      // Counted before: a DELETE through the view's trigger reports no changes of its own.
      const transfers = (db.prepare(`SELECT COUNT(*) FROM transfers WHERE ${BAD_TRANSFER}`).pluck().get() as number);
      db.prepare(`DELETE FROM transfers WHERE ${BAD_TRANSFER}`).run();
      const blocks = db.prepare(`DELETE FROM blocks WHERE ${BAD_BLOCK}`).run().changes;
      const tokens = tables.has('tokens') ? db.prepare(`DELETE FROM tokens WHERE ${BAD_TOKEN}`).run().changes : 0;
      let reopened = 0;
      for (const [chain, set] of badBlocks) for (const n of set) reopened += cutBlock(db, chain, n) ? 1 : 0;
      // A row whose block number itself is unreadable cannot be placed: every interval of its chain goes.
      for (const chain of unplaced) reopened += db.prepare(`DELETE FROM intervals WHERE chain_id = ?`).run(chain).changes > 0 ? 1 : 0;
      db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(META_KEY, REPAIR_VERSION);
      return { transfers, blocks, tokens, reopenedBlocks: reopened };
    })
    .immediate();
}

/** The one sentence a repair is reported with, or null when nothing was dropped. */
export function repairMessage(path: string, r: RepairReport | null): string | null {
  if (r === null || r.transfers + r.blocks + r.tokens === 0) return null;
  const parts = [
    r.transfers > 0 ? `${r.transfers} transfer${r.transfers === 1 ? '' : 's'}` : '',
    r.blocks > 0 ? `${r.blocks} block header${r.blocks === 1 ? '' : 's'}` : '',
    r.tokens > 0 ? `${r.tokens} token${r.tokens === 1 ? '' : 's'}` : '',
  ].filter((p) => p !== '');
  return `database ${path} held ${parts.join(', ')} of a shape this hoptrace refuses (written from a node's malformed answer): dropped, and ${r.reopenedBlocks} block${r.reopenedBlocks === 1 ? '' : 's'} they sat in will be read again.`;
}

/** Removes block `n` from every interval of `chain` (splitting those that span it). True if any held it. */
function cutBlock(db: Db, chain: number, n: number): boolean {
  const spanning = db
    .prepare(`SELECT address, source, from_block, to_block FROM intervals WHERE chain_id = ? AND from_block <= ? AND to_block >= ?`)
    .all(chain, n, n) as { address: string; source: string; from_block: number; to_block: number }[];
  const del = db.prepare(`DELETE FROM intervals WHERE chain_id = ? AND address = ? AND source = ? AND from_block = ?`);
  const ins = db.prepare(`INSERT INTO intervals (chain_id, address, source, from_block, to_block) VALUES (?, ?, ?, ?, ?)`);
  for (const i of spanning) {
    del.run(chain, i.address, i.source, i.from_block);
    if (i.from_block <= n - 1) ins.run(chain, i.address, i.source, i.from_block, n - 1);
    if (n + 1 <= i.to_block) ins.run(chain, i.address, i.source, n + 1, i.to_block);
  }
  return spanning.length > 0;
}
