/**
 * A small JSON-RPC proxy for tests, in front of a real node (anvil): counts calls by method, refuses
 * methods, emulates a provider's block-range cap, and injects faults, either at a seeded random rate or
 * scripted ("the next 3 eth_chainId calls get a 429"). Everything it does is deterministic for a given
 * seed and request order, so a failing test fails the same way twice.
 *
 * Batches are forwarded whole and counted per method (`roundTrips` counts HTTP requests); transient
 * faults apply to the whole HTTP request, the batch faults (`batch-*`, `partial-batch`, and `wrong-block`
 * on a header inside a batch) to batches only.
 */

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '../../src/devchain/random.js';

/** The faults the proxy can serve. Range faults only fire on ranged methods (eth_getLogs, trace_filter). */
export type FaultKind =
  /** HTTP 429, no Retry-After, plain-text body. */
  | 'http429'
  /** HTTP 429 with `Retry-After` (seconds) and an Alchemy-style JSON-RPC error code 429. */
  | 'http429-retry-after'
  | 'http500'
  | 'http502'
  | 'http503'
  /** Never answers; the socket stays open until the client gives up or the proxy stops. */
  | 'hang'
  /** Reads the request, then destroys the socket (the client sees "socket hang up"). */
  | 'drop'
  /** HTTP 200 with a truncated JSON body. */
  | 'malformed'
  /** HTTP 200 with a well-formed response whose id is not the request's. */
  | 'bad-envelope'
  /** HTTP 200, Infura's JSON-RPC -32005 "project ID request rate exceeded". */
  | 'rpc-rate-limit'
  /** HTTP 200, Infura's JSON-RPC -32005 "daily request count exceeded, request rate limited" (not retryable). */
  | 'rpc-daily-quota'
  /** The node's answer with block hashes of another block (logs, traces) or another block's header. */
  | 'wrong-block'
  /** Receipts with their logs left out but their logs bloom kept. */
  | 'missing-logs'
  /**
   * An eth_getLogs answer whose first log is credited to a contract that never logged anything (the
   * foreign address FORGED_LOG_ADDRESS), its block hash and number left true: a lie that agreeing hashes
   * cannot show, only the block's own logs bloom.
   */
  | 'forged-log'
  /** A batch answered for its first half only (single requests pass untouched). */
  | 'partial-batch'
  /** A batch answered with one JSON-RPC error object, as endpoints without batch support do. */
  | 'batch-refused'
  /** A batch answered in reverse order. */
  | 'batch-reordered'
  /** A batch whose first answer comes twice under one id, the second time with another member's result. */
  | 'batch-duplicate'
  /** A batch whose first member is answered with a (transient) error of its own. */
  | 'batch-member-error'
  | RangeStyle;

/** Faults that forward the request and tamper with the node's answer; counted only when they changed it. */
export const DATA_FAULTS: readonly FaultKind[] = ['wrong-block', 'missing-logs', 'forged-log', 'partial-batch', 'batch-reordered', 'batch-duplicate', 'batch-member-error'];

/** The contract a 'forged-log' answer credits a log to (an address no test chain logs from). */
export const FORGED_LOG_ADDRESS = '0x00000000000000000000000000000000000f0f0f';

/** Every way the proxy mangles a batch (all of them leave single requests alone). */
export const BATCH_FAULTS: readonly FaultKind[] = ['partial-batch', 'batch-refused', 'batch-reordered', 'batch-duplicate', 'batch-member-error'];

/** Range errors with the texts the providers publish. */
export type RangeStyle = 'range-infura' | 'range-alchemy' | 'range-quicknode' | 'range-cloudflare' | 'range-ankr' | 'range-timeout';

export const ALL_TRANSIENT_FAULTS: readonly FaultKind[] = [
  'http429',
  'http429-retry-after',
  'http500',
  'http502',
  'http503',
  'drop',
  'malformed',
  'bad-envelope',
  'rpc-rate-limit',
];

