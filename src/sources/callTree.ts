/**
 * One transaction's call tree, read as every tree read is checked: trace_transaction (rpc/actions), every
 * frame of that transaction and block (traceFilterByAddress.ts `checkTree`), the block's hash as its
 * header names it (validate.ts), decoded into movements (traces.ts). Used where a single transaction's
 * calls are the evidence: a bridge arrival's coin payout (arrivalTransfers.ts) and a hop `verify`
 * re-checks (verify/verify.ts).
 */
import { InvalidResponseError } from '../errors.js';
import { traceTransaction } from '../rpc/actions/traceTransaction.js';
import type { RpcClient } from '../rpc/client.js';
import { refetching } from '../rpc/refetch.js';
import type { Transfer } from '../types.js';
import { checkTree } from './traceFilterByAddress.js';
import { decodeTraces } from './traces.js';
import type { BlockCheck } from './validate.js';

/**
 * The movements of transaction `tx`'s calls in block `at.blockNumber` on `chainId`, from its checked
 * trace_transaction tree; with `at.blockHash`, the tree must be of that block as well. A mined
 * transaction has at least its top call, so an empty tree (a tracer not, or not yet, holding it) is a
 * wrong answer too. A wrong answer is asked again; if it persists, one InconsistentAnswerError (the run
 * stops with one sentence). `whose`: why the transaction is expected in that block, ending the
 * sentence of a wrong answer ("whose bridge arrival was read from block 12"). Errors of the call itself
 * (a node without trace methods) pass through for the caller to judge.
 */
export function checkedCallTree(
  rpc: RpcClient,
  chainId: number,
  tx: string,
  at: { blockNumber: number; blockHash?: string },
  blockCheck: BlockCheck,
  whose: string,
): Promise<Transfer[]> {
  const short = `${tx.slice(0, 10)}…`;
  return refetching('trace_transaction', rpc.endpoint, async () => {
    const frames = await traceTransaction(rpc, tx, { from: at.blockNumber, to: at.blockNumber });
    if (frames.length === 0) throw new InvalidResponseError(`trace_transaction gave no frames of transaction ${short}, ${whose}`);
    checkTree(frames, tx, at.blockNumber);
    await blockCheck.check(frames, 'trace_transaction');
    const want = at.blockHash?.toLowerCase();
    for (const f of want === undefined ? [] : frames) {
      if (f.blockHash.toLowerCase() !== want) {
        throw new InvalidResponseError(`trace_transaction placed transaction ${short} in block ${f.blockHash.slice(0, 10)}…, not ${want!.slice(0, 10)}…, ${whose}`);
      }
    }
    return decodeTraces(frames, chainId);
  });
}
