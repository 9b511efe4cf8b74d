import type { Seed, SeedTier } from '../types.js';
import { checkLabelChain } from './chains.js';
import type { DataDirOptions } from './files.js';
import { findIncident, incidentSlug, listIncidents, loadSeeds, resolveSeedList } from './seeds.js';
import { filterByTier } from './tiers.js';

/** One incident of the seed data, as `hoptrace seeds` shows it. */
export interface IncidentSeeds {
  /** The incident text as in data/lazarus-seeds.csv. */
  incident: string;
  /** Its key for `--seeds` / `--incident`. */
  slug: string;
  count: number;
  /** Seeds per attribution tier (`none` for a seed without one), strongest tier first. */
  tiers: Record<string, number>;
  /** Seeds per label chain. */
  chains: Record<string, number>;
  /** The documents the seeds rest on (the ` | `-separated parts of their sources), most cited first. */
  sources: { source: string; seeds: number }[];
  /** The seeds themselves, in file order (only when asked for: one incident). */
  seeds?: Seed[];
}

export interface SeedQuery {
  /** An incident key, prefix or text; `all` / `lazarus` or absent = every incident. */
  incident?: string;
  /** Only seeds of these tiers. */
  tiers?: readonly SeedTier[];
  /**
   * Only seeds that apply on this label chain, one per address as a trace would take them
   * (resolveSeedList); absent = every row of every chain.
   */
  labelChain?: string;
  /** Put the seeds in each incident (default: when one incident is asked for). */
  withSeeds?: boolean;
}

const TIER_ORDER = ['official:OFAC', 'official:FBI', 'label:Etherscan', 'researcher', 'none'];

/**
 * The seeds grouped by incident, most seeds first, with their tiers, chains and sources.
 *
 * @throws UsageError for an unknown incident name or label chain.
 * @example seedsByIncident({ incident: 'bybit', tiers: ['official:FBI'] })[0]?.count // 51
 */
export function seedsByIncident(query: SeedQuery = {}, opts?: DataDirOptions): IncidentSeeds[] {
  const incident = query.incident === undefined ? null : findIncident(query.incident, opts);
  let seeds: Seed[];
  if (query.labelChain !== undefined) {
    checkLabelChain(query.labelChain);
    seeds = resolveSeedList('all', query.labelChain, opts);
  } else {
    seeds = loadSeeds(opts);
  }
  if (incident !== null) seeds = seeds.filter((s) => s.incident === incident);
  if (query.tiers !== undefined) seeds = filterByTier(seeds, query.tiers);
  const slugs = new Map(listIncidents(undefined, opts).map((i) => [i.incident, i.slug]));
  const withSeeds = query.withSeeds ?? incident !== null;

  const groups = new Map<string, Seed[]>();
  for (const s of seeds) groups.set(s.incident, [...(groups.get(s.incident) ?? []), s]);
  return [...groups]
    .map(([text, list]): IncidentSeeds => ({
      incident: text,
      slug: slugs.get(text) ?? incidentSlug(text),
      count: list.length,
      tiers: countBy(list, (s) => s.tier ?? 'none', TIER_ORDER),
      chains: countBy(list, (s) => s.chain),
      sources: sourceParts(list),
      ...(withSeeds ? { seeds: list } : {}),
    }))
    .sort((a, b) => b.count - a.count || a.slug.localeCompare(b.slug));
}

function countBy(list: readonly Seed[], key: (s: Seed) => string, order?: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const s of list) counts.set(key(s), (counts.get(key(s)) ?? 0) + 1);
  const rank = (k: string): number => (order?.includes(k) ? order.indexOf(k) : Number.MAX_SAFE_INTEGER);
  return Object.fromEntries([...counts].sort(([a, na], [b, nb]) => rank(a) - rank(b) || nb - na || a.localeCompare(b)));
}

function sourceParts(list: readonly Seed[]): { source: string; seeds: number }[] {
  const counts = new Map<string, number>();
  for (const s of list) {
    for (const part of new Set(s.source.split(' | ').map((p) => p.trim()).filter((p) => p !== ''))) {
      counts.set(part, (counts.get(part) ?? 0) + 1);
    }
  }
  return [...counts].map(([source, seeds]) => ({ source, seeds })).sort((a, b) => b.seeds - a.seeds || a.source.localeCompare(b.source));
}
