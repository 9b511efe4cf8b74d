import type { LabelAtHop } from '../labels/validity.js';
import type { DepositEvidence } from './deposits.js';
import type { Address, Asset, Direction, Hex, LabelCategory, LabelOrigin, LabelRole, Risk, SeedTier, SwapProtocol, TransferKind } from '../types.js';
import type { AmountKind, BridgeProtocol } from '../bridges/types.js';

/**
 * Version of the JSON report (schema/trace-report.schema.json). Bump on any incompatible change.
 * 2: evidence levels (Hit.evidence, PathStep.fromEvidence / toEvidence), hit kinds (known-perpetrator
 * hits), label roles. 3: across chains (PathStep.chainId / crossing, the `bridge` step kind, exit hits,
 * Hit.chainId / exit, TraceResult.chains / crossings / frontier). Versions 1 and 2 are still read
 * (report/fromJson.ts).
 */
export const REPORT_SCHEMA_VERSION = 3;

/**
 * How we know what an address is. `label`: a sourced attribution (a venue label, bundled or the
 * user's, or the seed list), nothing contradicting it. `inferred`: a heuristic's verdict alone (today
 * only the exchange deposit-address heuristic), with its confidence and reasons. `conflict`: a
 * heuristic, or two sources, disagree with a sourced attribution; both sides are shown, and no finding
 * rests on the inference.
 */
export type EvidenceLevel = 'label' | 'inferred' | 'conflict';

/** One sourced attribution of an address. */
export interface EvidenceSource {
  /**
   * `venue`: a label of data/exchanges.csv or the user's; `seed`: the seed list (attributed perpetrators);
   * `bridge`: a bridge contract of data/bridges.csv.
   */
  kind: 'venue' | 'seed' | 'bridge';
  origin: LabelOrigin;
  /** The venue's entity, or the seed row's label text. */
  name: string;
  /** The venue's category; `known-perpetrator` for a seed. */
  category: HitCategory;
  /** What the address is to its venue (venue labels); null for a seed. */
  role: LabelRole | null;
  /** The seed row's attribution tier; null for a venue label. */
  tier: SeedTier | null;
  /** The seed row's incident; null for a venue label. */
  incident: string | null;
  /** The public source the row rests on. */
  source: string;
}

/** A heuristic's verdict on an address. */
export interface EvidenceInference {
  heuristic: 'exchange-deposit-address';
  /** The exchange it names (its hot wallet's label). */
  entity: string;
  /** The labelled wallet the address swept to. */
  hotWallet: Address;
  confidence: 'high' | 'medium' | 'low';
  reasons: string[];
  /** `detected` in this trace, or `learned` (stored by an earlier one). */
  origin: 'detected' | 'learned';
}

/** What a hit, a path step's endpoint or an exported node is, and how we know it. */
export interface Evidence {
  level: EvidenceLevel;
  /** The sourced attributions (none for `inferred`). */
  sources: EvidenceSource[];
  /** The heuristic's verdict (null for `label`). */
  inference: EvidenceInference | null;
  /** For `conflict`: one sentence naming the two sides; null otherwise. */
  conflict: string | null;
}

/** A hit's category: a venue label's, or `known-perpetrator` for an address of the seed list. */
export type HitCategory = LabelCategory | 'known-perpetrator';

/**
 * One hop of a path, with the evidence to find it on chain. A cross-chain step (`kind` bridge) has
 * `crossing` set: `from` is the bridge contract on the source chain, `to` the recipient the arrival paid,
 * and the transaction, block, asset and amount are the arrival's on `chainId` (the destination chain).
 */
