/**
 * The output gate: every byte the CLI prints, on stdout, on stderr or into an `-o` file, passes through
 * here. Text that came from outside (a node's error message, a token symbol, a label file, a report
 * someone handed us) can carry terminal escape sequences, bidi overrides and invisible characters, or
 * be megabytes long; what reaches a terminal from here cannot act on it, and a message is one line of
 * bounded length. The gate also owns what happens when an output cannot be written.
 *
 * - stdout: `writeOut(text, { kind })`. `text` (human-readable) escapes every unsafe character, keeping
 *   line breaks, tabs and, with `color`, the SGR colour sequences of chalk; `json` writes the same
 *   characters as JSON `\uXXXX` escapes (the document parses to the same value); `data` (CSV, XML, DOT,
 *   HTML, Markdown: formats with their own escaping) is escaped only when stdout is a terminal.
 * - stderr: `writeErr(text)`, line by line: URLs redacted, unsafe characters escaped, each line cut to
 *   LINE_MAX characters. `errorLine` folds a message onto one line first.
 * - A write error on stdout is a failure (exit 1, one sentence), except a closed pipe (`| head`): the
 *   reader chose to stop, so the command ends quietly with the exit code it had, and nothing more is
 *   written to stdout.
 * - `-o` files: `writeOutputFile` writes a temporary file beside the target and renames it on success,
 *   so a failed write never leaves a partial or emptied file.
 */
import { chmodSync, closeSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HoptraceError, UsageError } from '../errors.js';
import { redactText, redactUrlsIn } from '../rpc/redact.js';
import { escapeUnsafe, escapeUnsafeJson } from '../util/unsafeText.js';

/** How stdout text is gated: see the module comment. */
export type OutKind = 'text' | 'json' | 'data';

/** Longest stderr line, in characters after escaping: a message plus a path or two fits; a 3 MB node string does not. */
export const LINE_MAX = 400;

