/**
 * A JSON-RPC server that lies on purpose, in front of a real node (anvil), for the hostile-provider suite.
 * Each request goes through `lie`, which may answer in its own way (any status, headers and bytes), or
 * forward the request and change the node's answer. Bounded: past `maxRequests` requests every answer is
 * an HTTP 503 (and `overLimit` counts them), and the server closes itself after `maxMs`. 127.0.0.1 only.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One JSON-RPC call as the client sent it. */
export interface Call {
  id: unknown;
  method: string;
  params: unknown[];
}

/** What the liar answers: raw bytes of its choice, or the node's JSON answer (maybe changed). */
export type Reply = { status: number; headers?: Record<string, string | number>; body: Buffer | string } | { json: unknown };

/** What a liar sees besides the call. */
export interface LieContext {
  /** Forwards the call to the node, returning its parsed JSON answer (the envelope). */
  forward(): Promise<{ jsonrpc: string; id: unknown; result?: unknown; error?: unknown }>;
  /** The request as received: path with query, headers. */
  req: http.IncomingMessage;
  /** Requests received before this one. */
  seq: number;
}

export type Lie = (call: Call, ctx: LieContext) => Promise<Reply>;

export interface HostileNode {
  url: string;
  port: number;
  /** Requests received, by method (a batch's members one by one). */
  calls: Record<string, number>;
  total(): number;
  /** Requests answered 503 because `maxRequests` was passed: a run that did not end by itself. */
  overLimit(): number;
  /** Stops listening and drops open connections: the node "dies" (later connections are refused). */
  die(): Promise<void>;
  stop(): Promise<void>;
}

/** Forwards every call unchanged. */
export const honest: Lie = async (_call, ctx) => ({ json: await ctx.forward() });

/** Starts the liar on a free port of 127.0.0.1 in front of `target`. */
export async function startHostileNode(target: string, lie: Lie, opts: { maxRequests?: number; maxMs?: number } = {}): Promise<HostileNode> {
  const maxRequests = opts.maxRequests ?? 2_000;
  const calls: Record<string, number> = {};
  let total = 0;
  let over = 0;
  const sockets = new Set<import('node:net').Socket>();
  const agent = new http.Agent({ keepAlive: true });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seq = total++;
      if (seq >= maxRequests) {
        over += 1;
        res.writeHead(503, { 'content-type': 'text/plain' }).end('hostile node: request budget spent');
        return;
      }
      type Raw = { id?: unknown; method?: unknown; params?: unknown };
      let parsed: Raw | Raw[];
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Raw | Raw[];
      } catch {
        res.writeHead(400).end('not JSON');
        return;
      }
      const asCall = (v: Raw): Call => ({ id: v.id, method: String(v.method), params: Array.isArray(v.params) ? v.params : [] });
      const members = Array.isArray(parsed) ? parsed : [parsed];
      for (const m of members) calls[String(m.method)] = (calls[String(m.method)] ?? 0) + 1;
      // A batch: the lie is told member by member (each forwarded alone), and the JSON answers go back
      // as one array; a member the liar answers with raw bytes answers the whole request so.
      const answer: Promise<Reply> = Array.isArray(parsed)
        ? Promise.all(parsed.map((m) => lie(asCall(m), { forward: () => post(target, Buffer.from(JSON.stringify(m)), agent), req, seq }))).then(
            (replies) => replies.find((r) => !('json' in r)) ?? { json: replies.map((r) => (r as { json: unknown }).json) },
          )
        : lie(asCall(parsed), { forward: () => post(target, Buffer.concat(chunks), agent), req, seq });
      answer
        .then((reply) => {
          if ('json' in reply) {
            const body = JSON.stringify(reply.json);
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
          } else {
            res.writeHead(reply.status, reply.headers ?? {}).end(reply.body);
          }
        })
        .catch((err: unknown) => {
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`hostile node error: ${err instanceof Error ? err.message : String(err)}`);
        });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const close = async (): Promise<void> => {
    if (!server.listening) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  };
  const lifetime = setTimeout(() => void close(), opts.maxMs ?? 120_000);
  lifetime.unref();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    total: () => total,
    overLimit: () => over,
    die: close,
    async stop() {
      clearTimeout(lifetime);
      await close();
      agent.destroy();
    },
  };
}

function post(target: string, body: Buffer, agent: http.Agent): Promise<{ jsonrpc: string; id: unknown; result?: unknown; error?: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { jsonrpc: string; id: unknown });
        } catch (err) {
          reject(err as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
