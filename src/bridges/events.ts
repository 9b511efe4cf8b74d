/**
 * The event signatures decoded here, written from the protocols' own contract sources (files and
 * commits in docs/bridges.md). Parameter names follow the sources; `indexed` exactly as there, since it
 * decides the topic count and the data layout.
 *
 * THORChain's `string memo` keeps its declared type (it is part of the topic hash); decode.ts reads its
 * data as `bytes` (the ABI encoding is the same), so a memo that is not valid UTF-8 reaches the strict
 * memo parser as `unknown` instead of failing the whole log.
 */
import { EventFragment, Interface } from 'ethers';
import type { BridgeProtocol } from './types.js';

/** THORChain_Router (Router Version 5.0): chain/ethereum/contracts/THORChain_Router.sol. */
export const THORCHAIN_ROUTER = new Interface([
  'event Deposit(address indexed to, address indexed asset, uint256 amount, string memo)',
  'event TransferOut(address indexed vault, address indexed to, address asset, uint256 amount, string memo)',
  'event TransferOutAndCall(address indexed vault, address target, uint256 amount, address finalAsset, address to, uint256 amountOutMin, string memo)',
]);

/** Across SpokePool, current (bytes32 addresses, uint256 deposit id): contracts/interfaces/V3SpokePoolInterface.sol. */
export const ACROSS_SPOKE_POOL = new Interface([
  'event FundsDeposited(bytes32 inputToken, bytes32 outputToken, uint256 inputAmount, uint256 outputAmount, uint256 indexed destinationChainId, uint256 indexed depositId, uint32 quoteTimestamp, uint32 fillDeadline, uint32 exclusivityDeadline, bytes32 indexed depositor, bytes32 recipient, bytes32 exclusiveRelayer, bytes message)',
  'event FilledRelay(bytes32 inputToken, bytes32 outputToken, uint256 inputAmount, uint256 outputAmount, uint256 repaymentChainId, uint256 indexed originChainId, uint256 indexed depositId, uint32 fillDeadline, uint32 exclusivityDeadline, bytes32 exclusiveRelayer, bytes32 indexed relayer, bytes32 depositor, bytes32 recipient, bytes32 messageHash, (bytes32 updatedRecipient, bytes32 updatedMessageHash, uint256 updatedOutputAmount, uint8 fillType) relayExecutionInfo)',
]);

/** Across SpokePool before the 2025-02 Solana change (address fields, uint32 deposit id). */
export const ACROSS_SPOKE_POOL_V3_LEGACY = new Interface([
  'event V3FundsDeposited(address inputToken, address outputToken, uint256 inputAmount, uint256 outputAmount, uint256 indexed destinationChainId, uint32 indexed depositId, uint32 quoteTimestamp, uint32 fillDeadline, uint32 exclusivityDeadline, address indexed depositor, address recipient, address exclusiveRelayer, bytes message)',
  'event FilledV3Relay(address inputToken, address outputToken, uint256 inputAmount, uint256 outputAmount, uint256 repaymentChainId, uint256 indexed originChainId, uint32 indexed depositId, uint32 fillDeadline, uint32 exclusivityDeadline, address exclusiveRelayer, address indexed relayer, address depositor, address recipient, bytes message, (address updatedRecipient, bytes updatedMessage, uint256 updatedOutputAmount, uint8 fillType) relayExecutionInfo)',
]);

/**
 * Wormhole: the core contract's message event (ethereum/contracts/Implementation.sol) carries the token
 * bridge's transfer payload; the token bridge's TransferRedeemed (ethereum/contracts/bridge/Bridge.sol)
 * marks the payout.
 */
export const WORMHOLE_CORE = new Interface([
  'event LogMessagePublished(address indexed sender, uint64 sequence, uint32 nonce, bytes payload, uint8 consistencyLevel)',
]);
export const WORMHOLE_TOKEN_BRIDGE = new Interface([
  'event TransferRedeemed(uint16 indexed emitterChainId, bytes32 indexed emitterAddress, uint64 indexed sequence)',
]);

/**
 * OP Stack standard bridge (packages/contracts-bedrock/src/universal/StandardBridge.sol, and the legacy
 * L1 events of src/L1/L1StandardBridge.sol that L1 emits just before the universal ones).
 */
export const OP_STANDARD_BRIDGE = new Interface([
  'event ETHBridgeInitiated(address indexed from, address indexed to, uint256 amount, bytes extraData)',
  'event ETHBridgeFinalized(address indexed from, address indexed to, uint256 amount, bytes extraData)',
  'event ERC20BridgeInitiated(address indexed localToken, address indexed remoteToken, address indexed from, address to, uint256 amount, bytes extraData)',
  'event ERC20BridgeFinalized(address indexed localToken, address indexed remoteToken, address indexed from, address to, uint256 amount, bytes extraData)',
  'event ETHDepositInitiated(address indexed from, address indexed to, uint256 amount, bytes extraData)',
  'event ERC20DepositInitiated(address indexed l1Token, address indexed l2Token, address indexed from, address to, uint256 amount, bytes extraData)',
]);

/** One event we decode: its protocol, fragment and topic0. */
export interface KnownEvent {
  protocol: BridgeProtocol;
  iface: Interface;
  fragment: EventFragment;
  topic0: string;
  /** Topics a well-formed log has: topic0 plus one per indexed parameter. */
  topicCount: number;
}

const ALL: Array<[BridgeProtocol, Interface]> = [
  ['thorchain', THORCHAIN_ROUTER],
  ['across', ACROSS_SPOKE_POOL],
  ['across', ACROSS_SPOKE_POOL_V3_LEGACY],
  ['wormhole', WORMHOLE_CORE],
  ['wormhole', WORMHOLE_TOKEN_BRIDGE],
  ['op-standard-bridge', OP_STANDARD_BRIDGE],
];

/** topic0 → event, for every event above. */
export const EVENTS_BY_TOPIC: ReadonlyMap<string, KnownEvent> = (() => {
  const m = new Map<string, KnownEvent>();
  for (const [protocol, iface] of ALL) {
    iface.forEachEvent((fragment) => {
      m.set(fragment.topicHash, {
        protocol,
        iface,
        fragment,
        topic0: fragment.topicHash,
        topicCount: 1 + fragment.inputs.filter((p) => p.indexed).length,
      });
    });
  }
  return m;
})();

/** The known event of a name (tests and fixtures use it to build logs). */
export function eventNamed(name: string): KnownEvent {
  for (const e of EVENTS_BY_TOPIC.values()) if (e.fragment.name === name) return e;
  throw new Error(`no bridge event named ${name}`);
}
