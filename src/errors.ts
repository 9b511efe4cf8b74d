/**
 * The error family. Every failure a user can cause or meet is a HoptraceError with one sentence
 * (`message`), an optional hint, and an exit code: 2 for usage / bad input, 1 for runtime failures.
 * Only cli/ turns them into output; everything below throws them.
 */
export class HoptraceError extends Error {
  override name = 'HoptraceError';
  /** Process exit code the CLI uses: 2 = usage or bad input, 1 = runtime failure. */
  readonly exitCode: 1 | 2;
  /** A short next step for the user, shown after the message. */
  readonly hint: string | undefined;

  constructor(message: string, opts: { exitCode?: 1 | 2; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.exitCode = opts.exitCode ?? 1;
    this.hint = opts.hint;
  }
}

/** Bad input: an argument, option, file or database the user handed us. Exit code 2. */
export class UsageError extends HoptraceError {
  override name = 'UsageError';
  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...opts, exitCode: 2 });
  }
}

/**
 * A JSON-RPC failure, after retries where retrying made sense. `method` and the redacted `endpoint` are
 * part of the message, never the full URL.
 */
export class RpcError extends HoptraceError {
  override name = 'RpcError';
  readonly method: string;
  readonly endpoint: string;
  /** JSON-RPC error code, when the node answered with one. */
  readonly code: number | undefined;
  /** HTTP status, when the failure was at the HTTP level. */
  readonly status: number | undefined;
  /** True when the same request may succeed later (429, 5xx, timeouts, dropped connections). */
  readonly retryable: boolean;
  /** The last attempt timed out (for a block-range query: a hint that the range is too heavy). */
  readonly timedOut: boolean;

  constructor(
    message: string,
    opts: {
      method: string;
      endpoint: string;
      code?: number;
      status?: number;
      retryable: boolean;
      timedOut?: boolean;
      exitCode?: 1 | 2;
      hint?: string;
      cause?: unknown;
    },
  ) {
    super(message, { exitCode: opts.exitCode ?? 1, hint: opts.hint, cause: opts.cause });
    this.method = opts.method;
    this.endpoint = opts.endpoint;
    this.code = opts.code;
    this.status = opts.status;
    this.retryable = opts.retryable;
    this.timedOut = opts.timedOut ?? false;
  }
}

/** The node answered with something that cannot be true (wrong block, missing logs): never stored. */
export class InvalidResponseError extends HoptraceError {
  override name = 'InvalidResponseError';
}
