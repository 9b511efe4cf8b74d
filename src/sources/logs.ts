import { id } from 'ethers';
import type { Transfer } from '../types.js';
import { topicToAddress } from '../util/address.js';
import type { RpcLog } from '../rpc/actions/getLogs.js';
import { hexToNumber } from '../rpc/hex.js';

/** keccak256 of the ERC-20 (and ERC-721) Transfer event signature. */
export const TOPIC_TRANSFER = id('Transfer(address,address,uint256)');
/** WETH9 `Deposit(address indexed dst, uint wad)`: native coin in, token minted to dst. */
export const TOPIC_DEPOSIT = id('Deposit(address,uint256)');
/** WETH9 `Withdrawal(address indexed src, uint wad)`: token burnt from src, native coin paid out. */
export const TOPIC_WITHDRAWAL = id('Withdrawal(address,uint256)');
/** Events read: token transfers, and WETH Deposit/Withdrawal (their topic1 is the holder, like Transfer's from). */
export const VALUE_EVENTS: readonly string[] = [TOPIC_TRANSFER, TOPIC_DEPOSIT, TOPIC_WITHDRAWAL];

/**
 * Turns a log into a Transfer, or null when it is not a fungible value movement we follow:
 * ERC-721 transfers (tokenId in a 4th topic), malformed events, and events of other signatures.
 * Zero amounts are kept here (they are evidence of address poisoning); the walker never follows them.
 */
export function decodeLog(log: RpcLog, chainId: number): Transfer | null {
  const topic0 = log.topics[0]?.toLowerCase();
  // Read (and checked) first, as for any log: a malformed number is a bad answer even in a log not kept.
  const txHash = log.transactionHash.toLowerCase();
  const ref = `log:${hexToNumber(log.logIndex)}`;
  const blockNumber = hexToNumber(log.blockNumber);
  const blockHash = log.blockHash.toLowerCase();
  const txIndex = hexToNumber(log.transactionIndex);
  const asset = log.address.toLowerCase();
  // A fungible amount is exactly one 32-byte word; anything else is a different event with the same name.
  if (!/^0x[0-9a-fA-F]{64}$/.test(log.data)) return null;
  const amount = BigInt(log.data);
  // An indexed address is a topic whose first 12 bytes are zero: other words under these signatures
  // (raw log3 from assembly) are not transfers between addresses.
  if (!log.topics.slice(1).every((t) => /^0x0{24}/.test(t))) return null;
  let kind: Transfer['kind'];
  let from: string;
  let to: string;
  if (topic0 === TOPIC_TRANSFER) {
    if (log.topics.length !== 3) return null;
    kind = 'erc20';
    from = topicToAddress(log.topics[1]!);
    to = topicToAddress(log.topics[2]!);
  } else if (topic0 === TOPIC_DEPOSIT || topic0 === TOPIC_WITHDRAWAL) {
    if (log.topics.length !== 2) return null;
    kind = topic0 === TOPIC_DEPOSIT ? 'wrap' : 'unwrap';
    from = to = topicToAddress(log.topics[1]!);
  } else {
    return null;
  }
  // One object literal, not a spread of shared fields: V8 builds this at a fraction of a spread's cost
  // (a block scan decodes every log of the chain).
  return { chainId, txHash, ref, blockNumber, blockHash, txIndex, asset, kind, from, to, amount };
}
