/**
 * RPC URLs carry API keys (in the path for Alchemy/Infura/Ankr/QuickNode, in the query or userinfo for
 * others). Nothing we print, log, store or put in an error message may contain one in full: every URL goes
 * through `redactUrl`, every foreign error text through `redactText`.
 */

const MASK = '***';
/**
 * A path segment printed as is: a plain lower-case word (or a few joined by dashes: `eth-mainnet`), or a
 * version (`v2`). Anything else — digits, mixed case, underscores, percent escapes, hex — may be a key.
 */
const PUBLIC_SEGMENT = /^(?:v\d{1,2}|[a-z]{1,24}(?:-[a-z]{1,24}){0,3})$/;
/** Segments after which providers put the key, whatever it looks like (`/v3/<key>`, `/rpc/<key>`). */
const KEY_FOLLOWS = /^(?:v\d{1,2}|rpc|key|keys|token|apikey|api-key|auth|secret)$/i;
/** A query parameter name printed as is (its value never is). */
const PUBLIC_PARAM = /^[a-z][a-z_-]{0,31}$/i;
/** Shorter secrets are not worth scrubbing from free text: replacing "1" or "eth" everywhere would garble it. */
const MIN_SECRET_LENGTH = 4;

/**
 * Returns `url` with its secrets masked, by parsing it: scheme, host and port are kept; userinfo, every
 * query value, every query part without `=`, the fragment, and every path segment that is not plainly
 * public (a lower-case word or a version, not right after `/v2/`, `/rpc/`…) become `***`. A string that
 * is not a URL is masked entirely, since we cannot tell which part is secret.
 *
 * @example redactUrl('https://eth-mainnet.g.alchemy.com/v2/<your key>') // 'https://eth-mainnet.g.alchemy.com/v2/***'
 * @example redactUrl('http://127.0.0.1:8545') // 'http://127.0.0.1:8545'
 * @example redactUrl('https://h.io/rpc/ab12?KEY123') // 'https://h.io/rpc/***?***'
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return MASK;
  }
  const userinfo = u.username !== '' || u.password !== '' ? `${MASK}@` : '';
  // URL normalises "http://h:1" to pathname "/": only print the slash when the caller wrote one.
  const hadPath = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\//i.test(url.trim());
  const path = u.pathname === '/' && !hadPath ? '' : maskedPath(u.pathname);
  const query =
    u.search === ''
      ? ''
      : '?' +
        u.search
          .slice(1)
          .split('&')
          .map((pair) => {
            const eq = pair.indexOf('=');
            if (eq < 0) return pair === '' ? '' : MASK;
            const name = pair.slice(0, eq);
            return `${PUBLIC_PARAM.test(name) ? name : MASK}=${MASK}`;
          })
          .join('&');
  const fragment = u.hash === '' ? '' : `#${MASK}`;
  return `${u.protocol}//${userinfo}${u.host}${path}${query}${fragment}`;
}

/** `host:port` of a URL (never userinfo, path or query: those may hold secrets). */
export function hostOf(u: URL): string {
  return u.port === '' ? u.hostname : `${u.hostname}:${u.port}`;
}

/**
 * How to show an --rpc value that is not an http(s) URL. A bare `host:port` (what people type for a local
 * node) holds no secret: shown as typed, with the http:// URL it probably meant. A URL of another scheme
 * is shown redacted; anything else is masked.
 *
 * @example describeUrlInput('127.0.0.1:8545') // { text: '127.0.0.1:8545', suggestion: 'http://127.0.0.1:8545' }
 */
