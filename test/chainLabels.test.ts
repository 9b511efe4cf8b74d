/**
 * Labels and seed lists applied per chain in a run that spans several (labels/chainBooks.ts,
 * each chain's books, as a run's connection to that chain holds them): a row of chain X is never looked up for an address on chain Y.
 * Pure: temp data folders, no node, no database.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chainBooks } from '../src/labels/chainBooks.js';
import { addressEvidence, type EvidenceContext } from '../src/trace/evidence.js';
import type { Label } from '../src/types.js';

// Synthetic addresses: they never reach the bundled data.
const BOTH = '0x' + '11'.repeat(20); // a row on ethereum and another on bsc
const BSC_ONLY = '0x' + '22'.repeat(20);
const EVERY = '0x' + '33'.repeat(20); // an evm row
const ETH_SEED = '0x' + '44'.repeat(20);
const USER_ETH = '0x' + '55'.repeat(20);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function data(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hoptrace-chainlabels-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'exchanges.csv'),
    [
      'address,chain,entity,category,jurisdiction,risk,source,role',
      `${BOTH},ethereum,On Ethereum,exchange,,standard,src-eth,hot-wallet`,
      `${BOTH},bsc,On BSC,bridge,,standard,src-bsc,contract`,
      `${BSC_ONLY},bsc,BSC venue,exchange,,high,src-bsc-only,unknown`,
      `${EVERY},evm,Everywhere,mixer,,high,src-evm,contract`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'lazarus-seeds.csv'),
    ['address,chain,label,incident,source', `${ETH_SEED},ethereum,[official:FBI] thief,Test incident 2025-01-01,src-seed`, ''].join('\n'),
  );
  return dir;
}

function userLabel(address: string, chain: string, entity: string): Label {
  return {
    address, chain, entity, category: 'exchange', role: 'unknown', jurisdiction: null, risk: 'standard', source: 'user-src',
    listedAt: null, delistedAt: null, validFrom: null, validTo: null, events: [], origin: 'user',
  };
}

// Chain 1 is ethereum, 56 bsc, 31337 a devnet the data does not know.
const labelChainOf = (id: number): string | null => (id === 1 ? 'ethereum' : id === 56 ? 'bsc' : null);

describe('label books per chain', () => {
  it('looks an address up only in the rows of its own chain (and the evm rows)', () => {
    const books = chainBooks(labelChainOf, [userLabel(USER_ETH, 'ethereum', 'User on Ethereum')], { dataDir: data() });
    expect(books.labels(1).get(BOTH)?.entity).toBe('On Ethereum');
    expect(books.labels(56).get(BOTH)?.entity).toBe('On BSC');
    expect(books.labels(56).get(BSC_ONLY)?.entity).toBe('BSC venue');
    expect(books.labels(1).get(BSC_ONLY)).toBeUndefined();
    expect(books.labels(31337).get(BSC_ONLY)).toBeUndefined();
    expect(books.labels(31337).get(BOTH)).toBeUndefined();
    for (const id of [1, 56, 31337]) expect(books.labels(id).get(EVERY)?.entity, String(id)).toBe('Everywhere');
    // A user label for one chain is laid over that chain's book only.
    expect(books.labels(1).get(USER_ETH)?.origin).toBe('user');
    expect(books.labels(56).get(USER_ETH)).toBeUndefined();
    expect([books.labels(1).userLabels, books.labels(56).userLabels]).toEqual([1, 0]);
  });

  it('applies a seed row on its chain only', () => {
    const books = chainBooks(labelChainOf, [], { dataDir: data() });
    expect(books.seeds(1).get(ETH_SEED)?.tier).toBe('official:FBI');
    expect(books.seeds(56).get(ETH_SEED)).toBeUndefined();
    expect(books.seeds(31337).get(ETH_SEED)).toBeUndefined();
  });

  it('shares one book among the chain ids of one label chain, and refuses an unknown label chain name', () => {
    const books = chainBooks((id) => (id === 31337 || id === 1 ? 'ethereum' : 'no-such-chain'), [], { dataDir: data() });
    expect(books.labels(31337)).toBe(books.labels(1));
    expect(books.labelChain(31337)).toBe('ethereum');
    expect(() => books.labels(56)).toThrow(/unknown label chain "no-such-chain"/);
  });

  it('gives evidence from the chain of the address: the same address is a venue on one chain, unknown on the other', () => {
    const books = chainBooks(labelChainOf, [], { dataDir: data() });
    /** The evidence context of one chain: its own label book and seed rows, as run.ts's chainRun builds it. */
    const on = (chainId: number): EvidenceContext => ({ labels: books.labels(chainId), seedList: books.seeds(chainId), inferences: new Map() });
    const onBsc = addressEvidence(on(56), BSC_ONLY);
    expect(onBsc?.level).toBe('label');
    expect(onBsc?.sources.map((s) => [s.name, s.source])).toEqual([['BSC venue', 'src-bsc-only']]);
    expect(addressEvidence(on(1), BSC_ONLY)).toBeNull();
    // The seed list of ethereum says nothing of the address on bsc.
    expect(addressEvidence(on(1), ETH_SEED)?.sources[0]?.kind).toBe('seed');
    expect(addressEvidence(on(56), ETH_SEED)).toBeNull();
  });
});
