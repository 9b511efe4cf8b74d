import { Option, type Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { pathsInStore, type FoundPath } from '../graph/index.js';
import { fullAddress } from '../report/address.js';
import { formatAssetAmount } from '../report/amount.js';
import { EXPORT_FORMATS, tracedGraph, writeGraph, type ExportFormat } from '../report/export.js';
import { fromJsonValue } from '../report/fromJson.js';
import { renderCsv, renderFullJson, renderFullText, renderMarkdown } from '../report/full.js';
import { renderHtml } from '../report/html.js';
import { cleanText } from '../report/sanitize.js';
import { createRpcClient } from '../rpc/client.js';
import { traceRuns } from '../store/runs.js';
import { createStore, type Store } from '../store/store.js';
import { NATIVE } from '../types.js';
import { parseAddress } from '../util/address.js';
import { nothingToVerify, verifyReport } from '../verify/verify.js';
import { parseCount } from './options.js';
import { reachingRpc, rpcUrls } from './rpc.js';
import { assembleReport } from './runReport.js';

const REPORT_FORMATS = ['text', 'md', 'html', 'json', 'csv'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

const dbOption = (): Option => new Option('--db <path>', 'SQLite file the graph is kept in').default(process.env.HOPTRACE_DB ?? 'hoptrace.db');

/**
 * `report`, `export`, `path` (from the database alone, no RPC) and `verify` (a report against a node).
 */
export function registerAnalysisCommands(program: Command): void {
  program
    .command('report')
    .description('render a stored trace run with value attribution: text, md, html, json or csv (no RPC)')
    .addOption(dbOption())
    .option('--run <id>', 'which trace run (default: the latest; --list shows them)')
    .option('--list', 'list the trace runs the database holds')
    .addOption(new Option('--format <f>', 'output format').choices([...REPORT_FORMATS]).default('text'))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--no-color', 'no colour in the text report')
    .action((o: { db: string; run?: string; list?: boolean; format: ReportFormat; out?: string; color: boolean }) => {
      withStore(o.db, (store) => {
        if (o.list) {
          const lines = traceRuns(store.db, store.path)
            .list()
            .map((r) => `${r.id}\t${r.createdAt}\tchain ${r.chainId}\tblocks ${r.fromBlock}-${r.toBlock}\t${r.seeds.length} seed(s)\t${String(r.params['direction'])}, ${String(r.params['hops'])} hops`);
          emit(lines.length === 0 ? 'no trace runs\n' : lines.join('\n') + '\n', o.out);
          return;
        }
        const report = assembleReport(store, runId(o.run));
        const color = o.color && !o.out && process.stdout.isTTY === true && !process.env.NO_COLOR;
        const text =
          o.format === 'json' ? renderFullJson(report)
          : o.format === 'md' ? renderMarkdown(report)
          : o.format === 'html' ? renderHtml(report)
          : o.format === 'csv' ? renderCsv(report)
          : renderFullText(report, { color, width: process.stdout.isTTY && !o.out ? process.stdout.columns : undefined });
        emit(text, o.out);
      });
    });

  program
    .command('export')
    .description('write the traced graph of a run (seeds, hops, venues; evidence and taint as attributes): gexf, graphml, dot or csv')
    .addOption(dbOption())
    .option('--run <id>', 'which trace run (default: the latest)')
    .addOption(new Option('--format <f>', 'graph format').choices([...EXPORT_FORMATS]).default('gexf'))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action((o: { db: string; run?: string; format: ExportFormat; out?: string }) => {
      withStore(o.db, (store) => {
        const report = assembleReport(store, runId(o.run));
        emit(writeGraph(tracedGraph(report.attribution, report.manifest.seeds), o.format), o.out);
      });
    });

  program
    .command('path')
    .description('shortest and all simple paths between two addresses in the stored graph (no RPC)')
    .argument('<from>', 'address the money left')
    .argument('<to>', 'address it reached')
    .addOption(dbOption())
    .option('--hops <n>', 'longest path, in transfers', '4')
    .option('--limit <n>', 'most paths listed', '50')
    .option('--json', 'print JSON')
    .action((fromArg: string, toArg: string, o: { db: string; hops: string; limit: string; json?: boolean }) => {
      const from = parseAddress(fromArg, 'from address');
      const to = parseAddress(toArg, 'to address');
      const maxHops = parseCount(o.hops, '--hops', { min: 1, max: 12 });
      const limit = parseCount(o.limit, '--limit', { min: 1 });
      withStore(o.db, (store) => {
        const r = pathsInStore(store, { fromBlock: 0, toBlock: Number.MAX_SAFE_INTEGER }, from, to, { maxHops, limit });
        if (o.json) {
          const pathJson = (p: FoundPath) => ({
            addresses: p.addresses,
            inTimeOrder: p.inTimeOrder?.map((t) => ({ from: t.from, to: t.to, txHash: t.txHash, ref: t.ref, blockNumber: t.blockNumber, asset: t.asset, amount: t.amount.toString() })) ?? null,
            transfersPerStep: p.steps.map((s) => s.length),
          });
          emit(JSON.stringify({ from, to, maxHops, shortest: r.shortest && pathJson(r.shortest), paths: r.all.map(pathJson), truncated: r.truncated }, null, 2) + '\n');
          return;
        }
        const lines: string[] = [];
        if (!r.shortest && r.all.length === 0) lines.push(`No path from ${fullAddress(from)} to ${fullAddress(to)} within ${maxHops} transfers in ${store.path}.`);
        else {
          lines.push(`Shortest: ${r.shortest ? r.shortest.addresses.length - 1 : '-'} transfer(s). ${r.all.length}${r.truncated ? '+' : ''} simple path(s) of at most ${maxHops}:`);
          for (const p of r.all) {
            lines.push('', `  ${p.addresses.map(fullAddress).join(' → ')}`);
            if (!p.inTimeOrder) lines.push('    not in time order: no choice of transfers passes the money on after it arrived');
            for (const t of p.inTimeOrder ?? []) {
              lines.push(`    ${formatAssetAmount(t.amount, t.asset === NATIVE ? 18 : (store.token(t.asset)?.decimals ?? null), t.asset === NATIVE ? 'native' : (store.token(t.asset)?.symbol ?? null), t.asset)}  tx ${t.txHash} ${t.ref}  block ${t.blockNumber}`);
            }
          }
        }
        emit(lines.join('\n') + '\n');
      });
    });

  program
    .command('verify')
    .description('re-fetch every hop of a JSON report from a node: which hold, which do not and why (exit 1 if any fails)')
    .argument('<report>', 'a JSON report (hoptrace trace --json, or hoptrace report --format json)')
    .option('--rpc <url>', 'JSON-RPC endpoint (default: $HOPTRACE_RPC_URL or $ETH_RPC_URL)')
    .option('--json', 'print the checks as JSON')
    .action(async (file: string, o: { rpc?: string; json?: boolean }) => {
      const [url] = rpcUrls(o.rpc) as [string];
      if (!existsSync(file)) throw new UsageError(`report ${file} does not exist.`);
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new UsageError(`${file} is not JSON (${(err as Error).message}).`);
      }
      const report = fromJsonValue(doc, file);
      if (report.hits.every((h) => h.path.length === 0)) throw nothingToVerify(file);
      const rpc = createRpcClient({ url });
      // An endpoint that cannot be reached at all is a bad --rpc (exit 2), as for trace.
      const r = await reachingRpc(() => verifyReport(report, rpc));
      if (o.json) emit(JSON.stringify(r, null, 2) + '\n');
      else {
        // The report is someone else's file: what it says (hashes, refs) is cleaned before it reaches a terminal.
        const lines = r.checks.map((c) => cleanText(`${c.ok ? 'holds ' : 'FAILS '} ${c.where}: tx ${c.txHash} ${c.ref} block ${c.blockNumber}${c.reason ? ` — ${c.reason}` : ''}`, 1000));
        lines.push('', `${r.checks.length - r.failed} of ${r.checks.length} hop(s) hold on chain ${r.chainId} via ${r.endpoint}.`);
        emit(lines.join('\n') + '\n');
      }
      if (r.failed > 0) process.exitCode = 1;
    });
}

function runId(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseCount(value, '--run', { min: 1 });
}

/** Opens an existing database (a missing file is an error here, not a new empty graph). */
function withStore(path: string, fn: (store: Store) => void): void {
  if (!existsSync(path)) throw new UsageError(`database ${path} does not exist.`, { hint: 'pass --db with the file hoptrace trace wrote' });
  // A repair on open (store/repair.ts) is said on stderr, never in the output on stdout.
  const store = createStore(path, { onNote: (m) => void process.stderr.write(`hoptrace: ${m}\n`) });
  try {
    fn(store);
  } finally {
    store.close();
  }
}

function emit(text: string, out?: string): void {
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}
