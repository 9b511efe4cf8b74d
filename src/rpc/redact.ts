/**
 * RPC URLs carry API keys (in the path for Alchemy/Infura/Ankr/QuickNode, in the query or userinfo for
 * others). Nothing we print, log, store or put in an error message may contain one in full: every URL goes
 * through `redactUrl`, every foreign error text through `redactText`.
 */

const MASK = '***';
/** A path segment this long made of key-ish characters is treated as a secret (Infura: 32 hex, Alchemy: 32 base64url). */
const KEYLIKE_SEGMENT = /^(?:0x)?[A-Za-z0-9_-]{16,}$/;
/** Shorter secrets are not worth scrubbing from free text: replacing "1" or "eth" everywhere would garble it. */
const MIN_SECRET_LENGTH = 4;

/**
 * Returns `url` with its secrets masked: scheme, host and port are kept; userinfo, every query value, the
 * fragment and every path segment that looks like a key become `***`. A string that is not a URL is masked
 * entirely, since we cannot tell which part is secret.
 *
 * @example redactUrl('https://eth-mainnet.g.alchemy.com/v2/<your key>') // 'https://eth-mainnet.g.alchemy.com/v2/***'
 * @example redactUrl('http://127.0.0.1:8545') // 'http://127.0.0.1:8545'
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
  const path =
    u.pathname === '/' && !hadPath
      ? ''
      : u.pathname
          .split('/')
          .map((seg, i, all) => (isKeyLike(seg) || followsVersion(all, i) ? MASK : seg))
          .join('/');
  const query =
    u.search === ''
      ? ''
      : '?' +
        u.search
          .slice(1)
          .split('&')
          .map((pair) => {
            const eq = pair.indexOf('=');
            return eq < 0 ? pair : `${pair.slice(0, eq)}=${MASK}`;
          })
          .join('&');
  const fragment = u.hash === '' ? '' : `#${MASK}`;
  return `${u.protocol}//${userinfo}${u.host}${path}${query}${fragment}`;
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

function isKeyLike(segment: string): boolean {
  return KEYLIKE_SEGMENT.test(segment);
}

/**
 * The segment after `/v2/`, `/v3/`… is where Alchemy and Infura put the key, whatever its length (a short
 * test key, a truncated one): masked too.
 */
function followsVersion(segments: readonly string[], i: number): boolean {
  return i > 0 && segments[i] !== '' && /^v\d+$/i.test(segments[i - 1]!);
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
  u.pathname.split('/').forEach((seg, i, all) => {
    if (isKeyLike(seg) || followsVersion(all, i)) parts.push(seg);
  });
  for (const [, value] of u.searchParams) parts.push(value);
  if (u.search !== '') {
    for (const pair of u.search.slice(1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq >= 0) parts.push(pair.slice(eq + 1));
    }
  }
  if (u.hash.length > 1) parts.push(u.hash.slice(1));
  const all = new Set<string>();
  for (const p of parts) {
    if (p.length < MIN_SECRET_LENGTH) continue;
    all.add(p);
    try {
      all.add(decodeURIComponent(p));
    } catch {
      // malformed escape: the raw form is enough
    }
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
