import type { Command } from 'commander';
import { callsReportJson, renderCallsReport, type CallsReport } from '../report/price.js';
import { fromJsonValue } from '../report/fromJson.js';
import { redactUrl } from '../rpc/redact.js';
import { callsByMethod, priceCalls } from '../rpc/price.js';
import { runId, withStore } from './analysis.js';
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
    .addOption(priceTableOption())
    .option('--json', 'print JSON')
    .addOption(outOption())
    .action((o: { db: string; run?: string; priceTable?: string; json?: boolean; out?: string }) => {
      // Every option is checked before the database is opened.
      const id = runId(o.run);
      const table = chosenPriceTable(o);
      withStore(o.db, (store) => {
        const run = store.runs.get(id);
        const result = fromJsonValue(JSON.parse(run.result), `trace run ${run.id} of ${store.path}`);
        const report: CallsReport = {
          // As stored by an older release, whose redaction kept more: masked again (rpc/redact.ts).
          run: { id: run.id, createdAt: run.createdAt, chainId: run.chainId, rpc: result.rpc.split(' + ').map(redactUrl).join(' + ') },
          priced: priceCalls(callsByMethod(result.stats.rpcCalls), table),
        };
        if (o.json) emit(JSON.stringify(callsReportJson(report), null, 2) + '\n', 'json', o.out);
        else emit(renderCallsReport(report), 'text', o.out);
      });
    });
}
