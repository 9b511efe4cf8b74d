import type { Command } from 'commander';
import { callsReportJson, renderCallsReport, type CallsReport } from '../report/price.js';
import { callsByMethod, priceCalls } from '../rpc/price.js';
import { UsageError } from '../errors.js';
import { runId, withStore } from './analysis.js';
import { parseCount } from './options.js';
import { storedEndpoints, storedResult } from './runReport.js';
import { chosenPriceTable, dbOption, emit, outOption, priceTableOption } from './shared.js';

/**
 * `hoptrace stats`: the RPC calls a recorded trace run made, by method, priced in a provider's table
 * (credits per call and in total; methods the table does not price counted, never given a price).
 * From the database alone, no RPC.
 */
export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description('the RPC calls of a recorded trace run, by method, priced in a provider\'s credits (no RPC)')
    .addOption(dbOption())
    .option('--run <id>', 'which trace run (default: the latest; hoptrace report --list shows them)')
    .option('--watch [id]', 'the calls of a watch\'s polls instead, and their calls per new block (default: the latest watch)')
    .addOption(priceTableOption())
    .option('--json', 'print JSON')
    .addOption(outOption())
    .action((o: { db: string; run?: string; watch?: string | true; priceTable?: string; json?: boolean; out?: string }) => {
      // Every option is checked before the database is opened.
      const id = runId(o.run);
      if (o.watch !== undefined && o.run !== undefined) throw new UsageError('--run and --watch cannot be used together.');
      const watchId = o.watch === undefined || o.watch === true ? undefined : parseCount(o.watch, '--watch', { min: 1 });
      const table = chosenPriceTable(o);
      withStore(o.db, (store) => {
        if (o.watch !== undefined) {
          const w = store.watches.get(watchId);
          const calls = Object.values(w.calls).reduce((a, b) => a + b, 0);
          const run = w.runId === null ? null : store.runs.list().find((r) => r.id === w.runId);
          const report: CallsReport = {
            run: { id: run?.id ?? 0, createdAt: run?.createdAt ?? w.createdAt, chainId: w.chainId, rpc: run ? storedEndpoints(run.rpc).join(' + ') : 'unknown' },
            watch: {
              id: w.id,
              createdAt: w.createdAt,
              polls: w.polls,
              baselineBlock: w.baselineBlock,
              lastBlock: w.lastBlock,
              blocks: w.blocks,
              callsPerBlock: w.blocks > 0 ? Math.round((calls / w.blocks) * 100) / 100 : null,
            },
            priced: priceCalls(w.calls, table),
          };
          if (o.json) emit(JSON.stringify(callsReportJson(report), null, 2) + '\n', 'json', o.out);
          else emit(renderCallsReport(report), 'text', o.out);
          return;
        }
        const run = store.runs.get(id);
        const result = storedResult(store, run);
        const report: CallsReport = {
          run: { id: run.id, createdAt: run.createdAt, chainId: run.chainId, rpc: result.rpc },
          priced: priceCalls(callsByMethod(result.stats.rpcCalls), table),
        };
        if (o.json) emit(JSON.stringify(callsReportJson(report), null, 2) + '\n', 'json', o.out);
        else emit(renderCallsReport(report), 'text', o.out);
      });
    });
}
