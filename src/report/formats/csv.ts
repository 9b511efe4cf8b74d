import { TAINT_MODELS, type TaintModel } from '../../graph/index.js';
import { INFERRED_ROUTE, NOT_ATTRIBUTED, PROMISED_NOT_SEEN, reachedRole, venueChains } from '../attribution.js';
import { csvField } from '../csv.js';
import { evidenceIndex, evidenceLine } from '../evidence.js';
import { runChainName } from '../crossChain.js';
import { assetMeta, type FullReport } from '../full.js';
import { fullReport, type ReportFormat } from './types.js';

/** `--format csv` of `report`: the value that reached each venue (`export`'s csv is the graph: edgeCsv.ts). */
export const csvFormat: ReportFormat = {
  name: 'csv',
  summary: 'one line per venue, model and asset',
  renders: 'report',
  output: 'data',
  extension: '.csv',
  color: false,
  commands: ['report'],
  render: (run) => renderCsv(fullReport(run, 'csv')),
};

const CSV_COLUMNS = [
  'venue', 'chain_id', 'chain', 'entity', 'category', 'risk', 'hops', 'arrivals', 'first_block', 'first_time', 'last_block', 'last_time',
  'model', 'asset', 'symbol', 'decimals', 'amount', 'support', 'evidence', 'evidence_detail', 'attribution', 'reached_as',
] as const;

/**
 * `--format csv`: one line per (venue, model, asset) with the exact amount in base units, and the chain the
 * venue was reached on (`attribution` = `attributed`). A venue reached on another chain than the home chain
 * (across a bridge) has one line per asset with model `traced`: the sum of the traced movements into it (a
 * fact), no model's figure, and `attribution` = `not attributed: on another chain than the home chain`;
 * model `promised` where the asset is not named (a crossing's arrival no log names: the exit's promise,
 * not a delivery seen, said in `attribution` too).
 * `reached_as` says how the row counts (attribution.ts VENUE_DEFINITION): `venue`, or `bridge` for a
 * labelled bridge the funds entered (a crossing or an exit: its figures shown, not counted as a venue).
 */
export function renderCsv(r: FullReport): string {
  const a = r.attribution;
  const lines: string[] = [CSV_COLUMNS.join(',')];
  // Block times are the home chain's headers: a venue reached on another chain gets none from them.
  const iso = (block: number, chainId: number): string | null => {
    const t = chainId === r.result.chainId ? a.times.get(block) : undefined;
    return t === undefined ? null : new Date(t * 1000).toISOString();
  };
  const isoAt = (t: number | null | undefined): string | null => (t === null || t === undefined ? null : new Date(t * 1000).toISOString());
  const known = evidenceIndex(r.result);
  const chains = venueChains(a, r.result.chainId);
  for (const v of a.attribution.venues) {
    const chainId = chains.get(v.address) ?? r.result.chainId;
    const e = known.get(chainId, v.address);
    for (const model of TAINT_MODELS as readonly TaintModel[]) {
      for (const [asset, amount] of v.amounts[model]) {
        const m = assetMeta(a, asset);
        lines.push(
          [
            v.address, chainId, runChainName(r.result, chainId), v.venue.entity, v.venue.category, v.venue.risk, v.hops, v.arrivals, v.first.block, iso(v.first.block, chainId),
            v.last.block, iso(v.last.block, chainId), model, asset, m.symbol, m.decimals, amount.toString(), v.support.join(' '),
            // A venue of the attribution is a labelled address unless a hit says otherwise.
            e?.level ?? 'label', e ? evidenceLine(e, v.address) : '', 'attributed', reachedRole(v.venue.category),
          ]
            .map(csvField)
            .join(','),
        );
      }
    }
  }
  for (const v of a.notAttributed ?? []) {
    const e = known.get(v.chainId, v.address);
    for (const t of v.traced) {
      lines.push(
        [
          v.address, v.chainId, runChainName(r.result, v.chainId), v.entity, v.category, v.risk, v.hops, v.arrivals, v.first.blockNumber, isoAt(v.first.timestamp),
          v.last.blockNumber, isoAt(v.last.timestamp), t.promised ? 'promised' : 'traced', t.asset, t.symbol, t.decimals, t.amount.toString(), '',
          e?.level ?? 'label', e ? evidenceLine(e, v.address) : '', [NOT_ATTRIBUTED, ...(v.route === 'inference' ? [INFERRED_ROUTE] : []), ...(t.promised ? [PROMISED_NOT_SEEN] : [])].join('; '), reachedRole(v.category),
        ]
          .map(csvField)
          .join(','),
      );
    }
  }
  return lines.join('\n') + '\n';
}
