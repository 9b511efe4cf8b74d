import { MethodUnsupportedError } from '../errors.js';

/**
 * Whether the endpoint serves a method: runs `call` (one request, its answer unused) and answers false
 * only for a MethodUnsupportedError. Any other failure (a timeout, a 5xx) is not a capability and
 * propagates.
 */
export async function serves(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (err) {
    if (err instanceof MethodUnsupportedError) return false;
    throw err;
  }
}
