import type { RpcLog } from '../rpc/actions/getLogs.js';
import { addressToTopic } from '../util/address.js';
import { TOPIC_TRANSFER, VALUE_EVENTS } from './logs.js';
import { decodeLogs, readLogs } from './logsByAddress.js';
import { addressKeys, type SetSource } from './source.js';

/**
 * ERC-20 transfers and WETH wraps of a set of addresses: one eth_getLogs per block range with the set's
 * topics as an OR-list in topic1 (senders, holders) or topic2 (recipients), stored under the per-address
 * keys of every address of the set. eth_getLogs is billed per call whatever its range or filter.
 */
export const logsBySet = (): SetSource<RpcLog[]> => ({
  name: 'logs-by-set',
  part: 'logs',
  internal: false,
  keys: addressKeys('logs'),
  spanKey: 'eth_getLogs:set',
  label: 'eth_getLogs by address set',
  available: () => true,
  calls: (chunks) => ({ 'eth_getLogs:set': chunks }),
  fetch: (ctx, { addresses, side }, from, to) => {
    const topics = addresses.map(addressToTopic);
    return readLogs(ctx, 'eth_getLogs:set', side === 'from' ? [VALUE_EVENTS, topics] : [[TOPIC_TRANSFER], null, topics], from, to);
  },
  decode: (ctx, logs) => decodeLogs(logs, ctx.chainId),
});