export interface PathStep {
  /**
   * The chain the step happened on (a crossing: the destination chain). Always written in JSON (schema 3);
   * optional here so that results built before it (tests, old reports) stay valid: absent = the run's chain.
   */
  chainId?: number;
  from: Address;
  to: Address;
  txHash: Hex;
  blockNumber: number;
  blockHash: Hex;
  /** Unix seconds of the block, null if the block header could not be read. */
  timestamp: number | null;
  /**
   * `native` or the token contract. Null only on a crossing step whose arrival names no asset and whose
   * transaction shows the payee no token Transfer (Wormhole redeemed in the native coin): the asset is
   * not named, never assumed.
   */
  asset: Asset | null;
  /** ETH for native on Ethereum; the token's symbol (sanitised) or null when unknown. */
  symbol: string | null;
  /** Decimals of the asset (18 for native), null when unknown: then `amount` is shown in base units. */
  decimals: number | null;
  /** Exact amount in base units (wei, token units). */
  amount: bigint;
  /**
   * True on a crossing step whose `amount` is the exit's promise on its source chain (no amount of the
   * arrival was seen: Wormhole's redemption of the native coin on a node without trace_transaction), not
   * a delivery seen on the destination chain. Absent (or false) where the amount was seen.
   */
  promised?: boolean;
  kind: TransferKind | 'bridge';
  /** `log:<i>` or `trace:<address>`: where in the transaction; `bridge:<log index>` for a crossing. */
  ref: string;
  /** The crossing, exactly when `kind` is `bridge`; null or absent otherwise. */
  crossing?: Crossing | null;
  /** What `from` and `to` are, and how we know (null: nothing is known of the address). */
  fromEvidence: Evidence | null;
  toEvidence: Evidence | null;
  /**
   * Set when `from` got this step's asset by a DEX swap after the funds reached it: the conversion the
   * taint crossed (a fact: the pools' own Swap events). Null or absent: no swap on this step.
   */
  swap?: PathSwap | null;
}

/**
 * A DEX swap shown on a path step: `holder` (the step's `from`) paid `amountIn` of `assetIn` into a route
 * of pools and received `amountOut` of `assetOut` (the step's asset) in `txHash`. `fact` says what it
 * rests on: the pools' Swap events, read from the transaction's receipt.
 */
export interface PathSwap {
  fact: 'swap-event';
  holder: Address;
  txHash: Hex;
  blockNumber: number;
  assetIn: Asset;
  symbolIn: string | null;
  decimalsIn: number | null;
  amountIn: bigint;
  assetOut: Asset;
  symbolOut: string | null;
  decimalsOut: number | null;
  amountOut: bigint;
  /** The route's pools in log order, each with the ref of its Swap event. */
  pools: { address: Address; protocol: SwapProtocol; ref: string }[];
}

/**
 * A labelled venue reached from a seed (`kind` venue), or an address of the seed list reached by the
 * trace (`kind` known-perpetrator: `entity` is then the seed row's label, `category`
 * `known-perpetrator`, risk `high`, and `perpetrator` holds its tier and source).
 */
export interface Hit {
  kind: 'venue' | 'known-perpetrator' | 'exit';
  /** The chain of `address` (absent = the run's chain; always written in JSON). */
  chainId?: number;
  seed: Address;
  /** The labelled address the funds reached. */
  address: Address;
  entity: string;
  category: HitCategory;
  /** What the address is to its venue (null for a known perpetrator). */
  role: LabelRole | null;
  risk: Risk;
  jurisdiction: string | null;
  /** The label's public source. */
  labelSource: string;
  /** `bundled` (data/exchanges.csv) or `user` (a label in the database, which overrides a bundled one). */
  labelOrigin: LabelOrigin;
  /**
   * The label at the moment of the hop into (out) / out of (in) the venue, from that step's block time
   * and the label's dates (labels/validity.ts). `risk` above stays the label's risk today.
   */
  labelAtHop: LabelAtHop;
  /** `out`: the seed's funds reached the venue; `in`: funds came to the seed from the venue. */
  direction: 'out' | 'in';
  /** Number of transfers on the path (1 = the seed paid the venue directly). */
  hops: number;
  /** The first path found (fewest hops, then earliest), seed first for `out`, venue first for `in`. */
  path: PathStep[];
  /** Every traced transfer into (out) / out of (in) the venue from traced addresses, summed per asset. */
  totals: { asset: Asset; symbol: string | null; decimals: number | null; amount: bigint; transfers: number }[];
  firstBlock: number;
  lastBlock: number;
  /**
   * `label`: the address itself is labelled. `deposit`: it is an unlabelled address taken for a deposit
   * address of the labelled exchange it swept to (entity, category, risk and label fields are then the
   * hot wallet's label); `deposit` holds the evidence.
   */
  via: 'label' | 'deposit' | 'bridge';
  deposit: HitDeposit | null;
  /** For an `exit` hit: what the protocol promised where hoptrace did not follow; null otherwise. */
  exit?: HitExit | null;
  /** How we know what the hit's address is: `inferred` exactly when `via` is `deposit`. */
  evidence: Evidence;
  /** The seed-list row of a known-perpetrator hit; null for a venue. */
  perpetrator: { label: string; incident: string; tier: SeedTier | null; source: string } | null;
  /**
   * The main path by value: the route of the traced graph that carried the most to the venue (widest
   * path in time order, graph/widest.ts), beside `path` (the earliest, fewest hops). Absent in reports
   * of runs made before it was computed.
   */
  byValue?: HitByValue;
}

