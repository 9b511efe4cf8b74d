import { parseUnits } from 'ethers';
import { UsageError } from '../errors.js';
import { getChainId } from '../rpc/actions/chainId.js';
import type { RpcClient } from '../rpc/client.js';
import type { PriceTable } from '../rpc/price.js';
import { createFetcher, type Objective, type Strategy } from '../sources/fetcher.js';
import { chainMetaKey, createHeaders, type Headers } from '../sources/headers.js';
import { createSwapReader } from '../sources/swaps.js';
import { tokenInfo } from '../sources/tokens.js';
import { createBlockCheck, type BlockCheck } from '../sources/validate.js';
import { labelDataVersion } from '../labels/files.js';
import { labelAt } from '../labels/validity.js';
import type { BlockHeader, Store } from '../store/store.js';
import { NATIVE, type Address, type Asset, type Conversion, type Direction, type Label, type Seed, type SeedTier, type Transfer } from '../types.js';
import { REPORT_SCHEMA_VERSION, type Crossing, type Evidence, type ExitReason, type Hit, type HitExit, type Hub, type PathStep, type TraceResult } from './result.js';
import { walk, type DepositFinding, type RawHit, type WalkWorld } from './walk.js';
import { addressEvidence, depositInference, evidenceOf, labelInForceAt, labelInForceOn, seedSource, venueSource, type EvidenceContext } from './evidence.js';
import { matchBridgeCrossings } from '../bridges/link.js';
import type { BridgeRegistry } from '../bridges/registry.js';
import type { BridgeArrival, BridgeExit } from '../bridges/types.js';
import { findArrivals, readExits } from '../sources/bridgeLogs.js';
import { arrivalCoinOf, arrivalTokenOf } from '../sources/arrivalTransfers.js';
import { arrivalWindow, chainName, crossingOf, evmAssetOf, evmRecipient, frontierRowOf, hitExitOf, PROTOCOL_NAMES } from './crossChain.js';
import { createDepositCheck } from './depositCheck.js';
import { createNodeWorld } from './nodeWorld.js';
import { attachMainPaths, storedValueClasses } from './mainPaths.js';
import type { RunEdge } from '../store/runs.js';
import { pathSwap, swapBefore } from './swapSteps.js';

export interface TraceSeed {
  address: Address;
  /** The chain the seed is on; default the run's home chain. */
  chainId?: number;
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
  /** What `--strategy auto` minimises: the calls' time (default) or their credits in `priceTable`. */
  optimize?: Objective;
  /** The price table credits are counted in (`--price-table`, or the bundled one). */
  priceTable?: PriceTable;
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
  /**
   * The bridge contracts (data/bridges.csv). Given, a payment the walk follows into one of them is read
   * as an exit; omitted, bridges are addresses like any other.
   */
  bridges?: BridgeRegistry;
  /** The run's other chains, connected: where a crossing lands on one of them, the walk goes on there. */
  chains?: ChainContext[];
}

/** The chain a run talks to, checked against the store. */
export interface Connection {
  chainId: number;
  head: BlockHeader;
  headers: Headers;
}

/**
 * Reads the chain id and head (the only calls a fully cached re-run makes), binds the store to the
 * chain (refusing a different one) and rolls back what a reorg replaced since the last run. `knownChainId`,
 * when the caller has already read it (checkSameChain with several endpoints), is not asked again.
 */
export interface ConnectOptions {
  /**
   * When the chain moved on without a fork, the blocks this far behind the previous tip are read again
   * (default: finalityDepth, against a provider backend that lagged). `watch` polls every few seconds and
   * passes 0: its polls would otherwise re-read finalityDepth blocks each time.
   */
  rereadDepth?: number;
}

export async function connect(
  rpc: RpcClient,
  store: Store,
  finalityDepth: number,
  knownChainId?: number,
  opts: ConnectOptions = {},
): Promise<Connection> {
  const chainId = knownChainId ?? (await getChainId(rpc));
  store.bindChain(chainId, rpc.endpoint);
  const metaKey = chainMetaKey(store, chainId);
  const headers = createHeaders(rpc, store, metaKey);
  const head = await headers.head();
  await reconcileTip(store, headers, head, finalityDepth, opts.rereadDepth ?? finalityDepth, rpc.endpoint, metaKey);
  headers.accept(head);
  return { chainId, head, headers };
}

/**
 * Another chain of a cross-chain run: its endpoint (connected), its handle on the same database, and
 * the labels and seed list that apply on it.
 */
export interface ChainContext {
  rpc: RpcClient;
  store: Store;
  conn: Connection;
  labels: { get(address: Address): Label | undefined };
  seedList?: { get(address: Address): Seed | undefined };
  labelChain: string;
  nativeSymbol: string;
}

