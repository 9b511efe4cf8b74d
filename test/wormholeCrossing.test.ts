/**
 * A Wormhole crossing names the asset it saw, and only that. The cross-chain scenario's Wormhole path
 * (src/devchain/crossChain.ts, `{ wormhole: true }`): the mule sends two transfers over the token bridge from
 * chain 1 to BSC; one is redeemed in a token (the payee's ERC-20 Transfer in the redeeming transaction,
 * read from its receipt, names asset and amount), the other in BSC's coin, which no log names. Here the
 * BSC node (behind a proxy, 127.0.0.1) serves no trace_transaction for that redemption, so its call tree
 * cannot show the coin either (test/arrivalReceipt.test.ts reads it where it can): that step says the
 * asset is not named — in JSON (null, valid against the schema), text, Markdown, HTML and the graph
 * exports — rather than claiming the native coin, and its amount is said to be the exit's promise, not
 * seen, in each of them: the JSON step's `promised`, a note under the step in text, Markdown and HTML,
 * and the export edge's value and evidence (`promise`, not `fact`; the link keeps its basis). Both payees
 * are labelled here as venues, so each crossing step ends a hit's path. Accounts are anvil's own dev accounts; the token is a fixture TestToken.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse as parseCsv } from 'csv-parse/sync';
import graphology from 'graphology';
import gexf from 'graphology-gexf';
import graphml from 'graphology-graphml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCrossChainScenario, crossChainRegistry, type CrossChainScenario, type WormholePath } from '../src/devchain/crossChain.js';
import { PROMISED_NOT_SEEN } from '../src/report/attribution.js';
import { packageRoot } from '../src/util/package.js';
import { shapeProblem } from '../src/verify/shape.js';
import { hoptrace } from './helpers/cli.js';
import { startHostileNode, type Lie } from './helpers/hostileNode.js';

const ETH = 10n ** 18n;
const { MultiDirectedGraph } = graphology;
/** What the graph exports say of the crossing edge whose amount is the exit's promise. */
const PROMISED_VALUE = "0.5 (asset not named; the exit's promise, not seen)";

