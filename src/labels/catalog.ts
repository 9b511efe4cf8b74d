import { UsageError } from '../errors.js';
import type { Address, Label, LabelCategory, Risk } from '../types.js';
import { EVM_ANY, isKnownLabelChain, KNOWN_LABEL_CHAINS } from './chains.js';
import { LABEL_CATEGORIES, RISK_LEVELS, loadLabelRows } from './load.js';

/**
 * Every label hoptrace knows, bundled and user, for the `labels` commands: filters, search, and what
 * applies to one address. Bundled rows come first in file order, then the user's by address.
 */

export interface LabelFilter {
  category?: LabelCategory;
  risk?: Risk;
  /** Rows that apply on this chain: its own rows and the `evm` ones (`evm` itself: only `evm` rows). */
  chain?: string;
  /** Only user labels. */
  userOnly?: boolean;
}

/** Bundled rows (all chains) followed by `userRows`. */
export function allLabels(userRows: readonly Label[]): Label[] {
  return [...loadLabelRows(), ...userRows];
}

/** The rows that pass `filter`. */
export function filterLabels(rows: readonly Label[], filter: LabelFilter): Label[] {
  return rows.filter(
    (l) =>
      (filter.category === undefined || l.category === filter.category) &&
      (filter.risk === undefined || l.risk === filter.risk) &&
      (filter.chain === undefined || l.chain === filter.chain || l.chain === EVM_ANY) &&
      (!filter.userOnly || l.origin === 'user'),
  );
}

/** Rows whose entity or source contains `text`, case-insensitively. */
export function searchLabels(rows: readonly Label[], text: string): Label[] {
  const needle = text.trim().toLowerCase();
  if (needle === '') throw new UsageError('search text is empty.');
  return rows.filter((l) => l.entity.toLowerCase().includes(needle) || l.source.toLowerCase().includes(needle));
}

/** Every row of one address, user rows first (they win where both apply). */
export function labelsOfAddress(rows: readonly Label[], address: Address): Label[] {
  const mine = rows.filter((l) => l.address === address);
  return [...mine.filter((l) => l.origin === 'user'), ...mine.filter((l) => l.origin === 'bundled')];
}

/** A `--category` value, checked. */
export function parseCategory(value: string): LabelCategory {
  if ((LABEL_CATEGORIES as readonly string[]).includes(value)) return value as LabelCategory;
  throw new UsageError(`--category "${value}" is not one of ${LABEL_CATEGORIES.join(', ')}.`);
}

/** A `--risk` value, checked. */
export function parseRisk(value: string): Risk {
  if ((RISK_LEVELS as readonly string[]).includes(value)) return value as Risk;
  throw new UsageError(`--risk "${value}" is not one of ${RISK_LEVELS.join(', ')}.`);
}

/** A `--chain` value of the labels commands: a known chain name or `evm`. */
export function parseLabelChainOption(value: string): string {
  const v = value.trim().toLowerCase();
  if (v === EVM_ANY || isKnownLabelChain(v)) return v;
  throw new UsageError(`--chain "${value}" is not one of ${EVM_ANY}, ${KNOWN_LABEL_CHAINS.join(', ')}.`);
}
