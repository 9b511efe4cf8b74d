import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startAnvil } from '../devchain/anvil.js';
import { HoptraceError } from '../errors.js';
import type { TraceResult } from '../trace/result.js';
import { packageRoot } from '../util/package.js';
import type { TraceCliOptions } from './main.js';

/** What fixtures/demo-chain.meta.json says about the demo chain: whom to trace, and how. */
interface DemoMeta {
  seeds: string[];
  labelsChain: string;
  hops: number;
  story: string;
}

/**
 * `hoptrace demo`: starts the bundled anvil node on the committed demo chain (no network, no key) and
 * runs a real trace against it — the same code path and report as a trace against a provider.
 */
export async function runDemo(
  o: { db: string; json?: boolean; quiet?: boolean; color: boolean },
  trace: (addresses: string[], o: TraceCliOptions) => Promise<TraceResult>,
): Promise<void> {
  const root = packageRoot();
  const statePath = join(root, 'fixtures', 'demo-chain.json');
  const metaPath = join(root, 'fixtures', 'demo-chain.meta.json');
  if (!existsSync(statePath) || !existsSync(metaPath)) {
    throw new HoptraceError('the demo chain is missing from fixtures/: run it from a hoptrace checkout.');
  }
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as DemoMeta;
  mkdirSync(dirname(o.db), { recursive: true });
  if (!o.quiet && !o.json) process.stderr.write(`hoptrace demo: ${meta.story}\nhoptrace demo: starting anvil on the demo chain…\n`);
  const anvil = await startAnvil({ loadState: statePath });
  try {
    if (!o.quiet && !o.json) process.stderr.write(`hoptrace demo: graph kept in ${o.db} (run the demo again: it is read from there)\n`);
    await trace(meta.seeds, {
      rpc: anvil.url,
      db: o.db,
      hops: String(meta.hops),
      direction: 'out',
      minValue: [],
      fanOut: '50',
      stopAtLabels: true,
      labelsChain: meta.labelsChain,
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
