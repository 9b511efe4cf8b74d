import type { Address } from '../types.js';
import { UsageError } from '../errors.js';
import { withSqliteErrors, type Db } from './open.js';

/** What a finished trace run leaves in the database (table trace_runs). */
export interface TraceRun {
  id: number;
  /** ISO time the run finished. */
  createdAt: string;
  chainId: number;
  toolVersion: string;
  /** The RPC endpoint, redacted (never the full URL). */
  rpc: string;
  fromBlock: number;
  toBlock: number;
  labelDataVersion: string;
  labelDataSha256: string;
  userLabels: number;
  seeds: Address[];
  /** The run's parameters as the JSON report has them. */
  params: Record<string, unknown>;
  /** The JSON report the run gave (schema/trace-report.schema.json), as text. */
  result: string;
}

export type NewTraceRun = Omit<TraceRun, 'id'>;

interface Row {
  id: number;
  created_at: string;
  chain_id: number;
  tool_version: string;
  rpc: string;
  from_block: number;
  to_block: number;
  label_data_version: string;
  label_data_sha256: string;
  user_labels: number;
  seeds: string;
  params: string;
  result: string;
}

/** The trace_runs table of one database. */
export interface TraceRuns {
  /** Records a finished run; returns its id. */
  record(run: NewTraceRun): number;
  /** The run with this id, or the latest run when id is undefined; a UsageError when there is none. */
  get(id?: number): TraceRun;
  /** Every run, oldest first, without their reports. */
  list(): Omit<TraceRun, 'result'>[];
}

export function traceRuns(db: Db, path: string): TraceRuns {
  const insert = db.prepare(
    `INSERT INTO trace_runs (created_at, chain_id, tool_version, rpc, from_block, to_block, label_data_version,
       label_data_sha256, user_labels, seeds, params, result)
     VALUES (@created_at, @chain_id, @tool_version, @rpc, @from_block, @to_block, @label_data_version,
       @label_data_sha256, @user_labels, @seeds, @params, @result)`,
  );
  const byId = db.prepare(`SELECT * FROM trace_runs WHERE id = ?`);
  const latest = db.prepare(`SELECT * FROM trace_runs ORDER BY id DESC LIMIT 1`);
  const all = db.prepare(`SELECT * FROM trace_runs ORDER BY id`);
  return {
    record: (run) =>
      withSqliteErrors(path, () =>
        Number(
          insert.run({
            created_at: run.createdAt,
            chain_id: run.chainId,
            tool_version: run.toolVersion,
            rpc: run.rpc,
            from_block: run.fromBlock,
            to_block: run.toBlock,
            label_data_version: run.labelDataVersion,
            label_data_sha256: run.labelDataSha256,
            user_labels: run.userLabels,
            seeds: JSON.stringify(run.seeds),
            params: JSON.stringify(run.params),
            result: run.result,
          }).lastInsertRowid,
        ),
      ),
    get(id) {
      const row = withSqliteErrors(path, () => (id === undefined ? latest.get() : byId.get(id)) as Row | undefined);
      if (!row) {
        throw new UsageError(
          id === undefined ? `database ${path} holds no trace run yet.` : `database ${path} holds no trace run ${id}.`,
          { hint: id === undefined ? 'run hoptrace trace with this --db first' : 'hoptrace report --list shows the runs it holds' },
        );
      }
      return fromRow(row);
    },
    list: () =>
      withSqliteErrors(path, () => (all.all() as Row[]).map((r) => {
        const { result: _omit, ...rest } = fromRow(r);
        void _omit;
        return rest;
      })),
  };
}

function fromRow(r: Row): TraceRun {
  return {
    id: r.id,
    createdAt: r.created_at,
    chainId: r.chain_id,
    toolVersion: r.tool_version,
    rpc: r.rpc,
    fromBlock: r.from_block,
    toBlock: r.to_block,
    labelDataVersion: r.label_data_version,
    labelDataSha256: r.label_data_sha256,
    userLabels: r.user_labels,
    seeds: JSON.parse(r.seeds) as Address[],
    params: JSON.parse(r.params) as Record<string, unknown>,
    result: r.result,
  };
}
