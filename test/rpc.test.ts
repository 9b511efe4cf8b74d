/**
 * The RPC layer against a real anvil behind the fault-injecting proxy (test/helpers/proxy.ts): no mocked
 * transport. Sleeps are injected and shortened so retries cost milliseconds; the requested delays are
 * recorded so backoff and Retry-After can still be checked.
 */

import * as http from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort, startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { RpcError } from '../src/errors.js';
import { classifyRpcError } from '../src/rpc/classify.js';
import { createRpcClient, parseRetryAfter, type RpcClient, type RpcClientOptions } from '../src/rpc/client.js';
import { fetchRangeAdaptive, learnedSpan, parseRangeError } from '../src/rpc/ranges.js';
import { redactText, redactUrl } from '../src/rpc/redact.js';
import { ALL_TRANSIENT_FAULTS, startProxy, type FaultKind, type Proxy, type RangeStyle } from './helpers/proxy.js';

const DEV = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266';
/** Init code that emits one LOG0 in its constructor and deploys nothing: a log and a CREATE trace per tx. */
const EMIT_LOG0 = '0x60006000a000';
/** Blocks that get a transaction; the chain is mined to HEAD. 300/301/302 straddle anvil's trace_filter cap. */
const TX_BLOCKS = [3, 150, 300, 301, 302, 650, 999, 1500, 1999];
const HEAD = 2000;

const hex = (n: number) => `0x${n.toString(16)}`;

let anvil: AnvilHandle;

/** One JSON-RPC call straight to anvil: the reference answer. */
async function direct<T>(method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(anvil.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(body.error.message);
  return body.result as T;
}

beforeAll(async () => {
  anvil = await startAnvil();
  let head = 0;
  for (const b of TX_BLOCKS) {
    if (b - head - 1 > 0) await direct('anvil_mine', [hex(b - head - 1)]);
    await direct('eth_sendTransaction', [{ from: DEV, data: EMIT_LOG0 }]);
    head = b;
  }
  await direct('anvil_mine', [hex(HEAD - head)]);
  expect(Number(await direct<string>('eth_blockNumber'))).toBe(HEAD);
});

afterAll(async () => {
  await anvil?.stop();
});

/** Retry waits among the sleeps a client asked for: backoff starts at 125 ms, rate-budget waits at 10,000 rps are tiny. */
function backoffs(client: { sleeps: number[] }): number[] {
  return client.sleeps.filter((ms) => ms >= 100);
}

/** Sleeps requested by the client, and a sleep that honours them at 1/100 scale (capped). */
function fastSleep(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: (ms) => {
      sleeps.push(ms);
      return new Promise((r) => setTimeout(r, Math.min(5, ms / 100)));
    },
  };
}

describe('redaction', () => {
  it('keeps scheme, host and port and masks keys', () => {
    // Keys built at run time: no string in the repository looks like a real credential.
    expect(redactUrl(`https://eth-mainnet.g.alchemy.com/v2/${'AbCdEf-123_'.repeat(2)}`)).toBe('https://eth-mainnet.g.alchemy.com/v2/***');
    expect(redactUrl(`https://mainnet.infura.io/v3/${'0123456789abcdef'.repeat(2)}`)).toBe('https://mainnet.infura.io/v3/***');
    expect(redactUrl('http://127.0.0.1:8545')).toBe('http://127.0.0.1:8545');
    expect(redactUrl('http://localhost:8545/')).toBe('http://localhost:8545/');
    expect(redactUrl('https://rpc.ankr.com/eth/' + 'ab'.repeat(32))).toBe('https://rpc.ankr.com/eth/***');
    expect(redactUrl('https://user:hunter2@node.example.com:8443/rpc')).toBe('https://***@node.example.com:8443/rpc');
    expect(redactUrl('https://api.example.com/rpc?apikey=s3cr3t&chain=1')).toBe('https://api.example.com/rpc?apikey=***&chain=***');
    expect(redactUrl('https://example.com/short/path')).toBe('https://example.com/short/path');
    expect(redactUrl('not a url with key 0123456789abcdef0123')).toBe('***');
  });

  it('scrubs a URL and its secret parts out of free text', () => {
    const url = 'https://user:pa55word@eth.example.com/v2/AbCdEfGhIjKlMnOpQrSt?key=verysecret';
    const text = `request to ${url} failed; key verysecret, token AbCdEfGhIjKlMnOpQrSt, pass pa55word, href ${new URL(url).href}`;
    const out = redactText(text, [url]);
    for (const secret of ['verysecret', 'AbCdEfGhIjKlMnOpQrSt', 'pa55word', 'user:']) expect(out).not.toContain(secret);
    expect(out).toContain('https://***@eth.example.com/v2/***?key=***');
  });
});

