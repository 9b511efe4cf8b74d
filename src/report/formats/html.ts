import { renderHtml } from '../html.js';
import { fullReport, type ReportFormat } from './types.js';

/** `--format html`: one self-contained page with the interactive graph (the renderer is report/html.ts). */
export const htmlFormat: ReportFormat = {
  name: 'html',
  summary: 'one self-contained page with the graph',
  renders: 'report',
  output: 'data',
  extension: '.html',
  color: false,
  commands: ['report'],
  render: (run) => renderHtml(fullReport(run, 'html')),
};
