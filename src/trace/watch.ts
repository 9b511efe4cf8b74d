/**
 * One poll of `hoptrace watch`: the case traced again up to the node's head, under the same hop and time
 * rules as `trace` (runTrace; the fetcher reads only the blocks the store lacks, per address or by block
 * scan as the planner prices them), and what is new turned into alerts. An alert is a movement the walk
 * followed forward, in a block after the watch's baseline, that reached a labelled venue, crossed a
 * bridge contract (data/bridges.csv) or moved more than the threshold. Alerts newer than head −
 * confirmations are unfinal; an unfinal alert whose block the chain replaced is withdrawn. Everything a
 * poll finds is written in one transaction with the progress (store/watches.ts): a restart after a kill
 * traces again from the store and raises only what is not stored yet, so nothing is missed or repeated.
 * Delivery (stdout, --exec, --webhook) is the CLI's (cli/watch.ts), from the stored events.
 */
import { createHash } from 'node:crypto';
import type { BridgeRegistry, BridgeRow } from '../bridges/registry.js';
import type { RpcClient } from '../rpc/client.js';
import { tokenInfo } from '../sources/tokens.js';
import type { Watch, WatchStep, AlertState, DeliveryState } from '../store/watches.js';
import { NATIVE, type Address, type Asset, type Transfer } from '../types.js';
import type { Hit, TraceResult } from './result.js';
import { connect, runTrace, tracedMovementsOf, type TraceContext, type TraceRequest } from './run.js';

/** The schema of every event line (schema/watch-event.schema.json). */
export const WATCH_EVENT_SCHEMA = 'hoptrace/watch-event/1';

export type AlertReason = 'venue' | 'bridge' | 'threshold';

/** What a watch follows and how it alerts. */
export interface WatchSpec {
  /** Canonical JSON of the case (seeds and trace parameters): finds the watch again after a restart. */
  key: string;
  /** The parameters recorded with the watch. */
  params: Record<string, unknown>;
  request: TraceRequest;
  chainId: number;
  finalityDepth: number;
  confirmations: number;
  /** Per asset (base units): a movement of more than this raises a `threshold` alert; empty: none. */
  threshold: ReadonlyMap<Asset, bigint>;
  bridges: BridgeRegistry;
  /** A stored run the watch starts from (`--run`): its end block is the baseline, no first trace is recorded. */
  fromRun?: { id: number; toBlock: number };
  /** Which channels deliver this process's new events (the others are marked `none`). */
  channels: { exec: boolean; webhook: boolean };
  /** Records a trace result as a run (cli/runReport.ts recordRun); returns its id. */
  record(result: TraceResult): number;
}

/** What one poll did. */
export interface PollOutcome {
  watch: Watch;
  /** True for the poll that made the watch (its first trace: the baseline, no alert). */
  created: boolean;
  head: { number: number; hash: string };
  /** New blocks processed (head − the last block processed before, 0 after a reorg shortened the chain). */
  blocks: number;
  /** RPC calls this poll made, by method. */
  calls: Record<string, number>;
  /** Addresses the walk expanded: every one is watched (its window runs to the head); null when the head had not moved (no walk). */
  watched: number | null;
  alerts: number;
  withdrawals: number;
  finals: number;
}

/** Calls by method so far (a copy). */
function callsNow(rpc: RpcClient): Record<string, number> {
  return { ...rpc.stats.byMethod };
}

function callsSince(rpc: RpcClient, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [m, n] of Object.entries(rpc.stats.byMethod)) if (n - (before[m] ?? 0) > 0) out[m] = n - (before[m] ?? 0);
  return out;
}

/** The id of an alert: the movement in the block it was seen in (a re-mined movement is another alert). */
export function alertId(chainId: number, t: Pick<Transfer, 'txHash' | 'ref' | 'blockHash'>): string {
  return createHash('sha256').update(`${chainId}|${t.txHash}|${t.ref}|${t.blockHash}`).digest('hex').slice(0, 32);
}

