/**
 * Rendering a TraceResult: text for a terminal, JSON / NDJSON for tools. The only layer that knows chalk.
 */
export { renderText, isPartial, formatTime, formatDuration } from './text.js';
export type { TextOptions } from './text.js';
export { toJson, toJsonValue, toNdjson, toHitLines } from './json.js';
export type { HitJson, HitLineJson, PathStepJson, TotalJson, TraceReportJson } from './json.js';
export { formatAmount, formatAssetAmount, formatCount, groupDigits, assetName } from './amount.js';
export type { AmountFormat } from './amount.js';
export { cleanText, cleanOptional } from './sanitize.js';
export { fullAddress, shortAddress } from './address.js';
