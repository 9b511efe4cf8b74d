import { isMap, isSeq, LineCounter, parseDocument, type YAMLMap } from 'yaml';
import type { LabelCategory } from '../../types.js';
import { evmChainOf } from './currencies.js';
import { emptyParse, skip, type ParsedFile } from './types.js';

/**
 * GraphSense TagPacks (YAML): a header (`title`, `creator`, and any tag field as a default for every tag:
 * `label`, `source`, `currency`, `network`, `category`, `confidence`, `lastmod`, …) and a `tags:` list
 * whose items carry at least an `address` and override the header's fields.
 *
 * Mapped to hoptrace labels as: entity = the tag's `label`; chain = `network` (else `currency`) when it is
 * an EVM chain, other currencies skipped and counted; category from the GraphSense concept (below, the
 * tag's `category` first, then its `concepts`; an exchange tagged `sanction` is a sanctioned exchange);
 * risk `sanctioned` when the category, `abuse` or a concept is `sanction`, else by category; source = the tag's `source` with the TagPack's title, creator,
 * confidence and lastmod, so the provenance travels with the label.
 */

/** GraphSense concepts (taxonomy "concepts") that have a hoptrace category. Others have none. */
const CATEGORY_BY_CONCEPT: ReadonlyMap<string, LabelCategory> = new Map([
  ['exchange', 'exchange'],
  ['mixing_service', 'mixer'],
  ['mixing', 'mixer'],
  ['coinjoin', 'mixer'],
  ['defi_bridge', 'bridge'],
  ['bridge', 'bridge'],
  ['otc_broker', 'otc'],
  ['otc', 'otc'],
]);

const SANCTION = 'sanction';

/** Reads a TagPack. Lines: the header is reported at line 1, each tag at the line of its `- `. */
export function parseTagPack(text: string): ParsedFile {
  const out = emptyParse('tagpack');
  const lines = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) out.problems.push({ line: e.linePos?.[0].line ?? 1, text: `not valid YAML: ${e.message.split('\n')[0]}` });
    return out;
  }
  const root = doc.contents;
  if (!isMap(root)) {
    out.problems.push({ line: 1, text: 'not a TagPack: expected a YAML mapping with a header and `tags:`' });
    return out;
  }
  const header = fields(root);
  for (const key of ['title', 'creator'] as const) {
    if (header.get(key) === undefined) out.problems.push({ line: 1, text: `TagPack header has no \`${key}\`` });
  }
  const tags = root.get('tags', true);
  if (!isSeq(tags)) {
    out.problems.push({ line: 1, text: 'TagPack has no `tags:` list' });
    return out;
  }
  const provenance = [
    `TagPack "${header.get('title') ?? '?'}" by ${header.get('creator') ?? '?'}`,
    ...optional('confidence', header.get('confidence')),
    ...optional('lastmod', header.get('lastmod')),
  ];

  for (const item of tags.items) {
    const line = isMap(item) && item.range ? lines.linePos(item.range[0]).line : 1;
    if (!isMap(item)) {
      out.problems.push({ line, text: 'a tag must be a mapping (address, label, …)' });
      continue;
    }
    const tag = fields(item);
    const field = (name: string): string | undefined => tag.get(name) ?? header.get(name);
    const address = tag.get('address');
    if (address === undefined) {
      skip(out, 'tags without an address (transaction or entity tags)');
      continue;
    }
    const code = field('network') ?? field('currency');
    if (code === undefined) {
      out.problems.push({ line, text: 'tag has neither `network` nor `currency`, in the tag or the header' });
      continue;
    }
    const chain = evmChainOf(code, address);
    if (chain === null) {
      skip(out, `${code.toUpperCase()} tags (not an EVM chain)`);
      continue;
    }
    const own = list(item, 'concepts');
    const concepts = [field('category'), ...(own.length > 0 ? own : list(root, 'concepts'))].filter((c): c is string => c !== undefined);
    const sanctioned = [...concepts, field('abuse')].includes(SANCTION);
    let mapped = concepts.map((c) => CATEGORY_BY_CONCEPT.get(c)).find((c) => c !== undefined);
    // An exchange on a sanctions list is what hoptrace calls a sanctioned exchange.
    if (mapped === 'exchange' && sanctioned) mapped = 'sanctioned-exchange';
    const source = field('source');
    out.rows.push({
      line,
      address,
      chain,
      entity: field('label'),
      category: mapped ?? null,
      categoryNote:
        concepts.length === 0
          ? 'tag has no GraphSense category'
          : `GraphSense category ${concepts.map((c) => `"${c}"`).join(', ')} has no hoptrace equivalent`,
      risk: sanctioned ? 'sanctioned' : undefined,
      // Not a GraphSense field: read when a TagPack carries it (hoptrace's vocabulary, see docs/labels.md).
      role: field('role'),
      source: source === undefined ? undefined : `${source} (${[...provenance, ...optional('tag lastmod', tag.get('lastmod'))].join(', ')})`,
    });
  }
  return out;
}

/** The scalar fields of a mapping, as strings. */
function fields(map: YAMLMap): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of map.items) {
    const key = (pair.key as { value?: unknown } | null)?.value;
    const value = (pair.value as { value?: unknown } | null)?.value;
    if (typeof key !== 'string' || value === undefined || value === null || typeof value === 'object') continue;
    out.set(key, String(value).trim());
  }
  return out;
}

/** A sequence-of-strings field (`concepts: [a, b]`). */
function list(map: YAMLMap, key: string): string[] {
  const node = map.get(key, true);
  if (!isSeq(node)) return [];
  return node.items.map((i) => (i as { value?: unknown } | null)?.value).filter((v): v is string => typeof v === 'string');
}

function optional(name: string, value: string | undefined): string[] {
  return value === undefined || value === '' ? [] : [`${name} ${value}`];
}
