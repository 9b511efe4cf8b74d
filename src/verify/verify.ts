/**
 * `hoptrace verify`: re-fetches every hop of a report from a node and says which hold. Layer:
 * verify → sources (decoders) / rpc (actions). Nothing is read from or written to a database: the report and
 * the node are the only inputs, so anyone holding the report and any endpoint can re-check it.
 */
import { HoptraceError, InvalidResponseError, RpcError, UsageError } from '../errors.js';
import { getChainId } from '../rpc/actions/chainId.js';
import { getTransaction } from '../rpc/actions/getTransaction.js';
import { getTransactionReceipt } from '../rpc/actions/getTransactionReceipt.js';
import type { RpcClient } from '../rpc/client.js';
import { hexToNumber } from '../rpc/hex.js';
import { refetching } from '../rpc/refetch.js';
import { checkedCallTree } from '../sources/callTree.js';
import { createHeaderCache } from '../sources/headers.js';
import { decodeLog } from '../sources/logs.js';
import { checkReceipt, createBlockCheck, type BlockCheck } from '../sources/validate.js';
import type { PathStep, TraceResult } from '../trace/result.js';
import type { Transfer } from '../types.js';

/** The outcome for one hop (one movement; a movement on several paths is checked once). */
export interface HopCheck {
  txHash: string;
  ref: string;
  blockNumber: number;
  /** Where the hop appears: `hit 2, step 3` (the first place). */
  where: string;
  ok: boolean;
  /** Why it does not hold (null when it does): one sentence naming what differs. */
  reason: string | null;
}

export interface VerifyResult {
  chainId: number;
  endpoint: string;
  checks: HopCheck[];
  failed: number;
  /**
   * Hops not checked by this node: steps on the report's other chains (verify with that chain's node)
   * and cross-chain steps (an arrival is a bridge event, not a movement of one chain's graph).
   */
  notChecked: number;
}

/**
 * Checks every path step of `report` against the node behind `rpc`: the block hash at that height, the
 * transaction's receipt (in that block, successful), and the movement itself — the log at `log:<i>`
 * decoded as the same Transfer/Deposit/Withdrawal, or the call at `trace:<address>` (trace_transaction;
 * for the top call, eth_getTransactionByHash when the node has no trace methods) with the same from, to,
 * asset and amount. Refuses (UsageError) a node on another chain.
 *
 * What the node answers is checked before it is compared: an answer that cannot be true (a receipt whose
 * logs are missing though its bloom is set, a field that is not what JSON-RPC says) is asked again a few
 * times (`refetching`), then ends the run with one InvalidResponseError; it never makes a hop FAIL, and
 * no hop holds by it. Every answer a hop is judged by is checked as the trace checks its reads
 * (sources/validate.ts): the receipt, its logs, the call tree and the transaction carry a block hash, which
 * must be the hash the header of that block names (the header the block-hash comparison read: no call
 * more on an honest node), logs must be in that block's bloom, and each answer must be of the transaction
 * asked (a tree: `checkTree`). A lagging or forked backend's tree or receipt of another block thus never
 * confirms a hop.
 */
export async function verifyReport(report: TraceResult, rpc: RpcClient, onProgress?: (m: string) => void): Promise<VerifyResult> {
  const chainId = await getChainId(rpc);
  // A cross-chain report is checked one chain at a time: the node must serve one of its chains.
  const chains = new Set([report.chainId, ...(report.chains ?? []).map((c) => c.chainId)]);
  if (!chains.has(chainId)) {
    throw new UsageError(`the RPC ${rpc.endpoint} serves chain ${chainId}, but the report is of chain ${[...chains].join(', ')}.`);
  }
  const steps = new Map<string, { step: PathStep; where: string }>();
  const skipped = new Set<string>();
  report.hits.forEach((h, i) =>
    h.path.forEach((step, j) => {
      const key = `${step.chainId ?? report.chainId}|${String(step.txHash).toLowerCase()}|${step.ref}`;
      if ((step.chainId ?? report.chainId) !== chainId || step.kind === 'bridge') skipped.add(key);
      else if (!steps.has(key)) steps.set(key, { step, where: `hit ${i + 1}, step ${j + 1}` });
    }),
  );
  const headers = createHeaderCache(rpc);
  // The trace's check of answers against headers, on this cache; nothing is stored.
  const blockCheck = createBlockCheck(headers, null);
  const blockHash = (n: number): Promise<string | null> => refetching('eth_getBlockByNumber', rpc.endpoint, async () => (await headers.load(n))?.hash ?? null);
  const traces = new Map<string, Promise<Transfer[] | null>>();
  // `blockNumber`: the block the receipt (checked) places the transaction in.
  const callsOf = (tx: string, blockNumber: number): Promise<Transfer[] | null> => {
    let p = traces.get(tx);
    if (!p) {
      p = checkedCallTree(rpc, chainId, tx, { blockNumber }, blockCheck, `which its receipt places in block ${blockNumber}`).catch((err: unknown) => {
        // A node without trace methods: the top call can still be checked from the transaction itself.
        if (err instanceof RpcError && !err.retryable) return null;
        throw err;
      });
      traces.set(tx, p);
    }
    return p;
  };

  const checks: HopCheck[] = [];
  let n = 0;
  for (const { step, where } of steps.values()) {
    onProgress?.(`checking hop ${++n}/${steps.size}`);
    const reason = await checkStep(step, chainId, { blockHash, callsOf, rpc, blockCheck });
    checks.push({ txHash: step.txHash, ref: step.ref, blockNumber: step.blockNumber, where, ok: reason === null, reason });
  }
  return { chainId, endpoint: rpc.endpoint, checks, failed: checks.filter((c) => !c.ok).length, notChecked: skipped.size };
}

