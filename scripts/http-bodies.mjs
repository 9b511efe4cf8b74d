#!/usr/bin/env node
/**
 * Measures what the README's Reliability section quotes about the HTTP layer (run `npm run build` first):
 * - the time to read one large JSON-RPC answer (default 5, 10, 20, 50 MB), through hoptrace's client
 *   (Node's http + one join of the chunks) and, for comparison, through ethers' FetchRequest (what the
 *   client used before);
 * - the peak RSS of a process that is sent a gzip bomb (a ~1 MB gzip body that inflates to 1 GB).
 * Each measurement runs in a child process of its own, so one's memory does not count in another's.
 *
 * Usage: node scripts/http-bodies.mjs [sizes in MB, comma-separated] [--bomb-mb 1024] [--no-ethers]
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4]);
} else if (process.argv[2] === '--server') {
  const server = await serve(Number(process.argv[3]), process.argv[4].split(',').map(Number));
  console.log(JSON.stringify({ port: server.address().port, bombBytes: server.bombBytes }));
} else {
  await main();
}

async function main() {
  const args = process.argv.slice(2);
  const sizes = (args.find((a) => /^\d/.test(a)) ?? '5,10,20,50').split(',').map(Number);
  const bombAt = args.indexOf('--bomb-mb');
  const bombMb = bombAt >= 0 ? Number(args[bombAt + 1]) : 1024;
  const withEthers = !args.includes('--no-ethers');
  // The server is a process of its own: Linux counts a child's peak RSS from its parent's at fork, and
  // the server holds the bodies.
  const server = spawn(process.execPath, [here, '--server', String(bombMb), sizes.join(',')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(JSON.parse(String(d)))));
  const url = `http://127.0.0.1:${info.port}`;
  console.log(`large answers (one JSON-RPC result of N MB, 127.0.0.1), ${process.version}`);
  for (const mb of sizes) {
    const row = [`${mb} MB`];
    for (const how of withEthers ? ['hoptrace', 'ethers'] : ['hoptrace']) {
      const r = await run(how, `${url}/size/${mb}`);
      row.push(`${how} ${r.ok ? `${(r.ms / 1000).toFixed(2)} s` : `failed: ${r.error}`} (peak RSS ${r.rssMb} MB)`);
    }
    console.log('  ' + row.join('   '));
  }
  console.log(`gzip bomb (${(info.bombBytes / 1024 / 1024).toFixed(2)} MB gzip inflating to ${bombMb} MB):`);
  for (const how of withEthers ? ['hoptrace', 'ethers'] : ['hoptrace']) {
    const r = await run(how, `${url}/bomb`);
    console.log(`  ${how}: ${r.ok ? 'read it whole' : `refused (${r.error})`} in ${(r.ms / 1000).toFixed(2)} s, peak RSS ${r.rssMb} MB`);
  }
  server.kill();
}

/** Runs one measurement in a child process (asynchronously: this process serves its request). */
function run(how, url) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [here, '--child', how, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (status) => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? ''));
      } catch {
        resolve({ ok: false, error: `child exited ${status}: ${err.trim().split('\n').pop()}`, ms: 0, rssMb: 0 });
      }
    });
  });
}

async function child(how, url) {
  const t0 = performance.now();
  let ok = true;
  let error = '';
  try {
    if (how === 'hoptrace') {
      const { createRpcClient } = await import('../dist/rpc/client.js');
      const client = createRpcClient({ url, maxRetries: 0, timeoutMs: 600_000 });
      const r = await client.request('eth_getLogs', []);
      if (typeof r !== 'string') throw new Error('not the answer');
    } else {
      const { FetchRequest } = await import('ethers');
      const req = new FetchRequest(url);
      req.method = 'POST';
      req.body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getLogs', params: [] });
      req.setHeader('content-type', 'application/json');
      req.timeout = 600_000;
      const res = await req.send();
      const text = new TextDecoder('utf-8', { fatal: true }).decode(res.body);
      if (typeof JSON.parse(text).result !== 'string') throw new Error('not the answer');
    }
  } catch (err) {
    ok = false;
    error = String(err.message ?? err).split('\n')[0].slice(0, 160);
  }
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ok, error, ms, rssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
  process.exit(0);
}

/** Serves /size/<MB>: one JSON-RPC answer of that size; /bomb: the gzip bomb. Bodies built at start. */
function serve(bombMb, sizes) {
  const bodies = new Map();
  const bodyOf = (mb) => {
    let b = bodies.get(mb);
    if (!b) {
      const filler = 'ab'.repeat(Math.floor((mb * 1024 * 1024 - 40) / 2));
      b = Buffer.from(`{"jsonrpc":"2.0","id":1,"result":"${filler}"}`);
      bodies.set(mb, b);
    }
    return b;
  };
  for (const mb of sizes) bodyOf(mb); // built before any timing starts
  // Zeros inside a JSON string: gzip packs 1 GB of them into about 1 MB.
  const bomb = gzipSync(Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":1,"result":"'), Buffer.alloc(bombMb * 1024 * 1024, 0x30), Buffer.from('"}')]), { level: 9 });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/bomb') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': bomb.length });
        res.end(bomb);
        return;
      }
      const mb = Number(req.url.split('/').pop());
      const body = bodyOf(mb);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  server.bombBytes = bomb.length;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
