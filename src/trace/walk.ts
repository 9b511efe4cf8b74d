import type { EnsureHint, FetchNeed } from '../sources/fetcher.js';
import { NATIVE, type Address, type Asset, type Conversion, type Label, type Seed, type Transfer } from '../types.js';
import { EXCHANGE_CATEGORIES, type DepositEvidence } from './deposits.js';
import { labelInForceOn } from './evidence.js';
import { hubPrecheck, PRECHECK_MIN_WINDOW, type PrecheckedHub } from './hubs.js';
import { hubOf, type Hub } from './result.js';

/** Position of a movement in chain time: block, then transaction index. */
interface Pos {
  block: number;
  tx: number;
}
const posOf = (t: Transfer): Pos => ({ block: t.blockNumber, tx: t.txIndex });
/** Chain order of a movement against a position, and of two movements (asked per row and per comparison of a level's sort). */
const cmpAt = (t: Transfer, p: Pos): number => t.blockNumber - p.block || t.txIndex - p.tx;
const cmpTransfers = (a: Transfer, b: Transfer): number => a.blockNumber - b.blockNumber || a.txIndex - b.txIndex;
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';


/**
 * Everything the walk asks of the world outside it: the transfers of an address in a window (after
 * making sure they are held), labels and block times, token and nonce questions for the hub pre-check,
 * the seed list and the deposit-address checker. The walk's rules (time order, what is followed, what
 * is a hit) are all in `walk`; a world only answers. Two implementations: trace/nodeWorld.ts (the store,
 * filled from a node by the fetcher; what `trace` uses) and trace/memoryWorld.ts (a list of transfers
 * and labels in memory, no node and no database; what the unit tests use).
 */
export interface WalkWorld {
  /** Makes sure the transfers of these windows are held (fetching what is missing). */
  ensure(needs: readonly FetchNeed[], hint?: EnsureHint): Promise<void>;
  /** Whether the window is held already (ensure would fetch nothing for it). */
  held(need: FetchNeed): boolean;
  /** The held transfers out of (`from`) or into (`to`) an address within [from, to], in chain order. */
  transfersOf(address: Address, side: 'from' | 'to', from: number, to: number): Transfer[];
  /** The address's label (bundled, or the user's laid over it), whatever its validity window. */
  label(address: Address): Label | undefined;
  /** Unix seconds of a block: asked only to place a dated label's validFrom / validTo. */
  blockTime(block: number): Promise<number>;
  /** True when the contract is an ERC-20 (answers decimals()): only a token can be a WETH-style wrapper. */
  isToken(address: Address): Promise<boolean>;
  /** How many transactions the account has sent (its nonce), for the hub pre-check; null when unknown. */
  nonce(address: Address): Promise<number | null>;
  /**
   * The address's row on the whole seed list (bundled, and the user's if any), not only this run's
   * seeds: an address on it that the walk reaches is a known-perpetrator hit, and is never taken for an
   * exchange's customer.
   */
  seedList(address: Address): Seed | undefined;
  /** Exchange deposit-address detection (forward only); omitted, no address is taken for one. */
  deposits?: DepositChecker;
  /** DEX swaps of an expanded address (forward only; sources/swaps.ts); omitted, no swap is read. */
  swaps?: SwapChecker;
  /**
   * True for a bridge contract of data/bridges.csv on this chain (forward only): a payment into it is
   * where the funds may leave the chain. The walk does not expand it; it returns the payment as a
   * `bridge` hit with its path, and the run reads the exit from the protocol's own log.
   */
  isBridge?(address: Address): boolean;
}

/**
 * What the walk asks about DEX swaps, once per hop level: for each expanded holder, its conversions in
 * the transactions of these payments (one list per ask, in the asks' order).
 */
export interface SwapChecker {
  conversions(asks: readonly { holder: Address; payments: readonly Transfer[] }[]): Promise<Conversion[][]>;
}

