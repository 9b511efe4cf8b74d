import { Chalk } from 'chalk';
import type { ChalkInstance, ColorSupportLevel } from 'chalk';
import type { Hit, Hub, PathStep, TraceResult } from '../trace/result.js';
import type { Risk } from '../types.js';
import { fullAddress, shortAddress } from './address.js';
import { assetContract, formatAssetAmount, formatCount, swapText } from './amount.js';
import { cleanOptional, cleanText } from './sanitize.js';
import { depositLines } from './deposit.js';
import { chainLabel, crossingLine, crossingsOf, exitDestination, exitEvidenceText, exitLine, frontierOf, frontierPlace, hitChain, promisedPhrase, promisedText, runChainName, runChains, spansChains, stepChain, stepCrossing } from './crossChain.js';
import { evidenceLine, pathNotes } from './evidence.js';
import { PROMISED_NOT_SEEN, reachedRole } from './attribution.js';

export interface TextOptions {
  /** ANSI colour on or off. Off: not one escape character in the output. */
  color: boolean;
  /** Colour depth when `color` is true (chalk levels: 1 = 16 colours, 2 = 256, 3 = truecolor). Default 1. */
  colorLevel?: Exclude<ColorSupportLevel, 0>;
  /**
   * Terminal width (e.g. `process.stdout.columns`): long warnings are word-wrapped to it. Unset (piped
   * output, files): nothing is wrapped, so each warning stays one greppable line. Path lines never wrap:
   * the hashes must stay whole.
   */
  width?: number;
}

const RULE_WIDTH = 80;
const MIN_WIDTH = 40;

// How much of each piece of foreign text a line can hold.
const MAX = { entity: 48, label: 80, source: 160, jurisdiction: 8, warning: 600, method: 48, rpc: 120, meta: 48 };

const KIND_NAME = { erc20: 'ERC-20 transfers', native: 'native transfers', internal: 'internal transfers' } as const;

const RISK_ORDER: Record<Risk, number> = { sanctioned: 0, high: 1, standard: 2 };

/** Styles used by the report; all of them are identity functions when colour is off. */
export interface Styles {
  title: (s: string) => string;
  heading: (s: string) => string;
  dim: (s: string) => string;
  sanctioned: (s: string) => string;
  high: (s: string) => string;
  warn: (s: string) => string;
  ok: (s: string) => string;
}

export function styles(c: ChalkInstance): Styles {
  return {
    title: (s) => c.bold(s),
    heading: (s) => c.bold.underline(s),
    dim: (s) => c.dim(s),
    sanctioned: (s) => c.red.bold(s),
    high: (s) => c.yellow.bold(s),
    warn: (s) => c.yellow.bold(s),
    ok: (s) => c.green(s),
  };
}

/**
 * Renders a trace for a human: a header with what was asked, then per seed (in seed order) every venue
 * reached with its path and totals, then what the trace could not see (Coverage) and what it cost (Stats).
 * Every string that came from the chain or a label file is passed through `cleanText`; colour comes from
 * a private chalk instance, never from chalk's global state.
 *
 * Sanctioned venues carry a `SANCTIONED` tag and high-risk ones `HIGH RISK`, so they stand out without
 * colour too; a partial trace is announced at the top and every warning gets its own `!` line.
 *
 * @example process.stdout.write(renderText(result, { color: process.stdout.isTTY === true }))
 */