export interface ProxyOptions {
  /** Methods answered with -32601 "Method not found", as a node without them would. */
  refuse?: string[];
  /** Methods answered with an empty list, as a load-balanced backend lagging behind the head would. */
  empty?: string[];
  /** Random faults: each request fails with probability `rate`, with a kind drawn from `kinds`. */
  faults?: { rate: number; seed: number; kinds?: FaultKind[]; methods?: string[] };
  /** Emulate a provider's range cap: `method` calls spanning more than `maxSpan` blocks get `style`'s error. */
  rangeLimit?: { method?: string; maxSpan: number; style: RangeStyle };
  /**
   * Emulate a provider that refuses large address sets: a trace_filter with more than `maxAddresses` in
   * fromAddress/toAddress, or an eth_getLogs with an address topic OR-list (topic1 on) longer than that, is answered as a
   * too-many-results error naming no block range (counted in `served['set-limit']`).
   */
  setLimit?: { maxAddresses: number };
  /** Seconds sent in Retry-After by 'http429-retry-after'. Default 1. */
  retryAfterSeconds?: number;
  /** Added to every forwarded request, as a distant provider would (ms). Default 0. */
  latencyMs?: number;
  /**
   * Single requests for which this says true are never answered (held until the client gives up, as a
   * node does with a call too heavy for it; counted in `served['hold']`).
   */
  hold?: (call: { method: string; params: unknown }) => boolean;
  /**
   * Single requests for which this says true are answered at once as too large (a too-many-results error
   * naming no block range, as `setLimit`; counted in `served['too-many']`).
   */
  tooMany?: (call: { method: string; params: unknown }) => boolean;
  /** Methods whose single requests' params are kept in `recorded`, in order. */
  record?: readonly string[];
}

export interface Proxy {
  url: string;
  port: number;
  /** Requests received, by JSON-RPC method (batches count each member; unreadable bodies as '(invalid)'). */
  calls: Record<string, number>;
  /** HTTP requests received (a batch is one), and how many of them were batches. */
  roundTrips(): number;
  batches(): number;
  /** Faults served, by kind (range-limit answers count under their style). */
  served: Record<string, number>;
  /** Params of the single requests of the methods in `record`, by method. */
  recorded: Record<string, unknown[]>;
  /** Most requests the proxy was handling at once since start or reset. */
  peakInFlight(): number;
  total(): number;
  /** Zeroes the counters and drops scripted faults. */
  reset(): void;
  /** Serves `kind` to the next `times` requests (for `method` only, when given), before any random fault. */
  inject(kind: FaultKind, opts?: { times?: number; method?: string }): void;
  stop(): Promise<void>;
}

const RANGED = new Set(['eth_getLogs', 'trace_filter']);

