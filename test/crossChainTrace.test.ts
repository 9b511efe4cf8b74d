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
import { ContractFactory, JsonRpcProvider, type Contract, type JsonRpcSigner } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { packageRoot } from '../src/util/package.js';
import { hoptrace } from './helpers/cli.js';
import Database from 'better-sqlite3';
import { parse as parseCsv } from 'csv-parse/sync';
import graphology from 'graphology';
import gexf from 'graphology-gexf';

const ETH = 10n ** 18n;
interface Artifact {
  abi: unknown[];
  bytecode: string;
}
const artifacts = JSON.parse(readFileSync(join(packageRoot(), 'fixtures/contracts/bridges/artifacts.json'), 'utf8')) as Record<string, Artifact>;

/** The registry's own rows (data/bridges.csv) for the chains of this test. */
const REGISTRY = {
  thorRouter1: '0xd37bbe5744d730a1d98d8dc97c42f0ca46ad7146',
  thorRouter56: '0xb30ec53f98ff5947ede720d32ac2da7e52a5f56b',
  spokePool1: '0x5c7bcd6e7de5423a257d81b442095a1a6ced35c5',
  spokePool56: '0x4e8e101924ede233c13e2d8622dc8aed2872d505',
  opL1Bridge1: '0x99c9fc46f92e8a1c0dec1b1747d010903e884be1',
  opL2Bridge10: '0x4200000000000000000000000000000000000010',
};

interface Side {
  anvil: AnvilHandle;
  provider: JsonRpcProvider;
  signers: JsonRpcSigner[];
}

const started: AnvilHandle[] = [];

async function side(chainId: number): Promise<Side> {
  const anvil = await startAnvil({ chainId });
  started.push(anvil);
  const provider = new JsonRpcProvider(anvil.url, chainId, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
  const signers = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((i) => provider.getSigner(i)));
  return { anvil, provider, signers };
}

/** The fixture emitter `name`, its runtime code placed at `address` on the side's chain. */
async function place(s: Side, name: string, address: string): Promise<Contract> {
  const a = artifacts[name] as Artifact;
  const c = await new ContractFactory(a.abi as never, a.bytecode, s.signers[0]).deploy();
  await c.waitForDeployment();
  const code = await s.provider.getCode(await c.getAddress());
  await s.provider.send('anvil_setCode', [address, code]);
  return new ContractFactory(a.abi as never, a.bytecode).attach(address) as Contract;
}

/** The next block of `s` comes at least `seconds` after block `block` of `other` (time order across chains). */
async function after(s: Side, other: Side, block: number | null | undefined, seconds = 20): Promise<void> {
  const t = (await other.provider.getBlock(block ?? 'latest'))!.timestamp + seconds;
  const mine = (await s.provider.getBlock('latest'))!.timestamp;
  if (t > mine) await s.provider.send('evm_setNextBlockTimestamp', [t]);
}

const sig = (s: Side, i: number): JsonRpcSigner => s.signers[i] as JsonRpcSigner;
const lower = (a: string): string => a.toLowerCase();

