import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { Objective, Strategy } from '../sources/fetcher.js';
import { NATIVE, type Direction } from '../types.js';
import { parseAddress } from '../util/address.js';

/** Parses a non-negative integer option; `what` names the option in the message. */
export function parseCount(value: string, what: string, opts: { min?: number; max?: number } = {}): number {
  const v = value.trim().replace(/_/g, '');
  if (!/^\d+$/.test(v)) throw new UsageError(`${what} "${value}" is not a whole number.`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${what} ${value} is too large.`);
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`${what} must be at least ${opts.min} (got ${n}).`);
  if (opts.max !== undefined && n > opts.max) throw new UsageError(`${what} must be at most ${opts.max} (got ${n}).`);
  return n;
}

/** The longest wait a Node timer keeps (2^31 − 1 ms, about 24.8 days): a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A block number, or `latest` (undefined = the head). Hex (`0x…`) is accepted too. */
export function parseBlock(value: string, what: string): number | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'latest') return undefined;
  if (/^0x[0-9a-f]+$/.test(v)) return parseCount(String(Number.parseInt(v, 16)), what);
  return parseCount(v, what);
}

/** An ISO date (`2025-02-21`, UTC) or date-time (`2025-02-21T14:00:00Z`) to unix seconds. */
export function parseDate(value: string, what: string): number {
  const v = value.trim();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(iso)) {
    throw new UsageError(`${what} "${value}" is not a date: use YYYY-MM-DD (UTC) or an ISO date-time with a zone.`);
  }
  const ms = Date.parse(iso);
  // Date.parse rolls 2025-02-30 over to March 2: a calendar day that does not exist is refused instead.
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  if (Number.isNaN(ms) || day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) {
    throw new UsageError(`${what} "${value}" is not a valid date.`);
  }
  return Math.floor(ms / 1000);
}

export function parseDirection(value: string): Direction {
  if (value === 'out' || value === 'in' || value === 'both') return value;
  throw new UsageError(`--direction "${value}" is not one of out, in, both.`);
}

export function parseStrategy(value: string): Strategy {
  if (value === 'auto' || value === 'address' || value === 'block' || value === 'set') return value;
  throw new UsageError(`--strategy "${value}" is not one of auto, address, block, set.`);
}

export function parseObjective(value: string): Objective {
  if (value === 'time' || value === 'credits') return value;
  throw new UsageError(`--optimize "${value}" is not one of time, credits.`);
}

const AMOUNT = /^\d+(\.\d+)?$|^\d+units$/;

/**
 * `--min-value` entries: `0.5` (native coin, in its units) or `<token address>=<amount>` (token units;
 * `<n>units` for base units). Later entries for the same asset win.
 */
export function parseMinValues(values: readonly string[], what = '--min-value'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of values) {
    const v = raw.trim();
    const eq = v.indexOf('=');
    const [asset, amount] = eq < 0 ? [NATIVE, v] : [v.slice(0, eq).trim(), v.slice(eq + 1).trim()];
    const key = asset === NATIVE || asset.toLowerCase() === 'eth' ? NATIVE : parseAddress(asset, `${what} token`);
    if (!AMOUNT.test(amount)) {
      throw new UsageError(`${what} "${raw}" is not an amount: use 0.5 for the native coin or <token>=<amount>.`);
    }
    out[key] = amount;
  }
  return out;
}

/**
 * Refuses an option value that is itself an option name (`--rpc --hops`): commander hands the next word
 * to an option that needs a value, so an empty shell variable before another option shifts every
 * argument by one and the error surfaces far away (`seed address "4" is not an address`). Only values
 * typed on the command line are checked; a file that really starts with `-` can be given as `./-name`.
 */
export function refuseOptionLikeValues(cmd: Command): void {
  for (const opt of cmd.options) {
    if (!opt.required || opt.long === undefined) continue;
    const key = opt.attributeName();
    if (cmd.getOptionValueSource(key) !== 'cli') continue;
    const raw: unknown = cmd.getOptionValue(key);
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (typeof value !== 'string' || !/^--?[A-Za-z]/.test(value)) continue;
      if (opt.long === '--rpc') {
        throw new UsageError(`--rpc needs a URL, got "${value}": is $ETH_RPC_URL empty?`, {
          hint: 'set the variable, or pass the URL itself: --rpc http://127.0.0.1:8545',
        });
      }
      const arg = /<([^>]+)>/.exec(opt.flags)?.[1] ?? 'value';
      const what = arg === 'n' || arg === 'ms' ? 'number' : arg;
      throw new UsageError(`${opt.long} needs a ${what}, got "${value}": is a shell variable before it empty?`);
    }
  }
}
