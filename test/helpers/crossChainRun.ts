/**
 * A run across two chains, built by hand (no node, no database): for the renderer tests of
 * test/crossChainReport.test.ts. Addresses and hashes are synthetic (hashes of a tag), never real actors.
 *
 * Ethereum (1, home): the seed pays MID 10 ETH; MID puts 4 ETH into the THORChain router (a crossing,
 * linked by THORChain's own `OUT:<hash>` memo, to bsc) and 6 ETH into the router again, a swap to Bitcoin
 * (an exit: left to BTC, not followed). BSC (56): the THORChain vault pays 12 BNB-worth of BUSD to MID's
 * own address on bsc (the same address on two chains), which pays a bsc exchange: a venue hit on chain 56.
 * A second crossing, Across, pays RECV on bsc, matched by a heuristic (an inference, medium confidence).
 */
import { createHash } from 'node:crypto';
import { attribute, type VenueFlow } from '../../src/graph/index.js';
import type { AttributionReport } from '../../src/report/attribution.js';
import type { FullReport } from '../../src/report/full.js';
import type { Manifest } from '../../src/report/manifest.js';
import type { Crossing, Evidence, Hit, HitExit, PathStep, TraceResult } from '../../src/trace/result.js';
import type { Transfer } from '../../src/types.js';

const hex = (tag: string, chars: number): string => createHash('sha256').update(tag).digest('hex').slice(0, chars);
export const addr = (tag: string): string => `0x${hex(tag, 40)}`;
export const hash = (tag: string): string => `0x${hex(tag, 64)}`;

export const SEED = addr('x-seed');
export const MID = addr('x-mid'); // on ethereum, and (same address) the recipient on bsc
export const ROUTER = addr('x-thor-router'); // THORChain router on ethereum
export const VAULT = addr('x-thor-vault-bsc'); // THORChain vault on bsc
export const VENUE = addr('x-bsc-exchange'); // an exchange on bsc
export const SPOKE = addr('x-across-spoke-eth'); // Across SpokePool on ethereum
export const RECV = addr('x-across-recipient'); // paid by Across on bsc
export const BUSD = addr('x-busd-bsc');
export const BTC_ADDRESS = 'bc1qsynthetictestaddressxxxxxxxxxxxxxxxxxx';
export const ETH = 10n ** 18n;
const T0 = Date.UTC(2025, 1, 21, 15, 0, 0) / 1000;

export const TX = {
  seedToMid: hash('x-tx-1'),
  midToRouter: hash('x-tx-2'),
  vaultToMid: hash('x-tx-3'), // the arrival on bsc
  midToVenue: hash('x-tx-4'),
  midToRouterBtc: hash('x-tx-5'),
  midToSpoke: hash('x-tx-6'),
  acrossFill: hash('x-tx-7'),
};

const bridgeEvidence = (name: string): Evidence => ({
  level: 'label',
  sources: [{ kind: 'bridge', origin: 'bundled', name, category: 'bridge', role: 'contract', tier: null, incident: null, source: `data/bridges.csv: ${name} router (synthetic test row)` }],
  inference: null,
  conflict: null,
});

const venueEvidence: Evidence = {
  level: 'label',
  sources: [{ kind: 'venue', origin: 'bundled', name: 'BSC Exchange', category: 'exchange', role: 'hot-wallet', tier: null, incident: null, source: 'synthetic test label' }],
  inference: null,
  conflict: null,
};

function step(p: Partial<PathStep> & Pick<PathStep, 'from' | 'to' | 'txHash' | 'blockNumber' | 'amount'>): PathStep {
  return {
    chainId: 1, blockHash: hash(`block-${p.txHash}`), timestamp: T0 + p.blockNumber * 12, asset: 'native', symbol: 'ETH', decimals: 18,
    kind: 'native', ref: 'trace:', crossing: null, fromEvidence: null, toEvidence: null, ...p,
  };
}

