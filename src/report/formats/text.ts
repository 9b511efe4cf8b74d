import { Chalk } from 'chalk';
import { TAINT_MODELS, frontierTotal, taintBalance } from '../../graph/index.js';
import { fullAddress } from '../address.js';
import { formatAssetAmount, formatCount } from '../amount.js';
import { BRIDGE_NOT_VENUE, INFERRED_ROUTE, MODEL_CITATIONS, NOT_ATTRIBUTED, PROMISED_NOT_SEEN, frontierModels, reachedRole, strength, tracedParts, venuesReached, venuesReachedText, venuesTotal } from '../attribution.js';
import { chainLabel, spansChains } from '../crossChain.js';
import { evidenceIndex, evidenceLine } from '../evidence.js';
import { amountList, manifestLines, type FullReport } from '../full.js';
import { cleanOptional, cleanText } from '../sanitize.js';
import { riskTag } from '../text.js';
import { formatTime, renderText, styles, type TextOptions } from '../text.js';
import type { ReportFormat } from './types.js';

/**
 * `--format text`, for a terminal: `trace` prints the report of its walk (text.ts renderText); `report`
 * adds the Attribution and Manifest sections of the stored run.
 */
export const textFormat: ReportFormat = {
  name: 'text',
  summary: 'for a terminal',
  renders: 'report',
  output: 'text',
  extension: '.txt',
  color: true,
  commands: ['trace', 'report'],
  render: (run, ctx) => (run.full === null ? renderText(run.result, ctx) : renderFullText(run.full, ctx)),
};

