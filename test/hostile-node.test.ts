/**
 * The hostile-provider suite (issue 13, the node side): a JSON-RPC server of our own in front of anvil
 * lies on purpose — malformed addresses, impossible amounts, a head at 2^40, a redirect to another host,
 * a gzip bomb, a large honest answer, an endpoint that echoes its credentials — and each case asserts
 * that the run ends (the liar's request budget is never spent), that nothing wrong is stored (the SQLite
 * file is read), and that a later honest run, straight against anvil, gives the honest result: the same
 * transfers and hits as a run that never met the liar.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import { HoptraceError } from '../src/errors.js';
import { createRpcClient } from '../src/rpc/client.js';
import { packageRoot } from '../src/util/package.js';
import { dbContent, recordFigures } from './helpers/campaign.js';
import { hoptrace } from './helpers/cli.js';
import { honest, startHostileNode, type HostileNode, type Lie } from './helpers/hostileNode.js';
import { hitSummary, lazarus, tempDb, trace, venue } from './helpers/trace.js';

const [seed, mule] = lazarus('bybit', 2, 5) as [string, string];
const binance = venue('Binance')[0]!.address;
let anvil: AnvilHandle;
/**
 * The honest answer: traces that never met a liar. Which rows a run stores depends on the plan the
 * planner picks from measured call times (per address: the visited addresses' transfers; block scan:
 * every transfer of the blocks read), so a run is honest when its hits are these and its rows lie
 * between the two plans' rows.
 */
let reference: { db: string; hits: string[]; least: string[]; most: string[] };
const nodes: HostileNode[] = [];

beforeAll(async () => {
  anvil = await startAnvil();
  const s = createScenario(anvil.url);
  await s.fund(seed, 10n ** 20n);
  await s.fund(mule, 10n ** 18n);
  const token = (await s.deploy('TestToken', ['Test', 'TST', 6])).address;
  await s.mintToken(token, seed, 5_000_000n);
  await s.tokenTransfer(token, seed, mule, 4_000_000n);
  await s.sendEth(seed, mule, 7n * 10n ** 18n);
  await s.tokenTransfer(token, mule, binance, 3_000_000n);
  await s.sendEth(mule, binance, 5n * 10n ** 18n);
  await s.mine(5);
  const db = tempDb();
  const r = await trace(anvil.url, db, [seed], { strategy: 'address' });
  const wide = tempDb();
  await trace(anvil.url, wide, [seed], { strategy: 'block' });
  reference = { db, hits: hitSummary(r), least: dbContent(db).transfers, most: dbContent(wide).transfers };
  expect(reference.hits).toContain('Binance@2');
  expect(reference.least.length).toBeGreaterThan(0);
}, 60_000);

afterAll(async () => {
  for (const n of nodes) await n.stop();
  await anvil?.stop();
});

async function liar(lie: Lie): Promise<HostileNode> {
  const n = await startHostileNode(anvil.url, lie, { maxRequests: 2_000, maxMs: 60_000 });
  nodes.push(n);
  return n;
}

