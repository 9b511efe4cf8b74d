/**
 * The output gate (cli/output.ts), the XML boundary of the graph exports (report/sanitize.ts xmlSafe) and
 * the shape check of `verify` (verify/shape.ts): pure functions, tested without a node; the verify rows
 * run the real CLI, which refuses a malformed report before it contacts any endpoint.
 */
import graphology from 'graphology';
import gexf from 'graphology-gexf';
import graphml from 'graphology-graphml';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { describe, expect, it, vi } from 'vitest';
import { cutLine, errorLine, gateErr, gateOut, LINE_MAX, quoteOutside, registerSecrets, writeErr } from '../src/cli/output.js';
import { EXPORT_FORMATS, writeGraph, type ExportEdge, type ExportNode, type TracedGraph } from '../src/report/export.js';
import { xmlSafe } from '../src/report/sanitize.js';
import { shapeProblem } from '../src/verify/shape.js';
import { hoptrace } from './helpers/cli.js';

const { MultiDirectedGraph } = graphology;

/** Raw characters no terminal-bound byte may carry: C0 but tab/LF, DEL, C1, bidi and invisible format characters. */
const RAW_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

describe('the output gate', () => {
  const hostile = 'ok \u001b[31mred\u001b[0m \u0007bell \u202eevil\u202c \u009b2J \u200bzw \ud800lone';

  it('escapes every unsafe character of text visibly, keeping line breaks and tabs', () => {
    const out = gateOut(`${hostile}\n\tnext`, 'text', { color: false, tty: false });
    expect(out).not.toMatch(RAW_UNSAFE);
    expect(out).toContain('\\x1b[31mred');
    expect(out).toContain('\\x07bell');
    expect(out).toContain('\\u202eevil\\u202c');
    expect(out).toContain('\\x9b2J');
    expect(out).toContain('\\u200bzw');
    expect(out).toContain('\\ud800lone');
    expect(out).toContain('\n\tnext');
  });

  it('keeps chalk colour sequences only when the text is coloured, and escapes everything else', () => {
    const coloured = '\u001b[1m\u001b[31mGarantex\u001b[39m\u001b[22m \u202e \u001b]0;title\u0007';
    const out = gateOut(coloured, 'text', { color: true, tty: true });
    expect(out.startsWith('\u001b[1m\u001b[31mGarantex\u001b[39m\u001b[22m ')).toBe(true);
    expect(out).toContain('\\u202e \\x1b]0;title\\x07'); // an OSC title sequence is not colour: escaped
    expect(gateOut(coloured, 'text', { color: false, tty: true })).not.toContain('\u001b');
  });

  it('writes JSON losslessly: the same value parses back, and no raw unsafe character is left', () => {
    const value = { symbol: hostile.replace('\ud800', ''), tag: 'x\u{e0041}y', nl: 'a\nb' };
    const text = JSON.stringify(value, null, 2);
    const out = gateOut(text, 'json', { color: false, tty: false });
    expect(out).not.toMatch(RAW_UNSAFE);
    expect(out).not.toMatch(/[\u{e0000}-\u{e007f}]/u);
    expect(JSON.parse(out)).toEqual(value);
  });

  it('leaves data formats alone in a file or pipe, and escapes them on a terminal', () => {
    const csv = 'a,"b\u202e"\r\n';
    expect(gateOut(csv, 'data', { color: false, tty: false })).toBe(csv);
    expect(gateOut(csv, 'data', { color: false, tty: true })).toBe('a,"b\\u202e"\\x0d\n');
  });

  it('makes stderr lines redacted, escaped and bounded, one per line given', () => {
    const long = 'x'.repeat(3_000_000);
    const out = gateErr(`hoptrace: the node sent "${long}\u001b[2J" at https://eth.example/v2/abcdefghijklmnopqrstuvwxyz123456\nsecond`);
    const lines = out.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]!.length).toBeLessThan(LINE_MAX + 40);
    expect(lines[0]).toMatch(/… \(\d+ more characters\)$/);
    expect(out).not.toMatch(RAW_UNSAFE);
    expect(gateErr('at https://eth.example/v2/abcdefghijklmnopqrstuvwxyz123456 \u202e')).toBe('at https://eth.example/v2/*** \\u202e');
  });

  it('folds a message onto one line and cuts quoted outside text', () => {
    expect(errorLine('<html>\n  <body>\r\n nginx </body>\n</html>')).toBe('<html> <body> nginx </body> </html>');
    expect(quoteOutside('a\nb\u0007', 200)).toBe('a b\\x07');
    expect(quoteOutside('y'.repeat(500), 200)).toBe(`${'y'.repeat(200)}… (300 more characters)`);
  });

  it('cuts by characters, never inside a surrogate pair, and counts what it left out', () => {
    expect(cutLine('abc', 3)).toBe('abc');
    expect(cutLine('😀😀😀😀', 2)).toBe('😀😀… (2 more characters)');
    expect(cutLine('ab', 0)).toBe('… (2 more characters)');
  });
});

