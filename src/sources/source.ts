/**
 * One interface for every way hoptrace reads transfers from a node (cryo calls them datasets, ponder
 * fragments). A source says what it can serve (from the probed capabilities), under which range key its
 * fetched ranges are stored and what that key covers, what a fetch costs in calls (priced by cost.ts),
 * how it reads (extract: every RPC call it needs) and decodes (transform: pure, to Transfer rows), and how
 * it is named in the report's Coverage. The fetcher (fetcher.ts) runs them; the planner (planner.ts)
 * chooses among them; sources.ts lists them.
 */
import type { RpcClient } from '../rpc/client.js';
import { ANY_ADDRESS, type Store } from '../store/store.js';
import type { Address, Transfer } from '../types.js';
import type { CallCounts } from './cost.js';
import type { Capabilities } from './probe.js';
import type { HeaderCache } from './headers.js';
import type { BlockCheck } from './validate.js';

/** The side of an address a need asks about: transfers out of it, or into it. */
export type Side = 'from' | 'to';

/** What a need's window asks for: token and WETH logs, or native and internal coin movements. */
export type Part = 'logs' | 'native';

/**
 * Where a source's fetched ranges are recorded. A per-address key holds one address's one side; a
 * block-scan key holds every address (stored under ANY_ADDRESS): the wider query covers the narrower one.
 * `name` is the stored `intervals.source` string: databases written by every release hold these, so a
 * change needs a migration in store/schema.ts.
 */
export type RangeKey =
  | { scope: 'address'; name: `${string}:${Side}`; side: Side }
  | { scope: 'block'; name: `scan:${string}` };

/** The two keys of a per-address dataset: `<dataset>:from` and `<dataset>:to`. */
export function addressKeys(dataset: string): RangeKey[] {
  return (['from', 'to'] as const).map((side): RangeKey => ({ scope: 'address', name: `${dataset}:${side}`, side }));
}

/** The stored (address, source) pair of `key` for `address`. */
export function storedKey(key: RangeKey, address: Address): { address: Address | typeof ANY_ADDRESS; source: string } {
  return key.scope === 'block' ? { address: ANY_ADDRESS, source: key.name } : { address, source: key.name };
}

/**
 * The covering rule: whether rows fetched under `key` hold every `part` movement of `address` on `side`.
 * A block scan covers every address and both sides; a per-address key only its own side.
 */
export function keyCovers(key: RangeKey, side: Side): boolean {
  return key.scope === 'block' || key.side === side;
}

/** What a source's fetch and decode may use: the run's node, store, chain and checks. */
export interface SourceContext {
  rpc: RpcClient;
  store: Store;
  chainId: number;
  /** The head block this run reads up to. */
  head: number;
  caps: Capabilities;
  /** Logs and traces must name the block hash the header has. */
  blockCheck: BlockCheck;
  /** The run's one header cache (headers.ts). */
  headers: HeaderCache;
  /** A caveat for the report's Coverage (said once however often it is added). */
  warn(message: string): void;
}

/** How a source's calls cover a range: one call per chunk of a learned span, or one read per block. */
export type Unit = { kind: 'range'; spanKey: string } | { kind: 'block' };

/** One way of reading transfers. `Raw` is what fetch hands decode. */
export interface Source<Raw = unknown> {
  /** Short name, for progress and tests. */
  readonly name: string;
  /** Per address, or every address of a block range at once. */
  readonly scope: 'address' | 'block';
  /** Its range keys: a per-address source has one per side, a block scan one. */
  readonly keys: readonly RangeKey[];
  readonly part: Part;
  /** Native sources: whether internal movements (value sent by contracts) are in its rows too. */
  readonly internal: boolean;
  readonly unit: Unit;
  /** Whether the endpoint serves it. */
  available(caps: Capabilities): boolean;
  /** What Coverage says it read with, e.g. "eth_getLogs by address topic". */
  readonly label: string;
  /** Native sources: what Coverage names the method when this run read nothing with it. */
  readonly tracer?: string;
  /**
   * A block scan that reads each block whole and hands its header to the cache (HeaderCache.seed): the
   * fetcher announces its blocks (HeaderCache.expect) so the log checks of those blocks wait for it.
   */
  readonly seedsHeaders?: boolean;
  /**
   * A block scan whose answers are checked against each block's header (validate.ts): the fetcher asks
   * for the headers of a batch of blocks all at once, so they travel in a few JSON-RPC batches beside the
   * scan's calls instead of one round trip each as the answers come in.
   */
  readonly checksHeaders?: boolean;
  /** The calls `units` chunks or blocks take, per cost key (cost.ts). */
  calls(units: number, costs: { perFilter: number }): CallCounts;
  /** Extract: every call needed for `address`'s `side` over blocks `from..to` (a block source: one block). */
  fetch(ctx: SourceContext, target: { address: Address; side: Side }, from: number, to: number): Promise<Raw>;
  /** Transform: the rows of what fetch read (pure). */
  decode(ctx: Pick<SourceContext, 'chainId'>, raw: Raw): Transfer[];
}

