/**
 * What `trace` and `watch` share once their options are parsed: the options checked (parseTraceOptions),
 * then the endpoint reached, the seeds resolved and the database opened (openTraceSession).
 */
import { UsageError } from '../errors.js';
import { checkLabelChain, labelChainForChainId, nativeSymbol } from '../labels/chains.js';
import { labelDataVersion } from '../labels/load.js';
import { chainBooks } from '../labels/chainBooks.js';
import { resolveSeedList } from '../labels/seeds.js';
import { filterByTier, parseTierFilter } from '../labels/tiers.js';
import { getChainId } from '../rpc/actions/chainId.js';
import { createRpcClient, type RpcClient } from '../rpc/client.js';
import { checkSameChain, createRpcPool } from '../rpc/pool.js';
import type { RpcPool } from '../rpc/pool.js';
import { loadBridgeRegistry } from '../bridges/registry.js';
import { createStore, type Store } from '../store/store.js';
import { connect, type ChainContext, type TraceContext, type TraceRequest, type TraceSeed } from '../trace/run.js';
import type { SeedTier } from '../types.js';
import { packageVersion } from '../util/package.js';
import { MAX_TIMER_MS, parseBlock, parseCount, parseDate, parseDirection, parseMinValues, parseStrategy } from './options.js';
import type { Progress } from './progress.js';
import { checkNamedChain, parseSeedArg, planRpc, reachingRpc, rpcUrls, type RpcPlan } from './rpc.js';

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
  /** `--optimize time|credits` (trace only): what the planner's auto minimises. */
  optimize?: string;
}

/** A trace's options, checked: what the user typed, before a file is opened or a request sent. */
export interface ParsedTrace {
  /** The seeds as typed (`0x…`, or `<chain>:0x…` on another chain of the run), each checked once. */
  explicit: string[];
  /** Every --rpc URL (secrets: registered before anything can print them). */
  urls: string[];
  /** The URLs split per chain: bare ones are the home chain's, `name=URL` another chain's (cli/rpc.ts). */
  plan: RpcPlan;
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
  o: Omit<TraceCliOptions, 'format' | 'json' | 'ndjson' | 'out' | 'color' | 'priceTable' | 'optimize'>,
  how: { command: 'trace' | 'watch'; seedsOptional?: boolean },
): ParsedTrace {
  for (const a of addresses) parseSeedArg(a); // each seed checked now; its chain once the endpoints answered
  const explicit = addresses;
  if (explicit.length === 0 && !o.seeds && !how.seedsOptional) {
    throw new UsageError('no seeds: give one or more addresses, or --seeds <list>.', {
      hint: `for example: hoptrace ${how.command} 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 --rpc $ETH_RPC_URL`,
    });
  }
  const urls = rpcUrls(o.rpc);
  const plan = planRpc(urls);
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
  const timeoutMs = parseCount(o.timeout, '--timeout', { min: 100, max: MAX_TIMER_MS });
  if (o.labelsChain !== undefined) checkLabelChain(o.labelsChain);
  if (o.tier !== undefined && !o.seeds) throw new UsageError('--tier filters a seed list: give --seeds <list> with it.');
  const tiers = o.tier === undefined ? undefined : parseTierFilter(o.tier);
  return {
    explicit,
    urls,
    plan,
    request: { direction, hops, fromBlock, toBlock, since, until, minValue, fanOutCap, maxAddresses, stopAtLabels: o.stopAtLabels, strategy, maxScanBlocks },
    finalityDepth,
    concurrency,
    rps,
    timeoutMs,
    tiers,
  };
}

/** A trace's endpoints reached, its seeds resolved and its database open, with the context runTrace takes. */
export interface TraceSession {
  /** The home chain's endpoint (pool). */
  rpc: RpcClient;
  /** The home chain's handle on the database; `close()` closes it and every other chain's. */
  store: Store;
  chainId: number;
  labelChain: string | null;
  seeds: TraceSeed[];
  context: TraceContext;
  close(): void;
}

/**
 * Reaches the endpoints (each chain's id probed: a named endpoint must serve the chain it is named
 * for), resolves the seeds and opens the database: in that order, so a wrong --rpc or an unknown seed
 * list leaves no new file behind. Every other chain of the run gets its own handle on the same file
 * and is connected here; the caller connects the home chain (its reorg reconciliation is its own) and
 * calls `close()`.
 */
