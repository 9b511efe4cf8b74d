/**
 * Reads transfers from the RPC into the store, fetching only what the store does not hold yet, with the
 * cheapest source the endpoint offers (sources.ts lists them; each is one file implementing source.ts):
 * - ERC-20 (and WETH wraps): eth_getLogs by from/to topic per address, or by block range for everyone;
 * - native and internal: trace_filter per address, or trace_block / debug_traceBlockByHash per block;
 *   without any of those, only top-level transfers from block bodies, and the coverage says so.
 * - or, for a whole hop level at once, by address set: one trace_filter / eth_getLogs per block range for
 *   a set of addresses (logsBySet.ts, traceFilterByAddress.ts traceFilterBySet), each address of the set
 *   marked as if read alone; a set the endpoint refuses is split (setSize.ts learns the size per endpoint),
 *   down to one address, whose range is then split as any per-address query's.
 * Per address, by set or per block is chosen by the planner (planner.ts) by the time each plan is expected
 * to take, or by the credits its calls cost (`objective`). Rows and their interval markers are written in
 * one transaction (Store.commit).
 */
import { HoptraceError, RpcError } from '../errors.js';
import { standInCredits, type PriceTable } from '../rpc/price.js';
import { readPriceTable } from '../rpc/priceFile.js';
import type { RpcClient } from '../rpc/client.js';
import { MethodUnsupportedError } from '../rpc/errors.js';
import { fetchRangeAdaptive, learnedSpan, parseRangeError } from '../rpc/ranges.js';
import { ANY_ADDRESS, type IntervalMark, type Store } from '../store/store.js';
import type { Address, Transfer } from '../types.js';
import { difference, size, union, type Interval } from '../util/intervals.js';
import { plural } from '../util/plural.js';
import { callCosts } from './cost.js';
import { createHeaderCache, type HeaderCache } from './headers.js';
import { choosePlan, type Objective, type PlanKind, type SideNeeds, type Strategy } from './planner.js';
import { forgetCapabilities, probeCapabilities, readCapabilities, type Capabilities } from './probe.js';
import { isRangeQueryError, keyFor, storedKey, keyCovers, type Part, type RangeKey, type SetSource, type Side, type Source, type SourceContext } from './source.js';
import { createSetSources, createSources } from './sources.js';
import { learnedSetSize, setAnswered, setRefused } from './setSize.js';
import { createBlockCheck } from './validate.js';

export type { Objective, Strategy } from './planner.js';

/** What the walker asks for: every transfer out of (`from`) or into (`to`) an address in a block range. */
export interface FetchNeed {
  address: Address;
  side: Side;
  from: number;
  to: number;
  /** Only the token/WETH logs are wanted, not native transfers. */
  logsOnly?: boolean;
}

/** What the walk knows about what comes after this batch of needs. */
export interface EnsureHint {
  /**
   * Hop levels still to walk, this one included. A block scan serves every later level too, per-address
   * queries are paid again at each: the planner weighs them so. Default 1.
   */
  levelsLeft?: number;
}

export interface FetcherOptions {
  rpc: RpcClient;
  store: Store;
  chainId: number;
  /** The head block this run reads up to. */
  head: number;
  strategy: Strategy;
  /** What the planner's `auto` minimises; default `time`. */
  objective?: Objective;
  /** With objective `credits`: the table calls are priced in; the bundled one (rpc/priceFile.ts) when omitted. */
  priceTable?: PriceTable;
  /** A block scan longer than this is refused (native transfers then stay invisible, and the report says so). */
  maxScanBlocks: number;
  /** The run's header cache (Headers.cache from trace/run.ts connect); a new one when omitted. */
  headers?: HeaderCache;
  /** The sources, in order of preference; `createSources()` (sources.ts) when omitted. */
  sources?: readonly Source[];
  /** The address-set sources; `createSetSources()` when omitted. */
  setSources?: readonly SetSource[];
  onProgress?: (message: string) => void;
}

