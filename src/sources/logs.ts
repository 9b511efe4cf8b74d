import { id } from 'ethers';
import { InvalidResponseError } from '../errors.js';
import type { Transfer } from '../types.js';
import { topicToAddress } from '../util/address.js';
import { hexToNumber, nodeAddress, nodeHash, toQuantity } from './hex.js';

/** keccak256 of the ERC-20 (and ERC-721) Transfer event signature. */
export const TOPIC_TRANSFER = id('Transfer(address,address,uint256)');
/** WETH9 `Deposit(address indexed dst, uint wad)`: native coin in, token minted to dst. */
export const TOPIC_DEPOSIT = id('Deposit(address,uint256)');
/** WETH9 `Withdrawal(address indexed src, uint wad)`: token burnt from src, native coin paid out. */
export const TOPIC_WITHDRAWAL = id('Withdrawal(address,uint256)');

/** An eth_getLogs entry as nodes return it. */
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

/**
 * Turns a log into a Transfer, or null when it is not a fungible value movement we follow:
 * ERC-721 transfers (tokenId in a 4th topic), malformed events, and events of other signatures.
 * Zero amounts are kept here (they are evidence of address poisoning); the walker never follows them.
 */
export function decodeLog(log: RpcLog, chainId: number): Transfer | null {
  const topic0 = log.topics[0]?.toLowerCase();
  const base = {
    chainId,
    txHash: log.transactionHash.toLowerCase(),
    ref: `log:${hexToNumber(log.logIndex)}`,
    blockNumber: hexToNumber(log.blockNumber),
    blockHash: log.blockHash.toLowerCase(),
    txIndex: hexToNumber(log.transactionIndex),
    asset: log.address.toLowerCase(),
  };
  // A fungible amount is exactly one 32-byte word; anything else is a different event with the same name.
  if (!/^0x[0-9a-fA-F]{64}$/.test(log.data)) return null;
  const amount = BigInt(log.data);
  // An indexed address is a topic whose first 12 bytes are zero: other words under these signatures
  // (raw log3 from assembly) are not transfers between addresses.
  if (!log.topics.slice(1).every((t) => /^0x0{24}/.test(t))) return null;
  if (topic0 === TOPIC_TRANSFER) {
    if (log.topics.length !== 3) return null;
    return { ...base, kind: 'erc20', from: topicToAddress(log.topics[1]!), to: topicToAddress(log.topics[2]!), amount };
  }
  if (topic0 === TOPIC_DEPOSIT || topic0 === TOPIC_WITHDRAWAL) {
    if (log.topics.length !== 2) return null;
    const holder = topicToAddress(log.topics[1]!);
    return { ...base, kind: topic0 === TOPIC_DEPOSIT ? 'wrap' : 'unwrap', from: holder, to: holder, amount };
  }
  return null;
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