describe('one trace across THORChain, Across and the OP standard bridge', () => {
  let eth: Side;
  let bsc: Side;
  let op: Side;
  let dir: string;
  let db: string;
  const who: Record<string, string> = {};
  const tx: Record<string, string> = {};
  const bitcoin = 'bc1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9';

  beforeAll(async () => {
    [eth, bsc, op] = await Promise.all([side(1), side(56), side(10)]);
    dir = mkdtempSync(join(tmpdir(), 'hoptrace-xchain-'));
    db = join(dir, 'x.db');
    const router1 = await place(eth, 'ThorchainRouterEmitter', REGISTRY.thorRouter1);
    const router56 = await place(bsc, 'ThorchainRouterEmitter', REGISTRY.thorRouter56);
    const pool1 = await place(eth, 'AcrossSpokePoolEmitter', REGISTRY.spokePool1);
    const pool56 = await place(bsc, 'AcrossSpokePoolEmitter', REGISTRY.spokePool56);
    const l1 = await place(eth, 'OpStandardBridgeEmitter', REGISTRY.opL1Bridge1);
    const l2 = await place(op, 'OpStandardBridgeEmitter', REGISTRY.opL2Bridge10);
    // A look-alike router outside the registry, on both chains.
    const fakeArt = artifacts.ThorchainRouterEmitter as Artifact;
    const fake1 = (await new ContractFactory(fakeArt.abi as never, fakeArt.bytecode, sig(eth, 0)).deploy()) as Contract;
    const fake56 = (await new ContractFactory(fakeArt.abi as never, fakeArt.bytecode, sig(bsc, 0)).deploy()) as Contract;

    const seed = sig(eth, 1);
    const mule = sig(eth, 2);
    who.seed = lower(await seed.getAddress());
    who.mule = lower(await mule.getAddress());
    who.thorRecipient = lower(await sig(bsc, 3).getAddress());
    who.acrossRecipient = lower(await sig(bsc, 4).getAddress());
    who.vault = lower(await sig(bsc, 5).getAddress());
    who.venueA = lower(await sig(bsc, 6).getAddress());
    who.venueB = lower(await sig(bsc, 7).getAddress());
    who.fakeRecipient = lower(await sig(eth, 7).getAddress());
    who.fake1 = lower(await fake1.getAddress());
    who.fake56 = lower(await fake56.getAddress());

    await (await seed.sendTransaction({ to: who.mule, value: 20n * ETH })).wait();
    const on = (c: Contract, s: JsonRpcSigner): Contract => c.connect(s) as Contract;

    // THORChain, ETH → BNB on BSC, and the vault's payout naming the inbound.
    const thorIn = await (await on(router1, mule).getFunction('deposit')(who.vault, `=:BSC.BNB:${who.thorRecipient}:100000000`, { value: 3n * ETH })).wait();
    tx.thorIn = lower(thorIn!.hash);
    await after(bsc, eth, thorIn!.blockNumber);
    const thorOut = await (await on(router56, sig(bsc, 5)).getFunction('transferOut')(who.thorRecipient, `OUT:${thorIn!.hash.slice(2).toUpperCase()}`, { value: 5n * ETH })).wait();
    tx.thorOut = lower(thorOut!.hash);
    // A look-alike on BSC "pays" the same inbound to someone else: not a link.
    await (await on(fake56, sig(bsc, 5)).getFunction('transferOut')(who.venueB, `OUT:${thorIn!.hash.slice(2).toUpperCase()}`, { value: 1n })).wait();
    await (await sig(bsc, 3).sendTransaction({ to: who.venueA, value: 4n * ETH })).wait();

    // Across, deposit on chain 1 for BSC, filled by a relayer there.
    const acrossIn = await (await on(pool1, mule).getFunction('deposit')(who.acrossRecipient, 56, 2n * ETH - 1000n, 4_000_000_000, { value: 2n * ETH })).wait();
    tx.acrossIn = lower(acrossIn!.hash);
    await after(bsc, eth, acrossIn!.blockNumber);
    const fill = await (await on(pool56, sig(bsc, 0)).getFunction('fill')({ originChainId: 1, depositId: 0, depositor: who.mule, recipient: who.acrossRecipient, inputAmount: 2n * ETH }, { value: 2n * ETH - 1000n })).wait();
    tx.acrossFill = lower(fill!.hash);
    await (await sig(bsc, 4).sendTransaction({ to: who.venueB, value: ETH })).wait();

    // OP standard bridge: the mule's own address on OP Mainnet.
    const opIn = await (await on(l1, mule).getFunction('depositETH')({ value: 1n * ETH })).wait();
    tx.opIn = lower(opIn!.hash);
    await after(op, eth, opIn!.blockNumber, 60);
    const opOut = await (await on(l2, sig(op, 0)).getFunction('finalizeBridgeETH')(who.mule, who.mule, { value: 1n * ETH })).wait();
    tx.opOut = lower(opOut!.hash);

    // THORChain to Bitcoin (120 BTC promised), and Across to Polygon (no endpoint in the run).
    tx.btc = lower((await (await on(router1, mule).getFunction('deposit')(who.vault, `=:b:${bitcoin}:12000000000`, { value: 2n * ETH })).wait())!.hash);
    tx.polygon = lower((await (await on(pool1, mule).getFunction('deposit')(who.acrossRecipient, 137, ETH, 4_000_000_000, { value: ETH })).wait())!.hash);
    // The look-alike router on chain 1: the same Deposit event, not in the registry.
    tx.fake = lower((await (await on(fake1, mule).getFunction('deposit')(who.fakeRecipient, `=:BSC.BNB:${who.venueB}`, { value: ETH / 2n })).wait())!.hash);

    for (const [address, entity] of [[who.venueA, 'Venue A'], [who.venueB, 'Venue B']] as const) {
      const r = await hoptrace(['labels', 'add', address, '--db', db, '--chain', 'bsc', '--entity', entity, '--category', 'exchange', '--source', 'test fixture (anvil dev account)', '--role', 'hot-wallet']);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);

  afterAll(async () => {
    for (const s of [eth, bsc, op]) s?.provider.destroy();
    await Promise.all(started.map((h) => h.stop()));
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
    expect(text.stdout).toContain(`${doc.hits.length} hits (2 venues, 0 known perpetrators, 2 exits to chains not followed)`);

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
      expect(v).toMatchObject({ evidence: 'fact', attribution: 'not attributed: reached across a bridge' });
      const into = moved.filter((k) => g.target(k) === `eip155:56:${v.address}`);
      expect(v.arrivals).toBe(into.length);
      expect(v.traced).toEqual([{ asset: 'native', symbol: 'BNB', decimals: 18, amount: into.reduce((n, k) => n + BigInt(g.getEdgeAttribute(k, 'amount') as string), 0n).toString() }]);
    }
    const venueCsv = await hoptrace(['report', '--db', db, '--format', 'csv']);
    expect(venueCsv.code, venueCsv.stderr).toBe(0);
    const marked = (parseCsv(venueCsv.stdout, { columns: true }) as Record<string, string>[]).filter((r) => r.attribution === 'not attributed: reached across a bridge');
    expect(marked.map((r) => [r.chain_id, r.venue, r.model, r.symbol, r.amount]).sort()).toEqual(att.notAttributed.map((v: any) => ['56', v.address, 'traced', 'BNB', v.traced[0].amount]).sort());
    for (const format of ['text', 'html', 'md']) {
      const r = await hoptrace(['report', '--db', db, '--format', format]);
      expect(r.code, `${format}: ${r.stderr}`).toBe(0);
      expect(r.stdout, format).toContain('not attributed: reached across a bridge');
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
  }, 120_000);

  it('starts from a seed named on another chain (`bsc:0x…`)', async () => {
    const r = await hoptrace(['trace', `bsc:${who.thorRecipient}`, '--rpc', `ethereum=${eth.anvil.url}`, '--rpc', `bsc=${bsc.anvil.url}`, '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { chainId: number; hits: { address: string; chainId: number; hops: number }[] };
    expect(doc.chainId).toBe(1);
    expect(doc.hits).toContainEqual(expect.objectContaining({ address: who.venueA, chainId: 56, hops: 1 }));
    const refused = await hoptrace(['trace', `optimism:${who.mule}`, '--rpc', `ethereum=${eth.anvil.url}`, '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/has no --rpc in this run/);
  });

  it('refuses an endpoint named for another chain than it serves', async () => {
    const r = await hoptrace(['trace', who.seed!, '--rpc', `bsc=${eth.anvil.url}`, '--db', join(dir, 'refused.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/serves chain 1, not bsc \(chain 56\)/);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });
});
