// Sums the self time of each function in a V8 CPU profile (`node --cpu-prof`), biggest first:
//   node scripts/profile-summary.mjs <file.cpuprofile> [top=25] [--lines <url part>]
// With --lines, the samples of functions whose file contains <url part> by source line instead (a native
// call such as a better-sqlite3 statement counts on the line that makes it). Samples are wall-clock
// ticks: on a loaded machine they include time the process waited for a core, so read shares, not seconds.
import { readFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/profile-summary.mjs <file.cpuprofile> [top] [--lines <url part>]');
  process.exit(2);
}
const linesOf = rest.includes('--lines') ? rest[rest.indexOf('--lines') + 1] : undefined;
const top = Number(rest.find((a) => /^\d+$/.test(a)) ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const where = (n) => `${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;

const sums = new Map();
let total = 0;
if (linesOf === undefined) {
  profile.samples.forEach((id, i) => {
    const n = nodes.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const key = `${n.callFrame.functionName || '(anonymous)'} ${where(n)}`;
    sums.set(key, (sums.get(key) ?? 0) + dt);
  });
} else {
  // Line ticks carry no duration: shares of the ticks counted.
  for (const n of profile.nodes) {
    if (!n.callFrame.url.includes(linesOf)) continue;
    for (const t of n.positionTicks ?? []) {
      const key = `${n.callFrame.functionName || '(anonymous)'} line ${t.line}`;
      sums.set(key, (sums.get(key) ?? 0) + t.ticks);
      total += t.ticks;
    }
  }
}
const unit = linesOf === undefined ? (v) => `${(v / 1000).toFixed(0).padStart(7)} ms` : (v) => `${String(v).padStart(7)} ticks`;
for (const [key, v] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${unit(v)} ${((100 * v) / total).toFixed(1).padStart(5)} %  ${key}`);
}
console.log(linesOf === undefined ? `total ${(total / 1000).toFixed(0)} ms` : `total ${total} ticks`);
