/**
 * The bad-input table: every row is something a user (or a hostile file, or a broken endpoint) can hand
 * the real CLI, with the exit code and the one sentence it must get. No row may print a stack trace or
 * anything on stdout, and where a database already exists, it must come out of the failed run exactly
 * as it went in (every table, every row; for files that are not ours, every byte).
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import { recordFigures } from './helpers/campaign.js';
import { BIN, hoptrace } from './helpers/cli.js';
import { lazarus, tempDb, venue } from './helpers/trace.js';

const ETH = 10n ** 18n;
const [seed, mule] = lazarus('ronin', 2) as [string, string];
const garantex = venue('Garantex')[0]!.address;

let anvil: AnvilHandle;
let otherChain: AnvilHandle;
/** A web server that is not JSON-RPC: HTML at /, 404 at /404, a JSON-RPC node on a banana chain at /banana. */
let web: http.Server;
let webUrl: string;
/** A hoptrace database holding a finished trace and one user label: the thing a bad run must not hurt. */
let held: string;

beforeAll(async () => {
  [anvil, otherChain] = await Promise.all([startAnvil(), startAnvil({ chainId: 1 })]);
  const s = createScenario(anvil.url);
  await s.fund(seed, 100n * ETH);
  await s.sendEth(seed, mule, 40n * ETH);
  await s.sendEth(mule, garantex, 30n * ETH);
  await s.mine(10);
  web = http.createServer((req, res) => {
    if (req.url === '/404') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    } else if (req.url === '/banana') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: 'banana' }));
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body>Welcome to nginx!</body></html>');
    }
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  held = tempDb('held.db');
  expect((await hoptrace(['trace', seed, '--rpc', anvil.url, '--db', held, '-q'])).code).toBe(0);
  const labelCsv = join(dirname(held), 'mine.csv');
  writeFileSync(labelCsv, `address,entity,category,source\n${mule},My mule,otc,case file 17\n`);
  expect((await hoptrace(['labels', 'import', labelCsv, '--db', held])).code).toBe(0);
}, 90_000);

afterAll(async () => {
  await new Promise<void>((r) => (web ? web.close(() => r()) : r()));
  await Promise.all([anvil?.stop(), otherChain?.stop()]);
});

/** Every row of every table, as text: what "nothing stored is lost" compares. */
function everything(path: string): string[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((t) => t.name);
    return tables.flatMap((t) => (db.prepare(`SELECT * FROM "${t}"`).all() as unknown[]).map((r) => `${t} ${JSON.stringify(r)}`).sort());
  } finally {
    db.close();
  }
}

/** What a row gets: paths and URLs made for it. */
interface Ctx {
  rpc: string;
  /** A copy of the held database, to hand to the run. */
  db: string;
  dir: string;
}

/** How the row's database is prepared and checked: a copy of `held`, or a file of given bytes. */
type Prep = { held: true } | { bytes: (dir: string) => Buffer } | undefined;

interface Row {
  name: string;
  args: (c: Ctx) => string[];
  code: 1 | 2;
  message: RegExp;
  prep?: Prep;
  /** A file the run must not create (a new database before the endpoint answered). */
  absent?: (c: Ctx) => string;
}

const t = (...rest: string[]) => (c: Ctx) => ['trace', ...rest.map((a) => a.replace('$RPC', c.rpc).replace('$DB', c.db).replace('$WEB', webUrl).replace('$OTHER', otherChain.url))];

