import { Chalk } from 'chalk';
import { fullAddress } from '../address.js';
import { formatAssetAmount } from '../amount.js';
import type { AmountChange, DiffEdge, DiffHit, RunDiffJson } from '../diff.js';
import { evidenceLine } from '../evidence.js';
import { cleanOptional, cleanText } from '../sanitize.js';
import { formatTime, riskTag, styles } from '../text.js';
import type { DiffFormat, RenderContext } from './types.js';
import { plural } from '../../util/plural.js';

/** `hoptrace diff --format text` (the default): the changes for a reader, section by section. */
export const diffTextFormat: DiffFormat = {
  name: 'text',
  summary: 'for a terminal or a mail',
  renders: 'diff',
  output: 'text',
  extension: '.txt',
  color: true,
  commands: ['diff'],
  render: (d, ctx) => renderDiffText(d, ctx),
};

/** One section of a diff in words: a heading and its items (each item one or more lines, the first the headline). */
export interface DiffSection {
  title: string;
  /** Whether the section holds news (a change) or context (coverage, notes). */
  items: string[][];
}

/** The sections are plain lines (the Markdown renders them too): the risk tag without colour. */
const PLAIN = styles(new Chalk({ level: 0 }));

/** A figure in the asset's units (raw units, said so, where the token did not give its decimals). */
const amount = (v: string, x: { decimals: number | null; symbol: string | null; asset: string }): string => formatAssetAmount(BigInt(v), x.decimals, x.symbol, x.asset);

const CAUSE: Record<DiffHit['cause'], string> = {
  'new-activity': 'NEWS, funds moved since A',
  labels: 'labels changed, not a movement',
  parameters: 'the runs were asked differently',
  coverage: 'better coverage, not news',
  unexplained: 'unexplained',
};

const MEASURE: Record<AmountChange['measure'], string> = {
  traced: 'traced', // with its direction: measureText
  poison: 'poison (model)',
  haircut: 'haircut (model)',
  fifo: 'FIFO (model)',
};

/** The measure in words: `traced` says which way the transfers went. */
const measureText = (c: AmountChange): string =>
  c.measure !== 'traced' ? MEASURE[c.measure] : c.direction === 'out' ? 'received (fact: the traced transfers into it, summed)' : 'sent (fact: the traced transfers out of it toward the seeds, summed)';

function hitItem(h: DiffHit, side: 'new' | 'gone'): string[] {
  const when = `first ${h.direction === 'out' ? 'arrival' : 'departure'} block ${h.firstBlock} (${formatTime(h.firstSeen)})`;
  const what = h.kind === 'known-perpetrator' ? 'known perpetrator' : cleanText(h.category, 24);
  return [
    `${riskTag(h.risk, PLAIN)} ${cleanOptional(h.entity, 48, '(unnamed)')} — ${what} · ${h.hops} hop${h.hops === 1 ? '' : 's'} ${h.direction === 'out' ? 'from' : 'to'} ${fullAddress(h.seed)} · ${when}`,
    `  address   ${fullAddress(h.address)}`,
    `  evidence  ${evidenceLine(h.evidence, h.address)}`,
    `  ${side === 'new' ? 'why new ' : 'why gone'}  ${CAUSE[h.cause]} — ${cleanText(h.why, 600)}`,
  ];
}

function edgeItem(e: DiffEdge): string[] {
  return [
    `block ${e.blockNumber} (${formatTime(e.timestamp)})${e.afterA ? ' [since A]' : ''}  ${fullAddress(e.from)} → ${fullAddress(e.to)}  ${amount(e.amount, e)}  tx ${e.txHash} ${cleanText(e.ref, 60)}`,
  ];
}

