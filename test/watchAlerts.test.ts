/**
 * Which followed movement is an alert (trace/watch.ts alertReasons), without a node: a venue hit, a
 * bridge contract of data/bridges.csv or an address labelled as a bridge, a movement above --threshold.
 */
import { describe, expect, it } from 'vitest';
import { loadBridgeRegistry } from '../src/bridges/registry.js';
import { alertId, alertReasons } from '../src/trace/watch.js';

const registry = loadBridgeRegistry();
const router = registry.rows.find((r) => r.chainId === 1 && r.protocol === 'thorchain')!;

describe('alertReasons', () => {
  it('names every reason a movement has, and none for a plain hop', () => {
    const t = { amount: 5n };
    expect(alertReasons(t, {})).toEqual([]);
    expect(alertReasons(t, { hit: { category: 'exchange' } })).toEqual(['venue']);
    expect(alertReasons(t, { bridge: registry.find(1, router.address) })).toEqual(['bridge']);
    // A labelled bridge is a venue hit and a bridge crossing at once.
    expect(alertReasons(t, { hit: { category: 'bridge' } })).toEqual(['venue', 'bridge']);
    expect(alertReasons(t, { hit: { category: 'exchange' }, limit: 4n })).toEqual(['venue', 'threshold']);
  });

  it('raises a threshold alert only above the amount', () => {
    expect(alertReasons({ amount: 5n }, { limit: 5n })).toEqual([]);
    expect(alertReasons({ amount: 6n }, { limit: 5n })).toEqual(['threshold']);
  });

  it('knows a registry contract on its own chain only', () => {
    expect(registry.find(1, router.address)).toBeDefined();
    expect(registry.find(31337, router.address)).toBeUndefined();
  });
});

describe('alertId', () => {
  it('is the movement in its block: the same movement mined again in another block is another alert', () => {
    const t = { txHash: `0x${'ab'.repeat(32)}`, ref: 'trace:', blockHash: `0x${'01'.repeat(32)}` };
    expect(alertId(1, t)).toBe(alertId(1, { ...t }));
    expect(alertId(1, t)).toMatch(/^[0-9a-f]{32}$/);
    expect(alertId(1, { ...t, blockHash: `0x${'02'.repeat(32)}` })).not.toBe(alertId(1, t));
    expect(alertId(1, { ...t, ref: 'log:3' })).not.toBe(alertId(1, t));
    expect(alertId(10, t)).not.toBe(alertId(1, t));
  });
});
