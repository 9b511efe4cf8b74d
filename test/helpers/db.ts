/** Reading a run's database back in tests: what a faulty answer may have left behind. */
import Database from 'better-sqlite3';

/** Every row of every table of the database at `path`, as JSON text (`table: {…}`). */
export function allRows(path: string): string[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((t) => t.name);
    return tables.flatMap((t) => (db.prepare(`SELECT * FROM "${t}"`).all() as unknown[]).map((r) => `${t}: ${JSON.stringify(r)}`));
  } finally {
    db.close();
  }
}
