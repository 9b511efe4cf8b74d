/**
 * One `hoptrace trace` across three real anvil chains (ids 1, 56 and 10: THORChain's ETH and BSC codes
 * and OP Mainnet map to them). The fixture emitters (fixtures/contracts/bridges) are placed at the
 * addresses data/bridges.csv lists for those chains (anvil_setCode), so the shipped registry is the one
 * the CLI reads. From a seed on chain 1 the funds cross THORChain to BSC (exact link: OUT:<hash>), Across
 * to BSC (id link) and the OP standard bridge to OP Mainnet (same address, an inference); on BSC they
 * reach two venues labelled with `labels add`. A THORChain swap to Bitcoin and an Across deposit to a
 * chain without an endpoint are exits on the frontier; a look-alike router outside the registry, and a
 * look-alike payout naming the real inbound, are not followed. Accounts are anvil's own dev accounts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import { buildCrossChainScenario, crossChainRegistry, SCENARIO_BITCOIN, type CrossChainScenario, type ScenarioSide } from '../src/devchain/crossChain.js';
import { loadBridgeRegistry, parseBridgeRegistry, type BridgeRow } from '../src/bridges/registry.js';
import { packageRoot } from '../src/util/package.js';
import { hoptrace } from './helpers/cli.js';
import Database from 'better-sqlite3';
import { parse as parseCsv } from 'csv-parse/sync';
import graphology from 'graphology';
import gexf from 'graphology-gexf';

const ETH = 10n ** 18n;
const REGISTRY = crossChainRegistry();

describe('the scenario\'s bridge contracts', () => {
  it('are rows of the shipped data/bridges.csv, each with its public source; a missing or doubled row is refused', () => {
    const shipped = loadBridgeRegistry();
    for (const [name, address] of Object.entries(REGISTRY)) {
      const rows = shipped.rows.filter((r) => r.address === address);
      expect(rows.length, name).toBeGreaterThan(0);
      for (const r of rows) expect(r.source, name).toMatch(/https:\/\//);
    }
    expect(new Set(Object.values(REGISTRY)).size).toBe(Object.keys(REGISTRY).length);
    /** A registry of the given rows, read as the CSV would be. */
    const registryOf = (rows: readonly BridgeRow[]) =>
      parseBridgeRegistry(rows.map((r, i) => ({ line: i + 2, row: { chain_id: String(r.chainId), address: r.address, protocol: r.protocol, role: r.role, remote_chain_id: r.remoteChainId === null ? '' : String(r.remoteChainId), source: r.source } })));
    expect(() => crossChainRegistry(registryOf(shipped.rows.filter((r) => !(r.chainId === 56 && r.protocol === 'across'))))).toThrow(/0 across spoke-pool rows on chain 56; the cross-chain scenario needs exactly one/);
    const extra = registryOf([...shipped.rows, { ...shipped.rows.find((r) => r.protocol === 'thorchain' && r.chainId === 1)!, address: '0x' + '11'.repeat(20) }]);
    expect(() => crossChainRegistry(extra)).toThrow(/2 thorchain router rows on chain 1/);
  });
});

