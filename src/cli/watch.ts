/**
 * `hoptrace watch`: follows a case as blocks arrive (trace/watch.ts polls; watchDelivery.ts delivers).
 * A first trace makes the baseline (or a stored run does, `--run`); each poll after it traces again to
 * the head and prints one NDJSON event per new alert, confirmation or withdrawal
 * (schema/watch-event.schema.json). A provider outage is reported on stderr and retried, never a silent
 * stop; SIGINT or SIGTERM ends the watch after the current poll, exit 0.
 */
import type { Command } from 'commander';
import { InvalidResponseError, RpcError, UsageError } from '../errors.js';
import { redactUrl } from '../rpc/redact.js';
import type { TraceRun } from '../store/runs.js';
import { resolveAmounts, type TraceRequest } from '../trace/run.js';
import { pollWatch, type PollOutcome, type WatchSpec } from '../trace/watch.js';
import type { Direction } from '../types.js';
import { parseCount, parseMinValues } from './options.js';
import { errorLine, registerSecrets, writeErr } from './output.js';
import { createProgress } from './progress.js';
import { recordRun } from './runReport.js';
import { addTraceOptions, collect, quietOption } from './shared.js';
import { openTraceSession, parseTraceOptions, type TraceCliOptions } from './traceSession.js';
import { createDelivery } from './watchDelivery.js';
import { plural } from '../util/plural.js';

/** Options of `watch` as commander hands them over. */
export interface WatchCliOptions extends Omit<TraceCliOptions, 'toBlock' | 'until' | 'format' | 'json' | 'ndjson' | 'out' | 'color' | 'priceTable' | 'optimize'> {
  run?: string;
  interval: string;
  confirmations: string;
  once?: boolean;
  threshold: string[];
  exec?: string;
  execTimeout: string;
  webhook?: string;
}

/** Polls of `--once` before an outage ends it (exit 1). */
const ONCE_ATTEMPTS = 3;
/** Longest wait between two attempts during an outage, in seconds. */
const MAX_OUTAGE_WAIT_S = 300;
const WEBHOOK_TRIES = 5;
const WEBHOOK_FIRST_DELAY_MS = 500;

export function registerWatchCommand(program: Command): void {
  addTraceOptions(
    program
      .command('watch')
      .description('follow a case as new blocks arrive and alert when its funds reach a venue, cross a bridge or move more than a threshold'),
    { followsHead: true },
  )
    .option('--run <id>', 'watch a stored trace run (its seeds and walk parameters) instead of seeds given here')
    .option('--interval <s>', 'seconds between two polls of the head', '12')
    .option('--confirmations <n>', 'an alert newer than head - n is unfinal, and withdrawn if its block is replaced', '12')
    .option('--once', 'process up to the head and exit (for cron)')
    .option('--threshold <amount>', 'also alert on a traced movement of more than 0.5 (native coin) or <token>=<amount>; repeatable', collect, [])
    .option('--exec <cmd>', 'run this shell command for each event, the event (JSON) on its standard input')
    .option('--exec-timeout <s>', 'seconds an --exec command may take before it is stopped', '10')
    .option('--webhook <url>', `POST each event (JSON) to this URL, ${WEBHOOK_TRIES} tries with exponential back-off`)
    .addOption(quietOption())
    .action(async (addresses: string[], o: WatchCliOptions) => {
      await watchCommand(addresses, o);
    });
}

