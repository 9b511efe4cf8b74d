import { TAINT_MODELS, type Amounts } from '../../graph/index.js';
import type { PathStep } from '../../trace/result.js';
import { plural } from '../../util/plural.js';
import { fullAddress } from '../address.js';
import { formatAssetAmount, swapText } from '../amount.js';
import { MODEL_CITATIONS, frontierModels, strength } from '../attribution.js';
import { evidenceIndex, evidenceLine, pathNotes } from '../evidence.js';
import { amountList, manifestLines, type FullReport } from '../full.js';
import { cleanText, escapeMarkup } from '../sanitize.js';
import { byValueLines } from '../text.js';
import { fullReport, type ReportFormat } from './types.js';

/** `--format md`: a Markdown document (a run's report with its attribution). */
export const mdFormat: ReportFormat = {
  name: 'md',
  summary: 'Markdown',
  renders: 'report',
  output: 'data',
  extension: '.md',
  color: false,
  commands: ['report'],
  render: (run) => renderMarkdown(fullReport(run, 'md')),
};

/** Text for Markdown: cleaned of control/bidi characters, HTML escaped, and the characters that make emphasis, links, code or table columns escaped. */
export function mdText(s: string, max = 80): string {
  return escapeMarkup(cleanText(s, max), { quotes: false })
    .replace(/([\\`*_[\]|~#])/g, '\\$1'); // enough inside a table cell: no emphasis, link, code or column break
}

/** `--format md`: a Markdown document with a summary table, venue flows, hit paths and the manifest. */
export function renderMarkdown(r: FullReport): string {
  const a = r.attribution;
  const res = r.result;
  const out: string[] = [];
  const amounts = (m: Amounts): string => mdText(amountList(m, a), 400);
  out.push(`# hoptrace report — run ${r.manifest.run.id}`, '');
  out.push(`Chain ${res.chainId}, blocks ${res.params.fromBlock}–${res.params.toBlock}, ${plural(res.seeds.length, 'seed')}, ${plural(res.hits.length, 'hit')}, traced ${mdText(r.manifest.run.tracedAt)}.`, '');
  out.push('## Value that reached each venue', '');
  const known = evidenceIndex(res.hits, res.inferences);
  out.push('| venue | address | risk | evidence | hops | arrivals | first | last | poison | haircut | FIFO | support |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const v of a.attribution.venues) {
    out.push(
      `| ${mdText(v.venue.entity, 48)} | \`${fullAddress(v.address)}\` | ${mdText(v.venue.risk)} | ${known.get(v.address)?.level ?? 'label'} | ${v.hops} | ${v.arrivals} | ${v.first.block} | ${v.last.block} | ` +
        `${amounts(v.amounts.poison)} | ${amounts(v.amounts.haircut)} | ${amounts(v.amounts.fifo)} | ${strength(v.support)} |`,
    );
  }
  if (a.attribution.venues.length === 0) out.push('| (none) | | | | | | | | | | | |');
  const f = frontierModels(a.attribution);
  out.push('', `Left the seeds: poison ${amounts(a.attribution.seeded.poison)}; haircut ${amounts(a.attribution.seeded.haircut)}; FIFO ${amounts(a.attribution.seeded.fifo)}.`);
  out.push(`Not at a venue (${a.attribution.frontier.length} addresses): poison ${amounts(f.poison)}; haircut ${amounts(f.haircut)}; FIFO ${amounts(f.fifo)}.`);
  out.push(`Taken in (value not from the seeds a model counts as tainted): poison ${amounts(a.attribution.takenIn.poison)}; haircut ${amounts(a.attribution.takenIn.haircut)}; FIFO ${amounts(a.attribution.takenIn.fifo)}.`, '');
  out.push('## Hits and their paths', '');
  for (const h of res.hits) {
    const what = h.kind === 'known-perpetrator' ? 'known perpetrator' : mdText(h.risk);
    out.push(`### ${mdText(h.entity, 48)} (${what}), ${plural(h.hops, 'hop')} from \`${fullAddress(h.seed)}\``, '');
    out.push(`Evidence — ${mdText(evidenceLine(h.evidence, h.address), 1200)}`, '');
    out.push('| # | from | to | amount | tx | block | ref |', '|---|---|---|---|---|---|---|');
    const rows = (path: PathStep[]): string[] =>
      path.map((s, i) => `| ${i + 1} | \`${fullAddress(s.from)}\` | \`${fullAddress(s.to)}\` | ${mdText(formatAssetAmount(s.amount, s.decimals, s.symbol, s.asset), 80)}${s.swap ? ` (${mdText(`${fullAddress(s.swap.holder)} ${swapText(s.swap)}`, 400)})` : ''} | \`${s.txHash}\` | ${s.blockNumber} | ${mdText(s.ref, 40)} |`);
    out.push(...rows(h.path), '');
    // The main path by value, as a table of its own when it is not the path above.
    out.push(...byValueLines(h, (p) => ['', '| # | from | to | amount | tx | block | ref |', '|---|---|---|---|---|---|---|', ...rows(p), ''], '').map((l) => (l.startsWith('|') || l === '' ? l : mdText(l.trim(), 400))), '');
    for (const n of pathNotes(h)) out.push(`- note \`${fullAddress(n.address)}\`: ${mdText(evidenceLine(n.evidence, n.address, false), 1200)}`);
    if (pathNotes(h).length > 0) out.push('');
  }
  const inferences = res.inferences ?? [];
  if (inferences.length > 0) {
    out.push('## Inferences (heuristics, not labels)', '');
    for (const i of inferences) out.push(`- \`${fullAddress(i.address)}\`: ${mdText(evidenceLine(i.evidence, i.address), 1200)}`);
    out.push('');
  }
  out.push('## Models', '');
  for (const m of TAINT_MODELS) out.push(`- **${m}**: ${mdText(MODEL_CITATIONS[m], 400)}`);
  for (const n of a.notes) out.push(`- note: ${mdText(n, 600)}`);
  out.push('', '## Manifest', '', '```', ...manifestLines(r.manifest).slice(1).map((l) => l.trim().replace(/`/g, "'")), '```', '');
  return out.join('\n');
}

