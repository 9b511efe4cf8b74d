import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { pathsInStore, type FoundPath } from '../graph/index.js';
import { fullAddress } from '../report/address.js';
import { formatAssetAmount } from '../report/amount.js';
import type { RunView } from '../report/formats/index.js';
import { cleanText } from '../report/sanitize.js';
import { createRpcClient } from '../rpc/client.js';
import type { Store } from '../store/store.js';
import { NATIVE, type Address, type Asset, type Transfer } from '../types.js';
import { labelChainForChainId, nativeSymbol } from '../labels/chains.js';
import { noun, plural } from '../util/plural.js';
import { parseAddress } from '../util/address.js';
import { reportToVerify } from '../verify/shape.js';
import { nothingToVerify, verifyReport } from '../verify/verify.js';
import { parseCount } from './options.js';
import { checkNamedChain, planRpc, reachingRpc, rpcUrls } from './rpc.js';
import { getChainId } from '../rpc/actions/chainId.js';
import { assembleReport } from './runReport.js';
import { addFormatOptions, chosenFormat, colorOption, dbOption, emit, emitRun, formatNames, openStoreToRead, outOption, readReportFile, rpcOption, type FormatChoice } from './shared.js';

/**
 * `report`, `export`, `path` (from the database alone, no RPC) and `verify` (a report against a node).
 */
