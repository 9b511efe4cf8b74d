import { UsageError } from '../errors.js';
import { attribute, storedIsToken, storedTable, traceKey, type Attribution, type AttributionOptions } from '../graph/index.js';
import { nativeSymbol } from '../labels/chains.js';
import { labelDataSha256 } from '../labels/files.js';
import { labelDataVersion, loadLabelBook } from '../labels/load.js';
import { overlayUserLabels } from '../labels/overlay.js';
import { seedBook } from '../labels/seeds.js';
import { NOT_ATTRIBUTED, assetOrder, type AssetMeta, type AttributionReport, type UnattributedVenue } from '../report/attribution.js';
import { nativeSymbolOf } from '../report/crossChain.js';
import { fromJsonValue } from '../report/fromJson.js';
import type { FullReport } from '../report/full.js';
import { toJsonValue, type TraceReportJson } from '../report/json.js';
import type { Manifest } from '../report/manifest.js';
import type { NewTraceRun, TraceRun } from '../store/runs.js';
import { createStore, type Store } from '../store/store.js';
import type { PathStep, TraceResult } from '../trace/result.js';
import { REPORT_SCHEMA_VERSION } from '../trace/result.js';
import { tracedEdgesOf } from '../trace/run.js';
import { NATIVE, type Address, type Asset, type Conversion, type Label, type LabelCategory, type Transfer } from '../types.js';
import { packageVersion } from '../util/package.js';
import { redactUrl } from '../rpc/redact.js';

/** Seeds beyond this many are attributed together only: one pass per seed would cost a pass each. */
export const PER_SEED_MAX = 20;

/**
 * Records a finished trace in the database (table trace_runs): what was asked, against what, and the
 * JSON report it gave (`json`: the run's report JSON, built once by the caller and shared with its other
 * outputs). `hoptrace report` reads it back without an RPC.
 */
export function recordRun(store: Store, result: TraceResult, json: TraceReportJson = toJsonValue(result)): TraceRun {
  const run: NewTraceRun = {
    createdAt: result.generatedAt,
    chainId: result.chainId,
    toolVersion: result.tool.version,
    rpc: result.rpc,
    fromBlock: result.params.fromBlock,
    toBlock: result.params.toBlock,
    labelDataVersion: result.labels.dataVersion,
    labelDataSha256: labelDataSha256(),
    userLabels: result.labels.userLabels,
    seeds: result.seeds.map((s) => s.address),
    params: json.params as unknown as Record<string, unknown>,
    result: JSON.stringify(json),
  };
  return { id: store.runs.record(run, tracedEdgesOf(result)), ...run };
}

/**
 * Everything `hoptrace report` and `export` render for a run, from the database alone: the run's stored
 * report, and the attribution computed now over the stored transfers of the run's block range.
 *
 * Why recompute rather than store the attribution: the movements a run read are in the database (a
 * reorg rolls back only what the chain replaced), the computation is deterministic and takes one pass,
 * and a later run that reads more of the graph (the inflows of an address, say) makes the haircut and
 * FIFO figures of an earlier run more complete rather than stale. The manifest says which run, range,
 * label data and parameters the figures rest on; `transfersRead` how many movements they came from.
 */
export function assembleReport(
  store: Store,
  runId: number | undefined,
  // A run across chains: its other chains' movements are read through a handle of each (a store handle
  // reads one chain), read-only on the same file unless the caller opens them otherwise.
  chainStore: (chainId: number) => Store = (chainId) => createStore(store.path, { readonly: true, chainId }),
): FullReport & { run: TraceRun; json: TraceReportJson } {
  const run = store.runs.get(runId);
  const others: Store[] = [];
  try {
    // A cross-chain run may have started on another chain than the one the file was first bound to: it
    // is read through that chain's handle.
    let home = store;
    if (store.chainId() !== null && store.chainId() !== run.chainId) {
      home = chainStore(run.chainId);
      others.push(home);
    }
    return assembleOn(home, run, others, chainStore);
  } finally {
    for (const o of others) o.close();
  }
}

/**
 * The endpoints a run recorded (`TraceRun.rpc`, or its report's `rpc`: a pool's joined by ' + ', rpc/pool.ts),
 * each masked again: an older release's redaction kept more (rpc/redact.ts).
 */
