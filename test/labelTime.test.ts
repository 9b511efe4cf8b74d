/**
 * Labels in time, through a real trace on anvil: hops replayed at their historical dates (the chain starts
 * on 2022-01-01) into venues whose labels carry dates, read back as each hit's `labelAtHop`. Also: which
 * chain's labels apply, and a user label winning over a bundled one. Every address is from data/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import { labelDataVersion, loadLabelBook } from '../src/labels/load.js';
import { overlayUserLabels } from '../src/labels/overlay.js';
import { renderText } from '../src/report/text.js';
import { openDb } from '../src/store/open.js';
import { readUserLabels, userLabelStore } from '../src/store/userLabels.js';
import type { Address } from '../src/types.js';
import { book, lazarus, tempDb, trace, venue } from './helpers/trace.js';

const ETH = 10n ** 18n;
const TORNADO_POOL = '0x12d66f87a04a9e220743712ce6d9bb1b5616b8fc'; // Tornado Cash 0.1 ETH pool: listed 2022-08-08, removed 2025-03-21
const THORCHAIN_BSC_ROUTER = '0xb30ec53f98ff5947ede720d32ac2da7e52a5f56b'; // a bsc-only row
const garantex = venue('Garantex')[0]!.address; // listed 2022-04-05
const binance = venue('Binance')[0]!.address; // an evm row
const [toGarantex, beforeListing, whileListed, afterRemoval, onBsc, overridden] = lazarus('harmony', 6) as [
  Address, Address, Address, Address, Address, Address,
];

let anvil: AnvilHandle;
let db: string;

beforeAll(async () => {
  anvil = await startAnvil({ genesisTimestamp: Date.parse('2022-01-01T00:00:00Z') / 1000 });
  const s = createScenario(anvil.url);
  for (const a of [toGarantex, beforeListing, whileListed, afterRemoval, onBsc, overridden]) await s.fund(a, 100n * ETH);
  const on = (day: string): { at: string } => ({ at: `${day}T12:00:00Z` });
  await s.sendEth(toGarantex, garantex, 5n * ETH, on('2022-01-15'));
  await s.sendEth(beforeListing, TORNADO_POOL, 1n * ETH, on('2022-06-01'));
  await s.sendEth(whileListed, TORNADO_POOL, 1n * ETH, on('2023-01-01'));
  await s.sendEth(afterRemoval, TORNADO_POOL, 1n * ETH, on('2025-06-01'));
  await s.sendEth(onBsc, THORCHAIN_BSC_ROUTER, 2n * ETH, on('2025-06-02'));
  await s.sendEth(onBsc, binance, 2n * ETH, on('2025-06-02'));
  await s.sendEth(overridden, binance, 3n * ETH, on('2025-06-03'));
  await s.mine(70);
  db = tempDb();
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('labelAtHop on anvil', () => {
  it('a hop into Tornado Cash while it was listed is sanctioned at the hop; after its removal it is not', async () => {
    const r = await trace(anvil.url, db, [beforeListing, whileListed, afterRemoval]);
    const bySeed = new Map(r.hits.map((h) => [h.seed, h]));
    for (const h of r.hits) expect([h.entity, h.risk, h.address]).toEqual(['Tornado Cash', 'high', TORNADO_POOL]);
    expect(bySeed.get(beforeListing)?.labelAtHop).toEqual({
      risk: 'high',
      sanctionedAtHop: false,
      note: 'listed by OFAC on 2022-08-08, after this hop',
    });
    expect(bySeed.get(whileListed)?.labelAtHop).toEqual({
      risk: 'sanctioned',
      sanctionedAtHop: true,
      note: 'listed by OFAC on 2022-08-08, before this hop; removed from the SDN list on 2025-03-21, after this hop',
    });
    expect(bySeed.get(afterRemoval)?.labelAtHop).toEqual({
      risk: 'high',
      sanctionedAtHop: false,
      note: 'removed from the SDN list on 2025-03-21, before this hop',
    });
    expect(bySeed.get(whileListed)?.path.at(-1)?.timestamp).toBe(Date.parse('2023-01-01T12:00:00Z') / 1000);

    const text = renderText(r, { color: false });
    expect(text).toContain('  SANCTIONED at the time of the hop (not today): Tornado Cash\n');
    expect(text).toContain('  [HIGH RISK] Tornado Cash — mixer · jurisdiction unknown · risk high (sanctioned at the hop) · 1 hop\n');
    expect(text).toContain(
      '    at hop    SANCTIONED at the hop — listed by OFAC on 2022-08-08, before this hop; removed from the SDN list on 2025-03-21, after this hop\n',
    );
    expect(text).toContain('    at hop    high at the hop, not sanctioned — removed from the SDN list on 2025-03-21, before this hop\n');
  });

  it('a hop into Garantex before its listing is into an exchange, and the hit says the listing came later', async () => {
    const r = await trace(anvil.url, db, [toGarantex]);
    expect(r.hits).toHaveLength(1);
    expect(r.hits[0]).toMatchObject({
      entity: 'Garantex',
      risk: 'sanctioned',
      labelOrigin: 'bundled',
      labelAtHop: { risk: 'standard', sanctionedAtHop: false, note: 'listed by OFAC on 2022-04-05, after this hop' },
    });
    expect(r.labels).toEqual({ dataVersion: labelDataVersion(), userLabels: 0 });
  });
});

describe('labels that apply', () => {
  it('a bsc row flags on bsc only; an evm row on every chain', async () => {
    const onEthereum = await trace(anvil.url, db, [onBsc]);
    expect(onEthereum.hits.map((h) => h.entity)).toEqual(['Binance']);
    const bscBook = loadLabelBook('bsc');
    const onBscChain = await trace(anvil.url, db, [onBsc], {}, { labels: bscBook, labelChain: 'bsc' });
    expect(onBscChain.labelChain).toBe('bsc');
    expect(onBscChain.hits.map((h) => [h.entity, h.address]).sort()).toEqual([
      ['Binance', binance],
      ['THORChain', THORCHAIN_BSC_ROUTER],
    ]);
  });

  it('a user label in the database wins over the bundled label of the same address', async () => {
    const userDb = tempDb();
    const handle = openDb(userDb);
    userLabelStore(handle, userDb).put(
      [
        {
          address: binance,
          chain: 'evm',
          entity: 'Binance deposit (case 7 subpoena)',
          category: 'exchange',
          role: 'unknown',
          jurisdiction: null,
          risk: 'high',
          source: 'case 7: exchange response to subpoena',
          listedAt: null,
          delistedAt: null,
          validFrom: null,
          validTo: null,
        },
      ],
      null,
    );
    handle.close();
    const labels = overlayUserLabels(book, readUserLabels(userDb));
    const r = await trace(anvil.url, userDb, [overridden], {}, { labels, labelData: { dataVersion: labelDataVersion(), userLabels: labels.userLabels } });
    expect(r.hits.map((h) => [h.entity, h.risk, h.labelOrigin, h.labelSource])).toEqual([
      ['Binance deposit (case 7 subpoena)', 'high', 'user', 'case 7: exchange response to subpoena'],
    ]);
    expect(r.labels.userLabels).toBe(1);
  });
});
