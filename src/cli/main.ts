import { Command, CommanderError, Option } from 'commander';
import { HoptraceError, InvalidResponseError, RpcError } from '../errors.js';
import { labelDataVersion } from '../labels/load.js';
import { toJsonValue } from '../report/json.js';
import { connect, runTrace } from '../trace/run.js';
import type { TraceResult } from '../trace/result.js';
import { packageVersion } from '../util/package.js';
import { parseObjective, refuseOptionLikeValues } from './options.js';
import { errorLine, outputTarget, writeErr, writeOut } from './output.js';
import { createProgress, type Progress } from './progress.js';
import { reachingRpc } from './rpc.js';
import { openTraceSession, parseTraceOptions, type TraceCliOptions } from './traceSession.js';
import { registerWatchCommand } from './watch.js';
import { runAcrossChainsDemo, runDemo } from './demo.js';
import { registerLabelsCommand } from './labels.js';
import { registerSeedsCommand } from './seeds.js';
import { registerAnalysisCommands } from './analysis.js';
import { registerDiffCommand } from './diff.js';
import { manifestOf, recordRun } from './runReport.js';
import { addFormatOptions, addTraceOptions, chosenFormat, chosenPriceTable, colorOption, emitRun, outOption, priceTableOption, quietOption } from './shared.js';
import { registerStatsCommand } from './stats.js';
import { registerUpgradeCommand } from './upgrade.js';
import { creditsLine } from '../report/price.js';
import { callsByMethod, priceCalls } from '../rpc/price.js';

export type { TraceCliOptions };

/**
 * Entry point of the `hoptrace` binary. The only place that prints or exits: every failure below is a
 * HoptraceError, shown as one line (`hoptrace: …`, plus a hint) with exit code 2 for bad input and 1
 * for runtime failures. Stack traces only with HOPTRACE_DEBUG=1.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
  } catch (err) {
    process.exitCode = report(err);
  }
}

export function buildProgram(): Command {
  const program = new Command('hoptrace')
    .description('Follow stolen crypto funds on EVM chains, hop by hop, into a local SQLite graph.')
    .version(versionLine(), '-V, --version', 'print the version and the label data version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => writeErr(s), writeOut: (s) => writeOut(s, { kind: 'text' }) })
    .showHelpAfterError('(run with --help for usage)')
    // `--rpc $ETH_RPC_URL --hops 4` with the variable empty hands `--hops` to --rpc: caught before any action.
    .hook('preAction', (_program, action) => refuseOptionLikeValues(action));

  const trace = addTraceOptions(
    program
      .command('trace')
      .description('walk funds from seed addresses through transfers and flag every hop into a labelled venue'),
  )
    .addOption(priceTableOption())
    .addOption(
      new Option('--optimize <what>', 'what --strategy auto minimises: the time the RPC calls take, or the credits they cost in the price table')
        .choices(['time', 'credits'])
        .default('time'),
    );
  addFormatOptions(trace, 'trace')
    .addOption(outOption())
    .addOption(quietOption())
    .addOption(colorOption('no colour in the text report'))
    .action(async (addresses: string[], o: TraceCliOptions) => {
      await traceCommand(addresses, o);
    });

  program
    .command('demo')
    .description('trace the bundled demo chain (a replay of the Bybit laundering on a local anvil node)')
    .option('--db <path>', 'SQLite file for the demo graph (default: .hoptrace/demo.db; with --across-chains a new temporary file)')
    .option('--across-chains', 'instead: a synthetic laundering across three local chains (THORChain, Across, OP bridge, a Bitcoin exit)')
    .option('--json', 'print the JSON report')
    .addOption(quietOption())
    .addOption(colorOption())
    .action(async (o: { db?: string; acrossChains?: boolean; json?: boolean; quiet?: boolean; color: boolean }) => {
      if (o.acrossChains) await runAcrossChainsDemo(o, traceCommand);
      else await runDemo({ ...o, db: o.db ?? '.hoptrace/demo.db' }, traceCommand);
    });

  registerSeedsCommand(program);
  registerLabelsCommand(program);
  registerAnalysisCommands(program);
  registerDiffCommand(program);
  registerWatchCommand(program);
  registerStatsCommand(program);
  registerUpgradeCommand(program);
  return program;
}

function versionLine(): string {
  let data = 'unknown';
  try {
    data = labelDataVersion();
  } catch {
    /* shown as unknown: --version must work even with a damaged data folder */
  }
  return `hoptrace ${packageVersion()} (label data ${data})`;
}

/** Validates the options, runs the trace, prints the report. Exported for the demo command. */
export async function traceCommand(addresses: string[], o: TraceCliOptions): Promise<TraceResult> {
  // Everything the user typed is checked before a file is opened or a request sent.
  const format = chosenFormat('trace', o);
  if (o.out) outputTarget(o.out);
  const p = parseTraceOptions(addresses, o, { command: 'trace' });
  const priceTable = chosenPriceTable(o);
  const optimize = parseObjective(o.optimize ?? 'time');

  const progress = createProgress({ enabled: !o.quiet && process.stderr.isTTY === true });
  const session = await openTraceSession(p, o, progress);
  const { rpc, store } = session;
  try {
    const conn = await reachingRpc(() => connect(rpc, store, p.finalityDepth, session.chainId));
    if (session.labelChain === null) {
      progress.note(
        `chain ${conn.chainId} has no bundled labels of its own: only addresses labelled for every EVM chain apply (pass --labels-chain to choose).`,
      );
    }
    const result = await runTrace(session.context, conn, { ...p.request, seeds: session.seeds, optimize, priceTable });
    progress.done();
    // The report's JSON value, built once: the stored run, the manifest and every output share it.
    const json = toJsonValue(result);
    const run = recordRun(store, result, json); // hoptrace report / export read it back, without an RPC
    emitRun(format, { result, json, manifest: manifestOf(store, run, result, json), full: null }, o);
    // The run's credits: on a terminal, or when a table was asked for; `hoptrace stats` lists them by method.
    if (!o.quiet && (o.priceTable !== undefined || process.stderr.isTTY === true)) {
      writeErr(`hoptrace: ${creditsLine(priceCalls(callsByMethod(result.stats.rpcCalls), priceTable))} — by method: hoptrace stats\n`);
    }
    return result;
  } finally {
    progress.done();
    session.close();
  }
}

/** One line on stderr for any failure, and the exit code. */
function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed its message (usage errors); help and version exit 0.
    return err.exitCode === 0 ? 0 : 2;
  }
  // Messages may echo what the user typed or a node answered: the gate redacts URLs, escapes control
  // characters and bounds every line. What a node said is folded onto one line (an HTML page, a
  // multi-line error); our own messages keep their lines (an import lists its problems one per line).
  if (err instanceof HoptraceError) {
    writeErr(`hoptrace: ${fromNode(err) ? errorLine(err.message) : err.message}\n`);
    if (err.hint) writeErr(`  hint: ${errorLine(err.hint)}\n`);
    if (process.env.HOPTRACE_DEBUG) writeErr(`${err.stack}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  writeErr(`hoptrace: internal error: ${errorLine(message)}\n  hint: rerun with HOPTRACE_DEBUG=1 and report it\n`);
  if (process.env.HOPTRACE_DEBUG && err instanceof Error) writeErr(`${err.stack}\n`);
  return 1;
}

/** Whether the error, or one it wraps, carries a node's answer. */
function fromNode(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof RpcError || e instanceof InvalidResponseError) return true;
  }
  return false;
}

export type { Progress };
