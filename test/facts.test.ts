/**
 * Facts before guesses (issue 11), end to end on anvil with fresh addresses: a labelled venue reached by
 * the walk is always the hit at its own hop; a deposit-address verdict is an annotation, or the hit's
 * only ground where the labelled side lies past the last hop (and then it says `inferred`); the seed
 * list is never contradicted (`conflict`); a seed-list address reached is a known-perpetrator hit in
 * either direction.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Wallet } from 'ethers';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleReport, recordRun } from '../src/cli/runReport.js';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario, type Scenario } from '../src/devchain/scenario.js';
import { seedBook } from '../src/labels/seeds.js';
import { accountKey } from '../src/report/chains.js';
import { evidenceIndex } from '../src/report/evidence.js';
import { tracedGraph, writeGraph } from '../src/report/export.js';
import { renderMarkdown } from '../src/report/formats/md.js';
import { toJsonValue } from '../src/report/json.js';
import { renderText } from '../src/report/text.js';
import { readLearnedDeposits } from '../src/store/deposits.js';
import { openDb } from '../src/store/open.js';
import { createStore } from '../src/store/store.js';
import type { Hit, TraceResult } from '../src/trace/result.js';
import type { Address, Label, Seed } from '../src/types.js';
import { hoptrace } from './helpers/cli.js';
import { book, hitSummary, perpetratorSummary, tempDb, trace, venue } from './helpers/trace.js';

const ETH = 10n ** 18n;
const fresh = (): Address => Wallet.createRandom().address.toLowerCase();
const venueHits = (r: TraceResult): Hit[] => r.hits.filter((h) => h.kind === 'venue');
const perpetratorHits = (r: TraceResult): Hit[] => r.hits.filter((h) => h.kind === 'known-perpetrator');

const binanceHot = venue('Binance')[0]!.address;
/** A bundled label whose source calls it an FTX deposit address (role `deposit`). */
const ftxDeposit = ((): Label => {
  for (const [, l] of book.entries()) if (l.entity === 'FTX' && l.role === 'deposit') return l;
  throw new Error('no FTX deposit-address label in the bundled data');
})().address;

// Shape 1: forwards everything within minutes to a labelled deposit address.
const S1 = fresh();
const X1 = fresh();
// Shape 2: 300 ETH from a splitter contract (internal transfer), all of it paid to a labelled hot wallet 45 minutes later.
const S2 = fresh();
const X2 = fresh();
// Mirror: a true deposit address, swept to the hot wallet within minutes.
const S3 = fresh();
const D3 = fresh();
// An address of the seed list that looks like a deposit address.
const S4 = fresh();
const P = fresh();
// Two true deposit addresses of one customer, both swept to the same hot wallet: one hit, one path.
const S5 = fresh();
const D5a = fresh();
const D5b = fresh();
// A seed-list address that funded Q: reached backward.
const P2 = fresh();
const Q = fresh();

/** The bundled seed list plus two fresh seed-list rows (as a user seed list would add them). */
const TEST_SEEDS = new Map<Address, Seed>(
  [P, P2].map((address, i) => [
    address,
    { address, chain: 'evm', label: `test perpetrator ${i + 1}`, incident: 'Fixture theft 2025-03-01', tier: 'official:FBI', source: `FBI PSA fixture ${i + 1}` },
  ]),
);
const bundledSeeds = seedBook('ethereum');
const seedList = { get: (a: Address): Seed | undefined => TEST_SEEDS.get(a) ?? bundledSeeds.get(a) };

function reportValidator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormatsModule.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(new URL('../schema/trace-report.schema.json', import.meta.url), 'utf8')) as object);
}

let anvil: AnvilHandle;
let s: Scenario;
let splitTx: string;
let sweepTx: string;