describe('provider texts', () => {
  it('reads Infura and Alchemy suggested ranges', () => {
    const infura = new Error('query returned more than 10000 results. Try with this block range [0x112a880, 0x112a908].');
    expect(parseRangeError(infura, 0x112a880, 0x112a880 + 1000)).toEqual({ suggestedTo: 0x112a908, source: 'suggested' });
    const alchemy = new Error(
      'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, ' +
        'or you can request any block range with a cap of 10K logs in the response. Based on your parameters, this block range should work: [0x112a880, 0x112a8c2]',
    );
    expect(parseRangeError(alchemy, 0x112a880, 0x112a880 + 2001)).toEqual({ suggestedTo: 0x112a8c2, source: 'suggested' });
    // A suggestion for another start still gives the size that works.
    expect(parseRangeError(infura, 0, 1000)).toEqual({ maxSpan: 0x112a908 - 0x112a880 + 1, source: 'suggested' });
  });

  it('reads stated caps', () => {
    const cases: [string, number][] = [
      ['eth_getLogs is limited to a 10,000 range', 10_000], // QuickNode
      ['You can make eth_getLogs requests with up to a 10 block range.', 10], // Alchemy free tier
      ["Invalid eth_getLogs request. 'fromBlock'-'toBlock' range too large. Max range: 800", 800], // Cloudflare
      ['exceed maximum block range: 800', 800],
      ['block range too large, currently limited to 300', 300], // anvil trace_filter
      ['block range is too wide', 3000], // Ankr
      ['block range is too wide (maximum 1024)', 1024], // Moonriver
      ['range 20000 is bigger than range limit 2000', 2000], // thirdweb
      ['please limit the query to at most 1,000 blocks', 1000], // Coinbase
      ['eth_getLogs range is too large, max is 10k blocks', 10_000], // Merkle
    ];
    for (const [text, n] of cases) expect(parseRangeError(new Error(text), 0, 99_999), text).toEqual({ maxSpan: n, source: 'stated' });
  });

  it('halves on complaints without numbers, and on caps we already respect', () => {
    for (const text of [
      'query returned more than 10000 results',
      'response is too big',
      'query timeout exceeded',
      'query exceeds max results 20000',
      'backend response too large',
      'logs matched by query exceeds limit of 10000',
      'the requested block range exceeds what this gateway allows', // unknown provider, still about the range
    ]) {
      expect(parseRangeError(new Error(text), 100, 199), text).toEqual({ maxSpan: 50, source: 'halved' });
    }
    expect(parseRangeError(new Error('eth_getLogs is limited to a 10,000 range'), 0, 99)).toEqual({ maxSpan: 50, source: 'halved' });
  });

  it('is not fooled by rate limits, reverts or other errors', () => {
    for (const text of [
      'project ID request rate exceeded',
      'daily request count exceeded, request rate limited',
      'Your app has exceeded its compute units per second capacity',
      'you are being rate limited to 25 requests per second',
      'execution reverted',
      'Method not found',
      'header not found',
      'invalid block range params',
    ]) {
      expect(parseRangeError(new Error(text), 0, 1000), text).toBeNull();
    }
    // A retryable RpcError reached the caller only after the client gave up: trouble, not a cap.
    const exhausted = new RpcError('eth_getLogs failed at x after 7 attempts: HTTP 503', { method: 'eth_getLogs', endpoint: 'x', retryable: true });
    expect(parseRangeError(exhausted, 0, 1000)).toBeNull();
  });

  it('tells -32005 rate limits from -32005 range errors', () => {
    expect(classifyRpcError({ code: -32005, message: 'project ID request rate exceeded' }, 429)).toBe('rate-limit');
    expect(classifyRpcError({ code: -32005, message: 'query returned more than 10000 results. Try with this block range [0x1, 0x2].' }, 200)).toBe('fatal');
    expect(classifyRpcError({ code: -32005, message: 'daily request count exceeded, request rate limited' }, 200)).toBe('quota');
    expect(classifyRpcError({ code: 429, message: 'Too Many Requests' }, 429)).toBe('rate-limit');
    expect(classifyRpcError({ code: -32601, message: 'Method not found' }, 200)).toBe('fatal');
    expect(classifyRpcError({ code: 3, message: 'execution reverted', data: '0x08c379a0' }, 200)).toBe('fatal');
    expect(classifyRpcError({ code: -32000, message: 'header not found' }, 200)).toBe('transient');
    expect(classifyRpcError({ code: -32603, message: 'something odd' }, 503)).toBe('transient');
  });

  it('reads Retry-After as seconds or an HTTP date, capped', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('86400', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('client against anvil through the proxy', () => {
  let proxy: Proxy;
  const clients: RpcClient[] = [];
  const make = (o: Partial<RpcClientOptions> = {}): RpcClient & { sleeps: number[] } => {
    const s = fastSleep();
    // A high rps keeps rate-budget waits out of the recorded sleeps (the fast sleep does not really wait,
    // so reservations would pile up); the tests about the budget set their own.
    const c = createRpcClient({ url: proxy.url, sleep: s.sleep, timeoutMs: 2_000, rps: 10_000, maxRps: 10_000, ...o });
    clients.push(c);
    return Object.assign(c, { sleeps: s.sleeps });
  };

  beforeEach(async () => {
    proxy = await startProxy(anvil.url, { refuse: ['debug_traceBlockByNumber'] });
  });
  afterEach(async () => {
    await proxy.stop();
  });

  it('answers like the node when nothing goes wrong, one HTTP call per request', async () => {
    const client = make();
    const want = await direct('eth_getBlockByNumber', [hex(300), false]);
    expect(await client.request('eth_getBlockByNumber', [hex(300), false])).toEqual(want);
    expect(proxy.calls).toEqual({ eth_getBlockByNumber: 1 });
    expect(client.stats).toEqual({ total: 1, byMethod: { eth_getBlockByNumber: 1 }, roundTrips: 1 });
    client.resetStats();
    expect(client.stats).toEqual({ total: 0, byMethod: {}, roundTrips: 0 });
  });

  it.each<FaultKind>(['http429', 'http429-retry-after', 'http500', 'http502', 'http503', 'drop', 'malformed', 'bad-envelope', 'rpc-rate-limit'])(
    'retries through %s and returns the direct answer',
    async (kind) => {
      const client = make();
      proxy.inject(kind, { times: 2 });
      const want = await direct('eth_getBlockByNumber', [hex(650), true]);
      expect(await client.request('eth_getBlockByNumber', [hex(650), true])).toEqual(want);
      expect(proxy.served[kind]).toBe(2);
      expect(proxy.calls['eth_getBlockByNumber']).toBe(3);
      expect(client.stats.total).toBe(3); // retries are billed calls too
      if (kind === 'http429-retry-after') expect(backoffs(client)).toEqual([1000, 1000]);
    },
  );

  it('shrinks the rps budget on 429 and grows it on success', async () => {
    const client = make({ rps: 40, maxRps: 500 });
    proxy.inject('http429', { times: 1 });
    await client.request('eth_chainId', []);
    expect(client.rps).toBeLessThan(40);
    const shrunk = client.rps;
    for (let i = 0; i < 5; i++) await client.request('eth_chainId', []);
    expect(client.rps).toBeGreaterThan(shrunk);
  });

  it('retries a request that hangs past the timeout', async () => {
    const client = make({ timeoutMs: 300, rps: 40, maxRps: 500 });
    proxy.inject('hang', { times: 1 });
    expect(await client.request('eth_blockNumber', [])).toBe(hex(HEAD));
    expect(proxy.calls['eth_blockNumber']).toBe(2);
    expect(client.rps).toBeLessThan(40);
  });

  it('survives a seeded storm of faults with the same answers as the node', async () => {
    await proxy.stop();
    proxy = await startProxy(anvil.url, { faults: { rate: 0.4, seed: 42, kinds: [...ALL_TRANSIENT_FAULTS] } });
    const client = make({ maxRetries: 12 });
    const blocks = Array.from({ length: 30 }, (_, i) => i * 33);
    const got = await Promise.all(blocks.map((b) => client.request('eth_getBlockByNumber', [hex(b), false])));
    const want = await Promise.all(blocks.map((b) => direct('eth_getBlockByNumber', [hex(b), false])));
    expect(got).toEqual(want);
    const faults = Object.values(proxy.served).reduce((a, b) => a + b, 0);
    expect(faults).toBeGreaterThan(5);
    expect(client.stats.total).toBe(proxy.total());
    expect(proxy.total()).toBe(30 + faults);
  });

  it('bounds concurrency and rate', async () => {
    await proxy.stop();
    proxy = await startProxy(anvil.url, { latencyMs: 40 });
    const client = make({ concurrency: 3 });
    await Promise.all(Array.from({ length: 24 }, () => client.request('eth_chainId', [])));
    expect(proxy.peakInFlight()).toBe(3);

    // Real sleep: 11 requests at 20 rps cannot start in less than 10 intervals of 50 ms.
    const slow = createRpcClient({ url: proxy.url, rps: 20, maxRps: 20 });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 11 }, () => slow.request('eth_chainId', [])));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(450);
  });

  it('does not retry a refused method (-32601): exactly one call', async () => {
    const client = make();
    const err = await client.request('debug_traceBlockByNumber', [hex(3), {}]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    const e = err as RpcError;
    expect(e.code).toBe(-32601);
    expect(e.retryable).toBe(false);
    expect(e.method).toBe('debug_traceBlockByNumber');
    expect(e.message).toBe(`debug_traceBlockByNumber failed at ${proxy.url}: Method not found (code -32601)`);
    expect(proxy.calls['debug_traceBlockByNumber']).toBe(1);
    expect(client.stats.byMethod['debug_traceBlockByNumber']).toBe(1);
  });

  it('does not retry deterministic node errors (invalid params, range too large)', async () => {
    const client = make();
    const err = (await client.request('trace_filter', [{ fromBlock: hex(0), toBlock: hex(HEAD) }]).catch((e: unknown) => e)) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe(-32602);
    expect(err.message).toContain('limited to 300');
    expect(proxy.calls['trace_filter']).toBe(1);
  });

  it('stops at a daily quota without retrying', async () => {
    const client = make();
    proxy.inject('rpc-daily-quota', { times: 5 });
    const err = (await client.request('eth_chainId', []).catch((e: unknown) => e)) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/quota is used up/);
    expect(proxy.calls['eth_chainId']).toBe(1);
  });

  it('gives up after maxRetries with one sentence naming method, endpoint and cause', async () => {
    const client = make({ maxRetries: 3 });
    proxy.inject('http503', { times: 100 });
    const err = (await client.request('eth_getLogs', [{ fromBlock: '0x0', toBlock: '0x1' }]).catch((e: unknown) => e)) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.message).toBe(`eth_getLogs failed at ${proxy.url} after 4 attempts: HTTP 503`);
    expect(err.status).toBe(503);
    expect(err.retryable).toBe(true);
    expect(proxy.calls['eth_getLogs']).toBe(4);
    // Backoff grows (jitter keeps each step within [½, 1] of 250·2^n ms).
    const waits = backoffs(client);
    expect(waits).toHaveLength(3);
    expect(waits[0]!).toBeGreaterThanOrEqual(125);
    expect(waits[0]!).toBeLessThanOrEqual(250);
    expect(waits[2]!).toBeGreaterThanOrEqual(500);
    expect(waits[2]!).toBeLessThanOrEqual(1000);
  });

  it('reports an unreachable endpoint in one sentence, without its secrets', async () => {
    const port = await freePort();
    const key = 'Zx9Kq2Lm8Np4Rt6Vw1Yb3Cd5';
    const s = fastSleep();
    const client = createRpcClient({ url: `http://127.0.0.1:${port}/v2/${key}?token=hunter2`, sleep: s.sleep });
    const err = (await client.request('eth_chainId', []).catch((e: unknown) => e)) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.message).toBe(`cannot reach the RPC endpoint http://127.0.0.1:${port}/v2/***?token=*** (connection refused by 127.0.0.1:${port}: the node is not running or not listening there)`);
    expect(err.retryable).toBe(false);
    expect(err.endpoint).not.toContain(key);
    expect(JSON.stringify({ m: err.message, h: err.hint, e: err.endpoint })).not.toMatch(new RegExp(`${key}|hunter2`));
    expect(client.stats.total).toBe(3); // two quick retries, then it says so
  });

  it('reports a host that does not resolve as unreachable', async () => {
    const client = createRpcClient({ url: 'https://nonexistent-host.invalid/v3/0123456789abcdef0123456789abcdef', sleep: fastSleep().sleep });
    const err = (await client.request('eth_chainId', []).catch((e: unknown) => e)) as RpcError;
    expect(err).toBeInstanceOf(RpcError);
    expect(err.message).toMatch(/^cannot reach the RPC endpoint https:\/\/nonexistent-host\.invalid\/v3\/\*\*\* \((host not found|DNS lookup failed)\)$/);
    expect(err.retryable).toBe(false);
  });

  it('masks a key that an error page echoes right where the message is clipped', async () => {
    const key = 'Zk3vQ9sT0pSecretKey0000abcdef12';
    // An Apache-style 404 page that repeats the request path after ~280 characters of markup.
    const server = http.createServer((req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end(`<html><head><title>404 Not Found</title></head><body>${'.'.repeat(200)}<p>The requested URL ${req.url} was not found.</p></body></html>`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const client = createRpcClient({ url: `http://127.0.0.1:${port}/v2/${key}`, sleep: fastSleep().sleep });
      const err = (await client.request('eth_chainId', []).catch((e: unknown) => e)) as RpcError;
      expect(err).toBeInstanceOf(RpcError);
      expect(err.message).toContain('***');
      expect(err.message).not.toMatch(/Zk3vQ9sT0p/);
    } finally {
      server.close();
    }
  });

  it('rejects a non-http URL as a usage error without echoing its key', () => {
    expect(() => createRpcClient({ url: 'wss://eth.example.com/ws/0123456789abcdef0123456789abcdef' })).toThrow(
      /^RPC URL wss:\/\/eth\.example\.com\/ws\/\*\*\* is not an http\(s\) URL\.$/,
    );
  });
});

describe('fetchRangeAdaptive', () => {
  let proxy: Proxy;
  afterEach(async () => {
    await proxy?.stop();
  });

  type Trace = { blockNumber: number; transactionHash: string };
  const traceFilter = (client: RpcClient) => (a: number, b: number) =>
    client.request<Trace[]>('trace_filter', [{ fromBlock: hex(a), toBlock: hex(b) }]);

  it("covers 2,000 blocks under anvil's 300-block trace_filter cap, in order, once, and learns the span", async () => {
    proxy = await startProxy(anvil.url);
    const client = createRpcClient({ url: proxy.url, sleep: fastSleep().sleep });
    const chunks: [number, number][] = [];
    const traces: Trace[] = [];
    await fetchRangeAdaptive({
      key: 'trace_filter',
      client,
      from: 1,
      to: HEAD,
      fetch: traceFilter(client),
      onChunk: (a, b, r) => {
        chunks.push([a, b]);
        traces.push(...r);
      },
    });
    // The stated cap is a hard one: the walk never grows past it, however many chunks succeed.
    expect(chunks).toEqual([
      [1, 300],
      [301, 600],
      [601, 900],
      [901, 1200],
      [1201, 1500],
      [1501, 1800],
      [1801, 2000],
    ]);
    expect(proxy.calls['trace_filter']).toBe(8); // one refusal, seven chunks
    expect(traces.map((t) => t.blockNumber)).toEqual(TX_BLOCKS);
    const want: Trace[] = [];
    for (let a = 1; a <= HEAD; a += 250) want.push(...(await direct<Trace[]>('trace_filter', [{ fromBlock: hex(a), toBlock: hex(Math.min(HEAD, a + 249)) }])));
    expect(traces).toEqual(want);
    expect(learnedSpan(client, 'trace_filter')).toBe(300);

    // Second walk: starts at the learned span, never asks for more, so nothing fails.
    proxy.reset();
    let failures = 0;
    const again: [number, number][] = [];
    await fetchRangeAdaptive({
      key: 'trace_filter',
      client,
      from: 1,
      to: HEAD,
      fetch: (a, b) => traceFilter(client)(a, b).catch((e: unknown) => {
        failures += 1;
        throw e;
      }),
      onChunk: (a, b) => {
        again.push([a, b]);
      },
    });
    expect(failures).toBe(0);
    expect(proxy.calls['trace_filter']).toBe(7);
    expect(again).toEqual(chunks);
    // Memory is per client: a fresh client starts from the whole range again.
    expect(learnedSpan(createRpcClient({ url: proxy.url }), 'trace_filter')).toBeUndefined();
  });

  it('splits a range that times out instead of waiting out every retry on it', async () => {
    proxy = await startProxy(anvil.url, { rangeLimit: { method: 'trace_filter', maxSpan: 400, style: 'range-timeout' } });
    const client = createRpcClient({ url: proxy.url, timeoutMs: 150, sleep: fastSleep().sleep });
    const chunks: [number, number][] = [];
    await fetchRangeAdaptive({
      key: 'trace_filter:timeouts',
      client,
      from: 1,
      to: 1000,
      fetch: (a, b) => client.request('trace_filter', [{ fromBlock: hex(a), toBlock: hex(b) }], { timeoutRetries: 1 }),
      onChunk: (a, b) => {
        chunks.push([a, b]);
      },
    });
    // 1000 → 500 both time out (two attempts each), then 250-block chunks pass anvil's 300 cap.
    expect(chunks[0]).toEqual([1, 250]);
    expect(chunks.at(-1)![1]).toBe(1000);
    expect(proxy.served['range-timeout']).toBe(4);
  });

  it.each<RangeStyle>(['range-infura', 'range-alchemy', 'range-quicknode', 'range-cloudflare', 'range-ankr'])(
    'splits eth_getLogs on %s errors and returns every log',
    async (style) => {
      proxy = await startProxy(anvil.url, { rangeLimit: { method: 'eth_getLogs', maxSpan: 120, style } });
      const client = createRpcClient({ url: proxy.url, sleep: fastSleep().sleep });
      const chunks: [number, number][] = [];
      const logs: { blockNumber: string }[] = [];
      await fetchRangeAdaptive({
        key: 'eth_getLogs',
        client,
        from: 0,
        to: HEAD,
        fetch: (a, b) => client.request<{ blockNumber: string }[]>('eth_getLogs', [{ fromBlock: hex(a), toBlock: hex(b) }]),
        onChunk: (a, b, r) => {
          chunks.push([a, b]);
          logs.push(...r);
        },
      });
      expectContiguous(chunks, 0, HEAD);
      for (const [a, b] of chunks) expect(b - a + 1).toBeLessThanOrEqual(120);
      expect(logs).toEqual(await direct('eth_getLogs', [{ fromBlock: hex(0), toBlock: hex(HEAD) }]));
      expect(logs.map((l) => Number(l.blockNumber))).toEqual(TX_BLOCKS);
      expect(proxy.served[style]).toBeGreaterThan(0);
      // Every error was a range error answered once: no retries of the same request.
      expect(proxy.calls['eth_getLogs']).toBe(chunks.length + (proxy.served[style] ?? 0));
    },
  );

  it('gets through random range errors and transient faults together', async () => {
    proxy = await startProxy(anvil.url, {
      faults: { rate: 0.3, seed: 7, kinds: [...ALL_TRANSIENT_FAULTS, 'range-infura', 'range-alchemy', 'range-quicknode', 'range-ankr'] },
    });
    const client = createRpcClient({ url: proxy.url, sleep: fastSleep().sleep, maxRetries: 12 });
    const chunks: [number, number][] = [];
    const logs: unknown[] = [];
    await fetchRangeAdaptive({
      key: 'eth_getLogs',
      client,
      from: 0,
      to: HEAD,
      fetch: (a, b) => client.request<unknown[]>('eth_getLogs', [{ fromBlock: hex(a), toBlock: hex(b) }]),
      onChunk: (a, b, r) => {
        chunks.push([a, b]);
        logs.push(...r);
      },
    });
    expectContiguous(chunks, 0, HEAD);
    expect(logs).toEqual(await direct('eth_getLogs', [{ fromBlock: hex(0), toBlock: hex(HEAD) }]));
  });

  it('rethrows the original error when a single block still fails, and non-range errors unchanged', async () => {
    proxy = await startProxy(anvil.url);
    const client = createRpcClient({ url: proxy.url });
    const asked: number[] = [];
    let last: Error | undefined;
    const err = await fetchRangeAdaptive({
      key: 'always-too-big',
      client,
      from: 10,
      to: 1009,
      fetch: async (a, b) => {
        asked.push(b - a + 1);
        last = new Error('block range too large, currently limited to 300');
        throw last;
      },
      onChunk: () => {
        throw new Error('no chunk can succeed');
      },
    }).catch((e: unknown) => e);
    expect(err).toBe(last);
    expect(asked).toEqual([1000, 300, 150, 75, 37, 18, 9, 4, 2, 1]);

    const other = new RpcError('trace_filter failed at x: Method not found (code -32601)', { method: 'trace_filter', endpoint: 'x', code: -32601, retryable: false });
    let calls = 0;
    const got = await fetchRangeAdaptive({
      key: 'other',
      client,
      from: 0,
      to: 100,
      fetch: async () => {
        calls += 1;
        throw other;
      },
      onChunk: () => undefined,
    }).catch((e: unknown) => e);
    expect(got).toBe(other);
    expect(calls).toBe(1);

    let none = 0;
    await fetchRangeAdaptive({ key: 'empty', client, from: 5, to: 4, fetch: async () => (none += 1), onChunk: () => undefined });
    expect(none).toBe(0);
  });

  it('grows the span again after successes when the shrink was a guess, never back to a span that failed', async () => {
    proxy = await startProxy(anvil.url);
    const client = createRpcClient({ url: proxy.url });
    const attempts: { span: number; ok: boolean }[] = [];
    const delivered: [number, number][] = [];
    await fetchRangeAdaptive({
      key: 'guess',
      client,
      from: 0,
      to: 99_999,
      fetch: async (a, b) => {
        const span = b - a + 1;
        const ok = span <= 1000;
        attempts.push({ span, ok });
        if (!ok) throw new Error('response is too big');
        return span;
      },
      onChunk: (a, b) => {
        delivered.push([a, b]);
      },
    });
    expectContiguous(delivered, 0, 99_999);
    expect(attempts.slice(0, 8).map((x) => x.span)).toEqual([100_000, 50_000, 25_000, 12_500, 6_250, 3_125, 1_562, 781]);
    // It grew past the first working span...
    expect(Math.max(...attempts.filter((x) => x.ok).map((x) => x.span))).toBeGreaterThan(781);
    // ...but never retried a span at or above one that had already failed.
    let smallestFailed = Infinity;
    for (const x of attempts) {
      expect(x.span).toBeLessThan(smallestFailed);
      if (!x.ok) smallestFailed = Math.min(smallestFailed, x.span);
    }
  });
});

function expectContiguous(chunks: [number, number][], from: number, to: number): void {
  expect(chunks.length).toBeGreaterThan(0);
  expect(chunks[0]![0]).toBe(from);
  expect(chunks.at(-1)![1]).toBe(to);
  for (let i = 1; i < chunks.length; i++) expect(chunks[i]![0]).toBe(chunks[i - 1]![1] + 1);
}
