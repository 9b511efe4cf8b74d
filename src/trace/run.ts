import { parseUnits } from 'ethers';
import { UsageError } from '../errors.js';
import { getChainId } from '../rpc/actions/chainId.js';
import type { RpcClient } from '../rpc/client.js';
import { createFetcher, type Strategy } from '../sources/fetcher.js';
import { createHeaders, type Headers } from '../sources/headers.js';
import { createSwapReader } from '../sources/swaps.js';
import { tokenInfo } from '../sources/tokens.js';
import { labelDataVersion } from '../labels/files.js';
import { labelAt } from '../labels/validity.js';
import type { BlockHeader, Store } from '../store/store.js';
import { NATIVE, type Address, type Asset, type Conversion, type Direction, type Label, type Seed, type SeedTier, type TokenInfo, type Transfer } from '../types.js';
import { REPORT_SCHEMA_VERSION, type Hit, type Hub, type PathStep, type PathSwap, type TraceResult } from './result.js';
import { walk, type DepositFinding, type RawHit } from './walk.js';
import { addressEvidence, depositInference, evidenceOf, labelInForceOn, seedSource, venueSource, type EvidenceContext } from './evidence.js';
import { createDepositCheck } from './depositCheck.js';
import { createNodeWorld } from './nodeWorld.js';
import { attachMainPaths, storedValueClasses } from './mainPaths.js';
import type { RunEdge } from '../store/runs.js';
import { pathSwap, swapBefore } from './swapSteps.js';

export interface TraceSeed {
  address: Address;
  label?: string | null;
  incident?: string | null;
  tier?: SeedTier | null;
  source?: string | null;
}

/** What the user asked for, already validated (addresses normalised, numbers parsed). */
export interface TraceRequest {
  seeds: TraceSeed[];
  direction: Direction;
  hops: number;
  fromBlock?: number;
  toBlock?: number;
  /** Unix seconds: resolved to the first block at or after / the last block before. */
  since?: number;
  until?: number;
  /** Minimum amounts in display units: `native` and token addresses → decimal string ("0.5"). */
  minValue: Record<string, string>;
  fanOutCap: number;
  /** Most distinct addresses expanded per direction. */
  maxAddresses: number;
  stopAtLabels: boolean;
  strategy: Strategy;
  maxScanBlocks: number;
  /**
   * Hub pre-checks (nonce, decimals()) are made only for an address whose window to fetch spans at least
   * this many blocks; default PRECHECK_MIN_WINDOW (trace/hubs.ts).
   */
  precheckMinWindow?: number;
}

export interface TraceContext {
  rpc: RpcClient;
  store: Store;
  labels: { get(address: Address): Label | undefined };
  /**
   * The whole seed list that applies on the chain (labels/seeds.ts seedBook), not only the run's seeds:
   * reached, an address on it is a known-perpetrator hit, and it is never taken for an exchange's
   * customer. Omitted: no seed list is consulted.
   */
  seedList?: { get(address: Address): Seed | undefined };
  labelChain: string;
  /**
   * What the report records about the labels: default the bundled data's version and no user labels
   * (pass the count when `labels` has user labels laid over it, see labels/overlay.ts).
   */
  labelData?: { dataVersion: string; userLabels: number };
  nativeSymbol: string;
  version: string;
  onProgress?: (message: string) => void;
}

/** The chain a run talks to, checked against the store. */
export interface Connection {
  chainId: number;
  head: BlockHeader;
  headers: Headers;
}

export interface ConnectOptions {
  /**
   * When the chain moved on without a fork, the blocks this far behind the previous tip are read again
   * (default: finalityDepth, against a provider backend that lagged). `watch` polls every few seconds and
   * passes 0: its polls would otherwise re-read finalityDepth blocks each time.
   */
  rereadDepth?: number;
}

/**
 * Reads the chain id and head (the only calls a fully cached re-run makes), binds the store to the
 * chain (refusing a different one) and rolls back what a reorg replaced since the last run. `knownChainId`,
 * when the caller has already read it (checkSameChain with several endpoints), is not asked again.
 */
