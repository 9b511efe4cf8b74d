import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { HoptraceError, UsageError } from '../errors.js';
import { MIGRATIONS } from './schema.js';

export type Db = Database.Database;

const APP_ID = 'hoptrace';
/**
 * `PRAGMA application_id` of a hoptrace database ("hopt" in ASCII), written with the first schema step.
 * Files from before it carry 0 and are recognised by their meta row alone.
 */
export const APPLICATION_ID = 0x686f7074;
/** Meta row present while a process has the database open for writing: left behind, it means an unclean stop. */
const WRITER_OPEN = 'writer_open';

// A read-only open of a WAL database whose -shm file cannot be created (a read-only mount or directory)
// needs SQLite's `immutable` URI parameter; URIs are off in better-sqlite3 unless asked for before its
// addon loads. Plain paths are kept from being read as URIs below (`./` before a relative `file:` name).
process.env.SQLITE_USE_URI ??= '1';

const NOT_OURS_HINT = 'pass --db with a new file name, or the path of a hoptrace database';

/**
 * Opens (creating if needed) a hoptrace SQLite file and brings its schema up to date; with `readonly`,
 * opens an existing one without writing to it (reading commands: a database on a read-only mount, or
 * another user's, can still be reported on).
 *
 * Refuses, with one sentence and exit code 2, a file that is not SQLite, a SQLite file that is not ours
 * (whatever it holds, even nothing but a user_version or application_id), one written by a newer
 * hoptrace, or one that is damaged: after an unclean stop (a writer's mark left in meta, or a -wal file
 * left beside it) `PRAGMA quick_check` runs before anything is read or written. Nothing is written to a
 * file we refuse. WAL mode and a busy timeout let a second process read while a trace writes.
 */
export function openDb(path: string, opts: { readonly?: boolean } = {}): Db {
  const readonly = opts.readonly ?? false;
  const exists = path !== ':memory:' && existsSync(path);
  if (exists && statSync(path).isDirectory()) throw new UsageError(`database path ${path} is a directory, not a file.`);
  // A device or a FIFO (`--db /dev/null`) is no database: SQLite would fail half-way and leave a journal beside it.
  if (exists && !statSync(path).isFile()) throw new UsageError(`database path ${path} is not a regular file.`, { hint: 'pass --db a file name' });
  if (readonly && !exists) throw new UsageError(`database ${path} does not exist.`);
  // Looked at before opening: our own open creates a -wal file (empty until something is written).
  const walLeft = exists && existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0;
  // A reader that could write the file opens it as a writer that writes nothing (query_only): a SQLite
  // read-only connection cannot remove the -wal and -shm files it makes, and would leave them behind.
  const readOnlyConnection = readonly && !writable(path);
  const db = connect(path, readOnlyConnection);
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    const state = recognise(db, path, version);
    if (state === 'new' && readonly) throw new UsageError(`database ${path} holds no hoptrace data yet.`, { hint: NOT_OURS_HINT });
    if (version > MIGRATIONS.length) {
      throw new UsageError(
        `database ${path} was written by a newer hoptrace (schema ${version}, this one knows ${MIGRATIONS.length}).`,
        { hint: 'upgrade hoptrace, or use another --db' },
      );
    }
    if (readOnlyConnection && version < MIGRATIONS.length) {
      throw new UsageError(`database ${path} was written by an older hoptrace (schema ${version}) and cannot be upgraded where it is (read-only).`, {
        hint: 'copy it to a writable place and run the command on the copy',
      });
    }
    // A reading command writes nothing, not even the schema upgrade (which rewrites the transfers).
    if (readonly && state === 'ours' && version < MIGRATIONS.length) {
      throw new UsageError(
        `database ${path} was written by an older hoptrace (schema ${version}, this one uses ${MIGRATIONS.length}); a reading command does not upgrade it.`,
        { hint: `upgrade it once with hoptrace upgrade --db ${path} (every row is carried forward), then read it` },
      );
    }
    // The busy timeout first: switching to WAL needs a lock another process may hold for a moment.
    db.pragma('busy_timeout = 5000');
    if (state === 'ours' && (walLeft || writerMarkLeft(db))) quickCheck(db, path);
    if (!readOnlyConnection) {
      // WAL: a reader (report, path) reads while a trace writes, and a commit is one append to the log.
      switchToWal(db);
      // NORMAL in WAL mode syncs at checkpoints, not at every commit: a killed process (kill -9) loses
      // nothing committed, since the log is in the OS's cache; only a power cut can lose the last
      // commits, never corrupt the file (test/resume.test.ts and the kill campaign hold it to that).
      db.pragma('synchronous = NORMAL');
      // A checkpoint (log copied into the file, two fsyncs) every 256 MiB of log instead of SQLite's
      // 4 MiB: on a slow disk the fsyncs were most of an ingest's wall time, and a page rewritten by
      // several commits is copied once (bench/analysis.mjs, 1M rows: 64 → 256 MiB wrote 4,265 → 3,459 MiB
      // and ran 1.2–1.3× faster). The price: the log file grows to that size while a process writes
      // (it is removed on the last close), and on a power cut (not a killed process) NORMAL can lose
      // the commits since the last checkpoint — more of them, still whole commits with their interval
      // marks, so a later trace fetches those ranges again; the file is never left inconsistent. A
      // reader's cost grows with the log only by its index in the -shm file.
      db.pragma('wal_autocheckpoint = 65536');
    }
    // 64 MiB of page cache instead of SQLite's 2 MiB: inserts touch the id and movement indexes at random
    // places, and with the default cache a large ingest re-reads its own pages (bench/analysis.mjs).
    db.pragma('cache_size = -65536');
    // Sorts and DISTINCTs of the reads (ORDER BY of transfersOf, the migration's UNION) in memory, not in
    // temporary files.
    db.pragma('temp_store = MEMORY');
    db.pragma('foreign_keys = ON');
    if (!readOnlyConnection) migrate(db, version);
    if (!readonly) {
      // Files from before the application id was written get it now that they are ours to write.
      if (db.pragma('application_id', { simple: true }) === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
      markWriter(db);
    } else if (!readOnlyConnection) {
      db.pragma('query_only = ON');
    }
    return db;
  } catch (err) {
    db.close();
    if (err instanceof HoptraceError) throw err;
    throw sqliteToUsage(path, err);
  }
}

