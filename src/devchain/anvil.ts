/**
 * Starts and stops a local anvil node for tests and the demo. The binary comes from the platform package
 * of the `@foundry-rs/anvil` dev dependency and is spawned directly: going through the npm bin shim would
 * leave a wrapper process in between, and killing the wrapper does not always kill anvil.
 *
 * Facts about anvil 1.7 worth knowing when pointing hoptrace at it:
 * - `trace_filter` refuses ranges with toBlock − fromBlock > 300 ("block range too large, currently limited
 *   to 300"), wants hex block numbers (`latest` gives "invalid value: string \"latest\", expected a 8 byte
 *   hex string"), and ORs `fromAddress` with `toAddress` unless the filter says `mode: 'intersection'`
 *   (Erigon/Reth semantics, not OpenEthereum's AND).
 * - The `finalized` tag is head − 64 (`safe` is head − 32); a chain shorter than that has only block 0
 *   finalized.
 * - With `dumpState`, the state file is written when anvil exits on SIGTERM or SIGINT (exit code 0);
 *   `stop()` waits for the exit, so the file is complete when it resolves.
 * - `evm_setNextBlockTimestamp` below the head's timestamp fails ("Timestamp error: … is lower than previous
 *   block's timestamp"); an equal timestamp is accepted. Start with `genesisTimestamp` to replay past dates.
 * - A state loaded with `loadState` keeps blocks, receipts, logs and Parity traces, but not the historical
 *   account states: `eth_getBalance` / `eth_call` at an old block fail unless the dump was made with
 *   `--preserve-historical-states` (≈10× larger dump), and so does `debug_traceBlockByNumber` (it
 *   re-executes the block).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { HoptraceError } from '../errors.js';

/** How to start anvil. Every field is optional; the defaults give a silent chain 31337 on a free port. */
export interface StartAnvilOptions {
  /** State file to start from (`--load-state`), e.g. fixtures/demo-chain.json. */
  loadState?: string;
  /** File anvil writes its state to when it exits (`--dump-state`); `stop()` resolves after the write. */
  dumpState?: string;
  /** `--chain-id`; anvil's default is 31337. */
  chainId?: number;
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** Seconds between blocks (`--block-time`); omitted = automine, one block per transaction. */
  blockTime?: number;
  /** Pass `--silent` (default true); false lets anvil's own output through to our stderr. */
  silent?: boolean;
  /** Timestamp of the genesis block (`--timestamp`, seconds): needed to replay history dated in the past. */
  genesisTimestamp?: number;
  /** Base fee of the first block in wei (`--base-fee`); 0 lets transactions with gas price 0 through. */
  baseFee?: bigint;
  /** Further anvil flags, appended as given. */
  extraArgs?: readonly string[];
  /** Path of the anvil binary; default: the one in the `@foundry-rs/anvil-<platform>-<arch>` package. */
  binary?: string;
  /** How long to wait for `eth_chainId` to answer, in ms (default 15 000). */
  startTimeoutMs?: number;
}

/** A running anvil. */
export interface AnvilHandle {
  /** JSON-RPC endpoint, `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** The anvil process itself (no wrapper in between). */
  process: ChildProcess;
  /** Sends SIGTERM (SIGKILL after 10 s) and resolves once the process has exited; safe to call twice. */
  stop(): Promise<void>;
}

const MISSING_MESSAGE = 'the bundled chain needs the dev dependency @foundry-rs/anvil: run npm ci';
const ARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' };
const DEFAULT_START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 10_000;
const STDERR_KEEP = 4_000;

/** Processes started here and not yet exited: killed if the host process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Path of the anvil binary shipped by the platform package `@foundry-rs/anvil-<platform>-<arch>`.
 * Throws a HoptraceError telling the user to run `npm ci` when the package or its binary is absent.
 */
export function resolveAnvilBinary(): string {
  const pkg = `@foundry-rs/anvil-${process.platform}-${ARCH[process.arch] ?? process.arch}`;
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil';
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
  } catch (cause) {
    throw new HoptraceError(MISSING_MESSAGE, { hint: `package ${pkg} is not installed`, cause });
  }
  const bin = join(dirname(manifest), 'bin', exe);
  if (!existsSync(bin)) throw new HoptraceError(MISSING_MESSAGE, { hint: `${bin} does not exist` });
  return bin;
}

/**
 * A TCP port that was free a moment ago (bind port 0, read the port, close). Another process may take it
 * before anvil binds; startAnvil retries with a new port when that happens.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/**
 * Starts anvil and resolves once it answers `eth_chainId`.
 *
 * @example
 * const anvil = await startAnvil({ loadState: demoChainPath() });
 * try { ... fetch(anvil.url, ...) ... } finally { await anvil.stop(); }
 */