export async function connect(
  rpc: RpcClient,
  store: Store,
  finalityDepth: number,
  knownChainId?: number,
  opts: ConnectOptions = {},
): Promise<Connection> {
  const chainId = knownChainId ?? (await getChainId(rpc));
  store.bindChain(chainId, rpc.endpoint);
  const headers = createHeaders(rpc, store);
  const head = await headers.head();
  await reconcileTip(store, headers, head, finalityDepth, opts.rereadDepth ?? finalityDepth, rpc.endpoint);
  headers.accept(head);
  return { chainId, head, headers };
}

/**
 * One `trace` run: walks from the seeds (fetching only what the store lacks), and assembles the
 * report with timestamps and token metadata.
 */
export async function runTrace(ctx: TraceContext, conn: Connection, req: TraceRequest): Promise<TraceResult> {
  const started = Date.now();
  const { rpc, store } = ctx;
  const { chainId, head, headers } = conn;

  const { fromBlock, toBlock } = await resolveRange(req, headers, head);
  const minValue = await resolveAmounts(ctx, req.minValue);
  const fetcher = createFetcher({
    rpc,
    store,
    chainId,
    head: head.number,
    strategy: req.strategy,
    maxScanBlocks: req.maxScanBlocks,
    headers: headers.cache,
    onProgress: ctx.onProgress,
  });

  const seeds = req.seeds.map((s) => s.address);
  const directions: ('out' | 'in')[] = req.direction === 'both' ? ['out', 'in'] : [req.direction];
  const raw: RawHit[] = [];
  const hubs = new Map<Address, Hub>();
  const learned = store.deposits;
  const nonces = store.nonces;
  const labelInForce = labelInForceOn(async (block) => (await headers.get(block)).timestamp);
  const deposits = createDepositCheck({
    store,
    learned,
    chainId,
    toBlock,
    ensure: (needs) => fetcher.ensure(needs),
    labels: ctx.labels,
    seedList: ctx.seedList,
    labelInForce,
  });
  // DEX swaps of the addresses the walk expands (forward): read per transaction they paid in, kept in the store.
  const swaps = createSwapReader({ rpc, store, chainId, headers: headers.cache });
  const conversions: Conversion[] = [];
  const world = createNodeWorld({ rpc, store, chainId, fetcher, headers, nonces, labels: ctx.labels, seedList: ctx.seedList, deposits, swaps });
  const inferences = new Map<Address, DepositFinding>();
  const visited = new Set<Address>();
  let followed = 0;
  let skipped = 0;
  let unexpanded = 0;
  let depositsUnchecked = 0;
  const traced = { out: new Map<string, { transfer: Transfer; hop: number }>(), in: new Map<string, { transfer: Transfer; hop: number }>() };
  for (const direction of directions) {
    const r = await walk({
      world,
      seeds,
      direction,
      hops: req.hops,
      fromBlock,
      toBlock,
      minValue: (asset) => minValue.get(asset) ?? 0n,
      fanOutCap: req.fanOutCap,
      maxAddresses: req.maxAddresses,
      stopAtLabels: req.stopAtLabels,
      precheckMinWindow: req.precheckMinWindow,
      onProgress: ctx.onProgress,
    });
    raw.push(...r.hits);
    r.inferences.forEach((f, a) => inferences.set(a, f));
    r.hubs.forEach((h) => hubs.set(h.address, h));
    r.visited.forEach((a) => visited.add(a));
    followed += r.followed;
    skipped += r.skipped;
    unexpanded += r.unexpanded;
    depositsUnchecked += r.depositsUnchecked;
    traced[direction] = r.traced;
    conversions.push(...r.conversions);
  }

  ctx.onProgress?.(`reading ${raw.length} hit paths' block times and tokens`);
  // A deposit address that is itself the hit (the last hop) carries its verdict on the step into it too.
  for (const h of raw) if (h.deposit && !inferences.has(h.venue)) inferences.set(h.venue, h.deposit);
  const known = { labels: ctx.labels, seedList: ctx.seedList, inferences };
  const hits = await assembleHits(ctx, headers, raw, seeds, known, conversions);
  // Every asset the traced graph moved is shown somewhere (attribution, exports, paths): its symbol and
  // decimals are read now, while there is a node to ask, and kept for the reports made from the database.
  const tracedTransfers = { out: [...traced.out.values()].map((e) => e.transfer), in: [...traced.in.values()].map((e) => e.transfer) };
  const tokenAssets = new Set([...tracedTransfers.out, ...tracedTransfers.in].map((t) => t.asset).filter((a) => a !== NATIVE));
  ctx.onProgress?.(`reading the metadata of ${tokenAssets.size} token${tokenAssets.size === 1 ? '' : 's'}`);
  const tokenMeta = new Map((await Promise.all([...tokenAssets].map((a) => tokenInfo(rpc, store, a)))).map((i) => [i.address, i]));
  await attachMainPaths(hits, tracedTransfers, {
    hops: req.hops,
    classOf: await storedValueClasses(store, async (a) => !ctx.labels.get(a) && (await tokenInfo(rpc, store, a)).decimals !== null),
    headers,
    meta: async (asset) => {
      if (asset === NATIVE) return { symbol: ctx.nativeSymbol, decimals: 18 };
      const info = tokenMeta.get(asset) ?? (await tokenInfo(rpc, store, asset));
      return { symbol: info.symbol, decimals: info.decimals };
    },
    evidence: known,
  });
  const cov = fetcher.coverage();
  if (unexpanded > 0) {
    cov.warnings.push(
      `the trace reached --max-addresses ${req.maxAddresses}: ${unexpanded} more address${unexpanded === 1 ? ' was' : 'es were'} reached but not followed; narrow the trace (--hops, --min-value, dates) or raise the limit.`,
    );
  }
  if (depositsUnchecked > 0) {
    cov.warnings.push(
      `the trace reached --max-addresses ${req.maxAddresses}: ${depositsUnchecked} address${depositsUnchecked === 1 ? '' : 'es'} at the last hop ${depositsUnchecked === 1 ? 'was' : 'were'} not checked for being an exchange deposit address.`,
    );
  }
  const result: TraceResult = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'hoptrace', version: ctx.version },
    chainId,
    labelChain: ctx.labelChain,
    labels: ctx.labelData ?? { dataVersion: labelDataVersion(), userLabels: 0 },
    rpc: rpc.endpoint,
    generatedAt: new Date().toISOString(),
    params: {
      hops: req.hops,
      direction: req.direction,
      fromBlock,
      toBlock,
      minValue: Object.fromEntries([...minValue].map(([k, v]) => [k, v.toString()])),
      fanOutCap: req.fanOutCap,
      maxAddresses: req.maxAddresses,
      stopAtLabels: req.stopAtLabels,
    },
    seeds: req.seeds.map((s) => ({
      address: s.address,
      label: s.label ?? null,
      incident: s.incident ?? null,
      tier: s.tier ?? null,
      source: s.source ?? null,
    })),
    coverage: { ...cov, hubs: [...hubs.values()].sort((a, b) => b.degree - a.degree) },
    stats: {
      rpcCalls: { total: rpc.stats.total, byMethod: { ...rpc.stats.byMethod } },
      addressesVisited: visited.size,
      transfersStored: fetcher.stored(),
      transfersFollowed: followed,
      transfersSkipped: skipped,
      sweepLookups: deposits.stats.sweepLookups,
      depositsLearned: deposits.stats.learned,
      swaps: { receipts: swaps.stats.receipts, ruledOut: swaps.stats.ruledOut, poolCalls: swaps.stats.poolCalls, conversions: swaps.stats.found },
      durationMs: Date.now() - started,
    },
    hits,
    inferences: [...inferences.keys()]
      .sort()
      .flatMap((address) => {
        const evidence = addressEvidence(known, address);
        return evidence ? [{ address, evidence }] : [];
      }),
  };
  const edges = [...traced.out.values(), ...traced.in.values()];
  tracedEdges.set(result, edges.map((e) => ({ txHash: e.transfer.txHash, ref: e.transfer.ref, hop: e.hop })));
  tracedMovements.set(result, { out: [...traced.out.values()], in: [...traced.in.values()] });
  return result;
}

