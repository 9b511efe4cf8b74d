import { Command, CommanderError, Option } from 'commander';
import { HoptraceError, InvalidResponseError, RpcError, UsageError } from '../errors.js';
import { checkLabelChain, labelChainForChainId, nativeSymbol } from '../labels/chains.js';
import { labelDataVersion, loadLabelBook } from '../labels/load.js';
import { overlayUserLabels } from '../labels/overlay.js';
import { resolveSeedList, seedBook } from '../labels/seeds.js';
import { filterByTier, parseTierFilter } from '../labels/tiers.js';
import { toJsonValue } from '../report/json.js';
import { getChainId } from '../rpc/actions/chainId.js';
import { createRpcClient } from '../rpc/client.js';
import { checkSameChain, createRpcPool } from '../rpc/pool.js';
import type { SeedTier } from '../types.js';
import { connect, runTrace, type TraceSeed } from '../trace/run.js';
import type { TraceResult } from '../trace/result.js';
import { packageVersion } from '../util/package.js';
import { parseBlock, parseCount, parseDate, parseDirection, parseMinValues, parseStrategy, refuseOptionLikeValues } from './options.js';
import { errorLine, outputTarget, writeErr, writeOut } from './output.js';
import { createProgress, type Progress } from './progress.js';
import { parseSeedArg, planRpc, reachingRpc, rpcUrls } from './rpc.js';
import { loadBridgeRegistry } from '../bridges/registry.js';
import type { RpcPool } from '../rpc/pool.js';
import { createStore, type Store } from '../store/store.js';
import type { ChainContext } from '../trace/run.js';
import { runDemo } from './demo.js';
import { registerLabelsCommand } from './labels.js';
import { registerSeedsCommand } from './seeds.js';
import { registerAnalysisCommands } from './analysis.js';
import { manifestOf, recordRun } from './runReport.js';
import { addFormatOptions, chosenFormat, chosenPriceTable, collect, colorOption, dbOption, emitRun, outOption, priceTableOption, quietOption, rpcOption } from './shared.js';
import { registerStatsCommand } from './stats.js';
import { registerUpgradeCommand } from './upgrade.js';
import { creditsLine } from '../report/price.js';
import { callsByMethod, priceCalls } from '../rpc/price.js';