export function renderText(result: TraceResult, opts: TextOptions): string {
  const c = new Chalk({ level: opts.color ? (opts.colorLevel ?? 1) : 0 });
  const st = styles(c);
  const width =
    opts.width !== undefined && Number.isFinite(opts.width) ? Math.max(MIN_WIDTH, Math.floor(opts.width)) : Infinity;
  const rule = st.dim('─'.repeat(Math.min(width, RULE_WIDTH)));
  const out: string[] = [];
  const partial = isPartial(result);

  out.push(...renderHeader(result, st, partial));
  // A run over one chain reads as it always has; over several, every hit and step names its chain.
  const view: PathView = { result, multi: spansChains(result) };

  const seedKeys = new Set(result.seeds.map((s) => s.address.toLowerCase()));
  result.seeds.forEach((seed, i) => {
    out.push('');
    out.push(rule);
    out.push(st.title(`Seed ${i + 1}/${result.seeds.length}  ${fullAddress(seed.address)}${seed.chainId === undefined ? '' : `  on ${chainLabel(result, seed.chainId)}`}`));
    if (seed.tier !== null) out.push(`  tier      ${cleanText(seed.tier, 24)}`);
    if (seed.label !== null) out.push(`  label     ${cleanOptional(seed.label, MAX.label, '-')}`);
    if (seed.incident !== null) out.push(`  incident  ${cleanOptional(seed.incident, MAX.label, '-')}`);
    if (seed.source !== null) out.push(`  source    ${cleanOptional(seed.source, MAX.source, '-')}`);
    const hits = sortHits(result.hits.filter((h) => h.seed.toLowerCase() === seed.address.toLowerCase()));
    if (hits.length === 0) {
      const where = `within ${result.params.hops} hop${result.params.hops === 1 ? '' : 's'} (direction ${cleanText(result.params.direction, 8)})`;
      out.push('');
      out.push(`  No labelled venue reached ${where}.`);
      if (partial) out.push(st.warn('  ! The trace is partial: no hit does not mean no laundering. See Coverage.'));
    }
    for (const hit of hits) out.push('', ...renderHit(hit, st, view));
  });

  // A hit whose seed is not listed would otherwise vanish from the report.
  const orphans = sortHits(result.hits.filter((h) => !seedKeys.has(h.seed.toLowerCase())));
  if (orphans.length > 0) {
    out.push('', rule, st.title('Hits from seeds not listed above'));
    for (const hit of orphans) out.push('', `  seed ${fullAddress(hit.seed)}`, ...renderHit(hit, st, view));
  }

  const crossings = crossingsOf(result);
  if (crossings.length > 0) {
    out.push('', rule, st.title(`Crossings: ${crossings.length} followed from one chain into another`));
    for (const c of crossings) {
      const line = `  ${crossingLine(result, c, false)}`;
      out.push(c.link.evidence === 'fact' ? line : st.warn(line));
      out.push(`      exit ${cleanText(c.exit.event, 40)} tx ${cleanText(c.exit.txHash, 66)} → arrival ${cleanText(c.arrival.event, 40)} tx ${cleanText(c.arrival.txHash, 66)}, to ${shortAddress(c.to)}, hop ${c.hop}`);
      if (c.link.reasons.length > 0) out.push(`      ${c.link.evidence === 'fact' ? 'link' : st.warn('inferred link')}: ${c.link.reasons.map((r) => cleanOptional(r, MAX.source, '')).join('; ')}`);
    }
  }

  const frontier = frontierOf(result);
  if (frontier.length > 0) {
    out.push('', rule, st.title(`Frontier: ${frontier.length} destination${frontier.length === 1 ? '' : 's'} not followed (hoptrace export --format frontier writes them as CSV)`));
    // One line per destination: where, what was promised, by which protocol, the exit transaction and its chain, why not followed.
    for (const f of frontier) {
      out.push(
        `  ${frontierPlace(result, f)}  ${promisedPhrase(f)} via ${cleanText(f.protocol, 40)}  tx ${cleanText(f.txHash, 66)} (chain ${f.fromChainId}) — ` +
          `${cleanOptional(f.reasonText, MAX.source, f.reason)}; hop ${f.hop} from seed ${shortAddress(f.seed)}`,
      );
    }
  }

  const inferences = result.inferences ?? [];
  if (inferences.length > 0) {
    out.push('', rule, st.title('Inferences (heuristics, not labels): every address on the home chain the walk went through that a heuristic judged'));
    for (const { address, evidence } of inferences) {
      const line = `  ${fullAddress(address)}  ${evidenceLine(evidence, address, false)}`;
      out.push(evidence.level === 'label' ? line : st.warn(line));
    }
  }

  out.push('', rule);
  out.push(...renderCoverage(result, st, width));
  out.push('');
  out.push(...renderStats(result, st));
  return out.join('\n') + '\n';
}

