#!/usr/bin/env node
/**
 * The reliability campaigns, wider than in `npm test`, and the figures the README's Reliability section
 * quotes: faults injected and survived, kill -9 points survived, bad inputs tried, hostile-provider cases
 * (test/hostile-node.test.ts: a node that lies on purpose). Every figure is counted
 * by the tests while they run (test/helpers/campaign.ts recordFigures); a campaign that fails prints no
 * table and exits non-zero.
 *
 * Usage: npm run reliability            (about 5 minutes on 2 cores)
 *        RELIABILITY_SCALE=1 npm run reliability   (the sizes of `npm test`, about 2 minutes)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const scale = Number(process.env.RELIABILITY_SCALE ?? 3);
const out = join(mkdtempSync(join(tmpdir(), 'hoptrace-reliability-')), 'figures.ndjson');
const env = {
  ...process.env,
  HOPTRACE_RELIABILITY_OUT: out,
  HOPTRACE_FAULT_SEEDS: String(3 * scale),
  HOPTRACE_FAULT_SEEDS_NOTRACE: String(scale),
  HOPTRACE_KILLS: String(20 * scale),
};
const files = ['test/faults.test.ts', 'test/resume.test.ts', 'test/badInput.test.ts', 'test/pool.test.ts', 'test/hostile.test.ts', 'test/hostile-node.test.ts'];
console.log(`reliability: ${files.join(', ')} (fault seeds ${env.HOPTRACE_FAULT_SEEDS}+${env.HOPTRACE_FAULT_SEEDS_NOTRACE}, kills ${env.HOPTRACE_KILLS})`);
const run = spawnSync('npx', ['vitest', 'run', '--reporter=dot', ...files], { env, stdio: 'inherit' });
if (run.status !== 0 || !existsSync(out)) {
  console.error('reliability: a campaign failed; no figures.');
  process.exit(1);
}

const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const sum = (campaign, key) => rows.filter((r) => r.campaign === campaign).reduce((n, r) => n + (r[key] ?? 0), 0);
const kinds = {};
for (const r of rows.filter((x) => x.campaign.startsWith('faults'))) {
  for (const [k, v] of Object.entries(r)) if (!['campaign', 'runs', 'calls', 'injected'].includes(k)) kinds[k] = (kinds[k] ?? 0) + v;
}
const injected = sum('faults', 'injected') + sum('faults-notrace', 'injected');
const runs = sum('faults', 'runs') + sum('faults-notrace', 'runs');
const calls = sum('faults', 'calls') + sum('faults-notrace', 'calls');
const table = [
  ['campaign', 'tried', 'survived'],
  [`faults injected (${runs} traces, ${calls} requests; same hits and DB rows as fault-free)`, injected, injected],
  ['kill -9 points (resumed to the DB of an uninterrupted run)', sum('kills', 'kills'), sum('kills', 'kills')],
  ['  of which landed mid-run', sum('kills', 'interrupted'), sum('kills', 'interrupted')],
  ['bad inputs (exit code, one sentence, DB unchanged)', sum('bad-inputs', 'rows'), sum('bad-inputs', 'rows')],
  ['hostile-provider cases (run ends, nothing wrong stored, honest rerun gives the honest result)', sum('hostile-node', 'cases'), sum('hostile-node', 'cases')],
];
const w0 = Math.max(...table.map((r) => String(r[0]).length));
console.log('');
for (const [a, b, c] of table) console.log(`${String(a).padEnd(w0)}  ${String(b).padStart(6)}  ${String(c).padStart(8)}`);
console.log(`\nfaults by kind: ${Object.entries(kinds).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(', ')}`);
