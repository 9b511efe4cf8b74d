import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { openDb } from '../src/store/open.js';
import type { NewTraceRun } from '../src/store/runs.js';
import { MIGRATIONS } from '../src/store/schema.js';
import { createStore, readStoreIfExists, statementSizes, TRANSFER_READS, type Store } from '../src/store/store.js';
import type { NewUserLabel } from '../src/store/userLabels.js';
import type { WatchStep } from '../src/store/watches.js';
import type { Address, DepositEvidence, Hex, Transfer } from '../src/types.js';

/**
 * The store's members (runs, deposits, userLabels, nonces) and the methods that replaced raw SQL outside
 * store/, on temporary files: no node needed.
 */

const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'hoptrace-store-')), 'store.db');
const address = (): Address => `0x${randomBytes(20).toString('hex')}`;
const hash = (): Hex => `0x${randomBytes(32).toString('hex')}`;

function withStore<T>(path: string, fn: (store: Store) => T): T {
  const store = createStore(path);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function transfer(blockNumber: number, amount: bigint): Transfer {
  return {
    chainId: 1,
    txHash: hash(),
    ref: 'trace:',
    kind: 'native',
    blockNumber,
    blockHash: hash(),
    txIndex: 0,
    from: address(),
    to: address(),
    asset: 'native',
    amount,
  };
}

/** The row count of each table (or subquery) of the store at `path`, read through a read-only open. */
function counts(path: string, tables: string[]): number[] {
  const db = openDb(path, { readonly: true });
  try {
    return tables.map((t) => db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number);
  } finally {
    db.close();
  }
}

function newRun(n: number): NewTraceRun {
  return {
    createdAt: `2026-01-0${n}T00:00:00.000Z`,
    chainId: 1,
    toolVersion: '0.1.0',
    rpc: 'http://127.0.0.1:8545/',
    fromBlock: 0,
    toBlock: 100 * n,
    labelDataVersion: 'test',
    labelDataSha256: 'ab'.repeat(6),
    userLabels: n,
    seeds: [address()],
    params: { direction: 'out', hops: n },
    result: JSON.stringify({ run: n }),
  };
}

describe('store.runs', () => {
  it('records runs with the edges their walk followed, and tells a run recorded without them', () => {
    const path = tempDb();
    withStore(path, (store) => {
      expect(() => store.runs.get()).toThrow(new UsageError(`database ${path} holds no trace run yet.`, { hint: 'run hoptrace trace with this --db first' }));
      const [a, b] = [hash(), hash()];
      const first = store.runs.record(newRun(1));
      // Given out of order and once twice: kept once each, read back by hop, then chain, transaction and
      // ref; the same transaction and ref on another chain is another movement.
      const second = store.runs.record(newRun(2), [
        { chainId: 1, txHash: b, ref: 'log:3', hop: 2 },
        { chainId: 56, txHash: b, ref: 'log:3', hop: 2 },
        { chainId: 1, txHash: a, ref: 'trace:', hop: 1 },
        { chainId: 1, txHash: b, ref: 'log:1', hop: 2 },
        { chainId: 1, txHash: a, ref: 'trace:', hop: 1 },
      ]);
      const empty = store.runs.record(newRun(3), []);
      expect(second).toBe(first + 1);
      expect(store.runs.edges(first)).toBeNull();
      expect(store.runs.edges(empty)).toEqual([]);
      expect(store.runs.edges(second)).toEqual([
        { chainId: 1, txHash: a, ref: 'trace:', hop: 1 },
        { chainId: 1, txHash: b, ref: 'log:1', hop: 2 },
        { chainId: 1, txHash: b, ref: 'log:3', hop: 2 },
        { chainId: 56, txHash: b, ref: 'log:3', hop: 2 },
      ]);
      expect(store.runs.get()).toEqual({ id: empty, ...newRun(3), seeds: expect.any(Array) });
      expect(store.runs.get(first).params).toEqual({ direction: 'out', hops: 1 });
      expect(() => store.runs.get(99)).toThrow(`database ${path} holds no trace run 99.`);
      const listed = store.runs.list();
      expect(listed.map((r) => [r.id, r.toBlock])).toEqual([[first, 100], [second, 200], [empty, 300]]);
      expect(listed.every((r) => !('result' in r))).toBe(true);
    });
    // What was recorded is read back by a read-only open.
    const again = createStore(path, { readonly: true });
    try {
      expect(again.runs.list()).toHaveLength(3);
    } finally {
      again.close();
    }
  });
});

describe('store.deposits', () => {
  it('keeps an inference exactly (amounts above 2^64, sweeps, reasons) and replaces it with a newer one', () => {
    const path = tempDb();
    const d = address();
    const evidence: DepositEvidence = {
      hotWallet: address(),
      entity: 'Exchange X',
      asset: 'native',
      arrivalTx: hash(),
      arrivalBlock: 10,
      sweepTxs: [hash(), hash()],
      sweepBlock: 12,
      delayBlocks: 2,
      received: 2n ** 70n + 1n,
      swept: 2n ** 70n,
      shareBps: 9_999,
      senders: 1,
      confidence: 'medium',
      reasons: ['swept within 2 blocks', 'one sender'],
    };
    withStore(path, (store) => {
      expect(store.deposits.get(1, d)).toBeUndefined();
      const [stored] = store.deposits.putAll(1, [{ address: d, evidence }]);
      expect(store.deposits.get(1, d)).toEqual(stored);
      expect(stored).toEqual({ ...evidence, chainId: 1, address: d, learnedAt: expect.any(String) });
      store.deposits.putAll(10, [{ address: d, evidence: { ...evidence, confidence: 'high', reasons: [] } }]);
      store.deposits.putAll(1, [{ address: d, evidence: { ...evidence, shareBps: 9_000 } }]); // a later call replaces
      expect(store.deposits.byAddress(d).map((l) => [l.chainId, l.shareBps, l.confidence, l.reasons.length])).toEqual([
        [1, 9_000, 'medium', 2],
        [10, 9_999, 'high', 0],
      ]);
      expect(store.deposits.all()).toHaveLength(2);
      expect(store.deposits.byAddress(address())).toEqual([]);
      // Several addresses in one lookup: those with an inference on that chain.
      expect(store.deposits.getIn(10, [address(), d]).map((l) => [l.chainId, l.address, l.confidence])).toEqual([[10, d, 'high']]);
      expect(store.deposits.getIn(1, [])).toEqual([]);
      // Many at once, in one transaction: what one stores, in the items' order; a later item for the
      // same address replaces an earlier one, as a later call does.
      const [e, f] = [address(), address()];
      const many = store.deposits.putAll(1, [{ address: e, evidence }, { address: f, evidence: { ...evidence, senders: 3 } }, { address: e, evidence: { ...evidence, shareBps: 5_000 } }]);
      expect(many.map((l) => [l.address, l.senders, l.shareBps])).toEqual([[e, 1, 9_999], [f, 3, 9_999], [e, 1, 5_000]]);
      expect(store.deposits.get(1, e)).toEqual(many[2]);
      expect(store.deposits.get(1, f)).toEqual(many[1]);
      expect(store.deposits.putAll(1, [])).toEqual([]);
      // A failing item (an address SQLite cannot bind) stores none of them.
      const g = address();
      expect(() => store.deposits.putAll(1, [{ address: g, evidence }, { address: {} as unknown as Address, evidence }])).toThrow();
      expect(store.deposits.get(1, g)).toBeUndefined();
    });
  });
});

describe('store.userLabels', () => {
  const label = (addr: Address, chain: string, entity: string): NewUserLabel => ({
    address: addr,
    chain,
    entity,
    category: 'exchange',
    role: 'unknown',
    jurisdiction: null,
    risk: 'standard',
    source: `case file (${entity}) listed 2024-05-01`,
    listedAt: null,
    delistedAt: '2025-01-02',
    validFrom: null,
    validTo: null,
  });

  it('puts, finds, counts and removes by address and chain; a failed transaction writes nothing', () => {
    const path = tempDb();
    const [a, b] = [address(), address()];
    withStore(path, (store) => {
      expect(store.userLabels.put([label(a, 'evm', 'A'), label(a, 'bsc', 'A on bsc'), label(b, 'evm', 'B')], 'f.csv')).toEqual({ added: 3, replaced: 0 });
      // The events come from the source text and the explicit dates together.
      expect(store.userLabels.forAddress(a.toUpperCase().replace('0X', '0x') as Address)[0]).toMatchObject({
        chain: 'bsc',
        origin: 'user',
        originFile: 'f.csv',
        listedAt: '2024-05-01',
        delistedAt: '2025-01-02',
        events: [{ kind: 'listed', date: '2024-05-01' }, { kind: 'delisted', date: '2025-01-02' }],
      });
      expect(() =>
        store.userLabels.transaction(() => {
          store.userLabels.put([label(b, 'evm', 'B renamed')], null);
          throw new Error('refused');
        }),
      ).toThrow('refused');
      expect(store.userLabels.forAddress(b).map((l) => l.entity)).toEqual(['B']);
      expect(store.userLabels.remove(a, 'bsc')).toBe(1);
      expect(store.userLabels.count()).toBe(2);
      expect(store.userLabels.remove(a)).toBe(1);
      expect(store.userLabels.all().map((l) => l.address)).toEqual([b]);
    });
  });
});

describe('store.nonces', () => {
  it('keeps a nonce per chain and address', () => {
    const path = tempDb();
    const a = address();
    withStore(path, (store) => {
      expect(store.nonces.get(1, a)).toBeUndefined();
      store.nonces.put(1, a, 7);
      store.nonces.put(1, a, 9);
      store.nonces.put(10, a, 0);
      expect([store.nonces.get(1, a), store.nonces.get(10, a), store.nonces.get(5, a)]).toEqual([9, 0, undefined]);
    });
  });
});

describe('store.watches', () => {
  const step = (over: Partial<WatchStep> = {}): WatchStep => ({
    lastBlock: 10, lastHash: '0xaa', counted: true, blocks: 2, calls: { eth_getLogs: 2 }, alerts: [], states: [], events: [], ...over,
  });
  const alert = (id: string, state: 'unfinal' | 'final' = 'unfinal') => ({ id, blockNumber: 9, blockHash: '0xbb', state, body: `{"id":"${id}"}` });
  const event = (id: string, type: 'alert' | 'final' | 'withdrawal' = 'alert') => ({ alertId: id, type, body: `{"id":"${id}","type":"${type}"}`, exec: 'none' as const, webhook: 'pending' as const });

  it('finds a watch again by its key, and keeps its progress and counted calls', () => {
    withStore(tempDb(), (store) => {
      const id = store.watches.create({ key: '{"seeds":["0x1"]}', chainId: 1, params: { hops: 2 }, createdAt: 't', baselineBlock: 7, lastBlock: 7, lastHash: '0x07', runId: 1 });
      expect(store.watches.find('{"seeds":["0x1"]}')?.id).toBe(id);
      expect(store.watches.find('{"seeds":["0x2"]}')).toBeUndefined();
      store.watches.advance(id, step({ counted: false, calls: { eth_getLogs: 50 } })); // the first trace's calls are not the watch's
      store.watches.advance(id, step());
      store.watches.advance(id, step({ lastBlock: 12, blocks: 2, calls: { eth_getLogs: 1, trace_block: 2 } }));
      expect(store.watches.get(id)).toMatchObject({ lastBlock: 12, polls: 2, blocks: 4, calls: { eth_getLogs: 3, trace_block: 2 }, baselineBlock: 7 });
      expect(() => store.watches.get(id + 1)).toThrow(UsageError);
    });
  });

  it('stores an alert and an event once, and hands each channel only what it still owes', () => {
    withStore(tempDb(), (store) => {
      const id = store.watches.create({ key: 'k', chainId: 1, params: {}, createdAt: 't', baselineBlock: 0, lastBlock: 0, lastHash: '0x', runId: null });
      store.watches.advance(id, step({ alerts: [alert('a1')], events: [event('a1')] }));
      // A second poll that finds the same alert again (after a restart) adds nothing.
      store.watches.advance(id, step({ alerts: [alert('a1')], events: [event('a1')] }));
      expect(store.watches.alerts(id)).toHaveLength(1);
      const [e] = store.watches.undelivered(id, false);
      expect(store.watches.undelivered(id, false)).toHaveLength(1);
      store.watches.markPrinted(e!.seq);
      expect(store.watches.undelivered(id, false)).toHaveLength(1); // the webhook still owes it
      store.watches.markWebhook(e!.seq, 'failed', 5);
      expect(store.watches.undelivered(id, false)).toHaveLength(0);
      expect(store.watches.undelivered(id, true)).toMatchObject([{ alertId: 'a1', printed: true, webhook: 'failed', webhookTries: 5 }]);
      store.watches.markWebhook(e!.seq, 'done', 6);
      expect(store.watches.undelivered(id, true)).toHaveLength(0);
      // Withdrawn: the state changes with its event, in one step.
      store.watches.advance(id, step({ states: [{ id: 'a1', state: 'withdrawn' }], events: [event('a1', 'withdrawal')] }));
      expect(store.watches.alerts(id, ['withdrawn']).map((a) => a.id)).toEqual(['a1']);
      expect(store.watches.alerts(id, ['unfinal'])).toEqual([]);
      expect(store.watches.undelivered(id, false).map((x) => x.type)).toEqual(['withdrawal']);
    });
  });
});

describe('store.tokens', () => {
  it('keeps a token\'s metadata once the store has a chain, the latest read replacing the first', () => {
    const path = tempDb();
    const token = address();
    withStore(path, (store) => {
      expect(() => store.tokens.get(token)).toThrow('store used before bindChain');
      store.bindChain(1, 'test');
      expect(store.tokens.get(token)).toBeNull();
      store.tokens.put({ address: token, symbol: 'TKN', decimals: 6 });
      store.tokens.put({ address: token, symbol: null, decimals: 18 });
      expect(store.tokens.get(token)).toEqual({ address: token, symbol: null, decimals: 18 });
    });
  });
});

describe('the store in place of raw SQL', () => {
  it('says whether a movement is stored, which schema the file has, and deletes a meta row', () => {
    const path = tempDb();
    withStore(path, (store) => {
      store.bindChain(1, 'test');
      const t = transfer(5, 3n);
      expect(store.hasTransfer(t.txHash, t.ref)).toBe(false);
      store.commit([t], []);
      expect(store.hasTransfer(t.txHash, t.ref)).toBe(true);
      expect(store.hasTransfer(t.txHash, 'log:0')).toBe(false);
      store.rollbackAbove(4);
      expect(store.hasTransfer(t.txHash, t.ref)).toBe(false);
      expect(store.schemaVersion()).toBe(MIGRATIONS.length);
      store.setMeta('caps:x', '{}');
      store.deleteMeta('caps:x');
      store.deleteMeta('caps:never-set');
      expect(store.getMeta('caps:x')).toBeNull();
    });
  });

  it('has one member per table, built once', () => {
    withStore(tempDb(), (store) => {
      for (const member of ['runs', 'deposits', 'userLabels', 'nonces', 'tokens'] as const) expect(store[member]).toBe(store[member]);
      expect('db' in store).toBe(false);
    });
  });
});

describe('opening', () => {
  it('readStoreIfExists creates nothing for a missing or empty file and reads an existing one without writing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoptrace-store-'));
    const missing = join(dir, 'missing.db');
    expect(readStoreIfExists(missing, 'none', () => 'read')).toBe('none');
    expect(existsSync(missing)).toBe(false);
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    expect(readStoreIfExists(empty, 'none', () => 'read')).toBe('none');
    expect(statSync(empty).size).toBe(0);

    const path = join(dir, 'held.db');
    withStore(path, (store) => store.nonces.put(1, '0x0000000000000000000000000000000000000001', 4));
    const before = statSync(path);
    expect(readStoreIfExists(path, -1, (store) => store.nonces.get(1, '0x0000000000000000000000000000000000000001'))).toBe(4);
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
    expect(() => readStoreIfExists(path, null, (store) => store.setMeta('x', 'y'))).toThrow(/cannot write database/);
    expect(readStoreIfExists(path, null, (store) => store.getMeta('x'))).toBeNull();
  });

  it('repairs on a writable open unless told not to (the labels commands leave it to the next trace)', () => {
    const path = tempDb();
    withStore(path, (store) => {
      store.bindChain(1, 'test');
      store.commit([transfer(3, 1n)], []);
    });
    // A row an older release could have stored from a lying node: an amount of 2^300.
    const conn = openDb(path);
    conn.prepare(`UPDATE transfers SET amount = ?`).run((2n ** 300n).toString());
    conn.prepare(`DELETE FROM meta WHERE key = 'rows_checked'`).run();
    conn.close();

    const notes: string[] = [];
    const kept = createStore(path, { repair: false, onNote: (m) => notes.push(m) });
    try {
      expect(kept.transferCount()).toBe(1);
    } finally {
      kept.close();
    }
    expect(notes).toEqual([]);
    const repaired = createStore(path, { onNote: (m) => notes.push(m) });
    try {
      expect(repaired.transferCount()).toBe(0);
    } finally {
      repaired.close();
    }
    expect(notes).toEqual([expect.stringMatching(/held 1 transfer of a shape this hoptrace refuses/)]);
  });
});