/** True when anything limited what the trace could see. */
export function isPartial(result: TraceResult): boolean {
  const cov = result.coverage;
  return cov.warnings.length > 0 || cov.hubs.length > 0 || cov.erc20 === null || cov.native === null || cov.internal === null;
}

function renderHeader(result: TraceResult, st: Styles, partial: boolean): string[] {
  const p = result.params;
  const lines: string[] = [];
  lines.push(st.title(`hoptrace ${cleanText(result.tool.version, 24)} — trace report`));
  if (spansChains(result)) {
    const chains = runChains(result).map((c) => `${chainLabel(result, c.chainId)}${c.home ? ', home,' : ''} via ${cleanText(c.rpc, MAX.rpc)}`);
    lines.push(`  chains     ${chains.join('; ')}`);
  } else lines.push(`  chain      ${result.chainId} (${cleanText(result.labelChain, 24)}) via ${cleanText(result.rpc, MAX.rpc)}`);
  lines.push(`  generated  ${cleanText(result.generatedAt, MAX.meta)}`);
  const users = result.labels.userLabels;
  lines.push(`  labels     data ${cleanText(result.labels.dataVersion, 24)}, ${users} user label${users === 1 ? '' : 's'} applied`);
  lines.push(
    `  asked      up to ${p.hops} hop${p.hops === 1 ? '' : 's'}, direction ${cleanText(p.direction, 8)}, ` +
      `blocks ${p.fromBlock}–${p.toBlock}, fan-out cap ${formatCount(p.fanOutCap)}, ` +
      (p.stopAtLabels ? 'stop at labelled venues' : 'continue past labelled venues'),
  );
  const minValue = Object.keys(p.minValue)
    .sort()
    .map((k) => `${k === '*' || k === 'native' ? k : shortAddress(k)} ≥ ${cleanText(p.minValue[k] ?? '', 80)}`);
  if (minValue.length > 0) lines.push(`  min value  ${minValue.join(', ')} (base units)`);

  const venues = result.hits.filter((h) => h.kind === 'venue');
  const exits = result.hits.filter((h) => h.kind === 'exit');
  const perpetrators = result.hits.filter((h) => h.kind === 'known-perpetrator');
  // A payment into a labelled bridge with no exit event is a venue hit, but no venue reached (attribution.ts
  // VENUE_DEFINITION): the SANCTIONED and HIGH RISK lines name venues, and any such bridge on a line of its own.
  const atRisk = (risk: Risk, role: 'venue' | 'bridge'): Hit[] => venues.filter((h) => h.risk === risk && reachedRole(h.category) === role);
  const sanctioned = atRisk('sanctioned', 'venue');
  const high = atRisk('high', 'venue');
  const seedsWithHits = new Set(result.hits.map((h) => h.seed.toLowerCase())).size;
  lines.push('');
  let summary =
    `  ${result.hits.length} hit${result.hits.length === 1 ? '' : 's'} (${venues.length} venue hit${venues.length === 1 ? '' : 's'}, ${perpetrators.length} known perpetrator${perpetrators.length === 1 ? '' : 's'}` +
    `${exits.length > 0 ? `, ${exits.length} exit${exits.length === 1 ? '' : 's'} to chains not followed` : ''}) from ${seedsWithHits} of ` +
    `${result.seeds.length} seed${result.seeds.length === 1 ? '' : 's'}`;
  if (result.hits.length === 0) summary = `  No labelled venue reached from ${result.seeds.length} seed${result.seeds.length === 1 ? '' : 's'}`;
  lines.push(st.title(summary));
  if (sanctioned.length > 0) {
    lines.push(st.sanctioned(`  SANCTIONED venue reached: ${entityList(sanctioned)}`));
  }
  if (high.length > 0) lines.push(st.high(`  HIGH RISK venue reached: ${entityList(high)}`));
  const bridgeWords = 'bridge entered (a crossing or an exit, not a venue)';
  if (atRisk('sanctioned', 'bridge').length > 0) lines.push(st.sanctioned(`  SANCTIONED ${bridgeWords}: ${entityList(atRisk('sanctioned', 'bridge'))}`));
  if (atRisk('high', 'bridge').length > 0) lines.push(st.high(`  HIGH RISK ${bridgeWords}: ${entityList(atRisk('high', 'bridge'))}`));
  if (perpetrators.length > 0) {
    const n = new Set(perpetrators.map((h) => h.address)).size;
    lines.push(st.high(`  KNOWN PERPETRATOR address${n === 1 ? '' : 'es'} reached (seed list): ${n}`));
  }
  const inferred = venues.filter((h) => h.evidence.level === 'inferred').length;
  const conflicts = new Set(result.hits.filter((h) => h.evidence.level === 'conflict').map((h) => h.address)).size;
  if (inferred > 0) lines.push(st.warn(`  ${inferred} hit${inferred === 1 ? ' rests' : 's rest'} on an inference alone (evidence: inferred), the rest on sourced labels`));
  if (conflicts > 0) lines.push(st.warn(`  ! ${conflicts} CONFLICT${conflicts === 1 ? '' : 'S'}: a heuristic or a second source disagrees with a sourced attribution; see the hits`));
  // A venue not sanctioned today may have been when the funds arrived (Tornado Cash in 2022–2025).
  const thenSanctioned = result.hits.filter((h) => h.labelAtHop.sanctionedAtHop && h.risk !== 'sanctioned');
  if (thenSanctioned.length > 0) {
    lines.push(st.sanctioned(`  SANCTIONED at the time of the hop (not today): ${entityList(thenSanctioned)}`));
  }
  if (partial) {
    const cov = result.coverage;
    const parts: string[] = [];
    if (cov.warnings.length > 0) parts.push(`${cov.warnings.length} warning${cov.warnings.length === 1 ? '' : 's'}`);
    if (cov.hubs.length > 0) parts.push(`${cov.hubs.length} hub${cov.hubs.length === 1 ? '' : 's'} not followed`);
    const blind = (['erc20', 'native', 'internal'] as const).filter((k) => cov[k] === null).map((k) => KIND_NAME[k]);
    if (blind.length > 0) parts.push(`${blind.join(', ')} not visible`);
    lines.push(st.warn(`  ! PARTIAL TRACE: ${parts.join('; ')}. See Coverage below.`));
  }
  return lines;
}

