/**
 * The noun for a count: `block` for 1, `blocks` otherwise. English rules enough for the nouns hoptrace
 * counts (`address` → `addresses`, `entry` → `entries`); pass `many` for any other.
 *
 * @example noun(1, 'address') // 'address'
 * @example noun(3, 'address') // 'addresses'
 */
export function noun(n: number | bigint, one: string, many?: string): string {
  if (n === 1 || n === 1n) return one;
  if (many !== undefined) return many;
  if (/(s|x|z|ch|sh)$/.test(one)) return `${one}es`;
  if (/[^aeiou]y$/.test(one)) return `${one.slice(0, -1)}ies`;
  return `${one}s`;
}

/**
 * A count and its noun: `1 block`, `0 blocks`, `2 addresses`. The number is written as given (no
 * grouping), so messages that carried `${n} blocks` keep their figures.
 *
 * @example plural(1, 'block') // '1 block'
 */
export function plural(n: number | bigint, one: string, many?: string): string {
  return `${n} ${noun(n, one, many)}`;
}
