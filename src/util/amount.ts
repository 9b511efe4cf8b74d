/**
 * Exact amounts in words, with bigint arithmetic only: the one formatting every output uses (report/ for
 * the renderers, trace/ for the summaries it stores), so a figure reads the same wherever it is printed.
 */

/** ERC-20 `decimals()` is a uint8: anything outside 0–255 is treated as unknown. */
const MAX_DECIMALS = 255;

export interface AmountFormat {
  /** Thousands separators in the integer part (`1,234.5`). Default true (text mode). */
  grouping?: boolean;
}

/** `1234567` → `1,234,567` (digits only, no sign). */
export function groupDigits(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A count (RPC calls, transfers, degree) with thousands separators; non-integers as they are. */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return String(n);
  return (n < 0 ? '-' : '') + groupDigits(String(Math.abs(n)));
}

/** True when `decimals` can scale an amount: an integer in 0–255. */
export function knownDecimals(decimals: number | null): decimals is number {
  return decimals !== null && Number.isSafeInteger(decimals) && decimals >= 0 && decimals <= MAX_DECIMALS;
}

/**
 * Exact decimal rendering of a base-unit amount, with bigint arithmetic only (no float can round a
 * 2^70-wei amount). Trailing zeros of the fraction are trimmed. With unknown decimals the base units are
 * shown and the text says so.
 *
 * @example formatAmount(1_234_500_000n, 6)  // '1,234.5'
 * @example formatAmount(1n, 18)             // '0.000000000000000001'
 * @example formatAmount(123456n, null)      // '123,456 units'
 * @example formatAmount(123456n, null, { grouping: false }) // '123456 units'
 */
export function formatAmount(amount: bigint, decimals: number | null, opts: AmountFormat = {}): string {
  const grouping = opts.grouping ?? true;
  const sign = amount < 0n ? '-' : '';
  const digits = (amount < 0n ? -amount : amount).toString();
  const group = (d: string): string => (grouping ? groupDigits(d) : d);
  if (!knownDecimals(decimals)) return `${sign}${group(digits)} units`;
  if (decimals === 0) return sign + group(digits);
  const padded = digits.padStart(decimals + 1, '0');
  const intPart = padded.slice(0, padded.length - decimals);
  const fracPart = padded.slice(padded.length - decimals).replace(/0+$/, '');
  return sign + group(intPart) + (fracPart === '' ? '' : `.${fracPart}`);
}
