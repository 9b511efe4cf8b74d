import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { Address, Seed, SeedTier } from '../types.js';
import { checkLabelChain, EVM_ANY } from './chains.js';
import { dataFileError, readCsvFile } from './csv.js';
import { checkAddress, checkChain, checkText, uniquePairs } from './fields.js';
import { resolveDataDir, SEEDS_FILE, type DataDirOptions } from './files.js';

/** Names that select every seed applicable on the chain, whatever the incident. */
export const ALL_SEEDS_NAMES = Object.freeze(['lazarus', 'all'] as const);

/** One incident of the seed file and how many seeds it has (on a chain, or in all). */
export interface IncidentSummary {
  /** The incident text exactly as in the file. */
  incident: string;
  /** Its short key for resolveSeedList (see incidentSlug). */
  slug: string;
  count: number;
}

/**
 * Tiers strongest first: a government list outranks an explorer tag, which outranks a researcher's
 * attribution. Used to pick the row that stands for an address listed more than once.
 */
const TIER_RANK: Record<SeedTier, number> = {
  'official:OFAC': 0,
  'official:FBI': 1,
  'label:Etherscan': 2,
  researcher: 3,
};
const SEED_TIERS = Object.keys(TIER_RANK) as SeedTier[];
const TIER_PREFIX = /^\[([^\]]*)\]\s*/;

/**
 * Short keys for the incidents of the bundled seed file, matched on the start of the incident text.
 * They are part of the CLI (`--seeds bybit`), so they are listed here rather than computed: a reworded
 * incident keeps its key. Order matters only in that the first matching prefix wins.
 */
const INCIDENT_SLUGS: readonly (readonly [prefix: string, slug: string])[] = [
  ['Bybit hack', 'bybit'],
  ['Ronin Bridge', 'ronin'],
  ['Harmony Horizon Bridge', 'harmony'],
  ['Stake.com', 'stake'],
  ['Poloniex', 'poloniex'],
  ['HTX (Huobi)', 'htx'],
  ['WazirX', 'wazirx'],
  ['CoinEx', 'coinex'],
  ['AlphaPo', 'alphapo'],
  ['Deribit', 'deribit'],
  ['Liquid Global', 'liquid'],
  ['KuCoin', 'kucoin'],
  ['Atomic Wallet', 'atomic'],
  ['Upbit', 'upbit'],
  ['DPRK revenue laundering', 'dprk-laundering'],
  ['DPRK IT-worker network (OFAC 2023', 'it-workers-2023'],
  ['DPRK IT-worker network (OFAC 2026', 'it-workers-2026'],
];

/**
 * The short key of an incident: from the table above, or else, for an incident added to the data
 * later, its first word in lower-case letters and digits plus the first four-digit year in the text
 * (`"Foo Exchange theft 2027-01-02"` → `foo-2027`).
 */
export function incidentSlug(incident: string): string {
  for (const [prefix, slug] of INCIDENT_SLUGS) if (incident.startsWith(prefix)) return slug;
  const word = (incident.trim().split(/\s+/)[0] ?? '').toLowerCase().replace(/\..*$/, '').replace(/[^a-z0-9]/g, '');
  const year = /\b(\d{4})\b/.exec(incident)?.[1];
  return [word || 'incident', year].filter((p) => p !== undefined).join('-');
}

/** A checked seed file: its seeds in file order and each incident's key. */
interface SeedFile {
  seeds: readonly Seed[];
  slugs: ReadonlyMap<string, string>;
}

// The seed file is ~330 KB; parse and check it once per process and path.
const fileCache = new Map<string, SeedFile>();

