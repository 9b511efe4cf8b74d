import { InvalidResponseError } from '../errors.js';
import { getBlock, missingBlock, type BlockHead, type BlockTag } from '../rpc/actions/getBlock.js';
import type { RpcClient } from '../rpc/client.js';
import { BlockNotFoundError } from '../rpc/errors.js';
import { refetching } from '../rpc/refetch.js';
import type { BlockHeader, Store } from '../store/store.js';

/** Reads block headers (number, hash, timestamp) once and keeps them in the store. */
export interface Headers {
  /** The run's one header cache, which `get` reads through: share it with every other reader of headers. */
  readonly cache: HeaderCache;
  /** The header of block `n` (from the store if held). */
  get(n: number): Promise<BlockHeader>;
  /** The current head, always asked of the node (never taken from the cache), and checked with checkHead; its header then serves reads of its block by number. */
  head(): Promise<BlockHeader>;
  /** Block `n` as the node has it now, bypassing and then refreshing the store (reorg checks). */
  fresh(n: number): Promise<BlockHeader>;
  /** Block `n` as the node has it now, without storing it: for a comparison before the chain is accepted. */
  peek(n: number): Promise<BlockHeader>;
  /** Records `head` as the last head accepted (the wall-clock bound of the next run's head check). */
  accept(head: BlockHeader): void;
  /** The first block with timestamp ≥ `ts` (unix seconds), or head + 1 if there is none. */
  firstAtOrAfter(ts: number, head: BlockHeader): Promise<number>;
}

/**
 * Blocks per second no EVM chain in production reaches: the fastest (Arbitrum) makes about 4. A head
 * further from the genesis, or from the head seen last time, than this rate allows is not believed.
 */
export const MAX_BLOCKS_PER_SECOND = 10;
/** Blocks allowed beyond that rate: dev chains mine many blocks within one second. */
export const HEAD_SLACK_BLOCKS = 10_000;
/** How far a head's timestamp may run ahead of this machine's clock (dev chains mined in 12 s steps run ahead). */
export const HEAD_FUTURE_SECONDS = 86_400;

/** What a claimed head is checked against: the genesis header, the head a previous run accepted and when. */
export interface HeadEvidence {
  genesis: BlockHeader;
  lastSeen: { number: number; at: number } | null;
  /** This machine's clock, unix milliseconds. */
  now: number;
}

/**
 * The plausibility rule for a node's head (a head claimed at 2^40 would make a run walk towards it for
 * ever): its timestamp is at most HEAD_FUTURE_SECONDS past this machine's clock; its number is at most
 * MAX_BLOCKS_PER_SECOND per second of chain time since the genesis, and per second of wall-clock time since
 * the head a previous run accepted, plus HEAD_SLACK_BLOCKS each. Throws InvalidResponseError otherwise.
 */
export function checkHead(head: BlockHeader, e: HeadEvidence): void {
  const nowS = Math.floor(e.now / 1000);
  if (head.timestamp > nowS + HEAD_FUTURE_SECONDS) {
    throw new InvalidResponseError(`the node's head block ${head.number} is dated ${head.timestamp - nowS} s in the future`);
  }
  const byChainTime = e.genesis.number + Math.max(0, head.timestamp - e.genesis.timestamp) * MAX_BLOCKS_PER_SECOND + HEAD_SLACK_BLOCKS;
  if (head.number > byChainTime) {
    throw new InvalidResponseError(
      `the node's head block ${head.number} is more blocks than ${MAX_BLOCKS_PER_SECOND} a second since its genesis ${head.timestamp - e.genesis.timestamp} s earlier allow`,
    );
  }
  if (e.lastSeen !== null) {
    const elapsedS = Math.max(0, (e.now - e.lastSeen.at) / 1000);
    const byWallClock = e.lastSeen.number + Math.ceil(elapsedS * MAX_BLOCKS_PER_SECOND) + HEAD_SLACK_BLOCKS;
    if (head.number > byWallClock) {
      throw new InvalidResponseError(
        `the node's head block ${head.number} is ${head.number - e.lastSeen.number} blocks past the head ${e.lastSeen.number} seen ${Math.round(elapsedS)} s ago, more than ${MAX_BLOCKS_PER_SECOND} a second allow`,
      );
    }
  }
}

