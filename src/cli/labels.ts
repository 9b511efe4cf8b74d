import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import {
  allLabels,
  filterLabels,
  labelsOfAddress,
  parseCategory,
  parseLabelChainOption,
  parseRisk,
  searchLabels,
} from '../labels/catalog.js';
import { EVM_ANY } from '../labels/chains.js';
import { IMPORT_FORMATS, type ImportFormat } from '../labels/import/types.js';
import { indexForChain, loadLabelRows } from '../labels/load.js';
import { loadSeeds } from '../labels/seeds.js';
import { checkBatch, checkLabelInput, importRefused, type CheckContext } from '../labels/userInput.js';
import { labelJson, labelsCsv, labelsJson, renderLabelDetail, renderLabelList, toPrettyJson } from '../report/labels.js';
import { createStore, readStoreIfExists } from '../store/store.js';
import { readUserLabels, type UserLabels } from '../store/userLabels.js';
import { readLearnedDeposits } from '../store/deposits.js';
import { learnedDepositRecord, learnedDepositsCsv, renderLearnedDeposits } from '../report/deposit.js';
import type { Address, Label, LabelCategory } from '../types.js';
import { parseAddress } from '../util/address.js';
import { writeOut } from './output.js';
import { colorOption, dbOption, outputStyle } from './shared.js';

/**
 * `hoptrace labels …`: the bundled labels and the user's, which live in the database and override the
 * bundled ones. None of these commands talks to a node: a new database, not yet bound to a chain, holds
 * user labels as well as one that has been traced with.
 */

interface DbOption {
  db: string;
}
interface ColorOptions {
  json?: boolean;
  color: boolean;
}

