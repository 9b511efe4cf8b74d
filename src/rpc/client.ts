/**
 * The one place that talks JSON-RPC over HTTP and owns retries. Everything above it calls
 * `client.request(method, params)` and gets either the `result` or an RpcError that already says, in one
 * sentence, what failed where (with the endpoint redacted).
 *
 * - Small reads a caller marks `batch` (headers, eth_call, receipts, nonces) asked in the same turn of the
 *   event loop go out as one JSON-RPC batch per method, at most the batch size learned for that method
 *   (start BATCH_SIZE, under the 50 providers advise). Answers are matched by id in any order; a member's
 *   error is that member's alone; a member missing, duplicated or failing transiently is asked again
 *   alone. An endpoint that refuses a batch (a non-array answer, an HTTP refusal, a batch over its size
 *   cap), answers it partly or rate-limits it gets half the size from then on, down to single requests;
 *   the members of that batch are asked alone. A batch of N is N calls everywhere: stats, the rate budget
 *   (providers bill and meter each member), and the planner's timing (the batch's time shared out).
 *   trace_* and debug_* are never batched (heavy, and providers often refuse them in batches).
 * - Retries with exponential backoff and jitter on 429 (honouring Retry-After), 5xx, timeouts, dropped
 *   connections, malformed bodies and rate-limit JSON-RPC errors; never on deterministic errors (unknown
 *   method, invalid params, revert, block range too large: the caller splits those, see ranges.ts).
 * - An adaptive rps budget (rateBudget.ts) and a concurrency cap (p-limit), both per client.
 * - Only the JSON-RPC envelope is checked here; what `result` means is validated by the caller.
 */

import pLimit from 'p-limit';
import { RpcError, UsageError } from '../errors.js';
import {
  classifyRpcError,
  classifyTransportError,
  collectText,
  errorText,
  isRetryableStatus,
  looksUnsupported,
  type JsonRpcErrorBody,
} from './classify.js';
import { MethodUnsupportedError, RangeTooLargeError } from './errors.js';
import { readRangeLimit } from './providerTexts.js';
import { createRateBudget } from './rateBudget.js';
import { createAgents, HttpError, postJson, type HttpAnswer, type PostLimits } from './http.js';
import { describeUrlInput, hostOf, redactText, redactUrl } from './redact.js';

/** Options of `createRpcClient`. */
export interface RpcClientOptions {
  /** http(s) JSON-RPC endpoint. May carry an API key: it is never printed in full. */
  url: string;
  /** Requests in flight at once. Default 8. */
  concurrency?: number;
  /** Retries after the first attempt for retryable failures. Default 6 (7 attempts in all). */
  maxRetries?: number;
  /** Per-attempt timeout in milliseconds. Default 30000. */
  timeoutMs?: number;
  /** Initial requests-per-second budget. Default 25. */
  rps?: number;
  /** Floor of the adaptive budget. Default 1. */
  minRps?: number;
  /** Ceiling of the adaptive budget. Default 500. */
  maxRps?: number;
  /** Injected wait (backoff, rate budget); tests pass a fast one. Default: setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Cap on an answer's size in bytes, compressed and decompressed. Default 256 MiB. */
  maxBodyBytes?: number;
  /**
   * Other URLs whose secrets must not appear in this client's messages either (the other endpoints of a
   * pool: a node may echo any of them).
   */
  alsoSecret?: readonly string[];
  /**
   * Largest JSON-RPC batch of calls marked `batch` (default BATCH_SIZE); the client halves it per method
   * when the endpoint refuses or mangles a batch. 1 sends every call alone.
   */
  batchSize?: number;
}

/** Per-request options of `RpcClient.request`. */
export interface RequestOptions {
  /**
   * Retries allowed for timeouts (default: the client's maxRetries). Block-range queries pass a small
   * number: a range that times out twice is too heavy, and the caller splits it instead of waiting.
   */
  timeoutRetries?: number;
  /**
   * The name this call's time is recorded under in `timing` (default: the method). A per-address and a
   * whole-range eth_getLogs are the same method at very different costs.
   */
  costKey?: string;
  /**
   * This call may share a JSON-RPC batch with other calls of its method asked at the same moment: a small
   * read whose answer is checked on its own (actions set it; trace_* and debug_* are never batched).
   */
  batch?: boolean;
}