export function storedEndpoints(rpc: string): string[] {
  return rpc.split(' + ').map(redactUrl);
}

/** A stored run's report read back (its endpoints masked again, storedEndpoints), as report, export and stats show it. */
export function storedResult(store: Store, run: TraceRun): TraceResult {
  const result = fromJsonValue(JSON.parse(run.result), `trace run ${run.id} of ${store.path}`);
  result.rpc = storedEndpoints(result.rpc).join(' + ');
  return result;
}

/** assembleReport once the run is read; `others` collects the handles opened for the run's other chains (closed by the caller). */
function assembleOn(store: Store, run: TraceRun, others: Store[], chainStore?: (chainId: number) => Store): FullReport & { run: TraceRun; json: TraceReportJson } {
  const result = storedResult(store, run);
  if (store.chainId() !== null && store.chainId() !== run.chainId) {
    throw new UsageError(`trace run ${run.id} is of chain ${run.chainId}, but database ${store.path} holds chain ${store.chainId()}.`);
  }
  // The run stored 'evm' when no chain's own labels applied (only the every-EVM-chain rows).
  const labelChain = result.labelChain === 'evm' ? null : result.labelChain;
  const labels = overlayUserLabels(loadLabelBook(labelChain), store.userLabels.all());
  const seeds = result.seeds.map((s) => s.address);
  const seedList = seedBook(labelChain);
  const seedSet = new Set(seeds);
  const minValue = new Map<string, bigint>(Object.entries(result.params.minValue).map(([k, v]) => [k, BigInt(v)]));
  // A deposit address the run found (or had learned) is the exchange's venue where it stands, as in the
  // hop report: the taint that reached it reached the exchange.
  // (Only a last-hop deposit address is a hit of its own since report schema 2; a known-perpetrator hit
  // is no venue: the walk followed on through it.)
  const deposits = new Map<Address, Pick<Label, 'entity' | 'category' | 'risk'>>();
  for (const h of result.hits) {
    if (h.deposit && h.category !== 'known-perpetrator') deposits.set(h.address, { entity: h.entity, category: h.category, risk: h.risk });
  }
  // The graph the run's walk followed, when the run recorded it: attribution, exports and the HTML
  // graph all draw it. A movement rolled back since (a deep reorg) is no longer there to draw.
  const runEdges = store.runs.edges(run.id);
  const byChain = new Map<number, Store>([[run.chainId, store]]);
  if (chainStore) {
    for (const c of result.chains ?? []) {
      if (byChain.has(c.chainId)) continue;
      const handle = chainStore(c.chainId);
      others.push(handle);
      byChain.set(c.chainId, handle);
    }
  }
  // Each edge is looked up on its own chain (a chain without a handle here: its movements are not drawn).
  const traced = runEdges?.flatMap((e) => {
    const transfer = byChain.get(e.chainId)?.transfer(e.txHash, e.ref);
    return transfer ? [{ transfer, hop: e.hop }] : [];
  }) ?? null;
  const opts: AttributionOptions = {
    seeds,
    venue: (a: Address) => {
      // A seed-list address is a known perpetrator, never a venue, whatever a label says of it.
      if (seedSet.has(a) || seedList.get(a)) return undefined;
      const l = labels.get(a) ?? deposits.get(a);
      return l && { entity: l.entity, category: l.category, risk: l.risk };
    },
    hops: result.params.hops,
    stopAtLabels: result.params.stopAtLabels,
    hubs: new Set(result.coverage.hubs.map((h) => h.address)),
    minValue: (asset: Asset) => minValue.get(asset) ?? 0n,
    isToken: storedIsToken(store),
    ...(traced ? { traced: new Set(traced.map((e) => traceKey(e.transfer))) } : {}),
    // DEX swaps read for the addresses the walk reached (another run's, of addresses this one did not
    // reach, change nothing): taint crosses from the asset paid in to the asset paid out.
    ...(store.chainId() === null ? {} : { conversions: runSwaps(store, run, traced) }),
  };
  const notes: string[] = [
    ...(traced
      ? []
      : [`Trace run ${run.id} was recorded before runs kept the movements their walk followed: the graph and the attribution are of every stored movement the models reach (trace again to draw exactly the walk's graph).`]),
    'Haircut and FIFO see the inflows the database holds: a forward trace reads what the followed addresses sent, and their other inflows only where a query read them; value spent beyond the inflows seen counts as of unknown origin, so where clean inflows were not read these two models over-state the tainted share. Gas fees are not modelled.',
  ];
  let attribution: Attribution;
  let perSeed: AttributionReport['perSeed'] = null;
  if (result.params.direction === 'in') {
    notes.push('This run traced backward (--direction in): value attribution follows funds forward from the seeds, so it is empty here.');
    attribution = attribute([], opts);
  } else {
    // Read once, as columns (graph/table.ts): the passes per seed reuse them and their chain order.
    const rows = storedTable(store, { fromBlock: run.fromBlock, toBlock: run.toBlock });
    attribution = attribute(rows, opts);
    if (seeds.length > PER_SEED_MAX) {
      notes.push(`Per-seed figures are left out: ${seeds.length} seeds (more than ${PER_SEED_MAX}) are attributed together.`);
    } else if (seeds.length === 1) {
      perSeed = [{ seed: seeds[0]!, attribution }];
    } else {
      perSeed = seeds.map((seed) => ({ seed, attribution: attribute(rows, { ...opts, seeds: [seed] }) }));
    }
  }

  // The run's hops should all still be stored; a reorg deeper than the finality depth, handled by a
  // later run, can have rolled some back, and the attribution then rests on a different graph.
  // Each step is looked up on its own chain's handle (a crossing is no stored movement; a chain without a
  // handle here cannot be checked).
  const steps = new Set(
    result.hits.flatMap((h) => h.path.filter((p) => p.kind !== 'bridge' && byChain.has(p.chainId ?? result.chainId)).map((p) => `${p.chainId ?? result.chainId}|${p.txHash}|${p.ref}`)),
  );
  const gone = [...steps].filter((k) => {
    const [chain, tx, ref] = k.split('|') as [string, string, string];
    return !byChain.get(Number(chain))!.hasTransfer(tx, ref);
  }).length;
  if (gone > 0) {
    notes.push(`${gone} hop${gone === 1 ? '' : 's'} of this run ${gone === 1 ? 'is' : 'are'} no longer in the database (rolled back after a reorg): the attribution rests on what is stored now; trace again for a consistent report.`);
  }

  const assets = new Map<Asset, AssetMeta>();
  const symbol = nativeSymbol(labelChain) ?? 'native';
  /** An asset's symbol and decimals on the chain it moved on (`native`: that chain's coin). */
  const metaOn = (asset: Asset, chainId: number, nativeSym: string | null): AssetMeta => {
    if (asset === NATIVE) return { symbol: nativeSym, decimals: 18 };
    // Never another chain's handle: a token address may name another token there.
    const info = byChain.get(chainId)?.tokens.get(asset);
    return { symbol: info?.symbol ?? null, decimals: info?.decimals ?? null };
  };
  const noteAsset = (asset: Asset, chainId: number = run.chainId): void => {
    if (!assets.has(asset)) assets.set(asset, metaOn(asset, chainId, symbol));
  };
  const times = new Map<number, number>();
  const noteBlock = (n: number): void => {
    if (times.has(n)) return;
    const h = store.block(n);
    if (h) times.set(n, h.timestamp);
  };
  for (const e of attribution.edges) noteAsset(e.transfer.asset, e.transfer.chainId);
  // Another chain's assets are keyed by chain too (`native` there is that chain's coin; a token address
  // may name another token on another chain): the home chain's `assets` never hold them.
  const chainAssets = new Map<string, AssetMeta>();
  for (const e of traced ?? []) {
    const { chainId, asset } = e.transfer;
    if (chainId === run.chainId) noteAsset(asset, chainId);
    else if (!chainAssets.has(`${chainId}:${asset}`)) chainAssets.set(`${chainId}:${asset}`, metaOn(asset, chainId, nativeSymbolOf(result, chainId)));
  }
  for (const m of [attribution.takenIn.poison, attribution.converted.in.poison, attribution.converted.out.poison]) for (const k of m.keys()) noteAsset(k);
  for (const h of attribution.frontier) for (const m of [h.held, h.notFollowed]) for (const k of m.poison.keys()) noteAsset(k);
  for (const v of attribution.venues) {
    noteBlock(v.first.block);
    noteBlock(v.last.block);
  }

  // Raw units only where the token did not answer, and then the report says so.
  const raw = [...assets].filter(([asset, m]) => asset !== NATIVE && m.decimals === null).map(([asset]) => asset);
  if (raw.length > 0) {
    const unread = raw.filter((a) => store.tokens.get(a) === null);
    const silent = raw.filter((a) => store.tokens.get(a) !== null);
    if (silent.length > 0) notes.push(`Raw units: the token${silent.length === 1 ? '' : 's'} ${silent.join(', ')} did not answer decimals(); ${silent.length === 1 ? 'its' : 'their'} amounts are in base units.`);
    if (unread.length > 0) notes.push(`Raw units: the decimals() of ${unread.join(', ')} ${unread.length === 1 ? 'was' : 'were'} never read (a run recorded before tokens were read for every traced asset); trace again with this database to read ${unread.length === 1 ? 'it' : 'them'}.`);
  }
  const notAttributed = unattributedVenues(result, traced, chainAssets, (chainId, block) => byChain.get(chainId)?.block(block)?.timestamp ?? null);
  if (notAttributed.length > 0) {
    notes.push(
      `Attribution runs over the home chain (${run.chainId}) only: ${notAttributed.length} venue${notAttributed.length === 1 ? '' : 's'} the walk reached on another chain (across a bridge, or from a seed there) ${notAttributed.length === 1 ? 'is' : 'are'} listed with the traced amounts that reached ${notAttributed.length === 1 ? 'it' : 'them'} (facts), ${NOT_ATTRIBUTED}; no model's figure is given there (assets of different chains are never added together).` +
        // A crossing whose arrival named no asset carries the exit's promise: said as such, not as a fact.
        (notAttributed.some((v) => v.traced.some((t) => t.promised)) ? " A figure marked promised (a crossing's arrival whose asset and amount no log or call showed) is the exit's promise on its source chain, not a delivery seen." : ''),
    );
  }
  const json = toJsonValue(result);
  const manifest = manifestOf(store, run, result, json);
  if (run.labelDataVersion !== labelDataVersion()) {
    notes.push(`The bundled label data changed since the run (run: ${run.labelDataVersion}, now: ${labelDataVersion()}): venues are named with today's labels.`);
  }
  return { run, result, json, manifest, attribution: { attribution, perSeed, assets, chainAssets, times, notes, traced, notAttributed } };
}