/** What a protocol promises on the other side: its asset notation, amount and how to read it. */
export interface Promised {
  /** `native`, a token address, or the protocol's notation (`BTC.BTC`); null when the protocol does not say. */
  asset: string | null;
  symbol: string | null;
  decimals: number | null;
  amount: bigint | null;
  amountKind: AmountKind;
}

/** Where a bridge log sits. */
export interface CrossingEnd {
  txHash: Hex;
  blockNumber: number;
  timestamp: number | null;
  logIndex: number;
  contract: Address;
  event: string;
}

/** A crossing the walk followed: an exit on one chain matched to its arrival on another. */
export interface Crossing {
  protocol: BridgeProtocol;
  protocolName: string;
  fromChainId: number;
  toChainId: number;
  exit: CrossingEnd;
  arrival: CrossingEnd;
  /** The bridge contract on `fromChainId`. */
  from: Address;
  /** The recipient the arrival paid on `toChainId`. */
  to: Address;
  link: {
    /** `fact`: the protocol's own link; `inference`: a heuristic match. */
    evidence: 'fact' | 'inference';
    basis: 'protocol-link' | 'heuristic';
    kind: 'exact' | 'id' | 'none';
    key: string | null;
    confidence: 'certain' | 'medium';
    reasons: string[];
  };
  promised: Promised;
  /** The hop number of the crossing step on its path. */
  hop: number;
}

/** Why an exit was not followed. */
export type ExitReason = 'non-evm' | 'no-endpoint' | 'no-arrival' | 'unknown-chain' | 'unknown-recipient' | 'hop-limit';

/** An exit hit's facts: the decoded event (a fact) and the protocol's promise (not a delivery). */
export interface HitExit {
  protocol: BridgeProtocol;
  protocolName: string;
  event: string;
  chainId: number;
  txHash: Hex;
  blockNumber: number;
  timestamp: number | null;
  logIndex: number;
  contract: Address;
  destination: { kind: 'evm' | 'named' | 'unknown'; chainId: number | null; name: string; code: string | null };
  recipient: { kind: 'evm' | 'external' | 'thorname' | 'sender' | 'unknown'; text: string };
  promised: Promised;
  paid: { asset: string; amount: bigint } | null;
  reason: ExitReason;
  reasonText: string;
  evidence: 'fact';
  promise: 'protocol';
  caveats: string[];
  /** The sentence the text report prints: `left to BTC bc1q… via THORChain, at least 1 BTC promised`. */
  summary: string;
}

/** One destination the run did not follow (one per exit hit). */
export interface FrontierRow {
  /** Destination EVM chain id; null for a chain that is not EVM (or unknown). */
  chainId: number | null;
  chain: string;
  address: string;
  asset: string | null;
  symbol: string | null;
  decimals: number | null;
  amount: bigint | null;
  amountKind: AmountKind;
  protocol: BridgeProtocol;
  fromChainId: number;
  txHash: Hex;
  seed: Address;
  hop: number;
  reason: ExitReason;
  reasonText: string;
}

/** A chain the run had an endpoint for. */
export interface RunChain {
  chainId: number;
  labelChain: string;
  nativeSymbol: string;
  /** Redacted. */
  rpc: string;
  home: boolean;
  fromBlock: number;
  toBlock: number;
}

/** The widest route to a venue and a count of the others (graph/widest.ts states the comparison rule). */
export interface HitByValue {
  /** The value class compared: `native` (the native coin and its WETH-style wrappers) or the token of the arrival. */
  valueClass: Asset;
  /** Seed first for `out`, venue first for `in`; null when no route in time order stays in the class. */
  path: PathStep[] | null;
  /** The smallest step amount of `path`, in base units of the class; null with no path. */
  width: bigint | null;
  /** The other simple routes in time order within the hop limit: how many, and the sum of their widths. */
  others: { count: number; total: bigint; truncated: boolean };
}

/** The evidence behind a deposit-address hit (trace/deposits.ts). */
export interface HitDeposit extends DepositEvidence {
  /** `detected` in this trace, or `learned` (stored by an earlier trace, flagged without a sweep lookup). */
  origin: 'detected' | 'learned';
  /** When it was stored (ISO time). */
  learnedAt: string;
}

/** Why the trace stopped at an address instead of following it. */
export type HubKind = 'fan-out' | 'token' | 'busy-sender';

/** What a hub's `degree` counts, fixed by its kind. */
export const HUB_DEGREE_KIND = {
  'fan-out': 'counterparties',
  'busy-sender': 'transactions-sent',
  token: 'unknown',
} as const satisfies Record<HubKind, string>;

