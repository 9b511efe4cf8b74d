import type { TransferIdRow } from '../store/store.js';
import type { Address, Asset, Hex, Transfer, TransferKind } from '../types.js';
import { compareRefs, refOrderKey } from './order.js';

/**
 * What MovementTable.ofIds needs besides the rows: the store's chain, the texts of its address and asset
 * ids (Store.names, read again when a row names an id stored after they were read) and a transaction
 * hash by id (Store.txHash, asked only where a movement is named or a tie needs the hash).
 */
export interface IdNames {
  chainId: number;
  names(): { addresses: string[]; assets: string[] };
  txHash(id: number): Hex | null;
}

/**
 * Movements as columns: one index per movement, addresses and assets as small integers. A million
 * movements as objects cost about 600 bytes each and a string hash per map lookup; as columns they
 * cost under 200 bytes, and the models index arrays instead of hashing addresses.
 *
 * Only movements of a positive amount are kept (what every taint model reads).
 */
export class MovementTable {
  size = 0;
  /** Addresses and assets (`native` among them), by id: `names[id]`. One dictionary, so an asset and an address compare by id. */
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly refIds = new Map<string, number>();
  readonly refs: string[] = [];
  readonly kinds: TransferKind[] = [];

  block: Float64Array = new Float64Array(1024);
  txIndex: Float64Array = new Float64Array(1024);
  ref: Uint32Array = new Uint32Array(1024);
  kind: Uint32Array = new Uint32Array(1024);
  from: Uint32Array = new Uint32Array(1024);
  to: Uint32Array = new Uint32Array(1024);
  asset: Uint32Array = new Uint32Array(1024);
  chainId: Float64Array = new Float64Array(1024);
  /** Block hashes as they came (a lookup per movement to share them would cost more than it saves). */
  readonly blockHash: Hex[] = [];
  readonly amount: bigint[] = [];
  /** Transaction hashes as they came (tables of objects), or null: the table holds store ids (`tx`) instead. */
  private txHashes: Hex[] | null = [];
  /** Transaction ids of the store (tables made by ofIds), their hashes read when first asked. */
  private tx: Float64Array = new Float64Array(0);
  private txHashById: ((id: number) => Hex) | null = null;
  /** The objects the table was made of, when the caller held them already (an array): edges reuse them. */
  private objects: Transfer[] | null = null;

  /** A table of `transfers`; an array's objects are kept (they are held anyway), a stream's are not. */
  static of(transfers: Iterable<Transfer>): MovementTable {
    const table = new MovementTable();
    if (Array.isArray(transfers)) {
      table.objects = [];
      for (const t of transfers as readonly Transfer[]) if (table.add(t)) table.objects.push(t);
    } else {
      for (const t of transfers) table.add(t);
    }
    return table;
  }

  /**
   * A table of the store's rows by ids (Store.transferIdsInRange): the same movements, ids and chain
   * order as `of` over Store.transfersInRange, without a string per address or transaction: each store
   * id is named once (its text shared from `names`), transaction hashes only when asked.
   */
  static ofIds(rows: Iterable<TransferIdRow>, source: IdNames): MovementTable {
    const table = new MovementTable();
    table.txHashes = null;
    table.tx = new Float64Array(table.block.length);
    const hashes = new Map<number, Hex>();
    table.txHashById = (id) => {
      let h = hashes.get(id);
      if (h === undefined) {
        const read = source.txHash(id);
        if (read === null) throw new Error(`transaction id ${id} of the store has no hash`);
        hashes.set(id, (h = read));
      }
      return h;
    };
    let { addresses, assets } = source.names();
    // Store id → table id (0: not seen yet, else table id + 1); address and asset ids are two spaces.
    let addressIds: Int32Array = new Int32Array(addresses.length);
    let assetIds: Int32Array = new Int32Array(assets.length);
    const reread = (): void => {
      ({ addresses, assets } = source.names());
      addressIds = grown(addressIds, addresses.length);
      assetIds = grown(assetIds, assets.length);
    };
    const idOfAddress = (id: number): number => {
      if (!(id < addressIds.length) || addresses[id] === undefined) reread();
      let t = addressIds[id]! - 1;
      if (t < 0) addressIds[id] = (t = table.id(addresses[id]!)) + 1;
      return t;
    };
    const idOfAsset = (id: number): number => {
      if (!(id < assetIds.length) || assets[id] === undefined) reread();
      let t = assetIds[id]! - 1;
      if (t < 0) assetIds[id] = (t = table.id(assets[id]!)) + 1;
      return t;
    };
    let lastBlockHash = '';
    for (const r of rows) {
      const amount = BigInt(r[8]);
      if (!(amount > 0n)) continue;
      const i = table.size;
      if (i === table.block.length) table.grow();
      table.block[i] = r[3];
      table.txIndex[i] = r[4];
      table.ref[i] = intern(table.refIds, table.refs, r[1]);
      table.kind[i] = table.kindId(r[2]);
      table.from[i] = idOfAddress(r[5]);
      table.to[i] = idOfAddress(r[6]);
      table.asset[i] = idOfAsset(r[7]);
      // Rows of one block mostly come together: one string kept for them.
      if (r[9] !== lastBlockHash) lastBlockHash = r[9];
      table.blockHash.push(lastBlockHash as Hex);
      table.chainId[i] = source.chainId;
      table.amount.push(amount);
      table.tx[i] = r[0];
      table.size = i + 1;
    }
    return table;
  }