export interface WalkOptions {
  world: WalkWorld;
  seeds: readonly Address[];
  direction: 'out' | 'in';
  hops: number;
  fromBlock: number;
  toBlock: number;
  /** Smallest amount followed, per asset; zero-value movements are never followed whatever this says. */
  minValue: (asset: Asset) => bigint;
  /** An address (other than a seed) with more counterparties than this is a hub: reported, not followed. */
  fanOutCap: number;
  /** Most distinct addresses expanded per walk; the rest of the frontier is counted, not followed. */
  maxAddresses: number;
  stopAtLabels: boolean;
  /**
   * A hub pre-check (trace/hubs.ts: is it a token contract, has it sent a huge number of transactions?)
   * costs a call or two to save a fetch: it is made only for a window of at least this many blocks that
   * the world does not hold yet. Default PRECHECK_MIN_WINDOW; `Infinity` turns pre-checks off.
   */
  precheckMinWindow?: number;
  /**
   * Forward only: the position from which a seed's outgoing transfers count (a seed reached by a bridge
   * arrival: what it paid before the arrival is not the traced funds). Absent: no bound.
   */
  startAt?: ReadonlyMap<Address, { block: number; tx: number }>;
  onProgress?: (message: string) => void;
}

/** A deposit address and the label of the hot wallet it sweeps to (the hit's venue). */
export interface DepositFinding {
  label: Label;
  evidence: DepositEvidence;
  /** True when it was learned before this walk reached it (no sweep lookup was made). */
  known: boolean;
  /** When the inference was stored (ISO time). */
  learnedAt: string;
  /**
   * Set when the address is on the seed list: the heuristic's verdict contradicts a sourced
   * attribution, so it is no finding (never stored, never a hit): the report names the conflict.
   */
  conflict?: Seed;
}

/** What the walk asks about deposit addresses; see trace/depositCheck.ts. */
export interface DepositChecker {
  /** A deposit address learned before (by an earlier trace or this one): flagged at once, nothing fetched. */
  known(address: Address): DepositFinding | undefined;
  /**
   * Which of these addresses are deposit addresses, judged from the traced arrival. `lookup`: the
   * address's outgoing transfers after the arrival are not in the store yet (the address is not expanded)
   * and are fetched for a bounded window, a *sweep lookup*.
   */
  check(items: readonly DepositAsk[], lookup: boolean): Promise<Map<Address, DepositFinding>>;
}

/** An address the walk reached, and the traced arrival the deposit-address question is about. */
export interface DepositAsk {
  address: Address;
  arrival: Transfer;
  /**
   * The address's outgoing transfers the walk read already: those of blocks [the arrival's block, `to`],
   * in chain order (the checker reads the store for them when absent, or when `to` is short of the
   * window it looks at).
   */
  outgoing?: { to: number; rows: readonly Transfer[] };
}

/** A state of an address in the walk: reached at `hop`, with the time bound in force from then on. */
interface State {
  hop: number;
  /** Forward: earliest arrival; backward: latest departure. Null for a seed (no bound) unless `startAt` gives one. */
  time: Pos | null;
  /** The transfer that produced this state, and the state of its other end. */
  via: Transfer | null;
  prev: State | null;
  address: Address;
}

export interface RawHit {
  /**
   * `venue`: a labelled (or inferred) venue; `known-perpetrator`: an address of the seed list; `bridge`:
   * one payment into a bridge contract (one hit per transaction: each may be its own exit), whose label,
   * if any, is kept in `label`.
   */
  kind: 'venue' | 'known-perpetrator' | 'bridge';
  seed: Address;
  venue: Address;
  /** The venue's label (for an inferred deposit address: its hot wallet's); absent for a known perpetrator. */
  label?: Label;
  /** The seed-list row of a known-perpetrator hit. */
  perpetrator?: Seed;
  direction: 'out' | 'in';
  /** Transfers from the seed (out) or to the seed (in), in path order. */
  path: Transfer[];
  /** Every followed transfer into (out) / out of (in) the venue, for the totals. */
  transfers: Transfer[];
  /**
   * Set when the venue is a deposit address whose hot wallet lies beyond what the walk fetched (the
   * last hop): the hit rests on the inference alone, and `label` is the hot wallet's label.
   */
  deposit?: DepositFinding;
}