/** One chain's part of a run: its range, fetcher and world, and what its walks found. */
interface ChainRun {
  c: ChainContext;
  chainId: number;
  home: boolean;
  fromBlock: number;
  toBlock: number;
  minValue: Map<Asset, bigint>;
  fetcher: ReturnType<typeof createFetcher>;
  world: WalkWorld;
  deposits: ReturnType<typeof createDepositCheck>;
  /** DEX swaps of the addresses the walk expands (forward), and the conversions its walks found. */
  swaps: ReturnType<typeof createSwapReader>;
  /** Checks the chain's answers read outside the fetcher (receipts of swaps and bridge exits) against its headers. */
  blockCheck: BlockCheck;
  conversions: Conversion[];
  known: EvidenceContext & { inferences: Map<Address, DepositFinding> };
  hubs: Map<Address, Hub>;
  visited: Set<Address>;
  traced: { out: Map<string, { transfer: Transfer; hop: number }>; in: Map<string, { transfer: Transfer; hop: number }> };
}

/** A walk to make: on one chain, from seeds each reached with a path already (a crossing) or none. */
interface Leg {
  chainId: number;
  direction: 'out' | 'in';
  seeds: Address[];
  hops: number;
  startAt?: Map<Address, { block: number; tx: number }>;
  /** The run's seed each walk seed stands for, and the path steps before it. */
  origin: Map<Address, { seed: Address; prefix: PathStep[] }>;
}

/**
 * One `trace` run: walks from the seeds (fetching only what the store lacks), and assembles the
 * report with timestamps and token metadata. With a bridge registry, a payment into a bridge contract
 * is read as an exit (the protocol's own log); where its destination chain has an endpoint in
 * `ctx.chains`, the arrival is found there and the walk goes on from its recipient, the hop count
 * running on; otherwise the exit is a hit of its own kind and a frontier row.
 */
