/**
 * `hoptrace demo` as a newcomer runs it (`npm run demo` = build + this command): the bundled anvil
 * chain loads, the real trace runs, and the report tells the story fixtures/demo-chain.md promises.
 * A second run reads everything from the database it kept.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startAnvil } from '../src/devchain/anvil.js';
import { DEMO_EXPECTED } from '../src/devchain/demo.js';
import { demoChainPath } from '../src/devchain/paths.js';
import { resolveSeedList } from '../src/labels/seeds.js';
import { packageRoot } from '../src/util/package.js';
import { tempDb } from './helpers/trace.js';

const run = promisify(execFile);
const BIN = join(packageRoot(), 'bin', 'hoptrace.js');

interface DemoJson {
  hits: { kind: string; seed: string; address: string; entity: string; hops: number; path: { from: string; to: string; amount: string }[] }[];
  coverage: { warnings: string[] };
  stats: { rpcCalls: { total: number; byMethod: Record<string, number> } };
}

async function demo(db: string): Promise<DemoJson> {
  const { stdout } = await run(process.execPath, [BIN, 'demo', '--db', db, '--json'], { timeout: 60_000 });
  return JSON.parse(stdout) as DemoJson;
}

describe('hoptrace demo', () => {
  it('finds the Bybit exploiter’s funds at the THORChain router in five hops, then answers from its database', async () => {
    const db = tempDb('demo.db');
    const first = await demo(db);
    const venues = first.hits.filter((h) => h.kind === 'venue');
    expect(venues).toHaveLength(1);
    const hit = venues[0]!;
    // Since report schema 2 the seed-list addresses the funds pass through are known-perpetrator hits
    // of their own (issue 12: reaching the Bybit exploiter's other wallets is a finding): every one is a
    // bundled Bybit seed, and the main path's intermediaries are among them.
    const known = first.hits.filter((h) => h.kind === 'known-perpetrator').map((h) => h.address);
    const bybit = new Set(resolveSeedList('bybit', 'ethereum').map((x) => x.address));
    expect(known.every((a) => bybit.has(a))).toBe(true);
    for (const a of DEMO_EXPECTED.path.slice(1, -1)) expect(known).toContain(a);
    expect([hit.seed, hit.address, hit.entity, hit.hops]).toEqual([
      DEMO_EXPECTED.seed,
      DEMO_EXPECTED.venue.address,
      'THORChain',
      DEMO_EXPECTED.hops,
    ]);
    const visited = [hit.path[0]!.from, ...hit.path.map((st) => st.to)];
    expect([DEMO_EXPECTED.path, DEMO_EXPECTED.alternatePath]).toContainEqual(visited);
    expect(hit.path.at(-1)!.amount).toBe(DEMO_EXPECTED.venueAmount.toString());
    expect(first.coverage.warnings).toEqual([]);
    for (const a of DEMO_EXPECTED.notReached) expect(visited).not.toContain(a);

    const second = await demo(db);
    expect(second.hits).toEqual(first.hits);
    expect(second.stats.rpcCalls.byMethod).toEqual({ eth_chainId: 1, eth_getBlockByNumber: 1 });

    // `path` right after the demo: its default reaches the venue five hops out, amounts in ETH.
    const path = async (...extra: string[]): Promise<string> =>
      (await run(process.execPath, [BIN, 'path', DEMO_EXPECTED.seed, DEMO_EXPECTED.venue.address, '--db', db, ...extra], { timeout: 60_000 })).stdout;
    const found = await path();
    expect(found).toMatch(/^Shortest: 5 transfers\. \d+ simple paths of at most 6 transfers/m);
    expect(found).toContain(' 44.945 ETH  tx ');
    expect(found).toMatch(/^Main path by value \(widest in time order, 6 transfers\): every step carried at least 44\.945 ETH$/m);
    expect(found).not.toContain('native');
    const none = await path('--hops', '3');
    expect(none).toContain('of at most 3 transfers among the');
    expect(none).toContain('Try a longer path (--hops 5)');
  });
});

describe('a seed-list address that a label calls an exchange', () => {
  it('is followed on and never counted as a venue by attribution: the report shows the same graph and venue as without the label', async () => {
    const db = tempDb('demo-labelled.db');
    const perp = DEMO_EXPECTED.path[1]!; // the exploiter's first hop: an FBI-listed Bybit wallet
    await run(process.execPath, [BIN, 'labels', 'add', perp, '--entity', 'Fixture Exchange', '--category', 'exchange', '--source', 'test fixture', '--db', db]);
    const r = await demo(db);
    // The walk went on through it: THORChain is still reached, five hops out.
    expect(r.hits.filter((h) => h.kind === 'venue' && h.entity === 'THORChain').map((h) => h.hops)).toEqual([DEMO_EXPECTED.hops]);
    const { stdout } = await run(process.execPath, [BIN, 'report', '--db', db, '--format', 'json'], { timeout: 60_000 });
    const report = JSON.parse(stdout) as { attribution: { venues: { address: string }[] }; graph: { nodes: { address: string; evidence: string; role: string }[] } };
    expect(report.attribution.venues.map((v) => v.address)).not.toContain(perp);
    expect(report.attribution.venues.map((v) => v.address)).toContain(DEMO_EXPECTED.venue.address);
    // The JSON graph says what the exports say of it: both sources disagree, and it says so.
    expect(report.graph.nodes.find((n) => n.address === perp)?.evidence).toBe('conflict');
    // Seed-list addresses are drawn as what they are, not as anonymous addresses.
    for (const a of DEMO_EXPECTED.path.slice(1, -1)) expect(report.graph.nodes.find((n) => n.address === a)?.role, a).toBe('known-perpetrator');
  });
});

describe('trace --seeds on the demo chain', () => {
  it('traces a whole bundled incident list: every Bybit seed that reaches the router is a hit', async () => {
    const anvil = await startAnvil({ loadState: demoChainPath() });
    try {
      const { stdout } = await run(
        process.execPath,
        [BIN, 'trace', '--seeds', 'bybit', '--rpc', anvil.url, '--db', tempDb(), '--labels-chain', 'ethereum', '--hops', '5', '--json'],
        { timeout: 60_000 },
      );
      const doc = JSON.parse(stdout) as DemoJson & { seeds: { address: string; incident: string | null }[] };
      expect(doc.seeds).toHaveLength(resolveSeedList('bybit', 'ethereum').length);
      expect(doc.seeds.every((s) => s.incident?.startsWith('Bybit'))).toBe(true);
      // Every address of the main path is itself a Bybit seed: each reaches the router in fewer hops.
      const bySeed = new Map(doc.hits.map((h) => [h.seed, h.hops]));
      DEMO_EXPECTED.path.slice(0, -1).forEach((address, i) => expect(bySeed.get(address), address).toBe(DEMO_EXPECTED.hops - i));
      expect(new Set(doc.hits.map((h) => h.address))).toEqual(new Set([DEMO_EXPECTED.venue.address]));
    } finally {
      await anvil.stop();
    }
  });
});

describe('hoptrace demo --across-chains', () => {
  it('reaches the two labelled venues on BSC across THORChain and Across, and puts the Bitcoin exit on the frontier; text and JSON agree', async () => {
    const db = tempDb('across.db');
    const { stdout } = await run(process.execPath, [BIN, 'demo', '--across-chains', '--db', db, '--json'], { timeout: 120_000 });
    const doc = JSON.parse(stdout) as {
      hits: { kind: string; entity: string; chainId: number; hops: number; path: { chainId: number; crossing: { protocol: string; link: { evidence: string } } | null }[] }[];
      frontier: { chain: string; protocol: string; reason: string }[];
      crossings: { protocol: string; link: { evidence: string } }[];
    };
    const venues = doc.hits.filter((h) => h.kind === 'venue');
    expect(venues.map((h) => [h.entity, h.chainId, h.hops]).sort()).toEqual([
      ['Demo venue A', 56, 4],
      ['Demo venue B', 56, 4],
    ]);
    // Each venue's path leaves chain 1 by a crossing the protocol links itself (a fact).
    for (const v of venues) {
      const crossing = v.path.find((s) => s.crossing !== null)?.crossing;
      expect(crossing?.link.evidence).toBe('fact');
      expect(v.path[0]!.chainId).toBe(1);
      expect(v.path[v.path.length - 1]!.chainId).toBe(56);
    }
    expect(doc.crossings.map((c) => [c.protocol, c.link.evidence]).sort()).toEqual([
      ['across', 'fact'],
      ['op-standard-bridge', 'inference'],
      ['thorchain', 'fact'],
    ]);
    expect(doc.frontier.map((f) => [f.protocol, f.reason]).sort()).toEqual([
      ['across', 'no-endpoint'],
      ['thorchain', 'non-evm'],
    ]);
    // The database the demo wrote is read back by report, and the text names the same venues and exit.
    const text = await run(process.execPath, [BIN, 'report', '--db', db, '--no-color'], { timeout: 60_000 });
    expect(text.stdout).toContain('Demo venue A');
    expect(text.stdout).toContain('Demo venue B');
    expect(text.stdout).toMatch(/left to BTC bc1q\w+ via THORChain, at least 120 BTC promised/);
  }, 150_000);

  it('refuses a --db that exists in one sentence (its chains are new each time), and leaves the file as it was', async () => {
    const db = tempDb('exists.db');
    writeFileSync(db, 'an earlier file of the user\n');
    const before = readFileSync(db);
    const r = await run(process.execPath, [BIN, 'demo', '--across-chains', '--db', db]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^hoptrace: --db .* exists: the across-chains demo builds new chains each time/);
    expect(readFileSync(db)).toEqual(before);
  });
});
