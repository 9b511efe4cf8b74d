import { fullReportJson } from '../full.js';
import { jsonText, reportJsonText } from '../json.js';
import type { ReportFormat } from './types.js';

/**
 * `--format json` (`--json`), one document (schema/trace-report.schema.json): `trace` writes the report of
 * its walk with its manifest; `report` adds `attribution` and the traced `graph`. Both from the run's JSON
 * value built once (RunView.json).
 */
export const jsonFormat: ReportFormat = {
  name: 'json',
  summary: 'one document (schema/trace-report.schema.json)',
  renders: 'report',
  output: 'json',
  extension: '.json',
  color: false,
  commands: ['trace', 'report'],
  // `trace --json` has always ended with an empty line after the document: kept, byte for byte.
  render: (run) => (run.full === null ? reportJsonText(run.json, run.manifest) + '\n' : jsonText(fullReportJson(run.full, run.json))),
};
