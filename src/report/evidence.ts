import type { Evidence, EvidenceSource, Hit, PathStep, TraceResult } from '../trace/result.js';
import type { Address } from '../types.js';
import { shortAddress } from './address.js';
import { accountKey } from './chains.js';
import { hitChain, stepChain, stepCrossing } from './crossChain.js';
import { cleanOptional, cleanText } from './sanitize.js';

/**
 * Evidence levels in words, shared by every renderer (text, Markdown, HTML, CSV, graph exports), so
 * that each says the same thing of an address: a sourced label, an inference (named, with confidence
 * and reasons) or a conflict (both sides).
 */

const MAX = { name: 80, source: 300, reason: 160 };

/** One sourced attribution in words: "Binance, exchange, hot-wallet (bundled label: <source>)". */
export function sourceText(s: EvidenceSource, withSource = true): string {
  const name = cleanOptional(s.name, MAX.name, '(unnamed)');
  const what =
    s.kind === 'seed'
      ? `known perpetrator ${name} (seed list, ${cleanText(s.tier ?? 'no tier', 24)}, ${cleanOptional(s.incident, MAX.name, 'no incident')}`
      : `${name}, ${cleanText(s.category, 24)}${s.role && s.role !== 'unknown' ? `, ${cleanText(s.role, 16)}` : ''} (${s.kind === 'bridge' ? 'bridge registry, data/bridges.csv' : `${s.origin} label`}`;
  return `${what}${withSource ? `: ${cleanOptional(s.source, MAX.source, '(no source given)')}` : ''})`;
}

/** The heuristic's verdict in words: "likely a Binance deposit address (heuristic exchange-deposit-address, medium: …)". */
export function inferenceText(e: Evidence, address: Address, withReasons = true): string {
  const i = e.inference!;
  const reasons = withReasons && i.reasons.length > 0 ? `: ${i.reasons.map((r) => cleanOptional(r, MAX.reason, '')).join('; ')}` : '';
  return (
    `${shortAddress(address)} is likely a ${cleanOptional(i.entity, MAX.name, '(unnamed)')} deposit address ` +
    `(inferred by the ${i.heuristic} heuristic, ${cleanText(i.confidence, 8)}${i.origin === 'learned' ? ', learned by an earlier trace' : ''}${reasons})`
  );
}

/**
 * The evidence on an address in one line, led by its level: `label: …`, `inferred: …`,
 * `CONFLICT: <both sides> — source: … — the heuristic's reasons: …`. Without `withSource` the sources'
 * citations are left out (the text report prints them on their own line).
 */
export function evidenceLine(e: Evidence, address: Address, withSource = true): string {
  switch (e.level) {
    case 'label':
      return `label: ${e.sources.map((s) => sourceText(s, withSource)).join('; ')}`;
    case 'inferred':
      return `inferred: ${inferenceText(e, address)}`;
    case 'conflict': {
      // The sentence already names both sides; the sources' citations and the heuristic's reasons follow.
      const parts = [`CONFLICT: ${cleanOptional(e.conflict, MAX.source, 'sources disagree')}`];
      if (withSource) parts.push(...e.sources.map((s) => `source: ${sourceText(s)}`));
      if (e.inference && e.inference.reasons.length > 0) {
        parts.push(`the heuristic's reasons: ${e.inference.reasons.map((r) => cleanOptional(r, MAX.reason, '')).join('; ')}`);
      }
      return parts.join(' — ');
    }
  }
}

/**
 * The addresses on a hit's path other than its seed and the hit's own address, each with what is known
 * of it (in path order, each once): the annotations a report shows under the path.
 */
export function pathNotes(hit: Hit): { address: Address; evidence: Evidence }[] {
  const out = new Map<Address, Evidence>();
  const note = (address: Address, e: PathStep['toEvidence']): void => {
    if (e === null || address === hit.seed || address === hit.address || out.has(address)) return;
    out.set(address, e);
  };
  for (const step of hit.path) {
    note(step.from, step.fromEvidence);
    note(step.to, step.toEvidence);
  }
  return [...out].map(([address, evidence]) => ({ address, evidence }));
}

/** What a report knows of each address, by chain: the same address on two chains is two entries. */
export interface EvidenceIndex {
  get(chainId: number, address: Address): Evidence | undefined;
}

/**
 * Everything a report knows of each address on each chain: the hits' own evidence first, then what path
 * steps say of their endpoints (each on the chain of its step: a crossing step's `from` is on the chain
 * it left), then the run's other verdicts (`TraceResult.inferences`, on the home chain, also on
 * addresses no path shows). What the graph exports and venue tables show beside an address.
 */
export function evidenceIndex(result: Pick<TraceResult, 'hits' | 'inferences' | 'chainId'>): EvidenceIndex {
  const out = new Map<string, Evidence>();
  const home = result.chainId;
  const set = (chainId: number, address: Address, e: Evidence, over = false): void => {
    const k = accountKey(chainId, address);
    if (over || !out.has(k)) out.set(k, e);
  };
  for (const i of result.inferences ?? []) if (i.evidence.level === 'conflict') set(home, i.address, i.evidence);
  for (const h of result.hits) set(hitChain(h, result), h.address, h.evidence, h.evidence.level === 'conflict');
  for (const h of result.hits) {
    for (const s of h.path) {
      const on = stepChain(s, result);
      const crossing = stepCrossing(s);
      if (s.fromEvidence) set(crossing ? crossing.fromChainId : on, s.from, s.fromEvidence);
      if (s.toEvidence) set(on, s.to, s.toEvidence);
    }
  }
  for (const i of result.inferences ?? []) set(home, i.address, i.evidence);
  return { get: (chainId, address) => out.get(accountKey(chainId, address)) };
}