function entityList(hits: Hit[]): string {
  const names = [...new Set(hits.map((h) => cleanOptional(h.entity, MAX.entity, '(unnamed)')))];
  return names.join(', ');
}

/** Venues first (where funds can be frozen), then the known perpetrators, then the exits (leads for another chain's tools). */
export const HIT_KIND_ORDER: Record<Hit['kind'], number> = { venue: 0, 'known-perpetrator': 1, exit: 2 };

/**
 * Venues first (where funds can be frozen), then the known perpetrators the funds went through, then the exits; among
 * each, sanctioned first, then high risk; within a risk, fewest hops first; otherwise the walker's order.
 */
function sortHits(hits: Hit[]): Hit[] {
  const kind = (h: Hit): number => HIT_KIND_ORDER[h.kind];
  return hits
    .map((hit, i) => ({ hit, i }))
    .sort((a, b) => kind(a.hit) - kind(b.hit) || rank(a.hit) - rank(b.hit) || a.hit.hops - b.hit.hops || a.i - b.i)
    .map((x) => x.hit);
}

function rank(hit: Hit): number {
  return RISK_ORDER[hit.risk] ?? 3;
}

/**
 * A risk as every text shows it: `[SANCTIONED]`, `[HIGH RISK]`, `[standard]`. A risk no release writes
 * (a hand-edited report that `diff` reads back) is shown as it stands, cleaned, never as standard.
 */
