/**
 * Delivers the events `hoptrace watch` stored (trace/watch.ts) on its channels: a line of NDJSON on
 * stdout, `--exec` (the event on the command's standard input, within a time bound) and `--webhook` (a
 * POST, retried with exponential back-off). Each channel's delivery is marked in the store as it happens,
 * so a restart delivers what was left and repeats nothing marked; a webhook that failed every try is tried
 * again when the watch restarts. A failed channel is reported on stderr in one sentence, never fatal.
 */
import { spawn } from 'node:child_process';
import { createAgents, postJson, type Agents } from '../rpc/http.js';
import { redactUrl } from '../rpc/redact.js';
import type { Store } from '../store/store.js';
import type { StoredEvent } from '../store/watches.js';
import { errorLine, writeErr, writeOut } from './output.js';

export interface DeliveryOptions {
  exec?: { command: string; timeoutMs: number };
  webhook?: { url: string; tries: number; firstDelayMs: number; timeoutMs: number };
}

/** The channels of one watch process. */
export interface Delivery {
  /** Delivers every event of the watch some channel of this process still owes (`retryFailed`: webhook failures too). */
  deliver(watchId: number, retryFailed: boolean): Promise<void>;
  close(): void;
}

export function createDelivery(store: Store, o: DeliveryOptions): Delivery {
  let agents: Agents | null = null;
  return {
    async deliver(watchId, retryFailed) {
      // A webhook that took none of an event's tries is not tried again this round: the events after it
      // stay pending for the next poll, so a dead receiver costs one event's back-off per poll, not one per event.
      let webhookDown = false;
      for (const e of store.watches.undelivered(watchId, retryFailed)) {
        if (!e.printed) {
          writeOut(`${e.body}\n`, { kind: 'json' });
          store.watches.markPrinted(e.seq);
        }
        if (e.exec === 'pending' && o.exec) {
          const failure = await runExec(o.exec.command, e.body, o.exec.timeoutMs);
          store.watches.markExec(e.seq, failure === null ? 'done' : 'failed');
          if (failure !== null) writeErr(`hoptrace: watch: --exec failed for the ${e.type} event ${e.alertId} (${failure}); the watch goes on.\n`);
        }
        if ((e.webhook === 'pending' || (retryFailed && e.webhook === 'failed')) && o.webhook && !webhookDown) {
          agents ??= createAgents(2);
          webhookDown = !(await postEvent(store, e, o.webhook, agents));
        }
      }
    },
    close() {
      agents?.destroy();
    },
  };
}

/** Runs the command through the shell with the event on stdin; null when it exited 0 in time, else what went wrong. */
function runExec(command: string, body: string, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-300)));
    child.stdin.on('error', () => undefined); // a command that does not read its input is not a failure
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(`it could not be started: ${e.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve(`it did not finish within ${timeoutMs / 1000} s and was stopped`);
      else if (code === 0) resolve(null);
      else resolve(`${code === null ? `signal ${signal}` : `exit code ${code}`}${err.trim() ? `: ${errorLine(err.trim())}` : ''}`);
    });
    child.stdin.end(`${body}\n`);
  });
}

/** POSTs one event, retried with exponential back-off; marks the outcome and returns whether it was taken. */
async function postEvent(store: Store, e: StoredEvent, w: NonNullable<DeliveryOptions['webhook']>, agents: Agents): Promise<boolean> {
  const url = new URL(w.url);
  let tries = e.webhookTries;
  let last = '';
  for (let i = 0; i < w.tries; i++) {
    if (i > 0) await sleep(w.firstDelayMs * 2 ** (i - 1));
    tries++;
    try {
      const answer = await postJson(url, e.body, { headerTimeoutMs: w.timeoutMs, totalTimeoutMs: w.timeoutMs, maxWireBytes: 1 << 20, maxBodyBytes: 1 << 20 }, agents);
      if (answer.status >= 200 && answer.status < 300) {
        store.watches.markWebhook(e.seq, 'done', tries);
        return true;
      }
      last = `HTTP ${answer.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    store.watches.markWebhook(e.seq, 'pending', tries);
  }
  store.watches.markWebhook(e.seq, 'failed', tries);
  writeErr(
    `hoptrace: watch: the webhook ${redactUrl(w.url)} did not take the ${e.type} event ${e.alertId} after ${w.tries} tries (${errorLine(last)}); it is tried again when the watch restarts.\n`,
  );
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