export function describeUrlInput(input: string): { text: string; suggestion?: string } {
  const s = input.trim();
  if (/^(?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?\/?$/i.test(s)) {
    return { text: s, suggestion: `http://${s.replace(/\/$/, '')}` };
  }
  return { text: redactUrl(s) };
}

/** The path with every segment that is not plainly public masked. */
function maskedPath(pathname: string): string {
  return pathname
    .split('/')
    .map((seg, i, all) => (isSecretSegment(all, i) ? MASK : seg))
    .join('/');
}

function isSecretSegment(segments: readonly string[], i: number): boolean {
  const seg = segments[i]!;
  if (seg === '') return false;
  if (i > 0 && KEY_FOLLOWS.test(segments[i - 1]!) && !/^v\d{1,2}$/.test(seg)) return true;
  return !PUBLIC_SEGMENT.test(seg);
}

/**
 * Removes every occurrence of the given URLs, and of each of their secret parts, from `text`. Node and
 * provider error messages sometimes echo the request URL; this makes them safe to show.
 *
 * @example redactText('connect ECONNREFUSED https://x.io/v2/abcdefghijklmnop1234', ['https://x.io/v2/abcdefghijklmnop1234'])
 *   // 'connect ECONNREFUSED https://x.io/v2/***'
 */
export function redactText(text: string, urls: string | readonly string[]): string {
  let out = text;
  const list = typeof urls === 'string' ? [urls] : urls;
  for (const url of list) {
    // Whole URLs first so the reader still sees which endpoint it was.
    for (const form of urlForms(url)) {
      out = out.split(form).join(redactUrl(url));
    }
    for (const secret of secretParts(url)) {
      out = out.split(secret).join(MASK);
    }
  }
  return out;
}

/** The spellings a URL may take in a message: as given, and as WHATWG URL prints it. */
function urlForms(url: string): string[] {
  const forms = new Set<string>();
  const trimmed = url.trim();
  if (trimmed !== '') forms.add(trimmed);
  try {
    const href = new URL(trimmed).href;
    forms.add(href);
    if (href.endsWith('/')) forms.add(href.slice(0, -1));
  } catch {
    // not a URL: only the raw form can appear
  }
  // Longest first, so a shorter form never splits a longer one.
  return [...forms].sort((a, b) => b.length - a.length);
}

/** The parts of `url` that `redactUrl` masks, raw and percent-decoded, long enough to be worth scrubbing. */
function secretParts(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return [];
  }
  const parts: string[] = [u.username, u.password];
  // A server may echo the Authorization header it got: Basic credentials in their base64 form too.
  if (u.username !== '' || u.password !== '') {
    const pair = `${safeDecode(u.username)}:${safeDecode(u.password)}`;
    parts.push(pair, Buffer.from(pair, 'utf8').toString('base64'));
  }
  const segments = u.pathname.split('/');
  segments.forEach((seg, i) => {
    if (isSecretSegment(segments, i)) parts.push(seg);
  });
  if (u.search !== '') {
    for (const pair of u.search.slice(1).split('&')) {
      const eq = pair.indexOf('=');
      parts.push(eq < 0 ? pair : pair.slice(eq + 1));
      if (eq >= 0 && !PUBLIC_PARAM.test(pair.slice(0, eq))) parts.push(pair.slice(0, eq));
    }
  }
  for (const [, value] of u.searchParams) parts.push(value);
  if (u.hash.length > 1) parts.push(u.hash.slice(1));
  const all = new Set<string>();
  for (const p of parts) {
    if (p.length < MIN_SECRET_LENGTH) continue;
    all.add(p);
    all.add(safeDecode(p));
    // The same bytes as another client might have escaped them (`+` vs `%20`, lower-case hex).
    all.add(encodeURIComponent(safeDecode(p)));
  }
  return [...all].filter((p) => p.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** Anything in free text that looks like a URL (up to whitespace, a quote, a bracket or an ellipsis). */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'`<>()\u2026]+/gi;

/**
 * Masks the secret parts of every URL-looking substring of `text`, whatever its origin: a message that
 * echoes what the user typed (an RPC URL given where an address or a number was expected) must not print
 * the key either. Used on everything the CLI writes to stderr.
 *
 * @example redactUrlsIn('--hops "https://x.io/v3/0123456789abcdef0123" is not a whole number.')
 *   // '--hops "https://x.io/v3/***" is not a whole number.'
 */
export function redactUrlsIn(text: string): string {
  // Trailing punctuation belongs to the sentence, not to the URL ("failed at http://h/v2/***: HTTP 404").
  return text.replace(URL_IN_TEXT, (match) => {
    const tail = /[.,:;!?]+$/.exec(match)?.[0] ?? '';
    return redactUrl(match.slice(0, match.length - tail.length)) + tail;
  });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a malformed escape: the raw form is all there is
  }
}