export function riskTag(risk: Risk | (string & {}), st: Styles): string {
  switch (risk) {
    case 'sanctioned':
      return st.sanctioned('[SANCTIONED]');
    case 'high':
      return st.high('[HIGH RISK]');
    case 'standard':
      return st.dim('[standard]');
    default:
      return st.dim(`[${cleanText(risk, 16)}]`);
  }
}

/** What a path needs besides its steps: the run (chain names) and whether it spans several chains. */
interface PathView {
  result: TraceResult;
  multi: boolean;
}

function renderHit(hit: Hit, st: Styles, view: PathView): string[] {
  if (hit.kind === 'known-perpetrator') return renderPerpetratorHit(hit, st, view);
  if (hit.kind === 'exit') return renderExitHit(hit, st, view);
  const entity = cleanOptional(hit.entity, MAX.entity, '(unnamed)') + (hit.via === 'deposit' ? ' (likely deposit address)' : '');
  const styled = hit.risk === 'sanctioned' ? st.sanctioned(entity) : hit.risk === 'high' ? st.high(entity) : st.title(entity);
  const facts = [
    cleanText(hit.category, 24),
    `jurisdiction ${cleanOptional(hit.jurisdiction, MAX.jurisdiction, 'unknown')}`,
    `risk ${cleanText(hit.risk, 16)}` + (hit.labelAtHop.risk === hit.risk ? '' : ` (${cleanText(hit.labelAtHop.risk, 16)} at the hop)`),
    `${hit.hops} hop${hit.hops === 1 ? '' : 's'}`,
  ];
  const out = hit.direction === 'out';
  const lines: string[] = [];
  lines.push(`  ${riskTag(hit.risk, st)} ${styled} — ${facts.join(' · ')}`);
  const venue = fullAddress(hit.address);
  lines.push(`    venue     ${hit.risk === 'sanctioned' ? st.sanctioned(venue) : venue}${view.multi ? `  on ${chainLabel(view.result, hitChain(hit, view.result))}` : ''}`);
  lines.push(
    `    source    ${hit.via === 'deposit' ? 'hot wallet label: ' : ''}${hit.labelOrigin === 'user' ? 'user label: ' : ''}${cleanOptional(hit.labelSource, MAX.source, '(no source given)')}`,
  );
  lines.push(...evidenceLines(hit, st));
  lines.push(...renderAtHop(hit, st));
  lines.push(...depositLines(hit, st.warn));
  const blocks = hit.firstBlock === hit.lastBlock ? `block ${hit.firstBlock}` : `blocks ${hit.firstBlock}–${hit.lastBlock}`;
  lines.push(
    `    funds     ${out ? 'seed → … → venue: the seed’s funds reached this venue' : 'venue → … → seed: funds came to the seed from this venue'}` +
      `, ${blocks}`,
  );
  lines.push(`    path`);
  const steps = (path: PathStep[]): string[] => renderPath(path, view);
  lines.push(...steps(hit.path));
  lines.push(...renderPathNotes(hit, st));
  lines.push(...byValueLines(hit, steps));
  lines.push(`    ${out ? 'received by the venue' : 'sent by the venue'} (every traced transfer, per asset)`);
  // A payee reached by a crossing whose arrival no log names the asset of: the exit's promise, said as such.
  const arrival = hit.path[hit.path.length - 1];
  if (hit.totals.length === 0 && arrival?.crossing && arrival.asset === null) {
    lines.push(`      ${formatAssetAmount(arrival.amount, arrival.decimals, arrival.symbol, null)}${arrival.promised ? `  ${PROMISED_NOT_SEEN}` : ''}`);
  } else if (hit.totals.length === 0) lines.push(st.dim('      (none recorded)'));
  const amounts = hit.totals.map((t) => formatAssetAmount(t.amount, t.decimals, t.symbol, t.asset));
  const pad = Math.max(0, ...amounts.map((a) => [...a].length));
  hit.totals.forEach((t, i) => {
    const amount = amounts[i] ?? '';
    const contract = assetContract(t.asset);
    const count = `${formatCount(t.transfers)} transfer${t.transfers === 1 ? '' : 's'}`;
    lines.push(`      ${padEnd(amount, pad)}  ${count}${contract === null ? '' : `  token ${contract}`}`);
  });
  return lines;
}

