/**
 * The price table and the pricing of calls (src/rpc/price.ts, priceFile.ts): pure, no node. Expected
 * credits are computed here from the table's own rows, never written down.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { callsByMethod, parsePriceTable, priceCalls } from '../src/rpc/price.js';
import { DEFAULT_PRICE_TABLE, readPriceTable } from '../src/rpc/priceFile.js';
import { packageRoot } from '../src/util/package.js';
import { callsReportJson, renderCallsReport } from '../src/report/price.js';

const bundledText = readFileSync(join(packageRoot(), 'data', 'price-tables', DEFAULT_PRICE_TABLE), 'utf8');
const bundledRows = (JSON.parse(bundledText) as { methods: Record<string, { credits: number }> }).methods;

/** Every JSON-RPC method hoptrace's actions send (src/rpc/actions/, the only place that names them). */
function methodsHoptraceCalls(): string[] {
  const dir = join(packageRoot(), 'src', 'rpc', 'actions');
  const found = new Set<string>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/'((?:eth|trace|debug|net|web3)_[A-Za-z]+)'/g)) found.add(m[1]!);
  }
  return [...found];
}

describe('the bundled price table', () => {
  const table = readPriceTable();

  it('names its provider, page, date and batch rule, and every row has a page', () => {
    expect(table.provider).not.toBe('');
    expect(table.source).toMatch(/^https:\/\//);
    expect(table.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(DEFAULT_PRICE_TABLE).toContain(table.read);
    expect(table.batch).toBe('sum');
    for (const [, p] of table.methods) expect(p.source).toMatch(/^https:\/\//);
    expect([...table.methods.keys()].sort()).toEqual(Object.keys(bundledRows).sort());
  });

  it('prices every method hoptrace calls', () => {
    const methods = methodsHoptraceCalls();
    expect(methods.length).toBeGreaterThan(5);
    expect(methods.filter((m) => !table.methods.has(m))).toEqual([]);
  });
});

describe('priceCalls', () => {
  const table = parsePriceTable(bundledText, DEFAULT_PRICE_TABLE);

  it('prices each call at its method, sums them, and lists what the table does not price apart', () => {
    const calls = { eth_getBlockByNumber: 461, trace_block: 460, eth_getLogs: 3, eth_chainId: 1, foo_bar: 7, baz_qux: 2 };
    const p = priceCalls(calls, table);
    const priced = Object.entries(calls).filter(([m]) => bundledRows[m] !== undefined);
    expect(p.credits).toBe(priced.reduce((s, [m, n]) => s + n * bundledRows[m]!.credits, 0));
    expect(p.calls).toBe(Object.values(calls).reduce((a, b) => a + b, 0));
    expect(p.unpriced).toEqual([{ method: 'foo_bar', calls: 7 }, { method: 'baz_qux', calls: 2 }]);
    for (const m of p.methods) expect(m.total).toBe(m.calls * bundledRows[m.method]!.credits);
    for (const m of p.methods) expect(m.source).toBe(table.methods.get(m.method)!.source);
    // Most credits first.
    expect(p.methods.map((m) => m.total)).toEqual([...p.methods.map((m) => m.total)].sort((a, b) => b - a));
    expect(p.table).toMatchObject({ provider: table.provider, source: table.source, read: table.read });
    expect(p.table).not.toHaveProperty('methods');
  });

  it('a batch is priced as its members: the same calls cost the same however they travelled', () => {
    // The client counts a batch's members as calls of their methods; 50 headers in one round trip or 50.
    const single = priceCalls({ eth_getBlockByNumber: 50 }, table);
    expect(single.credits).toBe(50 * bundledRows['eth_getBlockByNumber']!.credits);
  });

  it('nothing called, nothing priced; zero counts are no calls', () => {
    expect(priceCalls({}, table)).toMatchObject({ calls: 0, credits: 0, methods: [], unpriced: [] });
    expect(priceCalls({ eth_getLogs: 0, foo_bar: 0 }, table)).toMatchObject({ calls: 0, credits: 0, methods: [], unpriced: [] });
  });

  it('callsByMethod reads the client counters and a report\'s rpcCalls alike', () => {
    expect(callsByMethod({ byMethod: { eth_getLogs: 2, trace_block: 0 } })).toEqual({ eth_getLogs: 2 });
    const counters = { total: 3, byMethod: { eth_getLogs: 2, eth_call: 1 } };
    expect(priceCalls(callsByMethod(counters), table).calls).toBe(counters.total);
  });
});

describe('parsePriceTable', () => {
  const problem = (text: string, name: string): string => {
    try {
      parsePriceTable(text, name);
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
      return (err as Error).message;
    }
    throw new Error(`${name} was accepted`);
  };

  it('CSV and JSON say the same table', () => {
    const csv = parsePriceTable('method,credits,source\neth_getLogs,75,https://example.org/a\r\neth_call,26.5,\n', 'mine.csv');
    const json = parsePriceTable('{"methods": {"eth_getLogs": {"credits": 75, "source": "https://example.org/a"}, "eth_call": 26.5}}', 'mine.json');
    expect([...csv.methods]).toEqual([...json.methods]);
    expect(csv.provider).toBe('mine.csv');
    expect(csv.unit).toBe('credits');
    expect(json.methods.get('eth_call')!.source).toBe('');
  });

  it('a table without a file extension is read by its content', () => {
    expect(parsePriceTable('{"methods": {"eth_getLogs": 1}}', 'table').methods.get('eth_getLogs')!.credits).toBe(1);
    expect(parsePriceTable('method,credits\neth_getLogs,1\n', 'table').methods.get('eth_getLogs')!.credits).toBe(1);
  });

  it('refuses each bad table with one sentence naming the file and the problem', () => {
    const cases: [string, string, RegExp][] = [
      ['hello world\n', 'x.txt', /x\.txt: is not JSON, nor CSV/],
      ['{"methods": ', 'x.json', /x\.json: is not JSON/],
      ['[1, 2]', 'x.json', /is not a JSON object/],
      ['{"prices": {}}', 'x.json', /has no "methods" object/],
      ['{"methods": {}}', 'x.json', /prices no method/],
      ['{"methods": {"eth_getLogs": -1}}', 'x.json', /credits of "eth_getLogs" are negative/],
      ['{"methods": {"eth_getLogs": "60"}}', 'x.json', /credits of "eth_getLogs" are not a number/],
      ['{"methods": {"eth_getLogs": {"cu": 60}}}', 'x.json', /credits of "eth_getLogs" are not a number/],
      ['{"methods": {"eth getLogs": 60}}', 'x.json', /is not a JSON-RPC method name/],
      ['{"batch": "flat", "methods": {"eth_getLogs": 60}}', 'x.json', /"batch" can only be "sum"/],
      ['{"read": "yesterday", "methods": {"eth_getLogs": 60}}', 'x.json', /"read" is not a date/],
      ['method,credits\neth_getLogs,-5\n', 'x.csv', /negative/],
      ['method,credits\neth_getLogs,sixty\n', 'x.csv', /not a number: "sixty"/],
      ['method,credits\neth_getLogs,1e400\n', 'x.csv', /not a number/],
      ['method,credits\neth_getLogs,1\neth_getLogs,2\n', 'x.csv', /prices eth_getLogs twice/],
      ['method,price\neth_getLogs,1\n', 'x.csv', /nor CSV with a method,credits header/],
      ['method,credits\neth_getLogs,1,extra\n', 'x.csv', /nor CSV/],
      ['method,credits\n', 'x.csv', /prices no method/],
    ];
    for (const [text, name, sentence] of cases) {
      const message = problem(text, name);
      expect(message, text).toMatch(sentence);
      expect(message.startsWith(`price table ${name}`), message).toBe(true);
      expect(message.split('\n')).toHaveLength(1);
    }
  });

  it('readPriceTable: a missing file, a folder and a CSV of something else are one sentence each', () => {
    const dir = packageRoot();
    expect(() => readPriceTable(join(dir, 'no-such-table.json'))).toThrow(/price table .*no-such-table\.json cannot be read: no such file\./);
    expect(() => readPriceTable(dir)).toThrow(/is not a file\./);
    expect(() => readPriceTable(join(dir, 'data', 'exchanges.csv'))).toThrow(UsageError);
  });
});

describe('fractional prices', () => {
  it('read the same in the text and the JSON of one report (rounded once, not twice)', () => {
    const table = parsePriceTable(JSON.stringify({ methods: { eth_getBlockByNumber: 0.1, trace_filter: 0.7, eth_getLogs: 0.1, eth_call: 0.0004 } }), 'frac.json');
    const priced = priceCalls({ eth_getBlockByNumber: 100, trace_filter: 3, eth_getLogs: 12, eth_call: 18 }, table);
    const report = { run: { id: 1, createdAt: 'then', chainId: 1, rpc: 'http://x' }, priced };
    const json = callsReportJson(report);
    // Binary floating point would give 1.2000000000000002 and a total off in the 15th digit.
    expect(json.methods.find((m) => m.method === 'eth_getLogs')!.total).toBe(1.2);
    expect(json.credits).toBe(13.3072);
    const text = renderCallsReport(report);
    for (const m of json.methods) expect(text).toContain(String(m.total));
    expect(text).toContain(String(json.credits));
  });
});