/** How one kind of transfer is read, for the report's coverage section. */
export interface CoverageNote {
  erc20: string | null;
  native: string | null;
  internal: string | null;
  warnings: string[];
}

/** Settles once the logs of blocks `a`..`b` are read (or will not be, this time): a scan's batch then chooses its headers. */
type LogsRead = (a: number, b: number) => Promise<unknown>;

/** Blocks per committed batch of a block scan, and batches read ahead of the one being written. */
const SCAN_BATCH = 64;
const SCAN_AHEAD = 3;

/** Reads transfers into the store; see the module comment. */
export interface Fetcher {
  ensure(needs: readonly FetchNeed[], hint?: EnsureHint): Promise<void>;
  /** Whether the store already holds everything `need` asks for (ensure would fetch nothing for it). */
  held(need: FetchNeed): boolean;
  coverage(): CoverageNote;
  /** Transfers this fetcher added to the store (rows already there are not counted). */
  stored(): number;
}

export function createFetcher(opts: FetcherOptions): Fetcher {
  const { rpc, store, chainId } = opts;
  const headers = opts.headers ?? createHeaderCache(rpc);
  const sources = opts.sources ?? createSources();
  const setSources = opts.setSources ?? createSetSources();
  // Credits without a table given: the bundled one, as `hoptrace stats` prices runs.
  const creditTable = opts.priceTable ?? (opts.objective === 'credits' ? readPriceTable() : undefined);
  let caps: Capabilities | null = null;
  const costs = callCosts(rpc, store);
  const warnings = new Set<string>();
  const used = { erc20: new Set<string>(), native: new Set<string>(), internal: new Set<string>() };
  let nativeInvisible = false;
  /** Logs and traces must name the block hash the header has (a node answering for another block). */
  const blockCheck = createBlockCheck(headers, store, opts.head);
  let inserted = 0;

  const capabilities = async (): Promise<Capabilities> => {
    caps ??= await probeCapabilities(rpc, store, opts.head);
    return caps;
  };
  const context = (c: Capabilities): SourceContext => ({ rpc, store, chainId, head: opts.head, caps: c, blockCheck, headers, warn: (m) => warnings.add(m) });
  /** Called after every commit (a scan waits for the logs of its blocks to be read: `logsRead`). */
  const committed = new Set<() => void>();
  const commit = (rows: Transfer[], marks: IntervalMark[]): void => {
    inserted += store.commit(rows, marks);
    for (const f of committed) f();
  };
  const noteUse = (s: Pick<Source, 'part' | 'label' | 'internal'>): void => {
    if (s.part === 'logs') used.erc20.add(s.label);
    else {
      used.native.add(s.label);
      if (s.internal) used.internal.add(s.label);
    }
  };

  /** The first source (in the registry's order of preference) of this part and scope the endpoint serves. */
  const pick = (c: Capabilities, part: Part, scope: Source['scope'], internal: boolean): Source | null =>
    sources.find((s) => s.part === part && s.scope === scope && (!internal || s.internal) && s.available(c)) ?? null;
  /**
   * The source of a part and scope to use: the first the endpoint serves, in the registry's order of
   * preference (native: one that sees internal movements too); where it serves none, the first registered,
   * which the planner prices and which is never fetched from (see `ensure`).
   */
  const preferred = (c: Capabilities, part: Part, scope: Source['scope']): Source =>
    pick(c, part, scope, part === 'native') ?? sources.find((s) => s.part === part && s.scope === scope && (part === 'logs' || s.internal))!;

  /** The range keys whose rows hold a need's `part` wholly (native: with internal movements) — or top-level only too. */
  const keysOf = (part: Part, topLevelToo = false): RangeKey[] => {
    const keys = sources.filter((s) => s.part === part && (part === 'logs' || s.internal || topLevelToo)).flatMap((s) => s.keys);
    return keys.filter((k, i) => keys.findIndex((o) => o.name === k.name) === i);
  };
  const LOG_KEYS = keysOf('logs');
  const NATIVE_KEYS = keysOf('native');

  /** What the store holds under `keys` for `address`'s `side`; block-scan keys read once per `memo`. */
  const holding = (keys: readonly RangeKey[], address: Address, side: Side, memo: Map<string, Interval[]>): Interval[] =>
    keys
      .filter((k) => keyCovers(k, side))
      .flatMap((k) => {
        const s = storedKey(k, address);
        if (k.scope === 'address') return store.intervals(s.address, s.source);
        let have = memo.get(k.name);
        if (!have) memo.set(k.name, (have = store.intervals(ANY_ADDRESS, k.name)));
        return have;
      });

  /**
   * The parts of `range` that no key of `keys` holds for `address`'s `side`: what difference(range,
   * holding(…)) gives, with the block-scan keys (read once per `memo`) taken first, and an address's own
   * intervals read only for what they leave. After a block scan the window is held already: a hop level of
   * 20,000 addresses then reads no interval per address (at 20,000 bench addresses these reads were 130 ms).
   */
  const uncovered = (keys: readonly RangeKey[], address: Address, side: Side, range: Interval, memo: Map<string, Interval[]>): Interval[] => {
    let parts: Interval[] = range[0] <= range[1] ? [range] : [];
    for (const scope of ['block', 'address'] as const) {
      for (const k of keys) {
        if (parts.length === 0) return parts;
        if (k.scope !== scope || !keyCovers(k, side)) continue;
        let have = k.scope === 'address' ? null : memo.get(k.name);
        if (!have) {
          const s = storedKey(k, address);
          have = store.intervals(s.address, s.source);
          if (k.scope === 'block') memo.set(k.name, have);
        }
        const held = have;
        parts = parts.length === 1 ? difference(parts[0]!, held) : parts.flatMap((p) => difference(p, held));
      }
    }
    return parts;
  };

  /** The parts of a need's window the store does not hold yet, for logs and for native movements. */
  const missing = (need: FetchNeed, memo: Map<string, Interval[]>): { logParts: Interval[]; nativeParts: Interval[] } => {
    const range: Interval = [need.from, need.to];
    return {
      logParts: uncovered(LOG_KEYS, need.address, need.side, range, memo),
      nativeParts: need.logsOnly ? [] : uncovered(NATIVE_KEYS, need.address, need.side, range, memo),
    };
  };

  /** Reads `range` with a range source, committing each chunk with its interval marker. */
  const readRange = (s: Source, c: Capabilities, address: Address, side: Side, range: Interval): Promise<void> => {
    if (s.unit.kind !== 'range') throw new Error(`source ${s.name} is not read by block range`);
    noteUse(s);
    const ctx = context(c);
    const mark = storedKey(keyFor(s, side), address);
    // Only a failure of the range query itself (tagged by setSize.ts rangeQuery, as every range source's
    // query is) may shrink the range: a transaction tree or a header read after it failing is carried past
    // the range walk unsplit (a failed tree is forgotten and would be asked again at every halving).
    return fetchRangeAdaptive({
      key: s.unit.spanKey,
      client: rpc,
      from: range[0],
      to: range[1],
      fetch: async (a, b) => {
        try {
          return await s.fetch(ctx, { address, side }, a, b);
        } catch (err) {
          throw isRangeQueryError(err) ? err : new NotAboutRange(err);
        }
      },
      onChunk: (a, b, raw) => commit(s.decode(ctx, raw), [{ ...mark, from: a, to: b }]),
    }).catch((err: unknown) => {
      throw err instanceof NotAboutRange ? err.cause : err;
    });
  };

  /**
   * Reads `range` for every address of `group` on `side` with a set source, committing each chunk with an
   * interval marker per address. A set the endpoint refuses as too large (its query, not a tree read
   * after it, timed out over any span, or drew a complaint that names no block cap: `refusesSet`) is
   * split in two from the refused chunk on, and the set size the
   * endpoint takes is learned smaller (setSize.ts); a set of one address is a per-address query, whose
   * range is split as any (rpc/ranges.ts). A stated block cap shrinks the range, not the set.
   */
  const readSet = async (s: SetSource, c: Capabilities, group: readonly Address[], side: Side, range: Interval): Promise<void> => {
    const ctx = context(c);
    const key = keyFor(s, side);
    let refusedAt = -1;
    try {
      await fetchRangeAdaptive({
        key: s.spanKey,
        client: rpc,
        from: range[0],
        to: range[1],
        fetch: async (a, b) => {
          try {
            return await s.fetch(ctx, { addresses: group, side }, a, b);
          } catch (err) {
            if (group.length > 1 && refusesSet(err, a, b)) {
              refusedAt = a;
              throw new SetRefused(err);
            }
            // A tree or header read after the query failed: nothing about the range, not to be split.
            throw isRangeQueryError(err) ? err : new NotAboutRange(err);
          }
        },
        onChunk: (a, b, raw) => {
          commit(
            s.decode(ctx, raw),
            group.map((address) => ({ ...storedKey(key, address), from: a, to: b })),
          );
          setAnswered(rpc, s.spanKey, group.length);
        },
      });
    } catch (err) {
      if (err instanceof NotAboutRange) throw err.cause;
      if (!(err instanceof SetRefused)) throw err;
      setRefused(rpc, s.spanKey, group.length);
      const half = Math.ceil(group.length / 2);
      opts.onProgress?.(`the endpoint refused a set of ${plural(group.length, 'address')}: asking ${half} at a time`);
      await settleAll([group.slice(0, half), group.slice(half)].map((g) => readSet(s, c, g, side, [refusedAt, range[1]])));
    }
  };

  /** Reads one part of `work` by address set: per side, per block range some address lacks, sets of the learned size. */
  const readSets = (s: SetSource, c: Capabilities, work: readonly { need: FetchNeed; parts: Interval[] }[]): Promise<void>[] => {
    noteUse(s);
    const jobs: Promise<void>[] = [];
    for (const side of ['from', 'to'] as const) {
      const mine = work.filter((w) => w.need.side === side);
      for (const r of union(mine.flatMap((w) => w.parts))) {
        const inside = mine.filter((w) => w.parts.some((p) => p[0] <= r[1] && p[1] >= r[0])).map((w) => w.need.address);
        const addresses = [...new Set(inside)].sort();
        const per = learnedSetSize(rpc, s.spanKey);
        for (let i = 0; i < addresses.length; i += per) jobs.push(readSet(s, c, addresses.slice(i, i + per), side, r));
      }
    }
    return jobs;
  };

  /**
   * Reads every block of `range` with a block source, one block per call, committing in batches of
   * SCAN_BATCH blocks, in order. A few batches are in flight at once, so the node keeps working on the
   * next blocks while a finished batch is written (a write blocks this thread; with one batch at a time
   * the node would idle through every write). A source whose answers are checked by hash alone
   * (`checksHeaders`) has the fewest headers chosen for each batch once `logsRead` of the batch settles
   * (its blocks' logs read: their own headers are then held and witness those blocks for free;
   * validate.ts headerCover).
   */
  const scanBlocks = async (s: Source, c: Capabilities, range: Interval, logsRead: LogsRead): Promise<void> => {
    noteUse(s);
    const ctx = context(c);
    const mark = storedKey(keyFor(s, 'from'), ANY_ADDRESS);
    const batches: Interval[] = [];
    for (let start = range[0]; start <= range[1]; start += SCAN_BATCH) batches.push([start, Math.min(start + SCAN_BATCH - 1, range[1])]);
    const plan = s.checksHeaders === true ? blockCheck.planScan() : null;
    const read = ([a, b]: Interval): Promise<Transfer[]> => {
      plan?.batch(a, b, logsRead(a, b));
      const calls: Promise<Transfer[]>[] = [];
      for (let n = a; n <= b; n++) calls.push(s.fetch(ctx, { address: ANY_ADDRESS, side: 'from' }, n, n).then((raw) => s.decode(ctx, raw)));
      const p = Promise.all(calls).then((r) => r.flat());
      p.catch(() => undefined); // awaited below in order; a batch after a failed one must not go unhandled
      return p;
    };
    try {
      const inFlight = batches.slice(0, SCAN_AHEAD).map(read);
      for (let i = 0; i < batches.length; i++) {
        const rows = await inFlight[i]!;
        if (i + SCAN_AHEAD < batches.length) inFlight.push(read(batches[i + SCAN_AHEAD]!));
        const [start, end] = batches[i]!;
        commit(rows, [{ ...mark, from: start, to: end }]);
        opts.onProgress?.(`scanned blocks ${start}–${end} of ${range[0]}–${range[1]}`);
      }
    } finally {
      plan?.end();
    }
  };

  /** Native movements by reading whole blocks (without trace_filter, the only way to see them). */
  const scanNative = async (ranges: Interval[], c: Capabilities, logsRead: LogsRead = () => Promise.resolve()): Promise<void> => {
    const scan = pick(c, 'native', 'block', false)!;
    const memo = new Map<string, Interval[]>();
    const done = holding(keysOf('native', !scan.internal).filter((k) => k.scope === 'block'), ANY_ADDRESS, 'from', memo);
    const todo = union(ranges.flatMap((r) => difference(r, done)));
    if (size(todo) > opts.maxScanBlocks) {
      nativeInvisible = true;
      warnings.add(
        `native ETH transfers not read: this endpoint has no trace_filter, and a block scan of ${plural(size(todo), 'block')} exceeds --max-scan-blocks ${opts.maxScanBlocks}; narrow --from-block/--to-block or raise the limit.`,
      );
      return;
    }
    // A scan that reads each block whole hands its header over: the log checks of those blocks wait for
    // it rather than read it again.
    const handedOver = scan.seedsHeaders === true ? headers.expect(todo) : () => undefined;
    try {
      for (const r of todo) await scanBlocks(scan, c, r, logsRead);
    } finally {
      handedOver();
    }
  };

  const scanRanges = async (ranges: Interval[], c: Capabilities): Promise<void> => {
    const logs = preferred(c, 'logs', 'block');
    const logTodo = union(ranges.flatMap((r) => difference(r, store.intervals(ANY_ADDRESS, keyFor(logs, 'from').name))));
    const jobs: Promise<void>[] = logTodo.map((r) => readRange(logs, c, ANY_ADDRESS, 'from', r));
    // The scan chooses a batch's headers once the logs of its blocks are read (their own headers then
    // count): when the stored log ranges cover the batch, or the log reads have ended (done or failed).
    const logsEnded = Promise.allSettled(jobs);
    const logKey = keyFor(logs, 'from').name;
    const logsRead: LogsRead = (a, b) => {
      const held = (): boolean => difference([a, b], store.intervals(ANY_ADDRESS, logKey)).length === 0;
      if (held()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = (): void => {
          committed.delete(wake);
          resolve();
        };
        const wake = (): void => {
          if (held()) done();
        };
        committed.add(wake);
        void logsEnded.then(done);
      });
    };
    jobs.push(scanNative(ranges, c, logsRead));
    await settleAll(jobs);
  };

  const held = (need: FetchNeed): boolean => {
    const m = missing(need, new Map());
    return m.logParts.length === 0 && m.nativeParts.length === 0;
  };

  const ensure = async (needs: readonly FetchNeed[], hint: EnsureHint): Promise<void> => {
    const memo = new Map<string, Interval[]>();
    const logWork: { need: FetchNeed; parts: Interval[] }[] = [];
    const nativeWork: { need: FetchNeed; parts: Interval[] }[] = [];
    for (const need of needs) {
      const { logParts, nativeParts } = missing(need, memo);
      if (logParts.length) logWork.push({ need, parts: logParts });
      if (nativeParts.length) nativeWork.push({ need, parts: nativeParts });
    }
    if (logWork.length === 0 && nativeWork.length === 0) return;
    const c = await capabilities();

    const addressNative = preferred(c, 'native', 'address');
    const setLogs = setSources.find((s) => s.part === 'logs' && s.available(c)) ?? null;
    const setNative = setSources.find((s) => s.part === 'native' && s.internal && s.available(c)) ?? null;
    const table = creditTable;
    const plan = choosePlan({
      logParts: logWork.flatMap((w) => w.parts),
      nativeParts: nativeWork.flatMap((w) => w.parts),
      logSides: sidesOf(logWork),
      nativeSides: sidesOf(nativeWork),
      setLogs,
      setNative,
      setSize: (key) => learnedSetSize(rpc, key),
      objective: opts.objective ?? 'time',
      ...(table ? { price: (method: string) => table.methods.get(method)?.credits, standIn: standInCredits(table) } : {}),
      scannedFull: holding(NATIVE_KEYS.filter((k) => k.scope === 'block'), ANY_ADDRESS, 'from', memo),
      addressLogs: preferred(c, 'logs', 'address'),
      addressNative,
      scanLogs: preferred(c, 'logs', 'block'),
      scanNative: pick(c, 'native', 'block', true),
      span: (key) => learnedSpan(rpc, key),
      costs,
      strategy: opts.strategy,
      levels: hint.levelsLeft ?? 1,
      maxScanBlocks: opts.maxScanBlocks,
    });
    if (plan.scanRefused) {
      opts.onProgress?.(`not scanning ${plural(plan.blocksToRead, 'block')} (${plan.impossible.block!}): querying per address`);
    }
    if (plan.setRefused) opts.onProgress?.(`not reading by address set (${plan.impossible.set!}): querying per address`);
    const levels = Math.max(1, hint.levelsLeft ?? 1);
    const unit = plan.objective === 'credits' ? (table?.unit ?? 'credits') : 'ms of calls';
    // A plan the endpoint cannot serve has no price: said so, with why, not as one still to be measured.
    const shown = (kind: PlanKind, x: number): string => {
      const why = plan.impossible[kind];
      if (why !== undefined) return `not possible (${why})`;
      return Number.isFinite(x) ? `~${Math.round(x)} ${unit}` : 'not measured yet';
    };
    const figures = `block scan ${shown('block', plan.blockCost)}, per address ${shown('address', plan.addressCost)}, by set ${shown('set', plan.setCost)} over ${plural(levels, 'level')}`;
    if (plan.plan === 'block') {
      opts.onProgress?.(`reading ${plural(plan.blocksToRead, 'block')} whole (${figures})`);
      await scanRanges(plan.wanted, c);
      return;
    }
    if (plan.plan === 'set') {
      opts.onProgress?.(`reading transfers of ${plural(new Set(needs.map((n) => n.address)).size, 'address')} by address set (${figures})`);
      const jobs = logWork.length > 0 ? readSets(setLogs!, c, logWork) : [];
      if (nativeWork.length > 0) jobs.push(...readSets(setNative!, c, nativeWork));
      await settleAll(jobs);
      return;
    }

    opts.onProgress?.(`reading transfers of ${plural(new Set(needs.map((n) => n.address)).size, 'address')}`);
    const jobs: Promise<void>[] = [];
    const logs = preferred(c, 'logs', 'address');
    for (const { need, parts } of logWork) for (const p of parts) jobs.push(readRange(logs, c, need.address, need.side, p));
    if (addressNative.available(c)) {
      for (const { need, parts } of nativeWork) for (const p of parts) jobs.push(readRange(addressNative, c, need.address, need.side, p));
    } else if (nativeWork.length > 0) {
      jobs.push(scanNative(union(nativeWork.flatMap((w) => w.parts)), c));
    }
    await settleAll(jobs);
  };

  const coverage = (): CoverageNote => {
    // Capabilities are known if this run fetched anything, or from an earlier run's probe.
    const cachedCaps = store.getMeta(`caps:${rpc.endpoint}`);
    const c = caps ?? readCapabilities(cachedCaps);
    const notes: string[] = [];
    if (!c) return { erc20: 'eth_getLogs (stored)', native: 'stored data', internal: 'stored data', warnings: [...warnings] };
    const tracer = sources.find((s) => s.part === 'native' && s.internal && s.available(c))?.tracer ?? null;
    let native: string | null = tracer ?? sources.find((s) => s.part === 'native' && !s.internal)?.tracer ?? null;
    if (!tracer) {
      notes.push(
        'internal ETH transfers (sent by contracts) are not visible: the endpoint serves neither trace_filter, trace_block nor debug_traceBlockByHash, so funds moved by contracts are missing from this trace.',
      );
    }
    if (nativeInvisible) native = null;
    const describe = (s: Set<string>, fallback: string | null): string | null => (s.size ? [...s].join(', ') : fallback);
    const internal = tracer && !nativeInvisible ? describe(used.internal, tracer) : null;
    return {
      erc20: describe(used.erc20, 'eth_getLogs'),
      native: native === null ? null : describe(used.native, native),
      internal,
      warnings: [...notes, ...warnings],
    };
  };

  /**
   * Capabilities are probed once and kept. An endpoint (a load balancer, a changed plan) that later
   * refuses a method it served is not a fault to retry: the stored answer is dropped so the next run
   * probes again, and this run stops with a sentence saying so. What was stored is kept.
   */
  const ensureOrReprobe = async (needs: readonly FetchNeed[], hint: EnsureHint = {}): Promise<void> => {
    try {
      await ensure(needs, hint);
      costs.save();
    } catch (err) {
      if (!(err instanceof MethodUnsupportedError)) throw err;
      forgetCapabilities(rpc, store);
      throw new HoptraceError(
        `the endpoint ${rpc.endpoint} no longer serves ${err.method}, which it offered when first probed; run the trace again to probe it anew.`,
        { cause: err },
      );
    }
  };

  return { ensure: ensureOrReprobe, held, coverage, stored: () => inserted };
}