export function registerAnalysisCommands(program: Command): void {
  const report = program
    .command('report')
    .description(`render a stored trace run with value attribution: ${formatNames('report')} (no RPC)`)
    .addOption(dbOption())
    .option('--run <id>', 'which trace run (default: the latest; --list shows them)')
    .option('--list', 'list the trace runs the database holds');
  addFormatOptions(report, 'report')
    .addOption(outOption())
    .addOption(colorOption('no colour in the text report'))
    .action((o: { db: string; run?: string; list?: boolean; out?: string; color: boolean } & FormatChoice) => {
      const format = chosenFormat('report', o);
      withStore(o.db, (store) => {
        if (o.list) {
          const lines = store.runs
            .list()
            .map((r) => `${r.id}\t${r.createdAt}\tchain ${r.chainId}\tblocks ${r.fromBlock}-${r.toBlock}\t${plural(r.seeds.length, 'seed')}\t${String(r.params['direction'])}, ${String(r.params['hops'])} hops`);
          emit(lines.length === 0 ? 'no trace runs\n' : lines.join('\n') + '\n', 'text', o.out);
          return;
        }
        emitRun(format, runView(assembleReport(store, runId(o.run))), o);
      });
    });

  const exportCmd = program
    .command('export')
    .description(`write the traced graph of a run (seeds, hops, venues; evidence and taint as attributes): ${formatNames('export')}`)
    .addOption(dbOption())
    .option('--run <id>', 'which trace run (default: the latest)');
  addFormatOptions(exportCmd, 'export')
    .addOption(outOption())
    .action((o: { db: string; run?: string; out?: string } & FormatChoice) => {
      const format = chosenFormat('export', o);
      withStore(o.db, (store) => {
        emitRun(format, runView(assembleReport(store, runId(o.run))), { out: o.out });
      });
    });

  program
    .command('path')
    .description('shortest and all simple paths between two addresses in the stored graph (no RPC)')
    .argument('<from>', 'address the money left')
    .argument('<to>', 'address it reached')
    .addOption(dbOption())
    .option('--hops <n>', `longest path, in transfers (default: the most hops a stored trace run used, at least ${PATH_HOPS_DEFAULT})`)
    .option('--limit <n>', 'most paths listed', '50')
    .option('--json', 'print JSON')
    .action((fromArg: string, toArg: string, o: { db: string; hops?: string; limit: string; json?: boolean }) => {
      const from = parseAddress(fromArg, 'from address');
      const to = parseAddress(toArg, 'to address');
      const givenHops = o.hops === undefined ? undefined : parseCount(o.hops, '--hops', { min: 1, max: PATH_HOPS_MAX });
      const limit = parseCount(o.limit, '--limit', { min: 1 });
      withStore(o.db, (store) => {
        const runs = store.runs.list();
        const maxHops = givenHops ?? pathHopsDefault(runs);
        const r = pathsInStore(store, { fromBlock: 0, toBlock: Number.MAX_SAFE_INTEGER }, from, to, { maxHops, limit });
        const meta = storedAssetMeta(store, runs);
        const transferJson = (t: Transfer) => {
          const m = meta(t.asset);
          return { from: t.from, to: t.to, txHash: t.txHash, ref: t.ref, blockNumber: t.blockNumber, asset: t.asset, symbol: m.symbol, decimals: m.decimals, amount: t.amount.toString() };
        };
        if (o.json) {
          // Decimals and symbol as the text reads them, so that the JSON holds the figures the text prints.
          const pathJson = (p: FoundPath) => ({
            addresses: p.addresses,
            inTimeOrder: p.inTimeOrder?.map(transferJson) ?? null,
            transfersPerStep: p.steps.map((s) => s.length),
          });
          const byValue = r.byValue.map((b) => ({
            valueClass: b.valueClass,
            width: b.main?.width.toString() ?? null,
            path: b.main ? { addresses: b.main.addresses, transfers: b.main.transfers.map(transferJson) } : null,
            others: { count: b.others.count, total: b.others.total.toString(), truncated: b.others.truncated },
          }));
          emit(JSON.stringify({ from, to, maxHops, shortest: r.shortest && pathJson(r.shortest), byValue, paths: r.all.map(pathJson), truncated: r.truncated }, null, 2) + '\n', 'json');
          return;
        }
        const amount = (v: bigint, asset: Asset): string => {
          const m = meta(asset);
          return formatAssetAmount(v, m.decimals, m.symbol, asset) + (m.raw ? ` (${m.raw})` : '');
        };
        const step = (t: Transfer): string => `    ${amount(t.amount, t.asset)}  tx ${t.txHash} ${t.ref}  block ${t.blockNumber}`;
        const lines: string[] = [];
        if (!r.shortest && r.all.length === 0) lines.push(...noPath(store, from, to, maxHops));
        else {
          for (const b of r.byValue) {
            if (!b.main) continue;
            const unit = b.main.transfers[b.main.transfers.length - 1]!.asset;
            lines.push(`Main path by value (widest in time order, ${plural(b.main.transfers.length, 'transfer')}): every step carried at least ${amount(b.main.width, unit)}`);
            lines.push(`  ${b.main.addresses.map(fullAddress).join(' → ')}`, ...b.main.transfers.map(step));
            lines.push(`  ${b.others.count}${b.others.truncated ? '+' : ''} other listed ${noun(b.others.count, 'path')} in time order, widths summing to ${amount(b.others.total, unit)}`, '');
          }
          const shortest = r.shortest ? plural(r.shortest.addresses.length - 1, 'transfer') : '-';
          lines.push(`Shortest: ${shortest}. ${r.all.length}${r.truncated ? '+' : ''} simple ${noun(r.all.length, 'path')} of at most ${plural(maxHops, 'transfer')}, each with its earliest transfers in time order:`);
          for (const p of r.all) {
            lines.push('', `  ${p.addresses.map(fullAddress).join(' → ')}`);
            if (!p.inTimeOrder) lines.push('    not in time order: no choice of transfers passes the money on after it arrived');
            for (const t of p.inTimeOrder ?? []) lines.push(step(t));
          }
        }
        emit(lines.join('\n') + '\n', 'text');
      });
    });

  program
    .command('verify')
    .description('re-fetch every hop of a JSON report from a node: which hold, which do not and why (exit 1 if any fails)')
    .argument('<report>', 'a JSON report (hoptrace trace --json, or hoptrace report --format json)')
    .addOption(
      // Collected, not last-wins: a second endpoint is refused rather than silently replacing the first.
      rpcOption('JSON-RPC endpoint of one chain of the report, <chain>=<url> to name it'),
    )
    .option('--json', 'print the checks as JSON')
    .action(async (file: string, o: { rpc?: string[]; json?: boolean }) => {
      // `<chain>=<url>` as trace takes it: the chain is checked against the node's and the report's.
      const given = rpcUrls(o.rpc && o.rpc.length > 0 ? o.rpc : undefined);
      if (given.length > 1) {
        throw new UsageError(`verify checks one chain with one endpoint: ${given.length} --rpc were given.`, {
          hint: 'run verify once per chain of the report, each with that chain\'s --rpc',
        });
      }
      const plan = planRpc(given);
      const named = plan.named[0];
      const url = plan.bare[0] ?? named!.urls[0]!;
      const doc = readReportFile(file);
      const report = reportToVerify(doc, file);
      if (report.hits.every((h) => h.path.length === 0)) throw nothingToVerify(file);
      const rpc = createRpcClient({ url });
      // An endpoint that cannot be reached at all is a bad --rpc (exit 2), as for trace.
      if (named) checkNamedChain(named, rpc.endpoint, await reachingRpc(() => getChainId(rpc)));
      const r = await reachingRpc(() => verifyReport(report, rpc));
      if (r.checks.length === 0) {
        throw new UsageError(`no hop of ${file} is on chain ${r.chainId} (the node's): nothing was checked (${plural(r.notChecked, 'hop')} on other chains or across bridges).`, {
          hint: 'give the --rpc of a chain the hops of the report are on',
        });
      }
      if (o.json) emit(JSON.stringify(r, null, 2) + '\n', 'json');
      else {
        // The report is someone else's file: what it says (hashes, refs) is cleaned before it reaches a terminal.
        const lines = r.checks.map((c) => cleanText(`${c.ok ? 'holds ' : 'FAILS '} ${c.where}: tx ${c.txHash} ${c.ref} block ${c.blockNumber}${c.reason ? ` — ${c.reason}` : ''}`, 1000));
        lines.push('', `${r.checks.length - r.failed} of ${plural(r.checks.length, 'hop')} ${r.checks.length - r.failed === 1 ? 'holds' : 'hold'} on chain ${r.chainId} via ${r.endpoint}.`);
        if (r.notChecked > 0) {
          lines.push(`${plural(r.notChecked, 'hop')} on other chains or across bridges not checked here: verify again with the --rpc of each chain the report names.`);
        }
        emit(lines.join('\n') + '\n', 'text');
      }
      if (r.failed > 0) process.exitCode = 1;
    });
}

