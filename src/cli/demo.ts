import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { startAnvil } from '../devchain/anvil.js';
import { DEMO_EXPECTED } from '../devchain/demo.js';
import { demoChainPath } from '../devchain/paths.js';
import { HoptraceError } from '../errors.js';
import type { TraceResult } from '../trace/result.js';
import type { TraceCliOptions } from './main.js';
import { writeErr } from './output.js';

const STORY =
  'a replay of the real Bybit laundering (Feb 2025, attributed to Lazarus/TraderTraitor) between the real addresses, on a local anvil node; see fixtures/demo-chain.md';

/**
 * `hoptrace demo`: starts the bundled anvil node on the committed demo chain (no network, no key) and
 * runs a real trace against it — the same code path and report as a trace against a provider.
 */
export async function runDemo(
  o: { db: string; json?: boolean; quiet?: boolean; color: boolean },
  trace: (addresses: string[], o: TraceCliOptions) => Promise<TraceResult>,
): Promise<void> {
  const statePath = demoChainPath();
  if (!existsSync(statePath)) {
    throw new HoptraceError('the demo chain fixtures/demo-chain.json is missing: run the demo from a hoptrace checkout.');
  }
  mkdirSync(dirname(o.db), { recursive: true });
  if (!o.quiet && !o.json) writeErr(`hoptrace demo: ${STORY}\nhoptrace demo: starting anvil on the demo chain…\n`);
  const anvil = await startAnvil({ loadState: statePath });
  try {
    if (!o.quiet && !o.json) writeErr(`hoptrace demo: graph kept in ${o.db} (run the demo again: it is read from there)\n`);
    // One hop past the venue's five, so the report shows the trace stopping there, not at the limit.
    await trace([DEMO_EXPECTED.seed], {
      rpc: anvil.url,
      db: o.db,
      hops: String(DEMO_EXPECTED.hops + 1),
      direction: 'out',
      minValue: [],
      fanOut: '50',
      maxAddresses: '10000',
      stopAtLabels: true,
      labelsChain: DEMO_EXPECTED.labelsChain,
      strategy: 'auto',
      maxScanBlocks: '100000',
      finalityDepth: '64',
      concurrency: '8',
      rps: '200',
      timeout: '30000',
      json: o.json,
      quiet: o.quiet,
      color: o.color,
    });
  } finally {
    await anvil.stop();
  }
}