/** How we know what the hit is: its evidence level, and both sides of a conflict. */
function evidenceLines(hit: Hit, st: Styles): string[] {
  const e = hit.evidence;
  const line = `    evidence  ${evidenceLine(e, hit.address, false)}`;
  return [e.level === 'label' ? line : st.warn(line)];
}

/** What is known of the addresses between the seed and the hit: annotations, never hits. */
function renderPathNotes(hit: Hit, st: Styles): string[] {
  return pathNotes(hit).map(({ address, evidence }) => {
    const text = `      note  ${shortAddress(address)} — ${evidenceLine(evidence, address, false)}`;
    return evidence.level === 'label' ? text : st.warn(text);
  });
}

/**
 * An exit hit: the funds entered a bridge whose destination this run did not follow. The decoded event
 * is a fact; where it goes and how much are the protocol's promise, said as such.
 */
function renderExitHit(hit: Hit, st: Styles, view: PathView): string[] {
  const e = hit.exit!;
  return [
    `  ${st.warn('[EXIT]')} ${st.title(exitLine(e))}`,
    `    to        ${exitDestination(view.result, e)} ${cleanOptional(e.recipient.text, 100, '(no recipient)')}: ${promisedText(e.promised)} (${cleanText(e.promised.asset ?? 'asset not named', 60)})`,
    `    bridge    ${fullAddress(hit.address)}  on ${chainLabel(view.result, hitChain(hit, view.result))} · ${hit.hops} hop${hit.hops === 1 ? '' : 's'}`,
    `    source    ${cleanOptional(hit.labelSource, MAX.source, '(no source given)')}`,
    `    evidence  ${exitEvidenceText(e)}`,
    ...(e.paid === null ? [] : [`    paid in   ${paidText(e.paid, hit.path)}`]),
    `    path`,
    ...renderPath(hit.path, view),
    ...renderPathNotes(hit, st),
  ];
}

/** What went into the bridge, with the symbol and decimals of the path's last step when it is that asset. */
export function paidText(paid: { asset: string; amount: bigint }, path: readonly PathStep[]): string {
  const last = path[path.length - 1];
  const same = last !== undefined && last.asset === paid.asset;
  return formatAssetAmount(paid.amount, same ? last.decimals : null, same ? last.symbol : null, paid.asset);
}

/** A known-perpetrator hit: the seed-list row reached, its tier and source, and the path to it. */
function renderPerpetratorHit(hit: Hit, st: Styles, view: PathView): string[] {
  const p = hit.perpetrator;
  const lines = [
    `  ${st.high('[KNOWN PERPETRATOR]')} ${st.high(cleanOptional(hit.entity, MAX.entity, '(unnamed)'))} — seed list · tier ${cleanText(p?.tier ?? 'none', 24)} · ${hit.hops} hop${hit.hops === 1 ? '' : 's'}`,
    `    address   ${fullAddress(hit.address)}${view.multi ? `  on ${chainLabel(view.result, hitChain(hit, view.result))}` : ''}`,
    `    incident  ${cleanOptional(p?.incident ?? null, MAX.label, '-')}`,
    `    source    ${cleanOptional(hit.labelSource, MAX.source, '(no source given)')}`,
    ...evidenceLines(hit, st),
    `    funds     ${hit.direction === 'out' ? 'seed → … → this address: the seed’s funds reached a known perpetrator (followed on: not a venue)' : 'this address → … → seed: funds came to the seed from a known perpetrator'}`,
    `    path`,
    ...renderPath(hit.path, view),
    ...renderPathNotes(hit, st),
  ];
  return lines;
}

/**
 * The main path by value beside the earliest path (graph/widest.ts): the widest route in time order,
 * and how many other routes there are. Shared by the text and Markdown reports (`steps` renders a path).
 */
