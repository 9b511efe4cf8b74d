/**
 * The output formats of hoptrace: one entry per format, one file per entry. `trace`, `report` and
 * `export` build their `--format` option, its help and its check from this table (cli/shared.ts).
 *
 * Adding a format: one file beside this one exporting a ReportFormat (or a GraphFormat) with the
 * commands that offer it, and its place in FORMATS below.
 */
import { reportGraph } from '../full.js';
import { xmlSafe } from '../sanitize.js';
import { csvFormat } from './csv.js';
import { diffJsonFormat } from './diffJson.js';
import { diffMdFormat } from './diffMd.js';
import { diffTextFormat } from './diffText.js';
import { dotFormat } from './dot.js';
import { edgeCsvFormat } from './edgeCsv.js';
import { frontierFormat } from './frontier.js';
import { gexfFormat } from './gexf.js';
import { graphmlFormat } from './graphml.js';
import { htmlFormat } from './html.js';
import { jsonFormat } from './json.js';
import { mdFormat } from './md.js';
import { ndjsonFormat } from './ndjson.js';
import { textFormat } from './text.js';
import type { RunDiffJson } from '../diff.js';
import { fullReport, type FormatCommand, type GraphFormat, type OutputFormat, type RenderContext, type RunView } from './types.js';

export type { DiffFormat, FormatCommand, GraphFormat, OutputFormat, RenderContext, ReportFormat, RunView } from './types.js';

/** Every format, in the order `--help` lists them; a command's first one is its default. */
export const FORMATS: readonly OutputFormat[] = [
  textFormat,
  mdFormat,
  htmlFormat,
  jsonFormat,
  ndjsonFormat,
  csvFormat,
  gexfFormat,
  graphmlFormat,
  dotFormat,
  edgeCsvFormat,
  diffTextFormat,
  diffMdFormat,
  diffJsonFormat,
  frontierFormat,
];

/** The formats `command` offers, its default first. */
export function formatsOf(command: FormatCommand): OutputFormat[] {
  return FORMATS.filter((f) => f.commands.includes(command));
}

/** The format `name` of `command`, or undefined when it offers none of that name. */
export function findFormat(command: FormatCommand, name: string): OutputFormat | undefined {
  return formatsOf(command).find((f) => f.name === name);
}

/** The graph format `name` (of `export`), or undefined. */
export function graphFormat(name: string): GraphFormat | undefined {
  const f = findFormat('export', name);
  return f?.renders === 'graph' ? f : undefined;
}

/**
 * The run in `format`. A graph format draws the run's traced graph (full.ts reportGraph, the one drawing
 * every output shares) and leaves through xmlSafe: a character XML 1.0 forbids (U+FFFF in a token
 * symbol) becomes U+FFFD, so the XML formats stay well-formed and every graph format shows the same text.
 */
export function renderRun(format: OutputFormat, run: RunView, ctx: RenderContext): string {
  if (format.renders === 'report') return format.render(run, format.color ? ctx : { ...ctx, color: false });
  if (format.renders === 'diff') throw new Error(`format ${format.name} renders a diff, not a run`);
  return xmlSafe(format.write(reportGraph(fullReport(run, format.name))));
}

/** Two runs compared (report/diff.ts) in `format`, a format of `diff`. */
export function renderDiff(format: OutputFormat, diff: RunDiffJson, ctx: RenderContext): string {
  if (format.renders !== 'diff') throw new Error(`format ${format.name} renders a run, not a diff`);
  return format.render(diff, format.color ? ctx : { ...ctx, color: false });
}