/** Whether this process may write the file and make files beside it (-wal, -shm). */
function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The connection, and a first read: SQLite opens lazily, and a WAL file whose -shm cannot be made (a
 * read-only mount or directory) only fails there. Such a file is opened `immutable` instead.
 */
function connect(path: string, readonly: boolean): Db {
  const name = path.startsWith('file:') ? `./${path}` : path;
  let db: Db | undefined;
  try {
    db = new Database(name, { readonly, fileMustExist: readonly });
    db.pragma('user_version', { simple: true });
    return db;
  } catch (err) {
    db?.close();
    const code = (err as { code?: string }).code ?? '';
    if (readonly && /^SQLITE_(READONLY|CANTOPEN)/.test(code)) return connectImmutable(path, err);
    if (db === undefined) throw new UsageError(`cannot open database ${path}: ${(err as Error).message}.`, { cause: err });
    throw sqliteToUsage(path, err);
  }
}

/**
 * The schema version a database file is at, and the one this release writes, read without changing the
 * file (for `hoptrace upgrade` to say what it did). The file must exist.
 */
export function schemaVersionOf(path: string): { version: number; current: number } {
  const db = connect(path, true);
  try {
    return { version: db.pragma('user_version', { simple: true }) as number, current: MIGRATIONS.length };
  } finally {
    db.close();
  }
}

function connectImmutable(path: string, first: unknown): Db {
  // Immutable ignores a -wal file: with one left behind (its rows not yet in the main file), reading
  // without it would show an older graph, silently. Refused instead.
  if (existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0) {
    throw new UsageError(`database ${path} is read-only here and its write-ahead log ${path}-wal is not merged into it yet.`, {
      hint: 'copy the database and its -wal file to a writable place and run the command on the copy',
      cause: first,
    });
  }
  let db: Db | undefined;
  try {
    db = new Database(`file:${encodeURI(path).replace(/[?#]/g, encodeURIComponent)}?immutable=1`, { readonly: true, fileMustExist: true });
    db.pragma('user_version', { simple: true });
    return db;
  } catch (err) {
    db?.close();
    throw sqliteToUsage(path, err);
  }
}

