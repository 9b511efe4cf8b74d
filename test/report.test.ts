import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { getAddress } from 'ethers';
import { describe, expect, it } from 'vitest';
import { formatAmount, formatAssetAmount } from '../src/report/amount.js';
import { toJson, toJsonValue, toNdjson } from '../src/report/json.js';
import { fromJsonValue } from '../src/report/fromJson.js';
import type { TraceReportJson } from '../src/report/json.js';
import { cleanText } from '../src/report/sanitize.js';
import { csvField } from '../src/report/csv.js';
import { labelsCsv } from '../src/report/labels.js';
import { loadLabelBook } from '../src/labels/load.js';
import { formatDuration, formatTime, renderText, riskTag, styles } from '../src/report/text.js';
import { Chalk } from 'chalk';
import { REPORT_SCHEMA_VERSION } from '../src/trace/result.js';
import type { Evidence, Hit, TraceResult } from '../src/trace/result.js';

// ---------------------------------------------------------------------------------------------------------
// Fixtures, built by hand. Addresses and hashes are synthetic (hashes of a tag), never real actors.

const hex = (tag: string, chars: number): string => createHash('sha256').update(tag).digest('hex').slice(0, chars);
const addr = (tag: string): string => `0x${hex(tag, 40)}`;
const hash = (tag: string): string => `0x${hex(tag, 64)}`;

const SEED_A = addr('seed-a');
const SEED_B = addr('seed-b');
const MID_1 = addr('mid-1');
const MID_2 = addr('mid-2');
const VENUE = addr('venue-garantex');
const SWAP = addr('venue-swap');
const HUB = addr('hub');
const USDT = addr('token-usdt');
const EVIL_TOKEN = addr('token-evil');

const TWO_POW_70 = 2n ** 70n; // 1,180.591620717411303424 ETH: far beyond what a JS number holds exactly
const WARNING = 'internal ETH transfers not visible: the node answers neither trace_filter nor debug_traceBlockByNumber';
const EVIL_SYMBOL = '\u001b[31m<script>alert(1)</script>\u202eTDSU\u200b' + 'A'.repeat(500);
const T0 = Date.UTC(2025, 1, 21, 15, 48, 7) / 1000;

/** The deposit-address verdict on MID_2: an annotation on the step into it, never the hit. */
const MID_2_INFERRED: Evidence = {
  level: 'inferred',
  sources: [],
  inference: {
    heuristic: 'exchange-deposit-address', entity: 'Garantex', hotWallet: VENUE, confidence: 'medium',
    reasons: ['swept 400 blocks after the arrival'], origin: 'detected',
  },
  conflict: null,
};

function garantexEvidence(): Evidence {
  return {
    level: 'label',
    sources: [{ kind: 'venue', origin: 'bundled', name: 'Garantex', category: 'sanctioned-exchange', role: 'unknown', tier: null, incident: null, source: 'OFAC SDN 2022-04-05' }],
    inference: null,
    conflict: null,
  };
}

