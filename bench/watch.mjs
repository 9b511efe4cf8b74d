/**
 * Watch cost (issue 17): RPC calls per new block when `hoptrace watch` follows 10, 1,000 and 100,000
 * addresses. Each poll of a watch asks the fetcher for the new blocks of every watched address (the walk's
 * windows run to the head); the planner (src/sources/planner.ts) prices per-address queries against
 * block scans and takes the cheaper. The watched set is generated (addresses that never transact: their
 * number, not their transfers, is what the plan depends on); the chain gets a few transfers per block so
 * that scans have something to read. Per size: a fresh database, one warm-up poll (the capability probe and
 * the first measured call costs), then `polls` polls of `blocksPerPoll` new blocks each, counted; and, up
 * to `addressMax` watched addresses, the same with per-address queries forced, to show what the planner
 * saved.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnvil } from '../dist/devchain/anvil.js';
import { createScenario } from '../dist/devchain/scenario.js';
import { createRpcClient } from '../dist/rpc/client.js';
import { createFetcher } from '../dist/sources/fetcher.js';
import { createHeaderCache } from '../dist/sources/headers.js';
import { createStore } from '../dist/store/store.js';

/** A deterministic address per index: 0x + 40 hex digits. */
function generated(i) {
  return `0x${(0x5a17 * 1_000_003 + i).toString(16).padStart(40, '0').slice(-40)}`;
}

/**
 * @param {number[]} sizes watched addresses per run
 * @param {{ polls?: number, blocksPerPoll?: number, log?: (m: string) => void }} o
 */
export async function benchWatch(sizes, o = {}) {
  const polls = o.polls ?? 3;
  const blocksPerPoll = o.blocksPerPoll ?? 5;
  const log = o.log ?? (() => {});
  const anvil = await startAnvil();
  const out = [];
  try {
    const s = createScenario(anvil.url);
    const payer = generated(999_999_999);
    await s.fund(payer, 10n ** 24n);
    const movePerBlock = async (n) => {
      for (let b = 0; b < n; b++) await s.sendEth(payer, generated(900_000_000 + b), 10n ** 15n);
    };
    await movePerBlock(5);
    const runs = [];
    for (const size of sizes) {
      runs.push({ size, strategy: 'auto' });
      // Per address forced, for comparison, where it stays affordable (it grows with the watched set).
      if (size <= (o.addressMax ?? 1000)) runs.push({ size, strategy: 'address' });
    }
    for (const { size, strategy } of runs) {
      const dir = mkdtempSync(join(tmpdir(), 'hoptrace-bench-watch-'));
      const store = createStore(join(dir, 'watch.db'));
      const rpc = createRpcClient({ url: anvil.url, concurrency: 8, rps: 10_000, timeoutMs: 30_000 });
      const chainId = Number(await s.rpc('eth_chainId'));
      store.bindChain(chainId, rpc.endpoint);
      const watched = Array.from({ length: size }, (_, i) => generated(i));
      const headers = createHeaderCache(rpc);
      let last = await s.blockNumber();
      const poll = async () => {
        const head = await s.blockNumber();
        const fetcher = createFetcher({ rpc, store, chainId, head, strategy, maxScanBlocks: 100_000, headers });
        const needs = watched.map((address) => ({ address, side: 'from', from: last + 1, to: head }));
        await fetcher.ensure(needs, { levelsLeft: 1 });
        last = head;
      };
      log(`watch: ${size.toLocaleString('en-US')} watched addresses, strategy ${strategy}…`);
      await movePerBlock(blocksPerPoll);
      await poll(); // warm-up: the probe, the first call costs
      const before = rpc.stats.total;
      const byMethod = { ...rpc.stats.byMethod };
      const started = Date.now();
      for (let p = 0; p < polls; p++) {
        await movePerBlock(blocksPerPoll);
        await poll();
      }
      const calls = rpc.stats.total - before;
      const methods = Object.fromEntries(
        Object.entries(rpc.stats.byMethod)
          .map(([m, n]) => [m, n - (byMethod[m] ?? 0)])
          .filter(([, n]) => n > 0),
      );
      out.push({ watched: size, strategy, polls, blocks: polls * blocksPerPoll, calls, callsPerBlock: calls / (polls * blocksPerPoll), byMethod: methods, wallMs: Date.now() - started });
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await anvil.stop();
  }
  return out;
}

/** The section's Markdown lines. */
export function renderWatch(rows) {
  const lines = [
    `**Watch cost** (calls per new block for a generated watched set; ${rows[0]?.polls ?? 0} polls of ${rows[0] ? rows[0].blocks / rows[0].polls : 0} blocks each, after a warm-up poll; the planner chooses per address or block scan):`,
    '',
    '| watched addresses | strategy | blocks | calls | calls per block | by method | wall s |',
    '|---:|---|---:|---:|---:|---|---:|',
  ];
  for (const r of rows) {
    const methods = Object.entries(r.byMethod).map(([m, n]) => `${m} ${n}`).join(', ');
    lines.push(`| ${r.watched.toLocaleString('en-US')} | ${r.strategy === 'auto' ? 'auto (planner)' : 'per address (forced)'} | ${r.blocks} | ${r.calls.toLocaleString('en-US')} | ${r.callsPerBlock.toFixed(1)} | ${methods} | ${(r.wallMs / 1000).toFixed(1)} |`);
  }
  return lines;
}
