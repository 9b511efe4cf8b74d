/**
 * The pure parts of issue 13's node side, without a node: the strict shapes of node values
 * (sources/hex.ts), the head plausibility rule (sources/headers.ts checkHead), the store repair of rows a
 * current release refuses (store/repair.ts), and URL redaction by parsing (rpc/redact.ts).
 */
import { describe, expect, it } from 'vitest';
import { InvalidResponseError } from '../src/errors.js';
import { describeUrlInput, redactText, redactUrl } from '../src/rpc/redact.js';
import { checkHead, HEAD_SLACK_BLOCKS, MAX_BLOCKS_PER_SECOND } from '../src/sources/headers.js';
import { hexToBigInt, hexToNumber, nodeAddress, nodeHash, shown } from '../src/rpc/hex.js';
import { validateLogs } from '../src/rpc/actions/getLogs.js';
import { validateTraces } from '../src/rpc/actions/parityTrace.js';
import { openDb } from '../src/store/open.js';
import { repairMessage, repairStore } from '../src/store/repair.js';

const A = '0x' + 'ab'.repeat(20);
const H = '0x' + 'cd'.repeat(32);

describe('strict shapes of node values', () => {
  it('accepts addresses, hashes and quantities of their shape, lower-cased', () => {
    expect(nodeAddress(A.toUpperCase().replace('0X', '0x'))).toBe(A);
    expect(nodeHash(H.toUpperCase().replace('0X', '0x'))).toBe(H);
    expect(hexToBigInt('0x' + 'f'.repeat(64))).toBe(2n ** 256n - 1n);
    expect(hexToBigInt('0x' + '0'.repeat(63) + '1')).toBe(1n);
    expect(hexToNumber('0x1f')).toBe(31);
    expect(hexToNumber(7)).toBe(7);
  });

  it('refuses what is not of the shape, quoting it bounded and escaped', () => {
    for (const bad of ['0xZZ' + 'ab'.repeat(19), A.slice(0, 40), A + '00', 42, null, ' ' + A]) expect(() => nodeAddress(bad)).toThrow(InvalidResponseError);
    for (const bad of [H.slice(0, 64), H + 'a', 'cd'.repeat(32)]) expect(() => nodeHash(bad)).toThrow(InvalidResponseError);
    expect(() => hexToBigInt('0x1' + '0'.repeat(75))).toThrow(/amount below 2\^256/);
    expect(() => hexToBigInt('0x1' + '0'.repeat(64))).toThrow(InvalidResponseError);
    expect(() => hexToNumber('0x' + 'f'.repeat(17))).toThrow(InvalidResponseError);
    expect(() => hexToNumber('0x20000000000000')).toThrow(InvalidResponseError); // 2^53: not a safe integer
    const long = () => hexToNumber('x'.repeat(3_000_000));
    expect(long).toThrow(/^the node sent "x{43}…\(3000002 chars\) where a number was expected\.$/);
    expect(shown('\u001b[31m\u202e')).toBe('"\\u001b[31m\\u202e"');
  });

  it('validateLogs normalises a well-formed answer and refuses a malformed address or topic', () => {
    const log = { address: A.toUpperCase().replace('0X', '0x'), topics: [H], data: '0x' + '00'.repeat(32), blockNumber: '0x5', blockHash: H, transactionHash: H, transactionIndex: '0x0', logIndex: '0x1' };
    expect(validateLogs([log], 5, 5)[0]!.address).toBe(A);
    expect(() => validateLogs([{ ...log, address: A.slice(0, 30) }], 5, 5)).toThrow(/where a log address was expected/);
    expect(() => validateLogs([{ ...log, topics: ['0x1234'] }], 5, 5)).toThrow(/where a log topic was expected/);
    expect(() => validateLogs([{ ...log, data: '0xzz' }], 5, 5)).toThrow(/malformed log entry/);
    expect(() => validateLogs([{ ...log, blockNumber: '0x6' }], 5, 5)).toThrow(/block 6 for the range 5–5/);
  });

  it('validateTraces refuses an impossible value or a malformed address', () => {
    const t = { type: 'call', action: { from: A, to: A, value: '0x1' }, traceAddress: [], transactionHash: H, transactionPosition: 0, blockNumber: 5, blockHash: H };
    expect(validateTraces([structuredClone(t)], 5, 5, 'trace_block')).toHaveLength(1);
    expect(() => validateTraces([{ ...t, action: { ...t.action, value: '0x1' + '0'.repeat(75) } }], 5, 5, 'trace_block')).toThrow(/amount below 2\^256/);
    expect(() => validateTraces([{ ...t, action: { ...t.action, to: '0x12' } }], 5, 5, 'trace_block')).toThrow(/to address was expected/);
    expect(() => validateTraces([{ ...t, traceAddress: [-1] }], 5, 5, 'trace_block')).toThrow(/malformed trace/);
  });
});

describe('head plausibility', () => {
  const genesis = { number: 0, hash: H, timestamp: 1_700_000_000 };
  const now = (genesis.timestamp + 1_000) * 1000;
  const at = (number: number, timestamp: number) => ({ number, hash: H, timestamp });

  it('accepts a head within the rates, and refuses one past them by one block', () => {
    const limit = 1_000 * MAX_BLOCKS_PER_SECOND + HEAD_SLACK_BLOCKS;
    expect(() => checkHead(at(limit, genesis.timestamp + 1_000), { genesis, lastSeen: null, now })).not.toThrow();
    expect(() => checkHead(at(limit + 1, genesis.timestamp + 1_000), { genesis, lastSeen: null, now })).toThrow(/more blocks than 10 a second since its genesis/);
    expect(() => checkHead(at(2 ** 40, genesis.timestamp + 1_000), { genesis, lastSeen: null, now })).toThrow(InvalidResponseError);
  });

  it('refuses a head dated more than a day ahead, or too far past the head seen last', () => {
    expect(() => checkHead(at(10, genesis.timestamp + 1_000 + 86_401), { genesis, lastSeen: null, now })).toThrow(/in the future/);
    const lastSeen = { number: 5_000, at: now - 60_000 };
    expect(() => checkHead(at(5_000 + 600 + HEAD_SLACK_BLOCKS, genesis.timestamp + 1_000), { genesis, lastSeen, now })).not.toThrow();
    expect(() => checkHead(at(5_000 + 601 + HEAD_SLACK_BLOCKS, genesis.timestamp + 1_000), { genesis, lastSeen, now })).toThrow(/past the head 5000 seen 60 s ago/);
    // A head behind the one seen (a reorg, a lagging backend) is for the reorg check, not refused here.
    expect(() => checkHead(at(10, genesis.timestamp + 1_000), { genesis, lastSeen, now })).not.toThrow();
  });
});

describe('repair of rows a current release refuses', () => {
  it('drops them and cuts their blocks out of every interval, once', () => {
    const db = openDb(':memory:');
    db.prepare(`INSERT INTO meta (key, value) VALUES ('chain_id', '1')`).run();
    const ins = db.prepare(`INSERT INTO transfers VALUES (1, ?, ?, 'native', ?, ?, 0, ?, ?, 'native', ?)`);
    const tx = (i: number) => '0x' + i.toString(16).padStart(64, '0');
    ins.run(tx(1), 'trace:', 10, H, A, A, '5');
    ins.run(tx(2), 'trace:', 20, H, A, A.slice(0, 30), '5'); // short address
    ins.run(tx(3), 'trace:', 30, H, A, A, (2n ** 300n).toString()); // 2^300
    ins.run(tx(4), 'trace:', 40, H, A, A, (2n ** 256n - 1n).toString()); // the largest amount: kept
    ins.run(tx(5), 'log:1', 50, H, A, A, '007'); // leading zeros: not how amounts are written
    db.prepare(`INSERT INTO intervals VALUES (1, ?, 'traces:to', 0, 100)`).run(A);
    db.prepare(`INSERT INTO intervals VALUES (1, '*', 'scan:calls', 15, 25)`).run();
    db.prepare(`INSERT INTO blocks VALUES (1, 60, '0xnothex', 1)`).run();

    const r = repairStore(db);
    expect(r).toEqual({ transfers: 3, blocks: 1, tokens: 0, reopenedBlocks: 4 });
    expect(repairMessage('x.db', r)).toBe(
      'database x.db held 3 transfers, 1 block header of a shape this hoptrace refuses (written from a node\'s malformed answer): dropped, and 4 blocks they sat in will be read again.',
    );
    expect((db.prepare(`SELECT tx_hash FROM transfers ORDER BY tx_hash`).all() as { tx_hash: string }[]).map((t) => t.tx_hash)).toEqual([tx(1), tx(4)]);
    const intervals = db.prepare(`SELECT address, from_block, to_block FROM intervals ORDER BY address, from_block`).all();
    expect(intervals).toEqual([
      { address: '*', from_block: 15, to_block: 19 },
      { address: '*', from_block: 21, to_block: 25 },
      { address: A, from_block: 0, to_block: 19 },
      { address: A, from_block: 21, to_block: 29 },
      { address: A, from_block: 31, to_block: 49 },
      { address: A, from_block: 51, to_block: 59 },
      { address: A, from_block: 61, to_block: 100 },
    ]);
    expect(repairStore(db)).toBeNull(); // checked once per repair version
    db.close();
  });
});

describe('URL redaction by parsing', () => {
  it('masks every part that is not plainly public', () => {
    expect(redactUrl('https://h.io/rpc/ab12cd')).toBe('https://h.io/rpc/***');
    expect(redactUrl('https://h.io/rpc/secretkey')).toBe('https://h.io/rpc/***');
    expect(redactUrl('https://h.io/sk_live_4eC39HqLyjWDarjtT1zdp7dc')).toBe('https://h.io/***');
    expect(redactUrl('https://h.io/eth?KEYabc123')).toBe('https://h.io/eth?***');
    expect(redactUrl('https://h.io/a%20b/x?api%20key=1')).toBe('https://h.io/***/x?***=***');
    expect(redactUrl('https://h.io/ext/bc/C/rpc')).toBe('https://h.io/ext/bc/***/rpc');
    expect(redactUrl('https://u:p@h.io/')).toBe('https://***@h.io/');
    expect(redactUrl('https://eth-mainnet.g.alchemy.com/v2/')).toBe('https://eth-mainnet.g.alchemy.com/v2/');
  });

  it('scrubs the secrets of the URL from node text: raw, percent-decoded and Basic-auth encoded', () => {
    const url = 'https://bob:hunter22@h.io/rpc/k3y9?tok%65n=S3CRET%2Fx';
    const basic = Buffer.from('bob:hunter22').toString('base64');
    const out = redactText(`bad auth Basic ${basic} user bob:hunter22 path /rpc/k3y9 token S3CRET/x S3CRET%2Fx`, url);
    for (const s of [basic, 'hunter22', 'k3y9', 'S3CRET']) expect(out).not.toContain(s);
  });

  it('shows a bare host:port as typed (it holds no secret), and masks anything else', () => {
    expect(describeUrlInput('127.0.0.1:8545')).toEqual({ text: '127.0.0.1:8545', suggestion: 'http://127.0.0.1:8545' });
    expect(describeUrlInput('localhost:8545/')).toEqual({ text: 'localhost:8545/', suggestion: 'http://localhost:8545' });
    expect(describeUrlInput('wss://h.io/ws/0123456789abcdef0123')).toEqual({ text: 'wss://h.io/ws/***' });
    expect(describeUrlInput('h.io/v2/key123')).toEqual({ text: '***' });
  });
});
