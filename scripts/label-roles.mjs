#!/usr/bin/env node
/**
 * Fills the `role` column of data/exchanges.csv from each row's own `source` text, and nothing else:
 * what the cited source calls the address (a quoted name, a name in parentheses, an UPPER_SNAKE
 * identifier) decides its role; where it says nothing a role word matches, the role is `unknown`.
 * The rule is documented in data/README.md ("role"). Rerunnable: an existing `role` column is
 * recomputed, every other byte of the file is kept (checked: each row written back without its role
 * must be the line that was read).
 *
 *   node scripts/label-roles.mjs          rewrite data/exchanges.csv
 *   node scripts/label-roles.mjs --check  exit 1 when the file's roles differ from the rule's
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

const FILE = fileURLToPath(new URL('../data/exchanges.csv', import.meta.url));
const BASE = ['address', 'chain', 'entity', 'category', 'jurisdiction', 'risk', 'source'];
const EXCHANGE_LIKE = new Set(['exchange', 'sanctioned-exchange', 'otc']);

/** The names a source text gives the address: "quoted", (parenthesised), UPPER_SNAKE identifiers. */
export function namesIn(source) {
  const names = [];
  for (const m of source.matchAll(/"([^"]+)"/g)) names.push(m[1]);
  for (const m of source.matchAll(/\(([^()]+)\)/g)) names.push(m[1]);
  for (const m of source.matchAll(/\b[A-Z]+(?:_[A-Z0-9]+)+\b/g)) names.push(m[0].replace(/_/g, ' '));
  return names;
}

/**
 * The role one name states, or null. A wallet that pays gas to deposit addresses ("Deposit Funder",
 * "Deposit Supplier", "Gas Supplier") is not a deposit address, and its source does not call it a hot
 * wallet either: it states no role. "Pool" in an exchange's name is a mining pool, not a contract.
 * "Deposit" names a customer deposit address only at an exchange or OTC desk (a bridge's "L2 Deposit
 * Escrow" is its contract).
 */
export function roleOfName(name, category) {
  // An admin, deployer or owner of a venue's contract is a key holder, not the contract.
  if (/\b(admin|deployer|owner)\b/i.test(name)) return null;
  const n = name.toLowerCase().replace(/\bdeposit (funder|supplier)\b/g, ' ').replace(/\bgas supplier\b/g, ' ');
  if (/\bhot[ -]?wallet\b/.test(n)) return 'hot-wallet';
  if (/\bcold[ -]?wallet\b/.test(n)) return 'cold-wallet';
  if (EXCHANGE_LIKE.has(category)) {
    if (/\bdeposit\b/.test(n)) return 'deposit';
    if (/\b(router|bridge|proxy|contract)\b/.test(n)) return 'contract';
    return null;
  }
  if (/\b(router|bridge|pool|proxy|gateway|escrow|vault|zap|contract)\b/.test(n)) return 'contract';
  return null;
}

/** The role of a row: the one role its names state; none, or two different ones, is `unknown`. */
export function roleOfRow(row) {
  const roles = new Set(namesIn(row.source).map((n) => roleOfName(n, row.category)).filter((r) => r !== null));
  return roles.size === 1 ? [...roles][0] : 'unknown';
}

const field = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

function main() {
  const text = readFileSync(FILE, 'utf8');
  // The file's own line ending (RFC 4180 says CRLF; the bundled file has it) is kept.
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(eol);
  if (lines.at(-1) === '') lines.pop();
  const header = lines[0].split(',');
  const hasRole = header.length === BASE.length + 1 && header.at(-1) === 'role';
  if (!hasRole && header.join(',') !== BASE.join(',')) throw new Error(`unexpected header ${lines[0]}`);
  const columns = hasRole ? [...BASE, 'role'] : BASE;
  const out = [[...BASE, 'role'].join(',')];
  let changed = 0;
  const counts = {};
  for (let i = 1; i < lines.length; i++) {
    const [row] = parse(lines[i], { columns, relax_quotes: false });
    const base = BASE.map((c) => field(row[c])).join(',');
    const original = hasRole ? lines[i].slice(0, lines[i].lastIndexOf(',')) : lines[i];
    if (base !== original) throw new Error(`line ${i + 1} would not be kept byte for byte`);
    const role = roleOfRow(row);
    if (hasRole && row.role !== role) changed++;
    counts[role] = (counts[role] ?? 0) + 1;
    out.push(`${base},${role}`);
  }
  const next = `${out.join(eol)}${eol}`;
  if (process.argv.includes('--check')) {
    if (next !== text) {
      console.error(`data/exchanges.csv: ${hasRole ? `${changed} role(s) differ from` : 'no role column for'} the rule of scripts/label-roles.mjs`);
      process.exit(1);
    }
    console.log(`data/exchanges.csv roles agree with the rule: ${JSON.stringify(counts)}`);
    return;
  }
  writeFileSync(FILE, next);
  console.log(`data/exchanges.csv: ${lines.length - 1} rows, roles ${JSON.stringify(counts)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
