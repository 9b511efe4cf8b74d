import { HoptraceError, InvalidResponseError, RpcError } from '../errors.js';
import { debugTraceBlockByHash } from '../rpc/actions/debugTraceBlockByHash.js';
import { getBlock, getBlockWithTransactions, missingBlock, type BlockHead, type FullBlock } from '../rpc/actions/getBlock.js';
import { getBlockReceipts } from '../rpc/actions/getBlockReceipts.js';
import { getLogs, type GetLogsParameters } from '../rpc/actions/getLogs.js';
import { getTransactionReceipt } from '../rpc/actions/getTransactionReceipt.js';
import type { ParityTrace } from '../rpc/actions/parityTrace.js';
import type { Receipt } from '../rpc/actions/receipt.js';
import { traceBlock } from '../rpc/actions/traceBlock.js';
import { traceFilter } from '../rpc/actions/traceFilter.js';
import { traceTransaction } from '../rpc/actions/traceTransaction.js';
import type { RpcClient } from '../rpc/client.js';
import { MethodUnsupportedError } from '../rpc/errors.js';
import { refetching } from '../rpc/refetch.js';
import { fetchRangeAdaptive, learnedSpan } from '../rpc/ranges.js';
import { ANY_ADDRESS, type IntervalMark, type Store } from '../store/store.js';
import type { Address, Transfer } from '../types.js';
import { addressToTopic } from '../util/address.js';
import { difference, size, union, type Interval } from '../util/intervals.js';
import { decodeCallTrees } from './callTracer.js';
import { callCosts, planCost, type CallCounts } from './cost.js';
import { TOPIC_DEPOSIT, TOPIC_TRANSFER, TOPIC_WITHDRAWAL, decodeLog } from './logs.js';
import { forgetCapabilities, probeCapabilities, type Capabilities } from './probe.js';
import { decodeTraces } from './traces.js';
import { createBlockCheck } from './validate.js';
import { plural } from '../util/plural.js';

/** What the walker asks for: every transfer out of (`from`) or into (`to`) an address in a block range. */
export interface FetchNeed {
  address: Address;
  side: 'from' | 'to';
  from: number;
  to: number;
  /** Only the token/WETH logs are wanted, not native transfers. */
  logsOnly?: boolean;
}

export type Strategy = 'auto' | 'address' | 'block';

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
  /** A block scan longer than this is refused (native transfers then stay invisible, and the report says so). */
  maxScanBlocks: number;
  onProgress?: (message: string) => void;
}

/** How one kind of transfer is read, for the report's coverage section. */
export interface CoverageNote {
  erc20: string | null;
  native: string | null;
  internal: string | null;
  warnings: string[];
}

// Interval sources. Per address: the two ends of eth_getLogs and trace_filter. Block scans ('*') see all.
const LOGS = { from: 'logs:from', to: 'logs:to' } as const;
const TRACES = { from: 'traces:from', to: 'traces:to' } as const;
const SCAN_LOGS = 'scan:logs';
/** trace_block or debug_traceBlockByHash: native and internal. */
const SCAN_CALLS = 'scan:calls';
/** eth_getBlockByNumber with transactions: top-level native only. */
const SCAN_TXS = 'scan:txs';

/** The two uses of eth_getLogs: each has its own learned range span and its own cost (cost.ts). */
type LogKey = 'eth_getLogs:address' | 'eth_getLogs:scan';

/** Blocks per committed batch of a block scan, and batches read ahead of the one being written. */
const SCAN_BATCH = 64;
const SCAN_AHEAD = 3;

/** Range queries give up on a timeout after one retry: the range is split instead (rpc/ranges.ts). */
const RANGED = { timeoutRetries: 1 };

/** Events read: token transfers, and WETH Deposit/Withdrawal (their topic1 is the holder, like Transfer's from). */
const VALUE_EVENTS = [TOPIC_TRANSFER, TOPIC_DEPOSIT, TOPIC_WITHDRAWAL];