function sanctionedHit(): Hit {
  return {
    kind: 'venue',
    role: 'unknown',
    evidence: garantexEvidence(),
    perpetrator: null,
    seed: SEED_A,
    address: VENUE,
    entity: 'Garantex',
    category: 'sanctioned-exchange',
    risk: 'sanctioned',
    jurisdiction: 'RU',
    labelSource: 'OFAC SDN 2022-04-05',
    labelOrigin: 'bundled',
    labelAtHop: { risk: 'sanctioned', sanctionedAtHop: true, note: 'listed by OFAC on 2022-04-05, before this hop' },
    direction: 'out',
    hops: 3,
    path: [
      {
        from: SEED_A, to: MID_1, txHash: hash('tx-1'), blockNumber: 21895238, blockHash: hash('block-1'),
        timestamp: T0, asset: 'native', symbol: 'ETH', decimals: 18, amount: TWO_POW_70, kind: 'native', ref: 'trace:', fromEvidence: null, toEvidence: null,
      },
      {
        from: MID_1, to: MID_2, txHash: hash('tx-2'), blockNumber: 21895300, blockHash: hash('block-2'),
        timestamp: T0 + 720, asset: USDT, symbol: 'USDT', decimals: 6, amount: 1_234_500_000n, kind: 'erc20', ref: 'log:17', fromEvidence: null, toEvidence: MID_2_INFERRED,
      },
      {
        from: MID_2, to: VENUE, txHash: hash('tx-3'), blockNumber: 21895400, blockHash: hash('block-3'),
        timestamp: null, asset: 'native', symbol: 'ETH', decimals: 18, amount: 1n, kind: 'internal', ref: 'trace:0.1', fromEvidence: MID_2_INFERRED, toEvidence: garantexEvidence(),
      },
    ],
    totals: [
      { asset: USDT, symbol: 'USDT', decimals: 6, amount: 1_234_500_000n, transfers: 2 },
      { asset: 'native', symbol: 'ETH', decimals: 18, amount: 1n, transfers: 1 },
    ],
    firstBlock: 21895400,
    lastBlock: 21895400,
    via: 'label',
    deposit: null,
  };
}

/** A high-risk hit listed before the sanctioned one, carrying an attacker-chosen symbol and unknown decimals. */
function highRiskHit(): Hit {
  return {
    kind: 'venue',
    role: null,
    evidence: {
      level: 'label',
      sources: [{ kind: 'venue', origin: 'user', name: 'FixedFloat\u202e', category: 'swap-service', role: 'unknown', tier: null, incident: null, source: 'researcher note' }],
      inference: null,
      conflict: null,
    },
    perpetrator: null,
    seed: SEED_A,
    address: SWAP,
    entity: 'FixedFloat\u202e',
    category: 'swap-service',
    risk: 'high',
    jurisdiction: null,
    labelSource: 'researcher note',
    labelOrigin: 'user',
    labelAtHop: { risk: 'high', sanctionedAtHop: false, note: null },
    direction: 'out',
    hops: 1,
    path: [
      {
        from: SEED_A, to: SWAP, txHash: hash('tx-4'), blockNumber: 21895500, blockHash: hash('block-4'),
        timestamp: T0 + 3600, asset: EVIL_TOKEN, symbol: EVIL_SYMBOL, decimals: null, amount: 123456n, kind: 'erc20', ref: 'log:3', fromEvidence: null, toEvidence: null,
      },
    ],
    totals: [{ asset: EVIL_TOKEN, symbol: EVIL_SYMBOL, decimals: null, amount: 123456n, transfers: 1 }],
    firstBlock: 21895500,
    lastBlock: 21895500,
    via: 'label',
    deposit: null,
  };
}

function fixture(): TraceResult {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'hoptrace', version: '0.1.0' },
    chainId: 1,
    labelChain: 'ethereum',
    labels: { dataVersion: '0123456789ab', userLabels: 1 },
    rpc: 'https://eth.example.org',
    generatedAt: '2025-03-01T10:00:00.000Z',
    params: {
      hops: 4, direction: 'out', fromBlock: 21895000, toBlock: 21990000,
      minValue: { native: '10000000000000000', '*': '1' }, fanOutCap: 50, maxAddresses: 10000, stopAtLabels: true,
    },
    seeds: [
      { address: SEED_A, label: 'Bybit exploiter 1', incident: 'Bybit hack 2025-02-21', tier: 'official:FBI', source: 'FBI PSA I-022625-PSA' },
      { address: SEED_B, label: null, incident: null, tier: null, source: null },
    ],
    coverage: {
      erc20: 'eth_getLogs',
      native: 'eth_getBlockByNumber (full transactions)',
      internal: null,
      warnings: [WARNING],
      hubs: [{ address: HUB, degree: 12345, hop: 2, kind: 'fan-out', degreeKind: 'counterparties' }],
    },
    stats: {
      rpcCalls: { total: 1234, byMethod: { eth_getLogs: 800, eth_getBlockByNumber: 400, eth_call: 34 } },
      addressesVisited: 57,
      transfersStored: 1200,
      transfersFollowed: 300,
      transfersSkipped: 900,
      sweepLookups: 0,
      depositsLearned: 0,
      durationMs: 12_345,
    },
    hits: [highRiskHit(), sanctionedHit()],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Schema