/**
 * Calls made, as the provider bills them: `total` and `byMethod` count every call, a batch's members one
 * by one and retries included; `roundTrips` counts HTTP requests (a batch of N is one round trip and N
 * calls).
 */
export interface RpcStats {
  total: number;
  byMethod: Record<string, number>;
  roundTrips: number;
}

/** Answered calls and the milliseconds they took on the wire (queueing excluded), per cost key. */
export type CallTiming = Record<string, { calls: number; ms: number }>;

/** Several timings added up, key by key (a pool's endpoints; earlier runs' observations and this run's). */
export function sumTimings(parts: readonly CallTiming[]): CallTiming {
  const out: CallTiming = {};
  for (const part of parts) {
    for (const [k, v] of Object.entries(part)) {
      const t = (out[k] ??= { calls: 0, ms: 0 });
      t.calls += v.calls;
      t.ms += v.ms;
    }
  }
  return out;
}

/** Calls one JSON-RPC endpoint. Create one per endpoint and share it: budget and stats are per client. */
export interface RpcClient {
  /** The endpoint URL, redacted (safe to print and store). */
  readonly endpoint: string;
  /**
   * Sends one JSON-RPC request and resolves with its `result`, retrying what is worth retrying.
   * Rejects with RpcError (method, redacted endpoint, JSON-RPC code / HTTP status, retryable).
   */
  request<T = unknown>(method: string, params: unknown[], opts?: RequestOptions): Promise<T>;
  /** Calls sent (batch members one by one) and HTTP round trips, retries included (they are calls the provider bills). */
  readonly stats: RpcStats;
  /** Time the node took to answer, per cost key (successful attempts only): what the planner prices plans with. */
  readonly timing: CallTiming;
  /** Zeroes `stats` in place. */
  resetStats(): void;
  /** Current requests-per-second budget (adaptive; for diagnostics and tests). */
  readonly rps: number;
}

const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 10_000;
const RETRY_AFTER_CAP_MS = 30_000;
/** Quick retries before a refused connection on a never-reached endpoint counts as "unreachable". */
const UNREACHABLE_RETRIES = 2;
const UNREACHABLE_DELAY_MS = 200;
/**
 * The timeout bounds the wait for the response headers; the whole answer (a server that trickles its
 * body a byte at a time) gets this much more.
 */
const WALL_CLOCK_SLACK_MS = 2_000;
/**
 * Default cap on an answer, on the wire and after decompression. The largest honest answers (Alchemy
 * documents 150 MB for eth_getLogs; a busy block's call traces run to tens of MB) fit; a 1 GB gzip bomb is
 * stopped here, and a ranged query over the cap is split like a provider's 413.
 */
const MAX_BODY_BYTES = 256 * 1024 * 1024;
const HTML_PAGE = 'the endpoint answered with an HTML page';
/**
 * First batch size per method: under the 50 that providers advise (Alchemy, Infura, QuickNode name 50 or
 * fewer; some cut larger batches off or answer them partly).
 */
export const BATCH_SIZE = 40;
/** Methods never batched: heavy answers, and providers that accept batches often refuse these in one. */
const NEVER_BATCHED = /^(trace_|debug_)/;
/** Node text shown in a message: one line, at most this long. */
const SNIPPET_CHARS = 200;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** What one HTTP attempt came to. */
type Attempt =
  | { ok: true; result: unknown }
  | {
      ok: false;
      /** Another attempt may succeed. */
      retry: boolean;
      /** Shrink the rps budget. */
      throttle: boolean;
      /** Short reason for the final message ("HTTP 503", "timeout: response headers not received within 30000 ms", provider text). */
      reason: string;
      /** The endpoint answered at the HTTP level (it exists and is reachable). */
      answered: boolean;
      unreachable?: boolean;
      /** HTTP 2xx with a body that is not a JSON-RPC response (a web page, another API). */
      notRpc?: boolean;
      /** A 3xx: never followed. */
      redirect?: boolean;
      timedOut?: boolean;
      quota?: boolean;
      retryAfterMs?: number;
      status?: number;
      code?: number;
      body?: JsonRpcErrorBody;
      cause?: unknown;
    };

