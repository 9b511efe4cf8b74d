import type { FetchNeed } from '../sources/fetcher.js';
import type { Address, Label, Seed, Transfer } from '../types.js';
import { difference, union, type Interval } from '../util/intervals.js';
import type { DepositChecker, SwapChecker, WalkWorld } from './walk.js';

/** The whole world of a walk, given up front: no node, no database. */
export interface MemoryWorldInput {
  /** Every movement there is; the walk sees those of the windows it ensured. */
  transfers: readonly Transfer[];
  /** Labels, each under its own `address`. */
  labels?: readonly Label[];
  /** Seed-list rows, each under its own `address`. */
  seedList?: readonly Seed[];
  /** Contracts that answer decimals(). */
  tokens?: readonly Address[];
  /** Nonces of accounts; an account not listed has sent nothing (0), as a node would say. */
  nonces?: ReadonlyMap<Address, number>;
  /** Unix seconds of a block; default 12 seconds a block from the Unix epoch. */
  blockTime?: (block: number) => number;
  deposits?: DepositChecker;
  swaps?: SwapChecker;
  /** Bridge contracts (data/bridges.csv rows of the chain): the walk's `isBridge`. */
  bridges?: readonly Address[];
}

/** A WalkWorld in memory, which also tells what the walk asked of it. */
export interface MemoryWorld extends WalkWorld {
  /** Every window passed to `ensure`, in order: what a node-backed world would have had to fetch. */
  readonly ensured: FetchNeed[];
  /** Addresses asked their nonce, and asked whether they are a token, in order. */
  readonly asked: { nonce: Address[]; isToken: Address[] };
}

/**
 * The walk's world held in memory, for tests of the walk's rules without a node or SQLite. It behaves
 * as a store that starts empty and is filled by `ensure`: `held` is true only for a window already
 * ensured (a logs-only need is held by a logs-only or a full ensure), and `transfersOf` on a window
 * that was not ensured throws, so a walk that reads before it fetches fails its tests instead of
 * reading an empty store on a node. Transfers come back in the store's order (block, transaction
 * index, ref).
 */
export function createMemoryWorld(input: MemoryWorldInput): MemoryWorld {
  const bySide = { from: new Map<Address, Transfer[]>(), to: new Map<Address, Transfer[]>() };
  const ordered = [...input.transfers].sort(
    (a, b) => a.blockNumber - b.blockNumber || a.txIndex - b.txIndex || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0),
  );
  for (const t of ordered) {
    for (const side of ['from', 'to'] as const) {
      const list = bySide[side].get(t[side]);
      if (list) list.push(t);
      else bySide[side].set(t[side], [t]);
    }
  }
  const labels = new Map((input.labels ?? []).map((l) => [l.address, l]));
  const seeds = new Map((input.seedList ?? []).map((s) => [s.address, s]));
  const tokens = new Set(input.tokens ?? []);
  const blockTime = input.blockTime ?? ((block: number) => block * 12);
  // What ensure has made "held", per address and side: every kind of movement, and logs only.
  const full = new Map<string, Interval[]>();
  const logs = new Map<string, Interval[]>();
  const add = (m: Map<string, Interval[]>, key: string, range: Interval): void => {
    m.set(key, union([...(m.get(key) ?? []), range]));
  };
  const covered = (m: Map<string, Interval[]>, key: string, range: Interval): boolean => difference(range, m.get(key) ?? []).length === 0;

  const ensured: FetchNeed[] = [];
  const asked = { nonce: [] as Address[], isToken: [] as Address[] };
  const world: MemoryWorld = {
    ensured,
    asked,
    async ensure(needs) {
      for (const need of needs) {
        ensured.push({ ...need });
        const key = `${need.address}|${need.side}`;
        add(logs, key, [need.from, need.to]);
        if (!need.logsOnly) add(full, key, [need.from, need.to]);
      }
    },
    held(need) {
      const key = `${need.address}|${need.side}`;
      return covered(full, key, [need.from, need.to]) || (need.logsOnly === true && covered(logs, key, [need.from, need.to]));
    },
    transfersOf(address, side, from, to) {
      if (!covered(full, `${address}|${side}`, [from, to])) {
        throw new Error(`the walk read the '${side}' transfers of ${address} in blocks ${from}–${to} without ensuring them first`);
      }
      return (bySide[side].get(address) ?? []).filter((t) => t.blockNumber >= from && t.blockNumber <= to);
    },
    label: (address) => labels.get(address),
    blockTime: async (block) => blockTime(block),
    async isToken(address) {
      asked.isToken.push(address);
      return tokens.has(address);
    },
    async nonce(address) {
      asked.nonce.push(address);
      return input.nonces?.get(address) ?? 0;
    },
    seedList: (address) => seeds.get(address),
  };
  if (input.deposits) world.deposits = input.deposits;
  if (input.swaps) world.swaps = input.swaps;
  if (input.bridges) {
    const bridges = new Set(input.bridges);
    world.isBridge = (address) => bridges.has(address);
  }
  return world;
}