function readSeedFile(opts?: DataDirOptions): SeedFile {
  const file = join(resolveDataDir(opts), SEEDS_FILE);
  const cached = fileCache.get(file);
  if (cached !== undefined) return cached;

  const unique = uniquePairs();
  const slugs = new Map<string, string>();
  const incidentBySlug = new Map<string, string>();
  const seeds = readCsvFile(file, ['address', 'chain', 'label', 'incident', 'source'] as const).map(
    ({ line, row }) => {
      const at = { file, line };
      const address = checkAddress(at, row.address);
      const chain = checkChain(at, row.chain);
      unique(at, address, chain);
      const incident = checkText(at, 'incident', row.incident);
      if (!slugs.has(incident)) {
        const slug = incidentSlug(incident);
        const other = incidentBySlug.get(slug);
        if (other !== undefined || (ALL_SEEDS_NAMES as readonly string[]).includes(slug)) {
          throw dataFileError(file, line, `incident "${incident}" gets the key "${slug}", already taken by ${other === undefined ? 'a reserved name' : `"${other}"`}`);
        }
        slugs.set(incident, slug);
        incidentBySlug.set(slug, incident);
      }
      const { tier, text } = splitTier(file, line, checkText(at, 'label', row.label));
      const seed: Seed = { address, chain, label: text, incident, tier, source: checkText(at, 'source', row.source) };
      return Object.freeze(seed);
    },
  );
  const parsed: SeedFile = { seeds: Object.freeze(seeds), slugs };
  fileCache.set(file, parsed);
  return parsed;
}

/** `[official:FBI] text` → tier and text. No prefix → tier null; an unknown tier is a bad row. */
function splitTier(file: string, line: number, label: string): { tier: SeedTier | null; text: string } {
  const m = TIER_PREFIX.exec(label);
  if (m === null) return { tier: null, text: label };
  const tier = m[1] ?? '';
  if (!(SEED_TIERS as string[]).includes(tier)) {
    throw dataFileError(file, line, `label tier "[${tier}]" is not one of ${SEED_TIERS.map((t) => `[${t}]`).join(', ')}`);
  }
  return { tier: tier as SeedTier, text: label.slice(m[0].length) };
}

/**
 * Every seed of `<dataDir>/lazarus-seeds.csv`, all chains, in file order. `tier` comes from the `[tier]`
 * prefix of the file's label, and `label` is the rest of the text. Throws a HoptraceError naming file
 * and line for the first bad row. The Seed objects are frozen: they are shared through the per-process
 * cache.
 */
export function loadSeeds(opts?: DataDirOptions): Seed[] {
  return [...readSeedFile(opts).seeds];
}

/**
 * The incidents of the seed file with their seed counts, most seeds first (ties by key). With
 * `labelChain` given (null = a chain the data does not know) only seeds that apply on it are counted,
 * as resolveSeedList would return them, and incidents without any are left out; without it every row
 * of every chain counts.
 */
export function listIncidents(labelChain?: string | null, opts?: DataDirOptions): IncidentSummary[] {
  const { seeds, slugs } = readSeedFile(opts);
  const counts = new Map<string, number>();
  if (labelChain === undefined) {
    for (const s of seeds) counts.set(s.incident, (counts.get(s.incident) ?? 0) + 1);
  } else {
    checkLabelChain(labelChain);
    for (const s of pickPerAddress(seeds, labelChain)) counts.set(s.incident, (counts.get(s.incident) ?? 0) + 1);
  }
  return [...counts]
    .map(([incident, count]) => ({ incident, slug: slugs.get(incident) ?? incidentSlug(incident), count }))
    .sort((a, b) => b.count - a.count || a.slug.localeCompare(b.slug));
}

/**
 * The seeds to start a trace from, on one chain.
 *
 * `name` (case-insensitive, trimmed): `lazarus` or `all` = every seed that applies on the chain;
 * otherwise an incident key (`bybit`, `ronin`, … see incidentSlug), a unique prefix of one (`polo` →
 * `poloniex`), or the full incident text. A seed applies when its chain is `labelChain` or `evm`.
 *
 * Each address appears once. When several rows apply to one address, the row kept is the
 * chain-specific one over an `evm` one, then the strongest tier (OFAC > FBI > Etherscan > researcher),
 * then the first in the file; the list is in file order of each address's first row.
 *
 * @throws UsageError for an unknown or ambiguous name (the message lists the valid names), for an
 *   unknown label chain, and when nothing applies on the chain (the hint names the chains that have some).
 * @example resolveSeedList('bybit', 'ethereum').length // 75
 */
