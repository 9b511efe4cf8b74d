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

/** A movement a run's walk followed (table trace_run_edges). */
export interface RunEdge {
  /** The chain the movement is on (a run across chains follows movements on each). */
  chainId: number;
  txHash: string;
  ref: string;
  /** The hop it was first followed at (1: paid by a seed, forward). */
  hop: number;
}

/** The trace_runs table of one database. */
export interface TraceRuns {
  /** Records a finished run, with the movements its walk followed when given; returns its id. */
  record(run: NewTraceRun, edges?: readonly RunEdge[]): number;
  /** The movements the run's walk followed, or null for a run recorded before they were kept. */
  edges(id: number): RunEdge[] | null;
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
  const insertEdge = db.prepare(`INSERT OR IGNORE INTO trace_run_edges (run_id, chain_id, tx_hash, ref, hop) VALUES (?, ?, ?, ?, ?)`);
  const markEdges = db.prepare(`UPDATE trace_runs SET edges_recorded = 1 WHERE id = ?`);
  const recorded = db.prepare(`SELECT edges_recorded FROM trace_runs WHERE id = ?`);
  const edgesOf = db.prepare(`SELECT chain_id, tx_hash, ref, hop FROM trace_run_edges WHERE run_id = ? ORDER BY hop, chain_id, tx_hash, ref`);
  // The run and its edges in one transaction: a run is never left without the graph it was recorded with.
  const recordAll = db.transaction((run: NewTraceRun, edges: readonly RunEdge[] | undefined): number => {
    const id = Number(
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
    );
    if (edges) {
      for (const e of edges) insertEdge.run(id, e.chainId, e.txHash, e.ref, e.hop);
      markEdges.run(id);
    }
    return id;
  });
  return {
    record: (run, edges) => withSqliteErrors(path, () => recordAll(run, edges)),
    edges: (id) =>
      withSqliteErrors(path, () => {
        const r = recorded.get(id) as { edges_recorded: number } | undefined;
        if (!r || r.edges_recorded !== 1) return null;
        return (edgesOf.all(id) as { chain_id: number; tx_hash: string; ref: string; hop: number }[]).map((e) => ({ chainId: e.chain_id, txHash: e.tx_hash, ref: e.ref, hop: e.hop }));
      }),
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
