import { formatBps, type DepositEvidence } from '../trace/deposits.js';
import type { LearnedDeposit } from '../store/deposits.js';
import type { Hit } from '../trace/result.js';
import { fullAddress } from './address.js';
import { cleanOptional, cleanText } from './sanitize.js';
import { csvField } from './csv.js';

/**
 * The lines of a deposit-address hit that say it is an inference and on what evidence: hot wallet,
 * sweep transactions, delay, share swept, confidence and its reasons. Empty for a labelled venue.
 */
export function depositLines(hit: Hit, warn: (s: string) => string): string[] {
  const d = hit.deposit;
  if (hit.via !== 'deposit' || d === null) return [];
  const lines = [
    warn(`    deposit   likely deposit address of ${entityName(d)} (inferred, not a sourced label), confidence ${cleanText(d.confidence, 8)}`),
    sweptLine(d),
    ...sweepTxLines(d),
  ];
  for (const r of d.reasons) lines.push(`              ${cleanOptional(r, 160, '')}`);
  if (d.origin === 'learned') lines.push(`    learned   ${cleanText(d.learnedAt, 32)} by an earlier trace (no sweep lookup this time)`);
  return lines;
}

/** Where, how soon and how much of the arrival a deposit address swept: the one line both renderings share. */
function sweptLine(d: DepositEvidence): string {
  return (
    `    swept to  ${fullAddress(d.hotWallet)} (${entityName(d)} hot wallet) ${d.delayBlocks} block${d.delayBlocks === 1 ? '' : 's'} after the arrival, ` +
    `${formatBps(d.shareBps)} of what arrived, ${d.senders} sender${d.senders === 1 ? '' : 's'}`
  );
}

function sweepTxLines(d: DepositEvidence): string[] {
  return d.sweepTxs.map((tx) => `    sweep tx  ${cleanText(tx, 66)}`);
}

function entityName(d: DepositEvidence): string {
  return cleanOptional(d.entity, 40, '(unnamed)');
}

/** The evidence as JSON and in exports: amounts as exact decimal strings. */
export type EvidenceJson = Omit<DepositEvidence, 'received' | 'swept'> & { received: string; swept: string };

/** One learned deposit address as exported: marked as an inference, with every piece of evidence. */
export type LearnedDepositRecord = { kind: 'inferred-deposit-address' } & Pick<LearnedDeposit, 'chainId' | 'address'> & EvidenceJson & Pick<LearnedDeposit, 'learnedAt'>;

const RECORD_COLUMNS = [
  'kind', 'chainId', 'address', 'entity', 'hotWallet', 'asset', 'arrivalTx', 'arrivalBlock', 'sweepTxs', 'sweepBlock',
  'delayBlocks', 'received', 'swept', 'shareBps', 'senders', 'confidence', 'reasons', 'learnedAt',
] as const satisfies readonly (keyof LearnedDepositRecord)[];

/** The evidence as JSON: the same fields in the same order, amounts as exact decimal strings. */
export function evidenceJson(d: DepositEvidence): EvidenceJson {
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
      `  ${fullAddress(d.address)}  likely deposit address of ${entityName(d)}  confidence ${cleanText(d.confidence, 8)}  chain ${d.chainId}`,
      `    arrival   ${cleanText(d.arrivalTx, 66)}`,
      sweptLine(d),
      ...sweepTxLines(d),
      `    learned   ${cleanText(d.learnedAt, 32)}`,
    );
  }
  return out.join('\n') + '\n';
}
