import { formatBps } from '../trace/deposits.js';
import type { LearnedDeposit } from '../store/deposits.js';
import type { DepositEvidence } from '../trace/deposits.js';
import type { Hit, Hub } from '../trace/result.js';
import { fullAddress } from './address.js';
import { formatCount } from './amount.js';
import { cleanOptional, cleanText } from './sanitize.js';
import { csvField } from './csv.js';

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

/** One learned deposit address as exported: marked as an inference, with every piece of evidence. */
export interface LearnedDepositRecord {
  kind: 'inferred-deposit-address';
  chainId: number;
  address: string;
  entity: string;
  hotWallet: string;
  asset: string;
  arrivalTx: string;
  arrivalBlock: number;
  sweepTxs: string[];
  sweepBlock: number;
  delayBlocks: number;
  received: string;
  swept: string;
  shareBps: number;
  senders: number;
  confidence: string;
  reasons: string[];
  learnedAt: string;
}

const RECORD_COLUMNS = [
  'kind', 'chainId', 'address', 'entity', 'hotWallet', 'asset', 'arrivalTx', 'arrivalBlock', 'sweepTxs', 'sweepBlock',
  'delayBlocks', 'received', 'swept', 'shareBps', 'senders', 'confidence', 'reasons', 'learnedAt',
] as const satisfies readonly (keyof LearnedDepositRecord)[];

/** The evidence as JSON: the same fields in the same order, amounts as exact decimal strings. */
export function evidenceJson(d: DepositEvidence): Omit<DepositEvidence, 'received' | 'swept'> & { received: string; swept: string } {
  return {
    hotWallet: d.hotWallet,
    entity: d.entity,
    asset: d.asset,
    arrivalTx: d.arrivalTx,
    arrivalBlock: d.arrivalBlock,
    sweepTxs: [...d.sweepTxs],
    sweepBlock: d.sweepBlock,
    delayBlocks: d.delayBlocks,
    received: d.received.toString(),
    swept: d.swept.toString(),
    shareBps: d.shareBps,
    senders: d.senders,
    confidence: d.confidence,
    reasons: [...d.reasons],
  };
}

/** The export record of a learned deposit address (amounts as exact decimal strings). */
export function learnedDepositRecord(d: LearnedDeposit): LearnedDepositRecord {
  return { kind: 'inferred-deposit-address', chainId: d.chainId, address: d.address, ...evidenceJson(d), learnedAt: d.learnedAt };
}

/** `labels export --deposits --format csv`: lists are joined with spaces (tx hashes) and "; " (reasons). */
export function learnedDepositsCsv(rows: readonly LearnedDeposit[]): string {
  const quote = csvField;
  const cell = (v: LearnedDepositRecord[keyof LearnedDepositRecord]): string =>
    quote(Array.isArray(v) ? v.join(' ') : String(v));
  const lines = [
    RECORD_COLUMNS.join(','),
    ...rows.map((d) => {
      const r = learnedDepositRecord(d);
      return RECORD_COLUMNS.map((c) => (c === 'reasons' ? quote(r.reasons.join('; ')) : cell(r[c]))).join(',');
    }),
  ];
  return lines.join('\n') + '\n';
}

/** `labels list --deposits`: one block per address, saying plainly that these are inferences. */
export function renderLearnedDeposits(rows: readonly LearnedDeposit[]): string {
  if (rows.length === 0) return 'No deposit addresses learned in this database.\n';
  const out = [
    `${rows.length} deposit address${rows.length === 1 ? '' : 'es'} inferred by hoptrace's traces (not sourced labels; evidence below):`,
  ];
  for (const d of rows) {
    out.push(
      '',
      `  ${fullAddress(d.address)}  likely deposit address of ${cleanOptional(d.entity, 40, '(unnamed)')}  confidence ${cleanText(d.confidence, 8)}  chain ${d.chainId}`,
      `    swept to ${fullAddress(d.hotWallet)} ${d.delayBlocks} blocks after the arrival (tx ${cleanText(d.arrivalTx, 66)}), ${formatBps(d.shareBps)} of what arrived`,
      ...d.sweepTxs.map((tx) => `    sweep tx ${cleanText(tx, 66)}`),
      `    learned ${cleanText(d.learnedAt, 32)}`,
    );
  }
  return out.join('\n') + '\n';
}