export function byValueLines(hit: Hit, steps: (path: PathStep[]) => string[], indent = '    '): string[] {
  const b = hit.byValue;
  if (!b) return [];
  const arrival = b.path?.[b.path.length - 1];
  const amount = (v: bigint): string => (arrival ? formatAssetAmount(v, arrival.decimals, arrival.symbol, arrival.asset) : formatCount(Number(v)));
  const others = b.others.count === 0 ? 'no other route' : `${formatCount(b.others.count)}${b.others.truncated ? '+' : ''} other route${b.others.count === 1 ? '' : 's'} in time order, widths summing to ${amount(b.others.total)}`;
  if (!b.path || b.width === null) return [`${indent}main path by value: no route in time order stays in the asset of the arrival; ${others}`];
  const same = b.path.length === hit.path.length && b.path.every((s, i) => s.txHash === hit.path[i]?.txHash && s.ref === hit.path[i]?.ref);
  const head = `${indent}main path by value (widest in time order: every step carried at least ${amount(b.width)})`;
  return same ? [`${head}: the path above; ${others}`] : [head, ...steps(b.path), `${indent}  ${others}`];
}

/** The label at the time of the hop, when its dates say anything about it. */
function renderAtHop(hit: Hit, st: Styles): string[] {
  const at = hit.labelAtHop;
  if (at.note === null && at.risk === hit.risk) return [];
  const state = at.sanctionedAtHop ? st.sanctioned('SANCTIONED at the hop') : `${cleanText(at.risk, 16)} at the hop, not sanctioned`;
  return [`    at hop    ${state}${at.note === null ? '' : ` — ${cleanOptional(at.note, MAX.source, '')}`}`];
}

/**
 * One line per step; over several chains each names its chain (`[bsc]`), and a crossing step (`⇒`, from
 * the bridge contract on the chain left to the recipient the arrival paid) is followed by its link: the
 * protocol's own (a fact) or a heuristic match (an inference with its confidence).
 */
function renderPath(path: PathStep[], view: PathView): string[] {
  const rows = path.map((step) => {
    const crossing = stepCrossing(step);
    const kind = step.kind === 'native' || step.kind === 'erc20' || crossing ? '' : ` (${cleanText(step.kind, 10)})`;
    const chain = !view.multi ? '' : crossing ? `[${runChainName(view.result, crossing.fromChainId)} → ${runChainName(view.result, crossing.toChainId)}] ` : `[${runChainName(view.result, stepChain(step, view.result))}] `;
    return {
      move: `${chain}${shortAddress(step.from)} ${crossing ? '⇒' : '→'} ${shortAddress(step.to)}`,
      amount: formatAssetAmount(step.amount, step.decimals, step.symbol, step.asset) + kind,
      rest: `tx ${cleanText(step.txHash, 66)}  block ${step.blockNumber}  ${formatTime(step.timestamp)}`,
      crossing,
    };
  });
  const n = String(rows.length).length;
  const movePad = Math.max(0, ...rows.map((r) => [...r.move].length));
  const amountPad = Math.max(0, ...rows.map((r) => [...r.amount].length));
  // A swap the step's sender made before paying it is shown above the step: the taint crossed it.
  return rows.flatMap((r, i) => {
    const w = path[i]?.swap;
    const swapLine = w ? [`      ${' '.repeat(n)}  ${shortAddress(w.holder)} ${swapText(w)}`] : [];
    const line = `      ${String(i + 1).padStart(n)}  ${view.multi ? padEnd(r.move, movePad) : r.move}  ${padEnd(r.amount, amountPad)}  ${r.rest}`;
    if (!r.crossing) return [...swapLine, line];
    // The link is a fact (or an inference); an amount no arrival showed is the exit's promise, said so.
    const promise = path[i]?.promised ? [`      ${' '.repeat(n)}  note   ${PROMISED_NOT_SEEN}`] : [];
    return [...swapLine, line, `      ${' '.repeat(n)}  bridge ${crossingLine(view.result, r.crossing)}`, ...promise];
  });
}

