import { jsonText } from '../json.js';
import type { DiffFormat } from './types.js';

/** `hoptrace diff --format json` (`--json`): one document (schema/run-diff.schema.json). */
export const diffJsonFormat: DiffFormat = {
  name: 'json',
  summary: 'one document (schema/run-diff.schema.json)',
  renders: 'diff',
  output: 'json',
  extension: '.json',
  color: false,
  commands: ['diff'],
  render: (d) => jsonText(d),
};