export async function openTraceSession(
  p: ParsedTrace,
  o: Pick<TraceCliOptions, 'labelsChain' | 'seeds' | 'tier' | 'db'>,
  progress: Progress,
): Promise<TraceSession> {
  const urls = p.urls;
  // With several endpoints, each gives up sooner: the pool moves the request to another one instead.
  const poolOf = (group: readonly string[]): RpcPool => {
    const clients = group.map((url) =>
      createRpcClient({ url, concurrency: p.concurrency, rps: p.rps, timeoutMs: p.timeoutMs, alsoSecret: urls, ...(group.length > 1 ? { maxRetries: 2 } : {}) }),
    );
    return createRpcPool(clients);
  };
  // The endpoints answer before the database is opened: a wrong or unreachable --rpc must not leave a new,
  // empty database file behind. With several endpoints per chain their chain ids are read once, here.
  const chainOf = (pool: RpcPool): Promise<number> => reachingRpc(async () => (await checkSameChain(pool, getChainId)) ?? (await getChainId(pool)));
  const others: { chainId: number; rpc: RpcPool }[] = [];
  for (const n of p.plan.named) {
    const pool = poolOf(n.urls);
    const served = await chainOf(pool);
    checkNamedChain(n, pool.endpoint, served);
    others.push({ chainId: served, rpc: pool });
  }
  // The home chain: the bare URLs' (as before), else the first chain named.
  const rpc = p.plan.bare.length > 0 ? poolOf(p.plan.bare) : others.shift()!.rpc;
  const chainId = p.plan.bare.length > 0 ? await chainOf(rpc) : p.plan.named[0]!.chainId;
  const extra = others.filter((x) => x.chainId !== chainId);
  if (extra.length !== others.length) {
    throw new UsageError(`--rpc names chain ${chainId}, which the bare --rpc URL already serves: give that chain's endpoints the same way.`);
  }
  const chainIds = new Set([chainId, ...extra.map((x) => x.chainId)]);
  const seedArgs = p.explicit.map((a) => parseSeedArg(a, chainIds));
  // The seed list is resolved before the database is created too: an unknown list or tier is bad input,
  // and bad input leaves no file behind.
  const labelChain = o.labelsChain ?? labelChainForChainId(chainId);
  const seeds = collectSeeds(seedArgs, chainId, o.seeds, labelChain, p.tiers, o.tier);
  const bridges = loadBridgeRegistry();
  let store = createStore(o.db, { onNote: (m) => progress.note(m) });
  const stores: Store[] = [store];
  const close = (): void => {
    for (const s of stores) s.close();
  };
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
    // One label and seed book per chain (labels/chainBooks.ts: a row of chain X is never looked up on
    // chain Y); the user's labels in this database override the bundled ones (hoptrace labels add / import).
    const books = chainBooks((id) => (id === chainId ? labelChain : labelChainForChainId(id)), store.userLabels.all());
    const labels = books.labels(chainId);
    const chains: ChainContext[] = [];
    let otherUserLabels = 0;
    for (const x of extra) {
      const s = createStore(o.db, { repair: false, ...(x.chainId === store.chainId() || x.chainId === held ? {} : { chainId: x.chainId }) });
      stores.push(s);
      const c = await reachingRpc(() => connect(x.rpc, s, p.finalityDepth, x.chainId));
      const lc = books.labelChain(x.chainId);
      const book = books.labels(x.chainId);
      otherUserLabels += book.userLabels;
      chains.push({ rpc: x.rpc, store: s, conn: c, labels: book, seedList: books.seeds(x.chainId), labelChain: lc ?? 'evm', nativeSymbol: nativeSymbol(lc) ?? 'native' });
    }
    const context: TraceContext = {
      rpc,
      store,
      labels,
      // The whole seed list, whatever seeds this run starts from: reached, an address on it is a finding.
      seedList: books.seeds(chainId),
      // User labels applied on every chain of the run.
      labelData: { dataVersion: labelDataVersion(), userLabels: labels.userLabels + otherUserLabels },
      labelChain: labelChain ?? 'evm',
      nativeSymbol: nativeSymbol(labelChain) ?? 'native',
      version: packageVersion(),
      onProgress: (m) => progress.update(m),
      bridges,
      chains,
    };
    return { rpc, store, chainId, labelChain, seeds, context, close };
  } catch (err) {
    close();
    throw err;
  }
}

function collectSeeds(
  explicit: readonly { address: string; chainId?: number }[],
  home: number,
  list: string | undefined,
  labelChain: string | null,
  tiers: readonly SeedTier[] | undefined,
  tierName: string | undefined,
): TraceSeed[] {
  const out = new Map<string, TraceSeed>();
  // Keyed by chain and address: one address seeded on two chains is two seeds, and `0x…` and
  // `<home chain>:0x…` are one (the home chain's seeds carry no chain id).
  for (const { address, chainId } of explicit) {
    const key = chainId === undefined || chainId === home ? `:${address}` : `${chainId}:${address}`;
    if (!out.has(key)) out.set(key, key.startsWith(':') ? { address } : { address, chainId: chainId! });
  }
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
      if (!out.has(`:${s.address}`)) {
        out.set(`:${s.address}`, { address: s.address, label: s.label, incident: s.incident, tier: s.tier, source: s.source });
      }
    }
  }
  return [...out.values()];
}

