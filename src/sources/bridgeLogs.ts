/**
 * The logs a cross-chain trace reads from the bridges themselves (docs/bridges.md, "Integration"):
 * an exit from the receipt of the transaction that paid a bridge contract, and the candidate arrivals
 * for it on the destination chain, by eth_getLogs of that chain's registry contracts only. Decoding and
 * matching stay in bridges/ (pure); this file only fetches, through the rpc actions.
 */
import { eventNamed } from '../bridges/events.js';
import type { BridgeRegistry } from '../bridges/registry.js';
import type { BridgeArrival, BridgeExit, RawLog } from '../bridges/types.js';
import { getLogs, type RpcLog } from '../rpc/actions/getLogs.js';
import type { RpcClient } from '../rpc/client.js';
import { hexToNumber } from '../rpc/hex.js';
import { fetchRangeAdaptive } from '../rpc/ranges.js';
import { refetching } from '../rpc/refetch.js';
import type { Address } from '../types.js';
import { checkedReceipt } from './checkedReceipt.js';
import type { BlockCheck } from './validate.js';

function rawLog(l: RpcLog): RawLog {
  return {
    address: l.address.toLowerCase(),
    topics: l.topics.map((t) => t.toLowerCase()),
    data: l.data.toLowerCase(),
    transactionHash: l.transactionHash.toLowerCase(),
    logIndex: hexToNumber(l.logIndex),
    blockNumber: hexToNumber(l.blockNumber),
  };
}

/**
 * The exits of transaction `txHash` on `chainId` that paid bridge contract `contract`: its receipt's
 * logs, of that protocol's registry contracts on this chain only (a Wormhole transfer is published by
 * the core beside the token bridge it paid; every other protocol's exit is the entered contract's own
 * log), decoded through the registry. A reverted transaction moved nothing: no exit. The receipt is
 * checked as every receipt read is (validate.ts checkReceipt: of the transaction asked, its logs of that
 * transaction and block, against that block's header hash and bloom, through `blockCheck`, the chain's)
 * and must be of the block the payment was stored from (`blockHash`). No receipt, or one that fails
 * either (a lagging backend, or a reorg since the payment was stored) is asked again; if it persists the
 * run stops with one sentence, rather than its exits printed as facts.
 */
export async function readExits(
  rpc: RpcClient,
  registry: BridgeRegistry,
  chainId: number,
  payment: { txHash: string; blockHash: string },
  contract: Address,
  blockCheck: BlockCheck,
): Promise<BridgeExit[]> {
  const row = registry.find(chainId, contract);
  if (!row) return [];
  const receipt = await checkedReceipt(rpc, payment.txHash, payment.blockHash, blockCheck, 'a payment');
  if (receipt.status === 0) return [];
  const logs = receipt.logs.map(rawLog).filter((l) => {
    const r = registry.find(chainId, l.address as Address);
    return r !== undefined && r.protocol === row.protocol && (row.protocol === 'wormhole' || r.address === row.address);
  });
  return registry
    .decode(chainId, logs)
    .flatMap((d) => (d.kind === 'exit' && d.exit.protocol === row.protocol ? [d.exit] : []));
}

/** The arrival events of each protocol, by topic0. */
const ARRIVAL_EVENTS: Readonly<Record<BridgeExit['protocol'], readonly string[]>> = {
  thorchain: ['TransferOut', 'TransferOutAndCall'],
  across: ['FilledRelay', 'FilledV3Relay'],
  wormhole: ['TransferRedeemed'],
  'op-standard-bridge': ['ETHBridgeFinalized', 'ERC20BridgeFinalized'],
};

const word = (n: string | bigint): string => '0x' + BigInt(n).toString(16).padStart(64, '0');

/** Topic filter of the arrivals for this exit: by the protocol's indexed link where it has one. */
function arrivalTopics(exit: BridgeExit): (string | string[] | null)[] {
  const topic0 = ARRIVAL_EVENTS[exit.protocol].map((name) => eventNamed(name).topic0);
  const parts = exit.link.kind === 'id' ? exit.link.parts : undefined;
  if (exit.protocol === 'across' && parts?.originChainId !== undefined && parts.depositId !== undefined) {
    return [topic0, word(parts.originChainId), word(parts.depositId)];
  }
  if (exit.protocol === 'wormhole' && parts?.emitterChain !== undefined && parts.emitter !== undefined && parts.sequence !== undefined) {
    return [topic0, word(parts.emitterChain), parts.emitter.toLowerCase(), word(parts.sequence)];
  }
  return [topic0];
}

/**
 * The arrivals on the exit's destination chain within blocks [from, to] that could be its payout: the
 * protocol's arrival events emitted by the registry's contracts of that protocol on that chain (never
 * a look-alike's), filtered by the link's indexed fields where the protocol has them, decoded, each with
 * its transaction's index in the block (where the walk on that chain starts).
 */
export async function findArrivals(
  rpc: RpcClient,
  registry: BridgeRegistry,
  exit: BridgeExit,
  destChainId: number,
  from: number,
  to: number,
  blockCheck: BlockCheck,
): Promise<{ arrival: BridgeArrival; txIndex: number }[]> {
  const contracts = registry.rows
    .filter((r) => r.chainId === destChainId && r.protocol === exit.protocol && (r.remoteChainId === null || r.remoteChainId === exit.source.chainId))
    .map((r) => r.address);
  if (contracts.length === 0 || from > to) return [];
  const topics = arrivalTopics(exit);
  const logs: RpcLog[] = [];
  await fetchRangeAdaptive({
    key: `bridge-arrivals:${exit.protocol}`,
    client: rpc,
    from,
    to,
    // Checked against their blocks' headers (hash and bloom) as every log read is, refetched while a
    // lagging backend answers for another block: an arrival is printed as a fact.
    fetch: (a, b) =>
      refetching('eth_getLogs', rpc.endpoint, async () => {
        const chunk = await getLogs(rpc, { fromBlock: a, toBlock: b, topics, address: contracts });
        await blockCheck.check(chunk, 'eth_getLogs');
        return chunk;
      }),
    onChunk: (_a, _b, chunk) => void logs.push(...chunk),
  });
  const txIndex = new Map(logs.map((l) => [l.transactionHash.toLowerCase(), hexToNumber(l.transactionIndex)]));
  return registry
    .decode(destChainId, logs.map(rawLog))
    .flatMap((d) => (d.kind === 'arrival' ? [{ arrival: d.arrival, txIndex: txIndex.get(d.arrival.at.txHash.toLowerCase()) ?? 0 }] : []));
}