/**
 * Reads transfers from the RPC into the store, fetching only what the store does not hold yet, with the
 * cheapest source the endpoint offers:
 * - ERC-20 (and WETH wraps): eth_getLogs by from/to topic per address, or by block range for everyone;
 * - native and internal: trace_filter per address, or trace_block / debug_traceBlockByHash per block;
 *   without any of those, only top-level transfers from block bodies, and the coverage says so.
 * Per address or per block is chosen by the time each plan is expected to take (strategy `auto`): the
 * calls it needs, priced with what calls cost on this endpoint (measured, kept per endpoint; cost.ts).
 */
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
  let caps: Capabilities | null = null;
  const costs = callCosts(rpc, store);
  const warnings = new Set<string>();
  const used = { erc20: new Set<string>(), native: new Set<string>(), internal: new Set<string>() };
  /** Internal traces found by trace_filter, checked against their whole tx tree once per run. */
  const txTreeCache = new Map<string, Promise<ParityTrace[]>>();
  let nativeInvisible = false;
  /** Logs and traces must name the block hash the header has (a node answering for another block). */
  const blockCheck = createBlockCheck(rpc, store);

  const capabilities = async (): Promise<Capabilities> => {
    caps ??= await probeCapabilities(rpc, store, opts.head);
    return caps;
  };

  let inserted = 0;
  const commit = (rows: Transfer[], marks: IntervalMark[]): void => {
    inserted += store.commit(rows, marks);
  };

  /** Blocks whose native movements were read for every address: fully (traced), or top-level only. */
  const scannedNative = (): { full: Interval[]; external: Interval[] } => {
    const full = store.intervals(ANY_ADDRESS, SCAN_CALLS);
    return { full, external: union([...full, ...store.intervals(ANY_ADDRESS, SCAN_TXS)]) };
  };

  // --- per-address sources -------------------------------------------------------------------------

  /**
   * Reads Transfer/Deposit/Withdrawal logs matching `topics` over `range`, committing each chunk with
   * its interval marker. `key` keeps the learned range span and the measured call cost apart for
   * per-address and whole-block queries (their result sizes differ by orders of magnitude).
   */
  const readLogs = (key: LogKey, topics: GetLogsParameters['topics'], range: Interval, mark: Omit<IntervalMark, 'from' | 'to'>): Promise<void> =>
    fetchRangeAdaptive({
      key,
      client: rpc,
      from: range[0],
      to: range[1],
      fetch: (a, b) =>
        refetching('eth_getLogs', rpc.endpoint, async () => {
          const logs = await getLogs(rpc, { fromBlock: a, toBlock: b, topics }, { ...RANGED, costKey: key });
          await blockCheck.check(logs, 'eth_getLogs');
          return logs;
        }),
      onChunk: (a, b, logs) => {
        const rows = logs.map((l) => decodeLog(l, chainId)).filter((t): t is Transfer => t !== null);
        commit(rows, [{ ...mark, from: a, to: b }]);
      },
    });

  const logsOfAddress = (address: Address, side: 'from' | 'to', range: Interval): Promise<void> => {
    const topic = addressToTopic(address);
    used.erc20.add('eth_getLogs by address topic');
    const topics = side === 'from' ? [VALUE_EVENTS, topic] : [[TOPIC_TRANSFER], null, topic];
    return readLogs('eth_getLogs:address', topics, range, { address, source: LOGS[side] });
  };

  const tracesOfAddress = async (address: Address, side: 'from' | 'to', range: Interval): Promise<void> => {
    const c = await capabilities();
    const filterKey = side === 'from' ? 'fromAddress' : 'toAddress';
    used.native.add('trace_filter by address');
    used.internal.add('trace_filter by address');
    await fetchRangeAdaptive({
      key: 'trace_filter',
      client: rpc,
      from: range[0],
      to: range[1],
      fetch: async (a, b) => {
        const traces = await refetching('trace_filter', rpc.endpoint, async () => {
          const t = await traceFilter(rpc, { fromBlock: a, toBlock: b, [filterKey]: [address] }, RANGED);
          await blockCheck.check(t, 'trace_filter');
          return t;
        });
        return settleInternal(traces, c);
      },
      onChunk: (a, b, rows) => commit(rows, [{ address, source: TRACES[side], from: a, to: b }]),
    });
  };

  /**
   * trace_filter returns only the matching frames, and a frame that succeeded inside a parent that
   * reverted carries no error of its own. So for every tx with internal movements we read its whole
   * tree (trace_transaction) before believing them; top-level frames carry their own error.
   */
  const settleInternal = async (traces: ParityTrace[], c: Capabilities): Promise<Transfer[]> => {
    const nested = new Set(traces.filter((t) => t.traceAddress.length > 0 && t.transactionHash).map((t) => t.transactionHash!));
    if (nested.size === 0 || !c.traceTransaction) {
      if (nested.size > 0) {
        warnings.add(
          'internal transfers come from trace_filter without trace_transaction: a transfer inside a reverted call could be counted.',
        );
      }
      return decodeTraces(traces, chainId);
    }
    const direct = traces.filter((t) => !t.transactionHash || !nested.has(t.transactionHash));
    const trees = await Promise.all([...nested].map((h) => txTree(h)));
    const wanted = new Set(traces.map((t) => `${t.transactionHash}:${t.traceAddress.join('.')}`));
    const fromTrees = trees.flatMap((tree) => {
      const moves = decodeTraces(tree, chainId);
      return moves.filter((m) => wanted.has(`${m.txHash}:${m.ref.slice('trace:'.length)}`));
    });
    return [...decodeTraces(direct, chainId), ...fromTrees];
  };

  const txTree = (hash: string): Promise<ParityTrace[]> => {
    const cached = txTreeCache.get(hash);
    if (cached) return cached;
    const p = refetching('trace_transaction', rpc.endpoint, async () => {
      const r = await traceTransaction(rpc, hash, { from: 0, to: opts.head });
      if (r.length === 0) {
        throw new RpcError(`trace_transaction gave no traces for ${hash}.`, {
          method: 'trace_transaction',
          endpoint: rpc.endpoint,
          retryable: false,
        });
      }
      return r;
    });
    txTreeCache.set(hash, p);
    return p;
  };

  // --- block scans ----------------------------------------------------------------------------------

  const scanLogs = (range: Interval): Promise<void> => {
    used.erc20.add('eth_getLogs by block range');
    return readLogs('eth_getLogs:scan', [VALUE_EVENTS], range, { address: ANY_ADDRESS, source: SCAN_LOGS });
  };

  /**
   * Reads native movements of every block in `range`, one block per call, committing in batches of
   * SCAN_BATCH blocks, in order. A few batches are in flight at once, so the node keeps working on the
   * next blocks while a finished batch is written (a write blocks this thread; with one batch at a time
   * the node would idle through every write).
   */
  const scanCalls = async (range: Interval, c: Capabilities): Promise<void> => {
    const source = c.traceBlock || c.debugTraceBlock ? SCAN_CALLS : SCAN_TXS;
    const method = c.traceBlock ? 'trace_block' : c.debugTraceBlock ? 'debug_traceBlockByHash' : 'eth_getBlockByNumber';
    used.native.add(`${method} per block`);
    if (source === SCAN_CALLS) used.internal.add(`${method} per block`);
    const batches: Interval[] = [];
    for (let start = range[0]; start <= range[1]; start += SCAN_BATCH) batches.push([start, Math.min(start + SCAN_BATCH - 1, range[1])]);
    const read = ([a, b]: Interval): Promise<Transfer[]> => {
      const blocks: number[] = [];
      for (let n = a; n <= b; n++) blocks.push(n);
      const p = Promise.all(blocks.map((n) => readBlock(n, c))).then((r) => r.flat());
      p.catch(() => undefined); // awaited below in order; a batch after a failed one must not go unhandled
      return p;
    };
    const inFlight = batches.slice(0, SCAN_AHEAD).map(read);
    for (let i = 0; i < batches.length; i++) {
      const rows = await inFlight[i]!;
      if (i + SCAN_AHEAD < batches.length) inFlight.push(read(batches[i + SCAN_AHEAD]!));
      const [start, end] = batches[i]!;
      commit(rows, [{ address: ANY_ADDRESS, source, from: start, to: end }]);
      opts.onProgress?.(`scanned blocks ${start}–${end} of ${range[0]}–${range[1]}`);
    }
  };

  const readBlock = async (n: number, c: Capabilities): Promise<Transfer[]> => {
    if (c.traceBlock) {
      const traces = await refetching('trace_block', rpc.endpoint, async () => {
        const t = await traceBlock(rpc, n);
        // Traces of another block (a lagging or forked backend) must not be stored as block n's: checked
        // against the header, which the log check of the same block usually has fetched already.
        if (t.length > 0) await blockCheck.check(t, 'trace_block');
        return t;
      });
      return decodeTraces(traces, chainId);
    }
    if (c.debugTraceBlock) {
      const block = await header(n);
      blockCheck.seed(n, block);
      const traced = { number: n, hash: block.hash, txHashes: block.transactions };
      return refetching('debug_traceBlockByHash', rpc.endpoint, async () => decodeCallTrees(await debugTraceBlockByHash(rpc, traced), traced, chainId));
    }
    // No tracing at all: top-level value transfers from the block body, kept only if the tx succeeded.
    const block = await wholeBlock(n);
    blockCheck.seed(n, block);
    const txs = block.transactions.filter((t) => t.to !== null && t.value !== 0n);
    if (txs.length === 0) return [];
    const status = await receiptStatuses(n, txs.map((t) => t.hash));
    return txs
      .filter((t) => status.get(t.hash) === true)
      .map((t) => ({
        chainId,
        txHash: t.hash,
        ref: 'trace:',
        kind: 'native' as const,
        blockNumber: n,
        blockHash: block.hash,
        txIndex: t.index,
        from: t.from,
        to: t.to!,
        asset: 'native' as const,
        amount: t.value,
      }));
  };

  /** Block `n`'s header with its transaction hashes (its header goes to blockCheck). */
  const header = (n: number): Promise<BlockHead> =>
    refetching('eth_getBlockByNumber', rpc.endpoint, async () => (await getBlock(rpc, n)) ?? Promise.reject(missingBlock(n)));
  /** Block `n` with its transactions (its header goes to blockCheck). */
  const wholeBlock = (n: number): Promise<FullBlock> =>
    refetching('eth_getBlockByNumber', rpc.endpoint, async () => (await getBlockWithTransactions(rpc, n)) ?? Promise.reject(missingBlock(n)));

  /**
   * Success (true) or failure of each transaction, from its receipt: eth_getBlockReceipts for the
   * whole block, or eth_getTransactionReceipt one by one where the node lacks it. A receipt that is
   * missing is an error, never "failed": that would drop the transfer and mark the block read.
   */
  let blockReceipts = true;
  const receiptStatuses = async (n: number, hashes: string[]): Promise<Map<string, boolean>> => {
    let receipts: (Receipt | null)[] | null = null;
    if (blockReceipts) {
      try {
        receipts = await refetching('eth_getBlockReceipts', rpc.endpoint, () => getBlockReceipts(rpc, n));
      } catch (err) {
        if (!(err instanceof MethodUnsupportedError)) throw err;
        blockReceipts = false;
      }
    }
    receipts ??= await Promise.all(hashes.map((h) => refetching('eth_getTransactionReceipt', rpc.endpoint, () => getTransactionReceipt(rpc, h))));
    const out = new Map<string, boolean>();
    for (const r of receipts) if (r) out.set(r.transactionHash, r.status === 1);
    const missing = hashes.find((h) => !out.has(h));
    if (missing) throw new InvalidResponseError(`the node gave no receipt for transaction ${missing} of block ${n}.`);
    return out;
  };

  // --- planning -------------------------------------------------------------------------------------

  /** The parts of a need's window the store does not hold yet, for logs and for native movements. */
  const missing = (need: FetchNeed, scanLogsHave: Interval[], scannedFull: Interval[]): { logParts: Interval[]; traceParts: Interval[] } => {
    const range: Interval = [need.from, need.to];
    const logParts = difference(range, [...store.intervals(need.address, LOGS[need.side]), ...scanLogsHave]);
    const traceParts = need.logsOnly ? [] : difference(range, [...store.intervals(need.address, TRACES[need.side]), ...scannedFull]);
    return { logParts, traceParts };
  };

  const held = (need: FetchNeed): boolean => {
    const m = missing(need, store.intervals(ANY_ADDRESS, SCAN_LOGS), store.intervals(ANY_ADDRESS, SCAN_CALLS));
    return m.logParts.length === 0 && m.traceParts.length === 0;
  };

  const ensure = async (needs: readonly FetchNeed[], hint: EnsureHint): Promise<void> => {
    const scanLogsHave = store.intervals(ANY_ADDRESS, SCAN_LOGS);
    const scannedFull = store.intervals(ANY_ADDRESS, SCAN_CALLS);
    const logWork: { need: FetchNeed; parts: Interval[] }[] = [];
    const traceWork: { need: FetchNeed; parts: Interval[] }[] = [];
    for (const need of needs) {
      const { logParts, traceParts } = missing(need, scanLogsHave, scannedFull);
      if (logParts.length) logWork.push({ need, parts: logParts });
      if (traceParts.length) traceWork.push({ need, parts: traceParts });
    }
    if (logWork.length === 0 && traceWork.length === 0) return;
    const c = await capabilities();

    // What each plan needs, priced with what calls cost on this endpoint. Per address: one call per
    // missing part and source, times the chunks the learned spans split it into, plus the
    // trace_transaction calls trace_filter has been bringing along; paid again at every later level.
    // Per block: one or two calls per block not yet scanned, plus the log ranges; paid once.
    const wanted = union([...logWork, ...traceWork].flatMap((w) => w.parts));
    const blocksToRead = size(union(wanted.flatMap((r) => difference(r, scannedFull))));
    const chunks = (parts: Interval[], span: number | undefined): number =>
      parts.reduce((n, p) => n + (span ? Math.ceil((p[1] - p[0] + 1) / span) : 1), 0);
    const blockPlan: CallCounts = c.traceBlock
      ? { trace_block: blocksToRead }
      : { eth_getBlockByNumber: blocksToRead, debug_traceBlockByHash: blocksToRead };
    blockPlan['eth_getLogs:scan'] = chunks(wanted, learnedSpan(rpc, 'eth_getLogs:scan'));
    const filterCalls = chunks(traceWork.flatMap((w) => w.parts), learnedSpan(rpc, 'trace_filter'));
    const treesPerFilter = costs.calls('trace_filter') > 0 ? costs.calls('trace_transaction') / costs.calls('trace_filter') : 0;
    const addressPlan: CallCounts = {
      'eth_getLogs:address': chunks(logWork.flatMap((w) => w.parts), learnedSpan(rpc, 'eth_getLogs:address')),
      trace_filter: filterCalls,
      trace_transaction: Math.round(filterCalls * treesPerFilter),
    };
    const levels = Math.max(1, hint.levelsLeft ?? 1);
    const blockCost = planCost(blockPlan, costs);
    const addressCost = planCost(addressPlan, costs) * levels;
    // A scan past --max-scan-blocks is never made, even with --strategy block: per-address queries
    // do the job instead (and where the node has no trace_filter, scanNativeOnly says what is missing).
    const canScan = (c.traceBlock || c.debugTraceBlock) && blocksToRead <= opts.maxScanBlocks;
    const useBlocks = canScan && (opts.strategy === 'block' || (opts.strategy === 'auto' && blockCost < addressCost));
    if (opts.strategy === 'block' && !useBlocks) {
      opts.onProgress?.(`not scanning ${plural(blocksToRead, 'block')} (over --max-scan-blocks or no block tracing): querying per address`);
    }

    if (useBlocks) {
      opts.onProgress?.(
        `reading ${plural(blocksToRead, 'block')} whole (~${Math.round(blockCost)} ms of calls instead of ~${Math.round(addressCost)} ms per address over ${plural(levels, 'level')})`,
      );
      await scanRanges(wanted, c);
      return;
    }

    opts.onProgress?.(`reading transfers of ${plural(new Set(needs.map((n) => n.address)).size, 'address')}`);
    const jobs: Promise<void>[] = [];
    for (const { need, parts } of logWork) for (const p of parts) jobs.push(logsOfAddress(need.address, need.side, p));
    if (c.traceFilter) {
      for (const { need, parts } of traceWork) for (const p of parts) jobs.push(tracesOfAddress(need.address, need.side, p));
    } else if (traceWork.length > 0) {
      jobs.push(scanNativeOnly(union(traceWork.flatMap((w) => w.parts)), c));
    }
    await settleAll(jobs);
  };

  /** Without trace_filter, native movements are only visible by reading whole blocks. */
  const scanNativeOnly = async (ranges: Interval[], c: Capabilities): Promise<void> => {
    const have = c.traceBlock || c.debugTraceBlock ? scannedNative().full : scannedNative().external;
    const todo = union(ranges.flatMap((r) => difference(r, have)));
    if (size(todo) > opts.maxScanBlocks) {
      nativeInvisible = true;
      warnings.add(
        `native ETH transfers not read: this endpoint has no trace_filter, and a block scan of ${plural(size(todo), 'block')} exceeds --max-scan-blocks ${opts.maxScanBlocks}; narrow --from-block/--to-block or raise the limit.`,
      );
      return;
    }
    // Without trace_block the scan reads each block (debug_traceBlockByHash needs its hash, a body scan its
    // transactions): the log checks of those blocks wait for that header rather than read it again.
    const handedOver = c.traceBlock ? () => undefined : blockCheck.expect(todo);
    try {
      for (const r of todo) await scanCalls(r, c);
    } finally {
      handedOver();
    }
  };

  const scanRanges = async (ranges: Interval[], c: Capabilities): Promise<void> => {
    const logTodo = union(ranges.flatMap((r) => difference(r, store.intervals(ANY_ADDRESS, SCAN_LOGS))));
    const jobs: Promise<void>[] = logTodo.map((r) => scanLogs(r));
    jobs.push(scanNativeOnly(ranges, c));
    await settleAll(jobs);
  };

  const coverage = (): CoverageNote => {
    // Capabilities are known if this run fetched anything, or from an earlier run's probe.
    const cachedCaps = store.getMeta(`caps:${rpc.endpoint}`);
    const c = caps ?? (cachedCaps ? (JSON.parse(cachedCaps) as Capabilities) : null);
    const notes: string[] = [];
    if (!c) return { erc20: 'eth_getLogs (stored)', native: 'stored data', internal: 'stored data', warnings: [...warnings] };
    const tracer = c.traceFilter
      ? 'trace_filter'
      : c.traceBlock
        ? 'trace_block'
        : c.debugTraceBlock
          ? 'debug_traceBlockByHash (callTracer)'
          : null;
    let native: string | null = tracer ?? 'eth_getBlockByNumber (top-level transactions only)';
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

/** Runs every job; if any failed, waits for the rest (their rows are committed) and rethrows the first. */
async function settleAll(jobs: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
