import { getLogs, type RpcLog } from '../rpc/actions/getLogs.js';
import { refetching } from '../rpc/refetch.js';
import type { Transfer } from '../types.js';
import { addressToTopic } from '../util/address.js';
import { decodeLog, TOPIC_TRANSFER, VALUE_EVENTS } from './logs.js';
import { addressKeys, RANGED, rangeQuery, type Source, type SourceContext } from './source.js';

/**
 * ERC-20 transfers and WETH wraps of one address, by its topic: eth_getLogs with the address as topic1
 * (the sender of a Transfer, the holder of a Deposit/Withdrawal) or topic2 (a Transfer's recipient).
 */
export const logsByAddress = (): Source<RpcLog[]> => ({
  name: 'logs-by-address',
  scope: 'address',
  keys: addressKeys('logs'),
  part: 'logs',
  internal: false,
  unit: { kind: 'range', spanKey: 'eth_getLogs:address' },
  available: () => true,
  label: 'eth_getLogs by address topic',
  calls: (chunks) => ({ 'eth_getLogs:address': chunks }),
  fetch: (ctx, { address, side }, from, to) => {
    const topic = addressToTopic(address);
    return readLogs(ctx, 'eth_getLogs:address', side === 'from' ? [VALUE_EVENTS, topic] : [[TOPIC_TRANSFER], null, topic], from, to);
  },
  decode: (ctx, logs) => decodeLogs(logs, ctx.chainId),
});

/** One eth_getLogs over `from..to`, checked against the headers of the blocks it names, refetched while inconsistent. */
export function readLogs(ctx: SourceContext, costKey: string, topics: (string | readonly string[] | null)[], from: number, to: number): Promise<RpcLog[]> {
  return refetching('eth_getLogs', ctx.rpc.endpoint, async () => {
    const logs = await rangeQuery(getLogs(ctx.rpc, { fromBlock: from, toBlock: to, topics }, { ...RANGED, costKey }));
    await ctx.blockCheck.check(logs, 'eth_getLogs');
    return logs;
  });
}

/** The value movements among `logs`. */
export function decodeLogs(logs: readonly RpcLog[], chainId: number): Transfer[] {
  return logs.map((l) => decodeLog(l, chainId)).filter((t): t is Transfer => t !== null);
}
