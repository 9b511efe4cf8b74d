import { formatBps } from '../trace/deposits.js';
import type { Hit, Hub } from '../trace/result.js';
import { fullAddress } from './address.js';
import { formatCount } from './amount.js';
import { cleanOptional, cleanText } from './sanitize.js';

/**
 * The lines of a deposit-address hit that say it is an inference and on what evidence: hot wallet,
 * sweep transactions, delay, share swept, confidence and its reasons. Empty for a labelled venue.
 */
export function depositLines(hit: Hit, warn: (s: string) => string): string[] {
  const d = hit.deposit;
  if (hit.via !== 'deposit' || d === null) return [];
  const entity = cleanOptional(d.entity, 40, '(unnamed)');
  const lines = [
    warn(`    deposit   likely deposit address of ${entity} (inferred, not a sourced label), confidence ${cleanText(d.confidence, 8)}`),
    `    swept to  ${fullAddress(d.hotWallet)} (${entity} hot wallet) ${d.delayBlocks} block${d.delayBlocks === 1 ? '' : 's'} after the arrival, ` +
      `${formatBps(d.shareBps)} of what arrived, ${d.senders} sender${d.senders === 1 ? '' : 's'}`,
    ...d.sweepTxs.map((tx) => `    sweep tx  ${cleanText(tx, 66)}`),
  ];
  for (const r of d.reasons) lines.push(`              ${cleanOptional(r, 160, '')}`);
  if (d.origin === 'learned') lines.push(`    learned   ${cleanText(d.learnedAt, 32)} by an earlier trace (no sweep lookup this time)`);
  return lines;
}

/** One line per hub: the address, why the branch stopped there, the degree and the hop. */
export function hubLine(hub: Hub): string {
  const why =
    hub.kind === 'token'
      ? 'an ERC-20 token contract'
      : hub.kind === 'busy-sender'
        ? `has sent ${formatCount(hub.degree)} transactions (nonce)`
        : `${formatCount(hub.degree)} counterparties`;
  return `      ${fullAddress(hub.address)}  ${why}  at hop ${hub.hop}: branch stopped here, worth a label`;
}
