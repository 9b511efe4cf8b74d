import { clearProgressLine, writeErr, writeProgressLine } from './output.js';

/** Progress lines on stderr: only on a terminal, one line rewritten in place; notes always shown. */
export interface Progress {
  update(message: string): void;
  /** A sentence the user should read even without a terminal (it goes to stderr, never stdout). */
  note(message: string): void;
  done(): void;
}

/** Width assumed when the terminal does not say (80 columns, the classic default). */
const FALLBACK_COLUMNS = 80;

/**
 * How many characters a progress line may take: one less than the terminal's width, so the cursor never
 * wraps (a wrapped line would not be erased by the next `\r`). A pseudo-terminal without a size (`script`,
 * some CI runners, editors' terminals) reports 0 or no columns: then $COLUMNS, else 80 — not a 20-column
 * stub that cut every line to its first words.
 *
 * @example progressWidth(0, {}) // 79
 */
export function progressWidth(columns: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env['COLUMNS']);
  const width =
    columns !== undefined && Number.isInteger(columns) && columns > 0 ? columns
    : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv
    : FALLBACK_COLUMNS;
  return Math.max(1, width - 1);
}

export function createProgress(opts: { enabled: boolean }): Progress {
  let shown = false;
  return {
    update(message) {
      if (!opts.enabled) return;
      writeProgressLine(message, progressWidth(process.stderr.columns));
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
