import type { ParityTrace } from '../rpc/actions/parityTrace.js';
import { traceBlock } from '../rpc/actions/traceBlock.js';
import { traceFilter } from '../rpc/actions/traceFilter.js';
import { traceTransaction } from '../rpc/actions/traceTransaction.js';
import { InvalidResponseError, RpcError } from '../errors.js';
import { hexToNumber } from '../rpc/hex.js';
import { parseRangeError } from '../rpc/ranges.js';
import { InconsistentAnswerError, MethodUnsupportedError } from '../rpc/errors.js';
import { refetching } from '../rpc/refetch.js';
import type { Address, Transfer } from '../types.js';
import { addressKeys, RANGED, rangeQuery, type SetSource, type Side, type Source, type SourceContext } from './source.js';
import { decodeTraces } from './traces.js';

/** What trace_filter found, with the whole tree of each transaction it found internal movements in. */
export interface Filtered {
  traces: ParityTrace[];
  /** Whole trees by tx hash; null when they were not read (none nested, or no trace_transaction). */
  trees: Map<string, ParityTrace[]> | null;
}

/** One checked trace_filter of `addresses` on `side`, timed under `costKey` (cost.ts). */
type Filter = (ctx: SourceContext, addresses: readonly Address[], side: Side, from: number, to: number, costKey?: string) => Promise<ParityTrace[]>;

/**
 * Reads trace_filter answers for addresses on one side, and the whole tree of every transaction they
 * found nested frames in, once per run and reader. trace_filter returns only the matching frames, and a
 * frame that succeeded inside a parent that reverted carries no error of its own: so a nested frame is
 * believed only with its tree; top-level frames carry their own error. `trees`: how a tree is read —
 * `transaction`: trace_transaction per transaction; `block` (the set source): first the enclosing frames
 * one more trace_filter shows (enclosingFrames), then for the transactions they do not decide, trace_block
 * per block holding such transactions, where the endpoint serves it (one call for every transaction of the block, at half
 * trace_transaction's price in the bundled table; its answer checked against the header the
 * trace_filter answer of that block was checked with), else — or where trace_block did not answer for
 * that block — per transaction (timed as `trace_transaction:tree`). Every tree is checked as the
 * trace_filter answer was (validate.ts): against the header of its block, as the transaction asked
 * (`checkTree`), and as holding every frame trace_filter returned of that transaction (`lackedFrame`).
 */
