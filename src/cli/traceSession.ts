/**
 * What `trace` and `watch` share once their options are parsed: the options checked (parseTraceOptions),
 * then the endpoint reached, the seeds resolved and the database opened (openTraceSession).
 */
import { UsageError } from '../errors.js';
import { checkLabelChain, labelChainForChainId, nativeSymbol } from '../labels/chains.js';
import { labelDataVersion, loadLabelBook } from '../labels/load.js';
import { overlayUserLabels } from '../labels/overlay.js';
import { resolveSeedList, seedBook } from '../labels/seeds.js';
import { filterByTier, parseTierFilter } from '../labels/tiers.js';
import { getChainId } from '../rpc/actions/chainId.js';
import { createRpcClient, type RpcClient } from '../rpc/client.js';
import { checkSameChain, createRpcPool } from '../rpc/pool.js';
import { createStore, type Store } from '../store/store.js';
import type { TraceContext, TraceRequest, TraceSeed } from '../trace/run.js';
import type { SeedTier } from '../types.js';
import { parseAddress } from '../util/address.js';
import { packageVersion } from '../util/package.js';
import { parseBlock, parseCount, parseDate, parseDirection, parseMinValues, parseStrategy } from './options.js';
import type { Progress } from './progress.js';
import { reachingRpc, rpcUrls } from './rpc.js';

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

/** A trace's options, checked: what the user typed, before a file is opened or a request sent. */
export interface ParsedTrace {
  explicit: string[];
  urls: string[];
  /** The request without its seeds (resolved by openTraceSession with the chain's seed list). */
  request: Omit<TraceRequest, 'seeds'>;
  finalityDepth: number;
  concurrency: number;
  rps: number;
  timeoutMs: number;
  tiers: readonly SeedTier[] | undefined;
}

/**
 * Checks the options `trace` and `watch` share (cli/shared.ts addTraceOptions). `seedsOptional`: the
 * seeds may come from elsewhere (`watch --run`).
 */
export function parseTraceOptions(
  addresses: string[],
  o: Omit<TraceCliOptions, 'format' | 'json' | 'ndjson' | 'out' | 'color' | 'priceTable'>,
  how: { command: 'trace' | 'watch'; seedsOptional?: boolean },
): ParsedTrace {
  const explicit = addresses.map((a) => parseAddress(a, 'seed address'));
  if (explicit.length === 0 && !o.seeds && !how.seedsOptional) {
    throw new UsageError('no seeds: give one or more addresses, or --seeds <list>.', {
      hint: `for example: hoptrace ${how.command} 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 --rpc $ETH_RPC_URL`,
    });
  }
  const urls = rpcUrls(o.rpc);
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
  return {
    explicit,
    urls,
    request: { direction, hops, fromBlock, toBlock, since, until, minValue, fanOutCap, maxAddresses, stopAtLabels: o.stopAtLabels, strategy, maxScanBlocks },
    finalityDepth,
    concurrency,
    rps,
    timeoutMs,
    tiers,
  };
}

/** A trace's endpoint reached, its seeds resolved and its database open, with the context runTrace takes. */
export interface TraceSession {
  rpc: RpcClient;
  store: Store;
  chainId: number;
  labelChain: string | null;
  seeds: TraceSeed[];
  context: TraceContext;
}

/**
 * Reaches the endpoint (its chain id), resolves the seeds and opens the database: in that order, so a
 * wrong --rpc or an unknown seed list leaves no new file behind. The caller closes `store`.
 */
export async function openTraceSession(
  p: ParsedTrace,
  o: Pick<TraceCliOptions, 'labelsChain' | 'seeds' | 'tier' | 'db'>,
  progress: Progress,
): Promise<TraceSession> {
  const urls = p.urls;
  // With several endpoints, each gives up sooner: the pool moves the request to another one instead.
  const clients = urls.map((url) =>
    createRpcClient({ url, concurrency: p.concurrency, rps: p.rps, timeoutMs: p.timeoutMs, alsoSecret: urls, ...(urls.length > 1 ? { maxRetries: 2 } : {}) }),
  );
  const rpc = createRpcPool(clients);
  // The endpoint answers before the database is opened: a wrong or unreachable --rpc must not leave a new,
  // empty database file behind. With several endpoints their chain ids are read once, here.
  const chainId = await reachingRpc(async () => (await checkSameChain(rpc, getChainId)) ?? (await getChainId(rpc)));
  // The seed list is resolved before the database is created too: an unknown list or tier is bad input,
  // and bad input leaves no file behind.
  const labelChain = o.labelsChain ?? labelChainForChainId(chainId);
  const seeds = collectSeeds(p.explicit, o.seeds, labelChain, p.tiers, o.tier);
  const store = createStore(o.db, { onNote: (m) => progress.note(m) });
  try {
    // The user's labels in this database override the bundled ones (hoptrace labels add / import).
    const labels = overlayUserLabels(loadLabelBook(labelChain), store.userLabels.all());
    const context: TraceContext = {
      rpc,
      store,
      labels,
      // The whole seed list, whatever seeds this run starts from: reached, an address on it is a finding.
      seedList: seedBook(labelChain),
      labelData: { dataVersion: labelDataVersion(), userLabels: labels.userLabels },
      labelChain: labelChain ?? 'evm',
      nativeSymbol: nativeSymbol(labelChain) ?? 'native',
      version: packageVersion(),
      onProgress: (m) => progress.update(m),
    };
    return { rpc, store, chainId, labelChain, seeds, context };
  } catch (err) {
    store.close();
    throw err;
  }
}

function collectSeeds(
  explicit: string[],
  list: string | undefined,
  labelChain: string | null,
  tiers: readonly SeedTier[] | undefined,
  tierName: string | undefined,
): TraceSeed[] {
  const out = new Map<string, TraceSeed>();
  for (const address of explicit) out.set(address, { address });
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

