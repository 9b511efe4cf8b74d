/**
 * The bounded refetch around a request and its validation: an answer that cannot be true is asked again a
 * few times, then the run stops with one sentence naming the method and the (redacted) endpoint. Nothing
 * of an inconsistent answer is stored.
 */
import { InvalidResponseError } from '../errors.js';
import { InconsistentAnswerError } from './errors.js';

/** Attempts of a request whose answer keeps failing validation, before the run stops. */
const REFETCH_ATTEMPTS = 4;

/**
 * Runs `fn` (one request and its validation) again while it throws InvalidResponseError, at most
 * `attempts` times in all; then throws one InconsistentAnswerError naming `method` and `endpoint`.
 * `method` may be a function, asked at the end: for a read whose method depends on which one answered
 * last (a tree from trace_block, or from trace_transaction where that block was not served).
 * Other errors pass through at once (the client already retried what is worth retrying).
 */
export async function refetching<T>(method: string | (() => string), endpoint: string, fn: () => Promise<T>, attempts = REFETCH_ATTEMPTS): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof InvalidResponseError)) throw err;
      // Already the verdict of an inner refetch: asking again would multiply the attempts.
      if (err instanceof InconsistentAnswerError) throw err;
      if (i >= attempts) {
        throw new InconsistentAnswerError(
          `${typeof method === 'string' ? method : method()} at ${endpoint} gave an inconsistent answer ${attempts} times in a row (${err.message.replace(/\.$/, '')}); nothing of it was stored.`,
          { hint: 'the endpoint serves inconsistent data; try another endpoint (--rpc may be repeated)', cause: err },
        );
      }
    }
  }
}
