import { TAINT_MODELS, type Amounts } from '../../graph/index.js';
import type { PathStep } from '../../trace/result.js';
import type { LabelCategory } from '../../types.js';
import { plural } from '../../util/plural.js';
import { fullAddress } from '../address.js';
import { formatAssetAmount, swapText } from '../amount.js';
import { BRIDGE_NOT_VENUE, INFERRED_ROUTE, MODEL_CITATIONS, NOT_ATTRIBUTED, PROMISED_NOT_SEEN, frontierModels, reachedRole, strength, tracedParts, venuesReached, venuesReachedText } from '../attribution.js';
import { chainLabel, crossingLine, crossingsOf, exitEvidenceText, exitLine, frontierOf, hitChain, promisedText, runChains, spansChains, stepChain, stepCrossing } from '../crossChain.js';
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
  const multi = spansChains(res);
  out.push(`# hoptrace report — run ${r.manifest.run.id}`, '');
  out.push(`${multi ? `Chains ${runChains(res).map((c) => mdText(chainLabel(res, c.chainId), 40)).join(', ')} (home ${res.chainId})` : `Chain ${res.chainId}`}, blocks ${res.params.fromBlock}–${res.params.toBlock}, ${plural(res.seeds.length, 'seed')}, ${plural(res.hits.length, 'hit')}, traced ${mdText(r.manifest.run.tracedAt)}.`, '');
  out.push('## Value that reached each venue', '');
  const reached = venuesReached(a, res);
  out.push(`Venues reached: ${mdText(venuesReachedText(reached), 600)}.`, '');
  const known = evidenceIndex(res);
  const venueChain = reached.chainOf;
  const bridgeMark = (category: LabelCategory): string => (reachedRole(category) === 'bridge' ? ` (${BRIDGE_NOT_VENUE})` : '');
  // A run over several chains names the chain of each venue and step; one over a single chain reads as before.
  const chainCol = (chainId: number): string => (multi ? ` ${mdText(chainLabel(res, chainId), 40)} |` : '');
  out.push(`| venue | address |${multi ? ' chain |' : ''} risk | evidence | hops | arrivals | first | last | poison | haircut | FIFO | support |`);
  out.push(`|---|---|${multi ? '---|' : ''}---|---|---|---|---|---|---|---|---|---|`);
  for (const v of a.attribution.venues) {
    const chainId = venueChain.get(v.address) ?? res.chainId;
    out.push(
      `| ${mdText(v.venue.entity, 48)}${bridgeMark(v.venue.category)} | \`${fullAddress(v.address)}\` |${chainCol(chainId)} ${mdText(v.venue.risk)} | ${known.get(chainId, v.address)?.level ?? 'label'} | ${v.hops} | ${v.arrivals} | ${v.first.block} | ${v.last.block} | ` +
        `${amounts(v.amounts.poison)} | ${amounts(v.amounts.haircut)} | ${amounts(v.amounts.fifo)} | ${strength(v.support)} |`,
    );
  }
  // A venue on another chain: the traced movements into it (facts) in each model's column, marked: no model ran there.
  for (const v of a.notAttributed ?? []) {
    const amountsOf = (ts: typeof v.traced): string => ts.map((t) => mdText(formatAssetAmount(t.amount, t.decimals, t.symbol, t.asset), 80)).join(', ');
    const { seen, promised } = tracedParts(v.traced);
    const traced = [...(seen.length > 0 ? [`traced ${amountsOf(seen)}`] : []), ...(promised.length > 0 ? [`promised ${amountsOf(promised)} (${PROMISED_NOT_SEEN})`] : [])].join('; ');
    out.push(
      `| ${mdText(v.entity, 48)}${bridgeMark(v.category)} | \`${fullAddress(v.address)}\` |${chainCol(v.chainId)} ${mdText(v.risk)} | ${known.get(v.chainId, v.address)?.level ?? 'label'} | ${v.hops} | ${v.arrivals} | ${v.first.blockNumber} | ${v.last.blockNumber} | ` +
        `${traced}${v.route === 'inference' ? ` (${INFERRED_ROUTE})` : ''} | ${NOT_ATTRIBUTED} | ${NOT_ATTRIBUTED} | ${NOT_ATTRIBUTED} |`,
    );
  }
  if (a.attribution.venues.length === 0 && (a.notAttributed ?? []).length === 0) out.push(`| (none) | |${multi ? ' |' : ''} | | | | | | | | | |`);
  const f = frontierModels(a.attribution);
  out.push('', `Left the seeds: poison ${amounts(a.attribution.seeded.poison)}; haircut ${amounts(a.attribution.seeded.haircut)}; FIFO ${amounts(a.attribution.seeded.fifo)}.`);
  out.push(`Not at a venue (${a.attribution.frontier.length} addresses): poison ${amounts(f.poison)}; haircut ${amounts(f.haircut)}; FIFO ${amounts(f.fifo)}.`);
  out.push(`Taken in (value not from the seeds a model counts as tainted): poison ${amounts(a.attribution.takenIn.poison)}; haircut ${amounts(a.attribution.takenIn.haircut)}; FIFO ${amounts(a.attribution.takenIn.fifo)}.`, '');
  out.push('## Hits and their paths', '');
  const head = multi ? ['| # | chain | from | to | amount | tx | block | ref |', '|---|---|---|---|---|---|---|---|'] : ['| # | from | to | amount | tx | block | ref |', '|---|---|---|---|---|---|---|'];
  for (const h of res.hits) {
    const what = h.kind === 'known-perpetrator' ? 'known perpetrator' : h.kind === 'exit' ? 'exit, not followed' : mdText(h.risk);
    out.push(`### ${mdText(h.entity, 48)} (${what}), ${plural(h.hops, 'hop')} from \`${fullAddress(h.seed)}\`${multi ? ` — at ${mdText(chainLabel(res, hitChain(h, res)), 40)}` : ''}`, '');
    if (h.exit) out.push(`**${mdText(exitLine(h.exit), 600)}**`, '', `Exit evidence — ${mdText(exitEvidenceText(h.exit), 1200)}`, '');
    out.push(`Evidence — ${mdText(evidenceLine(h.evidence, h.address), 1200)}`, '');
    out.push(...head);
    const rows = (path: PathStep[]): string[] =>
      path.flatMap((s, i) => {
        const c = stepCrossing(s);
        const chain = multi ? ` ${mdText(c ? `${chainLabel(res, c.fromChainId)} → ${chainLabel(res, c.toChainId)}` : chainLabel(res, stepChain(s, res)), 80)} |` : '';
        const row = `| ${i + 1} |${chain} \`${fullAddress(s.from)}\` | \`${fullAddress(s.to)}\` | ${mdText(formatAssetAmount(s.amount, s.decimals, s.symbol, s.asset), 80)}${s.swap ? ` (${mdText(`${fullAddress(s.swap.holder)} ${swapText(s.swap)}`, 400)})` : ''} | \`${s.txHash}\` | ${s.blockNumber} | ${mdText(s.ref, 40)} |`;
        // A crossing's link in words, on a row of its own under the step (fact or inference, its confidence).
        if (!c) return [row];
        const promise = s.promised ? [`| | ${multi ? '| ' : ''}note: ${mdText(PROMISED_NOT_SEEN, 200)} | | | | | |`] : [];
        return [row, `| | ${multi ? '| ' : ''}bridge ${mdText(crossingLine(res, c), 900)} | | | | | |`, ...promise];
      });
    out.push(...rows(h.path), '');
    // The main path by value, as a table of its own when it is not the path above.
    out.push(...byValueLines(h, (p) => ['', ...head, ...rows(p), ''], '').map((l) => (l.startsWith('|') || l === '' ? l : mdText(l.trim(), 400))), '');
    for (const n of pathNotes(h)) out.push(`- note \`${fullAddress(n.address)}\`: ${mdText(evidenceLine(n.evidence, n.address, false), 1200)}`);
    if (pathNotes(h).length > 0) out.push('');
  }
  const crossings = crossingsOf(res);
  if (crossings.length > 0) {
    out.push('## Crossings followed', '', '| protocol | from → to | exit tx | arrival tx | recipient | link | confidence | reasons |', '|---|---|---|---|---|---|---|---|');
    for (const c of crossings) {
      out.push(
        `| ${mdText(c.protocolName, 40)} | ${mdText(`${chainLabel(res, c.fromChainId)} → ${chainLabel(res, c.toChainId)}`, 80)} | \`${c.exit.txHash}\` | \`${c.arrival.txHash}\` | \`${fullAddress(c.to)}\` | ` +
          `${mdText(`${c.link.evidence}: ${c.link.basis} (${c.link.kind}${c.link.key === null ? '' : `, ${c.link.key}`})`, 200)} | ${mdText(c.link.confidence, 12)} | ${mdText(c.link.reasons.join('; '), 600)} |`,
      );
    }
    out.push('');
  }
  const frontier = frontierOf(res);
  if (frontier.length > 0) {
    out.push('## Frontier: destinations not followed', '', 'Where the funds left to a chain this run did not follow; `hoptrace export --format frontier` writes these rows as CSV for the next tool.', '');
    out.push('| chain | address | promised | protocol | from | source tx | seed | hop | reason |', '|---|---|---|---|---|---|---|---|---|');
    for (const f of frontier) {
      out.push(
        `| ${mdText(f.chainId === null ? f.chain : chainLabel(res, f.chainId), 40)} | ${mdText(f.address, 100)} | ${mdText(promisedText(f), 120)} | ${mdText(f.protocol, 40)} | ${mdText(chainLabel(res, f.fromChainId), 40)} | \`${f.txHash}\` | \`${fullAddress(f.seed)}\` | ${f.hop} | ${mdText(f.reasonText, 200)} |`,
      );
    }
    out.push('');
  }
  const inferences = res.inferences ?? [];
  if (inferences.length > 0) {
    out.push('## Inferences (heuristics, not labels)', '', 'Every address on the home chain the walk went through that a heuristic judged.', '');
    for (const i of inferences) out.push(`- \`${fullAddress(i.address)}\`: ${mdText(evidenceLine(i.evidence, i.address), 1200)}`);
    out.push('');
  }
  out.push('## Models', '');
  for (const m of TAINT_MODELS) out.push(`- **${m}**: ${mdText(MODEL_CITATIONS[m], 400)}`);
  for (const n of a.notes) out.push(`- note: ${mdText(n, 600)}`);
  out.push('', '## Manifest', '', '```', ...manifestLines(r.manifest).slice(1).map((l) => l.trim().replace(/`/g, "'")), '```', '');
  return out.join('\n');
}