describe('one trace across THORChain, Across and the OP standard bridge', () => {
  let eth: ScenarioSide;
  let bsc: ScenarioSide;
  let op: ScenarioSide;
  let scenario: CrossChainScenario | undefined;
  let dir: string;
  let db: string;
  let who: CrossChainScenario['who'];
  let tx: CrossChainScenario['tx'];
  const bitcoin = SCENARIO_BITCOIN;

  beforeAll(async () => {
    scenario = await buildCrossChainScenario();
    ({ eth, bsc, op, who, tx } = scenario);
    dir = mkdtempSync(join(tmpdir(), 'hoptrace-xchain-'));
    db = join(dir, 'x.db');
    for (const [address, entity] of [[who.venueA, 'Venue A'], [who.venueB, 'Venue B']] as const) {
      const r = await hoptrace(['labels', 'add', address, '--db', db, '--chain', 'bsc', '--entity', entity, '--category', 'exchange', '--source', 'test fixture (anvil dev account)', '--role', 'hot-wallet']);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);

  afterAll(async () => {
    await scenario?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const args = (): string[] => ['trace', who.seed!, '--rpc', `ethereum=${eth.anvil.url}`, '--rpc', `bsc=${bsc.anvil.url}`, '--rpc', `10=${op.anvil.url}`, '--db', db, '--hops', '5'];

  it('crosses three bridges into a venue on BSC, leaves for Bitcoin, and the text says what the JSON says', async () => {
    const json = await hoptrace([...args(), '--json']);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as Record<string, any>;
    expect(doc.schemaVersion).toBe(3);
    expect(doc.chains.map((c: any) => [c.chainId, c.home])).toEqual([[1, true], [10, false], [56, false]]);
    // The two user labels are BSC's: applied on the chain they name, and counted for the run.
    expect(doc.labels.userLabels).toBe(2);

    // The crossings: THORChain exact, Across by id, OP by inference; never the look-alikes.
    const byProtocol = Object.fromEntries(doc.crossings.map((c: any) => [c.protocol, c]));
    expect(doc.crossings).toHaveLength(3);
    expect(byProtocol.thorchain).toMatchObject({
      fromChainId: 1, toChainId: 56, from: REGISTRY.thorRouter1, to: who.thorRecipient,
      exit: { txHash: tx.thorIn, contract: REGISTRY.thorRouter1 }, arrival: { txHash: tx.thorOut, contract: REGISTRY.thorRouter56 },
      link: { evidence: 'fact', basis: 'protocol-link', kind: 'exact', confidence: 'certain' },
    });
    expect(byProtocol.across).toMatchObject({ toChainId: 56, to: who.acrossRecipient, arrival: { txHash: tx.acrossFill }, link: { evidence: 'fact', kind: 'id', key: expect.stringContaining('1') } });
    expect(byProtocol['op-standard-bridge']).toMatchObject({ toChainId: 10, to: who.mule, arrival: { txHash: tx.opOut }, link: { evidence: 'inference', basis: 'heuristic', confidence: 'medium' } });
    for (const c of doc.crossings) expect(c.arrival.timestamp).toBeGreaterThanOrEqual(c.exit.timestamp);

    // The venue on BSC, reached over the THORChain crossing: the hop count runs on, each step with its chain.
    const venueA = doc.hits.find((h: any) => h.address === who.venueA);
    expect(venueA).toMatchObject({ kind: 'venue', chainId: 56, seed: who.seed, entity: 'Venue A', hops: 4 });
    expect(venueA.path.map((s: any) => [s.chainId, s.kind])).toEqual([[1, 'native'], [1, 'native'], [56, 'bridge'], [56, 'native']]);
    expect(venueA.path[2].crossing.protocol).toBe('thorchain');
    expect(venueA.path[2]).toMatchObject({ txHash: tx.thorOut, from: REGISTRY.thorRouter1, to: who.thorRecipient, amount: String(5n * ETH), symbol: 'BNB' });
    const times = venueA.path.map((s: any) => s.timestamp as number);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const venueB = doc.hits.find((h: any) => h.address === who.venueB);
    expect(venueB).toMatchObject({ kind: 'venue', chainId: 56, hops: 4 });
    expect(venueB.path[2].crossing.protocol).toBe('across');

    // The exits: Bitcoin (not EVM) and Polygon (no endpoint), each a hit and a frontier row.
    const exits = doc.hits.filter((h: any) => h.kind === 'exit');
    expect(exits.map((h: any) => h.exit.reason).sort()).toEqual(['no-endpoint', 'non-evm']);
    const btc = exits.find((h: any) => h.exit.reason === 'non-evm');
    expect(btc).toMatchObject({ address: REGISTRY.thorRouter1, chainId: 1, hops: 2, via: 'bridge', exit: { txHash: tx.btc, evidence: 'fact', promise: 'protocol', destination: { kind: 'named', code: 'BTC' }, recipient: { text: bitcoin }, promised: { asset: 'BTC.BTC', amount: '12000000000', amountKind: 'minimum', decimals: 8 } } });
    expect(btc.exit.summary).toBe(`left to BTC ${bitcoin} via THORChain, at least 120 BTC promised`);
    expect(doc.frontier.map((f: any) => [f.chain, f.address, f.protocol, f.txHash, f.reason])).toEqual([
      ['polygon', who.acrossRecipient, 'across', tx.polygon, 'no-endpoint'],
      ['Bitcoin', bitcoin, 'thorchain', tx.btc, 'non-evm'],
    ]);

    // The look-alike router is an ordinary address: no exit, no crossing, and its payout is no link.
    expect(JSON.stringify(doc.crossings)).not.toContain(who.fake56);
    expect(exits.map((h: any) => h.address)).not.toContain(who.fake1);
    expect(doc.frontier.map((f: any) => f.txHash)).not.toContain(tx.fake);

    // The report is valid against the published schema.
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schema', 'trace-report.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020.default({ strict: false }).compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);

    // The text report shows the same crossings, venues and exits.
    const text = await hoptrace(args());
    expect(text.code, text.stderr).toBe(0);
    for (const e of exits) expect(text.stdout).toContain(e.exit.summary);
    for (const c of doc.crossings) expect(text.stdout).toContain(c.arrival.txHash);
    for (const h of doc.hits.filter((x: any) => x.kind === 'venue')) expect(text.stdout).toContain(h.entity);
    for (const f of doc.frontier) expect(text.stdout).toMatch(new RegExp(`${f.address}.*tx ${f.txHash} \\(chain ${f.fromChainId}\\) — `));
    expect(text.stdout).toContain(`${doc.hits.length} hits (2 venue hits, 0 known perpetrators, 2 exits to chains not followed)`);

    // The stored run reads back from the database alone, with the same crossings and frontier.
    const stored = await hoptrace(['report', '--db', db, '--format', 'json']);
    expect(stored.code, stored.stderr).toBe(0);
    const again = JSON.parse(stored.stdout) as Record<string, any>;
    expect(again.crossings).toEqual(doc.crossings);
    expect(again.frontier).toEqual(doc.frontier);
    for (const format of ['text', 'html', 'csv']) {
      const r = await hoptrace(['report', '--db', db, '--format', format]);
      expect(r.code, `${format}: ${r.stderr}`).toBe(0);
    }
    const exported = await hoptrace(['export', '--db', db, '--format', 'csv']);
    expect(exported.code, exported.stderr).toBe(0);
  }, 180_000);

  it('records every chain\'s traced movements: the exported graph, the JSON graph and the edge CSV hold each hit\'s steps on every chain, and nothing else', async () => {
    const run = await hoptrace([...args(), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const rep = await hoptrace(['report', '--db', db, '--format', 'json']);
    expect(rep.code, rep.stderr).toBe(0);
    const doc = JSON.parse(rep.stdout) as Record<string, any>;
    const gx = await hoptrace(['export', '--db', db, '--format', 'gexf']);
    expect(gx.code, gx.stderr).toBe(0);
    const g = gexf.parse(graphology.MultiDirectedGraph, gx.stdout);
    const csv = await hoptrace(['export', '--db', db, '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const csvRows = parseCsv(csv.stdout, { columns: true }) as Record<string, string>[];

    // The walk's own record, read as plain SQLite: its movements on every chain, each with its chain.
    const conn = new Database(db, { readonly: true });
    const recorded = conn
      .prepare(`SELECT chain_id, tx_hash, ref FROM trace_run_edges WHERE run_id = (SELECT MAX(id) FROM trace_runs)`)
      .all() as { chain_id: number; tx_hash: string; ref: string }[];
    conn.close();
    // (On chain 10 the OP arrival's recipient sends nothing on: the crossing edge is all the graph has there.)
    expect([...new Set(recorded.map((e) => e.chain_id))].sort((a, b) => a - b)).toEqual([1, 56]);

    // Every step of every hit's path is an edge of the exported graph, between its chain's nodes.
    const steps = doc.hits.flatMap((h: any) => h.path) as any[];
    expect(steps.some((s) => s.chainId === 56 && s.kind !== 'bridge')).toBe(true);
    for (const s of steps) {
      const key = `${s.txHash}:${s.ref}`;
      expect(g.hasEdge(key), `step ${key} on chain ${s.chainId}`).toBe(true);
      const fromChain = s.kind === 'bridge' ? s.crossing.fromChainId : s.chainId;
      expect(g.source(key)).toBe(`eip155:${fromChain}:${s.from}`);
      expect(g.target(key)).toBe(`eip155:${s.chainId}:${s.to}`);
      expect(g.getEdgeAttribute(key, 'amount')).toBe(s.amount);
      expect(Number(g.getEdgeAttribute(key, 'chainId'))).toBe(s.chainId);
    }
    // And the graph's movements are exactly those the walk followed (crossings and exits besides).
    const moved = g.filterEdges((_k, a) => a.kind !== 'bridge' && a.kind !== 'exit');
    expect(moved.map((k) => `${Number(g.getEdgeAttribute(k, 'chainId'))}|${k}`).sort()).toEqual(recorded.map((e) => `${e.chain_id}|${e.tx_hash}:${e.ref}`).sort());
    expect(g.filterEdges((_k, a) => a.kind === 'bridge')).toHaveLength(doc.crossings.length);
    // The JSON graph and the edge CSV are the same graph.
    expect(doc.graph.edges.map((e: any) => `${e.source}>${e.target}|${e.key}|${e.amount}`).sort()).toEqual(g.mapEdges((k, a, s, t) => `${s}>${t}|${k}|${a.amount}`).sort());
    // (The CSV leaves the chain of a destination off the EVM empty, where the graph has -1.)
    const chainField = (v: unknown): string => (Number(v) === -1 ? '' : String(Number(v)));
    expect(csvRows.map((r) => `${r.fromChainId}:${r.from}>${r.toChainId}:${r.to}|${r.txHash}:${r.ref}|${r.amount}`).sort()).toEqual(
      g.mapEdges((k, a, _s, _t, sa, ta) => `${chainField(a.fromChainId)}:${String(sa.address)}>${chainField(a.toChainId)}:${String(ta.address)}|${k}|${String(a.amount)}`).sort(),
    );
    // No model ran off the home chain: another chain's movement carries no taint figure (empty, not zero;
    // GEXF leaves an empty attribute out).
    for (const k of moved) {
      const a = g.getEdgeAttributes(k);
      const j = doc.graph.edges.find((e: any) => e.key === k);
      if (Number(a.chainId) === 1) expect(String(a.taintPoison)).toMatch(/^[0-9]+$/);
      else {
        expect([a.taintPoison, a.taintHaircut, a.taintFifo].map((v) => String(v ?? ''))).toEqual(['', '', '']);
        expect([j.taintPoison, j.taintHaircut, j.taintFifo]).toEqual(['', '', '']);
      }
    }

    // Attribution never mixes chains: the BSC venues are not in the models, but listed with the traced
    // amounts that reached them (the graph's edges into them), marked, in JSON, CSV and text.
    const att = doc.attribution;
    expect(att.venues.filter((v: any) => v.chainId !== 1)).toEqual([]);
    const venues = doc.hits.filter((h: any) => h.kind === 'venue' && h.chainId === 56);
    expect(att.notAttributed.map((v: any) => [v.chainId, v.address]).sort()).toEqual(venues.map((h: any) => [56, h.address]).sort());
    for (const v of att.notAttributed) {
      expect(v).toMatchObject({ evidence: 'fact', attribution: 'not attributed: on another chain than the home chain' });
      const into = moved.filter((k) => g.target(k) === `eip155:56:${v.address}`);
      expect(v.arrivals).toBe(into.length);
      expect(v.traced).toEqual([{ asset: 'native', symbol: 'BNB', decimals: 18, amount: into.reduce((n, k) => n + BigInt(g.getEdgeAttribute(k, 'amount') as string), 0n).toString() }]);
      // Its arrival's time is its own chain's (the same as the hit's last step), not "time unknown".
      const hit = venues.find((h: any) => h.address === v.address);
      // The hop count runs on across the crossing: the edge into it has the hit's hop count.
      for (const k of into) expect(Number(g.getEdgeAttribute(k, 'hop'))).toBe(hit.hops);
      expect(v.first.timestamp).toBe(hit.path[hit.path.length - 1].timestamp);
      expect(v.first.timestamp).toEqual(expect.any(Number));
    }
    const venueCsv = await hoptrace(['report', '--db', db, '--format', 'csv']);
    expect(venueCsv.code, venueCsv.stderr).toBe(0);
    const marked = (parseCsv(venueCsv.stdout, { columns: true }) as Record<string, string>[]).filter((r) => r.attribution === 'not attributed: on another chain than the home chain');
    expect(marked.map((r) => [r.chain_id, r.venue, r.model, r.symbol, r.amount, r.first_time]).sort()).toEqual(
      att.notAttributed.map((v: any) => ['56', v.address, 'traced', 'BNB', v.traced[0].amount, new Date(v.first.timestamp * 1000).toISOString()]).sort(),
    );
    for (const format of ['text', 'html', 'md']) {
      const r = await hoptrace(['report', '--db', db, '--format', format]);
      expect(r.code, `${format}: ${r.stderr}`).toBe(0);
      expect(r.stdout, format).toContain('not attributed: on another chain than the home chain');
    }
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schema', 'trace-report.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020.default({ strict: false }).compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  }, 180_000);

  it('verifies a cross-chain report one chain at a time', async () => {
    const file = join(dir, 'report.json');
    const r = await hoptrace([...args(), '--json', '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { hits: { path: { chainId: number; kind: string }[] }[] };
    const onChain = (id: number): number => new Set(doc.hits.flatMap((h) => h.path.filter((s) => s.chainId === id && s.kind !== 'bridge').map((s) => JSON.stringify(s)))).size;
    for (const [url, id] of [[eth.anvil.url, 1], [`bsc=${bsc.anvil.url}`, 56]] as const) {
      const v = await hoptrace(['verify', file, '--rpc', url, '--json']);
      expect(v.code, v.stderr).toBe(0);
      const out = JSON.parse(v.stdout) as { chainId: number; checks: { ok: boolean }[]; failed: number; notChecked: number };
      expect(out.chainId).toBe(id);
      expect(out.failed).toBe(0);
      expect(out.checks.length).toBeGreaterThan(0);
      expect(out.checks.length).toBeLessThanOrEqual(onChain(id));
      expect(out.notChecked).toBeGreaterThan(0);
    }
    // Several endpoints are refused (last-wins would check one chain and say nothing of the others), and a
    // chain with no hop of the report (OP: only a crossing lands there) checks nothing: an error, not "0 of 0 hold".
    const several = await hoptrace(['verify', file, '--rpc', eth.anvil.url, '--rpc', `bsc=${bsc.anvil.url}`]);
    expect(several.code).toBe(2);
    expect(several.stderr).toMatch(/^hoptrace: verify checks one chain with one endpoint: 2 --rpc were given\.$/m);
    const none = await hoptrace(['verify', file, '--rpc', `10=${op.anvil.url}`]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^hoptrace: no hop of .* is on chain 10 \(the node's\): nothing was checked/m);
  }, 120_000);

  it('starts from a seed named on another chain (`bsc:0x…`)', async () => {
    const r = await hoptrace(['trace', `bsc:${who.thorRecipient}`, '--rpc', `ethereum=${eth.anvil.url}`, '--rpc', `bsc=${bsc.anvil.url}`, '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { chainId: number; hits: { address: string; chainId: number; hops: number }[] };
    expect(doc.chainId).toBe(1);
    expect(doc.hits).toContainEqual(expect.objectContaining({ address: who.venueA, chainId: 56, hops: 1 }));
    // The seed's chain is in the report: it is not the home chain's address of the same hex.
    expect(doc).toMatchObject({ seeds: [{ address: who.thorRecipient, chainId: 56 }] });
    // `0x…` and `<home chain>:0x…` are one seed.
    const same = await hoptrace(['trace', who.seed!, `ethereum:${who.seed}`, '--rpc', `ethereum=${eth.anvil.url}`, '--rpc', `bsc=${bsc.anvil.url}`, '--db', db, '--hops', '1', '--json']);
    expect(same.code, same.stderr).toBe(0);
    expect((JSON.parse(same.stdout) as { seeds: unknown[] }).seeds).toEqual([expect.objectContaining({ address: who.seed })]);
    expect((JSON.parse(same.stdout) as { seeds: object[] }).seeds[0]).not.toHaveProperty('chainId');
    // One address seeded on two chains is two seeds.
    const both = await hoptrace(['trace', who.thorRecipient!, `bsc:${who.thorRecipient}`, '--rpc', `ethereum=${eth.anvil.url}`, '--rpc', `bsc=${bsc.anvil.url}`, '--db', db, '--json']);
    expect(both.code, both.stderr).toBe(0);
    expect((JSON.parse(both.stdout) as { seeds: { chainId?: number }[] }).seeds.map((x) => x.chainId ?? 1)).toEqual([1, 56]);
    // A run whose home chain (the first named) is not the chain the file was first bound to reads back.
    const bscHome = await hoptrace(['trace', who.thorRecipient!, '--rpc', `bsc=${bsc.anvil.url}`, '--rpc', `ethereum=${eth.anvil.url}`, '--db', db, '--json']);
    expect(bscHome.code, bscHome.stderr).toBe(0);
    expect((JSON.parse(bscHome.stdout) as { chainId: number }).chainId).toBe(56);
    const back = await hoptrace(['report', '--db', db, '--format', 'json']);
    expect(back.code, back.stderr).toBe(0);
    expect((JSON.parse(back.stdout) as { chainId: number }).chainId).toBe(56);
    const refused = await hoptrace(['trace', `optimism:${who.mule}`, '--rpc', `ethereum=${eth.anvil.url}`, '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/has no --rpc in this run/);
  });

  it('diffs two runs of a cross-chain case without mixing chains: amounts keep their chain, other chains\' blocks are not news', async () => {
    const d2 = join(dir, 'diff.db');
    for (const [address, entity] of [[who.venueA, 'Venue A'], [who.venueB, 'Venue B']] as const) {
      const r = await hoptrace(['labels', 'add', address, '--db', d2, '--chain', 'bsc', '--entity', entity, '--category', 'exchange', '--source', 'test fixture (anvil dev account)', '--role', 'hot-wallet']);
      expect(r.code, r.stderr).toBe(0);
    }
    const base = ['trace', who.seed!, '--rpc', `ethereum=${eth.anvil.url}`, '--rpc', `bsc=${bsc.anvil.url}`, '--rpc', `10=${op.anvil.url}`, '--db', d2, '-q'];
    for (const hops of ['3', '5']) expect((await hoptrace([...base, '--hops', hops])).code).toBe(0);
    const r = await hoptrace(['diff', '1', '2', '--db', d2, '--json', '--force']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as Record<string, any>;
    const newVenues = d.hits.new.filter((h: any) => h.address === who.venueA || h.address === who.venueB);
    expect(newVenues).toHaveLength(2);
    // Nothing moved between the two runs: BSC's block numbers must not make them news.
    for (const h of newVenues) expect(h.cause).not.toBe('new-activity');
    const changes = d.amounts.changes as any[];
    expect(changes.length).toBeGreaterThan(0);
    for (const c of changes) {
      if (c.chainId === 56) expect(c.symbol).toBe('BNB');
      else expect([c.chainId, c.symbol]).toEqual([undefined, 'ETH']);
    }
    const listed = d.edges.newListed as any[];
    expect(listed.some((e) => e.chainId === 56)).toBe(true);
    for (const e of listed) if (e.chainId !== 1) expect(e.afterA).toBe(false);
  }, 120_000);

  it('counts the calls of every endpoint of the run, a chain the walk never reached included', async () => {
    const r = await hoptrace(['trace', who.seed!, '--rpc', `ethereum=${eth.anvil.url}`, '--rpc', `bsc=${bsc.anvil.url}`, '--db', join(dir, 'calls.db'), '--hops', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { chains: { chainId: number }[]; stats: { rpcCalls: { byMethod: Record<string, number> } } };
    expect(doc.chains.map((c) => c.chainId)).toEqual([1]); // bsc was never reached…
    expect(doc.stats.rpcCalls.byMethod['eth_chainId']).toBe(2); // …but its endpoint was asked its chain id
  });

  it('refuses an endpoint named for another chain than it serves', async () => {
    const r = await hoptrace(['trace', who.seed!, '--rpc', `bsc=${eth.anvil.url}`, '--db', join(dir, 'refused.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/serves chain 1, not bsc \(chain 56\)/);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });
});