describe('statement sizes', () => {
  it('cuts every count into statements of at most the largest size, from a handful of sizes in all', () => {
    const seen = new Set<number>();
    for (const max of [100, 200]) {
      for (let n = 0; n <= 1000; n++) {
        const sizes = statementSizes(n, max);
        expect(sizes.reduce((a, b) => a + b, 0), `${n} by ${max}`).toBe(n);
        expect(sizes.every((x) => x >= 1 && x <= max), `${n} by ${max}`).toBe(true);
        // Full statements first, then the remainder in fewer statements than it has binary digits + 1.
        expect(sizes.filter((x) => x === max).length).toBe(Math.floor(n / max));
        expect(sizes.length - Math.floor(n / max)).toBeLessThanOrEqual(Math.ceil(Math.log2(max)));
        for (const x of sizes) seen.add(x);
      }
    }
    // 100, 200 and the powers of two below them: every statement prepared is one of these.
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64, 100, 128, 200]);
  });
});

describe('integer ids (schema 7)', () => {
  it('each movement read uses the index it is written for (EXPLAIN QUERY PLAN), and only the range read scans', () => {
    const path = tempDb();
    withStore(path, (store) => {
      store.bindChain(1, 'test');
      store.commit([transfer(1, 1n), { ...transfer(2, 2n), kind: 'wrap', asset: address() }], []);
    });
    const db = openDb(path, { readonly: true });
    try {
      const plan = (sql: string): string =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1)) as { detail: string }[])
          .map((r) => r.detail)
          .join('\n');
      const want: Record<keyof typeof TRANSFER_READS, RegExp> = {
        from: /SEARCH t USING INDEX transfer_rows_from \(from_id=\? AND block_number>\? AND block_number<\?\)/,
        to: /SEARCH t USING INDEX transfer_rows_to \(to_id=\? AND block_number>\? AND block_number<\?\)/,
        one: /SEARCH t USING INDEX transfer_rows_identity \(tx=\? AND ref=\? AND chain_id=\?\)/,
        has: /SEARCH transfer_rows USING COVERING INDEX transfer_rows_identity \(tx=\? AND ref=\? AND chain_id=\?\)/,
        wrapAssets: /USING (COVERING )?INDEX transfer_rows_wrap/,
        range: /SCAN t\b/,
        rangeIds: /SCAN transfer_rows\b/,
      };
      for (const [name, sql] of Object.entries(TRANSFER_READS) as [keyof typeof TRANSFER_READS, string][]) {
        const p = plan(sql);
        expect(p, name).toMatch(want[name]);
        // The id tables are reached by their keys, never scanned.
        expect(p, name).not.toMatch(/SCAN (x|f|o|a|addresses|txs|assets)\b/);
        if (name !== 'range' && name !== 'rangeIds') expect(p, name).not.toMatch(/SCAN t\b|SCAN transfer_rows\b/);
        // A transaction hash is found by its key (schema 8).
        if (name === 'one' || name === 'has') expect(p, name).toMatch(/SEARCH x USING INDEX txs_key \(key=\?\)/);
      }
    } finally {
      db.close();
    }
  });

  it('stores each address, asset and transaction once, and forgets the ids of a commit that rolled back', () => {
    const path = tempDb();
    withStore(path, (store) => {
      store.bindChain(1, 'test');
      const a = transfer(1, 1n);
      const b = { ...transfer(1, 2n), from: a.to, to: a.from };
      expect(store.commit([a, b, { ...a, ref: 'log:0' }], [])).toBe(3);
      // A row SQLite cannot bind (a block number that is an object) fails the whole commit after new ids
      // were made in it: they must not be reused as if stored.
      const fresh = { ...transfer(2, 3n), to: address() };
      const bad = { ...transfer(2, 4n), blockNumber: {} as unknown as number };
      expect(() => store.commit([fresh, bad], [])).toThrow();
      expect(store.transferCount()).toBe(3);
      expect(store.commit([fresh], [])).toBe(1);
      expect(store.transfersOf(fresh.to, 'to', 0, 10)).toEqual([fresh]);
      expect(store.transfersOf(a.from, 'from', 0, 10)).toEqual([a, { ...a, ref: 'log:0' }].sort((x, y) => (x.ref < y.ref ? -1 : 1)));
    });
    expect(counts(path, ['txs', 'addresses', 'assets'])).toEqual([3, 4, 1]);
  });

  it('a commit that rolls back after making ids leaves the id caches right: the same names committed again store the right rows', () => {
    const path = tempDb();
    withStore(path, (store) => {
      store.bindChain(1, 'test');
      // More rows, names and transactions than one statement carries (the chunked paths), two movements per
      // transaction, a token asset new in this commit.
      const token = address();
      const people = Array.from({ length: 300 }, () => address());
      const rows: Transfer[] = [];
      for (let i = 0; i < 450; i++) {
        const base = transfer(1 + Math.floor(i / 10), BigInt(i + 1));
        const tx = i % 2 === 1 ? rows[i - 1]!.txHash : base.txHash;
        rows.push({ ...base, txHash: tx, ref: `log:${i}`, kind: 'erc20', asset: token, from: people[i % 300]!, to: people[(i * 7 + 1) % 300]! });
      }
      const mark = { address: '*' as const, source: 'test', from: 1, to: 50 };
      // Fails in the interval write, after every id and every row of the commit were written.
      expect(() => store.commit(rows, [mark, { ...mark, address: {} as unknown as '*' }])).toThrow();
      expect(store.transferCount()).toBe(0);
      expect(store.intervals('*', 'test')).toEqual([]);
      // Fails in the row insert, after the ids were made (a block number SQLite cannot bind, last row).
      const bad = { ...rows[449]!, ref: 'log:9999', blockNumber: {} as unknown as number };
      expect(() => store.commit([...rows, bad], [])).toThrow();
      expect(store.transferCount()).toBe(0);
      // A second writer adds some of the same names meanwhile (its ids come first now).
      withStore(path, (other) => expect(other.commit([rows[3]!, rows[200]!], [])).toBe(2));
      expect(store.commit(rows, [mark])).toBe(448);
      expect(store.commit(rows, [mark])).toBe(0);
      expect(store.intervals('*', 'test')).toEqual([[1, 50]]);
      const sortKey = (t: Transfer): string => `${t.blockNumber} ${t.ref}`;
      for (const who of people) {
        for (const side of ['from', 'to'] as const) {
          const want = rows.filter((r) => r[side] === who).sort((x, y) => x.blockNumber - y.blockNumber || x.txIndex - y.txIndex || (x.ref < y.ref ? -1 : 1));
          expect(store.transfersOf(who, side, 0, 100).map(sortKey), `${side} ${who}`).toEqual(want.map(sortKey));
        }
      }
      for (const r of rows) expect(store.transfer(r.txHash, r.ref)).toEqual(r);
    });
    expect(counts(path, ['txs', '(SELECT DISTINCT hash FROM txs)', 'addresses', 'assets'])).toEqual([225, 225, 300, 1]);
  });

  it('transfersOf returns the order SQLite\'s ORDER BY block_number, tx_index, ref gives (refs by UTF-8 bytes)', () => {
    const path = tempDb();
    const who = address();
    const other = address();
    const tx = hash();
    // One transaction's refs where JS string order and SQLite's BINARY order could part: 'log:10' before
    // 'log:9', and a character above U+FFFF (a surrogate pair in JS) against U+FF01.
    const refs = ['log:9', 'log:10', 'log:2', 'trace:', 'trace:0', 'log:9\u{1F600}', 'log:9\uff01'];
    const rows: Transfer[] = [
      ...refs.map((ref, i) => ({ ...transfer(5, BigInt(i + 1)), txHash: tx, ref, from: who, to: other, txIndex: 3 })),
      { ...transfer(5, 10n), from: who, txIndex: 1 },
      { ...transfer(4, 11n), to: who, txIndex: 7 },
      { ...transfer(9, 12n), from: who, to: who },
      { ...transfer(2, 13n), from: who },
    ];
    withStore(path, (store) => {
      store.bindChain(1, 'test');
      // Committed newest first, one by one: index order is not the wanted order.
      for (const r of [...rows].reverse()) store.commit([r], []);
      const db = openDb(path, { readonly: true });
      try {
        for (const side of ['from', 'to'] as const) {
          const want = db.prepare(`SELECT tx_hash, ref FROM transfers WHERE ${side}_addr = ? AND block_number BETWEEN 3 AND 9
            ORDER BY block_number, tx_index, ref`).raw(true).all(who) as [string, string][];
          const got = store.transfersOf(who, side, 3, 9);
          expect(got.map((t) => [t.txHash, t.ref]), side).toEqual(want);
          for (const t of got) expect(t).toEqual(rows.find((r) => r.txHash === t.txHash && r.ref === t.ref));
        }
      } finally {
        db.close();
      }
      expect(store.transfersOf(who, 'from', 3, 9).length).toBe(refs.length + 2);
    });
  });

  it('transactions whose hashes share a key (schema 8: txs_key) are two rows, each found by its own hash', () => {
    const path = tempDb();
    withStore(path, (store) => {
      store.bindChain(1, 'test');
      const a = transfer(1, 1n);
      const prefix = a.txHash.slice(0, 2 + 12);
      const b = { ...transfer(2, 2n), txHash: `${prefix}${'0'.repeat(52)}` as Hex };
      const c = { ...transfer(3, 3n), txHash: `${prefix}${'f'.repeat(52)}` as Hex };
      expect(store.commit([a, b], [])).toBe(2);
      expect(store.commit([c, { ...a, ref: 'log:1' }], [])).toBe(2);
      expect(store.commit([a, b, c], [])).toBe(0);
      for (const t of [a, b, c]) expect(store.transfer(t.txHash, t.ref)).toEqual(t);
      expect(store.transfer(`${prefix}${'1'.repeat(52)}`, 'trace:')).toBeNull();
      expect(store.hasTransfer(`${prefix}${'1'.repeat(52)}`, 'trace:')).toBe(false);
    });
    expect(counts(path, ['txs'])).toEqual([3]);
  });
});
