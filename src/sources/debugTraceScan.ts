import { debugTraceBlockByHash, type CallFrame, type TracedBlock } from '../rpc/actions/debugTraceBlockByHash.js';
import { refetching } from '../rpc/refetch.js';
import { decodeCallTrees } from './callTracer.js';
import type { Source } from './source.js';

/**
 * Native and internal movements of every address, block by block, on nodes without trace_* (Geth):
 * the block's header (for its hash and transactions), then debug_traceBlockByHash with callTracer. The
 * header is read through the run's cache: the log checks of the same block share it.
 */
export const debugTraceScan = (): Source<{ block: TracedBlock; roots: CallFrame[] }> => ({
  name: 'debug-trace-scan',
  scope: 'block',
  keys: [{ scope: 'block', name: 'scan:calls' }],
  part: 'native',
  internal: true,
  unit: { kind: 'block' },
  available: (c) => c.debugTraceBlock,
  label: 'debug_traceBlockByHash per block',
  tracer: 'debug_traceBlockByHash (callTracer)',
  calls: (blocks) => ({ eth_getBlockByNumber: blocks, debug_traceBlockByHash: blocks }),
  async fetch(ctx, _target, n) {
    const header = await refetching('eth_getBlockByNumber', ctx.rpc.endpoint, () => ctx.headers.block(n));
    const block = { number: n, hash: header.hash, txHashes: header.transactions };
    const roots = await refetching('debug_traceBlockByHash', ctx.rpc.endpoint, () => debugTraceBlockByHash(ctx.rpc, block));
    return { block, roots };
  },
  decode: (ctx, { block, roots }) => decodeCallTrees(roots, block, ctx.chainId),
});
