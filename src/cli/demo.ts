import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startAnvil } from '../devchain/anvil.js';
import { buildCrossChainScenario } from '../devchain/crossChain.js';
import { DEMO_EXPECTED } from '../devchain/demo.js';
import { demoChainPath } from '../devchain/paths.js';
import { HoptraceError, UsageError } from '../errors.js';
import { checkLabelInput } from '../labels/userInput.js';
import { createStore } from '../store/store.js';
import type { TraceResult } from '../trace/result.js';
import type { TraceCliOptions } from './main.js';
import { writeErr } from './output.js';

/** The trace options both demos run with. */
const DEMO_TRACE = {
  direction: 'out',
  minValue: [],
  fanOut: '50',
  maxAddresses: '10000',
  stopAtLabels: true,
  strategy: 'auto',
  maxScanBlocks: '100000',
  finalityDepth: '64',
  concurrency: '8',
  rps: '200',
  timeout: '30000',
} satisfies Partial<TraceCliOptions>;

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
      ...DEMO_TRACE,
      labelsChain: DEMO_EXPECTED.labelsChain,
      json: o.json,
      quiet: o.quiet,
      color: o.color,
    });
  } finally {
    await anvil.stop();
  }
}

/** The source the across-chains demo gives its two venue labels: what they are, in words. */
const DEMO_LABEL_SOURCE = 'hoptrace demo: an anvil dev account labelled by the demo, not a real venue';

const ACROSS_STORY =
  'a synthetic laundering across three local anvil chains (ids 1, 56 and 10): our fixture contracts emit THORChain, Across and OP Stack bridge events at the addresses data/bridges.csv lists; every other address is an anvil dev account, the two BSC venues are labelled by this demo, and the Bitcoin address is made up (src/devchain/crossChain.ts)';

/**
 * `hoptrace demo --across-chains`: starts three anvil nodes, plays the cross-chain scenario on them
 * (src/devchain/crossChain.ts, the one test/crossChainTrace.test.ts traces) and runs one real trace
 * across the three: THORChain (exact link), Across (id link), the OP standard bridge (an inference),
 * two venues on BSC, a Bitcoin exit and a chain without an endpoint on the frontier. The chains are new
 * each time, so the graph goes to a new database (a temporary one unless --db names a file that does not
 * exist yet).
 */
export async function runAcrossChainsDemo(
  o: { db?: string; json?: boolean; quiet?: boolean; color: boolean },
  trace: (addresses: string[], o: TraceCliOptions) => Promise<TraceResult>,
): Promise<void> {
  if (o.db !== undefined && existsSync(o.db)) {
    throw new UsageError(`--db ${o.db} exists: the across-chains demo builds new chains each time, so it needs a new database file.`, {
      hint: 'leave --db out (a temporary file is used) or name a file that does not exist',
    });
  }
  const db = o.db ?? join(mkdtempSync(join(tmpdir(), 'hoptrace-demo-')), 'across-chains.db');
  if (o.db !== undefined) mkdirSync(dirname(o.db), { recursive: true });
  const say = (m: string): void => {
    if (!o.quiet && !o.json) writeErr(`hoptrace demo: ${m}\n`);
  };
  say(ACROSS_STORY);
  say('starting three anvil nodes and playing the scenario…');
  const scenario = await buildCrossChainScenario();
  try {
    const store = createStore(db);
    try {
      // Checked and filled (risk, dates) the way `labels add` does it.
      const labels = [
        [scenario.who.venueA, 'Demo venue A'],
        [scenario.who.venueB, 'Demo venue B'],
      ].map(([address, entity]) => {
        const input = { line: 0, address: address!, chain: 'bsc', entity: entity!, category: 'exchange', role: 'hot-wallet', source: DEMO_LABEL_SOURCE };
        const checked = checkLabelInput(input, { defaultChain: 'bsc' });
        if ('problems' in checked) throw new HoptraceError(`the demo's own label is refused: ${checked.problems.join('; ')}`);
        return checked.label;
      });
      store.userLabels.put(labels, null);
    } finally {
      store.close();
    }
    // Where the graph is, with --json too (stdout holds the report): a temporary file nobody could find
    // would be no use to report/export --db.
    if (!o.quiet) writeErr(`hoptrace demo: graph kept in ${db}\n`);
    await trace([scenario.who.seed], {
      rpc: [`ethereum=${scenario.eth.anvil.url}`, `bsc=${scenario.bsc.anvil.url}`, `10=${scenario.op.anvil.url}`],
      db,
      hops: '5',
      ...DEMO_TRACE,
      json: o.json,
      quiet: o.quiet,
      color: o.color,
    });
  } finally {
    await scenario.stop();
  }
}
