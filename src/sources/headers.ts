import { RpcError } from '../errors.js';
import type { RpcClient } from '../rpc/client.js';
import type { BlockHeader, Store } from '../store/store.js';
import { hexToNumber, toQuantity } from './hex.js';
import { parseBlock, refetching } from './validate.js';

/** Reads block headers (number, hash, timestamp) once and keeps them in the store. */
export interface Headers {
  /** The header of block `n` (from the store if held). */
  get(n: number): Promise<BlockHeader>;
  /** The current head, always asked of the node (never cached). */
  head(): Promise<BlockHeader>;
  /** Block `n` as the node has it now, bypassing and then refreshing the store (reorg checks). */
  fresh(n: number): Promise<BlockHeader>;
  /** The first block with timestamp ≥ `ts` (unix seconds), or head + 1 if there is none. */
  firstAtOrAfter(ts: number, head: BlockHeader): Promise<number>;
}

export function createHeaders(rpc: RpcClient, store: Store): Headers {
  const pending = new Map<number, Promise<BlockHeader>>();

  // A header for another block than asked (a load balancer's lagging node) is asked again, bounded.
  const read = (tag: string): Promise<BlockHeader> => refetching('eth_getBlockByNumber', rpc.endpoint, () => readOnce(tag));
  const readOnce = async (tag: string): Promise<BlockHeader> => {
    const b = await rpc.request('eth_getBlockByNumber', [tag, false]);
    if (b === null || b === undefined) {
      throw new RpcError(`the node has no block ${tag === 'latest' ? 'at its head' : hexToNumber(tag)}.`, {
        method: 'eth_getBlockByNumber',
        endpoint: rpc.endpoint,
        retryable: false,
      });
    }
    const { number, hash, timestamp } = parseBlock(b, tag === 'latest' ? 'latest' : hexToNumber(tag));
    return { number, hash, timestamp };
  };

  const get = (n: number): Promise<BlockHeader> => {
    const stored = store.block(n);
    if (stored) return Promise.resolve(stored);
    let p = pending.get(n);
    if (!p) {
      p = read(toQuantity(n)).then((h) => {
        store.putBlocks([h]);
        return h;
      });
      pending.set(n, p);
    }
    return p;
  };

  return {
    get,
    head: () => read('latest'),
    async fresh(n) {
      const h = await read(toQuantity(n));
      store.putBlocks([h]);
      return h;
    },
    async firstAtOrAfter(ts, head) {
      if (head.timestamp < ts) return head.number + 1;
      let lo = 0;
      let hi = head.number;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if ((await get(mid)).timestamp >= ts) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    },
  };
}