/** Meta key of the last head accepted: `{"number":…,"at":unix ms}`. */
const HEAD_SEEN = 'head_seen';

/**
 * The meta key of a per-chain value: as it always was for the chain the file was first bound to, with
 * `@<chain id>` for every other chain the file holds (a cross-chain run). Meta is the file's, whichever
 * chain a handle is bound to: a value of one chain kept under a plain key would be read as another's.
 */
export function chainMetaKey(store: Store, chainId: number): (name: string) => string {
  const own = store.getMeta('chain_id') === String(chainId);
  return (name) => (own ? name : `${name}@${chainId}`);
}

/**
 * Headers of the chain behind `rpc`, kept in `store`, read through `cache` (a new one by default). `key`
 * names its per-chain meta values (genesis hash, last head seen): chainMetaKey of its chain; plain names
 * (the default) for the chain the file was first bound to.
 */
export function createHeaders(
  rpc: RpcClient,
  store: Store,
  key: (name: string) => string = (name) => name,
  cache: HeaderCache = createHeaderCache(rpc),
): Headers {
  const notFound = (tag: BlockTag): BlockNotFoundError =>
    new BlockNotFoundError(`the node has no block ${tag === 'latest' ? 'at its head' : tag}.`, {
      method: 'eth_getBlockByNumber',
      endpoint: rpc.endpoint,
      retryable: false,
    });

  // A header for another block than asked (a load balancer's lagging node) is asked again, bounded.
  // `read` asks the node anew (the head, reorg checks); `get` goes through the run's cache.
  const read = (tag: BlockTag): Promise<BlockHeader> => refetching('eth_getBlockByNumber', rpc.endpoint, () => readOnce(tag));
  const readOnce = async (tag: BlockTag): Promise<BlockHeader> => header(await getBlock(rpc, tag), tag);
  const header = (b: BlockHead | null, tag: BlockTag): BlockHeader => {
    if (b === null) throw notFound(tag);
    return { number: b.number, hash: b.hash, timestamp: b.timestamp };
  };

  const get = async (n: number): Promise<BlockHeader> => {
    const stored = store.block(n);
    if (stored) return stored;
    const h = await refetching('eth_getBlockByNumber', rpc.endpoint, async () => header(await cache.load(n), n));
    store.putBlocks([h]);
    return h;
  };

  return {
    cache,
    get,
    async head() {
      // The genesis the head is judged against: the stored block 0 when it is the database's own chain's
      // (genesis_hash, set by the first run); a block 0 of another chain, stored by an older release
      // before that chain was refused, is not trusted, and the node's is read without storing it.
      const known = store.getMeta(key('genesis_hash'));
      const held = known === null ? null : store.block(0);
      const genesis = known === null ? await get(0) : held && held.hash === known ? held : await read(0);
      const head = await refetching('eth_getBlockByNumber', rpc.endpoint, async () => {
        const b = await getBlock(rpc, 'latest');
        const h = header(b, 'latest');
        checkHead(h, { genesis, lastSeen: lastSeenHead(store, key), now: Date.now() });
        // The head's header is block h.number's as the node has it: a later read of that block by number
        // (a scan's top block, a log in it) takes it from the cache instead of asking again.
        cache.seed(h.number, b!);
        return h;
      });
      return head;
    },
    accept(head) {
      // Written only when the head moved: a run on an unchanged chain leaves the database as it was, and
      // an older time with the same number only widens the wall-clock bound. Called once the chain is
      // accepted (trace/run.ts connect): a refused node's head is never recorded.
      if (lastSeenHead(store, key)?.number !== head.number) store.setMeta(key(HEAD_SEEN), JSON.stringify({ number: head.number, at: Date.now() }));
    },
    peek(n) {
      return read(n);
    },
    async fresh(n) {
      const h = await read(n);
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

function lastSeenHead(store: Store, key: (name: string) => string): { number: number; at: number } | null {
  const raw = store.getMeta(key(HEAD_SEEN));
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as { number?: unknown; at?: unknown };
    return Number.isSafeInteger(v.number) && Number.isFinite(v.at) ? { number: v.number as number, at: v.at as number } : null;
  } catch {
    return null; // written by hand or damaged: the other rules still hold
  }
}

/**
 * The one header cache of a run: every block header read for any purpose — checking logs and traces
 * against their block (validate.ts), block times and path times (headers.ts `get`), block scans that
 * read headers (debug_traceBlockByHash needs the hash, a body scan reads the block whole), `verify` — is
 * read once and shared, and concurrent asks share one call. A read that fails is forgotten, so asking
 * again reads again (refetching around an inconsistent answer).
 */
export interface HeaderCache {
  /** Block `n` as the node has it (null: it has none), read once. */
  load(n: number): Promise<BlockHead | null>;
  /** Whether block `n`'s header is held, being read, or awaited from a scan (load would not make a call). */
  has(n: number): boolean;
  /** load, a missing block being an inconsistent answer (the node named it itself). */
  block(n: number): Promise<BlockHead>;
  /** Forgets block `n` (its header may have been the wrong answer), unless a scan is yet to hand it over. */
  forget(n: number): void;
  /**
   * The caller is about to read the blocks of `ranges` whole (a block scan): asks for those blocks wait for
   * the header it hands over with `seed` instead of reading it again. Call the returned function when the
   * scan ends, done or failed: asks still waiting for a block it never read then read its header.
   */
  expect(ranges: readonly (readonly [number, number])[]): () => void;
  /** Block `n`'s header, read by the caller: later asks for block `n` use it. */
  seed(n: number, header: BlockHead): void;
}

/** Creates an empty cache reading through `rpc`. */
export function createHeaderCache(rpc: RpcClient): HeaderCache {
  const cache = new Map<number, Promise<BlockHead | null>>();
  /** Blocks a scan announced (expect) and has not read yet: their cache entry waits for seed. */
  const awaited = new Map<number, { p: Promise<BlockHead | null>; resolve: (h: BlockHead | null | Promise<BlockHead | null>) => void; waiting: boolean }>();

  const load = (n: number): Promise<BlockHead | null> => {
    let p = cache.get(n);
    if (!p) {
      const read = getBlock(rpc, n);
      p = read;
      cache.set(n, p);
      read.catch(() => {
        if (cache.get(n) === read) cache.delete(n);
      });
    }
    const a = awaited.get(n);
    if (a) a.waiting = true;
    return p;
  };

  return {
    load,
    has: (n) => cache.has(n),
    block: (n) => load(n).then((b) => b ?? Promise.reject(missingBlock(n))),
    forget(n) {
      if (!awaited.has(n)) cache.delete(n);
    },
    expect(ranges) {
      const mine: number[] = [];
      for (const [a, b] of ranges) {
        for (let n = a; n <= b; n++) {
          if (cache.has(n)) continue;
          let resolve!: (h: BlockHead | null | Promise<BlockHead | null>) => void;
          const p = new Promise<BlockHead | null>((r) => (resolve = r));
          awaited.set(n, { p, resolve, waiting: false });
          cache.set(n, p);
          mine.push(n);
        }
      }
      return () => {
        for (const n of mine) {
          const a = awaited.get(n);
          if (!a) continue;
          awaited.delete(n);
          if (cache.get(n) === a.p) cache.delete(n);
          if (a.waiting) a.resolve(load(n));
        }
      };
    },
    seed(n, h) {
      const a = awaited.get(n);
      if (a) {
        awaited.delete(n);
        a.resolve(h);
      } else if (!cache.has(n)) {
        cache.set(n, Promise.resolve(h));
      }
    },
  };
}