export function registerLabelsCommand(program: Command): void {
  const labels = program
    .command('labels')
    .description('list, show, search, add, remove, import and export address labels (bundled and your own)');
  const db = (): Option => dbOption('SQLite file holding your labels');

  labels
    .command('list')
    .description('list labels, bundled and user, with filters')
    .option('--category <c>', 'only this category')
    .option('--risk <r>', 'only this risk (the risk today)')
    .option('--chain <name>', 'only labels that apply on this chain (its rows and the evm ones)')
    .option('--user', 'only your labels')
    .option('--deposits', 'instead: the exchange deposit addresses traces inferred (not sourced labels), with their evidence')
    .addOption(db())
    .option('--json', 'print JSON')
    .addOption(colorOption())
    .action((o: DbOption & ColorOptions & { category?: string; risk?: string; chain?: string; user?: boolean; deposits?: boolean }) => {
      if (o.deposits) {
        // The filters are those of labels: an inference has no category, risk or user origin of its own.
        if (o.user || o.category !== undefined || o.risk !== undefined || o.chain !== undefined) {
          throw new UsageError('--deposits cannot be used with --user, --category, --risk or --chain.');
        }
        const learned = readLearnedDeposits(o.db);
        writeOut(o.json ? toPrettyJson(learned.map(learnedDepositRecord)) : renderLearnedDeposits(learned), { kind: o.json ? 'json' : 'text' });
        return;
      }
      const rows = filterLabels(allLabels(readUserLabels(o.db)), {
        category: o.category === undefined ? undefined : parseCategory(o.category),
        risk: o.risk === undefined ? undefined : parseRisk(o.risk),
        chain: o.chain === undefined ? undefined : parseLabelChainOption(o.chain),
        userOnly: o.user === true,
      });
      printLabels(rows, o);
    });

  labels
    .command('show')
    .description('every label row of an address, bundled and user, with validity and sources')
    .argument('<address>', 'the address (EIP-55 checksum checked when mixed case)')
    .addOption(db())
    .option('--json', 'print JSON')
    .addOption(colorOption())
    .action((raw: string, o: DbOption & ColorOptions) => {
      const address = parseAddress(raw);
      // Inferred deposit addresses are no labels: shown after them, as what they are.
      const { user, inferred } = readStoreIfExists(o.db, { user: [], inferred: [] }, (store) => ({
        user: store.userLabels.all(),
        inferred: store.deposits.byAddress(address),
      }));
      const rows = labelsOfAddress(allLabels(user), address);
      const seeds = loadSeeds().filter((s) => s.address === address);
      if (o.json) {
        writeOut(toPrettyJson({ address, labels: rows.map(labelJson), seeds, deposits: inferred.map(learnedDepositRecord) }), { kind: 'json' });
        return;
      }
      writeOut(renderLabelDetail(address, rows, seeds, { color: useColor(o) }), { kind: 'text', color: useColor(o) });
      if (inferred.length > 0) writeOut('\n' + renderLearnedDeposits(inferred), { kind: 'text' });
    });

  labels
    .command('search')
    .description('labels whose entity or source contains a text (case-insensitive)')
    .argument('<text>', 'text to look for')
    .addOption(db())
    .option('--json', 'print JSON')
    .addOption(colorOption())
    .action((text: string, o: DbOption & ColorOptions) => {
      printLabels(searchLabels(allLabels(readUserLabels(o.db)), text), o);
    });

  labels
    .command('add')
    .description('add (or update) a label of your own; it overrides a bundled label of the same address')
    .argument('<address>', 'the address (EIP-55 checksum checked when mixed case)')
    .requiredOption('--entity <name>', 'who controls the address')
    .requiredOption('--category <c>', 'exchange, sanctioned-exchange, otc, swap-service, mixer or bridge')
    .requiredOption('--source <text>', 'the public source the label rests on (required: a label without one is refused)')
    .option('--risk <r>', 'sanctioned, high or standard (default: from the category and the dates)')
    .option('--jurisdiction <XX>', 'ISO 3166-1 alpha-2 country code')
    .option('--role <role>', 'what the address is to its venue: hot-wallet, deposit, cold-wallet, contract or unknown (default unknown)')
    .option('--listed <date>', 'sanctions listing date (YYYY-MM-DD)')
    .option('--delisted <date>', 'removal from the sanctions list (YYYY-MM-DD)')
    .option('--valid-from <date>', 'first day the label applies (YYYY-MM-DD)')
    .option('--valid-to <date>', 'last day the label applies (YYYY-MM-DD)')
    .option('--chain <name>', `the chain it applies on (default ${EVM_ANY}: every EVM chain)`, EVM_ANY)
    .addOption(db())
    .option('--json', 'print what was stored as JSON')
    .action((raw: string, o: DbOption & AddOptions & { json?: boolean }) => {
      const checked = checkLabelInput(
        {
          line: 0,
          address: raw,
          chain: o.chain,
          entity: o.entity,
          category: o.category,
          risk: o.risk,
          jurisdiction: o.jurisdiction,
          source: o.source,
          listedAt: o.listed,
          delistedAt: o.delisted,
          validFrom: o.validFrom,
          validTo: o.validTo,
          role: o.role,
        },
        { defaultChain: EVM_ANY },
      );
      if ('problems' in checked) throw new UsageError(`label refused: ${checked.problems.join('; ')}.`);
      const { label } = checked;
      withStore(o.db, (store) => {
        const result = store.transaction(() => {
          const stored = store.forAddress(label.address).find((l) => l.chain === label.chain);
          if (stored !== undefined && stored.entity !== label.entity) {
            throw new UsageError(
              `${label.address} on chain ${label.chain} already has the user label "${stored.entity}".`,
              { hint: `remove it first: hoptrace labels remove ${label.address} --chain ${label.chain}` },
            );
          }
          return store.put([label], null);
        });
        const action = result.replaced > 0 ? 'updated' : 'added';
        if (o.json) {
          // The row as stored (with its addedAt), as `labels show --json` would list it.
          const stored = store.forAddress(label.address).find((l) => l.chain === label.chain)!;
          writeOut(toPrettyJson({ action, label: labelJson(stored) }), { kind: 'json' });
          return;
        }
        writeOut(`${action} user label ${label.address} on ${label.chain}: ${label.entity} (${label.category}, role ${label.role}, risk ${label.risk})\n`, { kind: 'text' });
      });
    });

  labels
    .command('remove')
    .description('remove your label of an address (bundled labels cannot be removed, only overridden)')
    .argument('<address>', 'the address')
    .option('--chain <name>', 'only the label on this chain (default: every chain)')
    .addOption(db())
    .option('--json', 'print what was removed as JSON')
    .action((raw: string, o: DbOption & { chain?: string; json?: boolean }) => {
      const address = parseAddress(raw);
      const chain = o.chain === undefined ? undefined : parseLabelChainOption(o.chain);
      const removed = existsSync(o.db) ? withStore(o.db, (s) => s.remove(address, chain)) : 0;
      if (removed === 0) {
        const bundled = loadLabelRows().filter((l) => l.address === address && (chain === undefined || l.chain === chain));
        const on = chain === undefined ? '' : ` on chain ${chain}`;
        if (bundled.length > 0) {
          throw new UsageError(
            `${address}${on} has no user label to remove: its label "${bundled[0]!.entity}" is bundled (data/exchanges.csv), and bundled labels are never removed.`,
            { hint: `to change what hoptrace says about it, add your own label: hoptrace labels add ${address} --entity … --category … --source …` },
          );
        }
        throw new UsageError(`${address}${on} has no user label in ${o.db}.`);
      }
      if (o.json) writeOut(toPrettyJson({ address, chain: chain ?? null, removed }), { kind: 'json' });
      else writeOut(`removed ${removed} user label${removed === 1 ? '' : 's'} of ${address}\n`, { kind: 'text' });
    });

  labels
    .command('import')
    .description('import labels from a file, all or nothing: csv, json, GraphSense TagPack (YAML), OFAC SDN (advanced XML or sdn.csv)')
    .argument('<file>', 'the file to import')
    .addOption(new Option('--format <f>', 'the file format (default: from its name and content)').choices([...IMPORT_FORMATS]))
    .option('--chain <name>', 'put every label on this chain (default: as the file says, else evm)')
    .option('--category <c>', 'category for entries the file gives none hoptrace knows (OFAC SDN entries, unmapped TagPack categories)')
    .addOption(db())
    .option('--json', 'print the counts as JSON')
    .action(async (file: string, o: DbOption & { format?: ImportFormat; chain?: string; category?: string; json?: boolean }) => {
      const forceChain = o.chain === undefined ? undefined : parseLabelChainOption(o.chain);
      const fallbackCategory = o.category === undefined ? undefined : parseCategory(o.category);
      // Loaded here: the readers pull in the YAML and XML parsers, which no other command needs.
      const { readImportFile } = await import('../labels/import/index.js');
      const parsed = await readImportFile(file, o.format);
      const summary = withStore(o.db, (store) =>
        store.transaction(() => {
          const existing = store.all();
          const ctx = importContext(existing, forceChain, fallbackCategory);
          const checked = checkBatch(file, parsed.rows, ctx, parsed.problems);
          if (checked.problems.length > 0) throw importRefused(file, checked.problems);
          return store.put(checked.labels, file);
        }),
      );
      if (o.json) {
        const imported = summary.added + summary.replaced;
        const counts = { file, format: parsed.format, imported, added: summary.added, updated: summary.replaced, skipped: Object.fromEntries(parsed.skipped) };
        writeOut(toPrettyJson(counts), { kind: 'json' });
        return;
      }
      const skipped = [...parsed.skipped].map(([reason, n]) => `${n} ${reason}`);
      writeOut(
        `imported ${summary.added + summary.replaced} label${summary.added + summary.replaced === 1 ? '' : 's'} from ${file} (${parsed.format}): ` +
          `${summary.added} new, ${summary.replaced} updated` +
          (skipped.length > 0 ? `; skipped ${skipped.join(', ')}` : '') +
          '\n',
        { kind: 'text' },
      );
    });

  labels
    .command('export')
    .description('write labels to stdout as csv or json (the import format)')
    .addOption(new Option('--format <f>', 'csv or json').choices(['csv', 'json']).default('csv'))
    .option('--user', 'only your labels (the default)')
    .option('--all', 'bundled and user labels')
    .option('--deposits', 'instead: the deposit addresses traces inferred, with their evidence (not an import format: they are inferences)')
    .addOption(db())
    .action((o: DbOption & { format: 'csv' | 'json'; user?: boolean; all?: boolean; deposits?: boolean }) => {
      if (o.user && o.all) throw new UsageError('--user and --all cannot be used together.');
      if (o.deposits) {
        if (o.user || o.all) throw new UsageError('--deposits cannot be used with --user or --all.');
        const learned = readLearnedDeposits(o.db);
        writeOut(o.format === 'json' ? toPrettyJson(learned.map(learnedDepositRecord)) : learnedDepositsCsv(learned), { kind: o.format === 'json' ? 'json' : 'data' });
        return;
      }
      const user = readUserLabels(o.db);
      const rows = o.all ? allLabels(user) : user;
      writeOut(o.format === 'json' ? labelsJson(rows) : labelsCsv(rows), { kind: o.format === 'json' ? 'json' : 'data' });
    });
}

