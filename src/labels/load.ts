import { join } from 'node:path';
import type { Address, Label, LabelCategory, LabelRole, Risk } from '../types.js';
import { checkLabelChain, EVM_ANY } from './chains.js';
import { dataFileError, readCsvFile } from './csv.js';
import { checkAddress, checkChain, checkOneOf, checkText, uniquePairs } from './fields.js';
import { EXCHANGES_FILE, resolveDataDir, type DataDirOptions } from './files.js';
import { listingDates, parseSourceEvents } from './validity.js';

export { dataDir, labelDataVersion, type DataDirOptions } from './files.js';

/** The labelled addresses that apply on one chain, by lower-case address. */
export interface LabelBook {
  /** The chain the book was built for; null = a chain the data does not know (only `evm` rows). */
  readonly labelChain: string | null;
  /** Number of addresses in the book. */
  readonly size: number;
  /** The label of an address, or undefined. Case-insensitive on the hex. */
  get(address: Address): Label | undefined;
  /** Every `[address, label]` pair, in file order of first appearance. */
  entries(): IterableIterator<[Address, Label]>;
}

// Records (not arrays) so that the compiler notices when types.ts gains a category or a risk.
const CATEGORIES: Record<LabelCategory, true> = {
  exchange: true,
  'sanctioned-exchange': true,
  otc: true,
  'swap-service': true,
  mixer: true,
  bridge: true,
};
const RISKS: Record<Risk, true> = { sanctioned: true, high: true, standard: true };
const ROLES: Record<LabelRole, true> = { 'hot-wallet': true, deposit: true, 'cold-wallet': true, contract: true, unknown: true };

/** Every label category, as the data files spell them. */
export const LABEL_CATEGORIES = Object.freeze(Object.keys(CATEGORIES) as LabelCategory[]);
/** Every risk level, as the data files spell them. */
export const RISK_LEVELS = Object.freeze(Object.keys(RISKS) as Risk[]);
/** Every label role, as the data files spell them. */
export const LABEL_ROLES = Object.freeze(Object.keys(ROLES) as LabelRole[]);

const EXCHANGE_COLUMNS = ['address', 'chain', 'entity', 'category', 'jurisdiction', 'risk', 'source', 'role'] as const;
const ISO_ALPHA2 = /^[A-Z]{2}$/;

// Parsed and checked rows per file path: the file is ~250 KB and several commands load it per run.
const rowCache = new Map<string, readonly Label[]>();

/**
 * Reads and checks every row of `<dataDir>/exchanges.csv` (all chains). Cached per process and path.
 * Throws a HoptraceError naming file and line for the first bad row. The rows are frozen: they are
 * shared by every book built from the cache.
 */
export function loadLabelRows(opts?: DataDirOptions): readonly Label[] {
  const file = join(resolveDataDir(opts), EXCHANGES_FILE);
  const cached = rowCache.get(file);
  if (cached !== undefined) return cached;

  const unique = uniquePairs();
  const labels = readCsvFile(file, EXCHANGE_COLUMNS).map(({ line, row }) => {
    const at = { file, line };
    const address = checkAddress(at, row.address);
    const chain = checkChain(at, row.chain);
    unique(at, address, chain);
    const jurisdiction = row.jurisdiction === '' ? null : row.jurisdiction;
    if (jurisdiction !== null && !ISO_ALPHA2.test(jurisdiction)) {
      throw dataFileError(file, line, `jurisdiction "${jurisdiction}" is not an ISO 3166-1 alpha-2 code or empty`);
    }
    const label: Label = {
      address,
      chain,
      entity: checkText(at, 'entity', row.entity),
      category: checkOneOf(at, 'category', row.category, LABEL_CATEGORIES),
      role: checkOneOf(at, 'role', row.role, LABEL_ROLES),
      jurisdiction,
      risk: checkOneOf(at, 'risk', row.risk, RISK_LEVELS),
      source: checkText(at, 'source', row.source),
      ...bundledValidity(row.source),
      origin: 'bundled',
    };
    return Object.freeze(label);
  });
  const frozen = Object.freeze(labels);
  rowCache.set(file, frozen);
  return frozen;
}

/** Validity of a bundled row: its events come from the dated phrases of its source text. */
function bundledValidity(source: string): Pick<Label, 'listedAt' | 'delistedAt' | 'validFrom' | 'validTo' | 'events'> {
  const events = Object.freeze(parseSourceEvents(source));
  return { ...listingDates(events), validFrom: null, validTo: null, events };
}

/**
 * The label book for one chain: the rows of exchanges.csv whose chain is `evm` or `labelChain`. When an
 * address has both, the chain-specific row wins (it is the more precise statement, e.g. a bridge
 * contract that exists only on that chain). With `labelChain` null only `evm` rows apply.
 *
 * @throws UsageError when `labelChain` is neither null nor a known chain name.
 * @example loadLabelBook(labelChainForChainId(1)).get('0xd90e2f925da726b50c4ed8d0fb90ad053324f31b')?.category // 'mixer'
 */
export function loadLabelBook(labelChain: string | null, opts?: DataDirOptions): LabelBook {
  checkLabelChain(labelChain);
  return bookOf(labelChain, indexForChain(loadLabelRows(opts), labelChain));
}

/**
 * The rows that apply on `labelChain`, one per address: the chain's own row over an `evm` row, else
 * the first in `rows` order. The map is in order of each address's first applying row.
 */
export function indexForChain(rows: readonly Label[], labelChain: string | null): Map<Address, Label> {
  const byAddress = new Map<Address, Label>();
  for (const label of rows) {
    if (label.chain === labelChain) byAddress.set(label.address, label);
    else if (label.chain === EVM_ANY && !byAddress.has(label.address)) byAddress.set(label.address, label);
  }
  return byAddress;
}

/** A LabelBook over an address → label map (see loadLabelBook). */
export function bookOf(labelChain: string | null, byAddress: ReadonlyMap<Address, Label>): LabelBook {
  return {
    labelChain,
    size: byAddress.size,
    // Addresses are lower-case inside hoptrace; lower-casing here costs nothing and turns a caller's
    // checksummed address into a hit instead of a silent miss.
    get: (address) => byAddress.get(address.toLowerCase()),
    entries: () => byAddress.entries(),
  };
}
