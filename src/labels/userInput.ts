import { HoptraceError, UsageError } from '../errors.js';
import type { NewUserLabel } from '../store/userLabels.js';
import type { Address, LabelCategory, LabelRole, Risk } from '../types.js';
import { parseAddress } from '../util/address.js';
import { EVM_ANY, KNOWN_LABEL_CHAINS, isKnownLabelChain } from './chains.js';
import { LABEL_CATEGORIES, LABEL_ROLES, RISK_LEVELS } from './load.js';
import { categoryRisk, isIsoDate } from './validity.js';
import { firstUnsafeChar } from '../util/unsafeText.js';

/**
 * Checks of labels a user hands in (`labels add`, `labels import`). Unlike the bundled files, where a bad
 * row is our failure, these are the user's input: every problem is collected and reported with its line,
 * and nothing is written while one remains.
 */

/** A label as read from a file or the command line, before any check. Absent fields are undefined or null. */
export interface LabelInput {
  /** 1-based line in the file (0 for the command line). */
  line: number;
  address: string;
  chain?: string | null;
  entity?: string | null;
  /** A category in our vocabulary, or null when the input has none we can map (see categoryNote). */
  category?: string | null;
  /** Why `category` is null, for the message (e.g. 'GraphSense category "defi_dex" has no hoptrace equivalent'). */
  categoryNote?: string;
  risk?: string | null;
  jurisdiction?: string | null;
  source?: string | null;
  listedAt?: string | null;
  delistedAt?: string | null;
  validFrom?: string | null;
  validTo?: string | null;
  /** What the address is to its venue (hot-wallet, deposit, cold-wallet, contract, unknown); absent = unknown. */
  role?: string | null;
}

/** What the checks may consult besides the input. */
export interface CheckContext {
  /** Chain for rows that name none: the `--chain` option, else `evm`. */
  defaultChain: string;
  /** Chain for every row, overriding the file (`--chain` on import). */
  forceChain?: string;
  /** Category for rows without a mappable one that hoptrace does not know either (`--category`). */
  fallbackCategory?: LabelCategory;
  /** The category hoptrace already knows for an address on a chain (a user or bundled label), if any: used first. */
  knownCategory?: (address: Address, chain: string) => LabelCategory | undefined;
  /** The user label already stored for (address, chain), if any. */
  existing?: (address: Address, chain: string) => { entity: string } | undefined;
}

/** The result of checking a batch: the labels to write, or the problems (already `<file>:<line>: …`). */
export interface CheckedBatch {
  labels: NewUserLabel[];
  problems: string[];
}

const ISO_ALPHA2 = /^[A-Z]{2}$/;

/**
 * The risk of a user label that states none: `sanctioned` while it is listed (a listing date and no
 * removal, or the sanctioned-exchange category without a removal); a delisted sanctioned exchange is
 * `high`, as data/exchanges.csv treats the formerly listed Chatex address; otherwise the category's own
 * risk (mixers and swap services `high`, the rest `standard`).
 */
export function defaultRisk(category: LabelCategory, listedAt: string | null, delistedAt: string | null): Risk {
  if (delistedAt === null && (listedAt !== null || category === 'sanctioned-exchange')) return 'sanctioned';
  if (category === 'sanctioned-exchange') return 'high';
  return categoryRisk(category);
}

/**
 * Checks one input. Returns the label, or the problems (without the `<file>:<line>: ` prefix).
 */