export interface WalkResult {
  hits: RawHit[];
  hubs: Hub[];
  visited: Set<Address>;
  followed: number;
  skipped: number;
  /** Frontier addresses left unexpanded because maxAddresses was reached. */
  unexpanded: number;
  /** Last-hop addresses not checked for a deposit address because maxAddresses was reached. */
  depositsUnchecked: number;
  /**
   * Deposit-address verdicts on addresses the walk expanded anyway (annotations on the step into them,
   * never hits: the labelled venue they pay is the hit), and conflicts (`conflict` set) wherever found.
   */
  inferences: Map<Address, DepositFinding>;
  /**
   * Every movement the walk followed, once (`<txHash>|<ref>` → the movement and the hop it was first
   * followed at): the traced graph that reports, exports and attribution draw.
   */
  traced: Map<string, { transfer: Transfer; hop: number }>;
  /**
   * DEX swaps of expanded addresses (forward), once each: the payment into the route is not followed
   * (the value stays with the holder, in the asset bought), and what the holder pays of that asset
   * afterwards is followed as any payment is.
   */
  conversions: Conversion[];
}

/**
 * Breadth-first walk by hop from each seed, in time order.
 *
 * Forward (`out`), an address's outgoing transfers count only from its earliest traced arrival on
 * (what it paid a year before the theft is not the theft); backward (`in`) mirrors it. Because a later
 * hop can reach an address earlier in time, each address keeps its best time per hop (earliest
 * arrival within k hops, a Bellman-Ford over hop levels) and is expanded again only for the window the
 * better time opens; each path reported is therefore consistent in time.
 * Zero-value transfers (address poisoning), amounts below --min-value, self moves, WETH wraps and
 * mints/burns are not followed. A labelled address ends its branch (with stopAtLabels) and is a hit.
 *
 * Facts before inferences: an address judged an exchange deposit address is still expanded when the
 * walk would expand it, so the labelled hot wallet it sweeps to is the hit at its own hop and the
 * verdict is only an annotation (WalkResult.inferences). Only at the last hop, where the hot wallet lies
 * beyond what is fetched, is the deposit address itself the hit (RawHit.deposit), and said to be
 * inferred. An address of the seed list is a known-perpetrator hit and is followed on: it is the
 * perpetrator's own wallet, not a venue that takes custody, and stopping there would hide the venue
 * the funds reach next.
 *
 * Forward, a payment into a bridge contract (`world.isBridge`) ends its branch as a `bridge` hit, one per
 * transaction, whatever its label: the run reads the exit from the protocol's log and, where it can,
 * walks on from the arrival on the other chain (a new walk with `startAt`).
 */