  /** The hash of movement `i`'s transaction. */
  txHash(i: number): Hex {
    return this.txHashes !== null ? this.txHashes[i]! : this.txHashById!(this.tx[i]!);
  }

  /** What tells movement `i`'s transaction from the table's others (its hash, or its store id), without reading a hash. */
  txKey(i: number): string | number {
    return this.txHashes !== null ? this.txHashes[i]! : this.tx[i]!;
  }

  /** The id of an address or asset, added when new. */
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }

  /** The id of an address or asset the table holds, or -1. */
  idOf(name: string): number {
    return this.ids.get(name) ?? -1;
  }

  /** Adds one movement; false (and nothing added) when its amount is not positive. */
  add(t: Transfer): boolean {
    if (!(t.amount > 0n)) return false;
    const i = this.size;
    if (i === this.block.length) this.grow();
    this.block[i] = t.blockNumber;
    this.txIndex[i] = t.txIndex;
    this.ref[i] = intern(this.refIds, this.refs, t.ref);
    this.kind[i] = this.kindId(t.kind);
    this.from[i] = this.id(t.from);
    this.to[i] = this.id(t.to);
    // Few assets, met over and over: the last one is compared before any hashing.
    if (t.asset !== this.lastAsset) {
      this.lastAsset = t.asset;
      this.lastAssetId = this.id(t.asset);
    }
    this.asset[i] = this.lastAssetId;
    this.blockHash.push(t.blockHash);
    this.chainId[i] = t.chainId;
    this.amount.push(t.amount);
    this.txHashes!.push(t.txHash);
    this.size = i + 1;
    return true;
  }

  private lastAsset: string | null = null;
  private lastAssetId = 0;

  /** Kinds are a handful: a scan, no hashing. */
  private kindId(kind: TransferKind): number {
    const k = this.kinds.indexOf(kind);
    if (k >= 0) return k;
    this.kinds.push(kind);
    return this.kinds.length - 1;
  }

  /** Movement `i` as a Transfer: the caller's own object when the table kept it, else made anew. */
  transfer(i: number): Transfer {
    const kept = this.objects?.[i];
    if (kept) return kept;
    return {
      chainId: this.chainId[i]!,
      txHash: this.txHash(i),
      ref: this.refs[this.ref[i]!]!,
      kind: this.kinds[this.kind[i]!]!,
      blockNumber: this.block[i]!,
      blockHash: this.blockHash[i]!,
      txIndex: this.txIndex[i]!,
      from: this.names[this.from[i]!]! as Address,
      to: this.names[this.to[i]!]! as Address,
      asset: this.names[this.asset[i]!]! as Asset,
      amount: this.amount[i]!,
    };
  }

  /**
   * The movements in chain order (compareChainOrder), as indexes; ties keep the order they were added in,
   * as a stable sort of the movements would. Bucketed by block (counting sort), then each block sorted
   * on its own: O(E) plus small sorts, instead of a comparison sort of all E.
   */
  chainOrder(): Uint32Array {
    if (this.ordered?.length !== this.size) this.ordered = this.sortChainOrder();
    return this.ordered;
  }

  private ordered: Uint32Array | null = null;

  private sortChainOrder(): Uint32Array {
    const n = this.size;
    const order = new Uint32Array(n);
    const refRank = this.refRanks();
    let regular = refRank !== null;
    for (let i = 0; i < n && regular; i++) regular = Number.isFinite(this.block[i]!) && Number.isFinite(this.txIndex[i]!);
    if (!regular) {
      // Refs or numbers the ranks cannot order as compareChainOrder does (NaN in a comparison): the
      // same comparison sort over all movements, so that the order is exactly the one it gives.
      const all = Array.from({ length: n }, (_, i) => i);
      all.sort((a, b) => this.block[a]! - this.block[b]! || this.txIndex[a]! - this.txIndex[b]! || compareRefs(this.refs[this.ref[a]!]!, this.refs[this.ref[b]!]!) || this.compareHash(a, b));
      order.set(all);
      return order;
    }
    // Blocks: distinct values ascending, then each movement into its block's bucket in the order added.
    const bucketOf = new Map<number, number>();
    const counts: number[] = [];
    const bucket = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const b = this.block[i]!;
      let k = bucketOf.get(b);
      if (k === undefined) {
        k = counts.length;
        bucketOf.set(b, k);
        counts.push(0);
      }
      bucket[i] = k;
      counts[k]!++;
    }
    const blocks = [...bucketOf.keys()].sort((a, b) => a - b);
    const start = new Uint32Array(counts.length + 1);
    let at = 0;
    for (const b of blocks) {
      const k = bucketOf.get(b)!;
      start[k] = at;
      at += counts[k]!;
    }
    const fill = start.slice();
    for (let i = 0; i < n; i++) order[fill[bucket[i]!]!++] = i;
    // Within a block: transaction index, ref, transaction hash (stable: ties keep the order added). The
    // first two as one number where it stays exact (it does for any real chain).
    const ranks = refRank!.length;
    let maxIndex = 0;
    let whole = true;
    for (let i = 0; i < n; i++) {
      maxIndex = Math.max(maxIndex, Math.abs(this.txIndex[i]!));
      whole &&= Number.isInteger(this.txIndex[i]!);
    }
    const packed = whole && (maxIndex + 1) * (ranks + 1) < Number.MAX_SAFE_INTEGER;
    const key = new Float64Array(packed ? n : 0);
    for (let i = 0; i < key.length; i++) key[i] = this.txIndex[i]! * ranks + refRank![this.ref[i]!]!;
    const within = packed
      ? (a: number, b: number): number => key[a]! - key[b]! || this.compareHash(a, b)
      : (a: number, b: number): number => this.txIndex[a]! - this.txIndex[b]! || refRank![this.ref[a]!]! - refRank![this.ref[b]!]! || this.compareHash(a, b);
    let lo = 0;
    for (const b of blocks) {
      const hi = lo + counts[bucketOf.get(b)!]!;
      let sorted = true;
      for (let j = lo + 1; j < hi && sorted; j++) sorted = within(order[j - 1]!, order[j]!) <= 0;
      if (!sorted) {
        const part = Array.from(order.subarray(lo, hi));
        part.sort(within);
        order.set(part, lo);
      }
      lo = hi;
    }
    return order;
  }

  private compareHash(a: number, b: number): number {
    // One transaction: equal hashes, none read (a tie of two transactions is rare: bad data).
    if (this.txHashes === null && this.tx[a] === this.tx[b]) return 0;
    const x = this.txHash(a);
    const y = this.txHash(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /**
   * Rank of each ref in compareRefs order (equal refs by that order share a rank), or null when a ref's
   * key holds NaN: compareRefs is then no consistent order and only the full comparison reproduces it.
   */
  private refRanks(): Uint32Array | null {
    const ids = this.refs.map((_, i) => i);
    if (this.refs.some((r) => refOrderKey(r).some((x) => Number.isNaN(x)))) return null;
    ids.sort((a, b) => compareRefs(this.refs[a]!, this.refs[b]!));
    const rank = new Uint32Array(ids.length);
    for (let j = 1; j < ids.length; j++) {
      rank[ids[j]!] = rank[ids[j - 1]!]! + (compareRefs(this.refs[ids[j - 1]!]!, this.refs[ids[j]!]!) === 0 ? 0 : 1);
    }
    return rank;
  }

  private grow(): void {
    const cap = this.block.length * 2;
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const u32 = (a: Uint32Array): Uint32Array => {
      const b = new Uint32Array(cap);
      b.set(a);
      return b;
    };
    this.block = f64(this.block);
    this.txIndex = f64(this.txIndex);
    this.chainId = f64(this.chainId);
    this.ref = u32(this.ref);
    this.from = u32(this.from);
    this.to = u32(this.to);
    this.asset = u32(this.asset);
    this.kind = u32(this.kind);
    if (this.txHashes === null) this.tx = f64(this.tx);
  }
}

/** `a` zero-extended to `length` (or `a` itself when long enough). */
function grown(a: Int32Array, length: number): Int32Array {
  if (a.length >= length) return a;
  const b = new Int32Array(length);
  b.set(a);
  return b;
}

function intern<T extends string>(ids: Map<T, number>, values: T[], value: T): number {
  let id = ids.get(value);
  if (id === undefined) {
    id = values.length;
    values.push(value);
    ids.set(value, id);
  }
  return id;
}