export const THOR_CROSSING: Crossing = {
  protocol: 'thorchain',
  protocolName: 'THORChain',
  fromChainId: 1,
  toChainId: 56,
  exit: { txHash: TX.midToRouter, blockNumber: 102, timestamp: T0 + 102 * 12, logIndex: 0, contract: ROUTER, event: 'Deposit' },
  arrival: { txHash: TX.vaultToMid, blockNumber: 7, timestamp: T0 + 102 * 12 + 90, logIndex: 3, contract: VAULT, event: 'TransferOut' },
  from: ROUTER,
  to: MID,
  link: {
    evidence: 'fact', basis: 'protocol-link', kind: 'exact', key: `OUT:${TX.midToRouter.slice(2).toUpperCase()}`, confidence: 'certain',
    reasons: ["THORChain's outbound memo names the inbound transaction"],
  },
  promised: { asset: 'BSC.BUSD', symbol: 'BUSD', decimals: 8, amount: 1_190_000_000n, amountKind: 'minimum' },
  hop: 3,
};

/** Across into bsc, matched by a heuristic: an inference (the same chains and hop as the THORChain crossing). */
export const ACROSS_CROSSING: Crossing = {
  ...THOR_CROSSING,
  protocol: 'across',
  protocolName: 'Across',
  exit: { txHash: TX.midToSpoke, blockNumber: 104, timestamp: T0 + 104 * 12, logIndex: 1, contract: SPOKE, event: 'FundsDeposited' },
  arrival: { txHash: TX.acrossFill, blockNumber: 9, timestamp: T0 + 104 * 12 + 60, logIndex: 0, contract: addr('x-across-spoke-bsc'), event: 'FilledRelay' },
  from: SPOKE,
  to: RECV,
  link: { evidence: 'inference', basis: 'heuristic', kind: 'none', key: null, confidence: 'medium', reasons: ['recipient, asset and amount match within the window'] },
  promised: { asset: BUSD, symbol: 'BUSD', decimals: 18, amount: 2n * ETH, amountKind: 'exact' },
};

export const BTC_EXIT: HitExit = {
  protocol: 'thorchain',
  protocolName: 'THORChain',
  event: 'Deposit',
  chainId: 1,
  txHash: TX.midToRouterBtc,
  blockNumber: 103,
  timestamp: T0 + 103 * 12,
  logIndex: 2,
  contract: ROUTER,
  destination: { kind: 'named', chainId: null, name: 'Bitcoin', code: 'BTC' },
  recipient: { kind: 'external', text: BTC_ADDRESS },
  promised: { asset: 'BTC.BTC', symbol: 'BTC', decimals: 8, amount: 15_000_000n, amountKind: 'minimum' },
  paid: { asset: 'native', amount: 6n * ETH },
  reason: 'non-evm',
  reasonText: 'Bitcoin is not an EVM chain',
  evidence: 'fact',
  promise: 'protocol',
  caveats: ['THORChain refunds below the limit'],
  summary: `left to BTC ${BTC_ADDRESS} via THORChain, at least 0.15 BTC promised`,
};

const seedToMid = step({ from: SEED, to: MID, txHash: TX.seedToMid, blockNumber: 101, amount: 10n * ETH });
const midToRouter = step({ from: MID, to: ROUTER, txHash: TX.midToRouter, blockNumber: 102, amount: 4n * ETH, toEvidence: bridgeEvidence('THORChain') });
const thorStep = step({
  chainId: 56, from: ROUTER, to: MID, txHash: TX.vaultToMid, blockNumber: 7, timestamp: THOR_CROSSING.arrival.timestamp, asset: BUSD, symbol: 'BUSD', decimals: 18,
  amount: 12n * ETH, kind: 'bridge', ref: 'bridge:3', crossing: THOR_CROSSING, fromEvidence: bridgeEvidence('THORChain'),
});
const midToVenue = step({
  chainId: 56, from: MID, to: VENUE, txHash: TX.midToVenue, blockNumber: 8, asset: BUSD, symbol: 'BUSD', decimals: 18, amount: 12n * ETH, kind: 'erc20', ref: 'log:5', toEvidence: venueEvidence,
});
const midToRouterBtc = step({ from: MID, to: ROUTER, txHash: TX.midToRouterBtc, blockNumber: 103, amount: 6n * ETH, toEvidence: bridgeEvidence('THORChain') });