function filteredReader(
  costKey: string,
  trees: 'transaction' | 'block',
): (ctx: SourceContext, addresses: readonly Address[], side: Side, from: number, to: number) => Promise<Filtered> {
  const byTx = new Map<string, Promise<ParityTrace[]>>();
  const byBlock = new Map<number, Promise<Map<string, ParityTrace[]>>>();
  // A failed read is forgotten (as the header cache does): a later ask reads again, not the old failure.
  const remembered = <K, V>(memo: Map<K, Promise<V>>, key: K, read: () => Promise<V>): Promise<V> => {
    let p = memo.get(key);
    if (!p) {
      const q = read();
      memo.set(key, (p = q));
      q.catch(() => {
        if (memo.get(key) === q) memo.delete(key);
      });
    }
    return p;
  };
  // The set source's trees are timed under their own key: the per-address plan's trace_transaction
  // figure (its perFilter) must not count them.
  const txKey = trees === 'block' ? 'trace_transaction:tree' : 'trace_transaction';
  // A tree is believed only as the tree asked for: every frame of transaction `hash`, in the block
  // trace_filter placed it in (checked against that block's header then, so the header is in the run's
  // cache and this check reads none), with that block's hash. A lagging or wrong backend's tree of
  // another block, or of another transaction, is refused and asked again (refetching), then stops the run.
  const txTree = (ctx: SourceContext, hash: string, block: number): Promise<ParityTrace[]> =>
    remembered(byTx, hash, () =>
      refetching('trace_transaction', ctx.rpc.endpoint, async () => {
        const r = await traceTransaction(ctx.rpc, hash, { from: 0, to: ctx.head }, { costKey: txKey });
        if (r.length === 0) {
          throw new RpcError(`trace_transaction gave no traces for ${hash}.`, { method: 'trace_transaction', endpoint: ctx.rpc.endpoint, retryable: false });
        }
        checkTree(r, hash, block);
        await ctx.blockCheck.check(r, 'trace_transaction');
        return r;
      }),
    );
  const blockTrees = (ctx: SourceContext, n: number): Promise<Map<string, ParityTrace[]>> =>
    remembered(byBlock, n, () =>
      refetching('trace_block', ctx.rpc.endpoint, async () => {
        // Few timeout retries where trace_transaction can stand in (`tree`): one slow block is not worth many.
        const t = await traceBlock(ctx.rpc, n, { costKey: 'trace_block:tree', ...(ctx.caps.traceTransaction ? RANGED : {}) });
        if (t.length > 0) await ctx.blockCheck.check(t, 'trace_block');
        const out = new Map<string, ParityTrace[]>();
        for (const f of t) {
          if (!f.transactionHash) continue;
          const list = out.get(f.transactionHash);
          if (list) list.push(f);
          else out.set(f.transactionHash, [f]);
        }
        return out;
      }),
    );
  // The tree of `hash`, and the method that answered it.
  const anyTree = async (ctx: SourceContext, hash: string, block: number): Promise<{ frames: ParityTrace[]; method: string }> => {
    const perTx = async () => ({ frames: await txTree(ctx, hash, block), method: 'trace_transaction' });
    if (trees === 'transaction' || !ctx.caps.traceBlock) return perTx();
    // Read per block: one call serves every transaction of the block the run asks about. A block the
    // endpoint does not answer (too heavy, a fault past the retries) leaves its transactions to
    // trace_transaction where served, as the per-address plan reads them; an answer that cannot be true
    // stops the run as anywhere.
    let byHash: Map<string, ParityTrace[]>;
    try {
      byHash = await blockTrees(ctx, block);
    } catch (err) {
      if (!ctx.caps.traceTransaction || err instanceof InconsistentAnswerError || err instanceof MethodUnsupportedError) throw err;
      return perTx();
    }
    const t = byHash.get(hash);
    if (t === undefined) {
      throw new RpcError(`trace_block ${block} has no traces of transaction ${hash}, which trace_filter placed there.`, {
        method: 'trace_block',
        endpoint: ctx.rpc.endpoint,
        retryable: false,
      });
    }
    return { frames: t, method: 'trace_block' };
  };
  // A tree must hold every frame trace_filter returned of its transaction (`need`, trace addresses
  // dot-joined): those frames' movements are decoded from it, and one it lacks would be dropped unseen.
  // A tree that lacks one is forgotten and read again (the reads are remembered per transaction and
  // block), then the run stops as for any inconsistent answer, naming the method that answered last.
  const tree = (ctx: SourceContext, hash: string, block: number, need: readonly string[]): Promise<ParityTrace[]> => {
    let answered = trees === 'transaction' || !ctx.caps.traceBlock ? 'trace_transaction' : 'trace_block';
    return refetching(() => answered, ctx.rpc.endpoint, async () => {
      const { frames: t, method } = await anyTree(ctx, hash, block);
      answered = method;
      const gap = lackedFrame(t, need);
      if (gap !== undefined) {
        byTx.delete(hash);
        byBlock.delete(block);
        throw new InvalidResponseError(`the tree of transaction ${hash.slice(0, 10)}… lacks ${gap === '' ? 'its top call' : `frame ${gap}`}, which trace_filter returned`);
      }
      return t;
    });
  };
  const filter: Filter = (ctx, addresses, side, from, to, key = costKey) =>
    refetching('trace_filter', ctx.rpc.endpoint, async () => {
      const t = await rangeQuery(traceFilter(ctx.rpc, { fromBlock: from, toBlock: to, [side === 'from' ? 'fromAddress' : 'toAddress']: addresses }, { ...RANGED, costKey: key }));
      await ctx.blockCheck.check(t, 'trace_filter');
      return t;
    });
  return async (ctx, addresses, side, from, to) => {
    const traces = await filter(ctx, addresses, side, from, to);
    const nested = new Map<string, number>();
    for (const t of traces) if (t.traceAddress.length > 0 && t.transactionHash) nested.set(t.transactionHash, hexToNumber(t.blockNumber));
    if (nested.size === 0) return { traces, trees: null };
    // Every frame of those transactions is decoded from its tree (decodeFiltered): the tree must hold each.
    const need = new Map<string, string[]>();
    for (const t of traces) {
      if (!t.transactionHash || !nested.has(t.transactionHash)) continue;
      let list = need.get(t.transactionHash);
      if (!list) need.set(t.transactionHash, (list = []));
      list.push(t.traceAddress.join('.'));
    }
    const read = new Map<string, ParityTrace[]>();
    if (trees === 'block') for (const [h, frames] of await enclosingFrames(ctx, traces, addresses.length, from, to, filter)) read.set(h, frames);
    const open = [...nested].filter(([h]) => !read.has(h));
    if (open.length > 0 && !(ctx.caps.traceTransaction || (trees === 'block' && ctx.caps.traceBlock))) {
      ctx.warn('internal transfers come from trace_filter without trace_transaction: a transfer inside a reverted call could be counted.');
      // Decoded as they came (no tree): the frames whose ancestors were read are decoded with them.
      return { traces, trees: read.size > 0 ? read : null };
    }
    for (const [h, t] of await Promise.all(open.map(async ([h, n]) => [h, await tree(ctx, h, n, need.get(h)!)] as const))) read.set(h, t);
    return { traces, trees: read };
  };
}