/** `path --hops` when no run was stored, and the least it defaults to. */
const PATH_HOPS_DEFAULT = 4;
const PATH_HOPS_MAX = 12;

/**
 * The default of `path --hops`: the most hops a stored run traced (a path the trace followed is never
 * longer), at least PATH_HOPS_DEFAULT. A fixed 4 found nothing right after the demo, whose venue is 5 out.
 */
function pathHopsDefault(runs: readonly { params: Record<string, unknown> }[]): number {
  const hops = runs.map((r) => r.params['hops']).filter((h): h is number => typeof h === 'number' && Number.isInteger(h));
  return Math.min(PATH_HOPS_MAX, Math.max(PATH_HOPS_DEFAULT, ...hops));
}

/** What `path` says when it finds nothing: what it searched, which end the database knows nothing of, what to try. */
function noPath(store: Store, from: Address, to: Address, maxHops: number): string[] {
  const all = { fromBlock: 0, toBlock: Number.MAX_SAFE_INTEGER };
  const sent = store.transfersOf(from, 'from', all.fromBlock, all.toBlock).length;
  const received = store.transfersOf(to, 'to', all.fromBlock, all.toBlock).length;
  const lines = [
    `No path from ${fullAddress(from)} to ${fullAddress(to)} of at most ${plural(maxHops, 'transfer')} among the ${plural(store.transferCount(), 'transfer')} stored in ${store.path}.`,
  ];
  if (sent === 0) lines.push(`The database holds no transfer sent by ${fullAddress(from)}: trace from it first (hoptrace trace ${fullAddress(from)} --db ${store.path}).`);
  if (received === 0) lines.push(`The database holds no transfer received by ${fullAddress(to)}: no trace has reached it yet.`);
  if (sent > 0 && received > 0) {
    lines.push(
      maxHops < PATH_HOPS_MAX
        ? `Try a longer path (--hops ${Math.min(PATH_HOPS_MAX, maxHops + 2)}), or trace further from ${fullAddress(from)} (hoptrace trace … --hops) so the database holds more of the chain.`
        : `Trace further from ${fullAddress(from)} (hoptrace trace … --hops) so the database holds more of the chain.`,
    );
  }
  return lines;
}

/**
 * Symbol and decimals of an asset as the store holds them, and why an amount is in raw units when it is:
 * the token did not answer, or no trace with this database read its metadata.
 */
function storedAssetMeta(
  store: Store,
  runs: readonly { id: number }[],
): (asset: Asset) => { symbol: string | null; decimals: number | null; raw: string | null } {
  const chainId = store.chainId();
  // The label chain of the latest run says what the native coin is called (a local node's chain id
  // names no chain: the demo is traced with --labels-chain ethereum, and its paths say ETH).
  const last = runs[runs.length - 1];
  const labelChain = last ? (JSON.parse(store.runs.get(last.id).result) as { labelChain?: string }).labelChain : undefined;
  const native = nativeSymbol(labelChain && labelChain !== 'evm' ? labelChain : chainId === null ? null : labelChainForChainId(chainId));
  return (asset) => {
    if (asset === NATIVE) return { symbol: native ?? 'native', decimals: 18, raw: null };
    const info = store.tokens.get(asset);
    if (!info) return { symbol: null, decimals: null, raw: 'raw units: no trace with this database read the token\'s decimals()' };
    return { symbol: info.symbol, decimals: info.decimals, raw: info.decimals === null ? 'raw units: the token did not answer decimals()' : null };
  };
}

/** `--run <id>` checked: a positive whole number, or undefined for the latest run. */
export function runId(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseCount(value, '--run', { min: 1 });
}

/** Runs `fn` on an existing database opened read-only (shared.ts openStoreToRead), then closes it; `stats` shares it. */
export function withStore(path: string, fn: (store: Store) => void): void {
  const store = openStoreToRead(path);
  try {
    fn(store);
  } finally {
    store.close();
  }
}

/** A stored run as the formats see it: its report, the JSON value built once with its manifest, the attribution. */
function runView(r: ReturnType<typeof assembleReport>): RunView {
  return { result: r.result, json: r.json, manifest: r.manifest, full: r };
}