export function venueHit(): Hit {
  return {
    kind: 'venue', chainId: 56, seed: SEED, address: VENUE, entity: 'BSC Exchange', category: 'exchange', role: 'hot-wallet', risk: 'standard',
    jurisdiction: null, labelSource: 'synthetic test label', labelOrigin: 'bundled', labelAtHop: { risk: 'standard', sanctionedAtHop: false, note: null },
    direction: 'out', hops: 4, path: [seedToMid, midToRouter, thorStep, midToVenue],
    totals: [{ asset: BUSD, symbol: 'BUSD', decimals: 18, amount: 12n * ETH, transfers: 1 }],
    firstBlock: 8, lastBlock: 8, via: 'label', deposit: null, exit: null, evidence: venueEvidence, perpetrator: null,
  };
}

export function exitHit(): Hit {
  return {
    kind: 'exit', chainId: 1, seed: SEED, address: ROUTER, entity: 'THORChain', category: 'bridge', role: 'contract', risk: 'standard',
    jurisdiction: null, labelSource: 'data/bridges.csv: THORChain router (synthetic test row)', labelOrigin: 'bundled',
    labelAtHop: { risk: 'standard', sanctionedAtHop: false, note: null }, direction: 'out', hops: 2, path: [seedToMid, midToRouterBtc],
    totals: [{ asset: 'native', symbol: 'ETH', decimals: 18, amount: 6n * ETH, transfers: 1 }],
    firstBlock: 103, lastBlock: 103, via: 'bridge', deposit: null, exit: BTC_EXIT, evidence: bridgeEvidence('THORChain'), perpetrator: null,
  };
}

export function crossChainResult(): TraceResult {
  return {
    schemaVersion: 3,
    tool: { name: 'hoptrace', version: '0.1.0' },
    chainId: 1,
    labelChain: 'ethereum',
    labels: { dataVersion: '0123456789ab', userLabels: 0 },
    rpc: 'https://eth.example.org',
    generatedAt: '2025-03-01T10:00:00.000Z',
    params: { hops: 6, direction: 'out', fromBlock: 100, toBlock: 200, minValue: {}, fanOutCap: 50, maxAddresses: 10000, stopAtLabels: true },
    seeds: [{ address: SEED, label: 'test thief', incident: 'Test incident 2025-02-21', tier: 'official:FBI', source: 'synthetic' }],
    coverage: { erc20: 'eth_getLogs', native: 'trace_filter', internal: 'trace_filter', warnings: [], hubs: [] },
    stats: {
      rpcCalls: { total: 10, byMethod: { eth_getLogs: 10 } }, addressesVisited: 6, transfersStored: 8, transfersFollowed: 6, transfersSkipped: 0,
      sweepLookups: 0, depositsLearned: 0, durationMs: 1000,
    },
    hits: [venueHit(), exitHit()],
    inferences: [],
    chains: [
      { chainId: 1, labelChain: 'ethereum', nativeSymbol: 'ETH', rpc: 'https://eth.example.org', home: true, fromBlock: 100, toBlock: 200 },
      { chainId: 56, labelChain: 'bsc', nativeSymbol: 'BNB', rpc: 'https://bsc.example.org', home: false, fromBlock: 1, toBlock: 50 },
    ],
    crossings: [THOR_CROSSING, ACROSS_CROSSING],
    frontier: [
      {
        chainId: null, chain: 'Bitcoin', address: BTC_ADDRESS, asset: 'BTC.BTC', symbol: 'BTC', decimals: 8, amount: 15_000_000n, amountKind: 'minimum',
        protocol: 'thorchain', fromChainId: 1, txHash: TX.midToRouterBtc, seed: SEED, hop: 2, reason: 'non-evm', reasonText: 'Bitcoin is not an EVM chain',
      },
    ],
  };
}

