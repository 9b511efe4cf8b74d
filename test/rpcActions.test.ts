/**
 * The typed RPC actions (src/rpc/actions/) without a node: what each sends, how each answer is checked and
 * normalised, and the error classes the client's boundary turns provider texts into. The anvil suites
 * (rpc, sources, faults, hostile-node, …) run the same actions against a real node.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidResponseError, RpcError, UsageError } from '../src/errors.js';
import {
  call,
  checkReceiptLogs,
  debugTraceBlockByHash,
  getBlock,
  getBlockReceipts,
  getBlockWithTransactions,
  getChainId,
  getLogs,
  getTransaction,
  getTransactionCount,
  getTransactionReceipt,
  servesTraceFilter,
  traceBlock,
  traceFilter,
  traceTransaction,
} from '../src/rpc/actions/index.js';
import type { RequestOptions, RpcClient } from '../src/rpc/client.js';
import { typedError } from '../src/rpc/client.js';
import { InconsistentAnswerError, MethodUnsupportedError, RangeTooLargeError } from '../src/rpc/errors.js';
import { parseRangeError } from '../src/rpc/ranges.js';
import { refetching } from '../src/rpc/refetch.js';

const A = '0x' + 'ab'.repeat(20);
const B = '0x' + 'cd'.repeat(20);
const H = '0x' + '12'.repeat(32);
const T = '0x' + '34'.repeat(32);
const BLOOM = '0x' + '00'.repeat(256);

/** A client that answers each call with the next canned answer (or throws it), recording what was sent. */
function canned(...answers: unknown[]): RpcClient & { sent: { method: string; params: unknown[]; opts?: RequestOptions }[] } {
  const sent: { method: string; params: unknown[]; opts?: RequestOptions }[] = [];
  return {
    endpoint: 'http://node.test',
    sent,
    async request<T>(method: string, params: unknown[], opts?: RequestOptions): Promise<T> {
      sent.push({ method, params, ...(opts === undefined ? {} : { opts }) });
      if (answers.length === 0) throw new Error(`no answer left for ${method}`);
      const a = answers.shift();
      if (a instanceof Error) throw a;
      return a as T;
    },
    stats: { total: 0, byMethod: {}, roundTrips: 0 },
    timing: {},
    resetStats() {},
    rps: 1,
  };
}

const block = (n: number, extra: Record<string, unknown> = {}) => ({
  number: '0x' + n.toString(16),
  hash: H.toUpperCase().replace('0X', '0x'),
  parentHash: '0x' + 'AB'.repeat(32),
  logsBloom: BLOOM,
  timestamp: '0x64',
  transactions: [T],
  ...extra,
});

describe('eth_getBlockByNumber, parsed in one place', () => {
  it('sends the header form and returns the checked header, null for no block', async () => {
    const rpc = canned(block(12), null);
    const b = await getBlock(rpc, 12);
    // The header form is a small read: it may share a JSON-RPC batch.
    expect(rpc.sent[0]).toEqual({ method: 'eth_getBlockByNumber', params: ['0xc', false], opts: { batch: true } });
    expect(b).toMatchObject({ number: 12, hash: H, parentHash: '0x' + 'ab'.repeat(32), timestamp: 100, transactions: [T] });
    expect(b!.bloom).toHaveLength(256);
    expect(await getBlock(rpc, 'latest')).toBeNull();
    expect(rpc.sent[1]!.params).toEqual(['latest', false]);
  });

  it('refuses another block than asked, a missing hash or bloom, a bad transaction hash', async () => {
    await expect(getBlock(canned(block(13)), 12)).rejects.toThrow('eth_getBlockByNumber returned block 13 for block 12');
    await expect(getBlock(canned(block(12, { logsBloom: '0x00' })), 12)).rejects.toThrow('returned block 12 without a valid hash, parent hash or logs bloom');
    // The parent hash names the block before: a check of that block's traces rests on it.
    await expect(getBlock(canned(block(12, { parentHash: undefined })), 12)).rejects.toThrow('without a valid hash, parent hash or logs bloom');
    await expect(getBlock(canned(block(12, { transactions: 'x' })), 12)).rejects.toThrow('without a transaction list');
    await expect(getBlock(canned(block(12, { transactions: ['0x12'] })), 12)).rejects.toThrow(InvalidResponseError);
    await expect(getBlock(canned('0x1'), 12)).rejects.toThrow('eth_getBlockByNumber did not return block 12');
  });

  it('parses the full form: every transaction checked, creations with no recipient', async () => {
    const tx = { hash: T, from: A.toUpperCase().replace('0X', '0x'), to: B, value: '0x10', transactionIndex: '0x0' };
    const rpc = canned(block(5, { transactions: [tx, { ...tx, to: null, transactionIndex: '0x1' }] }));
    const b = await getBlockWithTransactions(rpc, 5);
    expect(rpc.sent[0]!.params).toEqual(['0x5', true]);
    expect(b!.transactions).toEqual([
      { hash: T, from: A, to: B, value: 16n, index: 0 },
      { hash: T, from: A, to: null, value: 16n, index: 1 },
    ]);
    await expect(getBlockWithTransactions(canned(block(5, { transactions: [7] })), 5)).rejects.toThrow('returned a malformed transaction in block 5.');
  });
});

