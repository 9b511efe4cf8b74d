import { InvalidResponseError } from '../errors.js';
import type { Receipt } from '../rpc/actions/receipt.js';
import { getTransactionReceipt } from '../rpc/actions/getTransactionReceipt.js';
import type { RpcClient } from '../rpc/client.js';
import { refetching } from '../rpc/refetch.js';
import { checkReceipt, type BlockCheck } from './validate.js';

/**
 * The receipt of transaction `tx`, believed only as the receipt of the block `blockHash` a row of it was
 * read from, and checked (validate.ts checkReceipt: of the transaction asked, its logs of that transaction
 * and block, against the header's hash and bloom). None, or one of another block, or one that cannot be
 * true is asked again (refetching), then stops the run in one sentence. `whose` ends the sentences: what
 * the node served of that transaction (`a transfer`, `a bridge arrival`). The block is compared first: a
 * lagging answer costs no header read.
 */
export async function checkedReceipt(rpc: RpcClient, tx: string, blockHash: string, blockCheck: BlockCheck, whose: string): Promise<Receipt> {
  const t = tx.toLowerCase();
  const block = blockHash.toLowerCase();
  return refetching('eth_getTransactionReceipt', rpc.endpoint, async () => {
    const r = await getTransactionReceipt(rpc, t);
    if (r === null) throw new InvalidResponseError(`the node has no receipt for transaction ${t}, of which it served ${whose}`);
    if (r.blockHash !== block) {
      throw new InvalidResponseError(
        `the receipt of transaction ${t} is of block ${r.blockHash}, but ${whose} of it was read from block ${block}: the chain reorganised, or the node lags; trace again`,
      );
    }
    await checkReceipt(r, t, blockCheck);
    return r;
  });
}