/** The diff as sections of plain lines: what the text and the Markdown both render. */
export function diffSections(d: RunDiffJson): { head: string[]; sections: DiffSection[] } {
  const s = d.summary;
  const side = (x: RunDiffJson['a'], tag: string): string =>
    `${tag}  ${cleanText(x.name, 200)}: blocks ${x.blockRange.fromBlock}–${x.blockRange.toBlock}, traced ${cleanText(x.generatedAt, 40)}, ${x.complete ? 'complete' : 'PARTIAL (see coverage)'}`;
  const head = [
    `hoptrace diff — chain ${d.b.chainId}, direction ${d.b.direction}, ${plural(d.b.seeds.length, 'seed')}`,
    side(d.a, 'A'),
    side(d.b, 'B'),
    '',
    d.changed
      ? `Changes: ${plural(s.newHits, 'new hit')} (${s.newHitsFromNewActivity} from movements since A), ${plural(s.goneHits, 'gone hit')}, ${plural(s.evidenceChanged, 'evidence change')}, ${plural(s.firstSeenChanged, 'first arrival', 'first arrivals')} moved, ${plural(s.amountsChanged, 'amount')} changed, ${plural(s.newEdges, 'new movement')} (${s.newEdgesAfterA} since A), ${plural(s.goneEdges, 'gone movement')}, ${plural(s.newAddresses, 'new address', 'new addresses')}, ${plural(s.goneAddresses, 'gone address', 'gone addresses')}.`
      : 'No changes: the two runs report the same hits, evidence, amounts, movements and addresses.',
  ];
  const sections: DiffSection[] = [];
  if (d.hits.new.length > 0) sections.push({ title: 'New hits', items: d.hits.new.map((h) => hitItem(h, 'new')) });
  if (d.hits.gone.length > 0) sections.push({ title: 'Gone hits', items: d.hits.gone.map((h) => hitItem(h, 'gone')) });
  if (d.hits.evidenceChanged.length > 0) {
    sections.push({
      title: 'Evidence changed',
      items: d.hits.evidenceChanged.map((e) => [
        `${cleanOptional(e.entity, 48, '(unnamed)')} ${fullAddress(e.address)}: ${e.from.level} → ${e.to.level}`,
        `  was  ${evidenceLine(e.from, e.address)}`,
        `  now  ${evidenceLine(e.to, e.address)}`,
      ]),
    });
  }
  if (d.hits.firstSeenChanged.length > 0) {
    sections.push({
      title: 'First arrival moved',
      items: d.hits.firstSeenChanged.map((f) => [
        `${cleanOptional(f.entity, 48, '(unnamed)')} ${fullAddress(f.address)}: block ${f.from.block} (${formatTime(f.from.timestamp)}) → block ${f.to.block} (${formatTime(f.to.timestamp)})`,
      ]),
    });
  }
  if (d.amounts.changes.length > 0) {
    // One item per venue, one line per measure and asset.
    const venues = new Map<string, AmountChange[]>();
    for (const c of d.amounts.changes) venues.set(`${c.direction}|${c.address}`, [...(venues.get(`${c.direction}|${c.address}`) ?? []), c]);
    sections.push({
      title: `Amounts per venue, A → B (${d.amounts.measures.join(', ')})`,
      items: [...venues.values()].map((cs) => [
        `${cleanOptional(cs[0]!.entity, 48, '(unnamed)')} ${fullAddress(cs[0]!.address)}${cs[0]!.direction === 'in' ? ' (backward: funds from it)' : ''}`,
        ...cs.map((c) => `  ${measureText(c)}: ${amount(c.a, c)} → ${amount(c.b, c)} (${c.grew ? 'grew by' : 'shrank by'} ${amount(c.change, c)})`),
      ]),
    });
  }
  const listed = (n: number, shown: number): string => (n > shown ? `, the first ${shown} listed (--limit)` : '');
  const where = d.edges.from === 'graph' ? 'traced graph' : "hits' paths";
  if (d.edges.new > 0) sections.push({ title: `New movements in the ${where}: ${d.edges.new}${listed(d.edges.new, d.edges.newListed.length)}`, items: d.edges.newListed.map(edgeItem) });
  if (d.edges.gone > 0) sections.push({ title: `Gone movements from the ${where}: ${d.edges.gone}${listed(d.edges.gone, d.edges.goneListed.length)}`, items: d.edges.goneListed.map(edgeItem) });
  const addressItem = (x: { address: string; hop: number | null }): string[] => [`${fullAddress(x.address)}  ${x.hop === null ? 'hop unknown' : `hop ${x.hop}`}`];
  if (d.addresses.new > 0) sections.push({ title: `New addresses reached: ${d.addresses.new}${listed(d.addresses.new, d.addresses.newListed.length)}`, items: d.addresses.newListed.map(addressItem) });
  if (d.addresses.gone > 0) sections.push({ title: `Addresses no longer reached: ${d.addresses.gone}${listed(d.addresses.gone, d.addresses.goneListed.length)}`, items: d.addresses.goneListed.map(addressItem) });

  const c = d.coverage;
  const coverage: string[][] = [];
  if (d.a.complete && d.b.complete) coverage.push(['Both runs are complete (no coverage warning).']);
  for (const w of c.warningsOnlyInA) coverage.push([`only A: ! ${cleanText(w, 600)}`]);
  for (const w of c.warningsOnlyInB) coverage.push([`only B: ! ${cleanText(w, 600)}`]);
  for (const m of c.methods) coverage.push([`${m.part} transfers read by ${m.a === null ? 'nothing' : cleanText(m.a, 120)} in A, ${m.b === null ? 'nothing' : cleanText(m.b, 120)} in B`]);
  for (const p of c.params) coverage.push([`parameter ${p.name}: ${cleanText(JSON.stringify(p.a), 200)} in A, ${cleanText(JSON.stringify(p.b), 200)} in B`]);
  if (c.labels) coverage.push([`label data: ${cleanText(c.labels.a.dataVersion, 16)} with ${c.labels.a.userLabels} user labels in A, ${cleanText(c.labels.b.dataVersion, 16)} with ${c.labels.b.userLabels} in B`]);
  sections.push({ title: 'Coverage', items: coverage });
  const notes: string[][] = d.notes.map((n) => [cleanText(n, 600)]);
  for (const m of d.amounts.models) notes.push([`${m.name}: ${cleanText(m.citation, 600)}`]);
  if (notes.length > 0) sections.push({ title: 'Notes', items: notes });
  return { head, sections };
}

/** The diff for a terminal or a mail body. */
export function renderDiffText(d: RunDiffJson, ctx: RenderContext): string {
  const st = styles(new Chalk({ level: ctx.color ? 1 : 0 }));
  const { head, sections } = diffSections(d);
  const out = [st.title(head[0]!), ...head.slice(1).map((l) => (l.startsWith('Changes:') ? st.warn(l) : l))];
  for (const s of sections) {
    out.push('', st.heading(s.title));
    for (const item of s.items) out.push(...item.map((l) => `  ${l}`));
  }
  return out.join('\n') + '\n';
}
