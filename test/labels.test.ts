import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HoptraceError, UsageError } from '../src/errors.js';
import { KNOWN_LABEL_CHAINS, labelChainForChainId, nativeSymbol } from '../src/labels/chains.js';
import { dataDir, labelDataVersion, loadLabelBook, loadLabelRows } from '../src/labels/load.js';
import { incidentSlug, listIncidents, loadSeeds, resolveSeedList } from '../src/labels/seeds.js';

// Addresses below are taken from the bundled data files (data/*.csv), not typed from elsewhere.
const TORNADO_ROUTER = '0xd90e2f925da726b50c4ed8d0fb90ad053324f31b';
const THORCHAIN_BSC_ROUTER = '0xb30ec53f98ff5947ede720d32ac2da7e52a5f56b'; // chain bsc only
const BINANCE_EVM = '0x3f5ce5fbfe3e9af3971dd833d26ba9b5c936f0be'; // chain evm
const BYBIT_DIRECT_THEFT = '0x47666fab8bd0ac7003bce3f5c3585383f09486e2';
const BYBIT_FBI = '0x51e9d833ecae4e8d9d8be17300aee6d3398c135d';
const SIM_HYON_SOP = '0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c'; // ethereum, arbitrum and bsc rows

const EX_HEADER = 'address,chain,entity,category,jurisdiction,risk,source,role';
const SEED_HEADER = 'address,chain,label,incident,source';
// Synthetic addresses for the temp-dir tests only; they never reach the bundled data.
const A = '0x' + '11'.repeat(20);
const B = '0x' + '22'.repeat(20);

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

