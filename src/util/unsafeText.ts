/**
 * Characters a terminal or editor acts on instead of showing: C0/C1 controls (ESC starts an escape
 * sequence, U+009B too on some terminals), DEL, bidi marks/embeddings/overrides/isolates ("Trojan
 * Source"), zero-width and other invisible characters, line/paragraph separators, tag characters.
 * Tabs and line breaks are included: no single-line text field (an entity, a source) needs them.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u206f\ufeff\u{e0000}-\u{e007f}]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');

/** The first unsafe character of `s` as `U+XXXX`, or null when there is none. */
export function firstUnsafeChar(s: string): string | null {
  const m = UNSAFE.exec(s);
  return m === null ? null : `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `s` with every unsafe character replaced by U+FFFD, visibly: for outputs that cannot escape (CSV). */
export function replaceUnsafe(s: string): string {
  return s.replace(UNSAFE_ALL, '\ufffd');
}

/**
 * What the output gate escapes: every control character (C0, DEL, C1), every invisible formatting
 * character (`\p{Cf}`: bidi marks, embeddings, overrides and isolates, zero-width characters, tags),
 * other default-ignorables (fillers, variation selectors), line and paragraph separators, and lone
 * surrogates (`\p{Cs}` only matches an unpaired half in a `u` regexp).
 */
const ESCAPED = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu;

/**
 * `s` with every character a terminal would act on instead of showing written out as an escape:
 * `\x1b` for C0/C1 controls and DEL, `\u202e` for the rest (`\u{e0041}` above the BMP). Characters in
 * `keep` (for example `'\n\t'` in a multi-line text) stay as they are. Unlike `cleanText` nothing is
 * removed: the reader sees that the text carried the character, and which.
 *
 * @example escapeUnsafe('\u001b[31mred\u202e') // '\\x1b[31mred\\u202e'
 */
export function escapeUnsafe(s: string, keep = ''): string {
  return s.replace(ESCAPED, (c) => (keep.includes(c) ? c : escapeOne(c)));
}

function escapeOne(c: string): string {
  const cp = c.codePointAt(0)!;
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\u{${cp.toString(16)}}`;
}

/**
 * `s` (JSON text as JSON.stringify writes it) with the same characters written as JSON `\uXXXX`
 * escapes: the document parses to exactly the same value, and no terminal acts on it. JSON.stringify
 * already escapes C0 controls and lone surrogates; this adds DEL, C1, bidi and invisible characters.
 * Line breaks and tabs stay: outside strings they are the layout, and inside none is left unescaped.
 */
export function escapeUnsafeJson(s: string): string {
  return s.replace(ESCAPED, (c) =>
    c === '\n' || c === '\r' || c === '\t'
      ? c
      : [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );
}
