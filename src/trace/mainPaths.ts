import { mainPathByValue, outgoingOf, valueClassOf } from '../graph/widest.js';
import type { Headers } from '../sources/headers.js';
import type { Store } from '../store/store.js';
import { type Address, type Asset, type Transfer } from '../types.js';
import { addressEvidence, type EvidenceContext } from './evidence.js';
import type { Hit, PathStep } from './result.js';

/**
 * The value class function of a store: the native coin and the WETH-style wrappers it holds rows of
 * (an unlabelled ERC-20 that emitted Deposit/Withdrawal, the walk's own test) are one class.
 */
export async function storedValueClasses(
  store: Store,
  isWrapper: (asset: Address) => Promise<boolean> | boolean,
): Promise<(asset: Asset) => Asset> {
  const wrappers = new Set<Asset>();
  for (const a of store.wrapAssets()) if (await isWrapper(a)) wrappers.add(a);
  return valueClassOf(wrappers);
}

/**
 * Sets `byValue` on each hit: the widest route in time order through the movements the walk followed
 * (`traced`, of the hit's direction), measured in the value class of the hit's venue arrival, with the
 * others counted (graph/widest.ts). Steps carry block times and token metadata as `path` does.
 */
export async function attachMainPaths(
  hits: Hit[],
  traced: { out: readonly Transfer[]; in: readonly Transfer[] },
  opts: {
    hops: number;
    classOf: (asset: Asset) => Asset;
    headers: Headers;
    meta: (asset: Asset) => Promise<{ symbol: string | null; decimals: number | null }>;
    /** What is known of each address, for the steps' `fromEvidence` / `toEvidence` as `path` has them. */
    evidence: EvidenceContext;
  },
): Promise<void> {
  const graphs = { out: outgoingOf(traced.out), in: outgoingOf(traced.in) };
  for (const h of hits) {
    // The arrival the hit shows: into the venue (out), into the seed (in), the last step either way.
    const arrival = h.path[h.path.length - 1];
    // A crossing step naming no asset has no value class (hits across a bridge are not passed here).
    if (!arrival || arrival.asset === null) continue;
    const valueClass = opts.classOf(arrival.asset);
    const [from, to] = h.direction === 'out' ? [h.seed, h.address] : [h.address, h.seed];
    const r = mainPathByValue(graphs[h.direction], from, to, { maxHops: opts.hops, valueClass, classOf: opts.classOf });
    h.byValue = {
      valueClass,
      path: r.main ? await Promise.all(r.main.transfers.map((t) => pathStep(t, opts))) : null,
      width: r.main?.width ?? null,
      others: r.others,
    };
  }
}

async function pathStep(
  t: Transfer,
  opts: { headers: Headers; meta: (asset: Asset) => Promise<{ symbol: string | null; decimals: number | null }>; evidence: EvidenceContext },
): Promise<PathStep> {
  const header = await opts.headers.get(t.blockNumber);
  const timestamp = header.hash === t.blockHash ? header.timestamp : null;
  return {
    from: t.from,
    to: t.to,
    txHash: t.txHash,
    blockNumber: t.blockNumber,
    blockHash: t.blockHash,
    timestamp,
    asset: t.asset,
    ...(await opts.meta(t.asset)),
    amount: t.amount,
    kind: t.kind,
    ref: t.ref,
    fromEvidence: addressEvidence(opts.evidence, t.from, timestamp),
    toEvidence: addressEvidence(opts.evidence, t.to, timestamp),
  };
}

