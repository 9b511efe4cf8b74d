import { replaceUnsafe } from '../util/unsafeText.js';

/**
 * One CSV field (RFC 4180) for every CSV hoptrace writes. Labels and token symbols are attacker-chosen:
 * - CSV cannot escape a control, bidi or invisible character: each shows as U+FFFD. Tab, CR and LF are
 *   kept, since RFC 4180 carries them (line breaks inside quotes).
 * - A field starting with =, +, -, @, a tab or a carriage return is prefixed with ' so that a spreadsheet
 *   shows it instead of running it as a formula.
 */
export function csvField(v: string | number | null): string {
  let s = v === null ? '' : String(v).replace(/[^\t\r\n]+/g, (run) => replaceUnsafe(run));
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