describe('range and trace actions', () => {
  const log = { address: A, topics: [H], data: '0x', blockNumber: '0xa', blockHash: H, transactionHash: T, transactionIndex: '0x0', logIndex: '0x2' };

  it('eth_getLogs sends the range as quantities with the caller options, refuses logs outside it', async () => {
    const rpc = canned([log], [{ ...log, blockNumber: '0xb' }]);
    const got = await getLogs(rpc, { fromBlock: 10, toBlock: 10, topics: [[H], null, H] }, { costKey: 'eth_getLogs:scan', timeoutRetries: 1 });
    expect(rpc.sent[0]).toEqual({
      method: 'eth_getLogs',
      params: [{ fromBlock: '0xa', toBlock: '0xa', topics: [[H], null, H] }],
      opts: { costKey: 'eth_getLogs:scan', timeoutRetries: 1 },
    });
    expect(got[0]).toMatchObject({ logIndex: '0x2', blockNumber: '0xa' });
    await expect(getLogs(rpc, { fromBlock: 10, toBlock: 10, topics: [] })).rejects.toThrow('eth_getLogs returned a log of block 11 for the range 10–10.');
  });

  const trace = (n: number) => ({ type: 'call', action: { from: A, to: B, value: '0x1' }, traceAddress: [], transactionHash: T, blockNumber: n, blockHash: H });

  it('trace_filter names one side; trace_block and trace_transaction check the block', async () => {
    const rpc = canned([trace(3)], [trace(4)], [trace(9)]);
    await traceFilter(rpc, { fromBlock: 1, toBlock: 5, toAddress: [A] });
    expect(rpc.sent[0]!.params).toEqual([{ fromBlock: '0x1', toBlock: '0x5', toAddress: [A] }]);
    await expect(traceBlock(rpc, 3)).rejects.toThrow('trace_block returned a trace of block 4 for 3–3.');
    await expect(traceTransaction(rpc, T, { from: 0, to: 8 })).rejects.toThrow('trace_transaction returned a trace of block 9 for 0–8.');
  });

  it('debug_traceBlockByHash asks with callTracer and wants one root frame per transaction', async () => {
    const frame = { type: 'CALL', from: A, to: B, value: '0x1', calls: [{ type: 'CALL', from: B, error: 'reverted', calls: [7] }] }; // frames under a failed one are never read
    const rpc = canned([{ result: frame }], [{ result: frame }, { result: frame }], [{ result: { type: 'CALL' } }]);
    const b = { number: 7, hash: H, txHashes: [T] };
    expect(await debugTraceBlockByHash(rpc, b)).toEqual([frame]);
    expect(rpc.sent[0]!.params).toEqual([H, { tracer: 'callTracer' }]);
    await expect(debugTraceBlockByHash(rpc, b)).rejects.toThrow('debug_traceBlockByHash returned 2 traces for 1 transactions of block 7.');
    await expect(debugTraceBlockByHash(rpc, b)).rejects.toThrow('returned a malformed call frame in block 7.');
  });
});

describe('receipts, nonce, calls, chain id', () => {
  const receipt = { transactionHash: T, blockNumber: '0x3', blockHash: H, status: '0x1', logsBloom: BLOOM, logs: [] };

  it('reads receipts by block (nulls left out) and one by one, refusing stripped logs', async () => {
    const rpc = canned([receipt, null], null, { ...receipt, logsBloom: '0x' + 'ff'.repeat(256) });
    expect(await getBlockReceipts(rpc, 3)).toEqual([{ transactionHash: T, blockNumber: 3, blockHash: H, status: 1, logs: [] }]);
    expect(await getTransactionReceipt(rpc, T)).toBeNull();
    await expect(getTransactionReceipt(rpc, T)).rejects.toThrow(/logs are missing although its bloom is set/);
    expect(() => checkReceiptLogs({ logsBloom: BLOOM, logs: [] }, 'x')).not.toThrow();
  });

  it('reads a nonce, an eth_call and a transaction, and refuses a chain id that is not one', async () => {
    const rpc = canned('0x2a', '0xdead', 7, { hash: T, from: A, to: null, value: '0x5', blockNumber: '0x3', blockHash: H }, '0x01', 'hello');
    expect(await getTransactionCount(rpc, A)).toBe(42);
    expect(rpc.sent[0]!.params).toEqual([A, 'latest']);
    expect(await call(rpc, { to: A, data: '0x313ce567' })).toBe('0xdead');
    expect(rpc.sent[1]!.params).toEqual([{ to: A, data: '0x313ce567' }, 'latest']);
    expect(await call(rpc, { to: A, data: '0x' })).toBeNull();
    expect(await getTransaction(rpc, T)).toEqual({ hash: T, from: A, to: null, value: 5n, blockNumber: 3, blockHash: H });
    expect(await getChainId(rpc)).toBe(1);
    await expect(getChainId(rpc)).rejects.toThrow(UsageError);
  });
});