/**
 * The manifest of a recorded run: what its figures rest on (versions, run, chain, endpoints redacted,
 * block range, label data version and sha256, parameters, seeds). `trace --json` and every format of
 * `report` carry it. `json` is the run's report JSON when the caller has built it.
 */
export function manifestOf(store: Store, run: TraceRun, result: TraceResult, json: TraceReportJson = toJsonValue(result)): Manifest {
  return {
    tool: { name: 'hoptrace', version: packageVersion() },
    reportSchemaVersion: REPORT_SCHEMA_VERSION,
    databaseSchemaVersion: store.schemaVersion(),
    run: { id: run.id, tracedAt: run.createdAt, toolVersion: run.toolVersion },
    chainId: run.chainId,
    rpc: storedEndpoints(run.rpc),
    blockRange: { fromBlock: run.fromBlock, toBlock: run.toBlock },
    labels: { dataVersion: run.labelDataVersion, sha256: run.labelDataSha256, userLabels: run.userLabels },
    params: json.params,
    seeds: result.seeds.map((s) => s.address),
    generatedAt: new Date().toISOString(),
  };
}

/** The stored swaps of the run's range whose holder the run's walk reached (every one, for a run recorded before its edges were kept). */
function runSwaps(store: Store, run: { fromBlock: number; toBlock: number }, traced: { transfer: Transfer }[] | null): Conversion[] {
  const all = store.swaps.inRange(run.fromBlock, run.toBlock);
  if (!traced) return all;
  const reached = new Set(traced.flatMap((e) => [e.transfer.from, e.transfer.to]));
  return all.filter((c) => reached.has(c.holder));
}

