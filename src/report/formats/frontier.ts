import type { TraceResult } from '../../trace/result.js';
import { formatAmount } from '../amount.js';
import { runChainName } from '../crossChain.js';
import { csvField } from '../csv.js';
import type { ReportFormat } from './types.js';

/**
 * `--format frontier`: the destinations a run did not follow (TraceResult.frontier), one CSV line each, for
 * the next tool — a Bitcoin or Solana tracer, or a second hoptrace run with an endpoint for that chain.
 * Offered by `trace` (from its walk), `report` and `export` (from the stored run): one table, whichever
 * command writes it.
 */
export const frontierFormat: ReportFormat = {
  name: 'frontier',
  summary: 'CSV, one line per destination on another chain not followed, for the next tool',
  renders: 'report',
  output: 'data',
  extension: '.csv',
  color: false,
  commands: ['trace', 'report', 'export'],
  render: (run) => renderFrontierCsv(run.result),
};

/**
 * The columns: where the funds were promised (destination chain id, empty when not an EVM chain; its
 * name; the recipient's address or name as the protocol carries it), what (asset in the protocol's
 * notation, symbol, decimals, the amount in base units and for reading, and how to read it: `exact`,
 * `minimum`, `normalized-8`, `none`), by whom (protocol), from where (the chain and exit transaction),
 * from which seed at which hop, why it was not followed, and the evidence: the exit is a decoded event (a
 * fact); the destination and amount are the protocol's promise, not a delivery seen.
 */
export const FRONTIER_COLUMNS = [
  'chain_id', 'chain', 'address', 'asset', 'symbol', 'decimals', 'amount', 'amount_text', 'amount_kind', 'protocol',
  'from_chain_id', 'from_chain', 'source_tx', 'seed', 'hop', 'reason', 'reason_text', 'evidence',
] as const;

/** The frontier of a run as CSV (RFC 4180 fields, csv.ts): the header alone when nothing was left unfollowed. */
export function renderFrontierCsv(result: TraceResult): string {
  const lines: string[] = [FRONTIER_COLUMNS.join(',')];
  for (const f of result.frontier ?? []) {
    const amountText = f.amount === null ? '' : `${formatAmount(f.amount, f.decimals)}${f.symbol === null ? '' : ` ${f.symbol}`}`;
    lines.push(
      [
        f.chainId, f.chain, f.address, f.asset, f.symbol, f.decimals, f.amount === null ? null : f.amount.toString(), amountText, f.amountKind, f.protocol,
        f.fromChainId, runChainName(result, f.fromChainId), f.txHash, f.seed, f.hop, f.reason, f.reasonText, 'fact: decoded exit event; destination and amount promised by the protocol',
      ]
        .map(csvField)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}