/**
 * The movements each run's walk followed, kept beside its result (not in the JSON report): recordRun
 * stores them with the run, and every report and export of the run draws that graph.
 */
const tracedEdges = new WeakMap<TraceResult, RunEdge[]>();

/** The movements each run's walk followed, whole and by direction (watch reads them to raise alerts). */
const tracedMovements = new WeakMap<TraceResult, TracedMovements>();

/** The movements a run's walk followed forward (`out`) and backward (`in`), with the hop of each. */
export interface TracedMovements {
  out: { transfer: Transfer; hop: number }[];
  in: { transfer: Transfer; hop: number }[];
}

/** The whole movements the walk of this run followed, by direction (undefined for a result not made by runTrace). */
export function tracedMovementsOf(result: TraceResult): TracedMovements | undefined {
  return tracedMovements.get(result);
}

/** The movements the walk of this run followed (undefined for a result not made by runTrace). */
export function tracedEdgesOf(result: TraceResult): RunEdge[] | undefined {
  return tracedEdges.get(result);
}

/**
 * Makes the store agree with the chain the node now serves. The tip seen by the previous run is
 * compared with the node's block at that height: same head, nothing to do (no call); moved on
 * without a fork (one call), the ranges read within finalityDepth of the old head are read again
 * (their rows stay); forked, rows and ranges of that window are forgotten and re-read. A different genesis is a different chain under the same chain id (dev chains): refused.
 */
