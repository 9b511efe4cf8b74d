/** The shape eth_getBlockReceipts and eth_getTransactionReceipt share: a transaction receipt, checked. */
import { InvalidResponseError } from '../../errors.js';
import { hexToNumber } from '../hex.js';
import type { RpcLog } from './getLogs.js';

/** A receipt after parseReceipt. */
export interface Receipt {
  /** Lower-case. */
  transactionHash: string;
  blockNumber: number;
  /** Lower-case. */
  blockHash: string;
  /** 1 success, 0 reverted; null for pre-Byzantium receipts (no status field). */
  status: number | null;
  /** As the node sent them (shape checked; decodeLog normalises what it reads). */
  logs: RpcLog[];
}

const HASH = /^0x[0-9a-fA-F]{64}$/;

/**
 * A receipt answer of `method`, checked field by field. A receipt whose logs are missing though its bloom
 * is set is a provider fault (checkReceiptLogs), not a transaction without events.
 */
export function parseReceipt(answer: unknown, method: string): Receipt {
  if (typeof answer !== 'object' || answer === null) throw new InvalidResponseError(`${method} answered with something that is not a receipt`);
  const r = answer as { blockNumber?: unknown; blockHash?: unknown; status?: unknown; logs?: unknown; logsBloom?: unknown; transactionHash?: unknown };
  checkReceiptLogs(r, method);
  if (typeof r.blockHash !== 'string' || !HASH.test(r.blockHash)) {
    throw new InvalidResponseError(`${method} returned a receipt without a valid block hash`);
  }
  if (typeof r.transactionHash !== 'string' || !HASH.test(r.transactionHash)) {
    throw new InvalidResponseError(`${method} returned a receipt without a valid transaction hash`);
  }
  const logs = r.logs as unknown[];
  for (const l of logs) {
    const log = l as Partial<Record<keyof RpcLog, unknown>>;
    if (
      typeof l !== 'object' ||
      l === null ||
      typeof log.address !== 'string' ||
      !Array.isArray(log.topics) ||
      !log.topics.every((t) => typeof t === 'string') ||
      typeof log.data !== 'string' ||
      typeof log.blockHash !== 'string' ||
      typeof log.transactionHash !== 'string'
    ) {
      throw new InvalidResponseError(`${method} returned a receipt with a malformed log`);
    }
    hexToNumber(log.logIndex);
    hexToNumber(log.blockNumber);
    hexToNumber(log.transactionIndex);
  }
  return {
    transactionHash: r.transactionHash.toLowerCase(),
    blockNumber: hexToNumber(r.blockNumber),
    blockHash: r.blockHash.toLowerCase(),
    status: r.status === undefined || r.status === null ? null : hexToNumber(r.status),
    logs: logs as RpcLog[],
  };
}

/**
 * A receipt whose logs bloom is not empty must carry logs: an answer with the logs stripped is a
 * provider error, not a transaction without events.
 */
export function checkReceiptLogs(receipt: { logsBloom?: unknown; logs?: unknown; transactionHash?: unknown }, method: string): void {
  const bloom = typeof receipt.logsBloom === 'string' ? receipt.logsBloom : '';
  const hasBloomBits = /[1-9a-fA-F]/.test(bloom.slice(2));
  const logs = Array.isArray(receipt.logs) ? receipt.logs : null;
  if (logs === null || (hasBloomBits && logs.length === 0)) {
    throw new InvalidResponseError(`${method} returned a receipt whose logs are missing although its bloom is set (tx ${String(receipt.transactionHash).slice(0, 12)}…)`);
  }
}
