/**
 * Neutralising attacker-controlled text before it reaches a terminal.
 *
 * Token symbols and names are chosen by whoever deployed the contract, and label files are edited by
 * hand: both can carry terminal escape sequences (recolour or hide lines, rewrite the title, fake a
 * clean report), bidi overrides that show an address or amount in a different order than it is stored
 * ("Trojan Source"), and invisible characters that make two different strings look the same.
 */

/** Line breaks and tabs (control characters, but they separate words): become a space before the rest goes. */
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;

/** Any remaining run of whitespace (spaces, NBSP, other Zs): becomes one plain space. */
const WHITESPACE = /\s+/gu;

/**
 * Characters that are removed outright:
 * - `\p{Cc}`: C0 controls (incl. ESC, BEL, BS, CR), DEL and the C1 controls (incl. U+009B, the one-byte CSI
 *   that some terminals honour).
 * - `\p{Default_Ignorable_Code_Point}`: zero-width space/joiners (U+200B–200D), LRM/RLM/ALM, the bidi
 *   embeddings, overrides and isolates (U+202A–202E, U+2066–2069), word joiner, BOM (U+FEFF), soft hyphen,
 *   variation selectors, Hangul fillers and the invisible tag characters (U+E0000–E007F).
 * - The bidi controls are listed again by code point so that the guarantee does not rest on the Unicode
 *   tables of the running engine.
 */
const REMOVED = /[\p{Cc}\p{Default_Ignorable_Code_Point}\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu;

/** A surrogate half without its partner: not a character, and it breaks some terminals and encoders. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const ELLIPSIS = '…';

/**
 * Makes a string from the chain or a label file safe to print on a terminal: strips control characters
 * (C0, DEL, C1 — so no escape sequence can start), bidi embeddings/overrides/isolates, zero-width and
 * other invisible characters; turns any run of whitespace into one space; trims; and cuts the result to
 * at most `max` characters (code points, the ellipsis included) so one long symbol cannot push the
 * report apart. What remains of an escape sequence (`[31m`) stays visible on purpose: the reader sees
 * that the text was tampered with.
 *
 * The output is for display only; keep the original for evidence (the JSON report does).
 *
 * @example cleanText('\u001b[31mUSDT\u202e') // '[31mUSDT'
 * @example cleanText('a'.repeat(100), 8)    // 'aaaaaaa…'
 */
export function cleanText(s: string, max = 32): string {
  const limit = Number.isFinite(max) ? Math.max(0, Math.floor(max)) : 32;
  const cleaned = s
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(BREAKS, ' ')
    // Invisible characters go before whitespace is collapsed: U+FEFF counts as whitespace in JS regexps,
    // and `US\ufeffDT` must read `USDT`, not `US DT`.
    .replace(REMOVED, '')
    .replace(WHITESPACE, ' ')
    .trim();
  const chars = Array.from(cleaned);
  if (chars.length <= limit) return cleaned;
  if (limit === 0) return '';
  return chars.slice(0, limit - 1).join('').trimEnd() + ELLIPSIS;
}

/** `cleanText` for an optional value: null and empty (after cleaning) both come back as `fallback`. */
export function cleanOptional(s: string | null | undefined, max: number, fallback: string): string {
  if (s === null || s === undefined) return fallback;
  const c = cleanText(s, max);
  return c === '' ? fallback : c;
}

/**
 * Escapes text for HTML or XML element content and double- or single-quoted attributes (`&#39;` is
 * valid in both). With `quotes: false` only `&`, `<` and `>` are escaped: enough for element content,
 * and what Markdown keeps readable.
 *
 * @example escapeMarkup('<b title="x">') // '&lt;b title=&quot;x&quot;&gt;'
 */
export function escapeMarkup(s: string, opts: { quotes?: boolean } = {}): string {
  const text = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return opts.quotes === false ? text : text.replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Characters XML 1.0 allows nowhere, not even as a character reference: C0 controls other than tab, LF
 * and CR, U+FFFE and U+FFFF, and lone surrogates (`\p{Cs}` matches only an unpaired half in a `u`
 * regexp). Anyone deploying a token chooses its symbol, and one such character makes a GEXF or GraphML
 * file unreadable by every XML parser.
 */
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|\p{Cs}/gu;

/**
 * `s` with every character XML 1.0 forbids replaced by U+FFFD, visibly: the document stays well-formed
 * and the reader sees that something was there. Applied to a whole written document (the graph
 * exports), it cannot break markup, since no markup uses these characters.
 *
 * @example xmlSafe('US\uffffDT') // 'US\ufffdDT'
 */
export function xmlSafe(s: string): string {
  return s.replace(XML_FORBIDDEN, '\ufffd');
}
