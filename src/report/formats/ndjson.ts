import { toNdjson } from '../json.js';
import type { ReportFormat } from './types.js';

/** `--format ndjson` (`--ndjson`): one JSON line per hit (`$defs/hitLine` of the schema), the same from `trace` and `report`. */
export const ndjsonFormat: ReportFormat = {
  name: 'ndjson',
  summary: 'one JSON line per hit ($defs/hitLine in the schema)',
  renders: 'report',
  output: 'json',
  extension: '.ndjson',
  color: false,
  commands: ['trace', 'report'],
  render: (run) => toNdjson(run.result),
};