/** Every character XML 1.0 forbids: C0 controls but tab, LF and CR; U+FFFE, U+FFFF; a lone high and a lone low surrogate. */
const FORBIDDEN = [
  ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).filter((c) => !'\t\n\r'.includes(c)),
  '\ufffe',
  '\uffff',
  '\ud800',
  '\udfff',
];
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|\p{Cs}/u;

/** A graph whose every venue label and token symbol carries one forbidden character, as a hostile token or label file could. */
function hostileGraph(): TracedGraph {
  const g: TracedGraph = new MultiDirectedGraph<ExportNode, ExportEdge>();
  const address = (i: number): string => `0x${i.toString(16).padStart(40, '0')}`;
  g.addNode(address(0), { label: 'seed 0x0000…0000', role: 'seed', address: address(0), chainId: 1, chain: 'ethereum', entity: '', category: '', risk: '', hop: 0, evidence: '', evidenceDetail: '' });
  FORBIDDEN.forEach((c, i) => {
    const to = address(i + 1);
    g.addNode(to, { label: `Venue${c}${i}`, role: 'venue', address: to, chainId: 1, chain: `chain${c}`, entity: `Venue${c}${i}`, category: 'exchange', risk: 'high', hop: 1, evidence: 'label', evidenceDetail: `label: Venue${c}${i}` });
    g.addDirectedEdgeWithKey(`0x${'a'.repeat(64)}:log:${i}`, address(0), to, {
      txHash: `0x${'a'.repeat(64)}`,
      ref: `log:${i}`,
      kind: 'erc20',
      chainId: 1,
      fromChainId: 1,
      toChainId: 1,
      blockNumber: 1,
      blockHash: `0x${'b'.repeat(64)}`,
      asset: address(999),
      symbol: `US${c}DT`,
      decimals: '6',
      amount: '1000000',
      value: `1 US${c}DT`,
      hop: 1,
      evidence: 'fact',
      basis: 'transfer',
      confidence: '',
      protocol: `thor${c}`,
      taintPoison: '1000000',
      taintHaircut: '1000000',
      taintFifo: '1000000',
    });
  });
  return g;
}

function xmlErrors(doc: string): string[] {
  const errors: string[] = [];
  const parser = new SaxesParser();
  parser.on('error', (e) => errors.push(e.message));
  parser.write(doc).close();
  return errors;
}

describe('XML exports with characters XML 1.0 forbids', () => {
  it('xmlSafe replaces each of them by U+FFFD and keeps everything else', () => {
    for (const c of FORBIDDEN) expect(xmlSafe(`a${c}b`)).toBe('a\ufffdb');
    expect(xmlSafe('tab\tlf\ncr\r😀 é \u202e')).toBe('tab\tlf\ncr\r😀 é \u202e');
  });

  it.each(EXPORT_FORMATS)('%s carries none of them', (format) => {
    const out = writeGraph(hostileGraph(), format);
    expect(out).not.toMatch(XML_INVALID);
    // Every hostile venue is still there, its character shown as U+FFFD.
    for (let i = 0; i < FORBIDDEN.length; i++) expect(out).toContain(`Venue\ufffd${i}`);
  });

  it('GEXF and GraphML are well-formed for a real XML parser and read back with every node and symbol', () => {
    for (const format of ['gexf', 'graphml'] as const) {
      const doc = writeGraph(hostileGraph(), format);
      expect(xmlErrors(doc), format).toEqual([]);
      const g = (format === 'gexf' ? gexf : graphml).parse(graphology.MultiDirectedGraph, doc);
      expect(g.order, format).toBe(FORBIDDEN.length + 1);
      expect(g.size, format).toBe(FORBIDDEN.length);
      expect(new Set(g.mapEdges((_k, a) => a.symbol as string)), format).toEqual(new Set(['US\ufffdDT']));
    }
  });

  it('the parser does reject such a character (the check above can fail)', () => {
    expect(xmlErrors('<?xml version="1.0"?><a>US\uffffDT</a>').length).toBeGreaterThan(0);
  });
});

/** A report verify would accept: one hit, one step. */
function goodReport(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    chainId: 31337,
    hits: [
      {
        seed: `0x${'1'.repeat(40)}`,
        address: `0x${'2'.repeat(40)}`,
        path: [
          {
            from: `0x${'1'.repeat(40)}`,
            to: `0x${'2'.repeat(40)}`,
            txHash: `0x${'a'.repeat(64)}`,
            blockNumber: 5,
            blockHash: `0x${'b'.repeat(64)}`,
            timestamp: null,
            asset: 'native',
            symbol: 'ETH',
            decimals: 18,
            amount: '1000',
            kind: 'native',
            ref: 'trace:',
          },
        ],
        totals: [{ asset: 'native', amount: '1000' }],
        deposit: null,
      },
    ],
  };
}

