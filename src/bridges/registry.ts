/**
 * data/bridges.csv: the bridge contracts per chain, each row with the source that states its address.
 * The registry answers what the decoders cannot read from a log: which contracts to decode at all, the
 * remote chain of a rollup bridge, and which Wormhole senders are token bridges.
 */
import { join } from 'node:path';
import type { Address } from '../types.js';
import { dataFileError, readCsvFile } from '../labels/csv.js';
import { resolveDataDir, type DataDirOptions } from '../labels/files.js';
import type { BridgeProtocol, DecodedBridgeLog, RawLog } from './types.js';
import { decodeBridgeLogs, type DecodeContext } from './decode.js';
import { EVENTS_BY_TOPIC } from './events.js';

export const BRIDGES_FILE = 'bridges.csv';
const COLUMNS = ['chain_id', 'address', 'protocol', 'role', 'remote_chain_id', 'source'] as const;
const PROTOCOLS: ReadonlySet<string> = new Set<BridgeProtocol>(['thorchain', 'across', 'wormhole', 'op-standard-bridge']);
const ROLES: Readonly<Record<BridgeProtocol, readonly string[]>> = {
  thorchain: ['router'],
  across: ['spoke-pool'],
  wormhole: ['core', 'token-bridge'],
  'op-standard-bridge': ['l1-standard-bridge', 'l2-standard-bridge'],
};

/** One bridge contract. */
export interface BridgeRow {
  chainId: number;
  address: Address;
  protocol: BridgeProtocol;
  role: string;
  /** For rollup bridges: the chain on the other side. */
  remoteChainId: number | null;
  source: string;
}

/** The rows, with the look-ups the decoders and the walk need. */
export interface BridgeRegistry {
  rows: readonly BridgeRow[];
  /** The row of a contract on a chain, if it is a bridge contract we decode. */
  find(chainId: number, address: Address): BridgeRow | undefined;
  /** A decode context for a chain: remote chains and Wormhole token bridges filled from the rows. */
  contextFor(chainId: number): DecodeContext;
  /**
   * Decodes logs of one chain, but only those a listed contract of the event's own protocol and role
   * emitted: anyone can deploy a contract that emits `TransferOut(…, "OUT:<hash>")` or a fill, and such
   * a log must not become a link. Every other log is `not-ours`.
   */
  decode(chainId: number, logs: readonly RawLog[]): DecodedBridgeLog[];
}

/** Which role of a protocol emits each event (the core publishes Wormhole messages; the token bridge redeems). */
const EMITTER_ROLE: Readonly<Record<string, string>> = {
  LogMessagePublished: 'core',
  TransferRedeemed: 'token-bridge',
};

/** Reads data/bridges.csv (or the file in `opts.dataDir`). A bad row is a HoptraceError naming its line. */
export function loadBridgeRegistry(opts?: DataDirOptions): BridgeRegistry {
  const file = join(resolveDataDir(opts), BRIDGES_FILE);
  return parseBridgeRegistry(readCsvFile(file, COLUMNS), file);
}

/** Builds the registry from parsed CSV records (split out so tests can feed rows). */
export function parseBridgeRegistry(records: ReadonlyArray<{ line: number; row: Record<(typeof COLUMNS)[number], string> }>, file = BRIDGES_FILE): BridgeRegistry {
  const rows: BridgeRow[] = [];
  const seen = new Set<string>();
  for (const { line, row } of records) {
    const chainId = Number(row.chain_id);
    if (!/^[1-9]\d{0,15}$/.test(row.chain_id) || !Number.isSafeInteger(chainId)) throw dataFileError(file, line, `chain_id "${row.chain_id}" is not a chain id`);
    if (!/^0x[0-9a-f]{40}$/.test(row.address)) throw dataFileError(file, line, `address "${row.address}" is not a lower-case address`);
    if (!PROTOCOLS.has(row.protocol)) throw dataFileError(file, line, `protocol "${row.protocol}" is not one we decode`);
    const protocol = row.protocol as BridgeProtocol;
    if (!ROLES[protocol].includes(row.role)) throw dataFileError(file, line, `role "${row.role}" is not a ${protocol} role`);
    let remoteChainId: number | null = null;
    if (row.remote_chain_id !== '') {
      remoteChainId = Number(row.remote_chain_id);
      if (!/^[1-9]\d{0,15}$/.test(row.remote_chain_id)) throw dataFileError(file, line, `remote_chain_id "${row.remote_chain_id}" is not a chain id`);
    }
    if (protocol === 'op-standard-bridge' && remoteChainId === null) throw dataFileError(file, line, 'a rollup bridge row needs remote_chain_id');
    if (row.source.trim() === '') throw dataFileError(file, line, 'row without a source');
    const key = `${chainId}|${row.address}`;
    if (seen.has(key)) throw dataFileError(file, line, `${row.address} on chain ${chainId} is listed twice`);
    seen.add(key);
    rows.push({ chainId, address: row.address, protocol, role: row.role, remoteChainId, source: row.source });
  }
  const byKey = new Map(rows.map((r) => [`${r.chainId}|${r.address}`, r]));
  return {
    rows,
    find: (chainId, address) => byKey.get(`${chainId}|${address.toLowerCase()}`),
    contextFor(chainId) {
      const tokenBridges = new Set(rows.filter((r) => r.chainId === chainId && r.protocol === 'wormhole' && r.role === 'token-bridge').map((r) => r.address));
      return {
        chainId,
        remoteChainOf: (contract) => byKey.get(`${chainId}|${contract}`)?.remoteChainId ?? undefined,
        wormholeTokenBridges: tokenBridges,
      };
    },
    decode(chainId, logs) {
      const mine = logs.filter((l) => {
        const row = typeof l?.address === 'string' ? byKey.get(`${chainId}|${l.address.toLowerCase()}`) : undefined;
        const ev = typeof l?.topics?.[0] === 'string' ? EVENTS_BY_TOPIC.get(l.topics[0].toLowerCase()) : undefined;
        if (!row || !ev || ev.protocol !== row.protocol) return false;
        const role = EMITTER_ROLE[ev.fragment.name];
        return role === undefined || role === row.role;
      });
      const decoded = new Map(decodeBridgeLogs(mine, this.contextFor(chainId)).map((d, i) => [mine[i], d]));
      return logs.map((l) => decoded.get(l) ?? { kind: 'not-ours' as const });
    },
  };
}