function renderCoverage(result: TraceResult, st: Styles, width: number): string[] {
  const cov = result.coverage;
  const lines: string[] = [st.heading('Coverage')];
  for (const k of ['erc20', 'native', 'internal'] as const) {
    const how = cov[k];
    const label = KIND_NAME[k].padEnd(20);
    lines.push(how === null ? st.warn(`  ! ${label}not visible`) : `    ${label}${cleanText(how, 80)}`);
  }
  if (cov.warnings.length === 0 && cov.hubs.length === 0) {
    lines.push(st.ok('    no warnings'));
  }
  for (const w of cov.warnings) {
    const text = cleanOptional(w, MAX.warning, '(empty warning)');
    for (const line of wrap(`! ${text}`, width - 2, '  ')) lines.push(st.warn(`  ${line}`));
  }
  if (cov.hubs.length > 0) {
    lines.push(
      st.warn(
        `  ! ${cov.hubs.length} hub${cov.hubs.length === 1 ? '' : 's'} not followed ` +
          `(more than ${formatCount(result.params.fanOutCap)} counterparties, the fan-out cap, or seen as one before fetching):`,
      ),
    );
    for (const hub of cov.hubs) lines.push(hubLine(hub));
  }
  return lines;
}

/** One line per hub: the address, why the branch stopped there, the degree and the hop. */
function hubLine(hub: Hub): string {
  const why =
    hub.kind === 'token'
      ? 'an ERC-20 token contract'
      : hub.kind === 'busy-sender'
        ? `has sent ${formatCount(hub.degree)} transactions (nonce)`
        : `${formatCount(hub.degree)} counterparties`;
  return `      ${fullAddress(hub.address)}  ${why}  at hop ${hub.hop}: branch stopped here, worth a label`;
}

function renderStats(result: TraceResult, st: Styles): string[] {
  const s = result.stats;
  const lines: string[] = [st.heading('Stats')];
  lines.push(`    RPC calls     ${formatCount(s.rpcCalls.total)} total`);
  const methods = Object.entries(s.rpcCalls.byMethod)
    .map(([m, n]) => ({ m: cleanText(m, MAX.method), n }))
    .sort((a, b) => b.n - a.n || (a.m < b.m ? -1 : a.m > b.m ? 1 : 0));
  const pad = Math.max(0, ...methods.map((x) => x.m.length));
  const countPad = Math.max(0, ...methods.map((x) => formatCount(x.n).length));
  for (const { m, n } of methods) lines.push(`      ${m.padEnd(pad)}  ${formatCount(n).padStart(countPad)}`);
  lines.push(`    addresses     ${formatCount(s.addressesVisited)} visited`);
  lines.push(
    `    transfers     ${formatCount(s.transfersStored)} stored, ${formatCount(s.transfersFollowed)} followed, ` +
      `${formatCount(s.transfersSkipped)} skipped`,
  );
  if (s.sweepLookups > 0 || s.depositsLearned > 0) {
    lines.push(`    deposits      ${formatCount(s.depositsLearned)} learned, ${formatCount(s.sweepLookups)} sweep lookup${s.sweepLookups === 1 ? '' : 's'}`);
  }
  lines.push(`    duration      ${formatDuration(s.durationMs)}`);
  return lines;
}

/** Unix seconds → `2025-02-21 15:48 UTC`; unknown or impossible times say so. */
export function formatTime(timestamp: number | null): string {
  if (timestamp === null || !Number.isFinite(timestamp) || Math.abs(timestamp) > 8.64e12) return 'time unknown';
  const iso = new Date(timestamp * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** `850 ms`, `12.3 s`, `4 min 05 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalS = Math.round(ms / 1000);
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const sec = String(totalS % 60).padStart(2, '0');
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min ${sec} s` : `${m} min ${sec} s`;
}

function padEnd(s: string, width: number): string {
  const len = [...s].length;
  return len >= width ? s : s + ' '.repeat(width - len);
}

/** Word-wraps at spaces; a word longer than the line (a URL) stays whole. */
function wrap(text: string, width: number, indent: string): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line === '') line = word;
    else if ([...line].length + 1 + [...word].length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = indent + word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
