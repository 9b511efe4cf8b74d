/**
 * The RPC layer's error classes: one per decision the code above takes. A provider's text is read once,
 * where the answer arrives (client.ts, through classify.ts and providerTexts.ts), and turned into one of
 * these; everything above decides by class (`instanceof`), never by matching a message. Each keeps the
 * sentence and exit code of the RpcError / InvalidResponseError it refines.
 */
import { InvalidResponseError, RpcError } from '../errors.js';

type RpcErrorOptions = ConstructorParameters<typeof RpcError>[1];

/** The endpoint does not serve this method (-32601, "method not found", HTTP 404/405, …). */
export class MethodUnsupportedError extends RpcError {
  override name = 'MethodUnsupportedError';
}

/**
 * How a provider limits a block range, as its error said it: a range that works from a given start
 * (`suggested`), a fixed cap in blocks (`stated`), or a complaint without a usable number (`unspecified`).
 */
export type RangeLimit =
  | { kind: 'suggested'; from: number; to: number }
  | { kind: 'stated'; maxSpan: number }
  | { kind: 'unspecified' };

/** The block range (or the answer it would give) is too large for the endpoint: the caller splits it. */
export class RangeTooLargeError extends RpcError {
  override name = 'RangeTooLargeError';
  /** What the provider said about its limit. */
  readonly limit: RangeLimit;
  constructor(message: string, opts: RpcErrorOptions & { limit: RangeLimit }) {
    super(message, opts);
    this.limit = opts.limit;
  }
}

/** The node has no block at the height asked (or no head). */
export class BlockNotFoundError extends RpcError {
  override name = 'BlockNotFoundError';
}

/**
 * An answer that kept failing validation after every refetch (`refetching`): the run stops, nothing of it
 * was stored.
 */
export class InconsistentAnswerError extends InvalidResponseError {
  override name = 'InconsistentAnswerError';
}
