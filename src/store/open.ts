import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { HoptraceError, UsageError } from '../errors.js';
import { MIGRATIONS } from './schema.js';

export type Db = Database.Database;

const APP_ID = 'hoptrace';

/**
 * Opens (creating if needed) a hoptrace SQLite file and brings its schema up to date.
 *
 * Refuses, with one sentence and exit code 2, a file that is not SQLite, a SQLite file that is not
 * ours, one written by a newer hoptrace, or one that is corrupt. Nothing is written to a file we refuse.
 * WAL mode and a busy timeout let a second process read while a trace writes.
 */
export function openDb(path: string, opts: { readonly?: boolean } = {}): Db {
  const exists = path !== ':memory:' && existsSync(path);
  if (exists && statSync(path).isDirectory()) throw new UsageError(`database path ${path} is a directory, not a file.`);
  if (opts.readonly && !exists) throw new UsageError(`database ${path} does not exist.`);
  let db: Db;
  try {
    db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw new UsageError(`cannot open database ${path}: ${(err as Error).message}.`, { cause: err });
  }
  try {
    // Reading the header is the first thing that fails on a file that is not SQLite or is damaged.
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`)
      .all()
      .map((r) => (r as { name: string }).name);
    if (tables.length > 0) {
      const isOurs =
        tables.includes('meta') &&
        (db.prepare(`SELECT value FROM meta WHERE key = 'app'`).get() as { value: string } | undefined)?.value ===
          APP_ID;
      if (!isOurs) {
        throw new UsageError(`database ${path} is a SQLite file that hoptrace did not create; refusing to write to it.`, {
          hint: 'pass --db with a new file name, or the path of a hoptrace database',
        });
      }
    }
    if (version > MIGRATIONS.length) {
      throw new UsageError(
        `database ${path} was written by a newer hoptrace (schema ${version}, this one knows ${MIGRATIONS.length}).`,
        { hint: 'upgrade hoptrace, or use another --db' },
      );
    }
    // The busy timeout first: switching to WAL needs a lock another process may hold for a moment.
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      switchToWal(db);
      db.pragma('synchronous = NORMAL');
      // 64 MiB of page cache instead of SQLite's 2 MiB: inserts touch three indexes at random places, and
      // with the default cache a large ingest re-reads its own pages (bench/analysis.mjs measures it).
      db.pragma('cache_size = -65536');
    }
    db.pragma('foreign_keys = ON');
    if (!opts.readonly) migrate(db, version);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof HoptraceError) throw err;
    throw sqliteToUsage(path, err);
  }
}

/**
 * `PRAGMA journal_mode = WAL` on a file another process is opening at the same moment can answer
 * SQLITE_BUSY at once, without waiting for the busy timeout (SQLite gives up instead of risking a
 * deadlock between the two lock upgrades). It is asked again for up to the busy timeout.
 */
function switchToWal(db: Db): void {
  const until = Date.now() + 5_000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > until) throw err;
      Atomics.wait(pause, 0, 0, 20 + Math.floor(Math.random() * 30));
    }
  }
}

function migrate(db: Db, from: number): void {
  if (from >= MIGRATIONS.length) return;
  // The version is read again under the write lock: two processes opening one new file at once both saw
  // version 0, and the second must not run a step the first has just applied.
  for (;;) {
    const applied = db.transaction((): boolean => {
      const v = db.pragma('user_version', { simple: true }) as number;
      const step = MIGRATIONS[v];
      if (step === undefined) return false;
      db.exec(step);
      if (v === 0) db.prepare(`INSERT INTO meta (key, value) VALUES ('app', ?)`).run(APP_ID);
      db.pragma(`user_version = ${v + 1}`);
      return true;
    }).immediate();
    if (!applied) return;
  }
}

/**
 * Runs `fn`, turning a SQLite failure (SQLITE_BUSY, SQLITE_FULL, …) into the HoptraceError sqliteToUsage
 * gives; other errors pass through.
 */
export function withSqliteErrors<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_')) throw sqliteToUsage(path, err);
    throw err;
  }
}

/** Maps SQLite's own failures on open to a sentence a user can act on. */
export function sqliteToUsage(path: string, err: unknown): HoptraceError {
  const code = (err as { code?: string }).code ?? '';
  const msg = (err as Error).message ?? String(err);
  if (code === 'SQLITE_NOTADB' || /not a database/i.test(msg)) {
    return new UsageError(`database ${path} is not a SQLite file (not a hoptrace database, or damaged).`, {
      hint: 'pass --db with a new file name, or the path of a hoptrace database',
      cause: err,
    });
  }
  if (code === 'SQLITE_CORRUPT' || /malformed/i.test(msg)) {
    return new UsageError(`database ${path} is corrupt (${msg}).`, { hint: 'restore it from a copy', cause: err });
  }
  if (code === 'SQLITE_BUSY' || /locked/i.test(msg)) {
    return new HoptraceError(`database ${path} is locked by another process; try again when it has finished.`, {
      cause: err,
    });
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY') {
    return new UsageError(`cannot write database ${path} (${msg}).`, { cause: err });
  }
  return new HoptraceError(`database ${path} failed: ${msg}.`, { cause: err });
}

/**
 * What `read` finds in the database at `path`, without creating it: `none` when the file does not exist
 * (the readers of `labels list/show/export` must not leave an empty database behind). The file is
 * migrated when it is an older hoptrace database; it is closed again before this returns.
 */
export function readIfExists<T>(path: string, none: T, read: (db: Db) => T): T {
  if (path !== ':memory:' && !existsSync(path)) return none;
  const db = openDb(path);
  try {
    return read(db);
  } finally {
    db.close();
  }
}
