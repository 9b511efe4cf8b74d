import type { ParityTrace } from '../rpc/actions/parityTrace.js';
import { traceFilter } from '../rpc/actions/traceFilter.js';
import { traceTransaction } from '../rpc/actions/traceTransaction.js';
import { RpcError } from '../errors.js';
import { refetching } from '../rpc/refetch.js';
import type { Transfer } from '../types.js';
import { addressKeys, RANGED, type Source, type SourceContext } from './source.js';
import { decodeTraces } from './traces.js';

/** What trace_filter found, with the whole tree of each transaction it found internal movements in. */
interface Filtered {
  traces: ParityTrace[];
  /** Whole trees by tx hash; null when they were not read (none nested, or no trace_transaction). */
  trees: Map<string, ParityTrace[]> | null;
}

/**
 * Native and internal movements of one address: trace_filter by fromAddress or toAddress. trace_filter
 * returns only the matching frames, and a frame that succeeded inside a parent that reverted carries no
 * error of its own: so for every tx with internal movements the whole tree (trace_transaction) is read,
 * once per run, before they are believed; top-level frames carry their own error.
 */
export const traceFilterByAddress = (): Source<Filtered> => {
  const trees = new Map<string, Promise<ParityTrace[]>>();
  const tree = (ctx: SourceContext, hash: string): Promise<ParityTrace[]> => {
    let p = trees.get(hash);
    if (!p) {
      p = refetching('trace_transaction', ctx.rpc.endpoint, async () => {
        const r = await traceTransaction(ctx.rpc, hash, { from: 0, to: ctx.head });
        if (r.length === 0) {
          throw new RpcError(`trace_transaction gave no traces for ${hash}.`, { method: 'trace_transaction', endpoint: ctx.rpc.endpoint, retryable: false });
        }
        return r;
      });
      trees.set(hash, p);
    }
    return p;
  };
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
    async fetch(ctx, { address, side }, from, to) {
      const traces = await refetching('trace_filter', ctx.rpc.endpoint, async () => {
        const t = await traceFilter(ctx.rpc, { fromBlock: from, toBlock: to, [side === 'from' ? 'fromAddress' : 'toAddress']: [address] }, RANGED);
        await ctx.blockCheck.check(t, 'trace_filter');
        return t;
      });
      const nested = new Set(traces.filter((t) => t.traceAddress.length > 0 && t.transactionHash).map((t) => t.transactionHash!));
      if (nested.size === 0 || !ctx.caps.traceTransaction) {
        if (nested.size > 0) ctx.warn('internal transfers come from trace_filter without trace_transaction: a transfer inside a reverted call could be counted.');
        return { traces, trees: null };
      }
      const read = await Promise.all([...nested].map(async (h) => [h, await tree(ctx, h)] as const));
      return { traces, trees: new Map(read) };
    },
    decode(ctx, { traces, trees }) {
      if (trees === null) return decodeTraces(traces, ctx.chainId);
      const direct = traces.filter((t) => !t.transactionHash || !trees.has(t.transactionHash));
      const wanted = new Set(traces.map((t) => `${t.transactionHash}:${t.traceAddress.join('.')}`));
      const fromTrees: Transfer[] = [...trees.values()].flatMap((tree) =>
        decodeTraces(tree, ctx.chainId).filter((m) => wanted.has(`${m.txHash}:${m.ref.slice('trace:'.length)}`)),
      );
      return [...decodeTraces(direct, ctx.chainId), ...fromTrees];
    },
  };
};