/**
 * Throws InvalidResponseError unless every frame of a trace_transaction answer for `hash` names that
 * transaction and `block` (the block trace_filter placed it in). Pure; the block's hash is the block
 * check's (validate.ts).
 */
export function checkTree(frames: readonly ParityTrace[], hash: string, block: number): void {
  const want = hash.toLowerCase();
  for (const f of frames) {
    // Hex is compared without its case: a node may spell a hash in either.
    if (f.transactionHash?.toLowerCase() !== want) {
      throw new InvalidResponseError(`trace_transaction for ${hash.slice(0, 10)}… returned a frame of ${f.transactionHash ? `transaction ${f.transactionHash.slice(0, 10)}…` : 'no transaction'}`);
    }
    const n = hexToNumber(f.blockNumber);
    if (n !== block) throw new InvalidResponseError(`trace_transaction placed transaction ${hash.slice(0, 10)}… in block ${n}, trace_filter in block ${block}`);
  }
}

/** The first of `need` (dot-joined trace addresses) no frame of `tree` has, or undefined. Pure. */
export function lackedFrame(tree: readonly ParityTrace[], need: readonly string[]): string | undefined {
  const have = new Set(tree.map((f) => f.traceAddress.join('.')));
  return need.find((k) => !have.has(k));
}

/**
 * The frames above the nested frames of a set's trace_filter answer, where one more trace_filter shows
 * them all: a nested frame moved value only if none of its ancestors failed, and its parent is a call
 * into the address that made it. So one trace_filter of the calls into those addresses (their
 * `toAddress`) over the same blocks returns the parents; where, with the frames already answered, every
 * ancestor of every nested frame of a transaction is present (the common shape: an account calls a
 * contract that pays out), those frames decide which failed, as the whole tree would. Transactions with
 * an ancestor missing (deeper nesting through other contracts) are left to the tree reads. One call per
 * range instead of a tree read per block or transaction. Returns the frames by transaction, for the
 * transactions it decides.
 */
async function enclosingFrames(
  ctx: SourceContext,
  traces: readonly ParityTrace[],
  setSize: number,
  from: number,
  to: number,
  filter: Filter,
): Promise<Map<string, ParityTrace[]>> {
  const nestedFrames = traces.filter((t) => t.traceAddress.length > 0 && t.transactionHash);
  const makers = [...new Set(nestedFrames.map((t) => t.action.from?.toLowerCase()).filter((a): a is string => a !== undefined))].sort();
  // No larger a set than the one the endpoint just answered (the caller's learned size).
  if (makers.length === 0 || makers.length > setSize) return new Map();
  let parents: ParityTrace[];
  try {
    parents = await filter(ctx, makers, 'to', from, to, 'trace_filter:enclosing');
  } catch (err) {
    // Calls into a busy contract can be more than the endpoint answers at once: this query only saves
    // tree reads, so a refusal as too large or a timeout (over one block too) leaves the transactions to
    // them (other errors stop the run).
    if (!(err instanceof RpcError && err.timedOut) && parseRangeError(err, from, to) === null) throw err;
    return new Map();
  }
  return decidedByFrames(traces, parents);
}