async function reconcileTip(
  store: Store,
  headers: Headers,
  head: BlockHeader,
  finalityDepth: number,
  rereadDepth: number,
  endpoint: string,
): Promise<void> {
  const tipNumber = store.getMeta('tip_number');
  const tipHash = store.getMeta('tip_hash');
  const genesis = store.getMeta('genesis_hash');
  if (genesis === null) {
    store.setMeta('genesis_hash', (await headers.get(0)).hash);
  }
  if (tipNumber !== null && tipHash !== null) {
    const n = Number(tipNumber);
    const same = n === head.number ? head.hash === tipHash : n < head.number && (await headers.fresh(n)).hash === tipHash;
    if (!same) {
      // Compared without storing: a refused chain's block 0 must not replace the database's own.
      if (genesis !== null && (await headers.peek(0)).hash !== genesis) {
        throw new UsageError(
          `the RPC ${endpoint} serves a different chain (another genesis block) than database ${store.path} holds, under the same chain id.`,
          { hint: 'use another --db for this chain' },
        );
      }
      store.rollbackAbove(Math.max(-1, Math.min(n, head.number) - finalityDepth));
    } else if (n !== head.number) {
      // The chain moved on without a fork. What was read near the old head came from blocks that were
      // not final then, possibly from a provider backend a few blocks behind: read that window again.
      if (rereadDepth > 0) store.forgetIntervalsAbove(Math.max(-1, n - rereadDepth));
    }
  }
  store.setMeta('tip_number', String(head.number));
  store.setMeta('tip_hash', head.hash);
}

async function resolveRange(
  req: TraceRequest,
  headers: Headers,
  head: BlockHeader,
): Promise<{ fromBlock: number; toBlock: number }> {
  let fromBlock = req.fromBlock ?? 0;
  let toBlock = Math.min(req.toBlock ?? head.number, head.number);
  if (req.fromBlock !== undefined && req.fromBlock > head.number) {
    throw new UsageError(`--from-block ${req.fromBlock} is after the chain head (${head.number}).`);
  }
  if (req.since !== undefined) fromBlock = Math.max(fromBlock, await headers.firstAtOrAfter(req.since, head));
  if (req.until !== undefined) toBlock = Math.min(toBlock, (await headers.firstAtOrAfter(req.until + 1, head)) - 1);
  if (fromBlock > toBlock) {
    throw new UsageError(`the block range is empty: from block ${fromBlock} is after to block ${toBlock}.`);
  }
  return { fromBlock, toBlock };
}

/**
 * Amounts per asset as `--min-value` takes them (display units, or `<n>units`) in base units, the token's
 * decimals read from the node; `what` names the option in the messages (`--threshold` for watch).
 */
