/**
 * One CSV field (RFC 4180) for every CSV hoptrace writes. Labels and token symbols are attacker-chosen:
 * a field starting with =, +, -, @, a tab or a carriage return is prefixed with ' so that a spreadsheet
 * shows it instead of running it as a formula.
 */
export function csvField(v: string | number | null): string {
  let s = v === null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