export async function walk(opts: WalkOptions): Promise<WalkResult> {
  const { world } = opts;
  // Whether a label was the address's at a transfer's time (user labels can have validFrom / validTo):
  // outside its window the address is nobody's venue, and the walk goes on through it.
  const labelInForce = labelInForceOn((block) => world.blockTime(block));
  const forward = opts.direction === 'out';
  const side: 'from' | 'to' = forward ? 'from' : 'to';
  const seedSet = new Set(opts.seeds);
  const best = new Map<string, State>(); // seed|address → best state so far
  // Per seed, the movements (tx|ref) followed: each counts once per seed, at its first hop.
  const seenEdges = new Map<Address, Set<string>>(opts.seeds.map((s) => [s, new Set<string>()]));
  const hits = new Map<string, RawHit>();
  const hubs = new Map<Address, Hub>();
  // Forward, the followed transfers into each address (seed|address): a deposit hit's totals.
  const arrivals = new Map<string, Transfer[]>();
  const prechecked = new Map<Address, PrecheckedHub | null>();
  const addHit = (seed: Address, venue: Address, label: Label, path: Transfer[], deposit?: DepositFinding): RawHit => {
    const hitKey = `${seed}|${venue}`;
    let hit = hits.get(hitKey);
    if (!hit) {
      // Backward, the path reads from the venue to the seed, in the direction the money moved.
      hit = { kind: 'venue', seed, venue, label, direction: opts.direction, path: forward ? path : path.reverse(), transfers: [] };
      if (deposit) hit.deposit = deposit;
      hits.set(hitKey, hit);
    }
    return hit;
  };
  const perpetratorHit = (seed: Address, address: Address, perpetrator: Seed, path: Transfer[]): RawHit => {
    const hitKey = `perpetrator|${seed}|${address}`;
    let hit = hits.get(hitKey);
    if (!hit) {
      hit = { kind: 'known-perpetrator', seed, venue: address, perpetrator, direction: opts.direction, path: forward ? path : path.reverse(), transfers: [] };
      hits.set(hitKey, hit);
    }
    return hit;
  };
  const bridgeHit = (seed: Address, contract: Address, path: Transfer[], edge: Transfer): void => {
    const hitKey = `bridge|${seed}|${edge.txHash}|${contract}`;
    const hit = hits.get(hitKey);
    if (hit) hit.transfers.push(edge);
    else {
      const label = world.label(contract);
      hits.set(hitKey, { kind: 'bridge', seed, venue: contract, ...(label ? { label } : {}), direction: 'out', path, transfers: [edge] });
    }
  };
  const inferences = new Map<Address, DepositFinding>();
  const depositHit = (seed: Address, state: State, finding: DepositFinding): void => {
    const hit = addHit(seed, state.address, finding.label, pathTo(state), finding);
    if (hit.transfers.length === 0) hit.transfers.push(...(arrivals.get(`${seed}|${state.address}`) ?? []));
  };
  const visited = new Set<Address>();
  const traced = new Map<string, { transfer: Transfer; hop: number }>();
  const conversions = new Map<string, Conversion>(); // tx|holder
  let followed = 0;
  let skipped = 0;
  let unexpanded = 0;
  let depositsUnchecked = 0;

  let frontier: { seed: Address; state: State }[] = opts.seeds.map((seed) => {
    const state: State = { hop: 0, time: (forward ? opts.startAt?.get(seed) : undefined) ?? null, via: null, prev: null, address: seed };
    best.set(`${seed}|${seed}`, state);
    return { seed, state };
  });

  for (let level = 0; level < opts.hops && frontier.length > 0; level++) {
    // A budget on distinct addresses keeps a trace that fans out into a whole economy bounded; the
    // report says how much was left (addresses already expanded may always be expanded again).
    let room = opts.maxAddresses - visited.size;
    const entering = new Set<Address>();
    const left = new Set<Address>();
    frontier = frontier.filter(({ state }) => {
      const a = state.address;
      if (visited.has(a) || entering.has(a)) return true;
      if (room > 0) {
        room--;
        entering.add(a);
        return true;
      }
      left.add(a);
      return false;
    });
    unexpanded += left.size;
    // Hubs seen before fetching: a token contract, an account that has sent a huge number of transactions.
    const unheld = frontier.filter(({ state }) => worthPrecheck(windowOf(state))).map(({ state }) => state.address);
    const fresh = [...new Set(unheld)].filter((a) => !seedSet.has(a) && !prechecked.has(a));
    const found = await Promise.all(fresh.map((a) => hubPrecheck(world, a)));
    fresh.forEach((a, i) => prechecked.set(a, found[i] ?? null));
    frontier = frontier.filter(({ state }) => {
      const hub = prechecked.get(state.address);
      if (!hub) return true;
      if (!hubs.has(state.address)) hubs.set(state.address, hubOf({ ...hub, hop: state.hop }));
      return false;
    });
    opts.onProgress?.(`hop ${level + 1}: ${frontier.length} address${frontier.length === 1 ? '' : 'es'} to expand`);
    const needs = frontier.map(({ state }) => windowOf(state));
    // Backward, an address's own Deposit/Withdrawal events (topic1 = holder) tell which incoming
    // native payments were unwraps of its WETH rather than money from the wrapper contract.
    if (!forward) needs.push(...needs.map((n) => ({ ...n, side: 'from' as const, logsOnly: true })));
    await world.ensure(mergeNeeds(needs), { levelsLeft: opts.hops - level });
    // Each entry's transfers, read once: the deposit check below looks at the same rows.
    const expanding = frontier.map(({ seed, state }) => {
      const w = windowOf(state);
      return { seed, state, window: w, rows: world.transfersOf(state.address, side, w.from, w.to), edges: [] as Transfer[] };
    });
    // A deposit-address verdict on an address expanded anyway is an annotation: its hot wallet, one
    // hop on, is the fact the walk reaches.
    for (const [address, finding] of await checkDeposits(expanding, false)) inferences.set(address, finding);

    for (const { state, rows, edges } of expanding) {
      visited.add(state.address);
      const conversions = await wrapsOf(rows);
      for (const t of rows) {
        if (!followable(t, state, conversions)) {
          skipped++;
          continue;
        }
        edges.push(t);
      }
    }
    await leaveSwaps(expanding);
    // Collect this level's candidate edges, then take them in time order so that the earliest one
    // reaching an address is the one its path shows.
    const candidates: { seed: Address; state: State; edge: Transfer }[] = [];
    for (const { seed, state, edges } of expanding) {
      const counterparties = new Set(edges.map((t) => (forward ? t.to : t.from)));
      if (!seedSet.has(state.address) && counterparties.size > opts.fanOutCap) {
        const prior = hubs.get(state.address);
        if (!prior || prior.degree < counterparties.size) {
          hubs.set(state.address, hubOf({ address: state.address, degree: counterparties.size, hop: state.hop, kind: 'fan-out' }));
        }
        continue;
      }
      for (const edge of edges) candidates.push({ seed, state, edge });
    }
    candidates.sort((a, b) => cmpTransfers(a.edge, b.edge) || a.edge.ref.localeCompare(b.edge.ref));

    const next = new Map<string, { seed: Address; state: State }>();
    const lastHop: { seed: Address; state: State }[] = [];
    for (const { seed, state, edge } of candidates) {
      // One key string per movement and one per (seed, address), each hashed once for all its lookups.
      const id = `${edge.txHash}|${edge.ref}`;
      const seen = seenEdges.get(seed)!;
      if (seen.has(id)) continue;
      seen.add(id);
      followed++;
      if (!traced.has(id)) traced.set(id, { transfer: edge, hop: level + 1 });
      const other = forward ? edge.to : edge.from;
      if (forward && !seedSet.has(other) && world.isBridge?.(other)) {
        // Where the funds may leave the chain: the run reads the exit; the contract itself is not expanded.
        bridgeHit(seed, other, [...pathTo(state), edge], edge);
        continue;
      }
      const found = seedSet.has(other) ? undefined : world.label(other);
      const label = found && (await labelInForce(found, edge.blockNumber)) ? found : undefined;
      const perpetrator = seedSet.has(other) ? undefined : world.seedList(other);
      if (perpetrator) perpetratorHit(seed, other, perpetrator, [...pathTo(state), edge]).transfers.push(edge);
      if (label) {
        addHit(seed, other, label, [...pathTo(state), edge]).transfers.push(edge);
        // A seed-list address is followed on even when a label calls it a venue: stopping there would
        // hide where the perpetrator's funds went next (the report shows both sources).
        if (opts.stopAtLabels && !perpetrator) continue;
      }
      const stateKey = `${seed}|${other}`;
      if (forward && !label) {
        const list = arrivals.get(stateKey);
        if (list) list.push(edge);
        else arrivals.set(stateKey, [edge]);
      }
      const current = best.get(stateKey);
      const better = !current || (current.time !== null && (forward ? cmpAt(edge, current.time) < 0 : cmpAt(edge, current.time) > 0));
      if (!better) continue;
      const s: State = { hop: level + 1, time: posOf(edge), via: edge, prev: state, address: other };
      best.set(stateKey, s);
      if (level + 1 < opts.hops) next.set(stateKey, { seed, state: s });
      else if (!label && !seedSet.has(other)) lastHop.push({ seed, state: s });
    }
    frontier = [...next.values()];
    // The last hop is not expanded; whether it is a deposit address is still worth a bounded look.
    if (lastHop.length > 0) {
      // Each sweep lookup is a fetch: they share the --max-addresses budget with the expanded addresses.
      const room = Math.max(0, opts.maxAddresses - visited.size);
      const addresses = [...new Set(lastHop.map(({ state }) => state.address))];
      const allowed = new Set(addresses.slice(0, room));
      if (forward && world.deposits) depositsUnchecked += addresses.length - allowed.size;
      const found = await checkDeposits(lastHop.filter(({ state }) => allowed.has(state.address)), true);
      for (const { seed, state } of lastHop) {
        const finding = found.get(state.address);
        if (!finding) continue;
        // A conflict is no finding: it is shown on the known-perpetrator hit, never as an exchange.
        if (finding.conflict) inferences.set(state.address, finding);
        else if (best.get(`${seed}|${state.address}`) === state) depositHit(seed, state, finding);
      }
    }
  }

  return { hits: [...hits.values()], hubs: [...hubs.values()], visited, followed, skipped, unexpanded, depositsUnchecked, inferences, traced, conversions: [...conversions.values()] };

  /**
   * Forward, the swaps of each expanded holder among its payments to unlabelled addresses (a labelled
   * recipient is a hit, whatever it does with the funds), asked at once for the level: their payments
   * into the route are taken out of `edges` (in place) and counted as skipped; the conversions are kept
   * for the result.
   */
  async function leaveSwaps(expanding: readonly { state: State; edges: Transfer[] }[]): Promise<void> {
    if (!forward || !world.swaps) return;
    const asks = expanding.map(({ state, edges }) => ({ holder: state.address, payments: edges.filter((t) => !world.label(t.to)) }));
    const found = await world.swaps.conversions(asks);
    expanding.forEach(({ edges }, i) => {
      const mine = found[i] ?? [];
      if (mine.length === 0) return;
      const paidIn = new Set<string>();
      for (const c of mine) {
        conversions.set(`${c.txHash}|${c.holder}`, c);
        paidIn.add(`${c.txHash}|${c.assetIn}`);
      }
      for (let j = edges.length - 1; j >= 0; j--) {
        const t = edges[j]!;
        if (paidIn.has(`${t.txHash}|${t.asset}`) && !world.label(t.to)) {
          edges.splice(j, 1);
          skipped++;
        }
      }
    });
  }

  /**
   * The deposit addresses among these states' addresses (forward, unlabelled, not this run's seeds).
   * `rows`: the state's outgoing transfers in `window`, when the walk read them already.
   */
  async function checkDeposits(
    entries: readonly { state: State; window?: FetchNeed; rows?: readonly Transfer[] }[],
    lookup: boolean,
  ): Promise<Map<Address, DepositFinding>> {
    if (!forward || !world.deposits) return new Map();
    const items = new Map<Address, DepositAsk>();
    for (const { state: st, window: w, rows } of entries) {
      if (!st.via || seedSet.has(st.address)) continue;
      // A label in force at the arrival is the fact (the walk made it a hit); one out of force leaves the
      // address nobody's venue then, as the walk treated it — unless it names something other than an
      // exchange, which no deposit inference may contradict.
      const label = world.label(st.address);
      if (label && (!EXCHANGE_CATEGORIES.has(label.category) || (await labelInForce(label, st.via.blockNumber)))) continue;
      const prior = items.get(st.address);
      if (prior && cmpTransfers(st.via, prior.arrival) >= 0) continue;
      const item: DepositAsk = { address: st.address, arrival: st.via };
      // The rows read for this state start at its arrival's block (the window of a state starts there).
      if (w && rows && w.from === st.via.blockNumber) item.outgoing = { to: w.to, rows };
      items.set(st.address, item);
    }
    if (items.size === 0) return new Map();
    return world.deposits.check([...items.values()], lookup);
  }

  /** Whether a pre-check is worth its calls for this window: not where the fetch is small or already held. */
  function worthPrecheck(need: FetchNeed): boolean {
    return need.to - need.from + 1 >= (opts.precheckMinWindow ?? PRECHECK_MIN_WINDOW) && !world.held(need);
  }


  function windowOf(state: State): FetchNeed {
    const t = state.time;
    if (forward) return { address: state.address, side, from: Math.max(opts.fromBlock, t?.block ?? 0), to: opts.toBlock };
    return { address: state.address, side, from: opts.fromBlock, to: Math.min(opts.toBlock, t?.block ?? opts.toBlock) };
  }

  /**
   * The native movements of these rows that are WETH-style conversions: forward, a payment into the
   * wrapper in the same transaction where it emitted Deposit(holder, same amount); backward, a payout
   * from it with Withdrawal(holder, same amount). Decided per transfer, and only for an unlabelled
   * ERC-20 contract: a labelled venue, or a multisig that emits its own `Deposit(address,uint256)` on
   * every receipt, stays a destination. (The holder's own wrap/unwrap rows come with its transfers:
   * they have from = to = holder.)
   */
  async function wrapsOf(rows: readonly Transfer[]): Promise<Set<string>> {
    const kind = forward ? 'wrap' : 'unwrap';
    const out = new Set<string>();
    for (const t of rows) {
      // The event alone does not tell WETH from a wallet that logs its receipts with the same
      // signature (MultiSigWallet's Deposit(sender, value)): a wrapper also is a token.
      if (t.kind === kind && !world.label(t.asset) && (await world.isToken(t.asset))) {
        out.add(`${t.txHash}|${t.asset}|${t.amount}`);
      }
    }
    return out;
  }

  function followable(t: Transfer, state: State, conversions: Set<string>): boolean {
    if (t.amount === 0n) return false; // poisoning spam and empty calls carry no funds
    if (t.from === t.to) return false; // wraps/unwraps and self-sends: value stays with the holder
    const other = forward ? t.to : t.from;
    if (other === ZERO_ADDRESS) return false; // burns (forward) and mints (backward)
    // A wrap: the holder keeps the value, as WETH, and the walk goes on with its WETH transfers.
    if (t.asset === NATIVE && conversions.has(`${t.txHash}|${other}|${t.amount}`)) return false;
    if (t.amount < opts.minValue(t.asset)) return false;
    if (state.time) {
      const c = cmpAt(t, state.time);
      if (forward ? c < 0 : c > 0) return false;
    }
    return true;
  }
}

/** Transfers from the seed to this state (forward), or from this state to the seed (backward). */
function pathTo(state: State): Transfer[] {
  const out: Transfer[] = [];
  for (let s: State | null = state; s?.via; s = s.prev) out.push(s.via);
  return out.reverse();
}

/** One need per (address, side): the widest window asked for. */
function mergeNeeds(needs: FetchNeed[]): FetchNeed[] {
  const by = new Map<string, FetchNeed>();
  for (const n of needs) {
    const k = `${n.address}|${n.side}|${n.logsOnly ?? false}`;
    const prev = by.get(k);
    if (!prev) by.set(k, { ...n });
    else {
      prev.from = Math.min(prev.from, n.from);
      prev.to = Math.max(prev.to, n.to);
    }
  }
  return [...by.values()];
}