describe('provider texts become classes once, at the boundary', () => {
  const opts = { method: 'eth_getLogs', endpoint: 'x', retryable: false };

  it('a range complaint is a RangeTooLargeError carrying the limit; rangeHint reads it by class', () => {
    const e = typedError('eth_getLogs failed at x: query returned more than 10000 results. Try with this block range [0x10, 0x20]. (code -32005)', opts);
    expect(e).toBeInstanceOf(RangeTooLargeError);
    expect((e as RangeTooLargeError).limit).toEqual({ kind: 'suggested', from: 16, to: 32 });
    expect(parseRangeError(e, 16, 100)).toEqual({ suggestedTo: 32, source: 'suggested' });
    const capped = typedError('x', { ...opts, cause: { code: -32602, message: 'block range too large, currently limited to 300' } });
    expect((capped as RangeTooLargeError).limit).toEqual({ kind: 'stated', maxSpan: 300 });
    expect(typedError('answer too large', { ...opts, status: 413 })).toBeInstanceOf(RangeTooLargeError);
    // Retries exhausted: trouble, never a range to split; a plain RpcError with range words is not split either.
    expect(typedError('eth_getLogs failed after 7 attempts: block range too large', { ...opts, retryable: true })).not.toBeInstanceOf(RangeTooLargeError);
    expect(parseRangeError(new RpcError('block range too large', opts), 0, 99)).toBeNull();
  });

  it('a method the endpoint does not serve is a MethodUnsupportedError, by code, status or text', () => {
    expect(typedError('m failed: nope (code -32601)', { ...opts, code: -32601 })).toBeInstanceOf(MethodUnsupportedError);
    expect(typedError('m failed: HTTP 405', { ...opts, status: 405 })).toBeInstanceOf(MethodUnsupportedError);
    expect(typedError('m failed: the method trace_filter does not exist/is not available', opts)).toBeInstanceOf(MethodUnsupportedError);
    const plain = typedError('m failed: execution reverted', opts);
    expect(plain).toBeInstanceOf(RpcError);
    expect(plain).not.toBeInstanceOf(MethodUnsupportedError);
    expect(plain.message).toBe('m failed: execution reverted');
  });

  it('servesX answers false only for MethodUnsupportedError', async () => {
    expect(await servesTraceFilter(canned(new MethodUnsupportedError('no', opts)), 1, A)).toBe(false);
    expect(await servesTraceFilter(canned([]), 1, A)).toBe(true);
    await expect(servesTraceFilter(canned(new RpcError('HTTP 503', { ...opts, retryable: true })), 1, A)).rejects.toThrow('HTTP 503');
  });

  it('refetching asks again while the answer is inconsistent, then stops with an InconsistentAnswerError', async () => {
    let n = 0;
    const err = await refetching('eth_getLogs', 'x', async () => {
      n += 1;
      throw new InvalidResponseError('bad log.');
    }).catch((e: unknown) => e);
    expect(n).toBe(4);
    expect(err).toBeInstanceOf(InconsistentAnswerError);
    expect((err as Error).message).toBe('eth_getLogs at x gave an inconsistent answer 4 times in a row (bad log); nothing of it was stored.');
    expect(await refetching('m', 'x', async () => (n += 1))).toBe(5);
  });
});

describe('the RPC boundary', () => {
  it('no file in src/ outside src/rpc/ calls .request( (devchain/ speaks to anvil with its own fetch, not our client)', () => {
    const src = join(import.meta.dirname, '..', 'src');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts') && !relative(src, path).startsWith('rpc')) {
          if (/\.request\s*[<(]/.test(readFileSync(path, 'utf8'))) offenders.push(relative(src, path));
        }
      }
    };
    walk(src);
    expect(offenders).toEqual([]);
    // The test sees a call where there is one.
    expect(/\.request\s*[<(]/.test("rpc.request<string>('eth_chainId', [])")).toBe(true);
  });
});