const sqliteNotOurs = (dir: string): Buffer => {
  const p = join(dir, 'not-ours.sqlite');
  const db = new Database(p);
  db.exec(`CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('my case notes')`);
  db.close();
  return readFileSync(p);
};
const newerSchema = (dir: string): Buffer => {
  const p = join(dir, 'newer.db');
  copyFileSync(held, p);
  const db = new Database(p);
  db.pragma('journal_mode = DELETE');
  db.pragma('user_version = 99');
  db.close();
  return readFileSync(p);
};
/** An SQLite file another program made and left empty but for its own user_version: nothing of ours may be written into it. */
const sqliteEmptyNotOurs = (dir: string): Buffer => {
  const p = join(dir, 'empty-not-ours.sqlite');
  const db = new Database(p);
  db.pragma('user_version = 7');
  db.close();
  return readFileSync(p);
};
/** Another program's application_id, even with a meta row that looks like ours. */
const sqliteOtherApplication = (dir: string): Buffer => {
  const p = join(dir, 'other-app.sqlite');
  const db = new Database(p);
  db.pragma('application_id = 1234');
  db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('app', 'hoptrace')`);
  db.close();
  return readFileSync(p);
};
const corrupt = (): Buffer => {
  const bytes = Buffer.from(readFileSync(held));
  bytes.fill(0x41, 0, 100); // the SQLite header
  return bytes;
};
const badLabels = (body: string) => (c: Ctx) => {
  const f = join(c.dir, 'labels.csv');
  writeFileSync(f, body);
  return ['labels', 'import', f, '--db', c.db];
};

const ROWS: Row[] = [
  // addresses
  { name: 'malformed address', args: t('0x1234', '--rpc', '$RPC'), code: 2, message: /seed address "0x1234" is not an address/ },
  { name: 'checksum-wrong address', args: t('0x098B716B8Aaf21512996dC57EB0615e2383E2f97', '--rpc', '$RPC'), code: 2, message: /checksum/ },
  { name: 'empty address', args: t('', '--rpc', '$RPC'), code: 2, message: /seed address "" is not an address/ },
  { name: 'non-hex address', args: t('0xZZ8B716B8Aaf21512996dC57EB0615e2383E2f96', '--rpc', '$RPC'), code: 2, message: /is not an address/ },
  { name: 'address one digit too long', args: t('0x098b716b8aaf21512996dc57eb0615e2383e2f961', '--rpc', '$RPC'), code: 2, message: /is not an address/ },
  // seeds
  { name: 'no seeds', args: t('--rpc', '$RPC'), code: 2, message: /no seeds/ },
  { name: 'unknown --seeds name', args: t('--seeds', 'nosuchincident', '--rpc', '$RPC', '--db', '$DB'), code: 2, message: /unknown seed list "nosuchincident"/, prep: { held: true } },
  { name: 'unknown --seeds name with a new database', args: (c) => ['trace', '--seeds', 'nosuchincident', '--rpc', c.rpc, '--db', join(c.dir, 'new.db')], code: 2, message: /unknown seed list "nosuchincident"/, absent: (c) => join(c.dir, 'new.db') },
  { name: '--tier without --seeds', args: t(seed, '--tier', 'official', '--rpc', '$RPC'), code: 2, message: /--tier filters a seed list/ },
  // block ranges and dates
  { name: 'inverted block range', args: t(seed, '--rpc', '$RPC', '--from-block', '9', '--to-block', '3'), code: 2, message: /reversed/ },
  { name: 'negative block', args: t(seed, '--rpc', '$RPC', '--from-block', '-5'), code: 2, message: /--from-block "-5" is not a whole number/ },
  { name: 'non-numeric block', args: t(seed, '--rpc', '$RPC', '--to-block', 'yesterday'), code: 2, message: /--to-block "yesterday" is not a whole number/ },
  { name: 'block after the head', args: t(seed, '--rpc', '$RPC', '--db', '$DB', '--from-block', '99999999'), code: 2, message: /--from-block 99999999 is after the chain head/, prep: { held: true } },
  { name: 'date in the future', args: t(seed, '--rpc', '$RPC', '--since', '2999-01-01'), code: 2, message: /--since 2999-01-01 is in the future/ },
  { name: 'inverted dates', args: t(seed, '--rpc', '$RPC', '--since', '2025-03-01', '--until', '2025-02-01'), code: 2, message: /date range is reversed/ },
  { name: 'impossible date', args: t(seed, '--rpc', '$RPC', '--until', '2025-02-30'), code: 2, message: /"2025-02-30" is not a valid date/ },
  { name: 'not a date', args: t(seed, '--rpc', '$RPC', '--since', 'last tuesday'), code: 2, message: /not a date/ },
  // options
  { name: 'unknown option', args: t(seed, '--bogus'), code: 2, message: /unknown option '--bogus'/ },
  { name: '--hops 0', args: t(seed, '--rpc', '$RPC', '--hops', '0'), code: 2, message: /--hops must be at least 1/ },
  { name: '--hops huge', args: t(seed, '--rpc', '$RPC', '--hops', '100000'), code: 2, message: /--hops must be at most 64/ },
  { name: '--hops not a number', args: t(seed, '--rpc', '$RPC', '--hops', 'many'), code: 2, message: /--hops "many" is not a whole number/ },
  { name: 'unknown direction', args: t(seed, '--rpc', '$RPC', '--direction', 'sideways'), code: 2, message: /sideways/ },
  { name: 'unknown strategy', args: t(seed, '--rpc', '$RPC', '--strategy', 'fast'), code: 2, message: /fast/ },
  { name: 'unknown objective', args: t(seed, '--rpc', '$RPC', '--optimize', 'cheap'), code: 2, message: /cheap/ },
  { name: '--min-value not an amount', args: t(seed, '--rpc', '$RPC', '--min-value', 'lots'), code: 2, message: /not an amount/ },
  { name: '--min-value of a bad token', args: t(seed, '--rpc', '$RPC', '--min-value', '0x12=5'), code: 2, message: /--min-value token "0x12" is not an address/ },
  { name: '--fan-out 0', args: t(seed, '--rpc', '$RPC', '--fan-out', '0'), code: 2, message: /--fan-out must be at least 1/ },
  { name: '--concurrency 0', args: t(seed, '--rpc', '$RPC', '--concurrency', '0'), code: 2, message: /--concurrency must be at least 1/ },
  { name: '--timeout too short', args: t(seed, '--rpc', '$RPC', '--timeout', '5'), code: 2, message: /--timeout must be at least 100/ },
  { name: 'unknown label chain', args: t(seed, '--rpc', '$RPC', '--labels-chain', 'mars'), code: 2, message: /mars/ },
  { name: '--json with --ndjson', args: t(seed, '--rpc', '$RPC', '--json', '--ndjson'), code: 2, message: /--json and --ndjson cannot be used together/ },
  // RPC endpoints and their answers
  { name: 'no RPC', args: t(seed), code: 2, message: /no RPC endpoint/ },
  { name: 'unreachable RPC', args: t(seed, '--rpc', 'http://127.0.0.1:1', '--db', '$DB'), code: 2, message: /cannot reach the RPC endpoint http:\/\/127\.0\.0\.1:1/, prep: { held: true } },
  { name: 'unreachable RPC with a new database', args: (c) => ['trace', seed, '--rpc', 'http://127.0.0.1:1', '--db', join(c.dir, 'new.db')], code: 2, message: /cannot reach the RPC endpoint/, absent: (c) => join(c.dir, 'new.db') },
  { name: 'web server as RPC with a new database', args: (c) => ['trace', seed, '--rpc', webUrl, '--db', join(c.dir, 'new.db')], code: 2, message: /answered with an HTML page \(HTTP \d+\), not JSON-RPC/, absent: (c) => join(c.dir, 'new.db') },
  { name: '--rpc followed by another option (an empty $ETH_RPC_URL)', args: (c) => ['trace', seed, '--rpc', '--hops', '4', '--db', join(c.dir, 'new.db')], code: 2, message: /^hoptrace: --rpc needs a URL, got "--hops": is \$ETH_RPC_URL empty\?/, absent: (c) => join(c.dir, 'new.db') },
  { name: '--db followed by another option', args: t(seed, '--rpc', '$RPC', '--db', '--hops', '4'), code: 2, message: /^hoptrace: --db needs a path, got "--hops"/ },
  { name: '--rpc of verify followed by another option', args: (c) => ['verify', join(c.dir, 'r.json'), '--rpc', '--json'], code: 2, message: /^hoptrace: --rpc needs a URL, got "--json"/ },
  { name: 'RPC that is not http', args: t(seed, '--rpc', 'ftp://127.0.0.1/node'), code: 2, message: /is not an http\(s\) URL/ },
  { name: 'RPC on the wrong chain for the DB', args: t(seed, '--rpc', '$OTHER', '--db', '$DB'), code: 2, message: /serves chain 1, but database .* holds chain 31337/, prep: { held: true } },
  { name: 'HTTP server that is not JSON-RPC', args: t(seed, '--rpc', '$WEB', '--db', '$DB'), code: 2, message: /the endpoint http:\/\/127\.0\.0\.1:\d+ answered with an HTML page \(HTTP 200\), not JSON-RPC\.$/m, prep: { held: true } },
  { name: 'RPC URL that is a 404', args: t(seed, '--rpc', '$WEB/404', '--db', '$DB'), code: 2, message: /eth_chainId failed at http:\/\/127\.0\.0\.1:\d+\/\*\*\*: HTTP 404: not found$/m, prep: { held: true } },
  { name: 'RPC answering eth_chainId with garbage', args: t(seed, '--rpc', '$WEB/banana', '--db', '$DB'), code: 2, message: /did not answer eth_chainId like an Ethereum node/, prep: { held: true } },
  // database files
  { name: 'corrupt DB', args: t(seed, '--rpc', '$RPC', '--db', '$DB'), code: 2, message: /not a SQLite file|corrupt/, prep: { bytes: corrupt } },
  { name: 'DB that is not SQLite', args: t(seed, '--rpc', '$RPC', '--db', '$DB'), code: 2, message: /not a SQLite file/, prep: { bytes: () => Buffer.from('case notes, not a database\n') } },
  { name: 'SQLite DB of another program', args: t(seed, '--rpc', '$RPC', '--db', '$DB'), code: 2, message: /SQLite file that hoptrace did not create/, prep: { bytes: sqliteNotOurs } },
  { name: 'empty SQLite file of another program (user_version set)', args: t(seed, '--rpc', '$RPC', '--db', '$DB'), code: 2, message: /SQLite file that hoptrace did not create/, prep: { bytes: sqliteEmptyNotOurs } },
  { name: 'SQLite file with another application_id', args: t(seed, '--rpc', '$RPC', '--db', '$DB'), code: 2, message: /SQLite file that hoptrace did not create/, prep: { bytes: sqliteOtherApplication } },
  { name: 'DB from a newer schema', args: t(seed, '--rpc', '$RPC', '--db', '$DB'), code: 2, message: /written by a newer hoptrace \(schema 99/, prep: { bytes: newerSchema } },
  { name: 'DB path is a device', args: (c) => ['trace', seed, '--rpc', c.rpc, '--db', '/dev/null'], code: 2, message: /database path \/dev\/null is not a regular file/ },
  { name: 'DB path is a directory', args: (c) => ['trace', seed, '--rpc', c.rpc, '--db', c.dir], code: 2, message: /is a directory, not a file/ },
  { name: 'DB in a directory that does not exist', args: (c) => ['trace', seed, '--rpc', c.rpc, '--db', join(c.dir, 'no', 'such', 'x.db')], code: 2, message: /directory does not exist/ },
  // label files and label input
  { name: 'label file without a source column', args: badLabels(`address,entity,category\n${mule},X,exchange\n`), code: 2, message: /column "source" missing/, prep: { held: true } },
  { name: 'label file with a bad address row', args: badLabels(`address,entity,category,source\n${garantex},Ok,exchange,a\n0x12,Bad,exchange,b\n`), code: 2, message: /nothing imported/, prep: { held: true } },
  { name: 'label file that does not exist', args: (c) => ['labels', 'import', join(c.dir, 'nope.csv'), '--db', c.db], code: 2, message: /cannot read .*nope\.csv/, prep: { held: true } },
  { name: 'label JSON that is not JSON', args: (c) => {
      const f = join(c.dir, 'labels.json');
      writeFileSync(f, '{"labels": [');
      return ['labels', 'import', f, '--db', c.db];
    }, code: 2, message: /not valid JSON/, prep: { held: true } },
  { name: 'label with a malformed address', args: (c) => ['labels', 'add', '0x12', '--entity', 'X', '--category', 'otc', '--source', 'me', '--db', c.db], code: 2, message: /not an address/, prep: { held: true } },
];

describe('the bad-input table', () => {
  it('has at least 30 rows', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(30);
    recordFigures('bad-inputs', { rows: ROWS.length });
  });

  it.concurrent.each(ROWS.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const dir = dirname(tempDb());
    mkdirSync(dir, { recursive: true });
    const db = join(dir, 'case.db');
    let before: string[] | Buffer | undefined;
    if (row.prep !== undefined && 'held' in row.prep) {
      copyFileSync(held, db);
      before = everything(db);
    } else if (row.prep !== undefined) {
      before = row.prep.bytes(dir);
      writeFileSync(db, before);
    }
    const out = await hoptrace(row.args({ rpc: anvil.url, db, dir }));
    expect(out.code, out.stderr).toBe(row.code);
    expect(out.stderr).toMatch(row.message);
    expect(out.stderr.trim().split('\n')[0]).toMatch(/^(hoptrace: |error: )/);
    expect(out.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/); // no stack trace
    expect(out.stdout).toBe('');
    if (row.absent) expect(existsSync(row.absent({ rpc: anvil.url, db, dir })), 'file created').toBe(false);
    if (Array.isArray(before)) expect(everything(db)).toEqual(before);
    else if (before !== undefined) expect(readFileSync(db).equals(before)).toBe(true);
  });
});

// Root writes into a read-only directory anyway: as root the run is made as the user nobody (uid 65534),
// who can read root's files but not write them; as any other user the directory is made read-only.
describe('a database in a read-only directory', () => {
  it('is refused in one sentence and left as it was', async () => {
    const dir = join(dirname(tempDb()), 'ro');
    mkdirSync(dir);
    const db = join(dir, 'held.db');
    copyFileSync(held, db);
    const before = everything(db);
    const { chmodSync } = await import('node:fs');
    const asRoot = process.getuid?.() === 0;
    chmodSync(dirname(dir), 0o755);
    chmodSync(dir, asRoot ? 0o755 : 0o555);
    try {
      const out = asRoot ? await asNobody(['trace', seed, '--rpc', anvil.url, '--db', db]) : await hoptrace(['trace', seed, '--rpc', anvil.url, '--db', db]);
      expect(out.code, out.stderr).toBe(2);
      expect(out.stderr).toMatch(/database .*(cannot write|read-?only|cannot open|unable to open)/i);
      expect(out.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    } finally {
      chmodSync(dir, 0o755);
    }
    expect(everything(db)).toEqual(before);
  });
});

/** The CLI run as the user nobody (only when this process is root). */
function asNobody(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { uid: 65534, gid: 65534, env: { ...process.env, HOPTRACE_RPC_URL: '', ETH_RPC_URL: '', NO_COLOR: '1' }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