const schema = JSON.parse(readFileSync(new URL('../schema/trace-report.schema.json', import.meta.url), 'utf8')) as {
  $id: string;
  $defs: Record<string, { const?: unknown }>;
};

function compile() {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormatsModule.default(ajv);
  ajv.addSchema(schema);
  const report = ajv.getSchema(schema.$id);
  const line = ajv.getSchema(`${schema.$id}#/$defs/hitLine`);
  if (report === undefined || line === undefined) throw new Error('schema did not compile');
  return { report, line };
}

const ESC = '\u001b';
const SGR = /\u001b\[[0-9;]*m/g;

// ---------------------------------------------------------------------------------------------------------

describe('cleanText', () => {
  it('strips escape sequences, bidi controls and invisible characters', () => {
    expect(cleanText('\u001b[31mUSDT\u001b[0m')).toBe('[31mUSDT[0m');
    expect(cleanText('U\u200bS\u200dD\ufeffT')).toBe('USDT');
    expect(cleanText('abc\u202edef\u2066x\u2069')).toBe('abcdefx');
    expect(cleanText('a\u202ab\u202bc\u202cd\u202de\u2067f\u2068g\u200eh\u200fi\u061cj')).toBe('abcdefghij');
    // C1 CSI (a one-byte escape on some terminals), NUL, BEL, DEL.
    expect(cleanText('x\u009b2Jy\u0000z\u0007\u007f')).toBe('x2Jyz');
    // Invisible tag characters (ASCII smuggling).
    expect(cleanText('ok\u{e0041}\u{e0042}')).toBe('ok');
  });

  it('collapses whitespace and trims', () => {
    expect(cleanText('  Tether \n\t USD\u00a0\u2028 ')).toBe('Tether USD');
    expect(cleanText('a\r\nb')).toBe('a b');
  });

  it('truncates with an ellipsis, by code point, to at most max characters', () => {
    expect(cleanText('a'.repeat(100), 8)).toBe('aaaaaaa…');
    expect(cleanText('abcdefgh', 8)).toBe('abcdefgh');
    const emoji = cleanText('😀'.repeat(40), 10);
    expect(Array.from(emoji)).toHaveLength(10);
    expect(emoji).toBe('😀'.repeat(9) + '…');
    expect(cleanText('abc', 0)).toBe('');
  });

  it('neutralises the hostile symbol', () => {
    const out = cleanText(EVIL_SYMBOL);
    expect(out).not.toContain(ESC);
    expect(out).not.toContain('\u202e');
    expect(out).not.toContain('\u200b');
    expect(Array.from(out).length).toBeLessThanOrEqual(32);
    expect(out.endsWith('…')).toBe(true);
    expect(out.startsWith('[31m<script>')).toBe(true);
  });

  it('replaces lone surrogates', () => {
    expect(cleanText('a\ud800b')).toBe('a\ufffdb');
  });
});

describe('formatAmount', () => {
  it('is exact, trims trailing zeros, groups thousands', () => {
    expect(formatAmount(0n, 18)).toBe('0');
    expect(formatAmount(1n, 18)).toBe('0.000000000000000001');
    expect(formatAmount(TWO_POW_70, 18)).toBe('1,180.591620717411303424');
    expect(formatAmount(1_234_500_000n, 6)).toBe('1,234.5');
    expect(formatAmount(12_500_000_000_000_000_000n, 18)).toBe('12.5');
    expect(formatAmount(10n ** 30n, 18)).toBe('1,000,000,000,000');
    expect(formatAmount(1000n, 0)).toBe('1,000');
    expect(formatAmount(999n, 3)).toBe('0.999');
    expect(formatAmount(1_234_500_000n, 6, { grouping: false })).toBe('1234.5');
    expect(formatAmount(-1_500_000n, 6)).toBe('-1.5');
  });

  it('shows base units when decimals are unknown or impossible', () => {
    expect(formatAmount(123456n, null)).toBe('123,456 units');
    expect(formatAmount(123456n, null, { grouping: false })).toBe('123456 units');
    expect(formatAmount(5n, -1)).toBe('5 units');
    expect(formatAmount(5n, 1.5)).toBe('5 units');
    expect(formatAmount(5n, 256)).toBe('5 units');
  });

  it('names the asset', () => {
    expect(formatAssetAmount(12_500_000_000_000_000_000n, 18, 'ETH', 'native')).toBe('12.5 ETH');
    expect(formatAssetAmount(7n, null, 'FOO', USDT)).toBe('7 units of FOO');
    expect(formatAssetAmount(1_000_000n, 6, null, USDT)).toBe(`1 token ${getAddress(USDT).slice(0, 6)}…${getAddress(USDT).slice(-4)}`);
  });
});

describe('renderText', () => {
  const text = renderText(fixture(), { color: false });
  const lines = text.split('\n');

  it('names the venue in full, tags sanctioned and high-risk venues', () => {
    expect(text).toContain(getAddress(VENUE));
    expect(text).toMatch(/^ {2}\[SANCTIONED\] Garantex — sanctioned-exchange · jurisdiction RU · risk sanctioned · 3 hops$/m);
    expect(text).toMatch(/^ {2}\[HIGH RISK\] FixedFloat — swap-service · jurisdiction unknown · risk high · 1 hop$/m);
    // The sanctioned hit comes first although the walker listed it second.
    expect(text.indexOf('[SANCTIONED] Garantex')).toBeLessThan(text.indexOf('[HIGH RISK] FixedFloat'));
    expect(text).toContain('SANCTIONED venue reached: Garantex');
  });

  it('tags a risk no release writes (a hand-edited report, as diff reads back) as it stands, cleaned, never as standard', () => {
    const plain = styles(new Chalk({ level: 0 }));
    expect(['sanctioned', 'high', 'standard'].map((r) => riskTag(r, plain))).toEqual(['[SANCTIONED]', '[HIGH RISK]', '[standard]']);
    expect(riskTag('bogus', plain)).toBe('[bogus]');
    expect(riskTag('\u001b[31mred', plain)).not.toContain('\u001b');
    const edited = fixture();
    edited.hits[0]!.risk = 'bogus' as Hit['risk'];
    expect(renderText(edited, { color: false })).toMatch(/^ {2}\[bogus\] /m);
  });

  it('prints each path step on one line with exact amounts and the full tx hash', () => {
    const step1 = lines.find((l) => l.includes(hash('tx-1')));
    expect(step1).toBeDefined();
    expect(step1).toContain(`${getAddress(SEED_A).slice(0, 6)}…${getAddress(SEED_A).slice(-4)} → `);
    expect(step1).toContain('1,180.591620717411303424 ETH');
    expect(step1).toContain('block 21895238');
    expect(step1).toContain('2025-02-21 15:48 UTC');
    const step2 = lines.find((l) => l.includes(hash('tx-2')));
    expect(step2).toContain('1,234.5 USDT');
    const step3 = lines.find((l) => l.includes(hash('tx-3')));
    expect(step3).toContain('0.000000000000000001 ETH (internal)');
    expect(step3).toContain('time unknown');
    // The order of the steps is the order of the path.
    expect(text.indexOf(hash('tx-1'))).toBeLessThan(text.indexOf(hash('tx-2')));
    expect(text.indexOf(hash('tx-2'))).toBeLessThan(text.indexOf(hash('tx-3')));
  });

  it('shows the totals received per asset', () => {
    expect(text).toMatch(/^ {6}1,234\.5 USDT\s+2 transfers {2}token 0x[0-9a-fA-F]{40}$/m);
    expect(text).toContain(`token ${getAddress(USDT)}`);
    expect(text).toContain('source    OFAC SDN 2022-04-05');
    expect(text).toContain('the seed’s funds reached this venue, block 21895400\n');
    expect(text).toMatch(/^ {6}0\.000000000000000001 ETH\s+1 transfer$/m);
  });

  it('shows the seed labels and says when a seed reached nothing', () => {
    expect(text).toContain(`Seed 1/2  ${getAddress(SEED_A)}`);
    expect(text).toContain('Bybit hack 2025-02-21');
    const seedB = text.slice(text.indexOf(`Seed 2/2  ${getAddress(SEED_B)}`));
    expect(seedB).toMatch(/No labelled venue reached within 4 hops/);
    expect(seedB.slice(0, seedB.indexOf('Coverage'))).toContain('The trace is partial');
  });

  it('makes a partial trace impossible to miss', () => {
    expect(lines[0]).toContain('trace report');
    expect(text.indexOf('! PARTIAL TRACE')).toBeGreaterThan(-1);
    expect(text.indexOf('! PARTIAL TRACE')).toBeLessThan(text.indexOf('Seed 1/2'));
    expect(lines).toContain(`  ! ${WARNING}`);
    expect(text).toMatch(/^ {2}! internal transfers {2}not visible$/m);
    expect(text).toMatch(/^ {4}ERC-20 transfers {4}eth_getLogs$/m);
    expect(text).toContain(`${getAddress(HUB)}  12,345 counterparties  at hop 2: branch stopped here, worth a label`);
  });

  it('reports rpc stats', () => {
    expect(text).toMatch(/^ {4}RPC calls {5}1,234 total$/m);
    expect(text).toMatch(/^ {6}eth_getLogs\s+800$/m);
    expect(text).toMatch(/^ {6}eth_call\s+34$/m);
    expect(text.indexOf('eth_getLogs')).toBeLessThan(text.indexOf('eth_call '));
    expect(text).toContain('57 visited');
    expect(text).toContain('1,200 stored, 300 followed, 900 skipped');
    expect(text).toContain('duration      12.3 s');
    expect(text.indexOf('Coverage')).toBeLessThan(text.indexOf('Stats'));
  });

  it('has no escape character at all without colour, and the same text under the colours with it', () => {
    expect(text).not.toContain(ESC);
    const colored = renderText(fixture(), { color: true });
    expect(colored).toContain(ESC);
    expect(colored).toMatch(/\u001b\[31m(\u001b\[1m)?\[SANCTIONED\]/);
    expect(colored.replace(SGR, '')).toBe(text);
  });

  it('neutralises and truncates hostile chain text', () => {
    for (const out of [text, renderText(fixture(), { color: true }).replace(SGR, '')]) {
      expect(out).not.toContain(ESC);
      expect(out).not.toContain('\u202e');
      expect(out).not.toContain('\u200b');
      expect(out).not.toContain('A'.repeat(20));
    }
    const step = lines.find((l) => l.includes(hash('tx-4')));
    expect(step).toBeDefined();
    expect(step).toMatch(/123,456 units of \[31m<script>[^ ]*… {2}tx /);
  });

  it('without hits or warnings, says so', () => {
    const r = fixture();
    r.hits = [];
    r.coverage = { erc20: 'eth_getLogs', native: 'trace_filter', internal: 'trace_filter', warnings: [], hubs: [] };
    const out = renderText(r, { color: false });
    expect(out).toContain('No labelled venue reached from 2 seeds');
    expect(out).not.toContain('PARTIAL');
    expect(out).not.toContain('The trace is partial');
    expect(out).toContain('no warnings');
  });

  it('does not drop a hit whose seed is not listed', () => {
    const r = fixture();
    r.seeds = [r.seeds[1]!];
    const out = renderText(r, { color: false });
    expect(out).toContain('Hits from seeds not listed above');
    expect(out).toContain(getAddress(VENUE));
  });

  it('wraps a long warning within the width, each warning starting its own ! line', () => {
    const r = fixture();
    r.coverage.warnings = ['first ' + 'word '.repeat(40), 'second warning'];
    const out = renderText(r, { color: false, width: 60 });
    const warnLines = out.split('\n').filter((l) => l.startsWith('  ! first') || l.startsWith('    word'));
    expect(warnLines.length).toBeGreaterThan(2);
    for (const l of warnLines) expect(l.length).toBeLessThanOrEqual(60);
    expect(out.split('\n')).toContain('  ! second warning');
  });

  it('formats times and durations', () => {
    expect(formatTime(T0)).toBe('2025-02-21 15:48 UTC');
    expect(formatTime(null)).toBe('time unknown');
    expect(formatTime(Number.NaN)).toBe('time unknown');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
  });
});

describe('toJson', () => {
  const { report } = compile();

  it('pins the schema to the report version', () => {
    expect(schema.$defs.schemaVersion?.const).toBe(REPORT_SCHEMA_VERSION);
    expect(schema.$id).toContain(`v${REPORT_SCHEMA_VERSION}`);
  });

  it('validates against the schema', () => {
    const doc: unknown = JSON.parse(toJson(fixture()));
    const ok = report(doc);
    expect(report.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('round-trips amounts exactly', () => {
    const doc = JSON.parse(toJson(fixture())) as { hits: { path: { amount: string }[]; totals: { amount: string }[] }[] };
    const garantex = doc.hits[1]!;
    expect(garantex.path[0]!.amount).toBe('1180591620717411303424');
    expect(BigInt(garantex.path[0]!.amount)).toBe(TWO_POW_70);
    expect(garantex.path[2]!.amount).toBe('1');
    expect(garantex.totals[0]!.amount).toBe('1234500000');
  });

  it('is pretty, newline-terminated, stable, in the key order of the contract', () => {
    const s = toJson(fixture());
    expect(s.startsWith(`{\n  "schemaVersion": ${REPORT_SCHEMA_VERSION},\n  "tool": {`)).toBe(true);
    expect(s.endsWith('}\n')).toBe(true);
    expect(toJson(fixture())).toBe(s);
    const v = toJsonValue(fixture());
    expect(Object.keys(v)).toEqual([
      'schemaVersion', 'tool', 'chainId', 'labelChain', 'labels', 'rpc', 'generatedAt', 'params', 'seeds', 'coverage', 'stats', 'hits', 'inferences',
      'chains', 'crossings', 'frontier',
    ]);
    expect(Object.keys(v.hits[0]!)).toEqual([
      'kind', 'chainId', 'seed', 'address', 'entity', 'category', 'role', 'risk', 'jurisdiction', 'labelSource', 'labelOrigin', 'labelAtHop', 'direction', 'hops', 'path', 'totals',
      'firstBlock', 'lastBlock', 'via', 'deposit', 'exit', 'evidence', 'perpetrator',
    ]);
    expect(Object.keys(v.hits[0]!.path[0]!)).toEqual([
      'chainId', 'from', 'to', 'txHash', 'blockNumber', 'blockHash', 'timestamp', 'asset', 'symbol', 'decimals', 'amount', 'kind', 'ref', 'crossing', 'fromEvidence', 'toEvidence',
    ]);
    expect(Object.keys(v.stats.rpcCalls.byMethod)).toEqual(['eth_call', 'eth_getBlockByNumber', 'eth_getLogs']);
    expect(JSON.stringify(v)).not.toMatch(/\d+n\b/);
  });

  it('keeps hostile text exact but writes no raw control, bidi or zero-width character', () => {
    const s = toJson(fixture());
    expect(s).not.toContain(ESC);
    expect(s).not.toContain('\u202e');
    expect(s).not.toContain('\u200b');
    expect(s).toContain('\\u202e');
    const doc = JSON.parse(s) as { hits: { entity: string; path: { symbol: string }[] }[] };
    expect(doc.hits[0]!.path[0]!.symbol).toBe(EVIL_SYMBOL);
    expect(doc.hits[0]!.entity).toBe('FixedFloat\u202e');
  });

  it('the schema rejects what it must reject', () => {
    const good = toJsonValue(fixture());
    const bad = (mutate: (d: TraceReportJson) => void): boolean => {
      const d = structuredClone(good);
      mutate(d);
      return report(d) as boolean;
    };
    expect(bad(() => {})).toBe(true);
    expect(bad((d) => { (d.hits[1]!.path[0] as { amount: unknown }).amount = 1.5; })).toBe(false);
    expect(bad((d) => { d.hits[1]!.path[0]!.amount = '-1'; })).toBe(false);
    expect(bad((d) => { d.hits[1]!.address = getAddress(VENUE); })).toBe(false);
    expect(bad((d) => { (d.hits[1] as { risk: string }).risk = 'unknown'; })).toBe(false);
    expect(bad((d) => { (d.hits[1] as { category: string }).category = 'casino'; })).toBe(false);
    expect(bad((d) => { delete (d.stats.rpcCalls as { byMethod?: unknown }).byMethod; })).toBe(false);
    expect(bad((d) => { delete (d as { coverage?: unknown }).coverage; })).toBe(false);
    expect(bad((d) => { (d as { schemaVersion: number }).schemaVersion = 1; })).toBe(false);
    // Schema 2: every hit and path step says how we know what its address is.
    expect(bad((d) => { delete (d.hits[0] as { evidence?: unknown }).evidence; })).toBe(false);
    expect(bad((d) => { (d.hits[0]!.evidence as { level: string }).level = 'guess'; })).toBe(false);
    expect(bad((d) => { delete (d.hits[1]!.path[1] as { toEvidence?: unknown }).toEvidence; })).toBe(false);
    expect(bad((d) => { (d.hits[0] as { kind: string }).kind = 'suspect'; })).toBe(false);
    expect(bad((d) => { delete (d.hits[1]!.path[0] as { blockHash?: unknown }).blockHash; })).toBe(false);
    expect(bad((d) => { (d.hits[1] as { jurisdiction: unknown }).jurisdiction = 7; })).toBe(false);
    // Additive changes keep the version: unknown properties are allowed.
    expect(bad((d) => { (d as Record<string, unknown>)['newField'] = true; })).toBe(true);
  });
});

describe('reading reports', () => {
  it('reads a version 1 report as version 2: venue hits, evidence from the v1 fields, no step evidence', () => {
    const v2 = toJsonValue(fixture());
    // A v1 document: no kind, role, evidence, perpetrator; path steps without evidence.
    const v1 = JSON.parse(JSON.stringify(v2)) as Record<string, unknown> & { hits: Record<string, unknown>[] };
    v1['schemaVersion'] = 1;
    for (const h of v1.hits) {
      for (const k of ['kind', 'role', 'evidence', 'perpetrator']) delete h[k];
      for (const st of h['path'] as Record<string, unknown>[]) {
        delete st['fromEvidence'];
        delete st['toEvidence'];
      }
    }
    const v1Schema = JSON.parse(readFileSync(new URL('../schema/trace-report.v1.schema.json', import.meta.url), 'utf8')) as object;
    const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    addFormatsModule.default(ajv);
    expect(ajv.compile(v1Schema)(v1)).toBe(true);
    const read = fromJsonValue(v1, 'old.json');
    expect(read.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    const garantex = read.hits.find((h) => h.entity === 'Garantex')!;
    expect(garantex).toMatchObject({ kind: 'venue', role: null, perpetrator: null });
    expect(garantex.evidence).toEqual({
      level: 'label',
      sources: [{ kind: 'venue', origin: 'bundled', name: 'Garantex', category: 'sanctioned-exchange', role: null, tier: null, incident: null, source: 'OFAC SDN 2022-04-05' }],
      inference: null,
      conflict: null,
    });
    expect(garantex.path.every((st) => st.fromEvidence === null && st.toEvidence === null)).toBe(true);
    // And what it gives back is a valid version 2 document that renders.
    const { report } = compile();
    expect(report(toJsonValue(read)), JSON.stringify(report.errors)).toBe(true);
    expect(renderText(read, { color: false })).toContain('evidence  label: Garantex, sanctioned-exchange (bundled label)');
  });

  it('refuses a version 2 hit without evidence', () => {
    const doc = toJsonValue(fixture()) as unknown as { hits: Record<string, unknown>[] };
    delete doc.hits[0]!['evidence'];
    expect(() => fromJsonValue(doc, 'bad.json')).toThrow(/bad\.json is not a hoptrace JSON report: hit 1 has no evidence/);
  });
});

describe('toNdjson', () => {
  const { line } = compile();

  it('gives one valid, self-contained line per hit', () => {
    const s = toNdjson(fixture());
    expect(s.endsWith('\n')).toBe(true);
    const rows = s.slice(0, -1).split('\n');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).not.toContain('\n');
      const obj = JSON.parse(row) as Record<string, unknown>;
      const ok = line(obj);
      expect(line.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
      expect(Object.keys(obj).slice(0, 5)).toEqual(['schemaVersion', 'chainId', 'kind', 'seed', 'address']);
      expect(obj['schemaVersion']).toBe(REPORT_SCHEMA_VERSION);
      expect(obj['chainId']).toBe(1);
    }
    const garantex = JSON.parse(rows[1]!) as { risk: string; path: { amount: string; toEvidence: { level: string } | null }[]; evidence: { level: string } };
    expect(garantex.risk).toBe('sanctioned');
    // Every NDJSON line says how we know: the hit's own evidence, and the annotation on the step into MID_2.
    expect(garantex.evidence.level).toBe('label');
    expect(garantex.path.map((p) => p.toEvidence?.level ?? null)).toEqual([null, 'inferred', 'label']);
    expect(BigInt(garantex.path[0]!.amount)).toBe(TWO_POW_70);
  });

  it('a line without its chain is not a valid line', () => {
    const obj = JSON.parse(toNdjson(fixture()).split('\n')[0]!) as Record<string, unknown>;
    delete obj['chainId'];
    expect(line(obj)).toBe(false);
  });

  it('is empty when there are no hits', () => {
    const r = fixture();
    r.hits = [];
    expect(toNdjson(r)).toBe('');
  });
});

describe('CSV fields', () => {
  it('keeps a spreadsheet from running a label as a formula, and quotes what RFC 4180 needs', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    for (const lead of ['+', '-', '@', '\t']) expect(csvField(`${lead}1`)).toBe(`'${lead}1`);
    expect(csvField('Binance, hot wallet')).toBe('"Binance, hot wallet"');
    expect(csvField('0xabc')).toBe('0xabc');
    expect(csvField(null)).toBe('');
    expect(csvField('US\u001b[31mDT\u202e')).toBe('US\ufffd[31mDT\ufffd'); // CSV cannot escape a control or bidi character
    expect(csvField('two\nlines')).toBe('"two\nlines"'); // a line break RFC 4180 carries inside quotes
    const bundled = [...loadLabelBook('ethereum').entries()][0]![1];
    const csv = labelsCsv([{ ...bundled, entity: '=cmd|" /C calc"!A0' }]);
    expect(csv.split('\n')[1]).toContain(`"'=cmd|"" /C calc""!A0"`);
    expect(labelsCsv([{ ...bundled, entity: 'a\u001bb' }]).split('\n')[1]).toContain('a\ufffdb');
  });
});
