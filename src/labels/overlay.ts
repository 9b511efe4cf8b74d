import type { Address, Label } from '../types.js';
import { bookOf, indexForChain, type LabelBook } from './load.js';

/** A label book with the user's labels laid over the bundled ones. */
export interface LayeredLabelBook extends LabelBook {
  /** How many addresses of the book carry a user label (what a report records as `userLabels`). */
  readonly userLabels: number;
}

/**
 * Lays user labels (from the database) over a bundled book: for an address with a user row that applies
 * on the book's chain, the user row wins, whatever the bundled row says. Among the user rows the chain's
 * own row beats an `evm` one, as in the bundled data. The bundled book is not changed.
 *
 * @example overlayUserLabels(loadLabelBook('ethereum'), userRows).get(addr)?.origin // 'user'
 */
export function overlayUserLabels(book: LabelBook, userRows: readonly Label[]): LayeredLabelBook {
  const user = indexForChain(userRows, book.labelChain);
  const merged = new Map<Address, Label>();
  for (const [address, label] of book.entries()) merged.set(address, user.get(address) ?? label);
  for (const [address, label] of user) if (!merged.has(address)) merged.set(address, label);
  return { ...bookOf(book.labelChain, merged), userLabels: user.size };
}
