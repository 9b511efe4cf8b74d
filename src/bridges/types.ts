/**
 * What a bridge or cross-chain swap promises, in our own words. A `BridgeExit` is read from the source
 * chain (funds went into the protocol there); a `BridgeArrival` from the destination chain (the protocol
 * paid out there). Both are facts read from one log each; matching an exit to an arrival is done in
 * link.ts and says on which basis (the protocol's own link, or a heuristic with its confidence).
 *
 * Where each field comes from, per protocol, is in docs/bridges.md.
 */
import type { Address, Hex } from '../types.js';
import type { ThorMemo } from './thorchainMemo.js';

/** The protocols decoded here. */
export type BridgeProtocol = 'thorchain' | 'across' | 'wormhole' | 'op-standard-bridge';

/**
 * Where the protocol says the funds go.
 * - `evm`: an EVM chain id (the protocol names it, or its chain code maps to one: see chains.ts).
 * - `named`: a chain hoptrace cannot follow, by the protocol's own code (`BTC`, `THOR`, `solana`…).
 * - `unknown`: the protocol names a chain we have no entry for; the code is kept, nothing is guessed.
 */
export type BridgeDestination =
  | { kind: 'evm'; chainId: number }
  | { kind: 'named'; protocolCode: string; name: string }
  | { kind: 'unknown'; protocolCode: string; reason: string };

/**
 * Who receives on the destination chain.
 * - `evm`: a lower-case 20-byte address.
 * - `external`: an address of another chain, as the protocol carries it (a bc1… string, a 32-byte key).
 * - `thorname`: a THORChain alias, resolved only by THORChain's own state at swap time.
 * - `sender`: the protocol pays the sender's own address (THORChain memo without a destination).
 * - `unknown`: present but of no shape we accept; `text` keeps it.
 */
export type BridgeRecipient =
  | { kind: 'evm'; address: Address }
  | { kind: 'external'; text: string }
  | { kind: 'thorname'; name: string }
  | { kind: 'sender' }
  | { kind: 'unknown'; text: string };

/**
 * What asset is promised, in the protocol's terms.
 * - `native` / `token`: an asset on an EVM chain (the chain's coin, or a token contract).
 * - `thorchain`: a THORChain asset notation (`BTC.BTC`, `ETH.USDT-0XDAC…`); `contract` is set only
 *   when the notation carries a full 20-byte contract; `abbreviated` when THORChain resolves it itself.
 * - `wormhole`: the token's origin chain (Wormhole chain id) and 32-byte origin address; on any other
 *   chain the payout is Wormhole's wrapped representation of it.
 * - `bytes32`: a token named by 32 bytes that are not a 20-byte address (a non-EVM token).
 */
export type BridgeAsset =
  | { kind: 'native'; chainId: number }
  | { kind: 'token'; chainId: number; address: Address }
  | {
      kind: 'thorchain';
      notation: string;
      chainCode: string;
      symbol: string;
      ticker: string;
      contract: Address | null;
      form: 'layer1' | 'synth' | 'trade';
      abbreviated: boolean;
    }
  | { kind: 'wormhole'; tokenChain: number; tokenAddress: Hex }
  | { kind: 'bytes32'; value: Hex };

/**
 * How the promised amount reads.
 * - `exact`: the protocol pays this amount (Across outputAmount, a rollup bridge's amount).
 * - `minimum`: a floor below which the protocol refunds instead (THORChain's trade limit, 1e8 units).
 * - `normalized-8`: Wormhole's transfer amount, cut to 8 decimals for tokens with more.
 * - `none`: the protocol promises no amount (THORChain swap without a limit).
 */
export type AmountKind = 'exact' | 'minimum' | 'normalized-8' | 'none';

/**
 * The protocol's own link between the two sides.
 * - `exact`: a transaction hash the other side names (THORChain's `OUT:<inbound hash>`).
 * - `id`: an identifier both sides carry (Across origin chain + deposit id; Wormhole emitter + sequence).
 * - `none`: the protocol's events carry nothing that names the other side.
 * `key` is a canonical string: equal keys of the same protocol are the same crossing.
 */
export type BridgeLink =
  | { kind: 'exact'; key: string; txHash: string }
  | { kind: 'id'; key: string; parts: Readonly<Record<string, string>> }
  | { kind: 'none' };

/** Where a decoded log sits. */
export interface LogPosition {
  chainId: number;
  txHash: Hex;
  logIndex: number;
  blockNumber: number;
  /** The contract that emitted the log (lower-case). */
  contract: Address;
}

/** Funds entering a bridge: what went in on this chain and what the protocol promises on the other. */
export interface BridgeExit {
  protocol: BridgeProtocol;
  /** Name of the event decoded (e.g. `Deposit`, `FundsDeposited`, `ETHBridgeInitiated`). */
  event: string;
  source: LogPosition;
  /** The address whose funds went in, when the log names it (null for THORChain: the log does not). */
  sender: Address | null;
  /** What entered the protocol on the source chain, when the log says it. */
  paid: { asset: BridgeAsset; amount: bigint } | null;
  destination: BridgeDestination;
  recipient: BridgeRecipient;
  promised: { asset: BridgeAsset | null; amount: bigint | null; amountKind: AmountKind };
  link: BridgeLink;
  /** Protocol deadline for the payout, unix seconds (Across fillDeadline), when there is one. */
  deadline: number | null;
  /** The THORChain memo, parsed (null for other protocols). */
  memo: ThorMemo | null;
  /** What a reader must know to weigh this exit (abbreviated asset, unverified emitter, …). */
  caveats: string[];
}

/** Funds leaving a bridge on the destination chain. */
export interface BridgeArrival {
  protocol: BridgeProtocol;
  event: string;
  at: LogPosition;
  /** The payee, when the log names it (Wormhole's TransferRedeemed does not: read the tx's transfers). */
  recipient: Address | null;
  asset: BridgeAsset | null;
  amount: bigint | null;
  amountKind: AmountKind;
  link: BridgeLink;
  /** For protocols whose arrival names the source side (Across, Wormhole): the origin as it names it. */
  origin: BridgeDestination | null;
  /** The sender on the origin chain, when the arrival's log names it (Across depositor, OP `from`). */
  originSender: Address | null;
  /** True when the protocol says this payout is a refund of the inbound (THORChain `REFUND:`). */
  refund: boolean;
  caveats: string[];
}

/** A log as eth_getLogs / a receipt gives it; hex strings as the node sends them. */
export interface RawLog {
  address: string;
  topics: readonly string[];
  data: string;
  transactionHash: string;
  logIndex: number;
  blockNumber: number;
}

/** What decoding one log gave. Never throws: a bad log is `malformed`, a foreign one `not-ours`. */
export type DecodedBridgeLog =
  | { kind: 'exit'; exit: BridgeExit }
  | { kind: 'arrival'; arrival: BridgeArrival }
  /** One of our events, but the protocol does not mean a crossing by it (e.g. a THORChain MIGRATE). */
  | { kind: 'ignored'; protocol: BridgeProtocol; event: string; reason: string }
  | { kind: 'malformed'; protocol: BridgeProtocol; event: string; reason: string }
  | { kind: 'not-ours' };
