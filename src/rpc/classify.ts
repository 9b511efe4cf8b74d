/**
 * Decides what a failed JSON-RPC call means: worth another try (rate limits, overload, transient node
 * trouble), a quota that will not come back today, or a deterministic answer that would be the same on
 * every retry (bad params, unknown method, revert, range too large). The client retries only the first.
 */

import { looksLikeRangeError, QUOTA_TEXT, RATE_LIMIT_TEXT } from './providerTexts.js';

/** The `error` member of a JSON-RPC response. */
export interface JsonRpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

/**
 * - `rate-limit`: slow down and retry (shrinks the rps budget).
 * - `quota`: the plan's daily/monthly allowance is spent; retrying today is pointless.
 * - `transient`: node trouble that another attempt may not meet.
 * - `fatal`: deterministic; the caller must change the request (range errors land here on purpose: the
 *   caller splits the range, see ranges.ts).
 */
export type ErrorClass = 'rate-limit' | 'quota' | 'transient' | 'fatal';

const TRANSIENT = /\bbusy\b|overload|temporar|unavailable|header not found|timed? ?out|timeout|try again|internal server error|bad gateway|no backend|connection reset|upstream/i;
const DETERMINISTIC = /execution reverted|revert|invalid (?:argument|params|request|opcode)|method not found|does not exist|not supported|unsupported|insufficient funds|nonce too low|out of gas/i;

/**
 * JSON-RPC codes that mean "this request is wrong", whatever the text says: parse error, invalid request,
 * method not found, invalid params, geth's 3 (execution reverted), Nethermind/OpenEthereum -32015 (VM error).
 */
const FATAL_CODES = new Set([-32700, -32600, -32601, -32602, 3, -32015]);

/**
 * Classifies a JSON-RPC error body. `httpStatus` is the HTTP status it arrived with (200 for most
 * providers; 429 or 5xx for some), which breaks ties for texts we do not know.
 */
export function classifyRpcError(err: JsonRpcErrorBody, httpStatus: number): ErrorClass {
  const text = errorText(err);
  const rateLike = err.code === 429 || RATE_LIMIT_TEXT.test(text) || httpStatus === 429;
  if (QUOTA_TEXT.test(text) && (rateLike || /limit|exceeded|reached|used up/i.test(text))) return 'quota';
  // Infura's -32005 is both "rate exceeded" and "more than 10000 results": only the text tells them
  // apart, so the code alone never decides. A range error is the caller's to split, never retried as is.
  // (Range texts never match a rate-limit text: looksLikeRangeError rules those out first.)
  if (looksLikeRangeError(text)) return 'fatal';
  if (rateLike) return 'rate-limit';
  if (FATAL_CODES.has(err.code) || DETERMINISTIC.test(text)) return 'fatal';
  if (TRANSIENT.test(text)) return 'transient';
  if (httpStatus >= 500) return 'transient';
  return 'fatal';
}

/** HTTP statuses worth retrying when the body carries no JSON-RPC error that says otherwise. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** `message` plus `data` when data is prose (some providers, e.g. thirdweb, put the real reason there). */
export function errorText(err: JsonRpcErrorBody): string {
  const data = typeof err.data === 'string' && !/^0x[0-9a-fA-F]*$/.test(err.data) ? err.data : '';
  return data !== '' && !err.message.includes(data) ? `${err.message}: ${data}` : err.message;
}

/** Node socket error codes that mean the endpoint cannot be reached at all (vs. dropped mid-request). */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);

/** What went wrong below HTTP: `unreachable` (with a short reason), `dropped`, `timeout`, or `other`. */
export function classifyTransportError(err: unknown): { kind: 'unreachable' | 'dropped' | 'timeout' | 'other'; reason: string } {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'TIMEOUT') return { kind: 'timeout', reason: 'timeout' };
  const unreachable = UNREACHABLE[code];
  if (unreachable !== undefined) return { kind: 'unreachable', reason: unreachable };
  if (DROPPED.has(code) || /socket hang up|ECONNRESET|other side closed/i.test(message)) {
    return { kind: 'dropped', reason: 'connection dropped' };
  }
  return { kind: 'other', reason: message };
}

/**
 * True for the answers nodes and providers give for a method they do not serve: read once, where the
 * answer arrives (client.ts makes it a MethodUnsupportedError); nothing above matches these texts.
 */
export function looksUnsupported(e: { code?: number | undefined; status?: number | undefined; message: string }): boolean {
  if (e.code === -32601 || e.code === -32004) return true;
  if (e.status === 404 || e.status === 405) return true;
  const text = e.message.toLowerCase();
  return /method not found|not supported|unsupported method|does not exist|not available|is not enabled|not allowed|method .* not (found|supported)|unknown method/.test(
    text,
  );
}

/** Every text an error carries: its message, a JSON-RPC body kept as cause (message and prose data), nested causes. */
export function collectText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e !== undefined && e !== null; depth++) {
    if (typeof e === 'string') {
      parts.push(e);
      break;
    }
    if (typeof e !== 'object') break;
    const o = e as { message?: unknown; data?: unknown; shortMessage?: unknown; details?: unknown; cause?: unknown };
    for (const v of [o.message, o.shortMessage, o.details, o.data]) if (typeof v === 'string') parts.push(v);
    e = o.cause;
  }
  return parts.join(' | ');
}