/**
 * Whether the file is ours (`ours`), empty and free to become ours (`new`), or someone else's (throws).
 * A file is new only when SQLite sees nothing in it: no schema object, user_version 0, application_id 0.
 */
function recognise(db: Db, path: string, version: number): 'new' | 'ours' {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const objects = (db.prepare(`SELECT name, type FROM sqlite_master`).all() as { name: string; type: string }[]);
  const notOurs = (): UsageError =>
    new UsageError(`database ${path} is a SQLite file that hoptrace did not create; refusing to write to it.`, { hint: NOT_OURS_HINT });
  if (objects.length === 0) {
    if (appId === 0 && version === 0) return 'new';
    throw notOurs();
  }
  if (appId !== 0 && appId !== APPLICATION_ID) throw notOurs();
  const hasMeta = objects.some((o) => o.type === 'table' && o.name === 'meta');
  const app = hasMeta ? (db.prepare(`SELECT value FROM meta WHERE key = 'app'`).get() as { value: string } | undefined)?.value : undefined;
  if (app !== APP_ID) throw notOurs();
  return 'ours';
}

function writerMarkLeft(db: Db): boolean {
  return db.prepare(`SELECT 1 FROM meta WHERE key = ?`).get(WRITER_OPEN) !== undefined;
}

/**
 * `PRAGMA quick_check` (structure of every b-tree, in one pass; not the slower cross-check of each index
 * against its table): a damaged file is refused before a report is drawn from half of it.
 */
function quickCheck(db: Db, path: string): void {
  let problems: string[];
  try {
    problems = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((r) => r.quick_check.replace(/^\*\*\* in database \w+ \*\*\*\s*/, ''));
  } catch (err) {
    problems = [(err as Error).message];
  }
  if (problems.length === 1 && problems[0] === 'ok') return;
  throw damaged(path, problems.join('; '));
}

function damaged(path: string, what: string, cause?: unknown): UsageError {
  return new UsageError(`database ${path} is damaged: ${what}; restore it or trace again into a new --db.`, { cause });
}

/**
 * Marks the database as open for writing until `close()`: a process that stops without closing it leaves
 * the mark, and the next open checks the file. The mark goes with the last close of this connection.
 */
function markWriter(db: Db): void {
  db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(
    WRITER_OPEN,
    new Date().toISOString(),
  );
  const close = db.close.bind(db);
  db.close = (): Db => {
    if (db.open) {
      try {
        db.prepare(`DELETE FROM meta WHERE key = ?`).run(WRITER_OPEN);
      } catch {
        /* a database that cannot be written now keeps the mark: it is checked on the next open */
      }
    }
    return close();
  };
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
      if (v === 0) {
        db.prepare(`INSERT INTO meta (key, value) VALUES ('app', ?)`).run(APP_ID);
        db.pragma(`application_id = ${APPLICATION_ID}`);
      }
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
  if (code === 'SQLITE_CORRUPT' || /malformed/i.test(msg)) return damaged(path, msg, err);
  if (code === 'SQLITE_BUSY' || /locked/i.test(msg)) {
    return new HoptraceError(`database ${path} is locked by another process; try again when it has finished.`, {
      cause: err,
    });
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) {
    return new UsageError(`cannot write database ${path} (${msg}).`, { cause: err });
  }
  return new HoptraceError(`database ${path} failed: ${msg}.`, { cause: err });
}

/**
 * What `read` finds in the database at `path`, without creating it: `none` when the file does not exist
 * (the readers of `labels list/show/export` must not leave an empty database behind), or is empty. The
 * file is opened read-only (an older hoptrace database is refused, not upgraded: see openDb); it is closed again
 * before this returns.
 */
export function readIfExists<T>(path: string, none: T, read: (db: Db) => T): T {
  if (path !== ':memory:' && (!existsSync(path) || statSync(path).size === 0)) return none;
  const db = openDb(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}
