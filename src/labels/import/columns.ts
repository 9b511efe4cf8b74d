/**
 * hoptrace's own label table, as CSV (a header line, then one label per line) or as JSON (an array of
 * objects with the same keys). The columns are those of data/exchanges.csv plus the validity dates;
 * `labels export` writes the same, so an export imports back as it was.
 */
export const TABLE_COLUMNS = Object.freeze([
  'address',
  'chain',
  'entity',
  'category',
  'jurisdiction',
  'risk',
  'source',
  'listed_at',
  'delisted_at',
  'valid_from',
  'valid_to',
  'role',
] as const);
export type TableColumn = (typeof TABLE_COLUMNS)[number];
