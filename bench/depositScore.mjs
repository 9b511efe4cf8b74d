/**
 * Scores a trace's deposit-address claims against the generator's truth (bench/depositChain.mjs).
 * Pure: no node, no store; bench/deposits.mjs feeds it a real runTrace result.
 */

export const LEVELS = ['high', 'medium', 'low'];
/** Confidence sets scored: each level alone, then cumulative. */
export const LEVEL_SETS = {
  high: ['high'],
  medium: ['medium'],
  low: ['low'],
  '≥medium': ['high', 'medium'],
  '≥low': ['high', 'medium', 'low'],
};
/** Decoy kinds that forward everything into a labelled venue: their venue must be a hit wherever they are claimed. */
export const FORWARDS_INTO_LABELLED = new Set(['peel-end', 'token-forward', 'forward-to-deposit']);

/**
 * The trace's deposit-address claims, address → confidence, and the addresses that are hits on their
 * own label. The only code of the bench that reads the hit shape (report schema 2): a claim is an
 * `inferred` evidence, on a hit (the last hop) or on a path step's address (an annotation); a venue hit
 * whose evidence is `label` is the labelled address itself. Adapt here when the shape changes.
 */
export function readHits(hits, inferences = []) {
  const rank = (c) => LEVELS.indexOf(c);
  const claims = new Map();
  const reasons = new Map();
  const labelled = new Set();
  const claim = (address, evidence) => {
    // A conflict is a verdict the report refuses (a sourced attribution stands): not a claim.
    if (!evidence || evidence.level !== 'inferred' || !evidence.inference) return;
    const prior = claims.get(address);
    if (prior === undefined || rank(evidence.inference.confidence) < rank(prior)) {
      claims.set(address, evidence.inference.confidence);
      reasons.set(address, evidence.inference.reasons ?? []);
    }
  };
  for (const hit of hits) {
    // A hit that rests on the inference alone (the last hop), and the annotations on the steps of every
    // path (an address the walk went through, taken for a deposit address of the venue it paid).
    claim(hit.address, hit.evidence);
    for (const step of hit.path ?? []) {
      claim(step.from, step.fromEvidence);
      claim(step.to, step.toEvidence);
    }
    if (hit.kind === 'venue' && hit.evidence?.level === 'label') labelled.add(hit.address);
  }
  // Every verdict of the run, also on addresses no hit's path shows (report.inferences).
  for (const i of inferences) claim(i.address, i.evidence);
  return { claims, labelled, reasons };
}

const ratio = (a, b) => (b === 0 ? null : a / b);

/**
 * Precision and recall per confidence level, counts per kind, and the "venue beside the claim" check.
 * `truth`: the generator's targets ({ address, truth: 'deposit'|'decoy', kind, venue?, venueHop? });
 * `hits`: the trace's hits; `hops`: the trace's hop limit (a venue beyond it cannot be a hit).
 */
export function scoreDeposits(truth, hits, hops, inferences = []) {
  const { claims, labelled, reasons } = readHits(hits, inferences);
  const byAddress = new Map(truth.map((t) => [t.address, t]));
  const deposits = truth.filter((t) => t.truth === 'deposit').length;
  // Claims about addresses the plan never made a target (a laundering hop, a customer): false positives too.
  const unplanned = [...claims].filter(([a]) => !byAddress.has(a)).map(([address, confidence]) => ({ address, confidence }));

  const levels = {};
  for (const [name, set] of Object.entries(LEVEL_SETS)) {
    let tp = 0;
    let fp = unplanned.filter((u) => set.includes(u.confidence)).length;
    for (const t of truth) {
      const c = claims.get(t.address);
      if (c === undefined || !set.includes(c)) continue;
      if (t.truth === 'deposit') tp++;
      else fp++;
    }
    levels[name] = { tp, fp, fn: deposits - tp, precision: ratio(tp, tp + fp), recall: ratio(tp, deposits) };
  }

  const kinds = {};
  for (const t of truth) {
    const k = (kinds[t.kind] ??= { truth: t.truth, n: 0, high: 0, medium: 0, low: 0, none: 0 });
    k.n++;
    k[claims.get(t.address) ?? 'none']++;
  }
  for (const k of Object.values(kinds)) {
    const claimed = k.n - k.none;
    Object.assign(k, k.truth === 'deposit' ? { tp: claimed, fp: 0, fn: k.none } : { tp: 0, fp: claimed, fn: 0 });
  }
  if (unplanned.length > 0) {
    const k = (kinds.unplanned = { truth: 'decoy', n: unplanned.length, high: 0, medium: 0, low: 0, none: 0, tp: 0, fp: unplanned.length, fn: 0 });
    for (const u of unplanned) k[u.confidence]++;
  }

  const beside = { checked: 0, claimed: 0, withVenue: 0, withoutVenue: 0, beyondHops: 0, examples: [] };
  for (const t of truth) {
    if (t.truth !== 'decoy' || !FORWARDS_INTO_LABELLED.has(t.kind)) continue;
    if (t.venueHop > hops) {
      beside.beyondHops++;
      continue;
    }
    beside.checked++;
    if (!claims.has(t.address)) continue;
    beside.claimed++;
    if (labelled.has(t.venue)) beside.withVenue++;
    else {
      beside.withoutVenue++;
      if (beside.examples.length < 3) beside.examples.push({ address: t.address, kind: t.kind, venue: t.venue });
    }
  }

  // Every wrong answer by address, so a run can be checked on chain: missed deposit addresses and false claims.
  const wrong = [
    ...truth.filter((t) => (t.truth === 'deposit') !== claims.has(t.address)).map((t) => ({ address: t.address, kind: t.kind, hop: t.hop, claimed: claims.get(t.address) ?? null })),
    ...unplanned.map((u) => ({ address: u.address, kind: 'unplanned', hop: null, claimed: u.confidence })),
  ];
  // The same at `high`, with the verdict's reasons: deposit addresses not claimed high (what kept them
  // lower) and decoys claimed high (the signal that made them high).
  const wrongAtHigh = [
    ...truth
      .filter((t) => (t.truth === 'deposit') !== (claims.get(t.address) === 'high'))
      .map((t) => ({ address: t.address, kind: t.kind, hop: t.hop, cycles: t.cycles ?? null, claimed: claims.get(t.address) ?? null, reasons: reasons.get(t.address) ?? [] })),
    ...unplanned.filter((u) => u.confidence === 'high').map((u) => ({ address: u.address, kind: 'unplanned', hop: null, cycles: null, claimed: u.confidence, reasons: reasons.get(u.address) ?? [] })),
  ];

  const high = levels.high;
  const targets = {
    highPrecision: { value: high.precision, goal: 0.95, met: high.precision !== null && high.precision >= 0.95 },
    highRecall: { value: high.recall, goal: 0.8, met: high.recall !== null && high.recall >= 0.8 },
    venueBeside: { value: beside.withoutVenue, goal: 0, met: beside.withoutVenue === 0 },
  };
  return { deposits, decoys: truth.length - deposits, claims: claims.size, levels, kinds, beside, targets, wrong, wrongAtHigh };
}