beforeAll(async () => {
  anvil = await startAnvil({ genesisTimestamp: Date.parse('2025-03-01T00:00:00Z') / 1000 });
  s = createScenario(anvil.url);
  // Opening balances (not transfers): the senders' funds, and gas for the intermediaries.
  for (const a of [S1, S2, S3, S4, S5, P2]) await s.fund(a, 1_000n * ETH);
  for (const a of [X1, X2, D3, D5a, D5b, P, binanceHot, ftxDeposit]) await s.fund(a, ETH / 10n);
  const forwarder = (await s.deploy('Forwarder', [await s.deployer()])).address;

  await s.sendEth(S1, X1, 50n * ETH);
  await s.mine(3);
  await s.sendEth(X1, ftxDeposit, 50n * ETH);

  splitTx = (await s.split(forwarder, S2, [X2], [300n * ETH])).hash;
  await s.mine(225); // 45 minutes at 12 s a block
  await s.sendEth(X2, binanceHot, 300n * ETH);

  await s.sendEth(S3, D3, 20n * ETH);
  await s.mine(5);
  sweepTx = (await s.sendEth(D3, binanceHot, 20n * ETH - 10n ** 15n)).hash;

  await s.sendEth(S4, P, 40n * ETH);
  await s.mine(4);
  await s.sendEth(P, binanceHot, 40n * ETH);

  await s.sendEth(S5, D5a, 7n * ETH);
  await s.sendEth(S5, D5b, 9n * ETH);
  await s.mine(5);
  await s.sendEth(D5a, binanceHot, 7n * ETH - 10n ** 15n);
  await s.sendEth(D5b, binanceHot, 9n * ETH - 10n ** 15n);

  await s.sendEth(P2, Q, 5n * ETH);
  await s.mine(10);
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('a labelled venue is the hit at its own hop', () => {
  it('an intermediary that forwards everything to a labelled deposit address: the labelled address is the hit, no inference about the intermediary', async () => {
    const db = tempDb();
    const r = await trace(anvil.url, db, [S1], {}, { seedList });
    expect(hitSummary(r)).toEqual(['FTX@2']);
    const hit = venueHits(r)[0]!;
    expect(hit).toMatchObject({ address: ftxDeposit, role: 'deposit', via: 'label', deposit: null });
    expect(hit.evidence.level).toBe('label');
    expect(hit.evidence.sources[0]).toMatchObject({ kind: 'venue', name: 'FTX', role: 'deposit' });
    expect(hit.path[0]!.toEvidence).toBeNull();
    expect(readLearnedDeposits(db)).toEqual([]);
    // At the last hop the intermediary gets a sweep lookup: a payment into a deposit address is no sweep.
    const last = await trace(anvil.url, db, [S1], { hops: 1 }, { seedList });
    expect(last.hits).toEqual([]);
    expect(last.stats.sweepLookups).toBe(1);
    expect(readLearnedDeposits(db)).toEqual([]);
  });

  it('300 ETH from a splitter, all paid to a labelled hot wallet 45 minutes later: the hot wallet is the hit, the intermediary an annotation', async () => {
    const db = tempDb();
    const r = await trace(anvil.url, db, [S2], {}, { seedList });
    expect(hitSummary(r)).toEqual(['Binance@3']);
    const hit = venueHits(r)[0]!;
    expect(hit).toMatchObject({ address: binanceHot, via: 'label', deposit: null });
    expect(hit.evidence).toMatchObject({ level: 'label', inference: null });
    expect(hit.path.map((p) => [p.to, p.kind])).toEqual([
      [hit.path[0]!.to, 'native'],
      [X2, 'internal'],
      [binanceHot, 'native'],
    ]);
    expect(hit.path[1]!.txHash).toBe(splitTx);
    expect(hit.path[1]!.toEvidence).toMatchObject({
      level: 'inferred',
      sources: [],
      inference: { heuristic: 'exchange-deposit-address', entity: 'Binance', hotWallet: binanceHot, origin: 'detected' },
    });
    const reasons = hit.path[1]!.toEvidence!.inference!.reasons.join('; ');
    expect(reasons).toMatch(/swept 22[5-9] blocks after the arrival/);

    const text = renderText(r, { color: false });
    expect(text).toContain('evidence  label: Binance, exchange');
    expect(text).toMatch(/note {2}0x[0-9a-f]{4}….* — inferred: .* is likely a Binance deposit address \(inferred by the exchange-deposit-address heuristic/i);
    expect(text).not.toContain('likely deposit address)');

    // Every output of the run says the same: JSON (schema 2), Markdown, graph node attributes.
    const validate = reportValidator();
    expect(validate(toJsonValue(r)), JSON.stringify(validate.errors)).toBe(true);
    const store = createStore(db);
    try {
      recordRun(store, r);
      const full = assembleReport(store, undefined);
      const md = renderMarkdown(full);
      expect(md).toMatch(/Evidence — label: Binance, exchange/);
      expect(md).toMatch(new RegExp(`- note \`${X2}\`: inferred: .* is likely a Binance deposit address`, 'i'));
      const g = tracedGraph(full.attribution, full.manifest.seeds, full.result);
      // Nodes are keyed by chain and address (CAIP-10).
      expect(g.getNodeAttribute(accountKey(full.result.chainId, X2), 'evidence')).toBe('inferred');
      expect(g.getNodeAttribute(accountKey(full.result.chainId, binanceHot), 'evidence')).toBe('label');
      expect(evidenceIndex(full.result).get(full.result.chainId, X2)?.level).toBe('inferred');
      expect(writeGraph(g, 'graphml')).toContain('attr.name="evidenceDetail"');
      expect(writeGraph(g, 'csv').split('\n')[0]).toContain('from_evidence,to_evidence');
    } finally {
      store.close();
    }
  });
});

describe('where the inference is right', () => {
  it('a true deposit address at the last hop is a hit resting on the inference, and says so; reached earlier, the walk goes on to the hot wallet', async () => {
    const db = tempDb();
    const last = await trace(anvil.url, db, [S3], { hops: 1 }, { seedList });
    expect(hitSummary(last)).toEqual(['Binance@1']);
    const hit = venueHits(last)[0]!;
    expect(hit).toMatchObject({ address: D3, via: 'deposit', role: 'deposit' });
    // One payment in, swept once, is what a one-shot forward shows too; `high` only because the exchange's
    // side shows itself: on this chain the other tests' addresses pay the same Binance wallet within the
    // window, so it acts as a hot wallet (deposits.ts, MIN_HOT_WALLET_PAYERS), and the reason says so.
    expect(hit.evidence).toMatchObject({ level: 'inferred', sources: [], inference: { entity: 'Binance', hotWallet: binanceHot, confidence: 'high', origin: 'detected' } });
    expect(hit.evidence.inference!.reasons.join(' ')).toMatch(new RegExp(`other addresses paid ${binanceHot} within \\d+ blocks of the sweep: it acts as Binance's hot wallet`, 'i'));
    expect(hit.deposit?.sweepTxs).toEqual([sweepTx]);
    const text = renderText(last, { color: false });
    expect(text).toContain('Binance (likely deposit address)');
    expect(text).toContain('evidence  inferred:');
    expect(text).toMatch(/1 hit rests on an inference alone \(evidence: inferred\)/);

    // Learned now; reached before the last hop it no longer cuts the walk short of the fact.
    const deeper = await trace(anvil.url, db, [S3], { hops: 2 }, { seedList });
    expect(hitSummary(deeper)).toEqual(['Binance@2']);
    const fact = venueHits(deeper)[0]!;
    expect(fact).toMatchObject({ address: binanceHot, via: 'label' });
    expect(fact.path[0]!.toEvidence).toMatchObject({ level: 'inferred', inference: { origin: 'learned' } });
    expect(deeper.stats.sweepLookups).toBe(0);
  });
});

describe('every inference of a run is reported', () => {
  it('two deposit addresses swept into one hot wallet: one hit shows one path, the run lists both verdicts apart from the hits', async () => {
    const r = await trace(anvil.url, tempDb(), [S5], { hops: 3 }, { seedList });
    expect(hitSummary(r)).toEqual(['Binance@2']);
    const onPaths = venueHits(r).flatMap((h) => h.path).filter((p) => p.toEvidence?.level === 'inferred').map((p) => p.to);
    expect(onPaths).toHaveLength(1);
    expect((r.inferences ?? []).map((i) => [i.address, i.evidence.level, i.evidence.inference?.entity])).toEqual(
      [D5a, D5b].sort().map((a) => [a, 'inferred', 'Binance']),
    );
    const json = toJsonValue(r);
    expect(json.inferences?.map((i) => i.address)).toEqual([D5a, D5b].sort());
    const text = renderText(r, { color: false });
    const section = text.slice(text.indexOf('Inferences (heuristics, not labels)'));
    for (const a of [D5a, D5b]) expect(section.toLowerCase()).toContain(a);
  });
});

describe('the seed list is never contradicted', () => {
  it('a seed-list address that looks like a deposit address is a known perpetrator with the conflict named, never an exchange customer', async () => {
    const db = tempDb();
    const r = await trace(anvil.url, db, [S4], {}, { seedList });
    // Followed on through the perpetrator: the labelled hot wallet it paid is the venue hit.
    expect(hitSummary(r)).toEqual(['Binance@2']);
    expect(perpetratorSummary(r)).toEqual([`${P}@1`]);
    const known = perpetratorHits(r)[0]!;
    expect(known).toMatchObject({ category: 'known-perpetrator', role: null, via: 'label', deposit: null, perpetrator: { tier: 'official:FBI', source: 'FBI PSA fixture 1' } });
    expect(known.evidence.level).toBe('conflict');
    expect(known.evidence.sources).toEqual([expect.objectContaining({ kind: 'seed', tier: 'official:FBI', incident: 'Fixture theft 2025-03-01', source: 'FBI PSA fixture 1' })]);
    expect(known.evidence.inference).toMatchObject({ entity: 'Binance', hotWallet: binanceHot });
    expect(known.evidence.conflict).toMatch(/is on the seed list .* but the exchange deposit-address heuristic takes it for a Binance deposit address/);
    expect(venueHits(r)[0]!.path[0]!.toEvidence?.level).toBe('conflict');
    // The verdict is not stored: a later trace will not take it for a customer either.
    expect(readLearnedDeposits(db)).toEqual([]);
    const text = renderText(r, { color: false });
    expect(text).toContain('[KNOWN PERPETRATOR] test perpetrator 1');
    expect(text).toMatch(/evidence {2}CONFLICT: /);
    const validate = reportValidator();
    expect(validate(toJsonValue(r)), JSON.stringify(validate.errors)).toBe(true);

    // At the last hop (sweep lookup) likewise: no inferred Binance hit, the conflict on the perpetrator hit.
    const last = await trace(anvil.url, db, [S4], { hops: 1 }, { seedList });
    expect(venueHits(last)).toEqual([]);
    expect(perpetratorHits(last).map((h) => h.evidence.level)).toEqual(['conflict']);
    expect(readLearnedDeposits(db)).toEqual([]);
  });

  it('without the seed list the same address is taken for a deposit address: the list is what decides it', async () => {
    const r = await trace(anvil.url, tempDb(), [S4], { hops: 1 }, { seedList: { get: () => undefined } });
    expect(perpetratorHits(r)).toEqual([]);
    expect(venueHits(r).map((h) => [h.address, h.evidence.level])).toEqual([[P, 'inferred']]);
  });
});

describe('known perpetrators', () => {
  it('are hits in the backward direction too, with tier and source', async () => {
    const r = await trace(anvil.url, tempDb(), [Q], { direction: 'in', hops: 2 }, { seedList });
    expect(perpetratorSummary(r)).toEqual([`${P2}@1`]);
    const hit = perpetratorHits(r)[0]!;
    expect(hit).toMatchObject({ direction: 'in', entity: 'test perpetrator 2', perpetrator: { tier: 'official:FBI', incident: 'Fixture theft 2025-03-01' } });
    expect(hit.evidence).toMatchObject({ level: 'label', inference: null });
    expect(hit.path.map((p) => [p.from, p.to])).toEqual([[P2, Q]]);
    const json = toJsonValue(r).hits[0]!;
    expect(json.kind).toBe('known-perpetrator');
    expect(renderText(r, { color: false })).toMatch(/KNOWN PERPETRATOR address reached \(seed list\): 1/);
  });
});

/** A version 1 report of the same run: the fields schema 2 added taken out. */
/** Rewrites stored rows the way an older release left them: raw SQL, beside the store's own API. */
function rewrite(db: string, sql: string, ...params: unknown[]): void {
  const conn = openDb(db);
  try {
    conn.prepare(sql).run(...params);
  } finally {
    conn.close();
  }
}

function downgradeToV1(doc: Record<string, unknown>): Record<string, unknown> {
  const v1 = JSON.parse(JSON.stringify(doc)) as Record<string, unknown> & { hits: Record<string, unknown>[] };
  v1['schemaVersion'] = 1;
  v1.hits = v1.hits.filter((h) => h['kind'] === 'venue');
  for (const h of v1.hits) {
    for (const k of ['kind', 'role', 'evidence', 'perpetrator']) delete h[k];
    for (const st of h['path'] as Record<string, unknown>[]) {
      delete st['fromEvidence'];
      delete st['toEvidence'];
    }
  }
  return v1;
}

describe('old reports', () => {
  it('verify and report still read a version 1 report', async () => {
    const db = tempDb();
    const r = await trace(anvil.url, db, [S2], {}, { seedList });
    const v1 = downgradeToV1(toJsonValue(r) as unknown as Record<string, unknown>);
    const file = join(dirname(db), 'v1.json');
    writeFileSync(file, JSON.stringify(v1));
    const verified = await hoptrace(['verify', file, '--rpc', anvil.url]);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/3 of 3 hops hold/);
    // A run an older hoptrace recorded (its stored report is version 1) is reported from the database.
    const store = createStore(db);
    let run: { id: number };
    try {
      run = recordRun(store, r);
    } finally {
      store.close();
    }
    rewrite(db, 'UPDATE trace_runs SET result = ? WHERE id = ?', JSON.stringify(v1), run.id);
    const report = await hoptrace(['report', '--db', db, '--format', 'md']);
    expect(report.stderr).toBe('');
    expect(report.stdout).toContain('Evidence — label: Binance, exchange');
  });

  it('an endpoint an older release stored with less redaction is masked again when reported', async () => {
    const db = tempDb();
    const r = await trace(anvil.url, db, [S2], {}, { seedList });
    // What the release before the parsing redaction kept: a short key segment, a query part without `=`.
    const old = 'http://127.0.0.1:8545/ab12cd34ef?KEY1234';
    const store = createStore(db);
    let run: { id: number };
    try {
      run = recordRun(store, r);
    } finally {
      store.close();
    }
    rewrite(db, 'UPDATE trace_runs SET rpc = ?, result = ? WHERE id = ?', old, JSON.stringify({ ...toJsonValue(r), rpc: old }), run.id);
    for (const format of ['text', 'json', 'md']) {
      const out = await hoptrace(['report', '--db', db, '--format', format]);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).not.toMatch(/ab12cd34ef|KEY1234/);
    }
  });
});

describe('label roles', () => {
  it('labels add --role sets a user label’s role; labels show prints it; an unknown role is refused', async () => {
    const db = tempDb();
    const address = fresh();
    const added = await hoptrace(['labels', 'add', address, '--entity', 'Exchange X', '--category', 'exchange', '--role', 'deposit', '--source', 'case file 42', '--db', db]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain('role deposit');
    const shown = await hoptrace(['labels', 'show', address, '--db', db]);
    expect(shown.stdout).toContain('role deposit');
    const bad = await hoptrace(['labels', 'add', address, '--entity', 'Exchange X', '--category', 'exchange', '--role', 'customer', '--source', 'x', '--db', db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/role "customer" is not one of hot-wallet, deposit, cold-wallet, contract, unknown/);
    const exported = await hoptrace(['labels', 'export', '--format', 'json', '--db', db]);
    expect(JSON.parse(exported.stdout)).toEqual([expect.objectContaining({ address, role: 'deposit' })]);
  });
});
