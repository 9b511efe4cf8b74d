import { TAINT_MODELS, type TaintModel } from '../../graph/index.js';
import { csvField } from '../csv.js';
import { evidenceIndex, evidenceLine } from '../evidence.js';
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
  'venue', 'entity', 'category', 'risk', 'hops', 'arrivals', 'first_block', 'first_time', 'last_block', 'last_time',
  'model', 'asset', 'symbol', 'decimals', 'amount', 'support', 'evidence', 'evidence_detail',
] as const;

/** `--format csv`: one line per (venue, model, asset) with the exact amount in base units. */
export function renderCsv(r: FullReport): string {
  const a = r.attribution;
  const lines: string[] = [CSV_COLUMNS.join(',')];
  const iso = (block: number): string | null => {
    const t = a.times.get(block);
    return t === undefined ? null : new Date(t * 1000).toISOString();
  };
  const known = evidenceIndex(r.result.hits, r.result.inferences);
  for (const v of a.attribution.venues) {
    const e = known.get(v.address);
    for (const model of TAINT_MODELS as readonly TaintModel[]) {
      for (const [asset, amount] of v.amounts[model]) {
        const m = assetMeta(a, asset);
        lines.push(
          [
            v.address, v.venue.entity, v.venue.category, v.venue.risk, v.hops, v.arrivals, v.first.block, iso(v.first.block),
            v.last.block, iso(v.last.block), model, asset, m.symbol, m.decimals, amount.toString(), v.support.join(' '),
            // A venue of the attribution is a labelled address unless a hit says otherwise.
            e?.level ?? 'label', e ? evidenceLine(e, v.address) : '',
          ]
            .map(csvField)
            .join(','),
        );
      }
    }
  }
  return lines.join('\n') + '\n';
}
