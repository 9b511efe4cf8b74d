/**
 * One HTTP POST of a JSON body, on Node's own http/https, with the bounds a hostile endpoint needs:
 *
 * - no redirect is followed (the 3xx comes back as an answer; the client refuses it in one sentence): a
 *   POST re-sent to another host would hand it the request and take its answers as the node's;
 * - the body is read as a stream into a list of chunks and joined once (linear in its size; ethers'
 *   FetchRequest grew its buffer by copying, quadratic: 40 MB took 105 s);
 * - a cap on the bytes on the wire and on the bytes after decompression, checked while streaming, so a
 *   small gzip that inflates to a gigabyte is stopped at the cap instead of filling memory;
 * - a deadline for the response headers and one for the whole answer, so a server that trickles bytes
 *   (slow-loris) cannot hold a request longer than the total.
 *
 * Failures reject with an HttpError whose `code` the transport classifier reads (ECONNREFUSED, TIMEOUT,
 * TOO_LARGE, …).
 */

import * as http from 'node:http';
import * as https from 'node:https';
import { Transform } from 'node:stream';
import * as zlib from 'node:zlib';

/** An HTTP answer of any status. */
export interface HttpAnswer {
  status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

/** Limits of one POST. */
export interface PostLimits {
  /** The status line and headers must arrive within this many ms. */
  headerTimeoutMs: number;
  /** The whole answer, body included, must arrive within this many ms. */
  totalTimeoutMs: number;
  /** Most bytes read off the wire (compressed). */
  maxWireBytes: number;
  /** Most bytes of body after decompression. */
  maxBodyBytes: number;
}

/** A failure below JSON-RPC: `code` is a Node socket code, or TIMEOUT / TOO_LARGE / BAD_ENCODING. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    readonly code: string,
    opts: { cause?: unknown } = {},
  ) {
    super(message, opts);
  }
}

/** Keep-alive agents per client: a fresh TCP (and TLS) handshake per call would cost more than most calls. */
export interface Agents {
  http: http.Agent;
  https: https.Agent;
  destroy(): void;
}

/** Agents for one endpoint, with at most `maxSockets` connections open. */
export function createAgents(maxSockets: number): Agents {
  const a = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
  const h = new http.Agent(a);
  const s = new https.Agent(a);
  return {
    http: h,
    https: s,
    destroy() {
      h.destroy();
      s.destroy();
    },
  };
}

/**
 * POSTs `body` (JSON) to `url` and resolves with the answer, whatever its status; 3xx are answers too,
 * never followed. Rejects with HttpError on a transport failure, a deadline or a cap.
 */
export function postJson(url: URL, body: string, limits: PostLimits, agents: Agents): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const secure = url.protocol === 'https:';
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    /** The decompressor, once the answer names one: stopped with the request. */
    let decoder: Transform | null = null;
    const finish = (err: Error | null, answer?: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      if (err) {
        req.destroy();
        decoder?.destroy();
        reject(err);
      } else resolve(answer!);
    };
    const deadline = (ms: number, what: string): NodeJS.Timeout => {
      const t = setTimeout(() => finish(new HttpError(`timeout: ${what} not received within ${ms} ms`, 'TIMEOUT')), ms);
      t.unref();
      timers.push(t);
      return t;
    };

    const req = (secure ? https : http).request(url, {
      method: 'POST',
      agent: secure ? agents.https : agents.http,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        // Not deflate: servers disagree on whether it carries a zlib header.
        'accept-encoding': 'gzip, br',
        'content-length': String(Buffer.byteLength(body, 'utf8')),
      },
    });
    const headerTimer = deadline(limits.headerTimeoutMs, 'response headers');
    deadline(limits.totalTimeoutMs, 'the whole response');

    req.on('error', (err) => {
      const code = (err as { code?: string }).code ?? 'ERR';
      finish(new HttpError(err.message, code, { cause: err }));
    });
    req.on('response', (res) => {
      clearTimeout(headerTimer);
      const status = res.statusCode ?? 0;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;

      // A redirect's body is of no use: the caller refuses the redirect itself.
      if (status >= 300 && status < 400) {
        res.resume();
        finish(null, { status, headers, body: Buffer.alloc(0) });
        return;
      }
      const declared = Number(headers['content-length']);
      if (Number.isFinite(declared) && declared > limits.maxWireBytes) {
        finish(tooLarge(declared, limits.maxWireBytes, 'declared'));
        return;
      }

      const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      if (encoding === 'gzip' || encoding === 'x-gzip') decoder = zlib.createGunzip();
      else if (encoding === 'deflate') decoder = zlib.createInflate();
      else if (encoding === 'br') decoder = zlib.createBrotliDecompress();
      else if (encoding === 'identity' || encoding === '') decoder = null;
      else {
        finish(new HttpError(`the answer is encoded as "${encoding.slice(0, 40)}", which hoptrace does not read`, 'BAD_ENCODING'));
        return;
      }

      let wire = 0;
      let size = 0;
      const chunks: Buffer[] = [];
      const take = (chunk: Buffer): void => {
        size += chunk.length;
        if (size > limits.maxBodyBytes) {
          finish(tooLarge(size, limits.maxBodyBytes, 'decoded'));
          return;
        }
        chunks.push(chunk);
      };
      const done = (): void => finish(null, { status, headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        wire += chunk.length;
        if (wire > limits.maxWireBytes) {
          finish(tooLarge(wire, limits.maxWireBytes, 'wire'));
          return;
        }
        if (decoder) decoder.write(chunk);
        else take(chunk);
      });
      let ended = false;
      res.on('error', (err) => finish(new HttpError(err.message, (err as { code?: string }).code ?? 'ECONNRESET', { cause: err })));
      res.on('close', () => {
        if (!ended) finish(new HttpError('the connection was closed mid-answer', 'ECONNRESET'));
      });
      const d = decoder;
      if (d) {
        d.on('data', (chunk: Buffer) => {
          if (!settled) take(chunk);
        });
        d.on('error', (err) => finish(new HttpError(`the ${encoding} body cannot be decoded (${err.message})`, 'BAD_ENCODING', { cause: err })));
        d.on('end', done);
        res.on('end', () => {
          ended = true;
          d.end();
        });
      } else {
        res.on('end', () => {
          ended = true;
          done();
        });
      }
    });
    // A string, not a Buffer: Node sends the headers and a string body in one write (a Buffer body is
    // queued behind the headers and goes out in a writev of several chunks).
    req.end(body, 'utf8');
  });
}

function tooLarge(n: number, cap: number, where: 'declared' | 'wire' | 'decoded'): HttpError {
  const mib = (b: number): string => `${Math.round(b / 1024 / 1024)} MiB`;
  const what = where === 'decoded' ? 'decompressed body' : 'body';
  return new HttpError(
    where === 'declared' ? `the answer announces ${mib(n)}, over the ${mib(cap)} cap` : `the ${what} passed the ${mib(cap)} cap`,
    'TOO_LARGE',
  );
}
