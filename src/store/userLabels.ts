import { labelEvents, listingDates } from '../labelEvents.js';
import type { Address, Label, LabelCategory, LabelRole, Risk } from '../types.js';
import { readIfExists, withSqliteErrors, type Db } from './open.js';

/** A user label as stored: a Label (origin `user`) plus when and from which file it was added. */
export interface UserLabel extends Label {
  origin: 'user';
  /** ISO time the row was written. */
  addedAt: string;
  /** The file it was imported from, or null for `labels add`. */
  originFile: string | null;
}

/**
 * What a caller hands in to store: the label's own fields, with listedAt / delistedAt the explicit dates
 * as given (the stored label's events add those its source states).
 */
export type NewUserLabel = Omit<Label, 'events' | 'origin'>;

interface Row {
  address: string;
  chain: string;
  entity: string;
  category: string;
  role: string;
  jurisdiction: string | null;
  risk: string;
  source: string;
  listed_at: string | null;
  delisted_at: string | null;
  valid_from: string | null;
  valid_to: string | null;
  added_at: string;
  origin_file: string | null;
}

/** The user_labels table of one database (migration 2; `role` since migration 6). */
export interface UserLabels {
  /** Every user label, by address then chain. */
  all(): UserLabel[];
  /** The user labels of one address (every chain). */
  forAddress(address: Address): UserLabel[];
  count(): number;
  /**
   * Writes rows (insert or replace on (address, chain)) in one transaction; `originFile` is recorded on
   * each. Returns how many were new and how many replaced a row.
   */
  put(rows: readonly NewUserLabel[], originFile: string | null): { added: number; replaced: number };
  /** Deletes the rows of `address` (on `chain` only, when given); returns how many. */
  remove(address: Address, chain?: string): number;
  /** Runs `fn` in one immediate transaction: what it reads is what it writes against. */
  transaction<T>(fn: () => T): T;
}

/**
 * The user labels of a database. Reads and writes only the user_labels table: a database that is not
 * yet bound to a chain (no trace has run) works the same.
 */
export function userLabelStore(db: Db, path: string): UserLabels {
  const selectAll = db.prepare(`SELECT * FROM user_labels ORDER BY address, chain`);
  const selectAddress = db.prepare(`SELECT * FROM user_labels WHERE address = ? ORDER BY chain`);
  const exists = db.prepare(`SELECT 1 FROM user_labels WHERE address = ? AND chain = ?`);
  const upsert = db.prepare(
    `INSERT INTO user_labels
       (address, chain, entity, category, role, jurisdiction, risk, source, listed_at, delisted_at, valid_from, valid_to, added_at, origin_file)
     VALUES (@address, @chain, @entity, @category, @role, @jurisdiction, @risk, @source, @listed_at, @delisted_at, @valid_from, @valid_to, @added_at, @origin_file)
     ON CONFLICT (address, chain) DO UPDATE SET
       entity = excluded.entity, category = excluded.category, role = excluded.role, jurisdiction = excluded.jurisdiction,
       risk = excluded.risk, source = excluded.source, listed_at = excluded.listed_at,
       delisted_at = excluded.delisted_at, valid_from = excluded.valid_from, valid_to = excluded.valid_to,
       added_at = excluded.added_at, origin_file = excluded.origin_file`,
  );
  const guard = <T>(fn: () => T): T => withSqliteErrors(path, fn);

  return {
    all: () => (selectAll.all() as Row[]).map(fromRow),
    forAddress: (address) => (selectAddress.all(address.toLowerCase()) as Row[]).map(fromRow),
    count: () => (db.prepare(`SELECT COUNT(*) AS n FROM user_labels`).get() as { n: number }).n,
    put(rows, originFile) {
      const addedAt = new Date().toISOString();
      return guard(() =>
        db
          .transaction(() => {
            let replaced = 0;
            for (const r of rows) {
              if (exists.get(r.address, r.chain) !== undefined) replaced++;
              upsert.run({
                address: r.address,
                chain: r.chain,
                entity: r.entity,
                category: r.category,
                role: r.role,
                jurisdiction: r.jurisdiction,
                risk: r.risk,
                source: r.source,
                listed_at: r.listedAt,
                delisted_at: r.delistedAt,
                valid_from: r.validFrom,
                valid_to: r.validTo,
                added_at: addedAt,
                origin_file: originFile,
              });
            }
            return { added: rows.length - replaced, replaced };
          })
          .immediate(),
      );
    },
    remove(address, chain) {
      const stmt =
        chain === undefined
          ? db.prepare(`DELETE FROM user_labels WHERE address = ?`)
          : db.prepare(`DELETE FROM user_labels WHERE address = ? AND chain = ?`);
      return guard(() => (chain === undefined ? stmt.run(address) : stmt.run(address, chain)).changes);
    },
    transaction: (fn) => guard(() => db.transaction(fn).immediate()),
  };
}

/**
 * The user labels of the database at `path` without creating it: a file that does not exist yet holds
 * none. An older hoptrace database is refused (a reading open does not upgrade it).
 */
export function readUserLabels(path: string): UserLabel[] {
  return readIfExists(path, [], (db) => userLabelStore(db, path).all());
}

function fromRow(r: Row): UserLabel {
  const events = Object.freeze(labelEvents(r.source, r.listed_at, r.delisted_at));
  return {
    address: r.address,
    chain: r.chain,
    entity: r.entity,
    // Written only through the checks of labels/userInput.ts; read back as the same vocabulary.
    category: r.category as LabelCategory,
    role: r.role as LabelRole,
    jurisdiction: r.jurisdiction,
    risk: r.risk as Risk,
    source: r.source,
    ...listingDates(events),
    validFrom: r.valid_from,
    validTo: r.valid_to,
    events,
    origin: 'user',
    addedAt: r.added_at,
    originFile: r.origin_file,
  };
}
