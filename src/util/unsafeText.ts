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
