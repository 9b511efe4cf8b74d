import { UsageError } from '../errors.js';
import { withSqliteErrors, type Db } from './open.js';

/** A case `hoptrace watch` follows (table watches). */
export interface Watch {
  id: number;
  /** The seeds and trace parameters as canonical JSON: the same command finds its watch again. */
  key: string;
  chainId: number;
  params: Record<string, unknown>;
  createdAt: string;
  /** The block the first trace reached: movements up to it are the case, not news. */
  baselineBlock: number;
  /** The last block processed, and its hash then. */
  lastBlock: number;
  lastHash: string;
  /** Polls made after the first trace, the new blocks they processed and their RPC calls, by method. */
  polls: number;
  blocks: number;
  calls: Record<string, number>;
  /** The latest trace run recorded for the watch (the first trace, then after each poll with news). */
  runId: number | null;
}

export type AlertState = 'unfinal' | 'final' | 'withdrawn';
export type WatchEventType = 'alert' | 'final' | 'withdrawal';
/** Delivery of an event on one channel: not asked for, to do, done, or tried and failed. */
export type DeliveryState = 'none' | 'pending' | 'done' | 'failed';

/** One alert as stored: the block it was seen in, its state, and its event (JSON text). */
export interface StoredAlert {
  id: string;
  blockNumber: number;
  blockHash: string;
  state: AlertState;
  body: string;
}

/** One event to deliver, with what each channel did with it. */
export interface StoredEvent {
  seq: number;
  alertId: string;
  type: WatchEventType;
  body: string;
  printed: boolean;
  exec: DeliveryState;
  webhook: DeliveryState;
  webhookTries: number;
}

/** What one poll changes, written in one transaction (Watches.advance). */
export interface WatchStep {
  lastBlock: number;
  lastHash: string;
  /** False for the poll of the first trace: its calls are the case's, not the watch's, and are not counted. */
  counted: boolean;
  /** New blocks this poll processed, and its RPC calls by method. */
  blocks: number;
  calls: Record<string, number>;
  runId?: number;
  alerts: Omit<StoredAlert, never>[];
  states: { id: string; state: AlertState }[];
  events: { alertId: string; type: WatchEventType; body: string; exec: DeliveryState; webhook: DeliveryState }[];
}

/** The watch tables of one database. */
export interface Watches {
  /** The watch of this key, if there is one. */
  find(key: string): Watch | undefined;
  /** A watch by id, or the latest one (id undefined); a UsageError when there is none. */
  get(id?: number): Watch;
  list(): Watch[];
  create(w: Omit<Watch, 'id' | 'polls' | 'blocks' | 'calls'>): number;
  /** The alerts of a watch in these states (all when omitted). */
  alerts(watchId: number, states?: readonly AlertState[]): StoredAlert[];
  /** Records one poll: progress, new alerts, state changes and their events, together. */
  advance(watchId: number, step: WatchStep): void;
  /**
   * Events some channel still has to deliver: not printed, or exec/webhook `pending` (and `failed` ones
   * of the webhook when `retryFailed`), oldest first.
   */
  undelivered(watchId: number, retryFailed: boolean): StoredEvent[];
  markPrinted(seq: number): void;
  markExec(seq: number, state: DeliveryState): void;
  markWebhook(seq: number, state: DeliveryState, tries: number): void;
}

interface WatchRow {
  id: number;
  key: string;
  chain_id: number;
  params: string;
  created_at: string;
  baseline_block: number;
  last_block: number;
  last_hash: string;
  polls: number;
  blocks: number;
  calls: string;
  run_id: number | null;
}

interface EventRow {
  seq: number;
  alert_id: string;
  type: WatchEventType;
  body: string;
  printed: number;
  exec_state: DeliveryState;
  webhook_state: DeliveryState;
  webhook_tries: number;
}

