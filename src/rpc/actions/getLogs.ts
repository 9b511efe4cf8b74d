/** `eth_getLogs` over a block range, its answer checked against the request. */
import { InvalidResponseError } from '../../errors.js';
import type { RequestOptions, RpcClient } from '../client.js';
import { hexToNumber, nodeAddress, nodeHash, toQuantity } from '../hex.js';

/** An eth_getLogs entry, checked and normalised (hex lower-cased, numbers as quantities). */
export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
  removed?: boolean;
}

/** What to ask for: an inclusive block range and the topic filter (null: any; a list: any of them). */
export interface GetLogsParameters {
  fromBlock: number;
  toBlock: number;
  topics: readonly (string | readonly string[] | null)[];
  /** Only logs these contracts emitted (lower-case); omitted: any contract. */
  address?: readonly string[];
}

/**
 * The logs of `fromBlock..toBlock` matching `topics`. Range errors arrive as RangeTooLargeError (the
 * caller splits, rpc/ranges.ts); an answer that cannot be true as InvalidResponseError.
 *
 * @example
 * const logs = await getLogs(rpc, { fromBlock: 100, toBlock: 200, topics: [TOPIC_TRANSFER] });
 */
export async function getLogs(rpc: RpcClient, p: GetLogsParameters, opts?: RequestOptions): Promise<RpcLog[]> {
  const filter = { fromBlock: toQuantity(p.fromBlock), toBlock: toQuantity(p.toBlock), topics: p.topics, ...(p.address ? { address: p.address } : {}) };
  const logs = validateLogs(await rpc.request('eth_getLogs', [filter], opts), p.fromBlock, p.toBlock);
  if (p.address) {
    // A node that ignores the address filter must not make another contract's log look like ours.
    const wanted = new Set(p.address.map((a) => a.toLowerCase()));
    for (const l of logs) {
      if (!wanted.has(l.address)) throw new InvalidResponseError(`eth_getLogs returned a log of ${l.address}, which the request did not ask for.`);
    }
  }
  return logs;
}

/**
 * Checks an eth_getLogs answer against the request before anything is stored: every log inside the
 * block range, not removed, and of the strict shape (addresses, hashes and topics of their length in
 * hex, numbers as quantities, data as hex). Returns the logs normalised (hex lower-cased). A node that
 * answers otherwise is wrong, not the chain.
 */
export function validateLogs(logs: unknown, from: number, to: number): RpcLog[] {
  if (!Array.isArray(logs)) throw new InvalidResponseError('eth_getLogs answered with something that is not a list.');
  return logs.map((raw: unknown): RpcLog => {
    const l = raw as Partial<Record<keyof RpcLog, unknown>> | null;
    if (typeof l !== 'object' || l === null || !Array.isArray(l.topics) || l.topics.length > 4 || typeof l.data !== 'string' || !/^0x(?:[0-9a-fA-F]{2})*$/.test(l.data)) {
      throw new InvalidResponseError('eth_getLogs answered with a malformed log entry.');
    }
    const n = hexToNumber(l.blockNumber);
    if (n < from || n > to) {
      throw new InvalidResponseError(`eth_getLogs returned a log of block ${n} for the range ${from}–${to}.`);
    }
    if (l.removed === true) throw new InvalidResponseError('eth_getLogs returned a removed (reorged) log.');
    return {
      address: nodeAddress(l.address, 'a log address'),
      topics: (l.topics as unknown[]).map((t) => nodeHash(t, 'a log topic')),
      data: l.data.toLowerCase(),
      blockNumber: toQuantity(n),
      blockHash: nodeHash(l.blockHash, 'a block hash'),
      transactionHash: nodeHash(l.transactionHash, 'a transaction hash'),
      transactionIndex: toQuantity(hexToNumber(l.transactionIndex)),
      logIndex: toQuantity(hexToNumber(l.logIndex)),
    };
  });
}
