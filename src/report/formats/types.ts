/**
 * The shape of an output format (formats/index.ts lists them). A format draws one of two things of a run:
 * its report (the hops, hits and, where the database was read, the attribution) or its traced graph.
 */
import type { TraceResult } from '../../trace/result.js';
import type { RunDiffJson } from '../diff.js';
import type { FullReport } from '../full.js';
import type { TracedGraph } from '../graph.js';
import type { TraceReportJson } from '../json.js';
import type { Manifest } from '../manifest.js';

/** The commands that print a run (or, `diff`, two runs compared), each offering the formats that list it. */
export type FormatCommand = 'trace' | 'report' | 'export' | 'diff';

/**
 * One run, as every format of one command invocation sees it. Built once per invocation, so that every
 * output of the run (stdout, an `-o` file, the stored run, the manifest) rests on the same values.
 */
export interface RunView {
  result: TraceResult;
  /** `result` as its JSON value (json.ts toJsonValue), built once and shared by every consumer. */
  json: TraceReportJson;
  manifest: Manifest;
  /**
   * The attribution and the traced graph, computed from the database (`report`, `export`); null for
   * `trace`, which prints the report of its walk alone (as it always has).
   */
  full: FullReport | null;
}

/** What the CLI decided once for this output (cli/shared.ts outputStyle): handed to every renderer. */
export interface RenderContext {
  /** ANSI colour on or off (only formats with `color: true` use it). */
  color: boolean;
  /** Terminal width to wrap warnings to; unset for pipes and files. */
  width?: number;
}

interface FormatBase {
  /** What `--format` takes. Unique among the formats of one command. */
  name: string;
  /** A few words for `--help`. */
  summary: string;
  /**
   * How the output gate treats it (cli/output.ts): `text` for a terminal (escaped, may carry colour),
   * `json` (escaped as JSON `\uXXXX`), `data` (bytes with their own escaping: CSV, XML, DOT, HTML, Markdown).
   */
  output: 'text' | 'json' | 'data';
  /** File extension a file of this format usually has, with the dot. */
  extension: string;
  /** Whether the colour decision applies (terminal text only). */
  color: boolean;
  /** The commands that offer it; the first format listed for a command is its default. */
  commands: readonly FormatCommand[];
}

/** A format of a run's report. */
export interface ReportFormat extends FormatBase {
  renders: 'report';
  render(run: RunView, ctx: RenderContext): string;
}

/** A format of a run's traced graph (report/graph.ts): every one leaves through xmlSafe (formats/index.ts). */
export interface GraphFormat extends FormatBase {
  renders: 'graph';
  write(g: TracedGraph): string;
}

/** A format of what changed between two runs (`hoptrace diff`, report/diff.ts). */
export interface DiffFormat extends FormatBase {
  renders: 'diff';
  render(diff: RunDiffJson, ctx: RenderContext): string;
}

export type OutputFormat = ReportFormat | GraphFormat | DiffFormat;

/** The attribution of a run, for a format that needs it: the table offers such formats only where it is read. */
export function fullReport(run: RunView, format: string): FullReport {
  if (run.full === null) throw new Error(`format ${format} needs the attribution of a stored run`);
  return run.full;
}
