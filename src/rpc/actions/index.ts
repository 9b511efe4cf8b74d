/**
 * Typed JSON-RPC actions: one file per method hoptrace calls, each with typed parameters, a checked and
 * normalised result, and the errors of rpc/errors.ts. Nothing outside src/rpc/ calls `request` with a
 * method string (test/rpcActions.test.ts keeps it so).
 */
export { call } from './call.js';
export { getChainId } from './chainId.js';
export { debugTraceBlockByHash, servesDebugTraceBlock, type CallFrame, type TracedBlock } from './debugTraceBlockByHash.js';
export { getBlock, getBlockWithTransactions, missingBlock, type BlockHead, type BlockTag, type BlockTransaction, type FullBlock } from './getBlock.js';
export { getBlockReceipts } from './getBlockReceipts.js';
export { getLogs, validateLogs, type GetLogsParameters, type RpcLog } from './getLogs.js';
export { getTransaction, type TransactionInfo } from './getTransaction.js';
export { getTransactionCount } from './getTransactionCount.js';
export { getTransactionReceipt } from './getTransactionReceipt.js';
export { validateTraces, type ParityTrace } from './parityTrace.js';
export { checkReceiptLogs, type Receipt } from './receipt.js';
export { traceBlock, servesTraceBlock } from './traceBlock.js';
export { traceFilter, servesTraceFilter, type TraceFilterParameters } from './traceFilter.js';
export { traceTransaction, servesTraceTransaction } from './traceTransaction.js';