/** A set query refused as too large: the set is split (readSet). Not a range error, so the range walk passes it up. */
class SetRefused extends HoptraceError {
  override name = 'SetRefused';
  constructor(cause: unknown) {
    super('the endpoint refused a set of addresses as too large.', { cause });
  }
}

/** A failure of a read after a range or set query (a tree, a header), carried past the range walk unsplit; readRange and readSet rethrow its cause. */
class NotAboutRange extends HoptraceError {
  override name = 'NotAboutRange';
  override readonly cause: unknown;
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.cause = cause;
  }
}

/**
 * Whether `err` refuses a set query as too large: the query's own failure (not a tree or header read
 * after it: source.ts rangeQuery), a timeout (over one block too: a set over one busy block can be too
 * heavy) or a too-large complaint that names no block cap.
 */
function refusesSet(err: unknown, from: number, to: number): boolean {
  if (!isRangeQueryError(err)) return false;
  return (err instanceof RpcError && err.timedOut === true) || parseRangeError(err, from, to)?.source === 'halved';
}

/** Per side, the blocks some need of `work` lacks and how many addresses want them (the planner's set input). */
function sidesOf(work: readonly { need: FetchNeed; parts: Interval[] }[]): SideNeeds[] {
  return (['from', 'to'] as const).map((side) => {
    const mine = work.filter((w) => w.need.side === side);
    return { ranges: union(mine.flatMap((w) => w.parts)), addresses: new Set(mine.map((w) => w.need.address)).size };
  });
}

/** Runs every job; if any failed, waits for the rest (their rows are committed) and rethrows the first. */
async function settleAll(jobs: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
