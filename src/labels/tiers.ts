import { UsageError } from '../errors.js';
import type { Seed, SeedTier } from '../types.js';

/**
 * `--tier` values: one attribution tier of data/lazarus-seeds.csv, or `official` for both government
 * tiers (OFAC's SDN list and the FBI's releases).
 */
export const TIER_FILTERS = Object.freeze(['official', 'official:OFAC', 'official:FBI', 'label:Etherscan', 'researcher'] as const);
export type TierFilter = (typeof TIER_FILTERS)[number];

const TIERS_OF: Record<TierFilter, readonly SeedTier[]> = {
  official: ['official:OFAC', 'official:FBI'],
  'official:OFAC': ['official:OFAC'],
  'official:FBI': ['official:FBI'],
  'label:Etherscan': ['label:Etherscan'],
  researcher: ['researcher'],
};

/**
 * The tiers a `--tier` value selects. Case-insensitive (`official:ofac` is `official:OFAC`).
 *
 * @throws UsageError for any other value, listing the valid ones.
 * @example parseTierFilter('official') // ['official:OFAC', 'official:FBI']
 */
export function parseTierFilter(value: string): readonly SeedTier[] {
  const wanted = value.trim().toLowerCase();
  const match = TIER_FILTERS.find((t) => t.toLowerCase() === wanted);
  if (match === undefined) {
    throw new UsageError(`--tier "${value}" is not one of ${TIER_FILTERS.join(', ')}.`, {
      hint: 'official = both government tiers (OFAC SDN list and FBI releases); see data/README.md',
    });
  }
  return TIERS_OF[match];
}

/** The seeds whose tier is one of `tiers` (a seed without a tier never matches). */
export function filterByTier<S extends Pick<Seed, 'tier'>>(seeds: readonly S[], tiers: readonly SeedTier[]): S[] {
  return seeds.filter((s) => s.tier !== null && tiers.includes(s.tier));
}
