import type { RpcLog } from '../rpc/actions/getLogs.js';
import { VALUE_EVENTS } from './logs.js';
import { decodeLogs, readLogs } from './logsByAddress.js';
import type { Source } from './source.js';

/** Every ERC-20 transfer and WETH wrap of a block range, for every address: eth_getLogs by event only. */
export const logsScan = (): Source<RpcLog[]> => ({
  name: 'logs-scan',
  scope: 'block',
  keys: [{ scope: 'block', name: 'scan:logs' }],
  part: 'logs',
  internal: false,
  unit: { kind: 'range', spanKey: 'eth_getLogs:scan' },
  available: () => true,
  label: 'eth_getLogs by block range',
  calls: (chunks) => ({ 'eth_getLogs:scan': chunks }),
  fetch: (ctx, _target, from, to) => readLogs(ctx, 'eth_getLogs:scan', [VALUE_EVENTS], from, to),
  decode: (ctx, logs) => decodeLogs(logs, ctx.chainId),
});
