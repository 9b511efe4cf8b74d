/**
 * Reorgs: a re-run after the chain replaced its recent blocks forgets what it had read from them and
 * reads the new history; a node with another genesis under the same chain id is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario, type Scenario } from '../src/devchain/scenario.js';
import { createStore } from '../src/store/store.js';
import { startProxy } from './helpers/proxy.js';
import { hitSummary, lazarus, tempDb, trace, venue } from './helpers/trace.js';

const ETH = 10n ** 18n;
const [seed, mule] = lazarus('harmony', 2) as [string, string];
const binance = venue('Binance')[0]!.address;
const garantex = venue('Garantex')[0]!.address;
let anvil: AnvilHandle;
let s: Scenario;

beforeAll(async () => {
  anvil = await startAnvil();
  s = createScenario(anvil.url);
  for (const a of [seed, mule]) await s.fund(a, 100n * ETH);
  await s.sendEth(seed, mule, 10n * ETH);
});

afterAll(async () => {
  await anvil?.stop();
});

/** What a database holds of its own chain: block 0, the genesis hash and the last head accepted. */
function ownChain(db: string): unknown {
  const store = createStore(db);
  try {
    return { block0: store.block(0), genesis: store.getMeta('genesis_hash'), headSeen: store.getMeta('head_seen') };
  } finally {
    store.close();
  }
}

describe('reorg', () => {
  it('re-reads the replaced blocks: the orphaned hop disappears and the new one is found', async () => {
    const db = tempDb();
    const snapshot = await s.rpc<string>('evm_snapshot');
    await s.sendEth(mule, binance, 5n * ETH);
    expect(hitSummary(await trace(anvil.url, db, [seed]))).toEqual(['Binance@2']);

    // The chain forks just below the Binance payment: in the new history the mule paid Garantex.
    await s.rpc('evm_revert', [snapshot]);
    await s.sendEth(mule, garantex, 5n * ETH);
    await s.mine(3);
    const after = await trace(anvil.url, db, [seed]);
    expect(hitSummary(after)).toEqual(['Garantex@2']);
  });

  it('reads the near-head window again once the chain has moved on (a lagging backend saw nothing there)', async () => {
    const db = tempDb();
    const [s2, m2] = lazarus('harmony', 2, 2) as [string, string];
    await s.fund(s2, 10n * ETH);
    await s.sendEth(s2, m2, 2n * ETH);
    await s.sendEth(m2, binance, 1n * ETH);
    // A backend behind the head answers range queries and block traces with nothing: no hit, and the
    // ranges are marked read (whichever plan the planner prices cheaper: per address or whole blocks).
    const lagging = await startProxy(anvil.url, { empty: ['trace_filter', 'eth_getLogs', 'trace_block'] });
    try {
      expect(await trace(lagging.url, db, [s2])).toMatchObject({ hits: [] });
    } finally {
      await lagging.stop();
    }
    // Same head: nothing is re-read (the cache is the cache).
    expect((await trace(anvil.url, db, [s2])).hits).toEqual([]);
    // The head moves on: the window near the old head is read again, and the hop appears.
    await s.mine(1);
    expect(hitSummary(await trace(anvil.url, db, [s2]))).toEqual(['Binance@2']);
  });

  it('refuses a database of another chain history under the same chain id', async () => {
    const db = tempDb();
    await trace(anvil.url, db, [seed]);
    // Chain id 31337 too, but another genesis block (anvil's genesis depends on its timestamp).
    const other = await startAnvil({ genesisTimestamp: 1_700_000_000 });
    try {
      await createScenario(other.url).mine(5);
      const before = ownChain(db);
      await expect(trace(other.url, db, [seed])).rejects.toThrow(/different chain \(another genesis block\)/);
      // The refused node left nothing of itself: its block 0 and head are not the database's.
      expect(ownChain(db)).toEqual(before);
    } finally {
      await other.stop();
    }
    // And the honest node is still accepted.
    await expect(trace(anvil.url, db, [seed])).resolves.toMatchObject({ chainId: 31337 });
  });
});