/** Each row breaks one field of the good report; the sentence must name it by its JSON path. */
const MALFORMED: [string, (r: any) => void, string][] = [
  ['ref null', (r) => (r.hits[0].path[0].ref = null), 'report.hits[0].path[0].ref is null, expected a string'],
  ['ref a number', (r) => (r.hits[0].path[0].ref = 7), 'report.hits[0].path[0].ref is a number (7), expected a string'],
  ['totals [null]', (r) => (r.hits[0].totals = [null]), 'report.hits[0].totals[0] is null, expected an object'],
  ['totals amount a number', (r) => (r.hits[0].totals[0].amount = 1000), 'report.hits[0].totals[0].amount is a number (1000), expected a decimal string'],
  ['step null', (r) => (r.hits[0].path = [null]), 'report.hits[0].path[0] is null, expected an object'],
  ['txHash missing', (r) => delete r.hits[0].path[0].txHash, 'report.hits[0].path[0].txHash is missing, expected a string'],
  ['blockNumber a string', (r) => (r.hits[0].path[0].blockNumber = '5'), 'report.hits[0].path[0].blockNumber is the string "5", expected a block number'],
  ['blockNumber negative', (r) => (r.hits[0].path[0].blockNumber = -1), 'report.hits[0].path[0].blockNumber is a number (-1), expected a block number'],
  ['amount hex', (r) => (r.hits[0].path[0].amount = '0x10'), 'report.hits[0].path[0].amount is the string "0x10", expected a decimal string'],
  ['from an object', (r) => (r.hits[0].path[0].from = {}), 'report.hits[0].path[0].from is an object, expected a string'],
  ['path not a list', (r) => (r.hits[0].path = 'none'), 'report.hits[0].path is the string "none", expected an array'],
  ['hit a number', (r) => (r.hits = [3]), 'report.hits[0] is a number (3), expected an object'],
  ['hits null', (r) => (r.hits = null), 'report.hits is null, expected an array'],
  ['deposit received null', (r) => (r.hits[0].deposit = { received: null, swept: '1' }), 'report.hits[0].deposit.received is null, expected a decimal string'],
  ['chainId a string', (r) => (r.chainId = '1'), 'report.chainId is the string "1", expected a chain id'],
  // Null names no asset only on a crossing step (kind bridge), whose arrival may name none.
  ['asset null on a transfer step', (r) => (r.hits[0].path[0].asset = null), 'report.hits[0].path[0].asset is null, expected a string (or null on a crossing step)'],
];

describe('verify with a report whose fields have the wrong types', () => {
  it('the good report has no problem (the rows below each break one thing)', () => {
    expect(shapeProblem(goodReport())).toBeNull();
  });

  it('takes a null asset on a crossing step (kind bridge), whose arrival named none', () => {
    const r = goodReport() as any;
    Object.assign(r.hits[0].path[0], { kind: 'bridge', asset: null });
    expect(shapeProblem(r)).toBeNull();
  });

  it.each(MALFORMED)('%s: the field is named by its JSON path', (_name, breakIt, expected) => {
    const r = goodReport();
    breakIt(r);
    expect(shapeProblem(r)).toContain(expected);
  });

  it.concurrent.each(MALFORMED.slice(0, 4))('the CLI says it in one sentence with exit 2 (%s)', async (_name, breakIt, expected) => {
    const r = goodReport();
    breakIt(r);
    const file = join(mkdtempSync(join(tmpdir(), 'hoptrace-verify-')), 'report.json');
    writeFileSync(file, JSON.stringify(r));
    // Nothing listens on port 1: a report refused for its shape never reaches the endpoint.
    const out = await hoptrace(['verify', file, '--rpc', 'http://127.0.0.1:1']);
    expect(out.code, out.stderr).toBe(2);
    const first = out.stderr.split('\n')[0]!;
    expect(first.startsWith(`hoptrace: report ${file} is malformed: ${expected}`), first).toBe(true);
    expect(first.endsWith('.')).toBe(true);
    expect(out.stderr).not.toMatch(/internal error/);
    expect(out.stdout).toBe('');
  });
});

describe('secrets registered endpoint by endpoint', () => {
  it('masks the secret parts of every URL registered, not only the last one (a cross-chain run registers its chains one by one)', () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      registerSecrets(['https://eth.example.org/v2/ETHKEYAAAA1234']);
      registerSecrets(['https://bsc.example.org/v2/BSCKEYBBBB5678']);
      writeErr('the node answered: ETHKEYAAAA1234 and BSCKEYBBBB5678\n');
      const text = spy.mock.calls.map((c) => String(c[0])).join('');
      expect(text).toContain('the node answered');
      expect(text).not.toContain('ETHKEYAAAA1234');
      expect(text).not.toContain('BSCKEYBBBB5678');
    } finally {
      spy.mockRestore();
    }
  });
});