/**
 * The transactions of `traces`' nested frames whose every ancestor frame is among `traces` and
 * `parents`, with those frames (what decodeTraces needs to tell which of them failed). Pure.
 */
export function decidedByFrames(traces: readonly ParityTrace[], parents: readonly ParityTrace[]): Map<string, ParityTrace[]> {
  const nestedFrames = traces.filter((t) => t.traceAddress.length > 0 && t.transactionHash);
  const byTx = new Map<string, Map<string, ParityTrace>>();
  for (const t of [...traces, ...parents]) {
    if (!t.transactionHash) continue;
    let frames = byTx.get(t.transactionHash);
    if (!frames) byTx.set(t.transactionHash, (frames = new Map()));
    frames.set(t.traceAddress.join('.'), t);
  }
  const out = new Map<string, ParityTrace[]>();
  const undecided = new Set<string>();
  for (const t of nestedFrames) {
    const frames = byTx.get(t.transactionHash!)!;
    for (let d = 0; d < t.traceAddress.length; d++) {
      if (!frames.has(t.traceAddress.slice(0, d).join('.'))) undecided.add(t.transactionHash!);
    }
  }
  for (const t of nestedFrames) {
    const h = t.transactionHash!;
    if (!undecided.has(h) && !out.has(h)) out.set(h, [...byTx.get(h)!.values()]);
  }
  return out;
}

/** The movements of trace_filter's frames, nested ones decoded within their whole tree. */
export function decodeFiltered(chainId: number, { traces, trees }: Filtered): Transfer[] {
  if (trees === null) return decodeTraces(traces, chainId);
  const direct = traces.filter((t) => !t.transactionHash || !trees.has(t.transactionHash));
  const wanted = new Set(traces.map((t) => `${t.transactionHash}:${t.traceAddress.join('.')}`));
  const fromTrees: Transfer[] = [...trees.values()].flatMap((tree) =>
    decodeTraces(tree, chainId).filter((m) => wanted.has(`${m.txHash}:${m.ref.slice('trace:'.length)}`)),
  );
  return [...decodeTraces(direct, chainId), ...fromTrees];
}

/** Native and internal movements of one address: trace_filter by fromAddress or toAddress (see filteredReader). */
export const traceFilterByAddress = (): Source<Filtered> => {
  const read = filteredReader('trace_filter', 'transaction');
  return {
    name: 'trace-filter-by-address',
    scope: 'address',
    keys: addressKeys('traces'),
    part: 'native',
    internal: true,
    unit: { kind: 'range', spanKey: 'trace_filter' },
    available: (c) => c.traceFilter,
    label: 'trace_filter by address',
    tracer: 'trace_filter',
    calls: (chunks, { perFilter }) => ({ trace_filter: chunks, trace_transaction: Math.round(chunks * perFilter) }),
    fetch: (ctx, { address, side }, from, to) => read(ctx, [address], side, from, to),
    decode: (ctx, raw) => decodeFiltered(ctx.chainId, raw),
  };
};

/**
 * Native and internal movements of a set of addresses: one trace_filter with the whole set as
 * fromAddress (or toAddress) per block range, stored under the per-address keys of every address of the
 * set. trace_filter is billed per call whatever its range or set (Alchemy: 40 CU), so a hop level's
 * addresses cost a few calls instead of one per address.
 */
export const traceFilterBySet = (): SetSource<Filtered> => {
  const read = filteredReader('trace_filter:set', 'block');
  return {
    name: 'trace-filter-by-set',
    part: 'native',
    internal: true,
    keys: addressKeys('traces'),
    spanKey: 'trace_filter:set',
    label: 'trace_filter by address set',
    available: (c) => c.traceFilter,
    calls: (chunks, { perSetFilter, perSetTxTree, perEnclosing }) => ({
      'trace_filter:set': chunks,
      'trace_filter:enclosing': Math.round(chunks * perEnclosing),
      'trace_block:tree': Math.round(chunks * perSetFilter),
      'trace_transaction:tree': Math.round(chunks * perSetTxTree),
    }),
    fetch: (ctx, { addresses, side }, from, to) => read(ctx, addresses, side, from, to),
    decode: (ctx, raw) => decodeFiltered(ctx.chainId, raw),
  };
};