async function checkStep(
  step: PathStep,
  chainId: number,
  io: { blockHash: (n: number) => Promise<string | null>; callsOf: (tx: string, blockNumber: number) => Promise<Transfer[] | null>; rpc: RpcClient; blockCheck: BlockCheck },
): Promise<string | null> {
  const tx = String(step.txHash).toLowerCase();
  if (!/^0x[0-9a-f]{64}$/.test(tx)) return `"${tx.slice(0, 80)}" is not a transaction hash.`;
  if (!Number.isSafeInteger(step.blockNumber) || step.blockNumber < 0) return 'the block number is not a block number.';
  const hash = await io.blockHash(step.blockNumber);
  if (hash === null) return `the node has no block ${step.blockNumber}.`;
  if (hash !== String(step.blockHash).toLowerCase()) return `block ${step.blockNumber} has hash ${hash} on this node, the report says ${step.blockHash}.`;
  const receipt = await refetching('eth_getTransactionReceipt', io.rpc.endpoint, async () => {
    const r = await getTransactionReceipt(io.rpc, tx);
    if (r !== null) await checkReceipt(r, tx, io.blockCheck);
    return r;
  });
  if (receipt === null) return `the node does not know transaction ${tx}.`;
  if (receipt.blockNumber !== step.blockNumber || receipt.blockHash !== String(step.blockHash).toLowerCase()) {
    return `transaction ${tx} is in block ${receipt.blockNumber} (${receipt.blockHash}), the report says block ${step.blockNumber}.`;
  }
  if (receipt.status !== null && receipt.status !== 1) return `transaction ${tx} reverted: it moved nothing.`;

  let found: Transfer | null = null;
  if (step.ref.startsWith('log:')) {
    const index = Number(step.ref.slice(4));
    const log = receipt.logs.find((l) => hexToNumber(l.logIndex) === index);
    if (!log) return `transaction ${tx} has no log ${index}.`;
    found = decodeLog(log, chainId);
    if (!found) return `log ${index} of ${tx} is not a transfer, deposit or withdrawal.`;
  } else if (step.ref.startsWith('trace:')) {
    const calls = await io.callsOf(tx, step.blockNumber);
    if (calls === null) {
      if (step.ref !== 'trace:') return `the node serves no trace_transaction, needed to check the internal call ${step.ref}.`;
      found = await topCall(io, tx, step, chainId);
    } else {
      found = calls.find((t) => t.ref === step.ref) ?? null;
    }
    if (!found) return `transaction ${tx} has no successful value-moving call at ${step.ref}.`;
  } else {
    return `"${step.ref.slice(0, 40)}" is not a log or trace position.`;
  }
  const diffs: string[] = [];
  if (found.from !== String(step.from).toLowerCase()) diffs.push(`from is ${found.from}, the report says ${step.from}`);
  if (found.to !== String(step.to).toLowerCase()) diffs.push(`to is ${found.to}, the report says ${step.to}`);
  if (found.asset !== String(step.asset).toLowerCase()) diffs.push(`asset is ${found.asset}, the report says ${step.asset}`);
  if (found.amount !== step.amount) diffs.push(`amount is ${found.amount}, the report says ${step.amount}`);
  return diffs.length === 0 ? null : `${diffs.join('; ')}.`;
}

/**
 * The top call of a transaction from the transaction itself (a node without trace methods), the answer
 * checked as of transaction `tx` mined in the step's block (which its receipt was checked to be in).
 */
async function topCall(io: { rpc: RpcClient; blockCheck: BlockCheck }, tx: string, step: PathStep, chainId: number): Promise<Transfer | null> {
  const t = await refetching('eth_getTransactionByHash', io.rpc.endpoint, async () => {
    const a = await getTransaction(io.rpc, tx);
    if (a === null) return null;
    if (a.hash !== tx) throw new InvalidResponseError(`eth_getTransactionByHash for ${tx.slice(0, 10)}… returned transaction ${a.hash.slice(0, 10)}…`);
    if (a.blockNumber !== step.blockNumber || a.blockHash === null) {
      throw new InvalidResponseError(`eth_getTransactionByHash placed transaction ${tx.slice(0, 10)}… in block ${a.blockNumber ?? 'none (pending)'}, its receipt in block ${step.blockNumber}`);
    }
    await io.blockCheck.check([{ blockNumber: a.blockNumber, blockHash: a.blockHash }], 'eth_getTransactionByHash');
    return a;
  });
  if (!t || !t.to) return null;
  return {
    chainId,
    txHash: tx,
    ref: 'trace:',
    kind: 'native',
    blockNumber: step.blockNumber,
    blockHash: step.blockHash,
    txIndex: 0,
    from: t.from,
    to: t.to,
    asset: 'native',
    amount: t.value,
  };
}

/** Thrown when the report holds no hop to check: nothing verified is not a pass. */
export function nothingToVerify(file: string): HoptraceError {
  return new UsageError(`${file} has no hops to verify (no hit with a path).`);
}