/** Polls once: connects (reorgs reconciled), traces to the head, stores what is new. */
export async function pollWatch(ctx: TraceContext, spec: WatchSpec): Promise<PollOutcome> {
  const { rpc, store } = ctx;
  const before = callsNow(rpc);
  // rereadDepth 0: a poll every few seconds must not read finalityDepth blocks again each time; a fork is
  // still found (the previous tip is compared) and rolled back by finalityDepth.
  const conn = await connect(rpc, store, spec.finalityDepth, spec.chainId, { rereadDepth: 0 });
  const head = { number: conn.head.number, hash: conn.head.hash };
  let watch = store.watches.find(spec.key);
  if (watch && watch.lastBlock === head.number && watch.lastHash === head.hash) {
    // The same head as the last poll: no block to read, nothing that could change; no walk.
    const calls = callsSince(rpc, before);
    store.watches.advance(watch.id, { lastBlock: head.number, lastHash: head.hash, counted: true, blocks: 0, calls, alerts: [], states: [], events: [] });
    return { watch: store.watches.find(spec.key)!, created: false, head, blocks: 0, calls, watched: null, alerts: 0, withdrawals: 0, finals: 0 };
  }
  const result = await runTrace(ctx, conn, { ...spec.request, toBlock: undefined, until: undefined });
  let created = false;
  if (!watch) {
    const runId = spec.fromRun?.id ?? spec.record(result);
    const baseline = spec.fromRun?.toBlock ?? head.number;
    store.watches.create({
      key: spec.key,
      chainId: spec.chainId,
      params: spec.params,
      createdAt: new Date().toISOString(),
      baselineBlock: baseline,
      // From a stored run, the blocks after it are news this very poll: progress starts at the run's end.
      lastBlock: spec.fromRun ? baseline : head.number,
      lastHash: spec.fromRun ? '' : head.hash,
      runId,
    });
    watch = store.watches.find(spec.key)!;
    created = spec.fromRun === undefined;
  }
  const finalAt = head.number - spec.confirmations;
  const stored = new Map(store.watches.alerts(watch.id).map((a) => [a.id, a]));
  const step: WatchStep = {
    lastBlock: head.number,
    lastHash: head.hash,
    counted: !created,
    blocks: Math.max(0, head.number - watch.lastBlock),
    calls: {},
    alerts: [],
    states: [],
    events: [],
  };
  const delivery = { exec: (spec.channels.exec ? 'pending' : 'none') as DeliveryState, webhook: (spec.channels.webhook ? 'pending' : 'none') as DeliveryState };
  const now = new Date().toISOString();
  const envelope = (type: 'alert' | 'final' | 'withdrawal', id: string) => ({ schema: WATCH_EVENT_SCHEMA, type, id, watch: watch.id, chainId: spec.chainId, at: now });

  // Unfinal alerts first: withdrawn when their block is no longer the chain's, final once deep enough.
  let withdrawals = 0;
  let finals = 0;
  for (const a of stored.values()) {
    if (a.state !== 'unfinal') continue;
    const canonical = a.blockNumber > head.number ? null : (await conn.headers.get(a.blockNumber)).hash;
    if (canonical !== a.blockHash) {
      step.states.push({ id: a.id, state: 'withdrawn' });
      const body = {
        ...envelope('withdrawal', a.id),
        block: { number: a.blockNumber, hash: a.blockHash },
        replacedBy: canonical,
        reason: canonical === null ? 'the chain no longer reaches this block (reorganised)' : 'the block was replaced (reorganised)',
      };
      step.events.push({ alertId: a.id, type: 'withdrawal', body: JSON.stringify(body), ...delivery });
      withdrawals++;
    } else if (a.blockNumber <= finalAt) {
      step.states.push({ id: a.id, state: 'final' });
      const body = { ...envelope('final', a.id), block: { number: a.blockNumber, hash: a.blockHash }, confirmations: head.number - a.blockNumber };
      step.events.push({ alertId: a.id, type: 'final', body: JSON.stringify(body), ...delivery });
      finals++;
    }
  }

  // New alerts: movements the walk followed forward after the baseline, not alerted yet.
  const venues = venueHits(result);
  const movements = tracedMovementsOf(result)?.out ?? [];
  let alerts = 0;
  for (const { transfer: t, hop } of movements) {
    if (t.blockNumber <= watch.baselineBlock) continue;
    const id = alertId(spec.chainId, t);
    if (stored.has(id)) continue;
    const hit = venues.get(t.to);
    const bridge = spec.bridges.find(spec.chainId, t.to);
    const limit = spec.threshold.get(t.asset);
    const reasons = alertReasons(t, { hit, bridge, limit });
    if (reasons.length === 0) continue;
    const state: AlertState = t.blockNumber <= finalAt ? 'final' : 'unfinal';
    const header = await conn.headers.get(t.blockNumber);
    const meta = t.asset === NATIVE ? { symbol: ctx.nativeSymbol, decimals: 18 } : await tokenInfo(rpc, store, t.asset);
    const body = {
      ...envelope('alert', id),
      reasons,
      final: state === 'final',
      confirmations: { seen: head.number - t.blockNumber, required: spec.confirmations },
      block: { number: t.blockNumber, hash: t.blockHash, timestamp: header.timestamp },
      movement: {
        claim: 'fact',
        txHash: t.txHash,
        ref: t.ref,
        kind: t.kind,
        from: t.from,
        to: t.to,
        asset: t.asset,
        symbol: meta.symbol,
        decimals: meta.decimals,
        amount: t.amount.toString(),
        hop,
      },
      venue: hit ? venueOf(hit) : null,
      bridge: bridge
        ? { claim: 'fact', protocol: bridge.protocol, role: bridge.role, remoteChainId: bridge.remoteChainId, source: bridge.source }
        : null,
      threshold: reasons.includes('threshold') ? { asset: t.asset, amount: limit!.toString() } : null,
    };
    const text = JSON.stringify(body);
    step.alerts.push({ id, blockNumber: t.blockNumber, blockHash: t.blockHash, state, body: text });
    step.events.push({ alertId: id, type: 'alert', body: text, ...delivery });
    stored.set(id, { id, blockNumber: t.blockNumber, blockHash: t.blockHash, state, body: text });
    alerts++;
  }
  if (alerts > 0 && !created) step.runId = spec.record(result);
  step.calls = callsSince(rpc, before);
  store.watches.advance(watch.id, step);
  return {
    watch: store.watches.find(spec.key)!,
    created,
    head,
    blocks: step.blocks,
    calls: step.calls,
    watched: result.stats.addressesVisited,
    alerts,
    withdrawals,
    finals,
  };
}

