import type { ParityTrace } from '../rpc/actions/parityTrace.js';
import { traceBlock } from '../rpc/actions/traceBlock.js';
import { refetching } from '../rpc/refetch.js';
import type { Source } from './source.js';
import { decodeTraces } from './traces.js';

/** Native and internal movements of every address, block by block: trace_block. */
export const traceBlockScan = (): Source<ParityTrace[]> => ({
  name: 'trace-block-scan',
  scope: 'block',
  keys: [{ scope: 'block', name: 'scan:calls' }],
  part: 'native',
  internal: true,
  unit: { kind: 'block' },
  available: (c) => c.traceBlock,
  label: 'trace_block per block',
  tracer: 'trace_block',
  calls: (blocks) => ({ trace_block: blocks }),
  // Nearly every block has traces (any transaction has a top-level frame), so each header is needed.
  checksHeaders: true,
  fetch: (ctx, _target, n) =>
    refetching('trace_block', ctx.rpc.endpoint, async () => {
      const t = await traceBlock(ctx.rpc, n);
      // Traces of another block (a lagging or forked backend) must not be stored as block n's: checked
      // against the header, which the log check of the same block usually has fetched already.
      if (t.length > 0) await ctx.blockCheck.check(t, 'trace_block');
      return t;
    }),
  decode: (ctx, traces) => decodeTraces(traces, ctx.chainId),
});