/** Every stored value has the shape a current release accepts. */
function expectWellFormed(db: string): void {
  const r = new Database(db, { readonly: true });
  try {
    for (const t of r.prepare(`SELECT * FROM transfers`).all() as Record<string, string | number>[]) {
      expect(t.tx_hash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(t.block_hash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(t.from_addr).toMatch(/^0x[0-9a-f]{40}$/);
      expect(t.to_addr).toMatch(/^0x[0-9a-f]{40}$/);
      expect(t.asset).toMatch(/^(native|0x[0-9a-f]{40})$/);
      expect(BigInt(t.amount as string) < 2n ** 256n).toBe(true);
    }
    for (const b of r.prepare(`SELECT * FROM blocks`).all() as Record<string, string | number>[]) expect(b.hash).toMatch(/^0x[0-9a-f]{64}$/);
  } finally {
    r.close();
  }
}

/** A later honest run on the same database gives what a run that never met the liar gave. */
async function expectHonestRerun(db: string): Promise<void> {
  const r = await trace(anvil.url, db, [seed]);
  expect(hitSummary(r)).toEqual(reference.hits);
  expectHonestRows(db);
}

/** The rows of `db` are those of an honest run: at least the per-address plan's, at most the block scan's. */
function expectHonestRows(db: string): void {
  const rows = dbContent(db).transfers;
  expect(rows).toEqual(expect.arrayContaining(reference.least));
  expect(reference.most).toEqual(expect.arrayContaining(rows));
}

/** Runs a trace through `node` in process; returns the error it ended with (every case here must end in one). */
async function failingRun(node: HostileNode, db: string): Promise<HoptraceError> {
  const err = await trace(node.url, db, [seed]).then(
    () => new Error('the run through the liar succeeded'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HoptraceError);
  expect(node.overLimit(), 'the run ended by itself').toBe(0);
  return err as HoptraceError;
}

/** Changes every result item that `edit` touches, in answers to `methods`. */
function tamperResults(methods: string[], edit: (item: Record<string, unknown>) => void): Lie {
  return async (call, ctx) => {
    const answer = await ctx.forward();
    if (methods.includes(call.method) && Array.isArray(answer.result)) for (const item of answer.result as Record<string, unknown>[]) edit(item);
    return { json: answer };
  };
}

describe('a hostile node', () => {
  it('(1) sending malformed addresses gets an inconsistent-answer sentence, stores none of them', async () => {
    const node = await liar(
      tamperResults(['eth_getLogs', 'trace_filter', 'trace_block', 'trace_transaction'], (item) => {
        if (typeof item['address'] === 'string') item['address'] = '0xZZ' + (item['address'] as string).slice(4);
        const action = item['action'] as Record<string, unknown> | undefined;
        if (action && typeof action['to'] === 'string') action['to'] = (action['to'] as string).slice(0, 20);
      }),
    );
    const db = tempDb();
    const err = await failingRun(node, db);
    expect(err.message).toMatch(/gave an inconsistent answer 4 times in a row \(the node sent "0x[^"]*" where (a log address|a trace's to address) was expected\); nothing of it was stored\.$/);
    expect(err.message).toMatch(/^(eth_getLogs|trace_filter|trace_block|trace_transaction) at http:\/\/127\.0\.0\.1:\d+ /);
    expectWellFormed(db);
    await expectHonestRerun(db);
    recordFigures('hostile-node', { cases: 1 });
  }, 60_000);

  it('(1) leaves no lasting poison: rows an older release stored from a liar are dropped on open, said once, and read again', async () => {
    const db = tempDb();
    copyFileSync(reference.db, db);
    const w = new Database(db);
    // As an older release stored them: the receiving address of a real transfer cut short, an amount
    // of 2^300, a hash with non-hex characters; and the ranges they sit in marked done.
    const rows = w.prepare(`SELECT tx_hash, ref FROM transfers ORDER BY tx_hash, ref LIMIT 3`).all() as { tx_hash: string; ref: string }[];
    expect(rows).toHaveLength(3);
    const [a, b, c] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    w.prepare(`UPDATE transfers SET to_addr = substr(to_addr, 1, 30) WHERE tx_hash = ? AND ref = ?`).run(a.tx_hash, a.ref);
    w.prepare(`UPDATE transfers SET amount = ? WHERE tx_hash = ? AND ref = ?`).run((2n ** 300n).toString(), b.tx_hash, b.ref);
    w.prepare(`UPDATE transfers SET tx_hash = '0xzz' || substr(tx_hash, 5) WHERE tx_hash = ? AND ref = ?`).run(c.tx_hash, c.ref);
    w.prepare(`DELETE FROM meta WHERE key = 'rows_checked'`).run();
    w.close();

    const out = await hoptrace(['trace', seed, '--rpc', anvil.url, '--db', db, '--labels-chain', 'ethereum', '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/held 3 transfers of a shape this hoptrace refuses .*: dropped, and [1-9]\d* blocks? they sat in will be read again\./);
    expect(out.stderr.match(/refuses/g)).toHaveLength(1);
    expectWellFormed(db);
    expectHonestRows(db);
    // Said once: the next open finds nothing to drop.
    const again = await hoptrace(['trace', seed, '--rpc', anvil.url, '--db', db, '--labels-chain', 'ethereum', '--json']);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/refuses/);
    recordFigures('hostile-node', { cases: 1 });
  }, 60_000);

  it('(2) sending an amount of 2^300 wei is refused, not stored', async () => {
    const node = await liar(
      tamperResults(['trace_filter', 'trace_block', 'trace_transaction'], (item) => {
        const action = item['action'] as Record<string, unknown> | undefined;
        if (action && typeof action['value'] === 'string' && BigInt(action['value'] as string) > 0n) action['value'] = '0x1' + '0'.repeat(75);
      }),
    );
    const db = tempDb();
    const err = await failingRun(node, db);
    expect(err.message).toMatch(/the node sent "0x10+…\(80 chars\) where an amount below 2\^256 was expected/);
    expectWellFormed(db);
    await expectHonestRerun(db);
    recordFigures('hostile-node', { cases: 1 });
  }, 60_000);

  it('(3) claiming a head at 2^40 ends the run at once, before any transfer is read', async () => {
    const lie: Lie = async (call, ctx) => {
      const answer = await ctx.forward();
      if (call.method === 'eth_blockNumber') answer.result = '0x10000000000';
      if (call.method === 'eth_getBlockByNumber' && call.params[0] === 'latest' && answer.result) (answer.result as Record<string, unknown>)['number'] = '0x10000000000';
      return { json: answer };
    };
    const node = await liar(lie);
    const db = tempDb();
    const err = await failingRun(node, db);
    expect(err.message).toMatch(/^eth_getBlockByNumber at http:\/\/127\.0\.0\.1:\d+ gave an inconsistent answer 4 times in a row \(the node's head block 1099511627776 is more blocks than 10 a second since its genesis/);
    expect(node.total()).toBeLessThan(20);
    expect(node.calls['eth_getLogs'] ?? 0).toBe(0);
    expect(dbContent(db).transfers).toEqual([]);
    await expectHonestRerun(db);

    // Past the stored head by more than the wall clock allows, with a date that fits: refused as well.
    const ahead: Lie = async (call, ctx) => {
      const answer = await ctx.forward();
      if (call.method === 'eth_getBlockByNumber' && call.params[0] === 'latest' && answer.result) {
        const b = answer.result as Record<string, unknown>;
        b['number'] = '0x' + (Number(b['number']) + 50_000).toString(16);
        b['timestamp'] = '0x' + (Number(b['timestamp']) + 50_000).toString(16);
      }
      return { json: answer };
    };
    const err2 = await failingRun(await liar(ahead), db);
    expect(err2.message).toMatch(/is 50000 blocks past the head \d+ seen \d+ s ago, more than 10 a second allow/);
    expectHonestRows(db);
    recordFigures('hostile-node', { cases: 1 });
  }, 60_000);

  it('(4) redirecting to another host is refused in one sentence; the other host gets nothing', async () => {
    let stolen = 0;
    const thief = http.createServer((req, res) => {
      stolen += 1;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":1,"result":"0x1"}');
    });
    await new Promise<void>((r) => thief.listen(0, '127.0.0.1', r));
    const thiefUrl = `http://127.0.0.1:${(thief.address() as AddressInfo).port}`;
    try {
      for (const status of [302, 307, 308]) {
        const node = await liar(async () => ({ status, headers: { location: `${thiefUrl}/steal` }, body: '' }));
        const db = tempDb();
        const out = await hoptrace(['trace', seed, '--rpc', node.url, '--db', db]);
        expect(out.code).toBe(2);
        expect(out.stderr).toContain(`the endpoint answered with a redirect (HTTP ${status} to ${thiefUrl}), which hoptrace does not follow`);
        expect(out.stderr).toContain('hint: pass the URL it redirects to with --rpc, if you trust that server');
        expect(node.overLimit()).toBe(0);
      }
      expect(stolen).toBe(0);
    } finally {
      await new Promise<void>((r) => thief.close(() => r()));
    }
    recordFigures('hostile-node', { cases: 1 });
  }, 60_000);

  it('(5) a gzip bomb is stopped at the cap, in bounded memory, and nothing is stored', async () => {
    // 1 MiB of zeros gzips to about a kilobyte; gzip members concatenated inflate to their sum: 1 GiB.
    const head = gzipSync(Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":1,"result":"'), Buffer.alloc(1024 * 1024 - 40, 0x30)]), { level: 9 });
    const member = gzipSync(Buffer.alloc(1024 * 1024, 0x30), { level: 9 });
    const bomb = Buffer.concat([head, ...Array.from({ length: 1023 }, () => member)]);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const node = await liar(async () => ({ status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb }));

    // Through the CLI: it ends, in one sentence, and stores nothing.
    const db = tempDb();
    const out = await hoptrace(['trace', seed, '--rpc', node.url, '--db', db]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/answer too large: the decompressed body passed the 256 MiB cap/);
    expect(out.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);

    // The peak memory of a process reading it (a child of its own, so nothing else counts): far below
    // the gigabytes it would take whole. Linux starts a child's peak at its parent's RSS at fork: allowed for.
    const parentRss = process.memoryUsage().rss;
    const peak = await childPeakRss(node.url);
    expect(peak.error).toMatch(/the decompressed body passed the 256 MiB cap/);
    expect(peak.rssMb).toBeLessThan(parentRss / 1024 / 1024 + 700);
    await expectHonestRerun(db);
    recordFigures('hostile-node', { cases: 1 });
  }, 60_000);

  it('(6) a large honest answer (24 MB of eth_getLogs) is read within a short timeout', async () => {
    let padded = 0;
    const node = await liar(async (call, ctx) => {
      const answer = await ctx.forward();
      if (call.method !== 'eth_getLogs' || padded >= 2) return { json: answer };
      padded += 1;
      // Valid JSON, the same answer: whitespace is what a pretty-printing node adds.
      const body = JSON.stringify(answer).replace('"result":', `"result":${' '.repeat(24 * 1024 * 1024)}`);
      return { status: 200, headers: { 'content-type': 'application/json' }, body };
    });
    const db = tempDb();
    const rpc = createRpcClient({ url: node.url, timeoutMs: 8_000, maxRetries: 0 });
    const logs = await rpc.request('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }]);
    expect(Array.isArray(logs) && logs.length).toBeGreaterThan(0);
    expect(padded).toBe(1);
    const r = await trace(node.url, db, [seed]);
    expect(padded).toBe(2);
    expect(hitSummary(r)).toEqual(reference.hits);
    expectHonestRows(db);
    recordFigures('hostile-node', { cases: 1 });
  }, 60_000);

  it('(6) a server that trickles its answer a byte at a time is cut at the total deadline', async () => {
    const trickling = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"jsonrpc":"2.0","id":1,"result":"');
      // A byte every 100 ms: the socket is never idle, so only a total deadline ends the wait.
      const t = setInterval(() => res.write('0'), 100);
      const stop = setTimeout(() => res.end('"}'), 30_000);
      res.on('close', () => {
        clearInterval(t);
        clearTimeout(stop);
      });
    });
    await new Promise<void>((r) => trickling.listen(0, '127.0.0.1', r));
    try {
      const rpc = createRpcClient({ url: `http://127.0.0.1:${(trickling.address() as AddressInfo).port}`, timeoutMs: 500, maxRetries: 0 });
      const err = (await rpc.request('eth_chainId', []).catch((e: unknown) => e)) as { timedOut?: boolean; message?: string };
      expect(err.timedOut).toBe(true);
      expect(err.message).toMatch(/eth_chainId failed at http:\/\/127\.0\.0\.1:\d+ after 1 attempts: timeout: the whole response not received within 2500 ms/);
    } finally {
      trickling.closeAllConnections();
      await new Promise<void>((r) => trickling.close(() => r()));
    }
    recordFigures('hostile-node', { cases: 1 });
  }, 30_000);

  it('(8) never prints or stores a key, whatever its shape, nor credentials the endpoint echoes back', async () => {
    const secrets = ['alice', 'pa55w0rd', Buffer.from('alice:pa55w0rd').toString('base64'), 'sk_live_51Hx9q', 'k3y9', 'KEYQWERTY123', 'SECRETVALUE', '%53%45CRETVALUE'];
    // Echoes, in a JSON-RPC error, the path, query and Authorization header it was sent.
    const echo = await liar(async (call, ctx) => ({
      json: { jsonrpc: '2.0', id: call.id, error: { code: -32000, message: `invalid key ${ctx.req.url} for ${ctx.req.headers.authorization} (${decodeURIComponent(ctx.req.url ?? '')})` } },
    }));
    const keyed = (base: string): string => base.replace('http://', 'http://alice:pa55w0rd@') + '/sk_live_51Hx9q/rpc/k3y9?KEYQWERTY123&token=%53%45CRETVALUE';
    const db = tempDb();
    const failed = await hoptrace(['trace', seed, '--rpc', keyed(echo.url), '--db', db]);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/invalid key/);
    // Sends the key back where a block belongs: the strict-shape message quotes what the node sent.
    const leaky = await liar(async (call, ctx) =>
      call.method === 'eth_getBlockByNumber'
        ? { json: { jsonrpc: '2.0', id: call.id, result: { number: 'KEYQWERTY123', hash: `0x${'1'.repeat(64)}`, timestamp: '0x1' } } }
        : { json: await ctx.forward() },
    );
    const quoted = await hoptrace(['trace', seed, '--rpc', keyed(leaky.url), '--db', tempDb()]);
    expect(quoted.code).not.toBe(0);
    expect(quoted.stderr).toMatch(/the node sent "\*\*\*" where a number was expected/);
    const forwarding = await liar(honest);
    const ok = await hoptrace(['trace', seed, '--rpc', keyed(forwarding.url), '--db', db, '--labels-chain', 'ethereum', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { rpc: string }).rpc).toBe(`http://***@127.0.0.1:${forwarding.port}/***/rpc/***?***&token=***`);
    const files = readdirSync(dirname(db)).map((f) => readFileSync(join(dirname(db), f)).toString('latin1'));
    for (const s of secrets) {
      for (const o of [failed, quoted, ok]) expect(o.stdout + o.stderr, s).not.toContain(s);
      for (const f of files) expect(f.includes(s), s).toBe(false);
    }
    recordFigures('hostile-node', { cases: 1 });
  }, 60_000);
});

describe('messages of the RPC layer', () => {
  it('an HTML page is named in one bounded line, not printed', async () => {
    const page = `<!DOCTYPE html>\n<html>\n<head><title>404 Not Found</title></head>\n<body>\n${'<p>nothing here</p>\n'.repeat(40)}</body>\n</html>\n`;
    const node = await liar(async () => ({ status: 404, headers: { 'content-type': 'text/html' }, body: page }));
    const out = await hoptrace(['trace', seed, '--rpc', node.url, '--db', tempDb()]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('the endpoint answered with an HTML page (HTTP 404), not JSON-RPC');
    expect(out.stderr).not.toContain('<');
    for (const line of out.stderr.trim().split('\n')) expect(line.length).toBeLessThanOrEqual(300);
  }, 30_000);

  it('a node that dies mid-trace is named as refusing connections, not as overloaded', async () => {
    const node = await liar(async (call, ctx) => {
      if (call.method === 'eth_getLogs') {
        setImmediate(() => void node.die());
        return { status: 503, body: '' };
      }
      return { json: await ctx.forward() };
    });
    const out = await hoptrace(['trace', seed, '--rpc', node.url, '--db', tempDb()]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`connection refused by 127.0.0.1:${node.port}: the node is not running or not listening there`);
    expect(out.stderr).not.toMatch(/overloaded|rate limiting/);
  }, 60_000);

  it('shows a bare host:port as typed, and suggests the URL', async () => {
    const out = await hoptrace(['trace', seed, '--rpc', '127.0.0.1:8545', '--db', tempDb()]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('RPC URL 127.0.0.1:8545 is not an http(s) URL.');
    expect(out.stderr).toContain('did you mean http://127.0.0.1:8545?');
  });
});

/** Peak RSS (MB) of a fresh process that asks `url` for eth_chainId through hoptrace's client. */
function childPeakRss(url: string): Promise<{ error: string; rssMb: number }> {
  const script = `
    const { createRpcClient } = await import(${JSON.stringify(join(packageRoot(), 'dist', 'rpc', 'client.js'))});
    let error = '';
    try { await createRpcClient({ url: ${JSON.stringify(url)}, maxRetries: 0 }).request('eth_chainId', []); } catch (e) { error = e.message; }
    console.log(JSON.stringify({ error, rssMb: process.resourceUsage().maxRSS / 1024 }));`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', () => {
      try {
        resolve(JSON.parse(out.trim()) as { error: string; rssMb: number });
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}