/** The terminal report: the trace report, then Attribution and Manifest sections. */
export function renderFullText(r: FullReport, opts: TextOptions): string {
  const st = styles(new Chalk({ level: opts.color ? (opts.colorLevel ?? 1) : 0 }));
  const a = r.attribution;
  const lines: string[] = ['', st.heading('Attribution') + '  (how much of what left the seeds reached each venue)'];
  const reached = venuesReached(a, r.result);
  lines.push(`    venues reached  ${venuesReachedText(reached)}`);
  const pad = (m: string): string => m.padEnd(8);
  lines.push('    left the seeds and followed');
  for (const m of TAINT_MODELS) lines.push(`      ${pad(m)} ${amountList(a.attribution.seeded[m], a)}`);
  if (TAINT_MODELS.some((m) => a.attribution.takenIn[m].size > 0)) {
    lines.push('    taken in: value not from the seeds that the model counts as tainted (poison taints all a poisoned address holds, receives or spends)');
    for (const m of TAINT_MODELS) lines.push(`      ${pad(m)} ${amountList(a.attribution.takenIn[m], a)}`);
  }
  if (a.attribution.venues.length === 0) lines.push('', '    No venue received tainted value under any model.');
  const known = evidenceIndex(r.result);
  const multi = spansChains(r.result);
  const chains = reached.chainOf;
  for (const v of a.attribution.venues) {
    const chainId = chains.get(v.address) ?? r.result.chainId;
    // Block times are the home chain's headers: a venue reached on another chain gets none from them.
    const at = (block: number): number | null => (chainId === r.result.chainId ? (a.times.get(block) ?? null) : null);
    const when =
      v.first.block === v.last.block
        ? `block ${v.first.block} (${formatTime(at(v.first.block))})`
        : `blocks ${v.first.block}–${v.last.block} (${formatTime(at(v.first.block))} – ${formatTime(at(v.last.block))})`;
    const risk = riskTag(v.venue.risk, st);
    lines.push('');
    lines.push(`  ${risk} ${st.title(cleanOptional(v.venue.entity, 48, '(unnamed)'))} — ${cleanText(v.venue.category, 24)} · ${v.hops} hop${v.hops === 1 ? '' : 's'} · ${formatCount(v.arrivals)} arrival${v.arrivals === 1 ? '' : 's'} · ${when}`);
    lines.push(`    venue     ${fullAddress(v.address)}${multi ? `  on ${chainLabel(r.result, chainId)}` : ''}`);
    if (reachedRole(v.venue.category) === 'bridge') lines.push(`    ${BRIDGE_NOT_VENUE}`);
    const ev = known.get(chainId, v.address);
    if (ev) lines.push(`    evidence  ${evidenceLine(ev, v.address, false)}`);
    lines.push(`    support   ${v.support.join(', ')} (${strength(v.support)})`);
    for (const m of TAINT_MODELS) lines.push(`      ${pad(m)} ${amountList(v.amounts[m], a)}`);
  }
  for (const v of a.notAttributed ?? []) {
    // A venue on another chain: the traced movements into it (facts), no model's figure.
    const risk = riskTag(v.risk, st);
    // Its times are its own chain's (the stored headers of that chain), as for the home chain's venues.
    const blocks =
      v.first.blockNumber === v.last.blockNumber
        ? `block ${v.first.blockNumber} (${formatTime(v.first.timestamp ?? null)})`
        : `blocks ${v.first.blockNumber}–${v.last.blockNumber} (${formatTime(v.first.timestamp ?? null)} – ${formatTime(v.last.timestamp ?? null)})`;
    lines.push('');
    lines.push(`  ${risk} ${st.title(cleanOptional(v.entity, 48, '(unnamed)'))} — ${cleanText(v.category, 24)} · ${v.hops} hop${v.hops === 1 ? '' : 's'} · ${formatCount(v.arrivals)} arrival${v.arrivals === 1 ? '' : 's'} · ${blocks}`);
    lines.push(`    venue     ${fullAddress(v.address)}  on ${chainLabel(r.result, v.chainId)}`);
    if (reachedRole(v.category) === 'bridge') lines.push(`    ${BRIDGE_NOT_VENUE}`);
    const ev = known.get(v.chainId, v.address);
    if (ev) lines.push(`    evidence  ${evidenceLine(ev, v.address, false)}`);
    lines.push(`    ${NOT_ATTRIBUTED}`);
    if (v.route === 'inference') lines.push(`    ${INFERRED_ROUTE}`);
    const amountsOf = (ts: typeof v.traced): string => ts.map((t) => formatAssetAmount(t.amount, t.decimals, t.symbol, t.asset)).join(', ');
    const { seen, promised } = tracedParts(v.traced);
    if (seen.length > 0) lines.push(`      traced   ${amountsOf(seen)} (fact: the movements the walk followed into it)`);
    if (promised.length > 0) lines.push(`      promised ${amountsOf(promised)} (${PROMISED_NOT_SEEN})`);
  }
  const f = frontierModels(a.attribution);
  lines.push('', `    not at a venue (held, or sent past the hop limit, a hub or the walk's edges): ${formatCount(a.attribution.frontier.length)} address${a.attribution.frontier.length === 1 ? '' : 'es'}`);
  for (const m of TAINT_MODELS) lines.push(`      ${pad(m)} ${amountList(f[m], a)}`);
  lines.push('', '    balance: left the seeds + taken in = at venues and labelled bridges + not at a venue + burned + below --min-value + back to the seeds (a wrap moves taint between ETH and its token)');
  const balance = taintBalance(a.attribution);
  for (const m of TAINT_MODELS) {
    const off = [...balance[m]].filter(([, b]) => b.sources !== b.uses).map(([asset]) => asset);
    lines.push(`      ${pad(m)} ${off.length === 0 ? 'adds up, to the base unit' : `does not add up for ${off.join(', ')}`}`);
  }
  if (a.attribution.swaps.length > 0) {
    // Across a swap the taint changes asset: what each model carried in, and what came out.
    const one = (asset: string, v: bigint): string => amountList(new Map([[asset, v]]), a);
    lines.push('', `    DEX swaps that carried taint (fact: the pools' Swap events): ${formatCount(a.attribution.swaps.length)}`);
    for (const w of a.attribution.swaps) {
      const c = w.conversion;
      lines.push(`      ${fullAddress(c.holder)}  tx ${cleanText(c.txHash, 66)}: ${one(c.assetIn, c.amountIn)} → ${one(c.assetOut, c.amountOut)}`);
      for (const m of TAINT_MODELS) lines.push(`        ${pad(m)} ${one(c.assetIn, w.taintIn[m])} → ${one(c.assetOut, w.taintOut[m])}`);
    }
  }
  if (a.perSeed) {
    lines.push('', '    per seed (each seed alone): at venues and labelled bridges / still at the frontier, haircut');
    for (const s of a.perSeed) {
      lines.push(`      ${fullAddress(s.seed)}  ${amountList(venuesTotal(s.attribution.venues).haircut, a)} / ${amountList(frontierTotal(s.attribution.frontier, 'haircut'), a)}`);
    }
  }
  lines.push('', '    models');
  for (const m of TAINT_MODELS) lines.push(`      ${pad(m)} ${MODEL_CITATIONS[m]}`);
  for (const n of a.notes) lines.push(st.warn(`  ! ${cleanText(n, 600)}`));
  lines.push('', ...manifestLines(r.manifest).map((l, i) => (i === 0 ? st.heading(l) : l)));
  return renderText(r.result, opts) + lines.join('\n') + '\n';
}