/** A data folder with the given file bodies (header included). */
function tempData(exchanges: string, seeds: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hoptrace-labels-'));
  tempDirs.push(dir);
  writeFileSync(join(dir, 'exchanges.csv'), exchanges);
  writeFileSync(join(dir, 'lazarus-seeds.csv'), seeds);
  return dir;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('chains', () => {
  it('maps chain ids to the data files’ chain names', () => {
    expect(labelChainForChainId(1)).toBe('ethereum');
    expect(labelChainForChainId(56)).toBe('bsc');
    expect(labelChainForChainId(61)).toBe('ethereum-classic');
    expect(labelChainForChainId(8453)).toBe('base');
    expect(labelChainForChainId(31337)).toBeNull();
    expect(KNOWN_LABEL_CHAINS).toHaveLength(10);
    expect(KNOWN_LABEL_CHAINS).not.toContain('evm');
  });

  it('names native coins', () => {
    expect(nativeSymbol('ethereum')).toBe('ETH');
    expect(nativeSymbol('bsc')).toBe('BNB');
    expect(nativeSymbol('polygon')).toBe('POL');
    expect(nativeSymbol('gnosis')).toBe('xDAI');
    expect(nativeSymbol('arbitrum')).toBe('ETH');
    expect(nativeSymbol(null)).toBeNull();
    for (const c of KNOWN_LABEL_CHAINS) expect(nativeSymbol(c)).toBeTypeOf('string');
  });
});

describe('bundled files', () => {
  it('finds data/ beside package.json', () => {
    expect(existsSync(join(dataDir(), 'SOURCES.md'))).toBe(true);
    expect(existsSync(join(dataDir(), '..', 'package.json'))).toBe(true);
  });

  it('versions the data by the sha256 of both CSVs', () => {
    const h = createHash('sha256');
    h.update(readFileSync(join(dataDir(), 'exchanges.csv')));
    h.update(readFileSync(join(dataDir(), 'lazarus-seeds.csv')));
    expect(labelDataVersion()).toBe(h.digest('hex').slice(0, 12));
    const other = tempData(`${EX_HEADER}\n`, `${SEED_HEADER}\n`);
    expect(labelDataVersion({ dataDir: other })).toMatch(/^[0-9a-f]{12}$/);
    expect(labelDataVersion({ dataDir: other })).not.toBe(labelDataVersion());
  });

  it('loads every row, once per process', () => {
    expect(loadLabelRows()).toHaveLength(608);
    expect(loadLabelRows()).toBe(loadLabelRows());
    expect(loadSeeds()).toHaveLength(1053);
  });
});

describe('label book', () => {
  const eth = loadLabelBook('ethereum');
  const bsc = loadLabelBook('bsc');

  it('marks Garantex as a sanctioned Russian exchange', () => {
    const garantex = [...eth.entries()].filter(([, l]) => l.entity.startsWith('Garantex'));
    expect(garantex).toHaveLength(7);
    for (const [, l] of garantex) {
      expect(l).toMatchObject({ category: 'sanctioned-exchange', jurisdiction: 'RU', risk: 'sanctioned' });
    }
  });

  it('marks the Tornado Cash router as a high-risk mixer, no longer sanctioned', () => {
    expect(eth.get(TORNADO_ROUTER)).toMatchObject({ entity: 'Tornado Cash', category: 'mixer', risk: 'high', jurisdiction: null });
  });

  it('applies a bsc row on bsc only', () => {
    expect(eth.get(THORCHAIN_BSC_ROUTER)).toBeUndefined();
    expect(bsc.get(THORCHAIN_BSC_ROUTER)).toMatchObject({ entity: 'THORChain', category: 'bridge', chain: 'bsc' });
  });

  it('applies an evm row on every chain, and on an unknown one', () => {
    for (const book of [eth, bsc, loadLabelBook(null)]) {
      expect(book.get(BINANCE_EVM)).toMatchObject({ entity: 'Binance', category: 'exchange', chain: 'evm' });
    }
    expect(loadLabelBook(null).size).toBe(265);
    expect(eth.size).toBe(265 + 340);
  });

  it('looks up checksummed addresses too', () => {
    expect(eth.get(TORNADO_ROUTER.toUpperCase().replace('0X', '0x'))?.entity).toBe('Tornado Cash');
  });

  it('refuses an unknown chain name', () => {
    expect(() => loadLabelBook('evm')).toThrow(UsageError);
    expect(() => loadLabelBook('mainnet')).toThrow(/unknown label chain "mainnet"/);
  });

  it('lets a chain-specific row win over an evm row', () => {
    const dir = tempData(
      [
        EX_HEADER,
        `${A},evm,Generic,exchange,,standard,src1,unknown`,
        `${A},bsc,Specific,bridge,,standard,src2,contract`,
        `${B},bsc,Specific B,bridge,,standard,src3,unknown`,
        `${B},evm,Generic B,exchange,,standard,src4,hot-wallet`,
        '',
      ].join('\n'),
      `${SEED_HEADER}\n`,
    );
    const bsc = loadLabelBook('bsc', { dataDir: dir });
    expect([bsc.get(A)?.entity, bsc.get(B)?.entity, bsc.size]).toEqual(['Specific', 'Specific B', 2]);
    const eth = loadLabelBook('ethereum', { dataDir: dir });
    expect([eth.get(A)?.entity, eth.get(B)?.entity]).toEqual(['Generic', 'Generic B']);
  });
});

describe('seeds', () => {
  it('parses the tier out of the label', () => {
    const seeds = loadSeeds();
    const tiers = new Map<string, number>();
    for (const s of seeds) tiers.set(String(s.tier), (tiers.get(String(s.tier)) ?? 0) + 1);
    expect(Object.fromEntries(tiers)).toEqual({ researcher: 952, 'official:FBI': 62, 'official:OFAC': 23, 'label:Etherscan': 16 });
    for (const s of seeds) expect(s.label).not.toMatch(/^\[/);
  });

  it('resolves bybit on ethereum with the FBI list and the direct-theft address', () => {
    const bybit = resolveSeedList('bybit', 'ethereum');
    expect(bybit).toHaveLength(75);
    expect(bybit.filter((s) => s.tier === 'official:FBI')).toHaveLength(51);
    expect(bybit.find((s) => s.address === BYBIT_FBI)?.tier).toBe('official:FBI');
    // In the data this address rests on tayvano + the Etherscan tag dataset, not on the FBI list.
    expect(bybit.find((s) => s.address === BYBIT_DIRECT_THEFT)).toMatchObject({ tier: 'researcher', chain: 'ethereum' });
    expect(resolveSeedList('  ByBit ', 'ethereum')).toEqual(bybit);
  });

  it('selects by chain: stake has bsc seeds, bybit has none there', () => {
    const stakeBsc = resolveSeedList('stake', 'bsc');
    expect(stakeBsc).toHaveLength(6);
    for (const s of stakeBsc) expect(s.chain).toBe('bsc');
    const err = thrown(() => resolveSeedList('bybit', 'bsc'));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).hint).toContain('ethereum');
  });

  it('lazarus = all = every seed on the chain, one per address', () => {
    const eth = resolveSeedList('lazarus', 'ethereum');
    expect(eth).toHaveLength(1029);
    expect(new Set(eth.map((s) => s.address)).size).toBe(eth.length);
    expect(eth.filter((s) => s.address === SIM_HYON_SOP)).toEqual([expect.objectContaining({ chain: 'ethereum', tier: 'official:OFAC' })]);
    expect(resolveSeedList('all', 'bsc')).toHaveLength(9);
    expect(() => resolveSeedList('lazarus', null)).toThrow(UsageError);
  });

  it('matches a unique prefix or the incident text, refuses ambiguity', () => {
    expect(resolveSeedList('polo', 'ethereum')).toHaveLength(604);
    expect(resolveSeedList('stake.com hot-wallet theft 2023-09-04', 'ethereum').every((s) => s.incident.startsWith('Stake'))).toBe(true);
    const err = thrown(() => resolveSeedList('it-workers', 'ethereum'));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/ambiguous \(it-workers-2023, it-workers-2026\)/);
  });

  it('refuses an unknown name and lists the valid ones', () => {
    const err = thrown(() => resolveSeedList('mtgox', 'ethereum'));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    const msg = (err as Error).message;
    for (const name of ['lazarus', 'all', 'bybit', 'ronin', 'harmony', 'stake', 'poloniex', 'htx', 'dprk-laundering']) {
      expect(msg).toContain(name);
    }
  });

  it('gives every bundled incident a listed key', () => {
    const all = listIncidents();
    expect(all.reduce((n, i) => n + i.count, 0)).toBe(1053);
    expect(all.map((i) => i.slug).sort()).toEqual(
      ['alphapo', 'atomic', 'bybit', 'coinex', 'deribit', 'dprk-laundering', 'harmony', 'htx', 'it-workers-2023',
        'it-workers-2026', 'kucoin', 'liquid', 'poloniex', 'ronin', 'stake', 'upbit', 'wazirx'],
    );
    expect(listIncidents('ethereum')[0]).toMatchObject({ slug: 'poloniex', count: 604 });
    expect(listIncidents('ethereum').find((i) => i.slug === 'bybit')?.count).toBe(75);
    expect(listIncidents('fantom').map((i) => i.slug)).toEqual(['coinex']);
    expect(incidentSlug('Foo Exchange theft 2027-01-02')).toBe('foo-2027');
  });

  it('keeps one row per address: chain-specific, then strongest tier', () => {
    const dir = tempData(
      `${EX_HEADER}\n`,
      [
        SEED_HEADER,
        `${A},ethereum,[researcher] seen by a researcher,Bybit hack 2025-02-21,s1`,
        `${A},evm,[official:OFAC] generic listing,Ronin Bridge (Axie Infinity) hack 2022-03-23,s2`,
        `${B},ethereum,[researcher] first,Bybit hack 2025-02-21,s3`,
        `${B},bsc,[official:FBI] other chain,Ronin Bridge (Axie Infinity) hack 2022-03-23,s4`,
        '',
      ].join('\n'),
    );
    const eth = resolveSeedList('all', 'ethereum', { dataDir: dir });
    expect(eth.map((s) => [s.address, s.tier])).toEqual([[A, 'researcher'], [B, 'researcher']]);
    const bsc = resolveSeedList('all', 'bsc', { dataDir: dir });
    expect(bsc.map((s) => [s.address, s.tier, s.incident.slice(0, 5)])).toEqual([[A, 'official:OFAC', 'Ronin'], [B, 'official:FBI', 'Ronin']]);
  });
});

