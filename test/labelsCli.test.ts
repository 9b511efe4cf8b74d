/**
 * `hoptrace labels …` and `hoptrace seeds` as a user runs them (the built binary): imports of the
 * formats investigators exchange, all or nothing with every problem named by file and line; user labels
 * that override bundled ones in a trace; the seed lists by incident and tier. Every address is from
 * data/ (the fixtures say which row).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import { labelDataVersion } from '../src/labels/load.js';
import { readUserLabels } from '../src/store/userLabels.js';
import { packageRoot } from '../src/util/package.js';
import { hoptrace } from './helpers/cli.js';
import { lazarus, tempDb, venue } from './helpers/trace.js';

const FIXTURES = join(packageRoot(), 'test', 'fixtures');
const TAGPACK = join(FIXTURES, 'venues.tagpack.yaml');
const SDN_XML = join(FIXTURES, 'sdn_advanced.excerpt.xml');
const SDN_LAZARUS = join(FIXTURES, 'sdn_advanced.lazarus.xml');
const BAD_CSV = join(FIXTURES, 'labels-with-errors.csv');
const ETH = 10n ** 18n;

const binance = venue('Binance')[0]!.address;
const garantex = venue('Garantex')[0]!.address;

interface LabelOut {
  address: string;
  chain: string;
  entity: string;
  category: string;
  risk: string;
  listedAt: string | null;
  origin: string;
  originFile?: string | null;
}

/** The user labels of a database, read in process (the CLI's own listing is tested once, below). */
async function userLabels(db: string): Promise<LabelOut[]> {
  return readUserLabels(db);
}

