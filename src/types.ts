/**
 * Shared domain types. Every layer speaks these; none of them knows about SQLite, chalk or commander.
 *
 * Conventions: addresses are lower-case `0x` + 40 hex (normalised once at the edge, see util/address.ts);
 * amounts are `bigint` in code and decimal strings in SQLite and JSON; block numbers fit in a JS number.
 */

/** Lower-case `0x` + 40 hex. */
export type Address = string;
/** `0x`-prefixed hex string (tx hash, block hash). */
export type Hex = string;

/** The asset key of the chain's native coin (ETH on Ethereum). Token assets are their contract address. */
export const NATIVE = 'native' as const;
export type Asset = typeof NATIVE | Address;

/**
 * What kind of value movement a row is.
 * - `native`: the value of a top-level transaction (EOA → anything).
 * - `internal`: value moved by a contract during execution (a call with value at trace depth > 0,
 *   a CREATE with value, a SELFDESTRUCT payout).
 * - `erc20`: an ERC-20 `Transfer(from, to, value)` log (any emitting contract).
 * - `wrap` / `unwrap`: a WETH-style `Deposit(dst, wad)` / `Withdrawal(src, wad)` log. Stored as a move
 *   from the holder to the holder (`from == to`), asset = the wrapper contract: the holder swapped
 *   native coin for the token (or back) without the value changing hands.
 */
export type TransferKind = 'native' | 'internal' | 'erc20' | 'wrap' | 'unwrap';

/** One value movement, with the evidence needed to find it again on chain. */
export interface Transfer {
  chainId: number;
  txHash: Hex;
  /**
   * Position of the movement inside its transaction, unique per (chainId, txHash):
   * `log:<logIndex>` for logs, `trace:<traceAddress joined by '.'>` for traces (`trace:` is the top call).
   */
  ref: string;
  kind: TransferKind;
  blockNumber: number;
  blockHash: Hex;
  /** Index of the transaction in its block; with blockNumber it orders movements in time. */
  txIndex: number;
  from: Address;
  to: Address;
  asset: Asset;
  amount: bigint;
}

/** The DEX protocols whose `Swap` events are read (docs/swaps.md): Uniswap v2 pairs, Uniswap v3 pools, and their forks. */
export type SwapProtocol = 'uniswap-v2' | 'uniswap-v3';

/** One pool's part of a swap, from its own `Swap` event: the token it took in and the token it paid out. */
export interface SwapLeg {
  pool: Address;
  protocol: SwapProtocol;
  /** `log:<logIndex>` of the pool's Swap event. */
  ref: string;
  tokenIn: Address;
  amountIn: bigint;
  tokenOut: Address;
  amountOut: bigint;
}

/**
 * A conversion: in one transaction, `holder` paid `amountIn` of `assetIn` into a DEX route (a pair, a
 * pool, a router or an aggregator in front of them) and received `amountOut` of `assetOut`, as the
 * pools' Swap events say (`legs`, in log order; a multi-hop route chains several pools). Not a movement
 * between addresses: the value stays with the holder in another asset, as with a WETH wrap.
 */
export interface Conversion {
  chainId: number;
  txHash: Hex;
  blockNumber: number;
  blockHash: Hex;
  txIndex: number;
  /** `log:<i>` of the route's last Swap event: where in the transaction the conversion is complete. */
  ref: string;
  holder: Address;
  assetIn: Asset;
  amountIn: bigint;
  assetOut: Asset;
  amountOut: bigint;
  legs: SwapLeg[];
}

/** Label categories, as in data/exchanges.csv. */
export type LabelCategory = 'exchange' | 'sanctioned-exchange' | 'otc' | 'swap-service' | 'mixer' | 'bridge';
export type Risk = 'sanctioned' | 'high' | 'standard';

/**
 * What a labelled address is to its venue, as the label's source says it (data/README.md "role"):
 * `deposit` = a customer deposit address (it sweeps into the venue's wallets; a payment into it is a
 * customer paying in), `hot-wallet`, `cold-wallet`, `contract` (router, pool, bridge, gateway),
 * `unknown` = the source does not say.
 */
