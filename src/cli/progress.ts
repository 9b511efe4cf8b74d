import { clearProgressLine, writeErr, writeProgressLine } from './output.js';

/** Progress lines on stderr: only on a terminal, one line rewritten in place; notes always shown. */
export interface Progress {
  update(message: string): void;
  /** A sentence the user should read even without a terminal (it goes to stderr, never stdout). */
  note(message: string): void;
  done(): void;
}

export function createProgress(opts: { enabled: boolean }): Progress {
  let shown = false;
  const columns = (): number => Math.max(20, (process.stderr.columns ?? 80) - 1);
  return {
    update(message) {
      if (!opts.enabled) return;
      writeProgressLine(message, columns());
      shown = true;
    },
    note(message) {
      if (shown) clearProgressLine();
      shown = false;
      writeErr(`hoptrace: ${message}\n`);
    },
    done() {
      if (shown) clearProgressLine();
      shown = false;
    },
  };
}