/** Starts the proxy on a free port of 127.0.0.1, forwarding to `target`. */
export async function startProxy(target: string, opts: ProxyOptions = {}): Promise<Proxy> {
  const refuse = new Set(opts.refuse ?? []);
  const rand = mulberry32(opts.faults?.seed ?? 1);
  const kinds = opts.faults?.kinds ?? ALL_TRANSIENT_FAULTS;
  const faultMethods = opts.faults?.methods === undefined ? undefined : new Set(opts.faults.methods);
  const retryAfter = opts.retryAfterSeconds ?? 1;
  const calls: Record<string, number> = {};
  const served: Record<string, number> = {};
  const recorded: Record<string, unknown[]> = {};
  let scripted: { kind: FaultKind; left: number; method: string | undefined }[] = [];
  const hung = new Set<http.ServerResponse>();
  const agent = new http.Agent({ keepAlive: true });
  let inFlight = 0;
  let peak = 0;
  let requests = 0;
  let batches = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    let counted = true;
    const done = () => {
      if (counted) inFlight -= 1;
      counted = false;
    };
    res.on('close', done);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(Buffer.concat(chunks).toString('utf8'), req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy error: ${err instanceof Error ? err.message : String(err)}`);
      });
    });
  });

  async function handle(body: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const parsed = parse(body);
    for (const m of parsed.methods) calls[m] = (calls[m] ?? 0) + 1;
    requests += 1;
    if (parsed.batch) batches += 1;
    const single = parsed.single;
    if (single !== undefined && opts.record?.includes(single.method)) (recorded[single.method] ??= []).push(single.params);
    if (single !== undefined && opts.hold?.({ method: single.method, params: single.params }) === true) {
      served['hold'] = (served['hold'] ?? 0) + 1;
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    if (single !== undefined && opts.tooMany?.({ method: single.method, params: single.params }) === true) {
      served['too-many'] = (served['too-many'] ?? 0) + 1;
      return json(res, 200, { jsonrpc: '2.0', id: single.id, error: { code: -32005, message: 'query returned more than 10000 results' } });
    }

    if (single !== undefined && refuse.has(single.method)) {
      return json(res, 200, { jsonrpc: '2.0', id: single.id, error: { code: -32601, message: 'Method not found' } });
    }
    if (single !== undefined && opts.empty?.includes(single.method)) {
      return json(res, 200, { jsonrpc: '2.0', id: single.id, result: [] });
    }

    const kind = pickFault(single?.method, single, parsed.batch);
    if (kind !== undefined && DATA_FAULTS.includes(kind)) {
      const asked = kind === 'wrong-block' ? (parsed.batch ? wrongBlockInBatch(body) : wrongBlockRequest(single)) : undefined;
      const upstream = await forward(target, asked ?? body, agent);
      // A request asked for another block is answered with the node's answer to it (not with the request).
      const tampered = asked === undefined ? tamper(kind, single, upstream.body.toString('utf8')) : undefined;
      if (asked !== undefined || tampered !== undefined) served[kind] = (served[kind] ?? 0) + 1;
      res.writeHead(upstream.status, { 'content-type': upstream.contentType });
      res.end(tampered ?? upstream.body);
      return;
    }
    if (kind !== undefined) {
      served[kind] = (served[kind] ?? 0) + 1;
      return serveFault(kind, single, req, res);
    }

    if (single !== undefined && opts.setLimit !== undefined && setSize(single) > opts.setLimit.maxAddresses) {
      served['set-limit'] = (served['set-limit'] ?? 0) + 1;
      return json(res, 200, { jsonrpc: '2.0', id: single.id, error: { code: -32005, message: 'query returned more than 10000 results' } });
    }

    const limit = opts.rangeLimit;
    if (single !== undefined && limit !== undefined && single.method === (limit.method ?? 'eth_getLogs')) {
      const r = blockRange(single.params);
      if (r !== undefined && r.to - r.from + 1 > limit.maxSpan) {
        served[limit.style] = (served[limit.style] ?? 0) + 1;
        return serveRange(limit.style, single, r, limit.maxSpan, res);
      }
    }

    if ((opts.latencyMs ?? 0) > 0) await new Promise((r) => setTimeout(r, opts.latencyMs));
    const upstream = await forward(target, body, agent);
    res.writeHead(upstream.status, { 'content-type': upstream.contentType });
    res.end(upstream.body);
  }

  function pickFault(method: string | undefined, single: RpcCall | undefined, batch: boolean): FaultKind | undefined {
    const idx = scripted.findIndex((s) => s.left > 0 && (s.method === undefined || s.method === method));
    const s = scripted[idx];
    if (s !== undefined) {
      s.left -= 1;
      if (s.left === 0) scripted.splice(idx, 1);
      return s.kind;
    }
    const f = opts.faults;
    if (f === undefined || f.rate <= 0) return undefined;
    if (faultMethods !== undefined && (method === undefined || !faultMethods.has(method))) return undefined;
    // Draw both numbers every time so the sequence does not depend on which branch was taken.
    const hit = rand() < f.rate;
    const k = kinds[Math.floor(rand() * kinds.length)];
    if (!hit || k === undefined) return undefined;
    // A batch fault on a single request, or a data fault on a batch the proxy cannot tamper with, is no fault.
    if (BATCH_FAULTS.includes(k) && !batch) return undefined;
    if (batch && k === 'missing-logs') return undefined;
    // A range fault on a non-ranged call or a single block would be a lie no provider tells: skip it.
    if (k.startsWith('range-')) {
      const r = single === undefined || !RANGED.has(single.method) ? undefined : blockRange(single.params);
      if (r === undefined || r.to <= r.from) return undefined;
    }
    return k;
  }

  function serveFault(kind: FaultKind, call: RpcCall | undefined, req: http.IncomingMessage, res: http.ServerResponse): void {
    const id = call?.id ?? null;
    switch (kind) {
      case 'http429':
        res.writeHead(429, { 'content-type': 'text/plain' });
        res.end('Too Many Requests');
        return;
      case 'http429-retry-after':
        return json(res, 429, {
          jsonrpc: '2.0',
          id,
          error: { code: 429, message: 'Your app has exceeded its compute units per second capacity. Please retry.' },
        }, { 'retry-after': String(retryAfter) });
      case 'http500':
      case 'http502':
      case 'http503': {
        const status = Number(kind.slice(4));
        res.writeHead(status, { 'content-type': 'text/html' });
        res.end(`<html><body>${status} ${http.STATUS_CODES[status] ?? ''}</body></html>`);
        return;
      }
      case 'hang':
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":[{"blockNu`);
        return;
      case 'bad-envelope':
        return json(res, 200, { jsonrpc: '2.0', id: typeof id === 'number' ? id + 1_000_000 : 'x', result: '0x0' });
      case 'rpc-rate-limit':
        return json(res, 200, { jsonrpc: '2.0', id, error: { code: -32005, message: 'project ID request rate exceeded' } });
      case 'batch-refused':
        return json(res, 200, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'batch requests are not supported' } });
      case 'wrong-block':
      case 'missing-logs':
      case 'forged-log':
      case 'partial-batch':
      case 'batch-reordered':
      case 'batch-duplicate':
      case 'batch-member-error':
        throw new Error(`${kind} is served by handle()`);
      case 'rpc-daily-quota':
        return json(res, 200, {
          jsonrpc: '2.0',
          id,
          error: { code: -32005, message: 'daily request count exceeded, request rate limited' },
        });
      default: {
        const r = call === undefined ? undefined : blockRange(call.params);
        const range = r ?? { from: 0, to: 1 };
        return serveRange(kind, call, range, Math.max(1, Math.floor((range.to - range.from + 1) / 2)), res);
      }
    }
  }

  function serveRange(style: RangeStyle, call: RpcCall | undefined, r: { from: number; to: number }, maxSpan: number, res: http.ServerResponse): void {
    const id = call?.id ?? null;
    const method = call?.method ?? 'eth_getLogs';
    const hex = (n: number) => `0x${n.toString(16)}`;
    const suggestedTo = Math.min(r.to, r.from + maxSpan - 1);
    switch (style) {
      case 'range-infura':
        return json(res, 200, {
          jsonrpc: '2.0',
          id,
          error: {
            code: -32005,
            message: `query returned more than 10000 results. Try with this block range [${hex(r.from)}, ${hex(suggestedTo)}].`,
          },
        });
      case 'range-alchemy':
        return json(res, 200, {
          jsonrpc: '2.0',
          id,
          error: {
            code: -32602,
            message:
              'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the ' +
              'response size, or you can request any block range with a cap of 10K logs in the response. Based on your ' +
              `parameters, this block range should work: [${hex(r.from)}, ${hex(suggestedTo)}]`,
          },
        });
      case 'range-quicknode':
        // QuickNode answers at the HTTP level with a bare error object.
        return json(res, 413, { code: -32614, message: `${method} is limited to a ${maxSpan.toLocaleString('en-US')} range` });
      case 'range-cloudflare':
        return json(res, 200, {
          jsonrpc: '2.0',
          id,
          error: { code: -32047, message: `Invalid eth_getLogs request. 'fromBlock'-'toBlock' range too large. Max range: ${maxSpan}` },
        });
      case 'range-ankr':
        return json(res, 200, { jsonrpc: '2.0', id, error: { code: -32600, message: 'block range is too wide' } });
      case 'range-timeout':
        // Some nodes say nothing: a range too heavy for them just never answers.
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
    }
  }

  /** eth_getBlockByNumber for block n > 0 is sent on as a request for block n - 1 (a lagging backend). */
  function wrongBlockRequest(single: RpcCall | undefined): string | undefined {
    if (single?.method !== 'eth_getBlockByNumber' || !Array.isArray(single.params)) return undefined;
    const tag = single.params[0];
    if (typeof tag !== 'string' || !/^0x[0-9a-f]+$/i.test(tag) || Number.parseInt(tag, 16) === 0) return undefined;
    const next = `0x${(Number.parseInt(tag, 16) - 1).toString(16)}`;
    return JSON.stringify({ jsonrpc: '2.0', id: single.id, method: single.method, params: [next, ...single.params.slice(1)] });
  }

  /** A batch with its first header of a block n > 0 asked for block n - 1 (one lagging backend behind a balancer). */
  function wrongBlockInBatch(body: string): string | undefined {
    const v = JSON.parse(body) as RpcCall[];
    for (const c of v) {
      const asked = wrongBlockRequest(c);
      if (asked !== undefined) {
        c.params = (JSON.parse(asked) as RpcCall).params;
        return JSON.stringify(v);
      }
    }
    return undefined;
  }

  /** The tampered answer, or undefined when this answer offers nothing to tamper with. */
  function tamper(kind: FaultKind, single: RpcCall | undefined, text: string): string | undefined {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (kind === 'partial-batch') {
      if (!Array.isArray(v) || v.length < 2) return undefined;
      return JSON.stringify(v.slice(0, Math.ceil(v.length / 2)));
    }
    if (kind === 'batch-reordered') {
      if (!Array.isArray(v) || v.length < 2) return undefined;
      return JSON.stringify([...v].reverse());
    }
    if (kind === 'batch-duplicate') {
      if (!Array.isArray(v) || v.length < 2) return undefined;
      const [first, second] = v as { id: unknown; result?: unknown }[];
      return JSON.stringify([...v, { ...second, id: first!.id }]);
    }
    if (kind === 'batch-member-error') {
      if (!Array.isArray(v) || v.length < 2) return undefined;
      const [first, ...rest] = v as { id: unknown }[];
      return JSON.stringify([{ jsonrpc: '2.0', id: first!.id, error: { code: -32000, message: 'header not found' } }, ...rest]);
    }
    const env = v as { result?: unknown };
    const result = env.result;
    if (single === undefined || result === null || result === undefined) return undefined;
    if (kind === 'wrong-block') {
      if (!Array.isArray(result) || result.length === 0) return undefined;
      const fake = `0x${'ba'.repeat(32)}`;
      for (const item of result as { blockHash?: string }[]) if (typeof item?.blockHash === 'string') item.blockHash = fake;
      return JSON.stringify(env);
    }
    if (kind === 'forged-log') {
      if (single.method !== 'eth_getLogs' || !Array.isArray(result) || result.length === 0) return undefined;
      (result[0] as { address: string }).address = FORGED_LOG_ADDRESS;
      return JSON.stringify(env);
    }
    // missing-logs. (Not on eth_getLogs: a log left out of a range answer shows only in the header of
    // its block, which hoptrace does not read for every block of a range; see src/sources/validate.ts.)
    const receipts = single.method === 'eth_getBlockReceipts' && Array.isArray(result) ? result : single.method === 'eth_getTransactionReceipt' ? [result] : [];
    const withLogs = (receipts as { logs?: unknown[] }[]).filter((r) => Array.isArray(r?.logs) && r.logs.length > 0);
    if (withLogs.length === 0) return undefined;
    for (const r of withLogs) r.logs = [];
    return JSON.stringify(env);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    served,
    recorded,
    total: () => Object.values(calls).reduce((a, b) => a + b, 0),
    roundTrips: () => requests,
    batches: () => batches,
    peakInFlight: () => peak,
    reset() {
      peak = inFlight;
      requests = 0;
      batches = 0;
      for (const k of Object.keys(calls)) delete calls[k];
      for (const k of Object.keys(served)) delete served[k];
      for (const k of Object.keys(recorded)) delete recorded[k];
      scripted = [];
    },
    inject(kind, o = {}) {
      scripted.push({ kind, left: o.times ?? 1, method: o.method });
    },
    async stop() {
      for (const res of hung) res.socket?.destroy();
      hung.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

interface RpcCall {
  id: unknown;
  method: string;
  params: unknown;
}

function parse(body: string): { methods: string[]; single: RpcCall | undefined; batch: boolean } {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return { methods: ['(invalid)'], single: undefined, batch: false };
  }
  const asCall = (x: unknown): RpcCall | undefined =>
    typeof x === 'object' && x !== null && typeof (x as { method?: unknown }).method === 'string'
      ? { id: (x as { id?: unknown }).id ?? null, method: (x as { method: string }).method, params: (x as { params?: unknown }).params }
      : undefined;
  if (Array.isArray(v)) return { methods: v.map((x) => asCall(x)?.method ?? '(invalid)'), single: undefined, batch: true };
  const c = asCall(v);
  return { methods: [c?.method ?? '(invalid)'], single: c, batch: false };
}

/** The longest address list of a trace_filter, or topic OR-list of an eth_getLogs, in `call` (0 for other calls). */
function setSize(call: RpcCall): number {
  if (!RANGED.has(call.method) || !Array.isArray(call.params)) return 0;
  const f = call.params[0] as { fromAddress?: unknown; toAddress?: unknown; topics?: unknown } | undefined;
  if (typeof f !== 'object' || f === null) return 0;
  // eth_getLogs: the address positions (topic1 on); topic0 is the list of event signatures.
  const lists = call.method === 'trace_filter' ? [f.fromAddress, f.toAddress] : Array.isArray(f.topics) ? f.topics.slice(1) : [];
  return Math.max(0, ...lists.map((l) => (Array.isArray(l) ? l.length : 0)));
}

/** `fromBlock`/`toBlock` of a ranged call's filter object, when both are numbers. */
function blockRange(params: unknown): { from: number; to: number } | undefined {
  if (!Array.isArray(params)) return undefined;
  const f = params[0] as { fromBlock?: unknown; toBlock?: unknown } | undefined;
  if (typeof f !== 'object' || f === null) return undefined;
  const n = (x: unknown) => (typeof x === 'string' && /^0x[0-9a-f]+$/i.test(x) ? Number.parseInt(x, 16) : typeof x === 'number' ? x : undefined);
  const from = n(f.fromBlock);
  const to = n(f.toBlock);
  return from === undefined || to === undefined ? undefined : { from, to };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function forward(target: string, body: string, agent: http.Agent): Promise<{ status: number; contentType: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 502, contentType: res.headers['content-type'] ?? 'application/json', body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