interface AddOptions {
  entity: string;
  category: string;
  source: string;
  risk?: string;
  jurisdiction?: string;
  listed?: string;
  delisted?: string;
  validFrom?: string;
  validTo?: string;
  role?: string;
  chain: string;
}

/** Opens (creating if needed) the database for a write, runs `fn` on its user labels, closes it. */
function withStore<T>(path: string, fn: (store: UserLabels) => T): T {
  // No repair: these commands write the user's labels only, and leave the graph (and the note on what a
  // repair drops) to the next trace.
  const store = createStore(path, { repair: false });
  try {
    return fn(store.userLabels);
  } finally {
    store.close();
  }
}

/**
 * What an import's checks consult: the stored user labels (a conflict), and the categories hoptrace
 * already knows (a row without one takes the user's, then the bundled label's of that address).
 */
function importContext(existing: readonly Label[], forceChain: string | undefined, fallbackCategory: LabelCategory | undefined): CheckContext {
  const stored = new Map(existing.map((l) => [`${l.address}@${l.chain}`, l]));
  // The user's rows first: both lookups keep the first row they meet per address.
  const rows = [...existing, ...loadLabelRows()];
  const anyChain = new Map<Address, Label>();
  for (const l of rows) if (!anyChain.has(l.address)) anyChain.set(l.address, l);
  const perChain = new Map<string, Map<Address, Label>>();
  const categoryOn = (address: Address, chain: string): LabelCategory | undefined => {
    let book = perChain.get(chain);
    if (book === undefined) {
      book = indexForChain(rows, chain === EVM_ANY ? null : chain);
      perChain.set(chain, book);
    }
    return (book.get(address) ?? anyChain.get(address))?.category;
  };
  return {
    defaultChain: EVM_ANY,
    forceChain,
    fallbackCategory,
    knownCategory: categoryOn,
    existing: (address, chain) => stored.get(`${address}@${chain}`),
  };
}

function printLabels(rows: readonly Label[], o: ColorOptions): void {
  if (o.json) writeOut(toPrettyJson(rows.map(labelJson)), { kind: 'json' });
  else writeOut(renderLabelList(rows, { color: useColor(o) }), { kind: 'text', color: useColor(o) });
}

function useColor(o: ColorOptions): boolean {
  return outputStyle(o).color;
}
