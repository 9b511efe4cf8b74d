import type { Command } from 'commander';
import { createStore, schemaVersionOf } from '../store/store.js';
import { writeErr, writeOut } from './output.js';
import { dbOption, requireDatabase } from './shared.js';

/**
 * `hoptrace upgrade`: carries a database written by an older release forward to this release's schema,
 * the one step reading commands refuse to take for the user (they write nothing). A writable open does
 * it (store/schema.ts migrations, store/repair.ts); this command does only that, and says what it did.
 */
export function registerUpgradeCommand(program: Command): void {
  program
    .command('upgrade')
    .description("upgrade a database written by an older hoptrace to this release's schema (every row carried forward; no RPC)")
    .addOption(dbOption())
    .action((o: { db: string }) => {
      requireDatabase(o.db);
      const before = schemaVersionOf(o.db);
      const store = createStore(o.db, { onNote: (m) => writeErr(`hoptrace: ${m}\n`) });
      const after = store.schemaVersion();
      store.close();
      writeOut(
        before.version === after
          ? `database ${o.db} is at schema ${after}, this release's: nothing to upgrade.\n`
          : `database ${o.db} upgraded from schema ${before.version} to ${after}.\n`,
        { kind: 'text' },
      );
    });
}
