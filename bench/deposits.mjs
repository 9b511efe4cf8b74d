/**
 * The bench's deposit-detection section: the deposit chain (bench/depositChain.mjs) on a fresh anvil,
 * one forward trace from its seeds through hoptrace's own runTrace (walk, detector and sweep lookups as
 * `hoptrace trace` runs them), and the claims scored against the generator's truth (bench/depositScore.mjs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnvil } from '../dist/devchain/anvil.js';
import { loadLabelBook } from '../dist/labels/load.js';
import { overlayUserLabels } from '../dist/labels/overlay.js';
import { createRpcClient } from '../dist/rpc/client.js';
import { createStore } from '../dist/store/store.js';
import { connect, runTrace } from '../dist/trace/run.js';
import { ensureDepositChain } from './depositChain.mjs';
import { scoreDeposits } from './depositScore.mjs';

/** Runs the section at `scale` and generator `seed` (see depositPlan): chain facts, the trace's figures and the score. */
export async function benchDeposits(scale, seed = 0, log = () => {}) {
  const t0 = Date.now();
  const { statePath, info, cached } = await ensureDepositChain(scale, seed, log);
  const buildMs = cached ? null : Date.now() - t0;
  const anvil = await startAnvil({ loadState: statePath, startTimeoutMs: 120_000 });
  const work = mkdtempSync(join(tmpdir(), 'hoptrace-bench-deposits-'));
  const store = createStore(join(work, 'deposits.db'));
  try {
    const rpc = createRpcClient({ url: anvil.url, concurrency: 8, rps: 1_000_000, maxRps: 1_000_000, timeoutMs: 120_000 });
    const labels = overlayUserLabels(loadLabelBook('ethereum'), info.userLabels);
    const started = performance.now();
    const conn = await connect(rpc, store, 64);
    const result = await runTrace(
      { rpc, store, labels, labelChain: 'ethereum', nativeSymbol: 'ETH', version: 'bench' },
      conn,
      {
        seeds: info.seeds.map((address) => ({ address })),
        direction: 'out',
        hops: info.hops,
        minValue: {},
        fanOutCap: 50,
        maxAddresses: 10_000_000,
        stopAtLabels: true,
        strategy: 'auto',
        maxScanBlocks: 10_000_000,
      },
    );
    const wallMs = performance.now() - started;
    const score = scoreDeposits(info.truth, result.hits, info.hops, result.inferences ?? []);
    log(`  deposits: ${score.claims} claims over ${score.deposits} deposit addresses and ${score.decoys} decoys, ${(wallMs / 1000).toFixed(2)} s`);
    return {
      scale,
      seed,
      chain: { addresses: info.addresses, backgroundSweeps: info.backgroundSweeps ?? 0, transactions: info.transactions, head: info.head, hops: info.hops, userLabels: info.userLabels.length, buildMs },
      trace: { wallMs, rpcCalls: rpc.stats.total, hits: result.hits.length, sweepLookups: result.stats.sweepLookups, depositsLearned: result.stats.depositsLearned },
      ...score,
    };
  } finally {
    store.close();
    await anvil.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