/** chalk's colour sequences (SGR): the only escape sequences the CLI writes itself, besides the progress line's. */
const SGR = /(\x1b\[[0-9;]*m)/;
/** Back to the start of the line and clear it: the progress line's own sequence. */
const CLEAR_LINE = '\r\x1b[K';

let stdoutDone: 'open' | 'closed' | 'failed' = 'open';
let listening = false;

/** The one place that writes to a stream. Errors arrive in the write callback, never as a crash. */
/** The endpoints of this command (--rpc, $HOPTRACE_RPC_URL): their secret parts never leave through the gate. */
let secretUrls: readonly string[] = [];

/**
 * Tells the gate which URLs carry secrets. Every message written afterwards to stderr has them and their
 * secret parts masked: a node can echo a key in an error or where a number belongs, and a bare key does
 * not look like a URL. (Not stdout: a short secret part could match inside a hash of a report.)
 */
export function registerSecrets(urls: readonly string[]): void {
  // Added to those already told (a command registers its endpoints chain by chain), never replacing them.
  // Only real http(s) URLs: what is not one (`127.0.0.1:8545`) is refused in a message that must show it.
  const fresh = urls.filter((u) => {
    try {
      return /^https?:$/.test(new URL(u.trim()).protocol);
    } catch {
      return false;
    }
  });
  secretUrls = [...new Set([...secretUrls, ...fresh])];
}

function put(stream: 'out' | 'err', text: string): void {
  if (stream === 'err' && secretUrls.length > 0) text = redactText(text, secretUrls);
  if (!listening) {
    // The callbacks below handle every error; without a listener an 'error' event would be a crash.
    process.stdout.on('error', () => {});
    process.stderr.on('error', () => {});
    listening = true;
  }
  if (text === '') return;
  if (stream === 'out') {
    if (stdoutDone !== 'open') return;
    process.stdout.write(text, (err) => {
      if (err) stdoutError(err);
    });
  } else {
    process.stderr.write(text, (err) => {
      // Nowhere is left to say it: the exit code is all that can tell.
      if (err && (err as NodeJS.ErrnoException).code !== 'EPIPE' && !process.exitCode) process.exitCode = 1;
    });
  }
}

function stdoutError(err: Error): void {
  if (stdoutDone !== 'open') return;
  if ((err as NodeJS.ErrnoException).code === 'EPIPE') {
    stdoutDone = 'closed';
    return;
  }
  stdoutDone = 'failed';
  process.exitCode = 1;
  writeErr(`hoptrace: cannot write to standard output: ${describeIoError(err)}.\n`);
}

/** Writes `text` to stdout through the gate (see OutKind). */
export function writeOut(text: string, o: { kind: OutKind; color?: boolean }): void {
  put('out', gateOut(text, o.kind, { color: o.color === true, tty: process.stdout.isTTY === true }));
}

/** What `writeOut` writes for `text`: exported for the tests and for `-o` files. */
export function gateOut(text: string, kind: OutKind, to: { color: boolean; tty: boolean }): string {
  if (kind === 'json') return escapeUnsafeJson(text);
  if (kind === 'data') return to.tty ? escapeUnsafe(text, '\n\t') : text;
  if (!to.color) return escapeUnsafe(text, '\n\t');
  // Odd parts are chalk's own colour sequences; everything between them is text, escaped.
  return text
    .split(SGR)
    .map((part, i) => (i % 2 === 1 ? part : escapeUnsafe(part, '\n\t')))
    .join('');
}

/** Writes `text` (one or more lines) to stderr through the gate: redacted, escaped, each line bounded. */
export function writeErr(text: string): void {
  put('err', gateErr(text));
}

/** What `writeErr` writes for `text`. */
export function gateErr(text: string): string {
  return text
    .split('\n')
    .map((line) => cutLine(escapeUnsafe(redactUrlsIn(line), '\t'), LINE_MAX))
    .join('\n');
}

/**
 * `text` folded onto one line (line breaks and the whitespace around them become one space), for a
 * message whose parts may hold someone else's multi-line text: an HTML page, a stack, a node's error.
 */
export function errorLine(text: string): string {
  return text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ').trim();
}

/**
 * Outside text to quote inside a message: one line, unsafe characters escaped, at most `max` characters.
 * The stderr gate bounds the whole line anyway; this keeps the rest of the sentence readable after it.
 */
export function quoteOutside(text: string, max = 200): string {
  return cutLine(escapeUnsafe(errorLine(text)), max);
}

/** `s` cut to `max` characters (code points), saying how many were left out. */
export function cutLine(s: string, max: number): string {
  if (s.length <= max) return s;
  let i = 0;
  let n = 0;
  while (i < s.length && n < max) {
    i += s.codePointAt(i)! > 0xffff ? 2 : 1;
    n++;
  }
  if (i >= s.length) return s;
  let rest = 0;
  for (let j = i; j < s.length; j++) if (!isLowSurrogate(s.charCodeAt(j))) rest++;
  return `${s.slice(0, i)}… (${rest} more characters)`;
}

const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** The progress line: cleared and rewritten in place, its text escaped and cut to `columns`. */
export function writeProgressLine(message: string, columns: number): void {
  put('err', CLEAR_LINE + Array.from(escapeUnsafe(redactUrlsIn(errorLine(message)))).slice(0, columns).join(''));
}

/** Clears the progress line. */
export function clearProgressLine(): void {
  put('err', CLEAR_LINE);
}

/**
 * Writes `text` to the file `path` as a whole or not at all: into a temporary file beside it, flushed,
 * then renamed over `path`, so a failure (missing directory, read-only location, full disk) leaves no
 * partial file and an existing one unchanged. A path that is not a regular file (a device such as
 * /dev/stdout, a FIFO) is written directly: there is nothing to replace. A symbolic link is followed,
 * the file it points to is replaced. Every failure is one sentence: exit 2 when the path is the problem,
 * 1 when the disk is.
 */
export function writeOutputFile(path: string, text: string): void {
  const { target, real, dir } = outputTarget(path);
  if (real && !real.isFile()) {
    writeWhole(path, () => openSync(target, 'w'), text);
    return;
  }
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  writeWhole(path, () => openSync(tmp, 'wx'), text, tmp);
  try {
    // The file replaced keeps its permissions: a report made private (0600) stays private.
    if (real?.isFile()) chmodSync(tmp, real.mode & 0o7777);
    renameSync(tmp, target);
  } catch (err) {
    removeQuietly(tmp);
    throw fileError(path, dir, err);
  }
}

/**
 * Where `-o path` will be written, refused in one sentence when it cannot be (a directory, a missing
 * directory): `trace` asks before it starts, so that a long trace does not end on a bad path.
 */
export function outputTarget(path: string): { target: string; real: Stats | null; dir: string } {
  let target = path;
  const st = statOrNull(path);
  if (st?.isSymbolicLink()) target = realpathOr(path);
  const real = st?.isSymbolicLink() ? statOrNull(target, true) : st;
  if (real?.isDirectory()) throw new UsageError(`cannot write ${path}: it is a directory.`, { hint: 'give -o a file name' });
  const dir = dirname(target);
  if (real && !real.isFile()) return { target, real, dir };
  const dirStat = statOrNull(dir, true);
  if (dirStat === null) throw new UsageError(`cannot write ${path}: the directory ${dir} does not exist.`);
  if (!dirStat.isDirectory()) throw new UsageError(`cannot write ${path}: ${dir} is not a directory.`);
  return { target, real, dir };
}

function writeWhole(path: string, open: () => number, text: string, tmp?: string): void {
  let fd: number | undefined;
  try {
    fd = open();
    const bytes = Buffer.from(text, 'utf8');
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    if (tmp !== undefined) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
  } catch (err) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* the write error is the one to report */
      }
    }
    if (tmp !== undefined) removeQuietly(tmp);
    throw fileError(path, dirname(path), err);
  }
}

function fileError(path: string, dir: string, err: unknown): HoptraceError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UsageError(`cannot write ${path}: the directory ${dir} does not exist.`);
  if (code === 'EISDIR') return new UsageError(`cannot write ${path}: it is a directory.`, { hint: 'give -o a file name' });
  if (code === 'ENOTDIR') return new UsageError(`cannot write ${path}: a part of the path is not a directory.`);
  if (code === 'EROFS') return new UsageError(`cannot write ${path}: ${dir} is on a read-only file system.`);
  if (code === 'EACCES' || code === 'EPERM') return new UsageError(`cannot write ${path}: permission denied in ${dir}.`);
  return new HoptraceError(`cannot write ${path}: ${describeIoError(err)}; no partial file was left.`, { cause: err });
}

/** An I/O error as words: `no space left on the device (ENOSPC)`. */
export function describeIoError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is exhausted',
    EIO: 'an input/output error',
    EFBIG: 'the file is too large for this file system',
    EBADF: 'it is closed',
    EROFS: 'the file system is read-only',
    EACCES: 'permission denied',
  };
  const text = e.code !== undefined ? words[e.code] : undefined;
  return text !== undefined ? `${text} (${e.code})` : quoteOutside(e.message ?? String(err));
}

function statOrNull(path: string, follow = false): Stats | null {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch {
    return null;
  }
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // A dangling link: the file it names is created.
    return path;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone, or never created */
  }
}
