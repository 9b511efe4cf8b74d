import type { Address, Label, Seed } from '../types.js';
import type { Evidence, EvidenceInference, EvidenceSource } from './result.js';
import type { DepositFinding } from './walk.js';

/**
 * Evidence levels (trace/result.ts Evidence): what a report says about an address, and how it knows.
 * A fact (a sourced label or the seed list) is `label`; a heuristic's verdict alone is `inferred`; a
 * verdict, or a second source, against a sourced attribution is `conflict`, both sides kept.
 */

/** A venue label as a source of evidence. */
export function venueSource(label: Label): EvidenceSource {
  return {
    kind: 'venue',
    origin: label.origin,
    name: label.entity,
    category: label.category,
    role: label.role,
    tier: null,
    incident: null,
    source: label.source,
  };
}

/** A seed-list row as a source of evidence (the bundled list: there is no user seed list yet). */
export function seedSource(seed: Seed): EvidenceSource {
  return {
    kind: 'seed',
    origin: 'bundled',
    name: seed.label,
    category: 'known-perpetrator',
    role: null,
    tier: seed.tier,
    incident: seed.incident,
    source: seed.source,
  };
}

/** A deposit-address verdict as evidence. */
export function depositInference(finding: DepositFinding): EvidenceInference {
  const e = finding.evidence;
  return {
    heuristic: 'exchange-deposit-address',
    entity: e.entity,
    hotWallet: e.hotWallet,
    confidence: e.confidence,
    reasons: [...e.reasons],
    origin: finding.known ? 'learned' : 'detected',
  };
}

/**
 * The evidence on an address from what is known of it: its sourced attributions and a heuristic's
 * verdict. Null when nothing is known. A verdict beside any source, or a venue label beside the seed
 * list, is a conflict.
 */
export function evidenceOf(address: Address, sources: readonly EvidenceSource[], inference: EvidenceInference | null): Evidence | null {
  if (sources.length === 0 && inference === null) return null;
  if (sources.length === 0) return { level: 'inferred', sources: [], inference, conflict: null };
  const seed = sources.find((s) => s.kind === 'seed');
  const venue = sources.find((s) => s.kind === 'venue');
  let conflict: string | null = null;
  if (inference !== null) {
    const attributed = seed
      ? `is on the seed list (${seed.tier ?? 'no tier'}, ${seed.incident ?? 'no incident'})`
      : `is labelled ${venue!.name} (${venue!.category}, ${venue!.origin} label)`;
    conflict =
      `${address} ${attributed}, but the exchange deposit-address heuristic takes it for a ${inference.entity} deposit ` +
      `address (${inference.confidence}): the sourced attribution stands, the heuristic's verdict is not used.`;
  } else if (seed && venue) {
    conflict = `${address} is labelled ${venue.name} (${venue.category}, ${venue.origin} label) and is on the seed list (${seed.tier ?? 'no tier'}, ${seed.incident ?? 'no incident'}): two sources disagree.`;
  }
  return { level: conflict === null ? 'label' : 'conflict', sources: [...sources], inference, conflict };
}

/** What the walk and the data know of addresses, to put evidence on hits and path steps. */
export interface EvidenceContext {
  labels: { get(address: Address): Label | undefined };
  seedList?: { get(address: Address): Seed | undefined };
  /** Verdicts of the deposit heuristic (annotations and conflicts), by address. */
  inferences: ReadonlyMap<Address, DepositFinding>;
}

/**
 * Whether a label applies at a moment (Unix seconds; null = unknown, taken as in force): a user label's
 * validFrom / validTo window, by calendar day in UTC. Outside it the address was nobody's venue.
 */
export function labelInForceAt(label: Label, unixSeconds: number | null): boolean {
  if (unixSeconds === null || (label.validFrom === null && label.validTo === null)) return true;
  const day = new Date(unixSeconds * 1000).toISOString().slice(0, 10);
  return (label.validFrom === null || day >= label.validFrom) && (label.validTo === null || day <= label.validTo);
}

/**
 * `labelInForceAt` at a block, its time read through `blockTime` only for a dated label (an undated
 * one asks for no block time): the one rule the walk and the deposit check both apply.
 */
export function labelInForceOn(blockTime: (block: number) => Promise<number | null>): (label: Label, block: number) => Promise<boolean> {
  return async (label, block) => (label.validFrom === null && label.validTo === null) || labelInForceAt(label, await blockTime(block));
}

/**
 * The evidence on one address at the time of a step (Unix seconds, null when unknown): its label if in
 * force then, its seed-list row, the heuristic's verdict on it.
 */
export function addressEvidence(ctx: EvidenceContext, address: Address, at: number | null = null): Evidence | null {
  const sources: EvidenceSource[] = [];
  const label = ctx.labels.get(address);
  if (label && labelInForceAt(label, at)) sources.push(venueSource(label));
  const seed = ctx.seedList?.get(address);
  if (seed) sources.push(seedSource(seed));
  const finding = ctx.inferences.get(address);
  return evidenceOf(address, sources, finding ? depositInference(finding) : null);
}
