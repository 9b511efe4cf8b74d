import { getBlockReceipts } from '../rpc/actions/getBlockReceipts.js';
import { getBlockWithTransactions, missingBlock, type BlockTransaction } from '../rpc/actions/getBlock.js';
import { getTransactionReceipt } from '../rpc/actions/getTransactionReceipt.js';
import type { Receipt } from '../rpc/actions/receipt.js';
import { InvalidResponseError } from '../errors.js';
import { MethodUnsupportedError } from '../rpc/errors.js';
import { refetching } from '../rpc/refetch.js';
import { NATIVE, type Transfer } from '../types.js';
import type { Source, SourceContext } from './source.js';

/** A block's value-moving transactions that succeeded. */
interface Body {
  number: number;
  hash: string;
  moves: BlockTransaction[];
}

/**
 * Top-level native transfers only, block by block, for nodes without any tracing: eth_getBlockByNumber
 * with transactions, kept only where the receipt says the transaction succeeded. Movements sent by
 * contracts stay invisible (Coverage says so).
 */
export const blockBodyScan = (): Source<Body> => {
  /** eth_getBlockReceipts until the node refuses it; then receipts one by one. */
  let blockReceipts = true;

  /**
   * Success (true) or failure of each transaction, from its receipt. A receipt that is missing is an
   * error, never "failed": that would drop the transfer and mark the block read.
   */
  const statuses = async (ctx: SourceContext, n: number, hashes: string[]): Promise<Map<string, boolean>> => {
    let receipts: (Receipt | null)[] | null = null;
    if (blockReceipts) {
      try {
        receipts = await refetching('eth_getBlockReceipts', ctx.rpc.endpoint, () => getBlockReceipts(ctx.rpc, n));
      } catch (err) {
        if (!(err instanceof MethodUnsupportedError)) throw err;
        blockReceipts = false;
      }
    }
    receipts ??= await Promise.all(hashes.map((h) => refetching('eth_getTransactionReceipt', ctx.rpc.endpoint, () => getTransactionReceipt(ctx.rpc, h))));
    const out = new Map<string, boolean>();
    for (const r of receipts) if (r) out.set(r.transactionHash, r.status === 1);
    const missing = hashes.find((h) => !out.has(h));
    if (missing) throw new InvalidResponseError(`the node gave no receipt for transaction ${missing} of block ${n}.`);
    return out;
  };

  return {
    name: 'block-body-scan',
    scope: 'block',
    keys: [{ scope: 'block', name: 'scan:txs' }],
    part: 'native',
    internal: false,
    unit: { kind: 'block' },
    seedsHeaders: true,
    available: () => true,
    label: 'eth_getBlockByNumber per block',
    tracer: 'eth_getBlockByNumber (top-level transactions only)',
    calls: (blocks) => ({ eth_getBlockByNumber: blocks }),
    async fetch(ctx, _target, n) {
      const block = await refetching('eth_getBlockByNumber', ctx.rpc.endpoint, async () => (await getBlockWithTransactions(ctx.rpc, n)) ?? Promise.reject(missingBlock(n)));
      ctx.headers.seed(n, { ...block, transactions: block.transactions.map((t) => t.hash) });
      const moves = block.transactions.filter((t) => t.to !== null && t.value !== 0n);
      if (moves.length === 0) return { number: n, hash: block.hash, moves };
      const status = await statuses(ctx, n, moves.map((t) => t.hash));
      return { number: n, hash: block.hash, moves: moves.filter((t) => status.get(t.hash) === true) };
    },
    decode: (ctx, body) =>
      body.moves.map(
        (t): Transfer => ({
          chainId: ctx.chainId,
          txHash: t.hash,
          ref: 'trace:',
          kind: 'native',
          blockNumber: body.number,
          blockHash: body.hash,
          txIndex: t.index,
          from: t.from,
          to: t.to!,
          asset: NATIVE,
          amount: t.value,
        }),
      ),
  };
};
