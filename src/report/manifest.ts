import type { TraceParams } from '../trace/result.js';

/**
 * What a report rests on, so that anyone can re-check it: the tool and schema versions, the chain, the
 * endpoint (redacted: scheme and host, never a key), the block range, the label data (version and full
 * sha256) and every parameter of the run. Written into the JSON report as `manifest` and shown in every
 * other format.
 */
export interface Manifest {
  tool: { name: 'hoptrace'; version: string };
  /** Version of the JSON report (schema/trace-report.schema.json). */
  reportSchemaVersion: number;
  /** `PRAGMA user_version` of the database the report was made from. */
  databaseSchemaVersion: number;
  /** The trace run (table trace_runs) the report is of. */
  run: { id: number; tracedAt: string; toolVersion: string };
  chainId: number;
  /** Endpoints the run read from, redacted. */
  rpc: string[];
  blockRange: { fromBlock: number; toBlock: number };
  /** The label data the run used: version (12 hex), full sha256 of the bundled files, user labels applied. */
  labels: { dataVersion: string; sha256: string; userLabels: number };
  params: TraceParams;
  seeds: string[];
  /** When the report was rendered (the run's own time is `run.tracedAt`). */
  generatedAt: string;
}