/**
 * The venue hits of a run across chains that stand on another chain than the home chain, with the
 * traced movements into each (on its chain): their amounts per asset of that chain, named with that
 * chain's token metadata (`native`: the chain's own coin). Empty for a run on one chain, or one recorded
 * before runs kept their walk's edges.
 */
export function unattributedVenues(
  result: TraceResult,
  traced: { transfer: Transfer; hop: number }[] | null,
  chainAssets: ReadonlyMap<string, AssetMeta>,
  blockTime: (chainId: number, block: number) => number | null,
): UnattributedVenue[] {
  if (!traced) return [];
  const out = new Map<string, UnattributedVenue>();
  for (const h of result.hits) {
    const chainId = h.chainId ?? result.chainId;
    if (h.kind !== 'venue' || chainId === result.chainId) continue;
    const key = `${chainId}:${h.address}`;
    const route = h.path.every((s) => !s.crossing || s.crossing.link.evidence === 'fact') ? 'fact' : 'inference';
    const had = out.get(key);
    if (had) {
      had.hops = Math.min(had.hops, h.hops);
      if (route === 'fact') had.route = 'fact';
      continue;
    }
    const movements = traced.filter((e) => e.transfer.chainId === chainId && e.transfer.to === h.address).map((e) => e.transfer);
    movements.sort((x, y) => x.blockNumber - y.blockNumber || x.txIndex - y.txIndex || x.ref.localeCompare(y.ref));
    const meta = new Map<Asset | null, { symbol: string | null; decimals: number | null }>();
    let into: { blockNumber: number; txHash: string; asset: Asset | null; amount: bigint; promised?: boolean }[] = movements;
    if (into.length === 0) {
      // A bridge's payee that is itself the venue: the crossing steps into it are its arrivals (no
      // movement of that chain's walk reaches it); one that names no asset is counted with it unnamed.
      const steps = result.hits
        .filter((x) => x.kind === 'venue' && (x.chainId ?? result.chainId) === chainId && x.address === h.address)
        .map((x) => x.path[x.path.length - 1])
        .filter((s): s is PathStep => s !== undefined && s.kind === 'bridge' && s.to === h.address);
      const seen = new Map(steps.map((s) => [`${s.txHash}:${s.ref}`, s]));
      into = [...seen.values()].sort((x, y) => x.blockNumber - y.blockNumber || x.ref.localeCompare(y.ref));
      for (const s of seen.values()) meta.set(s.asset, { symbol: s.symbol, decimals: s.decimals });
    }
    if (into.length === 0) continue;
    // Per asset, the amounts seen apart from the exits' promises (PathStep.promised): never added together.
    const sums = new Map<string, { asset: Asset | null; promised: boolean; amount: bigint }>();
    for (const t of into) {
      const k = `${t.asset}|${t.promised === true}`;
      const had = sums.get(k);
      if (had) had.amount += t.amount;
      else sums.set(k, { asset: t.asset, promised: t.promised === true, amount: t.amount });
    }
    const first = into[0]!;
    const last = into[into.length - 1]!;
    out.set(key, {
      address: h.address,
      chainId,
      entity: h.entity,
      // A venue hit's category is a label's (known-perpetrator is another kind of hit).
      category: h.category as LabelCategory,
      risk: h.risk,
      hops: h.hops,
      arrivals: into.length,
      route,
      first: { blockNumber: first.blockNumber, txHash: first.txHash, timestamp: blockTime(chainId, first.blockNumber) },
      last: { blockNumber: last.blockNumber, txHash: last.txHash, timestamp: blockTime(chainId, last.blockNumber) },
      traced: [...sums.values()]
        .sort((x, y) => Number(x.promised) - Number(y.promised) || (x.asset === null ? 1 : y.asset === null ? -1 : assetOrder(x.asset, y.asset)))
        .map(({ asset, promised, amount }) => {
          const m = meta.get(asset) ?? chainAssets.get(`${chainId}:${asset}`);
          return { asset, symbol: m?.symbol ?? null, decimals: m?.decimals ?? null, amount, ...(promised ? { promised: true as const } : {}) };
        }),
    });
  }
  return [...out.values()].sort((a, b) => a.chainId - b.chainId || a.hops - b.hops || a.address.localeCompare(b.address));
}