/**
 * Creates a client for one endpoint.
 *
 * @example
 * const client = createRpcClient({ url: process.env.RPC_URL! });
 * const head = await client.request<string>('eth_blockNumber', []);
 */
export function createRpcClient(opts: RpcClientOptions): RpcClient {
  const url = opts.url.trim();
  const endpoint = redactUrl(url);
  const parsed = parseHttpUrl(url);
  if (parsed === null) {
    const shown = describeUrlInput(url);
    throw new UsageError(`RPC URL ${shown.text} is not an http(s) URL.`, {
      hint: shown.suggestion === undefined ? 'pass an http:// or https:// JSON-RPC endpoint, e.g. http://127.0.0.1:8545' : `did you mean ${shown.suggestion}?`,
    });
  }
  const target: URL = parsed;
  const secrets = [url, ...(opts.alsoSecret ?? [])];
  /** Node text made safe to quote: no URL of ours, no secret part of one. */
  const scrub = (text: string): string => redactText(text, secrets);
  const timeoutMs0 = opts.timeoutMs ?? 30_000;
  const maxBody = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  const limits: PostLimits = {
    headerTimeoutMs: timeoutMs0,
    totalTimeoutMs: timeoutMs0 + WALL_CLOCK_SLACK_MS,
    maxWireBytes: maxBody,
    maxBodyBytes: maxBody,
  };
  const agents = createAgents(Math.max(1, opts.concurrency ?? 8));
  /** A refused connection named as such, with the host and port the user gave (no secret in those). */
  const refusedText = (reason: string): string =>
    reason === 'connection refused' ? `connection refused by ${hostOf(target)}: the node is not running or not listening there` : reason;
  const maxRetries = opts.maxRetries ?? 6;
  const timeoutMs = timeoutMs0;
  const sleep = opts.sleep ?? defaultSleep;
  const limit = pLimit(Math.max(1, opts.concurrency ?? 8));
  const minRps = opts.minRps ?? 1;
  const budget = createRateBudget({
    rps: opts.rps ?? 25,
    minRps,
    maxRps: Math.max(minRps, opts.maxRps ?? 500),
    sleep,
  });
  const stats: RpcStats = { total: 0, byMethod: {}, roundTrips: 0 };
  const timing: CallTiming = {};
  let nextId = 1;
  // Once the endpoint has answered anything, a refused connection is an outage to wait out, not a typo.
  let everAnswered = false;
  // Once it has answered in JSON-RPC, a body we cannot read is a hiccup; before that, the URL is wrong.
  let everJsonRpc = false;
  let notRpcTries = 0;

  async function sendOnce(method: string, params: unknown[]): Promise<Attempt> {
    const id = nextId++;
    stats.total += 1;
    stats.roundTrips += 1;
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;

    let answer: HttpAnswer;
    try {
      answer = await postJson(target, JSON.stringify({ jsonrpc: '2.0', id, method, params }), limits, agents);
    } catch (err) {
      return transportFailure(err);
    }
    return readResponse(id, answer.status, answer.headers, decodeBody(answer.body));
  }

  /** What a POST that threw (no HTTP answer to read, or one over the cap) comes to. */
  function transportFailure(err: unknown): Attempt {
    {
      const code = err instanceof HttpError ? err.code : '';
      if (code === 'TOO_LARGE') {
        // As a provider's 413: a ranged query is split (ranges.ts); any other is not worth asking again.
        return { ok: false, retry: false, throttle: false, answered: true, status: 413, reason: `answer too large: ${(err as Error).message}`, cause: err };
      }
      if (code === 'BAD_ENCODING') return { ok: false, retry: true, throttle: false, answered: true, reason: (err as Error).message, cause: err };
      const t = classifyTransportError(err);
      switch (t.kind) {
        case 'timeout':
          return { ok: false, retry: true, throttle: true, answered: false, timedOut: true, reason: err instanceof HttpError ? err.message : `timeout after ${timeoutMs} ms`, cause: err };
        case 'dropped':
          return { ok: false, retry: true, throttle: false, answered: false, reason: t.reason, cause: err };
        case 'unreachable':
          return { ok: false, retry: true, throttle: false, answered: false, unreachable: true, reason: t.reason, cause: err };
        default:
          return { ok: false, retry: false, throttle: false, answered: false, reason: oneLine(scrub(t.reason)), cause: err };
      }
    }
  }

  async function request<T>(method: string, params: unknown[], ropts: RequestOptions = {}): Promise<T> {
    if (ropts.batch === true && !NEVER_BATCHED.test(method) && sizeFor(method) >= 2) return enqueue(method, params, ropts) as Promise<T>;
    return single<T>(method, params, ropts);
  }

  /** Runs `send` in a concurrency slot once the rate budget has slots for `calls` calls; with its time on the wire. */
  async function timed<R>(calls: number, send: () => Promise<R>): Promise<{ out: R; ms: number }> {
    return limit(async () => {
      await budget.take(calls);
      const t0 = performance.now();
      const out = await send();
      return { out, ms: performance.now() - t0 };
    });
  }

  // ---- batches -------------------------------------------------------------------------------------
  /** Batch size learned per method on this endpoint (absent: the starting size). */
  const learned = new Map<string, number>();
  const startSize = Math.max(1, Math.floor(opts.batchSize ?? BATCH_SIZE));
  const sizeFor = (method: string): number => learned.get(method) ?? startSize;
  /** The endpoint refused, mangled or throttled a batch of `method`: half the size from now on (1: alone). */
  const shrink = (method: string, from: number): void => {
    learned.set(method, Math.min(sizeFor(method), Math.max(1, Math.floor(from / 2))));
  };
  interface Pending {
    params: unknown[];
    opts: RequestOptions;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  }
  const queues = new Map<string, Pending[]>();
  let flushScheduled = false;

  function enqueue(method: string, params: unknown[], ropts: RequestOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let q = queues.get(method);
      if (!q) queues.set(method, (q = []));
      q.push({ params, opts: ropts, resolve, reject });
      if (q.length >= sizeFor(method)) flush(method);
      else if (!flushScheduled) {
        flushScheduled = true;
        // Everything asked in this turn of the event loop (a Promise.all over blocks) rides together.
        setImmediate(() => {
          flushScheduled = false;
          for (const m of [...queues.keys()]) flush(m);
        });
      }
    });
  }

  function flush(method: string): void {
    const q = queues.get(method);
    queues.delete(method);
    if (!q) return;
    const size = sizeFor(method);
    for (let i = 0; i < q.length; i += size) {
      const members = q.slice(i, i + size);
      if (members.length === 1) alone(method, members);
      else void batch(method, members);
    }
  }

  /** Each member asked on its own, with the whole single-call treatment (retries, first-contact sentences). */
  function alone(method: string, members: readonly Pending[]): void {
    for (const m of members) single(method, m.params, { ...m.opts, batch: false }).then(m.resolve, m.reject);
  }

  /** One batch, retried whole on transient trouble; what it cannot settle goes out alone. */
  async function batch(method: string, members: Pending[]): Promise<void> {
    let attempts = 0;
    let timeouts = 0;
    for (;;) {
      attempts += 1;
      const { out, ms: tookMs } = await timed(members.length, () => sendBatchOnce(method, members));
      if (!('failed' in out)) {
        everAnswered = true;
        everJsonRpc = true;
        const again: Pending[] = [];
        let mangled = false;
        members.forEach((m, i) => {
          const a = out.answers[i];
          if (a === undefined) {
            // Missing, or two answers under one id (which is the member's is unknowable): asked alone.
            mangled = true;
            again.push(m);
          } else if (a.ok) {
            const t = (timing[m.opts.costKey ?? method] ??= { calls: 0, ms: 0 });
            t.calls += 1;
            t.ms += tookMs / members.length;
            budget.onSuccess();
            m.resolve(a.result);
          } else if (a.retry) {
            if (a.throttle) {
              budget.onThrottle();
              mangled = true;
            }
            again.push(m);
          } else {
            m.reject(finalError(method, a, 1, false));
          }
        });
        if (mangled) shrink(method, members.length);
        alone(method, again);
        return;
      }
      const a = out.failed;
      if (a.answered) everAnswered = true;
      if (a.throttle) budget.onThrottle();
      // A body we could not read, a 5xx, a timeout or a dropped connection on an endpoint that answers
      // JSON-RPC: the batch is asked again, as a single call would be. Anything else (a refusal, a rate
      // limit, a first contact that went wrong) is the batch's fault or the single path's to explain.
      const transient = a.retry && !a.throttle && a.notRpc !== true && a.unreachable !== true && everJsonRpc;
      if (!transient) {
        shrink(method, members.length);
        alone(method, members);
        return;
      }
      const exhausted = attempts > maxRetries || (a.timedOut === true && ++timeouts > Math.min(...members.map((m) => m.opts.timeoutRetries ?? maxRetries)));
      if (exhausted) {
        const err = finalError(method, a, attempts, true);
        for (const m of members) m.reject(err);
        return;
      }
      await sleep(a.retryAfterMs ?? backoffMs(attempts));
    }
  }

  /**
   * Sends `members` as one JSON-RPC batch: per member (in order) its Attempt, or undefined when the answer
   * has no single entry for it; or the Attempt that failed the batch as a whole (a transport failure, an
   * HTTP error, a body that is not an array of answers).
   */
  async function sendBatchOnce(method: string, members: readonly Pending[]): Promise<{ answers: (Attempt | undefined)[] } | { failed: Extract<Attempt, { ok: false }> }> {
    const ids = members.map(() => nextId++);
    stats.total += members.length;
    stats.roundTrips += 1;
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + members.length;
    const body = JSON.stringify(members.map((m, i) => ({ jsonrpc: '2.0', id: ids[i], method, params: m.params })));
    let answer: HttpAnswer;
    try {
      answer = await postJson(target, body, limits, agents);
    } catch (err) {
      return { failed: transportFailure(err) as Extract<Attempt, { ok: false }> };
    }
    const text = decodeBody(answer.body);
    const parsed = answer.status >= 200 && answer.status < 300 ? parseJson(text) : { ok: false as const };
    if (!parsed.ok || !Array.isArray(parsed.value)) {
      // Read as a single answer would be: a JSON-RPC error (a refusal of batches, a rate limit), an HTTP
      // error, a page. An object that is a well-formed answer is still not an answer to a batch.
      const a = readResponse(Number.NaN, answer.status, answer.headers, text);
      if (!a.ok && !(parsed.ok && !Array.isArray(parsed.value) && a.retry && !a.throttle)) return { failed: a };
      return { failed: { ok: false, retry: false, throttle: false, answered: true, status: answer.status, reason: 'the endpoint did not answer a JSON-RPC batch with an array' } };
    }
    const byId = new Map<unknown, unknown[]>();
    for (const e of parsed.value as unknown[]) {
      const id = typeof e === 'object' && e !== null ? (e as Record<string, unknown>)['id'] : undefined;
      const list = byId.get(id);
      if (list) list.push(e);
      else byId.set(id, [e]);
    }
    return {
      answers: ids.map((id) => {
        const got = byId.get(id);
        return got?.length === 1 ? readEnvelope(id, answer.status, answer.headers, got[0]) : undefined;
      }),
    };
  }

  /** The body as text: the platform's decoder, once over the whole body (linear, a fifth of the CPU of a JS loop). */
  function decodeBody(body: Buffer): string {
    try {
      return UTF8.decode(body);
    } catch {
      return '\u0000not utf-8';
    }
  }

  async function single<T>(method: string, params: unknown[], ropts: RequestOptions = {}): Promise<T> {
    let attempts = 0;
    let unreachableTries = 0;
    let timeouts = 0;
    for (;;) {
      attempts += 1;
      const { out: a, ms: tookMs } = await timed(1, () => sendOnce(method, params));
      if (a.ok) {
        const t = (timing[ropts.costKey ?? method] ??= { calls: 0, ms: 0 });
        t.calls += 1;
        t.ms += tookMs;
        everAnswered = true;
        budget.onSuccess();
        return a.result as T;
      }
      if (a.answered) everAnswered = true;
      if (a.throttle) budget.onThrottle();

      // A web page or an API that is not JSON-RPC answers 200 with something else: after one quick
      // retry (a proxy's hiccup), the URL is wrong, and waiting out every backoff would not change that.
      if (a.notRpc === true && !everJsonRpc && ++notRpcTries > 1) {
        const said = a.reason.startsWith(HTML_PAGE) ? `the endpoint ${endpoint}${a.reason.slice('the endpoint'.length)}.` : `the endpoint ${endpoint} does not answer like a JSON-RPC node (${a.reason}).`;
        throw typedError(said, {
          method,
          endpoint,
          retryable: false,
          exitCode: 2,
          hint: 'check the RPC URL: it must be the JSON-RPC endpoint of an Ethereum node or provider',
        });
      }

      if (a.unreachable === true && !everAnswered) {
        unreachableTries += 1;
        if (unreachableTries > UNREACHABLE_RETRIES) {
          throw typedError(`cannot reach the RPC endpoint ${endpoint} (${refusedText(a.reason)})`, {
            method,
            endpoint,
            retryable: false,
            hint: 'check the RPC URL and that the node is running and reachable from here',
            cause: a.cause,
          });
        }
        await sleep(UNREACHABLE_DELAY_MS * unreachableTries);
        continue;
      }
      if (!a.retry) throw finalError(method, a, attempts, false, !everJsonRpc);
      if (a.timedOut === true && ++timeouts > (ropts.timeoutRetries ?? maxRetries)) throw finalError(method, a, attempts, true);
      if (attempts > maxRetries) throw finalError(method, a, attempts, true);
      await sleep(a.retryAfterMs ?? backoffMs(attempts));
    }
  }

  /** `firstContact`: the endpoint never answered in JSON-RPC, so an HTTP refusal means a wrong URL or key (exit 2). */
  function finalError(method: string, a: Extract<Attempt, { ok: false }>, attempts: number, exhausted: boolean, firstContact = false): RpcError {
    const where = `${method} failed at ${endpoint}`;
    const message = exhausted
      ? `${where} after ${attempts} attempts: ${a.unreachable === true ? refusedText(a.reason) : a.reason}`
      : a.quota === true
        ? `${where}: the provider's request quota is used up (${a.reason})`
        : `${where}: ${a.reason}`;
    let hint: string | undefined;
    if (a.quota === true) hint = 'wait for the quota to reset, or use another endpoint or plan';
    else if (a.status === 401 || a.status === 403) hint = 'check the API key in the RPC URL';
    else if (a.redirect === true) hint = 'pass the URL it redirects to with --rpc, if you trust that server';
    else if (a.unreachable === true) hint = 'start the node (or check the URL) and run again: what was stored so far is kept';
    else if (exhausted) hint = 'the endpoint is overloaded or rate limiting; try again later or lower the request rate';
    else if (a.code === -32601) hint = `this endpoint does not offer ${method}`;
    return typedError(message, {
      method,
      endpoint,
      ...(a.code === undefined ? {} : { code: a.code }),
      ...(a.status === undefined ? {} : { status: a.status }),
      retryable: exhausted,
      timedOut: a.timedOut === true,
      ...(firstContact && a.status !== undefined && a.status !== 413 && a.code === undefined && a.quota !== true ? { exitCode: 2 as const } : {}),
      ...(hint === undefined ? {} : { hint }),
      cause: a.body ?? a.cause,
    });
  }

  /** A JSON-RPC error answer as an Attempt: rate limit, transient, quota or deterministic. */
  function errorAttempt(body: JsonRpcErrorBody, status: number, headers: Record<string, string>): Attempt {
    everJsonRpc = true; // a JSON-RPC error: the endpoint speaks JSON-RPC
    const cls = classifyRpcError(body, status);
    // Redact before clipping: a key cut in two by the clip would no longer match, and half would show.
    const reason = `${oneLine(scrub(errorText(body)))} (code ${body.code})`;
    const common = { answered: true, status: status === 200 ? undefined : status, code: body.code, body };
    const retryAfterMs = cls === 'rate-limit' ? parseRetryAfter(headers['retry-after']) : undefined;
    switch (cls) {
      case 'rate-limit':
        return { ok: false, retry: true, throttle: true, reason: `rate limited: ${reason}`, ...common, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      case 'transient':
        return { ok: false, retry: true, throttle: false, reason, ...common };
      case 'quota':
        return { ok: false, retry: false, throttle: false, quota: true, reason, ...common };
      case 'fatal':
        return { ok: false, retry: false, throttle: false, reason, ...common };
    }
  }

  /** One member of a batch answer (the entry under its id): its result, or its own error. */
  function readEnvelope(id: number, status: number, headers: Record<string, string>, v: unknown): Attempt {
    const body = extractError(v);
    if (body !== undefined) return errorAttempt(body, status, headers);
    const env = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
    if (env['jsonrpc'] !== '2.0' || env['id'] !== id || !('result' in env)) return malformed('a batch member answered without a JSON-RPC 2.0 result', status);
    return { ok: true, result: env['result'] };
  }

  /** Turns an HTTP response into an Attempt: result, retryable trouble, or a deterministic error. */
  function readResponse(id: number, status: number, headers: Record<string, string>, text: string): Attempt {
    const parsed = parseJson(text);
    const body = parsed.ok ? extractError(parsed.value) : undefined;

    if (body !== undefined) return errorAttempt(body, status, headers);

    if (status >= 300 && status < 400) {
      // Followed, the POST would go (with the request) wherever the server says, and its answers would
      // be taken as the node's. The target's origin only: its path may carry another service's key.
      const to = redirectTarget(headers['location'], target);
      return {
        ok: false,
        retry: false,
        throttle: false,
        answered: true,
        status,
        redirect: true,
        reason: `the endpoint answered with a redirect (HTTP ${status}${to === null ? '' : ` to ${to}`}), which hoptrace does not follow`,
      };
    }

    if (status < 200 || status >= 300) {
      const retryAfterMs = status === 429 ? parseRetryAfter(headers['retry-after']) : undefined;
      const html = looksLikeHtml(text, headers);
      const snippet = text.trim() === '' || html ? '' : `: ${oneLine(scrub(text))}`;
      return {
        ok: false,
        retry: isRetryableStatus(status),
        throttle: status === 429,
        answered: true,
        status,
        reason:
          status === 429
            ? 'HTTP 429 (rate limited)'
            : html && !isRetryableStatus(status)
              ? `${HTML_PAGE} (HTTP ${status}), not JSON-RPC`
              : `HTTP ${status}${isRetryableStatus(status) ? '' : snippet}`,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    }

    if (looksLikeHtml(text, headers)) return malformed(`${HTML_PAGE} (HTTP ${status}), not JSON-RPC`, status, true);
    const notRpc = (reason: string): Attempt => malformed(`${reason}: ${JSON.stringify(oneLine(scrub(text), 60))}`, status, true);
    // A cut-off JSON-RPC body is a hiccup; a body that never mentions JSON-RPC is another kind of server.
    if (!parsed.ok) return text.includes('"jsonrpc"') ? malformed('malformed JSON response', status) : notRpc('not a JSON response');
    const v = parsed.value;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return notRpc('response is not a JSON-RPC object');
    const env = v as Record<string, unknown>;
    if (env['jsonrpc'] !== '2.0') return notRpc('response is not JSON-RPC 2.0');
    if (env['id'] !== id) return malformed(`response id ${JSON.stringify(env['id'])} does not match request id ${id}`, status);
    if (!('result' in env)) return malformed('response has neither result nor error', status);
    everJsonRpc = true;
    return { ok: true, result: env['result'] };
  }

  return {
    endpoint,
    request,
    stats,
    timing,
    resetStats() {
      stats.total = 0;
      stats.roundTrips = 0;
      for (const k of Object.keys(stats.byMethod)) delete stats.byMethod[k];
    },
    get rps() {
      return budget.rps;
    },
  };
}

/**
 * The boundary where a failure's texts are read, once: the RpcError of the class the code above decides
 * by. A deterministic range complaint (or an answer over the size cap, as a provider's 413) is a
 * RangeTooLargeError carrying the limit the provider stated; a method the endpoint does not serve, a
 * MethodUnsupportedError; anything else a plain RpcError. A retryable failure (retries exhausted) is never
 * about the range.
 */
export function typedError(message: string, opts: ConstructorParameters<typeof RpcError>[1]): RpcError {
  if (!opts.retryable) {
    const limit = readRangeLimit(collectText({ message, cause: opts.cause })) ?? (opts.status === 413 ? { kind: 'unspecified' as const } : null);
    if (limit !== null) return new RangeTooLargeError(message, { ...opts, limit });
  }
  if (looksUnsupported({ code: opts.code, status: opts.status, message })) return new MethodUnsupportedError(message, opts);
  return new RpcError(message, opts);
}

/** A body we cannot read is the provider's (or a proxy's) hiccup: worth another attempt. */
function malformed(reason: string, status: number, notRpc = false): Attempt {
  return { ok: false, retry: true, throttle: false, answered: true, reason, status, ...(notRpc ? { notRpc } : {}) };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * The JSON-RPC error in a body, if any: the standard `{ error: { code, message } }`, a bare
 * `{ code, message }` (QuickNode sends its range errors so, with HTTP 413/400), or `{ error: "text" }`.
 */
function extractError(v: unknown): JsonRpcErrorBody | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const e = 'error' in o ? o['error'] : 'jsonrpc' in o || 'result' in o ? undefined : o;
  if (typeof e === 'string') return { code: 0, message: e };
  if (typeof e !== 'object' || e === null) return undefined;
  const eo = e as Record<string, unknown>;
  if (typeof eo['message'] !== 'string') return undefined;
  const code = typeof eo['code'] === 'number' ? eo['code'] : Number.parseInt(String(eo['code'] ?? '0'), 10) || 0;
  return 'data' in eo ? { code, message: eo['message'], data: eo['data'] } : { code, message: eo['message'] };
}

/** Retry-After as seconds or an HTTP date, capped; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+(?:\.\d+)?$/.test(v)) ms = Number.parseFloat(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, Math.round(ms)));
}

/** Exponential backoff with jitter in [½, 1] of the step, so clients that failed together spread out. */
function backoffMs(attempt: number): number {
  const step = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.round(step / 2 + Math.random() * (step / 2));
}

/**
 * Node text on one line (runs of line breaks and other white space become one space), at most `max`
 * long. Other control characters stay: the CLI's output gate (cli/output.ts) shows them escaped, so a
 * reader sees that the node sent an escape sequence rather than a silently cleaned text.
 */
function oneLine(s: string, max = SNIPPET_CHARS): string {
  const flat = s.replace(/[\t\n\v\f\r \u0085\u00a0\u2028\u2029]+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max)}…`;
}

/** `url` as a URL when it is an http(s) one, else null. */
function parseHttpUrl(url: string): URL | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}

/** A web page rather than JSON: by its content type, or by how it starts. */
function looksLikeHtml(text: string, headers: Record<string, string>): boolean {
  if (/^\s*text\/html/i.test(headers['content-type'] ?? '')) return true;
  return /^\s*<(?:!doctype\s+html|html|head|body)\b/i.test(text.slice(0, 512));
}

/** The origin a redirect points to, redacted; null when it names none we can read. */
function redirectTarget(location: string | undefined, base: URL): string | null {
  if (location === undefined) return null;
  try {
    const u = new URL(location, base);
    return redactUrl(`${u.protocol}//${u.host}`);
  } catch {
    return null;
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