/** The movements each chain's walk followed, as the store keeps them (chain id on every row). */
export function tracedTransfers(): { transfer: Transfer; hop: number }[] {
  const t = (chainId: number, txHash: string, from: string, to: string, asset: string, amount: bigint, blockNumber: number, ref: string, kind: Transfer['kind']): Transfer => ({
    chainId, txHash: txHash as `0x${string}`, ref, kind, blockNumber, blockHash: hash(`block-${txHash}`) as `0x${string}`, txIndex: 0, from, to, asset, amount,
  });
  return [
    { transfer: t(1, TX.seedToMid, SEED, MID, 'native', 10n * ETH, 101, 'trace:', 'native'), hop: 1 },
    { transfer: t(1, TX.midToRouter, MID, ROUTER, 'native', 4n * ETH, 102, 'trace:', 'native'), hop: 2 },
    { transfer: t(1, TX.midToRouterBtc, MID, ROUTER, 'native', 6n * ETH, 103, 'trace:', 'native'), hop: 2 },
    { transfer: t(1, TX.midToSpoke, MID, SPOKE, 'native', 2n * ETH, 104, 'trace:', 'native'), hop: 2 },
    { transfer: t(56, TX.midToVenue, MID, VENUE, BUSD, 12n * ETH, 8, 'log:5', 'erc20'), hop: 4 },
  ];
}

/**
 * The attribution of the run as `report` builds it: the models run over the home chain's movements (they
 * do not cross a bridge yet), with the bsc venue's flow as the walk found it (12 BUSD, every model).
 */
export function crossChainFull(): FullReport {
  const result = crossChainResult();
  const traced = tracedTransfers();
  const home = traced.filter((e) => e.transfer.chainId === 1).map((e) => e.transfer);
  const attribution = attribute(home, { seeds: [SEED], venue: () => undefined, hops: 6, stopAtLabels: true, isToken: () => false });
  const bscVenue: VenueFlow = {
    address: VENUE,
    venue: { entity: 'BSC Exchange', category: 'exchange', risk: 'standard' },
    amounts: { poison: new Map([[BUSD, 12n * ETH]]), haircut: new Map([[BUSD, 12n * ETH]]), fifo: new Map([[BUSD, 12n * ETH]]) },
    arrivals: 1,
    first: { block: 8, txHash: TX.midToVenue },
    last: { block: 8, txHash: TX.midToVenue },
    hops: 4,
    support: ['poison', 'haircut', 'fifo'],
  };
  attribution.venues.push(bscVenue);
  // What reached it, on the bsc movement (the models ran on ethereum only).
  const intoVenue = traced.find((e) => e.transfer.txHash === TX.midToVenue)!;
  attribution.edges.push({ transfer: intoVenue.transfer, hop: intoVenue.hop, taint: { poison: 12n * ETH, haircut: 12n * ETH, fifo: 12n * ETH } });
  const a: AttributionReport = {
    attribution,
    perSeed: null,
    assets: new Map([
      ['native', { symbol: 'ETH', decimals: 18 }],
      [BUSD, { symbol: 'BUSD', decimals: 18 }],
    ]),
    times: new Map([[101, T0 + 101 * 12], [102, T0 + 102 * 12], [103, T0 + 103 * 12], [104, T0 + 104 * 12]]),
    notes: [],
    traced,
  };
  const manifest: Manifest = {
    tool: { name: 'hoptrace', version: '0.1.0' },
    reportSchemaVersion: 3,
    databaseSchemaVersion: 9,
    run: { id: 1, tracedAt: '2025-03-01T10:00:00.000Z', toolVersion: '0.1.0' },
    chainId: 1,
    rpc: ['https://eth.example.org', 'https://bsc.example.org'],
    blockRange: { fromBlock: 100, toBlock: 200 },
    labels: { dataVersion: '0123456789ab', sha256: 'f'.repeat(64), userLabels: 0 },
    params: result.params,
    seeds: [SEED],
    generatedAt: '2025-03-01T10:00:01.000Z',
  };
  return { result, manifest, attribution: a };
}