/**
 * Why a followed movement is an alert, if it is: it reached a venue hit of the walk (`venue`), paid a
 * bridge contract of the registry or an address labelled as a bridge (`bridge`), or moved more than the
 * threshold of its asset (`threshold`). Empty: no alert.
 */
export function alertReasons(
  t: Pick<Transfer, 'amount'>,
  at: { hit?: Pick<Hit, 'category'> | undefined; bridge?: BridgeRow | undefined; limit?: bigint | undefined },
): AlertReason[] {
  const reasons: AlertReason[] = [];
  if (at.hit) reasons.push('venue');
  if (at.bridge || at.hit?.category === 'bridge') reasons.push('bridge');
  if (at.limit !== undefined && t.amount > at.limit) reasons.push('threshold');
  return reasons;
}

/** The venue hits of the forward walk, by venue address (the fewest hops first). */
function venueHits(result: TraceResult): Map<Address, Hit> {
  const out = new Map<Address, Hit>();
  for (const h of result.hits) {
    if (h.kind !== 'venue' || h.direction !== 'out') continue;
    const prior = out.get(h.address);
    if (!prior || h.hops < prior.hops) out.set(h.address, h);
  }
  return out;
}

/** The venue of an alert, and how it is known: a sourced label (a fact) or the deposit heuristic (an inference). */
function venueOf(h: Hit) {
  return {
    claim: h.evidence.level === 'inferred' ? 'inference' : 'fact',
    address: h.address,
    entity: h.entity,
    category: h.category,
    role: h.role,
    labelSource: h.labelSource,
    evidence: h.evidence.level,
    inference: h.evidence.inference
      ? { heuristic: h.evidence.inference.heuristic, confidence: h.evidence.inference.confidence, reasons: h.evidence.inference.reasons }
      : null,
  };
}