export async function runTrace(ctx: TraceContext, conn: Connection, req: TraceRequest): Promise<TraceResult> {
  const started = Date.now();
  const { rpc, store } = ctx;
  const { chainId, head, headers } = conn;
  const homeContext: ChainContext = { rpc, store, conn, labels: ctx.labels, labelChain: ctx.labelChain, nativeSymbol: ctx.nativeSymbol, ...(ctx.seedList ? { seedList: ctx.seedList } : {}) };
  const contexts = new Map<number, ChainContext>([[chainId, homeContext]]);
  for (const c of ctx.chains ?? []) if (!contexts.has(c.conn.chainId)) contexts.set(c.conn.chainId, c);
  const runs = new Map<number, ChainRun>();

  const chainRun = async (id: number): Promise<ChainRun> => {
    const have = runs.get(id);
    if (have) return have;
    const c = contexts.get(id);
    if (!c) throw new UsageError(`no --rpc for chain ${id} in this run.`);
    const home = id === chainId;
    // Block numbers and token addresses are the home chain's: on another chain only dates bound the range.
    const range = home ? await resolveRange(req, headers, head) : await resolveRange({ since: req.since, until: req.until }, c.conn.headers, c.conn.head);
    const minValue = home ? await resolveAmounts(ctx, req.minValue) : new Map<Asset, bigint>();
    const fetcher = createFetcher({
      rpc: c.rpc,
      store: c.store,
      chainId: id,
      head: c.conn.head.number,
      strategy: req.strategy,
      ...(req.optimize ? { objective: req.optimize } : {}),
      ...(req.priceTable ? { priceTable: req.priceTable } : {}),
      maxScanBlocks: req.maxScanBlocks,
      headers: c.conn.headers.cache,
      onProgress: ctx.onProgress,
    });
    const labelInForce = labelInForceOn(async (block) => (await c.conn.headers.get(block)).timestamp);
    const deposits = createDepositCheck({
      store: c.store,
      learned: c.store.deposits,
      chainId: id,
      toBlock: range.toBlock,
      ensure: (needs) => fetcher.ensure(needs),
      labels: c.labels,
      seedList: c.seedList,
      labelInForce,
    });
    // The chain's receipts read outside the fetcher (swaps, bridge exits) are checked against its headers.
    const blockCheck = createBlockCheck(c.conn.headers.cache, c.store, c.conn.head.number);
    // DEX swaps of the addresses the walk expands (forward): read per transaction they paid in, kept in the store.
    const swaps = createSwapReader({ rpc: c.rpc, store: c.store, chainId: id, headers: c.conn.headers.cache, blockCheck });
    const world = createNodeWorld({ rpc: c.rpc, store: c.store, chainId: id, fetcher, headers: c.conn.headers, nonces: c.store.nonces, labels: c.labels, seedList: c.seedList, deposits, swaps });
    const registry = ctx.bridges;
    if (registry) world.isBridge = (address) => registry.find(id, address) !== undefined;
    const r: ChainRun = {
      c,
      chainId: id,
      home,
      ...range,
      minValue,
      fetcher,
      world,
      deposits,
      swaps,
      blockCheck,
      conversions: [],
      known: { labels: c.labels, seedList: c.seedList, inferences: new Map() },
      hubs: new Map(),
      visited: new Set(),
      traced: { out: new Map(), in: new Map() },
    };
    runs.set(id, r);
    return r;
  };

  const home = await chainRun(chainId);
  const directions: ('out' | 'in')[] = req.direction === 'both' ? ['out', 'in'] : [req.direction];
  const legs: Leg[] = [];
  const seedsByChain = new Map<number, Address[]>();
  for (const s of req.seeds) {
    const id = s.chainId ?? chainId;
    seedsByChain.set(id, [...(seedsByChain.get(id) ?? []), s.address]);
  }
  for (const [id, list] of seedsByChain) {
    for (const direction of directions) {
      legs.push({ chainId: id, direction, seeds: list, hops: req.hops, origin: new Map(list.map((a) => [a, { seed: a, prefix: [] }])) });
    }
  }

  const hits: Hit[] = [];
  const crossings: Crossing[] = [];
  let followed = 0;
  let skipped = 0;
  let unexpanded = 0;
  let depositsUnchecked = 0;
  const noExit: string[] = [];
  for (let i = 0; i < legs.length; i++) {
    const leg = legs[i]!;
    const cr = await chainRun(leg.chainId);
    if (!cr.home) ctx.onProgress?.(`walking on from ${leg.seeds.length} address${leg.seeds.length === 1 ? '' : 'es'} on ${chainName(leg.chainId)}`);
    const r = await walk({
      world: cr.world,
      seeds: leg.seeds,
      direction: leg.direction,
      hops: leg.hops,
      fromBlock: cr.fromBlock,
      toBlock: cr.toBlock,
      minValue: (asset) => cr.minValue.get(asset) ?? 0n,
      fanOutCap: req.fanOutCap,
      maxAddresses: req.maxAddresses,
      stopAtLabels: req.stopAtLabels,
      precheckMinWindow: req.precheckMinWindow,
      ...(leg.startAt ? { startAt: leg.startAt } : {}),
      onProgress: ctx.onProgress,
    });
    r.inferences.forEach((f, a) => cr.known.inferences.set(a, f));
    r.hubs.forEach((h) => cr.hubs.set(h.address, h));
    r.visited.forEach((a) => cr.visited.add(a));
    // A leg that starts across a crossing counts its hops from there: the run's hop count runs on.
    const offset = req.hops - leg.hops;
    r.traced.forEach((v, k) => {
      if (!cr.traced[leg.direction].has(k)) cr.traced[leg.direction].set(k, offset > 0 ? { ...v, hop: v.hop + offset } : v);
    });
    followed += r.followed;
    skipped += r.skipped;
    unexpanded += r.unexpanded;
    depositsUnchecked += r.depositsUnchecked;
    cr.conversions.push(...r.conversions);
    // A deposit address that is itself the hit (the last hop) carries its verdict on the step into it too.
    for (const h of r.hits) if (h.deposit && !cr.known.inferences.has(h.venue)) cr.known.inferences.set(h.venue, h.deposit);

    const venues: RawHit[] = r.hits.filter((h) => h.kind !== 'bridge');
    // Every bridge payment's receipt asked at once, each checked against this chain's headers; the exits
    // are then followed one by one, in order.
    const bridged = r.hits.filter((h) => h.kind === 'bridge');
    const exitsFound = await Promise.all(bridged.map((b) => exitsOf(cr, b)));
    for (const [i, b] of bridged.entries()) {
      const found = exitsFound[i]!;
      if (found.length === 0) {
        // A payment into a bridge contract with no exit event of its protocol (a plain send, a reverted
        // call): not a crossing. A labelled bridge is still the venue it always was.
        if (b.label) venues.push({ ...b, kind: 'venue', label: b.label });
        else noExit.push(b.transfers[0]?.txHash ?? '');
        continue;
      }
      const o = leg.origin.get(b.seed)!;
      const path = [...o.prefix, ...(await pathSteps(cr, b.path))];
      const edge = b.path[b.path.length - 1]!;
      // A transaction may carry several exits (a batch): those that name this payment are its own.
      const own = found.filter((e) => (e.sender === null || e.sender === edge.from) && (e.paid === null || e.paid.amount === edge.amount));
      for (const exit of found.length > 1 && own.length > 0 ? own : found) await followExit(cr, o.seed, exit, edge, path);
    }
    ctx.onProgress?.(`reading ${venues.length} hit paths' block times and tokens`);
    for (const h of await assembleHits(cr, venues)) {
      const o = leg.origin.get(h.seed)!;
      h.seed = o.seed;
      h.path = [...o.prefix, ...h.path];
      h.hops = h.path.length;
      hits.push(h);
    }
  }

  /** The exits of a bridge hit's payment, read from its transaction's receipt, checked against its chain's headers. */
  async function exitsOf(cr: ChainRun, b: RawHit): Promise<BridgeExit[]> {
    const edge = b.path[b.path.length - 1];
    if (!ctx.bridges || !edge) return [];
    return readExits(cr.c.rpc, ctx.bridges, cr.chainId, edge, b.venue, cr.blockCheck);
  }

  /**
   * One exit: matched to its arrival on a chain of this run, the walk goes on from the recipient there;
   * otherwise it is an exit hit, with the reason.
   */
  async function followExit(cr: ChainRun, seed: Address, exit: BridgeExit, edge: Transfer, path: PathStep[]): Promise<void> {
    const hop = path.length;
    const exitTime = path[path.length - 1]?.timestamp ?? (await cr.c.conn.headers.get(edge.blockNumber)).timestamp;
    const exitHit = async (reason: ExitReason, text: string): Promise<void> => {
      hits.push(await exitHitOf(cr, seed, edge, path, hitExitOf(exit, edge.from, exitTime, reason, text)));
    };
    const dest = exit.destination;
    if (dest.kind === 'named') return exitHit('non-evm', `${dest.name} is not an EVM chain: hoptrace cannot follow it`);
    if (dest.kind === 'unknown') return exitHit('unknown-chain', dest.reason);
    const recipient = evmRecipient(exit, edge.from);
    const endpoint = contexts.get(dest.chainId);
    if (!endpoint) return exitHit('no-endpoint', `no --rpc for ${chainName(dest.chainId)} (chain ${dest.chainId}) in this run`);
    if (recipient === null) return exitHit('unknown-recipient', `the protocol names no EVM address on ${chainName(dest.chainId)}`);
    if (hop >= req.hops) return exitHit('hop-limit', `the crossing would be hop ${hop + 1}, beyond --hops ${req.hops}`);
    const window = arrivalWindow(exit, exitTime);
    const th = endpoint.conn.headers;
    const from = await th.firstAtOrAfter(exitTime, endpoint.conn.head);
    const to = Math.min(endpoint.conn.head.number, (await th.firstAtOrAfter(exitTime + window + 1, endpoint.conn.head)) - 1);
    ctx.onProgress?.(`looking for the ${PROTOCOL_NAMES[exit.protocol]} arrival on ${chainName(dest.chainId)} (blocks ${from}–${to})`);
    // One check of the destination's answers against its headers: the arrival logs and, where the arrival
    // names no asset, its transaction's receipt (crossingStep).
    const blockCheck = createBlockCheck(th.cache, endpoint.store, endpoint.conn.head.number);
    const found = from > to ? [] : await findArrivals(endpoint.rpc, ctx.bridges!, exit, dest.chainId, from, to, blockCheck);
    const timed = await Promise.all(found.map(async (a) => ({ item: a.arrival, timestamp: (await th.get(a.arrival.at.blockNumber)).timestamp, txIndex: a.txIndex })));
    const { matches, unmatched } = matchBridgeCrossings([{ item: exit, timestamp: exitTime }], timed, { windowSeconds: window });
    if (matches.length === 0) {
      const why = unmatched[0]?.reason ?? 'no arrival';
      return exitHit('no-arrival', `no arrival found on ${chainName(dest.chainId)} within ${window} s of the exit: ${why}`);
    }
    const target = await chainRun(dest.chainId);
    for (const m of matches) {
      const t = timed.find((x) => x.item === m.arrival)!;
      const payee = m.arrival.recipient ?? recipient;
      const crossing = crossingOf(m, { from: edge.to, to: payee, exitTime, arrivalTime: t.timestamp, hop: hop + 1 });
      crossings.push(crossing);
      const step = await crossingStep(cr, target, crossing, m.arrival, exit, blockCheck);
      const prefix = [...path, step];
      // The recipient itself may be the venue (an exchange's own wallet receiving the payout).
      const label = target.c.labels.get(payee);
      if (label && labelInForceAt(label, t.timestamp)) {
        const [h] = await assembleHits(target, [{ kind: 'venue', seed, venue: payee, label, direction: 'out', path: [], transfers: [] }]);
        if (h) {
          h.path = prefix;
          // Its label at the hop is judged at the arrival's time, which the crossing step shows (the hit
          // was assembled without a path, so without a time).
          h.labelAtHop = labelAt(label, t.timestamp);
          h.hops = prefix.length;
          // An arrival whose asset no log names gives no total: the step says so.
          h.totals = step.asset === null ? [] : [{ asset: step.asset, symbol: step.symbol, decimals: step.decimals, amount: step.amount, transfers: 1 }];
          h.firstBlock = step.blockNumber;
          h.lastBlock = step.blockNumber;
          hits.push(h);
        }
        if (req.stopAtLabels) continue;
      }
      if (hop + 1 >= req.hops) continue;
      legs.push({
        chainId: dest.chainId,
        direction: 'out',
        seeds: [payee],
        hops: req.hops - (hop + 1),
        startAt: new Map([[payee, { block: m.arrival.at.blockNumber, tx: t.txIndex }]]),
        origin: new Map([[payee, { seed, prefix }]]),
      });
    }
  }

  /** An exit hit: the bridge contract as the hit's address, the path ending with the payment into it. */
  async function exitHitOf(cr: ChainRun, seed: Address, edge: Transfer, path: PathStep[], exit: HitExit): Promise<Hit> {
    const row = ctx.bridges!.find(cr.chainId, edge.to)!;
    const last = path[path.length - 1]!;
    return {
      kind: 'exit',
      chainId: cr.chainId,
      seed,
      address: edge.to,
      entity: exit.protocolName,
      category: 'bridge',
      role: 'contract',
      risk: 'standard',
      jurisdiction: null,
      labelSource: row.source,
      labelOrigin: 'bundled',
      labelAtHop: { risk: 'standard', sanctionedAtHop: false, note: null },
      direction: 'out',
      hops: path.length,
      path,
      totals: [{ asset: edge.asset, symbol: last.symbol, decimals: last.decimals, amount: edge.amount, transfers: 1 }],
      firstBlock: edge.blockNumber,
      lastBlock: edge.blockNumber,
      via: 'bridge',
      deposit: null,
      exit,
      evidence: bridgeEvidence(cr.chainId, edge.to)!,
      perpetrator: null,
    };
  }

  /** The path step of a crossing: from the bridge contract to the payee, the arrival's transaction and value. */
  async function crossingStep(source: ChainRun, target: ChainRun, crossing: Crossing, arrival: BridgeArrival, exit: BridgeExit, blockCheck: BlockCheck): Promise<PathStep> {
    const header = await target.c.conn.headers.get(arrival.at.blockNumber);
    // The asset is one seen on the destination chain, never assumed: the arrival event's, else (Wormhole's
    // redemption names none) the bridge's token Transfer to the payee in the arrival's transaction, read
    // from its checked receipt, else the chain's coin the bridge's calls sent the payee, read from its
    // checked call tree. Where none is seen (a node without trace_transaction) the step names none (null).
    let asset = evmAssetOf(arrival.asset);
    let amount = arrival.amount;
    if (asset === null && arrival.asset === null) {
      const at = { txHash: arrival.at.txHash, blockNumber: arrival.at.blockNumber, blockHash: header.hash, contract: arrival.at.contract };
      const got = await arrivalTokenOf(target.c.rpc, target.chainId, at, crossing.to, blockCheck);
      if (got !== null) ({ asset, amount } = got);
      else {
        const coin = await arrivalCoinOf(target.c.rpc, target.chainId, at, crossing.to, blockCheck);
        if (coin !== null) [asset, amount] = [NATIVE, coin.amount];
      }
    }
    // No amount seen (Wormhole's redemption of the native coin): the exit's promise, in its own units.
    const promisedOnly = amount === null && exit.promised.amountKind === 'normalized-8';
    const meta = asset === null ? { symbol: null, decimals: promisedOnly ? 8 : null } : await assetMeta(target, asset);
    return {
      chainId: target.chainId,
      from: crossing.from,
      to: crossing.to,
      txHash: arrival.at.txHash,
      blockNumber: arrival.at.blockNumber,
      blockHash: header.hash,
      timestamp: header.timestamp,
      asset,
      ...meta,
      amount: amount ?? exit.promised.amount ?? 0n,
      // The figure is the exit's promise, not an amount the arrival was seen to pay: said so in every output.
      ...(amount === null && exit.promised.amount !== null ? { promised: true } : {}),
      kind: 'bridge',
      ref: `bridge:${arrival.at.logIndex}`,
      crossing,
      fromEvidence: addressEvidence(source.known, crossing.from, crossing.exit.timestamp) ?? bridgeEvidence(source.chainId, crossing.from),
      toEvidence: addressEvidence(target.known, crossing.to, header.timestamp),
    };
  }

  /** A bridge contract's evidence from its registry row, when no label names it. */
  function bridgeEvidence(id: number, address: Address): Evidence | null {
    const row = ctx.bridges?.find(id, address);
    if (!row) return null;
    return {
      level: 'label',
      sources: [{ kind: 'bridge', origin: 'bundled', name: PROTOCOL_NAMES[row.protocol], category: 'bridge', role: 'contract', tier: null, incident: null, source: row.source }],
      inference: null,
      conflict: null,
    };
  }

  // Every asset the traced graph moved is shown somewhere (attribution, exports, paths): its symbol and
  // decimals are read now, while there is a node to ask, and kept for the reports made from the database.
  for (const cr of runs.values()) {
    const moved = [...cr.traced.out.values(), ...cr.traced.in.values()].map((e) => e.transfer.asset).filter((a) => a !== NATIVE);
    const tokenAssets = new Set(moved);
    ctx.onProgress?.(`reading the metadata of ${tokenAssets.size} token${tokenAssets.size === 1 ? '' : 's'}`);
    await Promise.all([...tokenAssets].map((a) => tokenInfo(cr.c.rpc, cr.c.store, a)));
  }
  const tracedTransfers = { out: [...home.traced.out.values()].map((e) => e.transfer), in: [...home.traced.in.values()].map((e) => e.transfer) };
  // The main path by value is searched in the home chain's traced graph: hits reached across a bridge
  // keep their path (the crossing's step is no transfer of that graph).
  const homeHits = hits.filter((h) => h.kind !== 'exit' && (h.chainId ?? chainId) === chainId && h.path.every((s) => s.crossing == null));
  await attachMainPaths(homeHits, tracedTransfers, {
    hops: req.hops,
    classOf: await storedValueClasses(store, async (a) => !ctx.labels.get(a) && (await tokenInfo(rpc, store, a)).decimals !== null),
    headers,
    meta: (asset) => assetMeta(home, asset),
    evidence: home.known,
  });
  const cov: TraceResult['coverage'] = { ...home.fetcher.coverage(), hubs: [] };
  for (const cr of runs.values()) {
    if (cr.home) continue;
    const other = cr.fetcher.coverage();
    cov.warnings.push(...other.warnings.map((w) => `on ${chainName(cr.chainId)}: ${w}`));
    cov.hubs.push(...cr.hubs.values());
  }
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
  if (noExit.length > 0) {
    cov.warnings.push(`${noExit.length} payment${noExit.length === 1 ? '' : 's'} into a bridge contract carried no exit event of its protocol (not followed across): ${noExit.join(', ')}.`);
  }
  const sortedHits = sortHits(hits, req.seeds.map((s) => s.address));
  const frontier = sortedHits
    .filter((h): h is Hit & { exit: HitExit } => h.kind === 'exit' && h.exit != null)
    .map(frontierRowOf)
    .sort((a, b) => (a.chainId ?? Number.MAX_SAFE_INTEGER) - (b.chainId ?? Number.MAX_SAFE_INTEGER) || a.chain.localeCompare(b.chain) || a.txHash.localeCompare(b.txHash));
  const allVisited = [...runs.values()].reduce((n, cr) => n + cr.visited.size, 0);
  const calls = { total: 0, byMethod: {} as Record<string, number> };
  // Every endpoint of the run, a chain the walk never reached included (it was asked its id and head).
  for (const c of new Set([...contexts.values()].map((x) => x.rpc))) {
    calls.total += c.stats.total;
    for (const [m, n] of Object.entries(c.stats.byMethod)) calls.byMethod[m] = (calls.byMethod[m] ?? 0) + n;
  }
  const sum = (f: (cr: ChainRun) => number): number => [...runs.values()].reduce((n, cr) => n + f(cr), 0);
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
      fromBlock: home.fromBlock,
      toBlock: home.toBlock,
      minValue: Object.fromEntries([...home.minValue].map(([k, v]) => [k, v.toString()])),
      fanOutCap: req.fanOutCap,
      maxAddresses: req.maxAddresses,
      stopAtLabels: req.stopAtLabels,
    },
    seeds: req.seeds.map((s) => ({
      address: s.address,
      ...(s.chainId !== undefined && s.chainId !== chainId ? { chainId: s.chainId } : {}),
      label: s.label ?? null,
      incident: s.incident ?? null,
      tier: s.tier ?? null,
      source: s.source ?? null,
    })),
    coverage: { ...cov, hubs: [...home.hubs.values(), ...cov.hubs].sort((a, b) => b.degree - a.degree) },
    stats: {
      rpcCalls: calls,
      addressesVisited: allVisited,
      transfersStored: sum((cr) => cr.fetcher.stored()),
      transfersFollowed: followed,
      transfersSkipped: skipped,
      sweepLookups: sum((cr) => cr.deposits.stats.sweepLookups),
      depositsLearned: sum((cr) => cr.deposits.stats.learned),
      swaps: {
        receipts: sum((cr) => cr.swaps.stats.receipts),
        ruledOut: sum((cr) => cr.swaps.stats.ruledOut),
        poolCalls: sum((cr) => cr.swaps.stats.poolCalls),
        conversions: sum((cr) => cr.swaps.stats.found),
      },
      durationMs: Date.now() - started,
    },
    hits: sortedHits,
    inferences: [...home.known.inferences.keys()]
      .sort()
      .flatMap((address) => {
        const evidence = addressEvidence(home.known, address);
        return evidence ? [{ address, evidence }] : [];
      }),
    chains: [...runs.values()]
      .sort((a, b) => (a.home ? -1 : b.home ? 1 : a.chainId - b.chainId))
      .map((cr) => ({ chainId: cr.chainId, labelChain: cr.c.labelChain, nativeSymbol: cr.c.nativeSymbol, rpc: cr.c.rpc.endpoint, home: cr.home, fromBlock: cr.fromBlock, toBlock: cr.toBlock })),
    crossings,
    frontier,
  };
  // Every chain's movements the walk followed (home chain first), each with its chain: the one graph
  // every output of the run draws, crossings joining the chains.
  const edges = [...runs.values()]
    .sort((a, b) => (a.home ? -1 : b.home ? 1 : a.chainId - b.chainId))
    .flatMap((cr) => [...cr.traced.out.values(), ...cr.traced.in.values()]);
  tracedEdges.set(result, edges.map((e) => ({ chainId: e.transfer.chainId, txHash: e.transfer.txHash, ref: e.transfer.ref, hop: e.hop })));
  tracedMovements.set(result, { out: [...home.traced.out.values()], in: [...home.traced.in.values()] });
  return result;
}