async function watchCommand(addresses: string[], o: WatchCliOptions): Promise<void> {
  // Everything typed is checked before a file is opened or a request sent.
  const p = parseTraceOptions(addresses, o, { command: 'watch', seedsOptional: o.run !== undefined });
  const runId = o.run === undefined ? undefined : parseCount(o.run, '--run', { min: 1 });
  if (runId !== undefined && (p.explicit.length > 0 || o.seeds)) {
    throw new UsageError('give seeds or --run <id>, not both: a stored run brings its own seeds.');
  }
  // One chain per watch: the poll reconnects, checks finality and raises alerts on the home chain only.
  const chains = new Set(p.plan.named.map((n) => n.chainId));
  if (chains.size + (p.plan.bare.length > 0 ? 1 : 0) > 1 || p.explicit.some((a) => a.includes(':'))) {
    throw new UsageError('watch follows one chain: give its endpoints as bare --rpc URLs (or one <chain>=URL) and seeds without a chain prefix.', {
      hint: 'watch each chain of a cross-chain case on its own (one --db each), or trace it across chains with hoptrace trace',
    });
  }
  const intervalS = parseCount(o.interval, '--interval', { min: 1, max: 86_400 });
  const confirmations = parseCount(o.confirmations, '--confirmations');
  const thresholdGiven = parseMinValues(o.threshold, '--threshold');
  const execTimeoutS = parseCount(o.execTimeout, '--exec-timeout', { min: 1, max: 86_400 });
  const webhook = o.webhook === undefined ? undefined : webhookUrl(o.webhook);
  // The --rpc URLs were registered when they were read (cli/rpc.ts); the webhook's joins them.
  if (webhook) registerSecrets([webhook]);

  const progress = createProgress({ enabled: !o.quiet && process.stderr.isTTY === true });
  const session = await openTraceSession(p, o, progress);
  const { store } = session;
  const delivery = createDelivery(store, {
    ...(o.exec ? { exec: { command: o.exec, timeoutMs: execTimeoutS * 1000 } } : {}),
    ...(webhook ? { webhook: { url: webhook, tries: WEBHOOK_TRIES, firstDelayMs: WEBHOOK_FIRST_DELAY_MS, timeoutMs: 10_000 } } : {}),
  });
  const stop = { requested: false, wake: (): void => undefined };
  const onSignal = (): void => {
    stop.requested = true;
    stop.wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const run = runId === undefined ? undefined : store.runs.get(runId);
    if (run && run.chainId !== session.chainId) {
      throw new UsageError(`trace run ${run.id} is of chain ${run.chainId}, but the RPC serves chain ${session.chainId}.`);
    }
    const request: TraceRequest = run ? requestOfRun(run, p.request) : { ...p.request, seeds: session.seeds };
    const params = run ? { run: run.id } : caseParams(request);
    const spec: WatchSpec = {
      key: JSON.stringify(params),
      params,
      request,
      chainId: session.chainId,
      finalityDepth: p.finalityDepth,
      confirmations,
      threshold: await resolveAmounts(session.context, thresholdGiven, '--threshold'),
      // The registry the session read for the trace: alerts name the same bridge contracts.
      bridges: session.context.bridges!,
      ...(run ? { fromRun: { id: run.id, toBlock: run.toBlock } } : {}),
      channels: { exec: o.exec !== undefined, webhook: webhook !== undefined },
      record: (result) => recordRun(store, result).id,
    };
    let failures = 0;
    let first = true;
    for (;;) {
      let outcome: PollOutcome;
      try {
        outcome = await pollWatch(session.context, spec);
        progress.done();
      } catch (err) {
        progress.done();
        if (!(err instanceof RpcError || err instanceof InvalidResponseError)) throw err;
        failures++;
        if (o.once && failures >= ONCE_ATTEMPTS) throw err;
        const wait = Math.min(MAX_OUTAGE_WAIT_S, intervalS * 2 ** (failures - 1));
        writeErr(`hoptrace: watch: the provider failed (${errorLine(err.message)}); trying again in ${wait} s (attempt ${failures + 1}).\n`);
        await pause(wait * 1000, stop);
        if (stop.requested) break;
        continue;
      }
      if (failures > 0) writeErr(`hoptrace: watch: the provider answers again after ${failures} failed poll${failures === 1 ? '' : 's'}.\n`);
      failures = 0;
      // The first delivery of a process also retries the webhook deliveries a previous one gave up on.
      await delivery.deliver(outcome.watch.id, first);
      first = false;
      if (!o.quiet) writeErr(`${pollLine(outcome)}\n`);
      if (o.once || stop.requested) break;
      await pause(intervalS * 1000, stop);
      if (stop.requested) break;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.done();
    delivery.close();
    session.close();
  }
}

/** Waits `ms`, or less when a signal asks the watch to stop. */
function pause(ms: number, stop: { requested: boolean; wake: () => void }): Promise<void> {
  if (stop.requested) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    stop.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

/** One line per poll on stderr: progress and what it cost (the totals: `hoptrace stats --watch`). */
function pollLine(o: PollOutcome): string {
  const calls = Object.values(o.calls).reduce((a, b) => a + b, 0);
  const head = `hoptrace: watch ${o.watch.id}: block ${o.head.number}`;
  const watched = o.watched === null ? '' : `, ${plural(o.watched, 'address', 'addresses')} watched`;
  if (o.created) return `${head}: first trace${watched}, ${plural(calls, 'call')}; alerts from block ${o.watch.baselineBlock + 1} on.`;
  const perBlock = o.blocks > 0 ? ` (${(calls / o.blocks).toFixed(1)} a block)` : '';
  const news = [plural(o.alerts, 'alert'), ...(o.finals > 0 ? [`${o.finals} final`] : []), ...(o.withdrawals > 0 ? [`${o.withdrawals} withdrawn`] : [])].join(', ');
  return `${head} (+${o.blocks})${watched}, ${plural(calls, 'call')}${perBlock}, ${news}.`;
}

/** The case as the watch's key: seeds and the walk's parameters, in a fixed order. */
function caseParams(r: TraceRequest): Record<string, unknown> {
  return {
    seeds: r.seeds.map((s) => s.address).sort(),
    direction: r.direction,
    hops: r.hops,
    fromBlock: r.fromBlock ?? null,
    since: r.since ?? null,
    minValue: Object.fromEntries(Object.entries(r.minValue).sort(([a], [b]) => a.localeCompare(b))),
    fanOutCap: r.fanOutCap,
    maxAddresses: r.maxAddresses,
    stopAtLabels: r.stopAtLabels,
  };
}

/** The request a stored run was made with (its report's params), read with this command's fetch settings. */
function requestOfRun(run: TraceRun, given: Omit<TraceRequest, 'seeds'>): TraceRequest {
  const q = run.params;
  const num = (k: string, fallback: number): number => (typeof q[k] === 'number' ? (q[k] as number) : fallback);
  const minValue = Object.fromEntries(
    Object.entries((q.minValue ?? {}) as Record<string, string>).map(([asset, amount]) => [asset, `${amount}units`]),
  );
  return {
    ...given,
    seeds: run.seeds.map((address) => ({ address })),
    direction: (q.direction as Direction | undefined) ?? given.direction,
    hops: num('hops', given.hops),
    fromBlock: num('fromBlock', 0),
    since: undefined,
    minValue,
    fanOutCap: num('fanOutCap', given.fanOutCap),
    maxAddresses: num('maxAddresses', given.maxAddresses),
    stopAtLabels: typeof q.stopAtLabels === 'boolean' ? q.stopAtLabels : given.stopAtLabels,
  };
}

/** `--webhook`: an http(s) URL; refused in one sentence (its secret parts masked) otherwise. */
function webhookUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new UsageError('--webhook is not a URL: give http(s)://host/path.');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`--webhook ${redactUrl(raw)} is not an http(s) URL.`);
  }
  return raw.trim();
}