export function checkLabelInput(input: LabelInput, ctx: CheckContext): { label: NewUserLabel } | { problems: string[] } {
  const problems: string[] = [];
  let address: Address = input.address.trim().toLowerCase();
  try {
    address = parseAddress(input.address, 'address');
  } catch (err) {
    problems.push(sentence(err));
  }

  const chain = (ctx.forceChain ?? blankToNull(input.chain) ?? ctx.defaultChain).trim().toLowerCase();
  if (chain !== EVM_ANY && !isKnownLabelChain(chain)) {
    problems.push(`chain "${chain}" is not one of ${EVM_ANY}, ${KNOWN_LABEL_CHAINS.join(', ')}`);
  }

  const entity = blankToNull(input.entity)?.trim() ?? null;
  if (entity === null) problems.push('entity is missing');

  const source = blankToNull(input.source)?.trim() ?? null;
  if (source === null) problems.push('source is missing: a label without a source is refused');

  let category: LabelCategory | null = null;
  const givenCategory = blankToNull(input.category)?.trim();
  if (givenCategory !== undefined) {
    if ((LABEL_CATEGORIES as readonly string[]).includes(givenCategory)) category = givenCategory as LabelCategory;
    else problems.push(`category "${givenCategory}" is not one of ${LABEL_CATEGORIES.join(', ')}`);
  } else {
    category = ctx.knownCategory?.(address, chain) ?? ctx.fallbackCategory ?? null;
    if (category === null) {
      problems.push(
        `${input.categoryNote ?? 'category is missing'}; pass --category (${LABEL_CATEGORIES.join(', ')}) to import such rows`,
      );
    }
  }

  // Label text is shown on terminals and exported: escape sequences or bidi overrides in it are refused.
  for (const [column, value] of [['entity', entity], ['source', source]] as const) {
    const bad = value === null ? null : firstUnsafeChar(value);
    if (bad !== null) problems.push(`${column} contains a control or invisible character (${bad})`);
  }

  const jurisdiction = blankToNull(input.jurisdiction)?.trim() ?? null;
  if (jurisdiction !== null && !ISO_ALPHA2.test(jurisdiction)) {
    problems.push(`jurisdiction "${jurisdiction}" is not an ISO 3166-1 alpha-2 code (two capital letters)`);
  }

  const dates = {
    listed_at: checkDate(input.listedAt, 'listed_at', problems),
    delisted_at: checkDate(input.delistedAt, 'delisted_at', problems),
    valid_from: checkDate(input.validFrom, 'valid_from', problems),
    valid_to: checkDate(input.validTo, 'valid_to', problems),
  };
  if (dates.listed_at && dates.delisted_at && dates.delisted_at < dates.listed_at) {
    problems.push(`delisted_at ${dates.delisted_at} is before listed_at ${dates.listed_at}`);
  }
  if (dates.valid_from && dates.valid_to && dates.valid_to < dates.valid_from) {
    problems.push(`valid_to ${dates.valid_to} is before valid_from ${dates.valid_from}`);
  }

  let risk: Risk | null = null;
  const givenRisk = blankToNull(input.risk)?.trim();
  if (givenRisk !== undefined) {
    if ((RISK_LEVELS as readonly string[]).includes(givenRisk)) risk = givenRisk as Risk;
    else problems.push(`risk "${givenRisk}" is not one of ${RISK_LEVELS.join(', ')}`);
  } else if (category !== null) {
    risk = defaultRisk(category, dates.listed_at, dates.delisted_at);
  }

  let role: LabelRole = 'unknown';
  const givenRole = blankToNull(input.role)?.trim();
  if (givenRole !== undefined) {
    if ((LABEL_ROLES as readonly string[]).includes(givenRole)) role = givenRole as LabelRole;
    else problems.push(`role "${givenRole}" is not one of ${LABEL_ROLES.join(', ')}`);
  }

  if (problems.length > 0 || entity === null || source === null || category === null || risk === null) {
    return { problems };
  }
  return {
    label: {
      address,
      chain,
      entity,
      category,
      role,
      jurisdiction,
      risk,
      source,
      listedAt: dates.listed_at,
      delistedAt: dates.delisted_at,
      validFrom: dates.valid_from,
      validTo: dates.valid_to,
    },
  };
}

/**
 * Checks a whole file's inputs: each row (checkLabelInput), then the rows against each other (one
 * (address, chain) twice with another entity) and against the user labels already stored (another
 * entity on the same (address, chain)). A repeat with the same entity keeps the first row.
 * Problems come as `<file>:<line>: <problem>`, in line order, with those the reader found in the file
 * itself (`fileProblems`).
 */
export function checkBatch(
  file: string,
  inputs: readonly LabelInput[],
  ctx: CheckContext,
  fileProblems: readonly { line: number; text: string }[] = [],
): CheckedBatch {
  const problems: { line: number; text: string }[] = [...fileProblems];
  const labels: NewUserLabel[] = [];
  const seen = new Map<string, { line: number; entity: string }>();
  for (const input of inputs) {
    const checked = checkLabelInput(input, ctx);
    if ('problems' in checked) {
      for (const p of checked.problems) problems.push({ line: input.line, text: p });
      continue;
    }
    const { label } = checked;
    const key = `${label.address}@${label.chain}`;
    const first = seen.get(key);
    if (first !== undefined) {
      if (first.entity !== label.entity) {
        problems.push({
          line: input.line,
          text: `address ${label.address} on chain ${label.chain} is already on line ${first.line} with another entity ("${first.entity}", here "${label.entity}")`,
        });
      }
      continue;
    }
    seen.set(key, { line: input.line, entity: label.entity });
    const stored = ctx.existing?.(label.address, label.chain);
    if (stored !== undefined && stored.entity !== label.entity) {
      problems.push({
        line: input.line,
        text: `address ${label.address} on chain ${label.chain} already has the user label "${stored.entity}"; remove it first (hoptrace labels remove ${label.address} --chain ${label.chain})`,
      });
      continue;
    }
    labels.push(label);
  }
  problems.sort((a, b) => a.line - b.line);
  return { labels, problems: problems.map((p) => `${file}:${p.line}: ${p.text}`) };
}

/** Most problems an import error lists; the count of the rest is given. */
export const MAX_LISTED_PROBLEMS = 20;

/**
 * The error for a refused import: one summary line, then up to MAX_LISTED_PROBLEMS problems, one per
 * line. Exit code 2: the file is the user's input.
 */
export function importRefused(file: string, problems: readonly string[]): UsageError {
  const shown = problems.slice(0, MAX_LISTED_PROBLEMS);
  const more = problems.length - shown.length;
  const lines = [
    `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}, nothing imported:`,
    ...shown.map((p) => `  ${p}`),
    ...(more > 0 ? [`  … and ${more} more`] : []),
  ];
  return new UsageError(lines.join('\n'), {
    hint: 'fix the lines above and import the file again; an import is all or nothing',
  });
}

function checkDate(value: string | null | undefined, what: string, problems: string[]): string | null {
  const v = blankToNull(value)?.trim() ?? null;
  if (v === null) return null;
  if (!isIsoDate(v)) {
    problems.push(`${what} "${v}" is not a date (YYYY-MM-DD)`);
    return null;
  }
  return v;
}

function blankToNull(v: string | null | undefined): string | null {
  return v === undefined || v === null || v.trim() === '' ? null : v;
}

/** A HoptraceError's message as a clause: no trailing full stop. */
function sentence(err: unknown): string {
  if (err instanceof HoptraceError) return err.message.replace(/\.$/, '');
  throw err;
}
