/**
 * What a bridge's arrival paid, where its own event does not say (Wormhole's `TransferRedeemed` names the
 * message only, docs/bridges.md): the token Transfer logs into the payee in the arrival's transaction, read
 * from its receipt. The asset a crossing step names is then one seen on the chain, never assumed.
 */
import { InvalidResponseError } from '../errors.js';
import { getTransactionReceipt } from '../rpc/actions/getTransactionReceipt.js';
import type { RpcClient } from '../rpc/client.js';
import { refetching } from '../rpc/refetch.js';
import type { Address } from '../types.js';
import { decodeLog } from './logs.js';

/** The token the payee received in the arrival transaction, and how much (summed over its Transfer logs). */
export interface ArrivalToken {
  asset: Address;
  amount: bigint;
  /** The Transfer logs it rests on (`log:<index>`). */
  refs: string[];
}

/**
 * The token `payee` received by ERC-20 Transfer logs in transaction `txHash` of block `blockHash` on
 * `chainId`. Null when the payee received none, or tokens of more than one contract (no one asset to name),
 * or the transaction reverted. A receipt of another block (a reorg since the arrival was read) is refused in
 * one sentence, as an exit's receipt is.
 */
export async function arrivalTokenOf(rpc: RpcClient, chainId: number, at: { txHash: string; blockHash: string }, payee: Address): Promise<ArrivalToken | null> {
  const receipt = await refetching('eth_getTransactionReceipt', rpc.endpoint, () => getTransactionReceipt(rpc, at.txHash));
  if (receipt === null) throw new InvalidResponseError(`the node has no receipt for transaction ${at.txHash}, whose bridge arrival it served.`);
  if (receipt.blockHash !== at.blockHash.toLowerCase()) {
    throw new InvalidResponseError(
      `the receipt of transaction ${at.txHash} is of block ${receipt.blockHash}, but its bridge arrival was read from block ${at.blockHash}: the chain reorganised; trace again.`,
    );
  }
  if (receipt.status === 0) return null;
  const into = receipt.logs.map((l) => decodeLog(l, chainId)).filter((t) => t !== null && t.kind === 'erc20' && t.to === payee && t.amount > 0n);
  const assets = new Set(into.map((t) => t!.asset));
  if (assets.size !== 1) return null;
  return { asset: [...assets][0]!, amount: into.reduce((sum, t) => sum + t!.amount, 0n), refs: into.map((t) => t!.ref) };
}
