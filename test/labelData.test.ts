/**
 * Labels in time and labels from files, without a node: the dated events read from the bundled sources,
 * the risk at a moment, the data hash, user labels laid over the bundled book, and the import readers
 * (TagPack, OFAC SDN XML and CSV, our CSV and JSON) with their checks.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataDir, labelDataVersion, loadLabelBook } from '../src/labels/load.js';
import { detectFormat, readImportFile } from '../src/labels/import/index.js';
import { parseOfacCsv } from '../src/labels/import/ofac.js';
import { parseTableJson } from '../src/labels/import/table.js';
import { overlayUserLabels } from '../src/labels/overlay.js';
import { seedsByIncident } from '../src/labels/seedSummary.js';
import { filterByTier, parseTierFilter } from '../src/labels/tiers.js';
import { checkBatch, defaultRisk, importRefused } from '../src/labels/userInput.js';
import { labelAt, parseSourceEvents, riskAt } from '../src/labels/validity.js';
import { openDb } from '../src/store/open.js';
import { readUserLabels, userLabelStore } from '../src/store/userLabels.js';
import type { Label } from '../src/types.js';
import { tempDb } from './helpers/trace.js';

// Addresses from the bundled data (data/exchanges.csv, data/lazarus-seeds.csv).
const TORNADO_POOL = '0x12d66f87a04a9e220743712ce6d9bb1b5616b8fc'; // "Tornado Cash: 0.1 ETH Pool", listed 2022-08-08
const TORNADO_GOVERNANCE_LISTED_NOV = '0x5efda50f22d34f262c29268506c5fa42cb56a1ce'; // listed 2022-11-08
const GARANTEX = '0x7ff9cfad3877f21d41da833e2f775db0569ee3d9';
const GARANTEX_2 = '0x8dce2aac0de82bdcaf6b4373b79f94331b8e4995';
const CHATEX_FORMER = '0x6acdfba02d390b97ac2b2d42a63e85293bcc160e';
const TEAM_VESTING = '0x5f48c2a71b2cc96e3f0ccae4e39318ff0dc375b2';
const BINANCE_EVM = '0x3f5ce5fbfe3e9af3971dd833d26ba9b5c936f0be';
const LAZARUS_ETH = '0x098b716b8aaf21512996dc57eb0615e2383e2f96';
const FIXTURES = join(dataDir(), '..', 'test', 'fixtures');
// Synthetic, for labels that are not about a real venue.
const X = '0x' + '11'.repeat(20);

const at = (day: string): number => Date.parse(`${day}T12:00:00Z`) / 1000;
const eth = loadLabelBook('ethereum');
const bundled = (address: string): Label => {
  const l = eth.get(address);
  if (!l) throw new Error(`no bundled label for ${address}`);
  return l;
};

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

describe('dates read from the bundled sources', () => {
  it('parses listing, removal and re-designation from the source texts', () => {
    expect(bundled(TORNADO_POOL)).toMatchObject({ listedAt: '2022-08-08', delistedAt: '2025-03-21', risk: 'high' });
    expect(bundled(TORNADO_GOVERNANCE_LISTED_NOV)).toMatchObject({ listedAt: '2022-11-08', delistedAt: '2025-03-21' });
    expect(bundled(GARANTEX).events).toEqual([
      { kind: 'listed', date: '2022-04-05' },
      { kind: 'relisted', date: '2025-08-14' },
    ]);
    // No "listed" phrase: the date of the OFAC action the row cites.
    expect(bundled(GARANTEX_2)).toMatchObject({ listedAt: '2022-04-05', delistedAt: null });
    expect(bundled(BINANCE_EVM)).toMatchObject({ listedAt: null, delistedAt: null, events: [] });
  });

  it('takes dates only from the phrases that state them', () => {
    expect(parseSourceEvents('Dune spellbook ("Binance 14", added 2022-08-28 by hildobby)')).toEqual([]);
    expect(parseSourceEvents('CoinEx "Hot Wallet" (victim wallet in 2023-09-12 Lazarus-attributed theft)')).toEqual([]);
    expect(parseSourceEvents('listed 2022-02-30')).toEqual([]); // not a date
    expect(parseSourceEvents('domains seized 2025-03-06 (press release); delisted on 2025-04-01; re-listed 2025-05-01')).toEqual([
      { kind: 'takedown', date: '2025-03-06' },
      { kind: 'delisted', date: '2025-04-01' },
      { kind: 'relisted', date: '2025-05-01' },
    ]);
  });
});

describe('risk at the time of a hop', () => {
  it('Tornado Cash: sanctioned between its listing and its removal, high before and after', () => {
    const pool = bundled(TORNADO_POOL);
    expect(labelAt(pool, at('2022-06-01'))).toEqual({ risk: 'high', sanctionedAtHop: false, note: 'listed by OFAC on 2022-08-08, after this hop' });
    expect(labelAt(pool, at('2023-01-01'))).toEqual({
      risk: 'sanctioned',
      sanctionedAtHop: true,
      note: 'listed by OFAC on 2022-08-08, before this hop; removed from the SDN list on 2025-03-21, after this hop',
    });
    expect(labelAt(pool, at('2025-06-15'))).toEqual({ risk: 'high', sanctionedAtHop: false, note: 'removed from the SDN list on 2025-03-21, before this hop' });
    expect(labelAt(pool, at('2025-03-21')).note).toBe('removed from the SDN list on 2025-03-21, on the day of this hop');
    expect(riskAt(pool, at('2023-01-01'))).toBe('sanctioned');
  });

  it('Garantex: an exchange (standard) before its listing, sanctioned from then on, re-designation noted', () => {
    const g = bundled(GARANTEX);
    expect(labelAt(g, at('2022-01-15'))).toEqual({ risk: 'standard', sanctionedAtHop: false, note: 'listed by OFAC on 2022-04-05, after this hop' });
    expect(labelAt(g, at('2024-01-01'))).toEqual({ risk: 'sanctioned', sanctionedAtHop: true, note: 'listed by OFAC on 2022-04-05, before this hop' });
    expect(labelAt(g, at('2025-09-01')).note).toBe('listed by OFAC on 2022-04-05, before this hop; re-designated on 2025-08-14, before this hop');
  });

  it('says what it does not know: a removal without a date, a listing without a date, an unknown block time', () => {
    expect(labelAt(bundled(CHATEX_FORMER), at('2023-01-01'))).toEqual({
      risk: 'sanctioned',
      sanctionedAtHop: true,
      note: 'listed by OFAC on 2021-11-08, before this hop; no longer listed today, removal date not in the data',
    });
    expect(labelAt(bundled(TEAM_VESTING), at('2023-01-01'))).toEqual({
      risk: 'sanctioned',
      sanctionedAtHop: true,
      note: "on the SDN list per the label's source; listing date not in the data",
    });
    expect(labelAt(bundled(TORNADO_POOL), null)).toEqual({ risk: 'high', sanctionedAtHop: false, note: 'time of the hop unknown: risk as of today' });
    expect(labelAt(bundled(BINANCE_EVM), at('2023-01-01'))).toEqual({ risk: 'standard', sanctionedAtHop: false, note: null });
  });

  it('applies a validity window and states takedowns without changing the risk', () => {
    const venue: Label = {
      address: X,
      chain: 'evm',
      entity: 'Example venue',
      category: 'exchange',
      role: 'unknown',
      jurisdiction: null,
      risk: 'high',
      source: 'case file',
      listedAt: null,
      delistedAt: null,
      validFrom: '2024-01-01',
      validTo: '2024-12-31',
      events: [{ kind: 'takedown', date: '2024-06-01' }],
      origin: 'user',
    };
    expect(labelAt(venue, at('2023-12-31'))).toEqual({ risk: 'standard', sanctionedAtHop: false, note: 'label applies from 2024-01-01; this hop is earlier' });
    expect(labelAt(venue, at('2025-01-01'))).toEqual({ risk: 'standard', sanctionedAtHop: false, note: 'label applies until 2024-12-31; this hop is later' });
    expect(labelAt(venue, at('2024-03-01'))).toEqual({ risk: 'high', sanctionedAtHop: false, note: 'taken down on 2024-06-01, after this hop' });
    expect(labelAt(venue, at('2024-07-01')).note).toBe('taken down on 2024-06-01, before this hop');
  });

  it('gives a user label without a risk one from its category and dates', () => {
    expect(defaultRisk('sanctioned-exchange', null, null)).toBe('sanctioned');
    expect(defaultRisk('sanctioned-exchange', '2021-11-08', '2024-01-01')).toBe('high');
    expect(defaultRisk('exchange', '2022-04-05', null)).toBe('sanctioned');
    expect(defaultRisk('mixer', null, null)).toBe('high');
    expect(defaultRisk('bridge', null, null)).toBe('standard');
  });
});

describe('data version', () => {
  it('changes when a row of the data changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoptrace-data-'));
    tempDirs.push(dir);
    cpSync(dataDir(), dir, { recursive: true });
    const before = labelDataVersion({ dataDir: dir });
    expect(before).toBe(labelDataVersion());
    const file = join(dir, 'exchanges.csv');
    const text = readFileSync(file, 'utf8');
    const row = text.split('\n').find((l) => l.startsWith(`${BINANCE_EVM},evm,`))!;
    writeFileSync(file, text.replace(row, row.replace(',standard,', ',high,')));
    const after = labelDataVersion({ dataDir: dir });
    expect(after).toMatch(/^[0-9a-f]{12}$/);
    expect(after).not.toBe(before);
    expect(loadLabelBook('ethereum', { dataDir: dir }).get(BINANCE_EVM)?.risk).toBe('high');
  });
});

describe('user labels in the database', () => {
  it('are stored by (address, chain) in a fresh database with no chain bound, and override bundled ones', () => {
    const path = tempDb();
    const db = openDb(path);
    const store = userLabelStore(db, path);
    expect(store.put([userRow(BINANCE_EVM, 'evm', 'Exchange X (case 42)'), userRow(X, 'bsc', 'Example bsc venue')], 'cases.csv')).toEqual({ added: 2, replaced: 0 });
    expect(store.put([userRow(BINANCE_EVM, 'evm', 'Exchange X (case 42)')], null)).toEqual({ added: 0, replaced: 1 });
    db.close();

    const rows = readUserLabels(path);
    expect(rows.map((r) => [r.address, r.chain, r.entity, r.origin, r.originFile])).toEqual([
      [X, 'bsc', 'Example bsc venue', 'user', 'cases.csv'],
      [BINANCE_EVM, 'evm', 'Exchange X (case 42)', 'user', null],
    ]);
    const book = overlayUserLabels(eth, rows);
    expect(book.get(BINANCE_EVM)).toMatchObject({ entity: 'Exchange X (case 42)', origin: 'user', listedAt: '2022-01-10' });
    expect(book.get(X)).toBeUndefined(); // a bsc row does not apply on ethereum
    expect(book.get(GARANTEX)?.origin).toBe('bundled');
    expect([book.userLabels, book.size]).toEqual([1, eth.size]);
    expect(overlayUserLabels(loadLabelBook('bsc'), rows).get(X)?.entity).toBe('Example bsc venue');
    expect(readUserLabels(join(tmpdir(), 'no-such-hoptrace.db'))).toEqual([]);
  });
});

describe('seed tiers', () => {
  it('filters by tier; official is both government tiers', () => {
    expect(parseTierFilter('official')).toEqual(['official:OFAC', 'official:FBI']);
    expect(parseTierFilter('Official:ofac')).toEqual(['official:OFAC']);
    expect(() => parseTierFilter('rumour')).toThrow(/--tier "rumour" is not one of official, official:OFAC, official:FBI, label:Etherscan, researcher/);
    const [bybit] = seedsByIncident({ incident: 'bybit', tiers: parseTierFilter('official') });
    expect(bybit).toMatchObject({ slug: 'bybit', count: 51, tiers: { 'official:FBI': 51 }, chains: { ethereum: 51 } });
    expect(bybit!.seeds).toHaveLength(51);
    const all = seedsByIncident();
    expect(all.reduce((n, g) => n + g.count, 0)).toBe(1053);
    expect(all.every((g) => g.seeds === undefined)).toBe(true);
    expect(seedsByIncident({ tiers: ['official:OFAC'], labelChain: 'bsc' }).map((g) => [g.slug, g.count])).toEqual([['dprk-laundering', 1]]);
    expect(filterByTier([{ tier: null }, { tier: 'researcher' as const }], ['researcher'])).toHaveLength(1);
  });
});

describe('import readers', () => {
  it('tells formats from names and content', () => {
    expect(detectFormat('x.yaml', 'title: a')).toBe('tagpack');
    expect(detectFormat('sdn_advanced.xml', '<?xml')).toBe('ofac-xml');
    expect(detectFormat('sdn.csv', '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA"')).toBe('ofac-csv');
    expect(detectFormat('mine.csv', 'address,entity,category,source')).toBe('csv');
    expect(detectFormat('labels.txt', '[{"address": "0x"}]')).toBe('json');
    expect(() => detectFormat('notes.txt', 'hello')).toThrow(/cannot tell the format of notes\.txt/);
  });

  it('reads a TagPack: header defaults, tag overrides, EVM chains, non-EVM tags skipped', async () => {
    const parsed = await readImportFile(join(FIXTURES, 'venues.tagpack.yaml'));
    expect(parsed.format).toBe('tagpack');
    expect(parsed.problems).toEqual([]);
    expect([...parsed.skipped]).toEqual([['BTC tags (not an EVM chain)', 1]]);
    expect(parsed.rows.map((r) => [r.line, r.address.toLowerCase(), r.chain, r.entity, r.category, r.risk])).toEqual([
      [15, GARANTEX, 'ethereum', 'Garantex', 'sanctioned-exchange', 'sanctioned'],
      [19, '0xd90e2f925da726b50c4ed8d0fb90ad053324f31b', 'ethereum', 'Tornado Cash', 'mixer', undefined],
      [24, '0xb30ec53f98ff5947ede720d32ac2da7e52a5f56b', 'bsc', 'THORChain', 'bridge', undefined],
    ]);
    expect(parsed.rows[0]!.source).toBe(
      'https://ofac.treasury.gov/recent-actions/20220405 (TagPack "Laundering venues seen in DPRK cases (hoptrace test fixture)" by hoptrace test suite, confidence authority_data, lastmod 2025-09-01)',
    );
  });

  it('streams the OFAC advanced XML: names, EVM addresses with their lines, entry dates; Tron skipped', async () => {
    const parsed = await readImportFile(join(FIXTURES, 'sdn_advanced.excerpt.xml'));
    expect(parsed.problems).toEqual([]);
    expect([...parsed.skipped]).toEqual([['USDT addresses (not on an EVM chain)', 1]]);
    expect(parsed.rows.map((r) => [r.line, r.address, r.chain, r.entity, r.risk, r.listedAt])).toEqual([
      [57, '0x7FF9cFad3877F21d41Da833E2F775dB0569eE3D9', 'ethereum', 'GARANTEX EUROPE OU', 'sanctioned', '2022-04-05'],
      [63, '0x8Dce2aAC0dE82bdCAf6b4373B79f94331b8e4995', 'ethereum', 'GARANTEX EUROPE OU', 'sanctioned', '2022-04-05'],
      [82, '0x2f389cE8bD8ff92De3402FFCe4691d17fC4f6535', 'ethereum', 'SUEX OTC, S.R.O.', 'sanctioned', '2021-09-21'],
    ]);
    expect(parsed.rows[1]!.source).toBe('OFAC SDN "GARANTEX EUROPE OU" (Digital Currency Address - USDT; profile 1001; sdn_advanced.excerpt.xml of 2025-09-01)');
  });

  it('refuses XML that is not the SDN list, or not XML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoptrace-import-'));
    tempDirs.push(dir);
    writeFileSync(join(dir, 'other.xml'), '<?xml version="1.0"?>\n<rss><channel/></rss>\n');
    writeFileSync(join(dir, 'broken.xml'), '<Sanctions>\n<DistinctParties>\n</Sanctions>\n');
    expect((await readImportFile(join(dir, 'other.xml'))).problems).toEqual([
      { line: 1, text: 'not an OFAC SDN advanced XML file (the root element is <rss>, not <Sanctions>)' },
    ]);
    const broken = await readImportFile(join(dir, 'broken.xml'));
    expect(broken.problems[0]?.text).toMatch(/^not valid XML: /);
    expect(broken.problems[0]?.line).toBe(3);
  });

  it('reads the SDN CSV extract: addresses from the remarks, no dates', () => {
    const text =
      '23702,"LAZARUS GROUP","-0- ","CYBER2] [DPRK3",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,' +
      '"a.k.a. APPLEWORM; Digital Currency Address - ETH 0x098B716B8Aaf21512996dC57EB0615e2383E2f96; Digital Currency Address - XBT 1Archive1n2C579dMsAu3iC6tWzuQJz8dN."\n' +
      '\u001a';
    const parsed = parseOfacCsv(text, '/tmp/sdn.csv');
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows).toEqual([
      expect.objectContaining({ line: 1, address: '0x098B716B8Aaf21512996dC57EB0615e2383E2f96', chain: 'ethereum', entity: 'LAZARUS GROUP', risk: 'sanctioned' }),
    ]);
    expect(parsed.rows[0]!.source).toBe('OFAC SDN "LAZARUS GROUP" (Digital Currency Address - ETH; ent_num 23702; sdn.csv)');
    expect([...parsed.skipped]).toEqual([['XBT addresses (not on an EVM chain)', 1]]);
  });

  it('reads our JSON with the line of every object, and checks a batch all together', () => {
    const json = JSON.stringify(
      [
        { address: BINANCE_EVM, entity: 'Exchange X', category: 'exchange', source: 'case file' },
        { address: LAZARUS_ETH, entity: 'Lazarus wallet', category: 'otc', source: '' },
        { address: BINANCE_EVM, entity: 'Exchange X', category: 'exchange', source: 'case file', note: 'x' },
      ],
      null,
      2,
    );
    const parsed = parseTableJson(json);
    expect(parsed.rows.map((r) => r.line)).toEqual([2, 8]);
    expect(parsed.problems).toEqual([{ line: 14, text: 'unknown key "note" (known: address, chain, entity, category, jurisdiction, risk, source, listed_at, delisted_at, valid_from, valid_to, role)' }]);
    const checked = checkBatch('labels.json', parsed.rows, { defaultChain: 'evm' }, parsed.problems);
    expect(checked.problems).toEqual([
      'labels.json:8: source is missing: a label without a source is refused',
      'labels.json:14: unknown key "note" (known: address, chain, entity, category, jurisdiction, risk, source, listed_at, delisted_at, valid_from, valid_to, role)',
    ]);
    expect(checked.labels).toEqual([expect.objectContaining({ address: BINANCE_EVM, chain: 'evm', risk: 'standard' })]);
  });

  it('lists at most 20 problems in the error', () => {
    const problems = Array.from({ length: 23 }, (_, i) => `f.csv:${i + 2}: problem ${i}`);
    const err = importRefused('f.csv', problems);
    expect(err.exitCode).toBe(2);
    const lines = err.message.split('\n');
    expect(lines[0]).toBe('f.csv: 23 problems, nothing imported:');
    expect(lines).toHaveLength(22);
    expect(lines[21]).toBe('  … and 3 more');
  });
});

function userRow(address: string, chain: string, entity: string) {
  return {
    address,
    chain,
    entity,
    category: 'exchange' as const,
    role: 'hot-wallet' as const,
    jurisdiction: null,
    risk: 'standard' as const,
    source: 'case 42 notes, listed 2022-01-10',
    listedAt: null,
    delistedAt: null,
    validFrom: null,
    validTo: null,
  };
}

describe('label roles', () => {
  it('are what scripts/label-roles.mjs derives from each row’s own source text (rerun with --check)', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(process.execPath, [join(dataDir(), '..', 'scripts', 'label-roles.mjs'), '--check'], { encoding: 'utf8' });
    expect(out).toMatch(/roles agree with the rule/);
  });

  it('take a role only where the source says it, and keep gas suppliers and bridge "deposit" contracts out of `deposit`', async () => {
    // @ts-expect-error: a plain .mjs script without type declarations
    const { roleOfName, roleOfRow } = (await import('../scripts/label-roles.mjs')) as {
      roleOfName: (name: string, category: string) => string | null;
      roleOfRow: (row: { source: string; category: string }) => string;
    };
    expect(roleOfName('FTX Deposit Address', 'exchange')).toBe('deposit');
    expect(roleOfName('Kraken: Hot Wallet', 'exchange')).toBe('hot-wallet');
    expect(roleOfName('Upbit Cold Wallet', 'exchange')).toBe('cold-wallet');
    expect(roleOfName('OKX: Deposit Funder 1', 'exchange')).toBeNull();
    expect(roleOfName('Binance Gas Supplier 1', 'exchange')).toBeNull();
    expect(roleOfName('Binance Pool', 'exchange')).toBeNull();
    expect(roleOfName('Optimism: Synthetix L2 Deposit Escrow', 'bridge')).toBe('contract');
    expect(roleOfName('Across Protocol: Bridge Admin', 'bridge')).toBeNull();
    expect(roleOfRow({ source: 'Etherscan label "Binance 14" via x', category: 'exchange' })).toBe('unknown');
    // Two sources naming two roles: unknown, never a pick.
    expect(roleOfRow({ source: '"X Hot Wallet" | "X: Deposit"', category: 'exchange' })).toBe('unknown');
    const book = loadLabelBook('ethereum');
    const counts = new Map<string, number>();
    for (const [, l] of book.entries()) counts.set(l.role, (counts.get(l.role) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['cold-wallet', 'contract', 'deposit', 'hot-wallet', 'unknown']);
  });
});

describe('label roles in imports', () => {
  it('reads a role column or key, defaults to unknown, and refuses a role outside the vocabulary', () => {
    const A = '0x00000000000000000000000000000000000000a1';
    const B = '0x00000000000000000000000000000000000000b2';
    const json = JSON.stringify([
      { address: A, entity: 'Exchange X', category: 'exchange', source: 'case file', role: 'deposit' },
      { address: B, entity: 'Exchange X', category: 'exchange', source: 'case file' },
      { address: A, chain: 'bsc', entity: 'Exchange X', category: 'exchange', source: 'case file', role: 'customer' },
    ]);
    const checked = checkBatch('roles.json', parseTableJson(json).rows, { defaultChain: 'evm' });
    expect(checked.labels.map((l) => [l.address, l.role])).toEqual([[A, 'deposit'], [B, 'unknown']]);
    expect(checked.problems).toEqual([expect.stringMatching(/^roles\.json:\d+: role "customer" is not one of hot-wallet, deposit, cold-wallet, contract, unknown$/)]);
  });
});
