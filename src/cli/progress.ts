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
      process.stderr.write(`\r\x1b[K${message.slice(0, columns())}`);
      shown = true;
    },
    note(message) {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
      process.stderr.write(`hoptrace: ${message}\n`);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}