describe('hoptrace labels import', () => {
  it('imports a GraphSense TagPack, mapping categories and chains and skipping the BTC tag', async () => {
    const db = tempDb();
    const out = await hoptrace(['labels', 'import', TAGPACK, '--db', db]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toBe(`imported 3 labels from ${TAGPACK} (tagpack): 3 new, 0 updated; skipped 1 BTC tags (not an EVM chain)\n`);
    expect((await userLabels(db)).map((l) => [l.address, l.chain, l.entity, l.category, l.risk, l.origin, l.originFile])).toEqual([
      ['0x7ff9cfad3877f21d41da833e2f775db0569ee3d9', 'ethereum', 'Garantex', 'sanctioned-exchange', 'sanctioned', 'user', TAGPACK],
      ['0xb30ec53f98ff5947ede720d32ac2da7e52a5f56b', 'bsc', 'THORChain', 'bridge', 'standard', 'user', TAGPACK],
      ['0xd90e2f925da726b50c4ed8d0fb90ad053324f31b', 'ethereum', 'Tornado Cash', 'mixer', 'high', 'user', TAGPACK],
    ]);
  });

  it('imports an OFAC SDN advanced XML excerpt as sanctioned labels with their listing dates', async () => {
    const db = tempDb();
    const out = await hoptrace(['labels', 'import', SDN_XML, '--db', db]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toBe(`imported 3 labels from ${SDN_XML} (ofac-xml): 3 new, 0 updated; skipped 1 USDT addresses (not on an EVM chain)\n`);
    // The SDN list gives no venue category: the bundled label's category of the same address is kept.
    expect((await userLabels(db)).map((l) => [l.address, l.entity, l.category, l.risk, l.listedAt])).toEqual([
      ['0x2f389ce8bd8ff92de3402ffce4691d17fc4f6535', 'SUEX OTC, S.R.O.', 'sanctioned-exchange', 'sanctioned', '2021-09-21'],
      ['0x7ff9cfad3877f21d41da833e2f775db0569ee3d9', 'GARANTEX EUROPE OU', 'sanctioned-exchange', 'sanctioned', '2022-04-05'],
      ['0x8dce2aac0de82bdcaf6b4373b79f94331b8e4995', 'GARANTEX EUROPE OU', 'sanctioned-exchange', 'sanctioned', '2022-04-05'],
    ]);
    // A TagPack naming one of these addresses another entity conflicts with the stored user label.
    const conflict = await hoptrace(['labels', 'import', TAGPACK, '--db', db]);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toBe(
      `hoptrace: ${TAGPACK}: 1 problem, nothing imported:\n` +
        `  ${TAGPACK}:15: address 0x7ff9cfad3877f21d41da833e2f775db0569ee3d9 on chain ethereum already has the user label "GARANTEX EUROPE OU"; remove it first (hoptrace labels remove 0x7ff9cfad3877f21d41da833e2f775db0569ee3d9 --chain ethereum)\n` +
        '  hint: fix the lines above and import the file again; an import is all or nothing\n',
    );
    expect(await userLabels(db)).toHaveLength(3);
  });

  it('refuses an SDN entry that is not a venue unless --category says what to call it', async () => {
    const db = tempDb();
    const out = await hoptrace(['labels', 'import', SDN_LAZARUS, '--db', db]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      `hoptrace: ${SDN_LAZARUS}: 1 problem, nothing imported:\n` +
        `  ${SDN_LAZARUS}:28: OFAC SDN entry "LAZARUS GROUP" has no hoptrace category; pass --category (exchange, sanctioned-exchange, otc, swap-service, mixer, bridge) to import such rows\n` +
        '  hint: fix the lines above and import the file again; an import is all or nothing\n',
    );
    expect(await userLabels(db)).toEqual([]);
  });

  it('refuses a CSV with errors as a whole, naming every problem with its line', async () => {
    const db = tempDb();
    const out = await hoptrace(['labels', 'import', BAD_CSV, '--db', db]);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      `hoptrace: ${BAD_CSV}: 3 problems, nothing imported:\n` +
        `  ${BAD_CSV}:3: address "0x7ff9cFad3877F21d41Da833E2F775dB0569eE3D9" has a wrong EIP-55 checksum (mixed case that does not match)\n` +
        `  ${BAD_CSV}:4: category "casino" is not one of exchange, sanctioned-exchange, otc, swap-service, mixer, bridge\n` +
        `  ${BAD_CSV}:5: address 0x3f5ce5fbfe3e9af3971dd833d26ba9b5c936f0be on chain evm is already on line 2 with another entity ("Binance", here "Binance Hot Wallet")\n` +
        '  hint: fix the lines above and import the file again; an import is all or nothing\n',
    );
    expect(await userLabels(db)).toEqual([]); // line 2 was fine, and still nothing was imported
  });

  it('exports what it imports: csv out of one database imports unchanged into another', async () => {
    const a = tempDb();
    const b = tempDb();
    expect((await hoptrace(['labels', 'import', SDN_XML, '--db', a])).code).toBe(0);
    const exported = await hoptrace(['labels', 'export', '--db', a]);
    expect(exported.stdout.split('\n')[0]).toBe('address,chain,entity,category,jurisdiction,risk,source,listed_at,delisted_at,valid_from,valid_to,role');
    const file = join(tempDb('x'), '..', 'export.csv');
    writeFileSync(file, exported.stdout);
    expect((await hoptrace(['labels', 'import', file, '--db', b])).code).toBe(0);
    expect((await hoptrace(['labels', 'export', '--db', b])).stdout).toBe(exported.stdout);
    const json = JSON.parse((await hoptrace(['labels', 'export', '--format', 'json', '--db', b])).stdout) as { listed_at: string }[];
    expect(json.map((r) => r.listed_at)).toEqual(['2021-09-21', '2022-04-05', '2022-04-05']);
    const all = await hoptrace(['labels', 'export', '--all', '--db', b]);
    expect(all.stdout.trim().split('\n')).toHaveLength(1 + 608 + 3);
  });
});

describe('hoptrace labels add / show / search / remove', () => {
  it('adds a sourced label (a fresh database needs no RPC), shows it beside the bundled one, removes it', async () => {
    const db = tempDb();
    const noSource = await hoptrace(['labels', 'add', binance, '--entity', 'X', '--category', 'exchange', '--source', ' ', '--db', db]);
    expect(noSource.code).toBe(2);
    expect(noSource.stderr).toMatch(/^hoptrace: label refused: source is missing: a label without a source is refused\.\n/);
    expect((await hoptrace(['labels', 'add', binance, '--entity', 'X', '--category', 'exchange', '--db', db])).stderr).toMatch(
      /required option '--source <text>' not specified/,
    );

    const add = await hoptrace([
      'labels', 'add', binance, '--entity', 'Binance (case 7)', '--category', 'exchange', '--risk', 'high',
      '--source', 'case 7: subpoena response', '--valid-from', '2024-01-01', '--db', db,
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toBe(`added user label ${binance} on evm: Binance (case 7) (exchange, role unknown, risk high)\n`);
    const other = await hoptrace(['labels', 'add', binance, '--entity', 'Someone else', '--category', 'otc', '--source', 's', '--db', db]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`${binance} on chain evm already has the user label "Binance (case 7)".`);

    const show = await hoptrace(['labels', 'show', binance, '--db', db]);
    expect(show.stdout).toContain('[HIGH RISK] Binance (case 7) — exchange · role unknown · chain evm · jurisdiction unknown · user label');
    expect(show.stdout).toContain('    validity  valid from 2024-01-01');
    expect(show.stdout).toContain('[standard] Binance — exchange · role unknown · chain evm · jurisdiction unknown · bundled label');
    expect(show.stdout).toContain('overridden by the user label above where both apply');

    const search = await hoptrace(['labels', 'search', 'SUBPOENA', '--json', '--db', db]);
    expect((JSON.parse(search.stdout) as LabelOut[]).map((l) => [l.entity, l.origin])).toEqual([['Binance (case 7)', 'user']]);
    const sanctioned = await hoptrace(['labels', 'list', '--risk', 'sanctioned', '--chain', 'ethereum', '--json', '--db', db]);
    expect((JSON.parse(sanctioned.stdout) as LabelOut[]).map((l) => l.entity).sort()).toEqual([
      ...Array(5).fill('Chatex'), 'Cryptex', ...Array(7).fill('Garantex'), ...Array(4).fill('Suex OTC'), 'Tornado Cash',
    ]);

    const bundled = await hoptrace(['labels', 'remove', garantex, '--db', db]);
    expect(bundled.code).toBe(2);
    expect(bundled.stderr).toMatch(
      new RegExp(`^hoptrace: ${garantex} has no user label to remove: its label "Garantex" is bundled \\(data/exchanges\\.csv\\), and bundled labels are never removed\\.\\n`),
    );
    const removed = await hoptrace(['labels', 'remove', binance, '--db', db]);
    expect(removed.stdout).toBe(`removed 1 user label of ${binance}\n`);
    expect(await userLabels(db)).toEqual([]);
  });

  it('reads without creating a database, and checks what it is given', async () => {
    const db = tempDb();
    expect((await hoptrace(['labels', 'list', '--user', '--db', db])).stdout).toBe('0 labels (0 bundled, 0 user)\n');
    expect(existsSync(db)).toBe(false);
    for (const [args, message] of [
      [['labels', 'list', '--category', 'casino'], /--category "casino" is not one of/],
      [['labels', 'list', '--deposits', '--risk', 'high'], /--deposits cannot be used with --user, --category, --risk or --chain\./],
      [['labels', 'import', join(FIXTURES, 'nope.csv')], /cannot read .*nope\.csv \(ENOENT\)/],
    ] as const) {
      const out = await hoptrace([...args, '--db', db]);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(message);
    }
  });
});

describe('hoptrace seeds', () => {
  it('groups the seeds by incident with tiers and sources, and lists the addresses of one incident', async () => {
    const all = await hoptrace(['seeds']);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('bybit  75 seeds  Bybit hack 2025-02-21\n  tiers    official:FBI 51, label:Etherscan 16, researcher 8\n  chains   ethereum 75\n');
    expect(all.stdout.trim().split('\n').at(-1)).toBe('1053 seeds in 17 incidents');

    const fbi = await hoptrace(['seeds', '--incident', 'stake', '--tier', 'official', '--chain', 'bsc', '--json']);
    const groups = JSON.parse(fbi.stdout) as { slug: string; count: number; tiers: Record<string, number>; addresses: { chain: string; tier: string }[] }[];
    expect(groups.map((g) => [g.slug, g.count, g.tiers])).toEqual([['stake', 5, { 'official:FBI': 5 }]]);
    expect(groups[0]!.addresses.every((s) => s.chain === 'bsc' && s.tier === 'official:FBI')).toBe(true);

    const bad = await hoptrace(['seeds', '--tier', 'rumour']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--tier "rumour" is not one of official, official:OFAC, official:FBI, label:Etherscan, researcher/);
  });
});

describe('user labels and seed tiers in a trace', () => {
  let anvil: AnvilHandle;
  const [seed, mule] = lazarus('wazirx', 2) as [string, string];

  beforeAll(async () => {
    anvil = await startAnvil();
    const s = createScenario(anvil.url);
    await s.fund(seed, 10n * ETH);
    await s.sendEth(seed, mule, 5n * ETH);
    await s.sendEth(mule, binance, 4n * ETH);
    await s.mine(70);
  }, 60_000);

  afterAll(async () => {
    await anvil?.stop();
  });

  it('labels add → trace: the hit shows the user entity, the report counts the user label', async () => {
    const db = tempDb();
    const add = await hoptrace([
      'labels', 'add', binance, '--entity', 'Binance deposit of suspect (case 7)', '--category', 'exchange',
      '--source', 'case 7: exchange response', '--chain', 'ethereum', '--db', db,
    ]);
    expect(add.code, add.stderr).toBe(0);
    const json = await hoptrace(['trace', seed, '--rpc', anvil.url, '--db', db, '--labels-chain', 'ethereum', '--json']);
    const report = JSON.parse(json.stdout) as {
      labels: { dataVersion: string; userLabels: number };
      hits: { kind: string; entity: string; labelOrigin: string; labelSource: string; labelAtHop: { risk: string; sanctionedAtHop: boolean; note: string | null } }[];
    };
    expect(report.labels).toEqual({ dataVersion: labelDataVersion(), userLabels: 1 });
    expect(report.hits.filter((h) => h.kind === 'venue')).toEqual([
      expect.objectContaining({
        entity: 'Binance deposit of suspect (case 7)',
        labelOrigin: 'user',
        labelSource: 'case 7: exchange response',
        labelAtHop: { risk: 'standard', sanctionedAtHop: false, note: null },
      }),
    ]);

    const text = await hoptrace(['trace', seed, '--rpc', anvil.url, '--db', db, '--labels-chain', 'ethereum']);
    expect(text.stdout).toContain(`  labels     data ${labelDataVersion()}, 1 user label applied\n`);
    expect(text.stdout).toContain('    source    user label: case 7: exchange response\n');
    expect((await hoptrace(['--version'])).stdout).toMatch(new RegExp(`^hoptrace \\S+ \\(label data ${labelDataVersion()}\\)\\n$`));
  });

  it('--tier narrows a seed list, and says so when nothing is left', async () => {
    const early = await hoptrace(['trace', '--tier', 'official', '--rpc', anvil.url, seed]);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/^hoptrace: --tier filters a seed list: give --seeds <list> with it\.\n/);
    const none = await hoptrace(['trace', '--seeds', 'wazirx', '--tier', 'official', '--rpc', anvil.url, '--db', tempDb(), '--labels-chain', 'ethereum']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^hoptrace: no seeds of "wazirx" with tier official apply on ethereum\.\n/);
    const some = await hoptrace(['trace', '--seeds', 'wazirx', '--tier', 'researcher', '--rpc', anvil.url, '--db', tempDb(), '--labels-chain', 'ethereum', '--json', '--hops', '2']);
    expect(some.code, some.stderr).toBe(0);
    const seeds = (JSON.parse(some.stdout) as { seeds: { address: string; tier: string }[] }).seeds;
    expect(seeds).toHaveLength(45);
    expect(seeds.every((s) => s.tier === 'researcher')).toBe(true);
  });
});
