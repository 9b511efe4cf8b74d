/**
 * Test helpers around the trace engine: pick real addresses from the bundled data, and run a trace in
 * process (same code path as the CLI, minus printing) against a real node.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLabelBook } from '../../src/labels/load.js';
import { resolveSeedList, seedBook } from '../../src/labels/seeds.js';
import { createRpcClient, type RpcClientOptions } from '../../src/rpc/client.js';
import { createStore } from '../../src/store/store.js';
import type { TraceResult } from '../../src/trace/result.js';
import { connect, runTrace, type TraceContext, type TraceRequest } from '../../src/trace/run.js';
import type { Address, Label } from '../../src/types.js';

export const book = loadLabelBook('ethereum');

/** The first `n` labelled addresses of `entity` (real hot wallets / venue addresses from data/exchanges.csv). */
export function venue(entity: string, n = 1): (Label & { address: Address })[] {
  const out: Label[] = [];
  for (const [, label] of book.entries()) {
    if (label.entity === entity) out.push(label);
    if (out.length === n) break;
  }
  if (out.length < n) throw new Error(`fewer than ${n} labels for ${entity}`);
  return out;
}

/** Real Lazarus-attributed addresses (data/lazarus-seeds.csv) to play seeds and intermediate hops. */
export function lazarus(incident: string, count: number, skip = 0): Address[] {
  const list = resolveSeedList(incident, 'ethereum').map((s) => s.address);
  if (list.length < skip + count) throw new Error(`only ${list.length} seeds for ${incident}`);
  return list.slice(skip, skip + count);
}

export function tempDb(name = 'trace.db'): string {
  return join(mkdtempSync(join(tmpdir(), 'hoptrace-test-')), name);
}

/** The request `trace` starts from. */
export const DEFAULTS: TraceRequest = {
  seeds: [],
  direction: 'out',
  hops: 4,
  minValue: {},
  fanOutCap: 50,
  maxAddresses: 10_000,
  stopAtLabels: true,
  strategy: 'auto',
  maxScanBlocks: 100_000,
};

/**
 * Runs one trace in process; returns the result. The store is closed afterwards. `ctx` replaces parts of
 * the context (another label book and label chain, to test chain scoping); `client` options of the RPC
 * client (a short timeout for a test of calls that never answer).
 */
export async function trace(
  url: string,
  db: string,
  seeds: Address[],
  req: Partial<TraceRequest> = {},
  ctx: Partial<Pick<TraceContext, 'labels' | 'labelChain' | 'labelData' | 'seedList' | 'onProgress'>> = {},
  client: Partial<RpcClientOptions> = {},
): Promise<TraceResult> {
  const rpc = createRpcClient({ url, rps: 500, timeoutMs: 10_000, ...client });
  const store = createStore(db);
  try {
    const conn = await connect(rpc, store, 64);
    return await runTrace(
      // As the CLI does: the whole bundled seed list of the label chain is consulted.
      { rpc, store, labels: book, seedList: seedBook('ethereum'), labelChain: 'ethereum', nativeSymbol: 'ETH', version: 'test', ...ctx },
      conn,
      { ...DEFAULTS, ...req, seeds: seeds.map((address) => ({ address })) },
    );
  } finally {
    store.close();
  }
}

/**
 * Venue hits of one seed, as `entity@hops`, sorted: a compact thing to assert on. Known-perpetrator
 * hits (seed-list addresses the fixtures use as hops) are left out: perpetratorSummary lists them.
 */
export function hitSummary(result: TraceResult, seed?: Address): string[] {
  return result.hits
    .filter((h) => h.kind !== 'known-perpetrator' && (!seed || h.seed === seed))
    .map((h) => `${h.entity}@${h.hops}`)
    .sort();
}

/** Known-perpetrator hits of one seed, as `address@hops`, sorted. */
export function perpetratorSummary(result: TraceResult, seed?: Address): string[] {
  return result.hits
    .filter((h) => h.kind === 'known-perpetrator' && (!seed || h.seed === seed))
    .map((h) => `${h.address}@${h.hops}`)
    .sort();
}
