/**
 * What a bridge's arrival paid, where its own event does not say (Wormhole's `TransferRedeemed` names the
 * message only, docs/bridges.md): the token Transfer logs into the payee in the arrival's transaction, read
 * from its receipt; else the chain's coin its calls sent the payee, read from its call tree. The receipt is checked as every receipt read is (validate.ts checkReceipt: of the
 * transaction asked, its logs of that transaction and block, against that block's header hash and bloom)
 * and refetched while it fails. The asset a crossing step names is then one seen on the chain, never assumed.
 */
import type { RpcClient } from '../rpc/client.js';
import { MethodUnsupportedError } from '../rpc/errors.js';
import { NATIVE, type Address } from '../types.js';
import { checkedCallTree } from './callTree.js';
import { decodeLog } from './logs.js';
import { checkedReceipt } from './checkedReceipt.js';
import type { BlockCheck } from './validate.js';

/** The zero address: an ERC-20 Transfer from it is a mint. */
const MINT_FROM = '0x0000000000000000000000000000000000000000';

/** The token the payee received in the arrival transaction, and how much (summed over its Transfer logs). */
export interface ArrivalToken {
  asset: Address;
  amount: bigint;
  /** The Transfer logs it rests on (`log:<index>`). */
  refs: string[];
}

/**
 * The token `payee` received from the bridge by ERC-20 Transfer logs in transaction `at.txHash` of block
 * `at.blockHash` on `chainId`. Only a Transfer from the arrival's own contract (`at.contract`) or from the
 * zero address (a mint) is the bridge's payout: Wormhole's token bridge pays a redemption
 * (ethereum/contracts/bridge/Bridge.sol `_completeTransfer`, wormhole-foundation/wormhole) either out of
 * its own balance (`safeTransfer` of a token native to the chain, so the Transfer is from the bridge) or
 * by minting its wrapped token (`mint`, a Transfer from the zero address). Any other Transfer into the
 * payee in that transaction (a relayer's or a hook's) is not the bridge's. Null when the payee received
 * none, or tokens of more than one contract (no one asset to name), or the transaction reverted.
 * No receipt, or a receipt of another block than the arrival's (a lagging backend, or a reorg since the arrival was read)
 * is asked again; if it persists, the run stops with one sentence, as for any inconsistent answer.
 */
export async function arrivalTokenOf(
  rpc: RpcClient,
  chainId: number,
  at: { txHash: string; blockHash: string; contract: Address },
  payee: Address,
  blockCheck: BlockCheck,
): Promise<ArrivalToken | null> {
  const receipt = await checkedReceipt(rpc, at.txHash, at.blockHash, blockCheck, 'a bridge arrival');
  if (receipt.status === 0) return null;
  const bridge = at.contract.toLowerCase();
  const into = receipt.logs
    .map((l) => decodeLog(l, chainId))
    .filter((t) => t !== null && t.kind === 'erc20' && t.to === payee && t.amount > 0n && (t.from === bridge || t.from === MINT_FROM));
  const assets = new Set(into.map((t) => t!.asset));
  if (assets.size !== 1) return null;
  return { asset: [...assets][0]!, amount: into.reduce((sum, t) => sum + t!.amount, 0n), refs: into.map((t) => t!.ref) };
}

/** The chain's coin the payee received from the bridge in the arrival transaction (summed over its calls). */
export interface ArrivalCoin {
  amount: bigint;
  /** The calls it rests on (`trace:<address>`). */
  refs: string[];
}

/**
 * The chain's coin `payee` received from the arrival's own contract (`at.contract`) by successful calls in
 * transaction `at.txHash` of block `at.blockNumber` / `at.blockHash`, read from its trace_transaction call
 * tree: Wormhole's token bridge pays a redemption in the coin by unwrapping its WETH and sending the value
 * to the recipient from the bridge (`completeTransferAndUnwrapETH`, `_completeTransfer` in
 * ethereum/contracts/bridge/Bridge.sol, wormhole-foundation/wormhole), a call no log shows. The tree is
 * checked as every tree read is (traceFilterByAddress.ts checkTree: every frame of that transaction and
 * block; validate.ts: the block's hash as its header names it) and must be of the arrival's block; a wrong
 * answer is asked again, then the run stops with one sentence. Null when the bridge sent the payee none,
 * or the node serves no trace_transaction (the caller then names no asset).
 */
export async function arrivalCoinOf(
  rpc: RpcClient,
  chainId: number,
  at: { txHash: string; blockNumber: number; blockHash: string; contract: Address },
  payee: Address,
  blockCheck: BlockCheck,
): Promise<ArrivalCoin | null> {
  const tx = at.txHash.toLowerCase();
  let calls;
  try {
    calls = await checkedCallTree(rpc, chainId, tx, at, blockCheck, `whose bridge arrival was read from block ${at.blockNumber}`);
  } catch (err) {
    if (err instanceof MethodUnsupportedError) return null;
    throw err;
  }
  const bridge = at.contract.toLowerCase();
  const into = calls.filter((t) => t.asset === NATIVE && t.from === bridge && t.to === payee && t.amount > 0n);
  if (into.length === 0) return null;
  return { amount: into.reduce((sum, t) => sum + t.amount, 0n), refs: into.map((t) => t.ref) };
}