/** Options of `trace` as commander hands them over (strings, before validation). */
export interface TraceCliOptions {
  /** One endpoint, or several (`--rpc` repeated: failover and a rate budget per endpoint, rpc/pool.ts). */
  rpc?: string | string[];
  db: string;
  seeds?: string;
  /** With --seeds: only seeds of this attribution tier (labels/tiers.ts). */
  tier?: string;
  hops: string;
  direction: string;
  fromBlock?: string;
  toBlock?: string;
  since?: string;
  until?: string;
  minValue: string[];
  fanOut: string;
  maxAddresses: string;
  stopAtLabels: boolean;
  labelsChain?: string;
  strategy: string;
  maxScanBlocks: string;
  finalityDepth: string;
  concurrency: string;
  rps: string;
  timeout: string;
  /** The output: `--format`, or its aliases `--json` / `--ndjson` (cli/shared.ts chosenFormat). */
  format?: string;
  json?: boolean;
  ndjson?: boolean;
  out?: string;
  quiet?: boolean;
  color: boolean;
  /** `--price-table`: the run's calls priced in it, one line on stderr (cli/shared.ts). */
  priceTable?: string;
}

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

  const trace = program
    .command('trace')
    .description('walk funds from seed addresses through transfers and flag every hop into a labelled venue')
    .argument('[addresses...]', 'seed addresses (0x…, EIP-55 checksum checked when mixed case)')
    .option('--seeds <name>', 'add a bundled seed list: lazarus, all, or an incident (bybit, ronin, …)')
    .option('--tier <tier>', 'with --seeds: only seeds of this attribution tier (official, official:OFAC, official:FBI, label:Etherscan, researcher)')
    .addOption(rpcOption({ repeatable: true }))
    .addOption(dbOption())
    .option('--hops <n>', 'how many transfers away from a seed to follow', '4')
    .addOption(new Option('--direction <dir>', 'out: where the money went; in: where it came from').choices(['out', 'in', 'both']).default('out'))
    .option('--from-block <n>', 'first block to consider')
    .option('--to-block <n>', 'last block to consider (default: the head)')
    .option('--since <date>', 'first day to consider (YYYY-MM-DD UTC, or ISO date-time)')
    .option('--until <date>', 'last day to consider, inclusive')
    .option('--min-value <amount>', 'ignore smaller transfers: 0.5 (native coin) or <token>=<amount>; repeatable', collect, [])
    .option('--fan-out <n>', 'an address paying more counterparties than this is a hub: reported, not followed', '50')
    .option('--max-addresses <n>', 'most addresses followed per direction; the report says how many more were reached', '10000')
    .option('--no-stop-at-labels', 'keep following funds past labelled venues')
    .option('--labels-chain <name>', 'which chain\'s labels apply (default: from the chain id), e.g. ethereum')
    .addOption(new Option('--strategy <s>', 'per-address queries or whole-block scans').choices(['auto', 'address', 'block']).default('auto'))
    .option('--max-scan-blocks <n>', 'longest block scan allowed when the node has no trace_filter', '100000')
    .option('--finality-depth <n>', 'blocks behind the head that can still be reorganised', '64')
    .option('--concurrency <n>', 'RPC requests in flight', '8')
    .option('--rps <n>', 'initial requests per second (adapts to throttling)', '25')
    .option('--timeout <ms>', 'per-request timeout', '30000')
    .addOption(priceTableOption());
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
    .addOption(dbOption('SQLite file for the demo graph', '.hoptrace/demo.db'))
    .option('--json', 'print the JSON report')
    .addOption(quietOption())
    .addOption(colorOption())
    .action(async (o: { db: string; json?: boolean; quiet?: boolean; color: boolean }) => {
      await runDemo(o, traceCommand);
    });

  registerSeedsCommand(program);
  registerLabelsCommand(program);
  registerAnalysisCommands(program);
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
  const typed = addresses.map((a) => parseSeedArg(a));
  const format = chosenFormat('trace', o);
  if (o.out) outputTarget(o.out);
  if (typed.length === 0 && !o.seeds) {
    throw new UsageError('no seeds: give one or more addresses, or --seeds <list>.', {
      hint: 'for example: hoptrace trace 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 --rpc $ETH_RPC_URL',
    });
  }
  const plan = planRpc(rpcUrls(o.rpc));
  const hops = parseCount(o.hops, '--hops', { min: 1, max: 64 });
  const direction = parseDirection(o.direction);
  const fromBlock = o.fromBlock === undefined ? undefined : parseBlock(o.fromBlock, '--from-block');
  const toBlock = o.toBlock === undefined ? undefined : parseBlock(o.toBlock, '--to-block');
  if (fromBlock !== undefined && toBlock !== undefined && fromBlock > toBlock) {
    throw new UsageError(`the block range is reversed: --from-block ${fromBlock} is after --to-block ${toBlock}.`);
  }
  const since = o.since === undefined ? undefined : parseDate(o.since, '--since');
  const until = o.until === undefined ? undefined : parseDate(o.until, '--until') + (/^\d{4}-\d{2}-\d{2}$/.test(o.until.trim()) ? 86_399 : 0);
  if (since !== undefined && since * 1000 > Date.now()) throw new UsageError(`--since ${o.since} is in the future.`);
  if (since !== undefined && until !== undefined && since > until) {
    throw new UsageError(`the date range is reversed: --since ${o.since} is after --until ${o.until}.`);
  }
  const minValue = parseMinValues(o.minValue);
  const fanOutCap = parseCount(o.fanOut, '--fan-out', { min: 1 });
  const maxAddresses = parseCount(o.maxAddresses, '--max-addresses', { min: 1 });
  const strategy = parseStrategy(o.strategy);
  const maxScanBlocks = parseCount(o.maxScanBlocks, '--max-scan-blocks');
  const finalityDepth = parseCount(o.finalityDepth, '--finality-depth');
  const concurrency = parseCount(o.concurrency, '--concurrency', { min: 1, max: 256 });
  const rps = parseCount(o.rps, '--rps', { min: 1 });
  const timeoutMs = parseCount(o.timeout, '--timeout', { min: 100 });
  if (o.labelsChain !== undefined) checkLabelChain(o.labelsChain);
  if (o.tier !== undefined && !o.seeds) throw new UsageError('--tier filters a seed list: give --seeds <list> with it.');
  const tiers = o.tier === undefined ? undefined : parseTierFilter(o.tier);
  const priceTable = chosenPriceTable(o);

  const progress = createProgress({ enabled: !o.quiet && process.stderr.isTTY === true });
  // With several endpoints, each gives up sooner: the pool moves the request to another one instead.
  const poolOf = (urls: readonly string[]): RpcPool => {
    const clients = urls.map((url) => createRpcClient({ url, concurrency, rps, timeoutMs, alsoSecret: urls, ...(urls.length > 1 ? { maxRetries: 2 } : {}) }));
    return createRpcPool(clients);
  };
  // The endpoints answer before the database is opened: a wrong or unreachable --rpc must not leave a new,
  // empty database file behind. With several endpoints per chain their chain ids are read once, here.
  const chainOf = (pool: RpcPool): Promise<number> => reachingRpc(async () => (await checkSameChain(pool, getChainId)) ?? (await getChainId(pool)));
  const others: { chainId: number; rpc: RpcPool }[] = [];
  for (const n of plan.named) {
    const pool = poolOf(n.urls);
    const served = await chainOf(pool);
    if (served !== n.chainId) {
      throw new UsageError(`--rpc ${n.name}=${pool.endpoint} serves chain ${served}, not ${n.name} (chain ${n.chainId}).`, {
        hint: 'name each endpoint by the chain it serves, or give its chain id (--rpc <chain id>=<url>)',
      });
    }
    others.push({ chainId: served, rpc: pool });
  }
  // The home chain: the bare URLs' (as before), else the first chain named.
  const rpc = plan.bare.length > 0 ? poolOf(plan.bare) : others.shift()!.rpc;
  const chainId = plan.bare.length > 0 ? await chainOf(rpc) : (plan.named[0]!.chainId);
  const extra = others.filter((x) => x.chainId !== chainId);
  if (extra.length !== others.length) {
    throw new UsageError(`--rpc names chain ${chainId}, which the bare --rpc URL already serves: give that chain's endpoints the same way.`);
  }
  const chainIds = new Set([chainId, ...extra.map((x) => x.chainId)]);
  const seedArgs = addresses.map((a) => parseSeedArg(a, chainIds));
  // The seed list is resolved before the database is created too: an unknown list or tier is bad input,
  // and bad input leaves no file behind.
  const labelChain = o.labelsChain ?? labelChainForChainId(chainId);
  const seeds = collectSeeds(seedArgs, o.seeds, labelChain, tiers, o.tier);
  const bridges = loadBridgeRegistry();
  let store = createStore(o.db, { onNote: (m) => progress.note(m) });
  const stores: Store[] = [store];
  try {
    // One database holds every chain: a run that names chains may start from another chain than the
    // one the file was first bound to.
    const held = store.chainId();
    if (extra.length > 0 && held !== null && held !== chainId) {
      store.close();
      stores.length = 0;
      store = createStore(o.db, { repair: false, chainId });
      stores.push(store);
    }
    const conn = await reachingRpc(() => connect(rpc, store, finalityDepth, chainId));
    if (labelChain === null) {
      progress.note(
        `chain ${conn.chainId} has no bundled labels of its own: only addresses labelled for every EVM chain apply (pass --labels-chain to choose).`,
      );
    }
    // The user's labels in this database override the bundled ones (hoptrace labels add / import).
    const labels = overlayUserLabels(loadLabelBook(labelChain), store.userLabels.all());
    const chains: ChainContext[] = [];
    let otherUserLabels = 0;
    for (const x of extra) {
      const s = createStore(o.db, { repair: false, ...(x.chainId === store.chainId() || x.chainId === held ? {} : { chainId: x.chainId }) });
      stores.push(s);
      const c = await reachingRpc(() => connect(x.rpc, s, finalityDepth, x.chainId));
      const lc = labelChainForChainId(x.chainId);
      const book = overlayUserLabels(loadLabelBook(lc), s.userLabels.all());
      otherUserLabels += book.userLabels;
      chains.push({
        rpc: x.rpc,
        store: s,
        conn: c,
        labels: book,
        seedList: seedBook(lc),
        labelChain: lc ?? 'evm',
        nativeSymbol: nativeSymbol(lc) ?? 'native',
      });
    }
    const result = await runTrace(
      {
        rpc,
        store,
        labels,
        // The whole seed list, whatever seeds this run starts from: reached, an address on it is a finding.
        seedList: seedBook(labelChain),
        // User labels applied on every chain of the run.
        labelData: { dataVersion: labelDataVersion(), userLabels: labels.userLabels + otherUserLabels },
        labelChain: labelChain ?? 'evm',
        nativeSymbol: nativeSymbol(labelChain) ?? 'native',
        version: packageVersion(),
        onProgress: (m) => progress.update(m),
        bridges,
        chains,
      },
      conn,
      { seeds, direction, hops, fromBlock, toBlock, since, until, minValue, fanOutCap, maxAddresses, stopAtLabels: o.stopAtLabels, strategy, maxScanBlocks },
    );
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
    for (const s of stores) s.close();
  }
}

function collectSeeds(
  explicit: readonly { address: string; chainId?: number }[],
  list: string | undefined,
  labelChain: string | null,
  tiers: readonly SeedTier[] | undefined,
  tierName: string | undefined,
): TraceSeed[] {
  const out = new Map<string, TraceSeed>();
  for (const { address, chainId } of explicit) out.set(address, chainId === undefined ? { address } : { address, chainId });
  if (list) {
    let listed = resolveSeedList(list, labelChain);
    if (tiers !== undefined) {
      listed = filterByTier(listed, tiers);
      if (listed.length === 0) {
        throw new UsageError(`no seeds of "${list}" with tier ${tierName} apply on ${labelChain ?? 'this chain'}.`, {
          hint: 'hoptrace seeds --incident <name> lists the seeds with their tiers',
        });
      }
    }
    for (const s of listed) {
      if (!out.has(s.address)) {
        out.set(s.address, { address: s.address, label: s.label, incident: s.incident, tier: s.tier, source: s.source });
      }
    }
  }
  return [...out.values()];
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
