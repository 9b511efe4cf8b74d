/**
 * What several commands share, defined once: the options (`--db`, `--rpc`, `-q`, `--no-color`, `-o`,
 * `--format` with its `--json` / `--ndjson` aliases), the choice of an output format from the format table
 * (report/formats/), the colour decision, where an output goes (stdout or an `-o` file), an existing
 * database opened, and a JSON report file read back (`verify`, `diff`).
 */
import { Option, type Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { findFormat, formatsOf, renderRun, type FormatCommand, type OutputFormat, type RenderContext, type RunView } from '../report/formats/index.js';
import type { PriceTable } from '../rpc/price.js';
import { DEFAULT_PRICE_TABLE, readPriceTable } from '../rpc/priceFile.js';
import { createStore, type Store } from '../store/store.js';
import { gateOut, quoteOutside, writeErr, writeOut, writeOutputFile, type OutKind } from './output.js';

/** `--db <path>`: $HOPTRACE_DB, else hoptrace.db (the demo keeps its own file: `fallback`). */
export function dbOption(description = 'SQLite file the graph is kept in', fallback?: string): Option {
  return new Option('--db <path>', description).default(fallback ?? process.env.HOPTRACE_DB ?? 'hoptrace.db');
}

/**
 * `--rpc <url>`, collected (every command that takes it decides what several mean: a failover pool,
 * `<chain>=<url>` naming another chain of a cross-chain trace — cli/rpc.ts planRpc — or a refusal).
 */
export function rpcOption(description: string): Option {
  return new Option('--rpc <url>', description).argParser(collect).default([], '$HOPTRACE_RPC_URL or $ETH_RPC_URL');
}

/** `-q, --quiet`. */
export function quietOption(): Option {
  return new Option('-q, --quiet', 'no progress on stderr');
}

/** `--no-color` (see outputStyle for the rest of the decision). */
export function colorOption(description = 'no colour'): Option {
  return new Option('--no-color', description);
}

/** `-o, --out <file>`: written whole or not at all (output.ts writeOutputFile). */
export function outOption(): Option {
  return new Option('-o, --out <file>', 'write to a file instead of stdout');
}

/** `--price-table <file>`: the credits per method calls are priced in (default: the bundled table). */
export function priceTableOption(): Option {
  return new Option('--price-table <file>', `price the RPC calls in this table (JSON or CSV: method,credits; default: data/price-tables/${DEFAULT_PRICE_TABLE})`);
}

/** The table `--price-table` names, checked (one sentence and exit 2 for a bad file), or the bundled one. */
export function chosenPriceTable(o: { priceTable?: string }): PriceTable {
  return readPriceTable(o.priceTable);
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The options of a command that prints a run in a format of the table. */
export interface FormatChoice {
  format?: string;
  json?: boolean;
  ndjson?: boolean;
}

/** Formats with an option of their own (`--json`), added to a command that offers the format. */
const ALIASES = ['json', 'ndjson'] as const;

/**
 * Adds `--format <name>` to `cmd` with the formats `command` offers (listed in --help from the table, the
 * default first), and the `--json` / `--ndjson` aliases of those it offers.
 */
export function addFormatOptions(cmd: Command, command: FormatCommand): Command {
  const formats = formatsOf(command);
  const list = formats.map((f) => `${f.name} (${f.summary})`).join(', ');
  cmd.addOption(new Option('--format <name>', `output format: ${list}; default ${formats[0]!.name}`));
  for (const name of ALIASES) {
    const f = formats.find((x) => x.name === name);
    if (f) cmd.addOption(new Option(`--${name}`, `${f.summary} (= --format ${name})`));
  }
  return cmd;
}

/**
 * The format asked for: `--format`, or an alias, or the command's default. Unknown or contradictory
 * choices are one sentence (exit 2), decided before any file is opened or request sent.
 */
export function chosenFormat(command: FormatCommand, o: FormatChoice): OutputFormat {
  if (o.json && o.ndjson) throw new UsageError('--json and --ndjson cannot be used together.');
  const alias = o.json ? 'json' : o.ndjson ? 'ndjson' : undefined;
  if (alias !== undefined && o.format !== undefined && o.format !== alias) {
    throw new UsageError(`--${alias} and --format ${o.format} cannot be used together.`);
  }
  const formats = formatsOf(command);
  const name = alias ?? o.format ?? formats[0]!.name;
  const found = findFormat(command, name);
  if (found === undefined) throw new UsageError(`--format "${name}" is not a format of hoptrace ${command}: use ${formatNames(command)}.`);
  return found;
}

/** The formats of `command` in words, from the table: `gexf, graphml, dot or csv`. */
export function formatNames(command: FormatCommand): string {
  const names = formatsOf(command).map((f) => f.name);
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * The colour decision, made here only, and the width to wrap to: no colour into a file or with
 * --no-color; else none with NO_COLOR set (non-empty); else FORCE_COLOR decides when set (0 or false:
 * none; any other value: colour, even through a pipe); else colour on a terminal. Every renderer is handed the result.
 */
export function outputStyle(
  o: { color?: boolean; out?: string },
  env: NodeJS.ProcessEnv = process.env,
  stdout: { isTTY?: boolean; columns?: number } = process.stdout,
): RenderContext {
  const terminal = !o.out && stdout.isTTY === true;
  const forced = env.FORCE_COLOR === undefined ? undefined : !/^(0|false)$/i.test(env.FORCE_COLOR);
  const color = o.color !== false && !o.out && !env.NO_COLOR && (forced ?? terminal);
  return terminal ? { color, width: stdout.columns } : { color };
}

/** Prints one run in `format` to stdout or the `-o` file, with the colour decided once (outputStyle). */
export function emitRun(format: OutputFormat, run: RunView, o: { color?: boolean; out?: string }): void {
  const style = outputStyle(o);
  emit(renderRun(format, run, style), format.output, o.out, style.color && format.color);
}

/** To the `-o` file (whole or not at all), else to stdout; both through the output gate (cli/output.ts). */
export function emit(text: string, kind: OutKind, out?: string, color = false): void {
  if (out) writeOutputFile(out, gateOut(text, kind, { color: false, tty: false }));
  else writeOut(text, { kind, color });
}

/**
 * The options of a trace, shared by `trace` and `watch`: the seeds, the endpoint and database, the walk's
 * rules and the RPC budget. `watch` follows the head, so it has no `--to-block` / `--until`
 * (`o.followsHead`).
 */
export function addTraceOptions(cmd: Command, o: { followsHead?: boolean } = {}): Command {
  cmd
    .argument('[addresses...]', 'seed addresses (0x…, EIP-55 checksum checked when mixed case)')
    .option('--seeds <name>', 'add a bundled seed list: lazarus, all, or an incident (bybit, ronin, …)')
    .option('--tier <tier>', 'with --seeds: only seeds of this attribution tier (official, official:OFAC, official:FBI, label:Etherscan, researcher)')
    .addOption(
      rpcOption(
        o.followsHead
          ? 'JSON-RPC endpoint of the watched chain; repeat for failover across endpoints (one chain: <chain>=<url> may name it)'
          : 'JSON-RPC endpoint; repeat for failover across endpoints; <chain>=<url> (ethereum=…, bsc=…, 56=…) adds a chain the trace follows bridges into',
      ),
    )
    .addOption(dbOption())
    .option('--hops <n>', 'how many transfers away from a seed to follow', '4')
    .addOption(new Option('--direction <dir>', 'out: where the money went; in: where it came from').choices(['out', 'in', 'both']).default('out'))
    .option('--from-block <n>', 'first block to consider');
  if (!o.followsHead) cmd.option('--to-block <n>', 'last block to consider (default: the head)');
  cmd.option('--since <date>', 'first day to consider (YYYY-MM-DD UTC, or ISO date-time)');
  if (!o.followsHead) cmd.option('--until <date>', 'last day to consider, inclusive');
  return cmd
    .option('--min-value <amount>', 'ignore smaller transfers: 0.5 (native coin) or <token>=<amount>; repeatable', collect, [])
    .option('--fan-out <n>', 'an address paying more counterparties than this is a hub: reported, not followed', '50')
    .option('--max-addresses <n>', 'most addresses followed per direction; the report says how many more were reached', '10000')
    .option('--no-stop-at-labels', 'keep following funds past labelled venues')
    .option('--labels-chain <name>', 'which chain\'s labels apply (default: from the chain id), e.g. ethereum')
    .addOption(
      new Option('--strategy <s>', 'per-address queries, queries by address set, or whole-block scans (auto: the cheapest)').choices(['auto', 'address', 'block', 'set']).default('auto'),
    )
    .option('--max-scan-blocks <n>', 'longest block scan allowed when the node has no trace_filter', '100000')
    .option('--finality-depth <n>', 'blocks behind the head that can still be reorganised', '64')
    .option('--concurrency <n>', 'RPC requests in flight', '8')
    .option('--rps <n>', 'initial requests per second (adapts to throttling)', '25')
    .option('--timeout <ms>', 'per-request timeout', '30000');
}

/**
 * Refuses a --db that does not exist (a command that reads or upgrades a database must not start a new,
 * empty one). `hint`: what the user could give instead.
 */
export function requireDatabase(path: string, hint = 'pass --db with the file hoptrace trace wrote'): void {
  if (!existsSync(path)) throw new UsageError(`database ${path} does not exist.`, { hint });
}

/**
 * An existing database (requireDatabase) opened read-only: a database on a read-only mount, or another
 * user's, can be reported on; nothing is written (so no repair either: store/repair.ts runs on the next
 * writable open). A note goes to stderr, never stdout. The caller closes it.
 */
export function openStoreToRead(path: string, hint?: string): Store {
  requireDatabase(path, hint);
  return createStore(path, { readonly: true, onNote: (m) => writeErr(`hoptrace: ${m}\n`) });
}

/**
 * A JSON report file (`trace --json`, `report --format json`) read and parsed, as `verify` and `diff`
 * take it: a missing file, one that cannot be read (a directory, no permission) and one that is not JSON
 * are each one sentence (exit 2). `missing`: the caller's words for a file that is not there.
 */
export function readReportFile(file: string, missing: { message: string; hint?: string } = { message: `report ${file} does not exist.` }): unknown {
  if (!existsSync(file)) throw new UsageError(missing.message, { hint: missing.hint });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`report ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? quoteOutside((err as Error).message)}).`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${file} is not JSON (${quoteOutside((err as Error).message)}).`);
  }
}