export type LabelRole = 'hot-wallet' | 'deposit' | 'cold-wallet' | 'contract' | 'unknown';

/** A labelled address: who it belongs to and who says so. */
export interface Label {
  address: Address;
  /** `ethereum`, `bsc`, …, or `evm` (applies on every EVM chain). */
  chain: string;
  entity: string;
  category: LabelCategory;
  /** What the address is to its venue (hot wallet, deposit address, …), from the source's own words. */
  role: LabelRole;
  /** ISO 3166-1 alpha-2, or null where no source states it. */
  jurisdiction: string | null;
  /** The classification today (the data's `risk` column); see labels/validity.ts for the risk at a moment. */
  risk: Risk;
  /** The public source(s) the row rests on. */
  source: string;
  /** First sanctions listing (YYYY-MM-DD, UTC), null when no date is known. */
  listedAt: string | null;
  /** Last removal from the sanctions list (YYYY-MM-DD), null when never removed or the date is unknown. */
  delistedAt: string | null;
  /** First day the label applies (YYYY-MM-DD), null = since always. */
  validFrom: string | null;
  /** Last day the label applies (YYYY-MM-DD, inclusive), null = still applies. */
  validTo: string | null;
  /** Dated events behind listedAt / delistedAt and more (re-designations, takedowns), oldest first. */
  events: readonly LabelEvent[];
  /** `bundled` = data/exchanges.csv; `user` = a label added to the database (it overrides a bundled one). */
  origin: LabelOrigin;
}

export type LabelOrigin = 'bundled' | 'user';

/**
 * What happened to a labelled address on a date. `listed` / `relisted` put it on a sanctions list,
 * `delisted` took it off; `takedown` (a seizure of the venue) changes no risk but is stated in a hit.
 */
export type LabelEventKind = 'listed' | 'relisted' | 'delisted' | 'takedown';

export interface LabelEvent {
  kind: LabelEventKind;
  /** YYYY-MM-DD (UTC). */
  date: string;
}

/** Attribution tier of a seed, from the `[tier]` prefix of its label in data/lazarus-seeds.csv. */
export type SeedTier = 'official:OFAC' | 'official:FBI' | 'label:Etherscan' | 'researcher';

/** A seed address: where stolen funds start, with its attribution. */
export interface Seed {
  address: Address;
  chain: string;
  label: string;
  incident: string;
  tier: SeedTier | null;
  source: string;
}

export type Direction = 'out' | 'in' | 'both';

/** Token metadata read with eth_call; null fields when the contract does not answer. */
export interface TokenInfo {
  address: Address;
  symbol: string | null;
  decimals: number | null;
}

/** How sure the deposit-address heuristic (trace/deposits.ts) is of an inference. */
export type DepositConfidence = 'high' | 'medium' | 'low';

/** Why hoptrace takes an address for a deposit address: the evidence a reader can check on chain. */
export interface DepositEvidence {
  /** The labelled hot wallet the sweep went to. */
  hotWallet: Address;
  /** The exchange, as the hot wallet's label names it. */
  entity: string;
  /** The asset swept (the traced arrival's asset). */
  asset: Asset;
  /** The traced transfer into the deposit address. */
  arrivalTx: Hex;
  arrivalBlock: number;
  /** Sweep transactions, earliest first (one or two). */
  sweepTxs: Hex[];
  /** Block of the first sweep. */
  sweepBlock: number;
  /** sweepBlock − arrivalBlock. */
  delayBlocks: number;
  /** What arrived in the asset from the arrival to the last sweep, and what the sweeps carried (base units). */
  received: bigint;
  swept: bigint;
  /** swept / received in basis points (10 000 = all of it). */
  shareBps: number;
  /** Distinct senders into the address in that window, the exchange's own gas top-ups not counted. */
  senders: number;
  confidence: DepositConfidence;
  /** Plain sentences: what raised or lowered the confidence. */
  reasons: string[];
}