describe('malformed data files', () => {
  const good = `${A},ethereum,X,exchange,,standard,src,unknown`;

  it.each([
    ['a bad category', `${good}\n${B},ethereum,Y,casino,,standard,src,unknown`, /exchanges\.csv:3: category "casino"/],
    ['a bad risk', `${B},evm,Y,mixer,,extreme,src,unknown`, /exchanges\.csv:2: risk "extreme"/],
    ['a bad address', `${good}\n\n0x1234,ethereum,Y,mixer,,high,src,unknown`, /exchanges\.csv:4: address "0x1234"/],
    ['a mixed-case address', `0x${'aB'.repeat(20)},ethereum,Y,mixer,,high,src,unknown`, /exchanges\.csv:2: address/],
    ['an unknown chain', `${B},solana,Y,mixer,,high,src,unknown`, /exchanges\.csv:2: chain "solana"/],
    ['a bad jurisdiction', `${B},ethereum,Y,mixer,Russia,high,src,unknown`, /exchanges\.csv:2: jurisdiction "Russia"/],
    ['a repeated address', `${good}\n${A},ethereum,Z,mixer,,high,src,unknown`, /exchanges\.csv:3: .*already on line 2/],
    ['a short row', `${good}\n${B},ethereum,Y`, /exchanges\.csv:3: not valid CSV/],
    ['a broken quote', `${good}\n${B},ethereum,"Y"x,mixer,,high,src,unknown`, /exchanges\.csv:3: not valid CSV/],
    ['an empty source', `${B},ethereum,Y,mixer,,high,,unknown`, /exchanges\.csv:2: source is empty/],
    ['an unknown role', `${B},ethereum,Y,exchange,,high,src,customer`, /exchanges\.csv:2: role "customer" is not one of hot-wallet, deposit, cold-wallet, contract, unknown/],
  ])('reports %s with file and line', (_what, body, pattern) => {
    const dir = tempData(`${EX_HEADER}\n${body}\n`, `${SEED_HEADER}\n`);
    const err = thrown(() => loadLabelBook('ethereum', { dataDir: dir }));
    expect(err).toBeInstanceOf(HoptraceError);
    expect(err).not.toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(pattern);
    expect((err as Error).message).toContain(dir);
  });

  it('reports a wrong header', () => {
    const dir = tempData(`address,chain,entity\n${A},ethereum,X\n`, `${SEED_HEADER}\n`);
    expect(() => loadLabelBook(null, { dataDir: dir })).toThrow(/exchanges\.csv:1: header is "address,chain,entity"/);
  });

  it('reports an unknown seed tier and a missing file', () => {
    const dir = tempData(`${EX_HEADER}\n`, `${SEED_HEADER}\n${A},ethereum,"[rumour] ""x"", y",Bybit hack 2025-02-21,src\n`);
    expect(() => loadSeeds({ dataDir: dir })).toThrow(/lazarus-seeds\.csv:2: label tier "\[rumour\]"/);
    const empty = mkdtempSync(join(tmpdir(), 'hoptrace-labels-'));
    tempDirs.push(empty);
    const err = thrown(() => loadSeeds({ dataDir: empty }));
    expect(err).toBeInstanceOf(HoptraceError);
    expect((err as Error).message).toMatch(/cannot read data file .*lazarus-seeds\.csv \(ENOENT\)/);
  });

  it('reads quoted fields with commas and doubled quotes', () => {
    const dir = tempData(`${EX_HEADER}\n${A},ethereum,"Foo, ""Bar"" Ltd",otc,,standard,"a, b",deposit\n`, `${SEED_HEADER}\n`);
    expect(loadLabelBook('ethereum', { dataDir: dir }).get(A)).toMatchObject({ entity: 'Foo, "Bar" Ltd', source: 'a, b', role: 'deposit' });
  });
});