describe('a Wormhole crossing names the asset its arrival paid, or says it is not named', () => {
  let scenario: CrossChainScenario | undefined;
  let wh: WormholePath;
  let dir: string;
  let db: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON report, read field by field
  let doc: Record<string, any>;

  beforeAll(async () => {
    scenario = await buildCrossChainScenario({ wormhole: true });
    wh = scenario.wormhole!;
    dir = mkdtempSync(join(tmpdir(), 'hoptrace-wormhole-'));
    db = join(dir, 'x.db');
    for (const [address, entity] of [[wh.tokenRecipient, 'Payee T'], [wh.nativeRecipient, 'Payee N']] as const) {
      const label = await hoptrace(['labels', 'add', address, '--db', db, '--chain', 'bsc', '--entity', entity, '--category', 'exchange', '--source', 'test fixture (anvil dev account)', '--role', 'hot-wallet']);
      expect(label.code, label.stderr).toBe(0);
    }
    // A node without trace_transaction, as far as the coin redemption goes.
    const noTree: Lie = async (call, ctx) =>
      call.method === 'trace_transaction' && String(call.params[0]).toLowerCase() === wh.tx.nativeOut
        ? { json: { jsonrpc: '2.0', id: call.id, error: { code: -32601, message: 'the method trace_transaction does not exist/is not available' } } }
        : { json: await ctx.forward() };
    const bsc = await startHostileNode(scenario.bsc.anvil.url, noTree, { maxRequests: 5_000, maxMs: 120_000 });
    const r = await hoptrace(['trace', scenario.who.seed, '--rpc', `ethereum=${scenario.eth.anvil.url}`, '--rpc', `bsc=${bsc.url}`, '--db', db, '--hops', '5', '--json']).finally(() => bsc.stop());
    expect(r.code, r.stderr).toBe(0);
    doc = JSON.parse(r.stdout) as Record<string, unknown>;
  }, 180_000);

  afterAll(async () => {
    await scenario?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The crossing step into `payee` on a hit's path. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const stepInto = (payee: string): Record<string, any> => {
    for (const h of doc.hits) for (const s of h.path) if (s.kind === 'bridge' && s.to === payee) return s;
    throw new Error(`no crossing step into ${payee}`);
  };

  it('follows both transfers by their Wormhole link (a fact) to their payees', () => {
    const crossings = doc.crossings.filter((c: { protocol: string }) => c.protocol === 'wormhole');
    expect(crossings.map((c: { to: string; from: string; link: { evidence: string } }) => [c.to, c.from, c.link.evidence]).sort()).toEqual(
      [[wh.tokenRecipient, crossChainRegistry().wormholeCore1, 'fact'], [wh.nativeRecipient, crossChainRegistry().wormholeCore1, 'fact']].sort(),
    );
    expect(stepInto(wh.tokenRecipient).txHash).toBe(wh.tx.tokenOut);
    expect(stepInto(wh.nativeRecipient).txHash).toBe(wh.tx.nativeOut);
  });

  it("names the token the payee's Transfer carried, with the amount it carried", () => {
    expect(stepInto(wh.tokenRecipient)).toMatchObject({ chainId: 56, asset: wh.token, symbol: 'tWETH', decimals: 18, amount: String(ETH) });
    // An amount seen: no promise flag.
    expect(stepInto(wh.tokenRecipient)).not.toHaveProperty('promised');
  });

  it('names no asset where no log does, in JSON (valid against the schema) and never the native coin', () => {
    // The amount is the exit's promise in Wormhole's 8-decimal units (0.5 ETH → 50,000,000).
    // The step says the amount is that promise, not seen (`promised`), as notAttributed[].traced[] does.
    expect(stepInto(wh.nativeRecipient)).toMatchObject({ chainId: 56, asset: null, symbol: null, decimals: 8, amount: String(ETH / 2n / 10n ** 10n), promised: true });
    // verify reads the report (its shape check accepts the flag on a crossing step).
    expect(shapeProblem(doc)).toBeNull();
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schema', 'trace-report.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020.default({ strict: false }).compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it('counts both payees as venues reached, alike in every output, the unnamed asset said as such', async () => {
    const r = await hoptrace(['report', '--db', db, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const full = JSON.parse(r.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(full.attribution.venuesReached).toMatchObject({ count: 2, onOtherChains: 2 });
    const traced = Object.fromEntries(full.attribution.notAttributed.map((v: { address: string; traced: unknown }) => [v.address, v.traced]));
    expect(traced[wh.tokenRecipient]).toEqual([{ asset: wh.token, symbol: 'tWETH', decimals: 18, amount: String(ETH) }]);
    // Not a delivery seen: the exit's promise, said so (`promised`).
    expect(traced[wh.nativeRecipient]).toEqual([{ asset: null, symbol: null, decimals: 8, amount: String(ETH / 2n / 10n ** 10n), promised: true }]);
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schema', 'trace-report.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020.default({ strict: false }).compile(schema);
    expect(validate(full), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const text = await hoptrace(['report', '--db', db, '--no-color']);
    expect(text.stdout).toMatch(/venues reached {2}2 \(0 sanctioned, 0 high risk; 2 on other chains/);
    expect(text.stdout).toContain("promised 0.5 (asset not named) (not seen: the exit's promise on its source chain");
    expect(text.stdout).not.toContain('traced   0.5 (asset not named)');
    expect(text.stdout).toContain('traced   1 tWETH (fact: the movements the walk followed into it)');
    const csv = await hoptrace(['report', '--db', db, '--format', 'csv']);
    const rows = parseCsv(csv.stdout, { columns: true }) as Record<string, string>[];
    expect(new Set(rows.filter((x) => x.reached_as === 'venue').map((x) => x.venue))).toEqual(new Set([wh.tokenRecipient, wh.nativeRecipient]));
    const byVenue = Object.fromEntries(rows.filter((x) => x.reached_as === 'venue').map((x) => [x.venue, x.model]));
    expect([byVenue[wh.tokenRecipient], byVenue[wh.nativeRecipient]]).toEqual(['traced', 'promised']);
  });

  it('says so in text, Markdown, HTML and the edge exports, beside the token the other step names', async () => {
    const text = await hoptrace(['report', '--db', db, '--no-color']);
    expect(text.code, text.stderr).toBe(0);
    const short = (a: string): string => `⇒ ${a.slice(0, 6)}`;
    // Under the step, after its link (a fact): a note that its amount is the exit's promise, not seen.
    const lines = text.stdout.split('\n');
    const under = (short: string): string[] => {
      const i = lines.findIndex((l) => l.includes('⇒') && l.toLowerCase().includes(short));
      return lines.slice(i + 1, i + 3).map((l) => l.trim());
    };
    expect(under(short(wh.nativeRecipient))[0]).toMatch(/^bridge .*link fact/);
    expect(under(short(wh.nativeRecipient))[1]).toBe(`note   ${PROMISED_NOT_SEEN}`);
    expect(under(short(wh.tokenRecipient))[1]).not.toContain(PROMISED_NOT_SEEN);
    // The step's line: `[ethereum → bsc] 0x98F3…288b ⇒ 0xa0Ee…9720  0.5 (asset not named) …` (addresses checksummed).
    const step = (out: string, short: string): string => out.split('\n').find((l) => l.includes('⇒') && l.toLowerCase().includes(short)) ?? '';
    expect(step(text.stdout, short(wh.nativeRecipient))).toContain('0.5 (asset not named)');
    expect(step(text.stdout, short(wh.nativeRecipient))).not.toMatch(/BNB|native/);
    expect(step(text.stdout, short(wh.tokenRecipient))).toContain('1 tWETH');
    // The payee's hit says what arrived, not "none recorded".
    expect(text.stdout).toContain("0.5 (asset not named)  not seen: the exit's promise on its source chain (no log of the arrival names what was paid)");
    for (const format of ['md', 'html']) {
      const r = await hoptrace(['report', '--db', db, '--format', format]);
      expect(r.code, r.stderr).toBe(0);
      // HTML sets the figure in its own span: `<span class="n">0.5</span> (asset not named)`.
      expect(r.stdout.replace(/<span class="n">([^<]*)<\/span>/g, '$1'), format).toContain('0.5 (asset not named)');
      // And says it is the exit's promise, not a delivery seen.
      expect(r.stdout, format).toContain('not seen: the exit');
    }
    // In the path tables too, on the crossing step itself (not only in the venue table).
    const md = (await hoptrace(['report', '--db', db, '--format', 'md'])).stdout.split('\n');
    const mdRow = md.findIndex((l) => l.startsWith('|') && l.toLowerCase().includes(wh.tx.nativeOut.toLowerCase()));
    expect(md[mdRow + 1]).toMatch(/^\| \| (\| )?bridge /);
    expect(md[mdRow + 2]).toContain("note: not seen: the exit's promise on its source chain");
    const mdToken = md.findIndex((l) => l.startsWith('|') && l.toLowerCase().includes(wh.tx.tokenOut.toLowerCase()));
    expect(md[mdToken + 2] ?? '').not.toContain('note: not seen');
    const html = (await hoptrace(['report', '--db', db, '--format', 'html'])).stdout;
    const rowOf = (tx: string): string => html.split('<tr').find((r) => r.startsWith(' class="crossing"') && r.toLowerCase().includes(tx.toLowerCase())) ?? '';
    expect(rowOf(wh.tx.nativeOut)).toContain('<small class="promised">not seen: the exit');
    expect(rowOf(wh.tx.tokenOut)).not.toBe('');
    expect(rowOf(wh.tx.tokenOut)).not.toContain('class="promised"');
    const edges = await hoptrace(['export', '--db', db, '--format', 'csv']);
    expect(edges.code, edges.stderr).toBe(0);
    const rows = parseCsv(edges.stdout, { columns: true }) as Record<string, string>[];
    const native = rows.find((r) => r.kind === 'bridge' && r.txHash === wh.tx.nativeOut)!;
    // The edge's link is the protocol's (its basis), but its amount is the exit's promise: not a fact seen.
    expect([native.asset, native.value, native.evidence, native.basis]).toEqual(['', PROMISED_VALUE, 'promise', 'protocol-link']);
    const token = rows.find((r) => r.kind === 'bridge' && r.txHash === wh.tx.tokenOut)!;
    expect([token.asset, token.symbol, token.amount, token.evidence, token.basis]).toEqual([wh.token, 'tWETH', String(ETH), 'fact', 'protocol-link']);
    // GEXF and GraphML, read back by their own parsers, and the JSON report's graph: the same edge alike.
    for (const format of ['gexf', 'graphml'] as const) {
      const r = await hoptrace(['export', '--db', db, '--format', format]);
      expect(r.code, r.stderr).toBe(0);
      const g = (format === 'gexf' ? gexf : graphml).parse(MultiDirectedGraph, r.stdout);
      const edge = (tx: string): Record<string, unknown> => g.getEdgeAttributes(g.findEdge((_k, a) => a.kind === 'bridge' && a.txHash === tx)!);
      expect([edge(wh.tx.nativeOut).value, edge(wh.tx.nativeOut).evidence, edge(wh.tx.nativeOut).basis], format).toEqual([PROMISED_VALUE, 'promise', 'protocol-link']);
      expect(edge(wh.tx.tokenOut).evidence, format).toBe('fact');
    }
    const full = JSON.parse((await hoptrace(['report', '--db', db, '--format', 'json'])).stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const jsonEdge = (tx: string): Record<string, unknown> => full.graph.edges.find((e: { kind: string; txHash: string }) => e.kind === 'bridge' && e.txHash === tx);
    expect(jsonEdge(wh.tx.nativeOut)).toMatchObject({ value: PROMISED_VALUE, evidence: 'promise', basis: 'protocol-link' });
  });
});
