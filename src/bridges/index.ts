/**
 * Bridges and cross-chain swaps: decoders of the protocols' own events into exits (funds leaving a chain
 * with a promise elsewhere) and arrivals (the payout), and the matching of the two. Pure: no RPC, no
 * store. docs/bridges.md says where every signature and memo form was read.
 */
export type * from './types.js';
export type { ThorMemo, ThorSwapMemo } from './thorchainMemo.js';
export { parseThorchainMemo, normalizeTxId, THORCHAIN_MEMO_MAX_BYTES } from './thorchainMemo.js';
export { decodeBridgeLog, decodeBridgeLogs, type DecodeContext } from './decode.js';
export { matchBridgeCrossings, type BridgeMatch, type MatchOptions, type MatchResult, type Timed, type UnmatchedExit } from './link.js';
export { thorchainLinkKey } from './thorchain.js';
export { acrossLinkKey } from './across.js';
export { wormholeLinkKey } from './wormhole.js';
export { thorchainDestination, wormholeDestination } from './chains.js';
export { loadBridgeRegistry, parseBridgeRegistry, type BridgeRow, type BridgeRegistry } from './registry.js';
