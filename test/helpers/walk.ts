/**
 * Builders for walk tests on an in-memory world (src/trace/memoryWorld.ts): fresh random addresses,
 * transfers placed in chain time, labels and seed-list rows that name no real venue.
 */
import { randomBytes } from 'node:crypto';
import { createMemoryWorld, type MemoryWorld, type MemoryWorldInput } from '../../src/trace/memoryWorld.js';
import { walk, type WalkOptions, type WalkResult } from '../../src/trace/walk.js';
import { NATIVE, type Address, type Asset, type Label, type Seed, type Transfer, type TransferKind } from '../../src/types.js';

/** A fresh random address (lower-case, as everything inside hoptrace). */
export function addr(): Address {
  return `0x${randomBytes(20).toString('hex')}`;
}

let txCounter = 0;

/** One movement at block `block`, transaction index `tx` (default 0); native 1 ETH unless told. */
export function move(
  from: Address,
  to: Address,
  block: number,
  o: { tx?: number; amount?: bigint; asset?: Asset; kind?: TransferKind; ref?: string; txHash?: string } = {},
): Transfer {
  const asset = o.asset ?? NATIVE;
  return {
    chainId: 31337,
    txHash: o.txHash ?? `0x${(++txCounter).toString(16).padStart(64, '0')}`,
    ref: o.ref ?? (asset === NATIVE ? 'trace:' : 'log:0'),
    kind: o.kind ?? (asset === NATIVE ? 'native' : 'erc20'),
    blockNumber: block,
    blockHash: `0x${block.toString(16).padStart(64, '0')}`,
    txIndex: o.tx ?? 0,
    from,
    to,
    asset,
    amount: o.amount ?? 10n ** 18n,
  };
}

/** A venue label on `address` (an exchange hot wallet unless told), made up for the test. */
export function venueLabel(address: Address, o: Partial<Label> = {}): Label {
  return {
    address,
    chain: 'evm',
    entity: 'Test Exchange',
    category: 'exchange',
    role: 'hot-wallet',
    jurisdiction: null,
    risk: 'standard',
    source: 'test fixture',
    listedAt: null,
    delistedAt: null,
    validFrom: null,
    validTo: null,
    events: [],
    origin: 'user',
    ...o,
  };
}

/** A seed-list row on `address`, made up for the test. */
export function seedRow(address: Address): Seed {
  return { address, chain: 'evm', label: 'Test perpetrator', incident: 'test-incident', tier: 'researcher', source: 'test fixture' };
}

/** The walk's options but the world and seeds, as `trace` defaults them. */
export const WALK_DEFAULTS: Omit<WalkOptions, 'world' | 'seeds'> = {
  direction: 'out',
  hops: 4,
  fromBlock: 0,
  toBlock: 1_000,
  minValue: () => 0n,
  fanOutCap: 50,
  maxAddresses: 10_000,
  stopAtLabels: true,
};

/** Builds the world and walks it from `seeds`; returns both, so a test can look at what was asked. */
export async function walkIn(
  input: MemoryWorldInput,
  seeds: Address[],
  o: Partial<Omit<WalkOptions, 'world' | 'seeds'>> = {},
): Promise<{ world: MemoryWorld; result: WalkResult }> {
  const world = createMemoryWorld(input);
  const result = await walk({ ...WALK_DEFAULTS, ...o, world, seeds });
  return { world, result };
}

/** The hits as `kind seed→venue via tx,tx` lines, sorted: what a test compares. */
export function hitLines(result: WalkResult): string[] {
  return result.hits
    .map((h) => `${h.kind} ${h.venue} path=${h.path.map((t) => t.txHash.slice(-4)).join(',')} total=${h.transfers.reduce((s, t) => s + t.amount, 0n)}`)
    .sort();
}

/** The movements the walk followed, as their hashes' last four digits, sorted. */
export function tracedTx(result: WalkResult): string[] {
  return [...result.traced.values()].map((e) => `${e.transfer.txHash.slice(-4)}@${e.hop}`).sort();
}