export async function startAnvil(opts: StartAnvilOptions = {}): Promise<AnvilHandle> {
  const binary = opts.binary ?? resolveAnvilBinary();
  if (opts.binary !== undefined && !existsSync(opts.binary)) {
    throw new HoptraceError(MISSING_MESSAGE, { hint: `${opts.binary} does not exist` });
  }
  if (opts.loadState !== undefined && !existsSync(opts.loadState)) {
    throw new HoptraceError(`anvil state file ${opts.loadState} does not exist`, {
      hint: 'build it with: npm run build && node scripts/build-demo-chain.mjs',
    });
  }
  // Only a port we picked ourselves may be swapped for another one when it turns out to be taken.
  const attempts = opts.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = opts.port ?? (await freePort());
    try {
      return await launch(binary, port, opts);
    } catch (err) {
      lastError = err;
      if (!(err instanceof PortTakenError)) throw err;
    }
  }
  throw new HoptraceError(`anvil could not bind a port after ${attempts} attempts`, { cause: lastError });
}

class PortTakenError extends HoptraceError {
  override name = 'PortTakenError';
}

function buildArgs(port: number, opts: StartAnvilOptions): string[] {
  const args = ['--host', '127.0.0.1', '--port', String(port)];
  if (opts.silent ?? true) args.push('--silent');
  if (opts.chainId !== undefined) args.push('--chain-id', String(opts.chainId));
  if (opts.blockTime !== undefined) args.push('--block-time', String(opts.blockTime));
  if (opts.genesisTimestamp !== undefined) args.push('--timestamp', String(opts.genesisTimestamp));
  if (opts.baseFee !== undefined) args.push('--base-fee', opts.baseFee.toString());
  if (opts.loadState !== undefined) args.push('--load-state', opts.loadState);
  if (opts.dumpState !== undefined) args.push('--dump-state', opts.dumpState);
  if (opts.extraArgs) args.push(...opts.extraArgs);
  return args;
}

async function launch(binary: string, port: number, opts: StartAnvilOptions): Promise<AnvilHandle> {
  const silent = opts.silent ?? true;
  const child = spawn(binary, buildArgs(port, opts), {
    stdio: ['ignore', silent ? 'ignore' : 'inherit', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (!silent) process.stderr.write(chunk);
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });

  let spawnError: NodeJS.ErrnoException | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      spawnError = err;
      resolve();
    });
    child.once('exit', () => resolve());
  });
  let done = false;
  void exited.then(() => {
    done = true;
    live.delete(child);
  });
  track(child);

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  for (;;) {
    if (done) {
      if (spawnError) {
        throw new HoptraceError(MISSING_MESSAGE, { hint: `${binary}: ${spawnError.code ?? spawnError.message}`, cause: spawnError });
      }
      const detail = stderr.trim() || `exit code ${String(child.exitCode)}`;
      if (/address already in use|addrinuse/i.test(stderr)) throw new PortTakenError(`port ${port} is taken`);
      throw new HoptraceError(`anvil exited during start-up: ${errorLine(detail)}`, { hint: detail });
    }
    if (await answers(url)) {
      // Another process may have taken the port between freePort() and our bind, and answered for us:
      // our anvil then exits at once (address in use). Only an answer while ours is still alive counts.
      await sleep(150);
      if (!done) break;
      continue;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new HoptraceError(`anvil did not answer on ${url} within ${opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS} ms`, {
        hint: stderr.trim() || MISSING_MESSAGE,
      });
    }
    await sleep(100);
  }

  return {
    url,
    port,
    process: child,
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      // anvil writes --dump-state on SIGTERM; give it time, but never hang a test run on a stuck node.
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1_000),
    });
    if (!res.ok) return false;
    const body = (await res.json()) as { result?: unknown };
    return typeof body.result === 'string';
  } catch {
    return false;
  }
}

function track(child: ChildProcess): void {
  live.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test that forgets stop(), or a crash, must not leave anvil processes behind.
  process.once('exit', () => {
    for (const c of live) c.kill('SIGTERM');
  });
}

/** The line that says what went wrong: anvil's CLI parser ends with a "try --help" line we do not want. */
function errorLine(s: string): string {
  const lines = s.split('\n').filter((l) => l.trim() !== '');
  return lines.find((l) => /^error/i.test(l.trim())) ?? lines[lines.length - 1] ?? s;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