/** An address the trace stopped at: too many counterparties to follow, worth a label. */
export interface Hub {
  address: Address;
  /** What `degreeKind` says: counterparties counted in the traced window, transactions sent (nonce), or 0 when unknown. */
  degree: number;
  hop: number;
  /**
   * `fan-out`: more counterparties than the fan-out cap (counted after fetching); `token`: an ERC-20
   * contract (answers decimals()), not fetched; `busy-sender`: an account that has sent more transactions
   * (its nonce) than a laundering hop does, not fetched.
   */
  kind: HubKind;
  /** `counterparties`: exact for the window; `transactions-sent`: its nonce, a lower bound on its activity; `unknown`. */
  degreeKind: (typeof HUB_DEGREE_KIND)[HubKind];
}

/** A hub with the `degreeKind` its kind implies. */
export function hubOf(fields: Omit<Hub, 'degreeKind'>): Hub {
  return { address: fields.address, degree: fields.degree, hop: fields.hop, kind: fields.kind, degreeKind: HUB_DEGREE_KIND[fields.kind] };
}

/** Where the trace could not see, or stopped on purpose. */
export interface Coverage {
  /** How each kind of transfer was read: the JSON-RPC method(s), or null when not visible. */
  erc20: string | null;
  native: string | null;
  internal: string | null;
  /** Plain sentences for the reader: anything that makes the trace partial. Empty when complete. */
  warnings: string[];
  /** Addresses whose outgoing (or incoming) transfers exceeded the fan-out cap: not followed further. */
  hubs: Hub[];
}

export interface TraceStats {
  rpcCalls: { total: number; byMethod: Record<string, number> };
  addressesVisited: number;
  transfersStored: number;
  transfersFollowed: number;
  /** Transfers ignored: zero value, below --min-value, before the arrival time. */
  transfersSkipped: number;
  /** Bounded fetches of an unexpanded (last-hop) address's outgoing transfers, to see whether it is a deposit address. */
  sweepLookups: number;
  /** Deposit addresses this trace detected and stored. */
  depositsLearned: number;
  /**
   * DEX swap checks (forward), of the transactions in which an expanded address paid an unlabelled
   * address: receipts read, transactions ruled out by their block's logs bloom (no receipt asked),
   * token0()/token1() calls to pools not seen before, conversions found. Absent in older reports.
   */
  swaps?: { receipts: number; ruledOut: number; poolCalls: number; conversions: number };
  durationMs: number;
}

export interface TraceParams {
  hops: number;
  direction: Direction;
  fromBlock: number;
  toBlock: number;
  /** Per asset (`native` or token address, or `*`): minimum amount in base units. */
  minValue: Record<string, string>;
  fanOutCap: number;
  maxAddresses: number;
  stopAtLabels: boolean;
}

/** The whole answer of one `trace` run; report/ renders it, `--json` serialises it. */
export interface TraceResult {
  schemaVersion: number;
  tool: { name: 'hoptrace'; version: string };
  chainId: number;
  /** Label chain in force (`ethereum`, …): which rows of the label data applied. */
  labelChain: string;
  /** The label data used: the bundled data's version (labelDataVersion) and how many user labels applied. */
  labels: { dataVersion: string; userLabels: number };
  /** RPC endpoint, redacted (scheme, host, no path secrets or keys). */
  rpc: string;
  generatedAt: string;
  params: TraceParams;
  /** `chainId`: only for a seed on another chain than the run's home chain (`trace bsc:0x…`). */
  seeds: { address: Address; chainId?: number; label: string | null; incident: string | null; tier: SeedTier | null; source: string | null }[];
  coverage: Coverage;
  stats: TraceStats;
  hits: Hit[];
  /**
   * Every heuristic verdict of the run on an address the walk went through (an exchange deposit address,
   * or a conflict with the seed list), whether or not a hit's path shows that address: each is an
   * inference, listed apart from the hits. Absent in reports of runs made before it was recorded.
   */
  inferences?: { address: Address; evidence: Evidence }[];
  /**
   * Every chain with an endpoint in this run, the home chain first. The three lists below are always
   * written in JSON (schema 3; old reports read as the home chain and empty lists); optional here so that
   * results built without them stay valid.
   */
  chains?: RunChain[];
  /** Every crossing the walk followed (each also a path step). */
  crossings?: Crossing[];
  /** Destinations not followed, sorted by chain then transaction. */
  frontier?: FrontierRow[];
}