export function watchStore(db: Db, path: string): Watches {
  const byKey = db.prepare(`SELECT * FROM watches WHERE key = ?`);
  const byId = db.prepare(`SELECT * FROM watches WHERE id = ?`);
  const latest = db.prepare(`SELECT * FROM watches ORDER BY id DESC LIMIT 1`);
  const all = db.prepare(`SELECT * FROM watches ORDER BY id`);
  const insert = db.prepare(
    `INSERT INTO watches (key, chain_id, params, created_at, baseline_block, last_block, last_hash, run_id)
     VALUES (@key, @chain_id, @params, @created_at, @baseline_block, @last_block, @last_hash, @run_id)`,
  );
  const alertsOf = db.prepare(`SELECT id, block_number, block_hash, state, body FROM watch_alerts WHERE watch_id = ? ORDER BY block_number, id`);
  const insertAlert = db.prepare(
    `INSERT OR IGNORE INTO watch_alerts (watch_id, id, block_number, block_hash, state, body) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const setState = db.prepare(`UPDATE watch_alerts SET state = ? WHERE watch_id = ? AND id = ?`);
  const insertEvent = db.prepare(
    `INSERT OR IGNORE INTO watch_events (watch_id, alert_id, type, body, exec_state, webhook_state) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const progress = db.prepare(
    `UPDATE watches SET last_block = ?, last_hash = ?, polls = polls + ?, blocks = blocks + ?, calls = ?, run_id = coalesce(?, run_id) WHERE id = ?`,
  );
  const callsOf = db.prepare(`SELECT calls FROM watches WHERE id = ?`);
  const undelivered = db.prepare(
    `SELECT seq, alert_id, type, body, printed, exec_state, webhook_state, webhook_tries FROM watch_events
     WHERE watch_id = ? AND (printed = 0 OR exec_state = 'pending' OR webhook_state = 'pending' OR (? AND webhook_state = 'failed'))
     ORDER BY seq`,
  );
  const printed = db.prepare(`UPDATE watch_events SET printed = 1 WHERE seq = ?`);
  const exec = db.prepare(`UPDATE watch_events SET exec_state = ? WHERE seq = ?`);
  const webhook = db.prepare(`UPDATE watch_events SET webhook_state = ?, webhook_tries = ? WHERE seq = ?`);

  const advanceAll = db.transaction((watchId: number, s: WatchStep) => {
    const prior = JSON.parse((callsOf.get(watchId) as { calls: string }).calls) as Record<string, number>;
    if (s.counted) for (const [m, n] of Object.entries(s.calls)) prior[m] = (prior[m] ?? 0) + n;
    for (const a of s.alerts) insertAlert.run(watchId, a.id, a.blockNumber, a.blockHash, a.state, a.body);
    for (const c of s.states) setState.run(c.state, watchId, c.id);
    for (const e of s.events) insertEvent.run(watchId, e.alertId, e.type, e.body, e.exec, e.webhook);
    progress.run(s.lastBlock, s.lastHash, s.counted ? 1 : 0, s.counted ? s.blocks : 0, JSON.stringify(sortKeys(prior)), s.runId ?? null, watchId);
  });

  const guard = <T>(fn: () => T): T => withSqliteErrors(path, fn);
  return {
    find: (key) => guard(() => {
      const r = byKey.get(key) as WatchRow | undefined;
      return r ? fromRow(r) : undefined;
    }),
    get(id) {
      const r = guard(() => (id === undefined ? latest.get() : byId.get(id)) as WatchRow | undefined);
      if (!r) {
        throw new UsageError(id === undefined ? `database ${path} holds no watch yet.` : `database ${path} holds no watch ${id}.`, {
          hint: 'hoptrace watch <seeds…> --db … starts one',
        });
      }
      return fromRow(r);
    },
    list: () => guard(() => (all.all() as WatchRow[]).map(fromRow)),
    create: (w) =>
      guard(() =>
        Number(
          insert.run({
            key: w.key,
            chain_id: w.chainId,
            params: JSON.stringify(w.params),
            created_at: w.createdAt,
            baseline_block: w.baselineBlock,
            last_block: w.lastBlock,
            last_hash: w.lastHash,
            run_id: w.runId,
          }).lastInsertRowid,
        ),
      ),
    alerts: (watchId, states) =>
      guard(() =>
        (alertsOf.all(watchId) as { id: string; block_number: number; block_hash: string; state: AlertState; body: string }[])
          .filter((r) => !states || states.includes(r.state))
          .map((r) => ({ id: r.id, blockNumber: r.block_number, blockHash: r.block_hash, state: r.state, body: r.body })),
      ),
    advance: (watchId, step) => guard(() => advanceAll.immediate(watchId, step)),
    undelivered: (watchId, retryFailed) =>
      guard(() =>
        (undelivered.all(watchId, retryFailed ? 1 : 0) as EventRow[]).map((r) => ({
          seq: r.seq,
          alertId: r.alert_id,
          type: r.type,
          body: r.body,
          printed: r.printed === 1,
          exec: r.exec_state,
          webhook: r.webhook_state,
          webhookTries: r.webhook_tries,
        })),
      ),
    markPrinted: (seq) => void guard(() => printed.run(seq)),
    markExec: (seq, state) => void guard(() => exec.run(state, seq)),
    markWebhook: (seq, state, tries) => void guard(() => webhook.run(state, tries, seq)),
  };
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

function fromRow(r: WatchRow): Watch {
  return {
    id: r.id,
    key: r.key,
    chainId: r.chain_id,
    params: JSON.parse(r.params) as Record<string, unknown>,
    createdAt: r.created_at,
    baselineBlock: r.baseline_block,
    lastBlock: r.last_block,
    lastHash: r.last_hash,
    polls: r.polls,
    blocks: r.blocks,
    calls: JSON.parse(r.calls) as Record<string, number>,
    runId: r.run_id,
  };
}