export function resolveSeedList(name: string, labelChain: string | null, opts?: DataDirOptions): Seed[] {
  checkLabelChain(labelChain);
  const { seeds, slugs } = readSeedFile(opts);
  const incident = findIncident(name, opts);
  const candidates = incident === null ? seeds : seeds.filter((s) => s.incident === incident);
  const picked = pickPerAddress(candidates, labelChain);
  if (picked.length === 0) {
    const chains = [...new Set(candidates.map((s) => s.chain))].sort();
    const what = incident === null ? 'no bundled seeds apply' : `no seeds of "${slugs.get(incident)}" apply`;
    throw new UsageError(`${what} on ${labelChain ?? 'this chain (not one the bundled data knows)'}.`, {
      hint: `${incident === null ? 'the bundled seeds are' : 'its seeds are'} on ${chains.join(', ')}: trace over an RPC endpoint of one of those chains`,
    });
  }
  return picked;
}

/** The seed list as a lookup: which attributed perpetrator address, if any, an address is. */
export interface SeedBook {
  readonly size: number;
  get(address: Address): Seed | undefined;
}

/**
 * Every seed of the bundled list that applies on `labelChain` (whatever the run's own seeds are), one
 * per address as resolveSeedList picks it: what the walk checks an address against before any
 * inference may call it someone's customer, and what makes a reached address a known-perpetrator hit.
 * Empty when no seed applies on the chain (never an error: a trace needs no seed list).
 */
export function seedBook(labelChain: string | null, opts?: DataDirOptions): SeedBook {
  checkLabelChain(labelChain);
  const byAddress = new Map(pickPerAddress(readSeedFile(opts).seeds, labelChain).map((s) => [s.address, s]));
  return { size: byAddress.size, get: (address) => byAddress.get(address.toLowerCase()) };
}

/**
 * The incident text a user's name means (an incident key, a unique prefix of one, or the full text;
 * case-insensitive), or null for `lazarus` / `all` (every incident).
 *
 * @throws UsageError for an unknown or ambiguous name, listing the valid names.
 * @example findIncident('polo') // 'Poloniex hot-wallet theft 2023-11-10'
 */
export function findIncident(name: string, opts?: DataDirOptions): string | null {
  const wanted = name.trim().toLowerCase();
  if ((ALL_SEEDS_NAMES as readonly string[]).includes(wanted)) return null;
  return matchIncident(wanted, name, readSeedFile(opts).slugs);
}

const HINT_NAMES = `${ALL_SEEDS_NAMES.join(' / ')} = every seed on the chain; the other names are incidents (data/README.md)`;

/** Finds the incident a user's name means, or throws a UsageError listing the valid names. */
function matchIncident(wanted: string, typed: string, slugs: ReadonlyMap<string, string>): string {
  const entries = [...slugs];
  const exact = entries.find(([incident, slug]) => slug === wanted || incident.toLowerCase() === wanted);
  if (exact !== undefined) return exact[0];
  const byPrefix = wanted === '' ? [] : entries.filter(([, slug]) => slug.startsWith(wanted));
  const [only, ...others] = byPrefix;
  if (only !== undefined && others.length === 0) return only[0];
  const valid = [...ALL_SEEDS_NAMES, ...entries.map(([, slug]) => slug).sort()].join(', ');
  if (only !== undefined) {
    throw new UsageError(
      `seed list "${typed}" is ambiguous (${byPrefix.map(([, s]) => s).join(', ')}); valid seed lists: ${valid}.`,
      { hint: HINT_NAMES },
    );
  }
  throw new UsageError(`unknown seed list "${typed}"; valid seed lists: ${valid}.`, { hint: HINT_NAMES });
}

/** The seeds that apply on a chain, one per address, chosen as resolveSeedList documents. */
function pickPerAddress(seeds: readonly Seed[], labelChain: string | null): Seed[] {
  const best = new Map<Address, Seed>();
  for (const s of seeds) {
    if (s.chain !== labelChain && s.chain !== EVM_ANY) continue;
    const held = best.get(s.address);
    if (held === undefined || outranks(s, held)) best.set(s.address, s);
  }
  // Map order is first insertion, so replacing a value keeps the address where it first appeared.
  return [...best.values()];
}

function outranks(a: Seed, b: Seed): boolean {
  const aSpecific = a.chain !== EVM_ANY;
  const bSpecific = b.chain !== EVM_ANY;
  if (aSpecific !== bSpecific) return aSpecific;
  return tierRank(a.tier) < tierRank(b.tier);
}

function tierRank(tier: SeedTier | null): number {
  return tier === null ? SEED_TIERS.length : TIER_RANK[tier];
}