export async function resolveAmounts(
  ctx: Pick<TraceContext, 'rpc' | 'store'>,
  given: Record<string, string>,
  what = '--min-value',
): Promise<Map<Asset, bigint>> {
  const out = new Map<Asset, bigint>();
  for (const [asset, amount] of Object.entries(given)) {
    let decimals = 18;
    if (asset !== NATIVE) {
      const info = await tokenInfo(ctx.rpc, ctx.store, asset);
      if (info.decimals === null) {
        throw new UsageError(`${what} for ${asset}: the token does not say its decimals; give the amount in base units as ${asset}=<n>units.`);
      }
      decimals = info.decimals;
    }
    try {
      out.set(asset, amount.endsWith('units') ? BigInt(amount.slice(0, -5)) : parseUnits(amount, decimals));
    } catch {
      throw new UsageError(`${what} "${amount}" is not an amount (at most ${decimals} decimals).`);
    }
  }
  return out;
}

async function assembleHits(ctx: TraceContext, headers: Headers, raw: RawHit[], seeds: Address[], known: EvidenceContext, conversions: readonly Conversion[]): Promise<Hit[]> {
  // Block times are shown for path steps only: the totals into a venue can be thousands of transfers,
  // and a header each would cost a call each for nothing on screen.
  const steps = raw.flatMap((h) => h.path);
  // And each venue's first and last arrival, whose times the report shows (runReport.ts reads them from
  // the store): a block scan no longer stores every block's header (sources/validate.ts, hashWitness).
  const ends = raw.flatMap((h) => {
    if (h.transfers.length === 0) return [];
    let lo = Infinity;
    let hi = -Infinity;
    for (const t of h.transfers) {
      lo = Math.min(lo, t.blockNumber);
      hi = Math.max(hi, t.blockNumber);
    }
    return [lo, hi];
  });
  const blocks = [...new Set([...steps.map((t) => t.blockNumber), ...ends])];
  const headerList = await Promise.all(blocks.map((n) => headers.get(n)));
  const byNumber = new Map(headerList.map((h) => [h.number, h]));
  for (const t of steps) {
    const h = byNumber.get(t.blockNumber);
    if (h && h.hash !== t.blockHash) {
      throw new UsageError(
        `block ${t.blockNumber} now has hash ${h.hash}, but a stored transfer says ${t.blockHash}: the chain reorganised deeper than --finality-depth.`,
        { hint: 'raise --finality-depth, or trace again with a new --db' },
      );
    }
  }
  const swapOf = (t: Transfer): Conversion | undefined => swapBefore(conversions, t);
  const swapAssets = steps.flatMap((t) => swapOf(t)?.assetIn ?? []);
  const assets = [...new Set([...raw.flatMap((h) => [...h.path, ...h.transfers]).map((t) => t.asset), ...swapAssets].filter((a) => a !== NATIVE))];
  const infos = new Map<Asset, TokenInfo>();
  for (const info of await Promise.all(assets.map((a) => tokenInfo(ctx.rpc, ctx.store, a)))) infos.set(info.address, info);
  const meta = (asset: Asset): { symbol: string | null; decimals: number | null } =>
    asset === NATIVE
      ? { symbol: ctx.nativeSymbol, decimals: 18 }
      : { symbol: infos.get(asset)?.symbol ?? null, decimals: infos.get(asset)?.decimals ?? null };

  const step = (t: Transfer): PathStep => ({
    from: t.from,
    to: t.to,
    txHash: t.txHash,
    blockNumber: t.blockNumber,
    blockHash: t.blockHash,
    timestamp: byNumber.get(t.blockNumber)?.timestamp ?? null,
    asset: t.asset,
    ...meta(t.asset),
    amount: t.amount,
    kind: t.kind,
    ref: t.ref,
    fromEvidence: addressEvidence(known, t.from, byNumber.get(t.blockNumber)?.timestamp ?? null),
    toEvidence: addressEvidence(known, t.to, byNumber.get(t.blockNumber)?.timestamp ?? null),
    ...withSwap(t),
  });
  const withSwap = (t: Transfer): { swap?: PathSwap } => {
    const c = swapOf(t);
    return c ? { swap: pathSwap(c, meta) } : {};
  };

  const seedOrder = new Map(seeds.map((s, i) => [s, i]));
  return raw
    .map((h): Hit => {
      const totals = new Map<Asset, { amount: bigint; transfers: number }>();
      for (const t of h.transfers) {
        const cur = totals.get(t.asset) ?? { amount: 0n, transfers: 0 };
        cur.amount += t.amount;
        cur.transfers++;
        totals.set(t.asset, cur);
      }
      const path = h.path.map(step);
      // The hop that touches the venue: the last step of an `out` path, the first of an `in` path.
      const venueStep = h.direction === 'out' ? path[path.length - 1] : path[0];
      return {
        kind: h.kind,
        seed: h.seed,
        address: h.venue,
        ...hitIdentity(h, venueStep?.timestamp ?? null),
        direction: h.direction,
        hops: h.path.length,
        path,
        totals: [...totals].map(([asset, v]) => ({ asset, ...meta(asset), amount: v.amount, transfers: v.transfers })),
        // A loop, not Math.min(...list): a venue can receive more transfers than a call has arguments.
        firstBlock: h.transfers.reduce((m, t) => Math.min(m, t.blockNumber), Number.POSITIVE_INFINITY),
        lastBlock: h.transfers.reduce((m, t) => Math.max(m, t.blockNumber), 0),
        via: h.deposit ? 'deposit' : 'label',
        deposit: h.deposit
          ? { ...h.deposit.evidence, origin: h.deposit.known ? 'learned' : 'detected', learnedAt: h.deposit.learnedAt }
          : null,
        evidence: hitEvidence(h, known),
        perpetrator: h.perpetrator
          ? { label: h.perpetrator.label, incident: h.perpetrator.incident, tier: h.perpetrator.tier, source: h.perpetrator.source }
          : null,
      };
    })
    .sort(
      (a, b) =>
        (seedOrder.get(a.seed) ?? 0) - (seedOrder.get(b.seed) ?? 0) ||
        a.direction.localeCompare(b.direction) ||
        // Venues first: where the funds can be frozen is what the report is read for; the known
        // perpetrators the path went through follow.
        (a.kind === 'venue' ? 0 : 1) - (b.kind === 'venue' ? 0 : 1) ||
        a.hops - b.hops ||
        a.firstBlock - b.firstBlock,
    );
}