/** Symbol and decimals of an asset on a chain (native: the chain's coin). */
async function assetMeta(cr: ChainRun, asset: Asset): Promise<{ symbol: string | null; decimals: number | null }> {
  if (asset === NATIVE) return { symbol: cr.c.nativeSymbol, decimals: 18 };
  const info = await tokenInfo(cr.c.rpc, cr.c.store, asset);
  return { symbol: info.symbol, decimals: info.decimals };
}

/**
 * Hits in report order: per seed, direction, venues before known perpetrators before exits, fewer hops
 * first, then earlier.
 */
function sortHits(hits: Hit[], seeds: Address[]): Hit[] {
  const seedOrder = new Map(seeds.map((s, i) => [s, i]));
  const kindOrder = { venue: 0, 'known-perpetrator': 1, exit: 2 } as const;
  // One hit per seed, chain, address and kind: the first found (fewest hops, walked first) stands.
  const seen = new Set<string>();
  const out: Hit[] = [];
  for (const h of hits) {
    const key = h.kind === 'exit' ? `exit|${h.seed}|${h.exit?.txHash}|${h.exit?.logIndex}` : `${h.kind}|${h.seed}|${h.direction}|${h.chainId}|${h.address}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(h);
  }
  return out.sort(
    (a, b) =>
      (seedOrder.get(a.seed) ?? 0) - (seedOrder.get(b.seed) ?? 0) ||
      a.direction.localeCompare(b.direction) ||
      // Venues first: where the funds can be frozen is what the report is read for; the known
      // perpetrators the path went through follow, then where the funds left for chains not followed.
      kindOrder[a.kind] - kindOrder[b.kind] ||
      a.hops - b.hops ||
      a.firstBlock - b.firstBlock,
  );
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
  key: (name: string) => string,
): Promise<void> {
  const tipNumber = store.getMeta(key('tip_number'));
  const tipHash = store.getMeta(key('tip_hash'));
  const genesis = store.getMeta(key('genesis_hash'));
  if (genesis === null) {
    store.setMeta(key('genesis_hash'), (await headers.get(0)).hash);
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
  store.setMeta(key('tip_number'), String(head.number));
  store.setMeta(key('tip_hash'), head.hash);
}


async function resolveRange(
  req: Pick<TraceRequest, 'fromBlock' | 'toBlock' | 'since' | 'until'>,
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

/**
 * Path steps of transfers on one chain: block times checked against the stored hashes (a reorg deeper
 * than --finality-depth is refused), symbols and decimals, evidence on both ends.
 */
async function pathSteps(cr: ChainRun, transfers: readonly Transfer[]): Promise<PathStep[]> {
  // Block times are shown for path steps only: the totals into a venue can be thousands of transfers,
  // and a header each would cost a call each for nothing on screen.
  const headers = cr.c.conn.headers;
  const blocks = [...new Set(transfers.map((t) => t.blockNumber))];
  const headerList = await Promise.all(blocks.map((n) => headers.get(n)));
  const byNumber = new Map(headerList.map((h) => [h.number, h]));
  for (const t of transfers) {
    const h = byNumber.get(t.blockNumber);
    if (h && h.hash !== t.blockHash) {
      throw new UsageError(
        `block ${t.blockNumber} now has hash ${h.hash}, but a stored transfer says ${t.blockHash}: the chain reorganised deeper than --finality-depth.`,
        { hint: 'raise --finality-depth, or trace again with a new --db' },
      );
    }
  }
  // A swap the step's sender made into the step's asset before paying it (the taint crossed it).
  const swapOf = new Map(transfers.map((t) => [t, swapBefore(cr.conversions, t)] as const));
  const swapAssets = [...swapOf.values()].flatMap((c) => (c ? [c.assetIn, c.assetOut] : []));
  const assets = [...new Set([...transfers.map((t) => t.asset), ...swapAssets])];
  const metas = new Map(await Promise.all(assets.map(async (a) => [a, await assetMeta(cr, a)] as const)));
  const meta = (asset: Asset): { symbol: string | null; decimals: number | null } => metas.get(asset) ?? { symbol: null, decimals: null };
  return transfers.map((t): PathStep => {
    const swap = swapOf.get(t);
    const at = byNumber.get(t.blockNumber)?.timestamp ?? null;
    return {
      chainId: cr.chainId,
      from: t.from,
      to: t.to,
      txHash: t.txHash,
      blockNumber: t.blockNumber,
      blockHash: t.blockHash,
      timestamp: at,
      asset: t.asset,
      ...(metas.get(t.asset) ?? { symbol: null, decimals: null }),
      amount: t.amount,
      kind: t.kind,
      ref: t.ref,
      crossing: null,
      fromEvidence: addressEvidence(cr.known, t.from, at),
      toEvidence: addressEvidence(cr.known, t.to, at),
      ...(swap ? { swap: pathSwap(swap, meta) } : {}),
    };
  });
}

/** The walk's venue and known-perpetrator hits of one chain, as report hits (not yet sorted). */
async function assembleHits(cr: ChainRun, raw: RawHit[]): Promise<Hit[]> {
  const known = cr.known;
  const steps = await pathSteps(cr, raw.flatMap((h) => h.path));
  // Each venue's first and last arrival, whose times the report shows (runReport.ts reads them from the
  // store): a block scan no longer stores every block's header (sources/validate.ts, headerCover).
  // A loop, not Math.min(...list): a venue can receive more transfers than a call has arguments.
  const spans = raw.map((h) => {
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const t of h.transfers) {
      first = Math.min(first, t.blockNumber);
      last = Math.max(last, t.blockNumber);
    }
    return { first, last };
  });
  const ends = spans.flatMap((s, i) => (raw[i]!.transfers.length === 0 ? [] : [s.first, s.last]));
  await Promise.all([...new Set(ends)].map((n) => cr.c.conn.headers.get(n)));
  const stepOf = new Map(raw.flatMap((h) => h.path).map((t, i) => [t, steps[i]!]));
  const assets = [...new Set(raw.flatMap((h) => h.transfers).map((t) => t.asset))];
  const metas = new Map(await Promise.all(assets.map(async (a) => [a, await assetMeta(cr, a)] as const)));
  const meta = (asset: Asset): { symbol: string | null; decimals: number | null } => metas.get(asset) ?? { symbol: null, decimals: null };
  return raw.map((h, i): Hit => {
    const totals = new Map<Asset, { amount: bigint; transfers: number }>();
    for (const t of h.transfers) {
      const cur = totals.get(t.asset) ?? { amount: 0n, transfers: 0 };
      cur.amount += t.amount;
      cur.transfers++;
      totals.set(t.asset, cur);
    }
    const path = h.path.map((t) => stepOf.get(t)!);
    // The hop that touches the venue: the last step of an `out` path, the first of an `in` path.
    const venueStep = h.direction === 'out' ? path[path.length - 1] : path[0];
    return {
      kind: h.kind === 'known-perpetrator' ? 'known-perpetrator' : 'venue',
      chainId: cr.chainId,
      seed: h.seed,
      address: h.venue,
      ...hitIdentity(h, venueStep?.timestamp ?? null),
      direction: h.direction,
      hops: h.path.length,
      path,
      totals: [...totals].map(([asset, v]) => ({ asset, ...meta(asset), amount: v.amount, transfers: v.transfers })),
      firstBlock: spans[i]!.first,
      lastBlock: spans[i]!.last,
      via: h.deposit ? 'deposit' : 'label',
      deposit: h.deposit
        ? { ...h.deposit.evidence, origin: h.deposit.known ? 'learned' : 'detected', learnedAt: h.deposit.learnedAt }
        : null,
      exit: null,
      evidence: hitEvidence(h, known),
      perpetrator: h.perpetrator
        ? { label: h.perpetrator.label, incident: h.perpetrator.incident, tier: h.perpetrator.tier, source: h.perpetrator.source }
        : null,
    };
  });
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