/** The key `source` records a fetch for `side` under. */
export function keyFor(source: Pick<Source, 'name' | 'keys'>, side: Side): RangeKey {
  const k = source.keys.find((key) => keyCovers(key, side));
  if (k === undefined) throw new Error(`source ${source.name} has no range key for side ${side}`);
  return k;
}

/** Range queries give up on a timeout after one retry: the range is split instead (rpc/ranges.ts). */
export const RANGED = { timeoutRetries: 1 } as const;

/** What a set trace_filter has been bringing along per call on an endpoint (SetSource.calls). */
export interface SetRatios {
  perSetFilter: number;
  perSetTxTree: number;
  perEnclosing: number;
}

/**
 * A set of addresses and the side asked about them: one call reads every address of the set at once
 * (trace_filter takes a list of addresses, eth_getLogs a list of topics in one position).
 */
export interface AddressSet {
  addresses: readonly Address[];
  side: Side;
}

/**
 * One way of reading many addresses' transfers in one call per block range (planner.ts's "set" plan). Its
 * rows cover every address of the set on that side: each address is marked under the per-address key
 * (`keys`) as if read alone, so later runs and the per-address plan see it as held. How many addresses a
 * call takes is learned per endpoint (setSize.ts); the fetcher splits a set an endpoint refuses.
 */
export interface SetSource<Raw = unknown> {
  readonly name: string;
  readonly part: Part;
  readonly internal: boolean;
  /** The per-address keys its reads are stored under (the same as the per-address source of its part). */
  readonly keys: readonly RangeKey[];
  /** The span key its block ranges are learned under (rpc/ranges.ts), also the set size's key (setSize.ts). */
  readonly spanKey: string;
  readonly label: string;
  available(caps: Capabilities): boolean;
  /**
   * The calls `chunks` set queries take, per cost key (cost.ts); what a set trace_filter has been bringing
   * along on this endpoint: `perSetFilter` trees read by trace_block, `perSetTxTree` trees read by
   * trace_transaction (endpoints without trace_block, or a block it did not answer), `perEnclosing`
   * queries of the frames enclosing nested ones.
   */
  calls(chunks: number, costs: SetRatios): CallCounts;
  /** Extract: every call needed for the set over blocks `from..to`. */
  fetch(ctx: SourceContext, set: AddressSet, from: number, to: number): Promise<Raw>;
  /** Transform: the rows of what fetch read (pure). */
  decode(ctx: Pick<SourceContext, 'chainId'>, raw: Raw): Transfer[];
}

/** Failures of range queries themselves (not of the tree or header reads that follow them): see `rangeQuery`. */
const queryErrors = new WeakSet<object>();

/**
 * `query` (the one trace_filter or eth_getLogs call of a per-address, set or scan range read), with its
 * failure marked as the query's own: only such a failure can mean the range or the set was too large
 * (fetcher.ts readRange, readSet). A tree read or header read that times out says nothing about either.
 */
export async function rangeQuery<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (err) {
    if (typeof err === 'object' && err !== null) queryErrors.add(err);
    throw err;
  }
}

/** Whether `err` is the failure of a range query itself (`rangeQuery`). */
export function isRangeQueryError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && queryErrors.has(err);
}