/** The who-is-it fields of a hit: the venue's label (or its hot wallet's), or the seed-list row. */
function hitIdentity(
  h: RawHit,
  at: number | null,
): Pick<Hit, 'entity' | 'category' | 'role' | 'risk' | 'jurisdiction' | 'labelSource' | 'labelOrigin' | 'labelAtHop'> {
  if (h.label) {
    return {
      entity: h.label.entity,
      category: h.label.category,
      // An inferred deposit address is a deposit address by the inference, not by its hot wallet's label.
      role: h.deposit ? 'deposit' : h.label.role,
      risk: h.label.risk,
      jurisdiction: h.label.jurisdiction,
      labelSource: h.label.source,
      labelOrigin: h.label.origin,
      labelAtHop: labelAt(h.label, at),
    };
  }
  const p = h.perpetrator!;
  return {
    entity: p.label,
    category: 'known-perpetrator',
    role: null,
    // The seed list carries no listing dates: an attributed perpetrator is high risk at any hop.
    risk: 'high',
    jurisdiction: null,
    labelSource: p.source,
    labelOrigin: 'bundled',
    labelAtHop: { risk: 'high', sanctionedAtHop: false, note: null },
  };
}

/**
 * How we know what a hit is. A venue label: `label` (or `conflict` when the address is also on the seed
 * list); an inferred deposit address: `inferred`; a seed-list address: `label`, or `conflict` when the
 * deposit heuristic would have taken it for an exchange's customer.
 */
function hitEvidence(h: RawHit, known: EvidenceContext): Hit['evidence'] {
  if (h.deposit) return evidenceOf(h.venue, [], depositInference(h.deposit))!;
  const sources = h.label ? [venueSource(h.label)] : [];
  const seed = known.seedList?.get(h.venue) ?? h.perpetrator;
  if (seed) sources.push(seedSource(seed));
  const finding = known.inferences.get(h.venue);
  return evidenceOf(h.venue, sources, finding?.conflict ? depositInference(finding) : null)!;
}
