import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { comparability, diffRuns, diffSide, type DiffSide } from '../report/diff.js';
import { renderDiff } from '../report/formats/index.js';
import { fullReportJson } from '../report/full.js';
import type { Store } from '../store/store.js';
import { parseCount } from './options.js';
import { assembleReport } from './runReport.js';
import { addFormatOptions, chosenFormat, colorOption, dbOption, emit, formatNames, openStoreToRead, outOption, outputStyle, readReportFile, type FormatChoice } from './shared.js';

/** The exit code of `diff --exit-code` when the runs differ (0: no change; 1 and 2 keep their meaning: failure, bad input). */
export const DIFF_CHANGED_EXIT = 3;

interface DiffCliOptions extends FormatChoice {
  db: string;
  limit: string;
  force?: boolean;
  exitCode?: boolean;
  out?: string;
  color: boolean;
}

/**
 * `hoptrace diff <a> <b>`: what changed between two runs of one case (report/diff.ts), each a stored run
 * of --db (a whole number, as `report --list` shows) or a JSON report file (`trace --json`, `report
 * --format json`). No RPC.
 */
export function registerDiffCommand(program: Command): void {
  const cmd = program
    .command('diff')
    .description(`what changed between two runs of a case (new hits, evidence, amounts, movements, coverage): ${formatNames('diff')} (no RPC)`)
    .argument('<a>', 'the earlier run: a run id of --db (hoptrace report --list) or a JSON report file')
    .argument('<b>', 'the later run, the same way')
    .addOption(dbOption())
    .option('--limit <n>', 'most new (and gone) movements and addresses listed; all are counted', '20')
    .option('--force', 'compare runs of different chains, directions or seeds')
    .addOption(new Option('--exit-code', `exit ${DIFF_CHANGED_EXIT} when anything changed, 0 when nothing did (for cron)`));
  addFormatOptions(cmd, 'diff')
    .addOption(outOption())
    .addOption(colorOption('no colour in the text'))
    .action((a: string, b: string, o: DiffCliOptions) => {
      const format = chosenFormat('diff', o);
      const limit = parseCount(o.limit, '--limit', { min: 1 });
      let store: Store | null = null;
      const openStore = (): Store => {
        if (store) return store;
        store = openStoreToRead(o.db, 'pass --db with the file hoptrace trace wrote, or give two JSON report files');
        return store;
      };
      try {
        const sa = readSide(a, openStore);
        const sb = readSide(b, openStore);
        const differ = comparability(sa, sb);
        if (differ.length > 0 && !o.force) {
          throw new UsageError(`${sa.name} and ${sb.name} are not runs of one case: ${differ.join('; ')}.`, { hint: 'compare them anyway with --force' });
        }
        // A stored run's database has the headers of the blocks it read: times for movements no report dates.
        const headers = store as Store | null;
        const blockTime = headers ? (n: number): number | null => headers.block(n)?.timestamp ?? null : undefined;
        const diff = diffRuns(sa, sb, { limit, forced: differ, ...(blockTime ? { blockTime } : {}) });
        const style = outputStyle(o);
        emit(renderDiff(format, diff, style), format.output, o.out, style.color && format.color);
        if (o.exitCode && diff.changed) process.exitCode = DIFF_CHANGED_EXIT;
      } finally {
        (store as Store | null)?.close();
      }
    });
}

/** One side: a run id of the database, or a report file. */
function readSide(arg: string, openStore: () => Store): DiffSide {
  if (/^\d+$/.test(arg)) {
    const id = parseCount(arg, 'run id', { min: 1 });
    const full = assembleReport(openStore(), id);
    return diffSide(fullReportJson(full, full.json), `run ${id}`, 'run', id);
  }
  const doc = readReportFile(arg, {
    message: `${arg} is neither a run id nor an existing report file.`,
    hint: 'give a run id (hoptrace report --list) or a JSON report (hoptrace report --format json -o FILE)',
  });
  const manifest = (doc as { manifest?: { run?: { id?: unknown } } } | null)?.manifest;
  const run = typeof manifest?.run?.id === 'number' ? manifest.run.id : null;
  return diffSide(doc, `file ${arg}`, 'file', run);
}
