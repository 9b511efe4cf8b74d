/**
 * What reaches the user when outputs, databases or the node misbehave, through the real CLI:
 * - a node whose error text carries terminal escapes, and one that sends 3 MB where a number belongs;
 * - stdout that cannot be written (/dev/full, a closed pipe), `-o` to places that cannot be written;
 * - databases: read-only, left behind by an unclean stop with damage in an index, older files.
 *
 * Read-only places: as root (this machine, many CI containers) permissions do not stop a write, so the
 * command runs as the user `nobody` (uid 65534) over root's files; as any other user, the files are
 * made read-only with chmod. A read-only file system (EROFS) and a full one need a mount: tried, and
 * skipped with the reason when the container does not allow it.
 */
import Database from 'better-sqlite3';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINE_MAX } from '../src/cli/output.js';
import { startAnvil, type AnvilHandle } from '../src/devchain/anvil.js';
import { createScenario } from '../src/devchain/scenario.js';
import { APPLICATION_ID } from '../src/store/open.js';
import { packageRoot } from '../src/util/package.js';
import { BIN, hoptrace, type Outcome } from './helpers/cli.js';
import { lazarus, tempDb, venue } from './helpers/trace.js';

const ETH = 10n ** 18n;
const [seed, mule] = lazarus('ronin', 2, 4) as [string, string];
const garantex = venue('Garantex')[0]!.address;
const ENV = { HOPTRACE_RPC_URL: '', ETH_RPC_URL: '', NO_COLOR: '1' };
const IS_ROOT = process.getuid?.() === 0;
/** Raw characters that must never reach stderr: C0 but LF, DEL, C1, bidi and invisible format characters. */
const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

let anvil: AnvilHandle;
/** A database holding one finished trace run: copied for each case, never changed itself. */
let held: string;

beforeAll(async () => {
  anvil = await startAnvil();
  const s = createScenario(anvil.url);
  await s.fund(seed, 100n * ETH);
  await s.sendEth(seed, mule, 40n * ETH);
  await s.sendEth(mule, garantex, 30n * ETH);
  await s.mine(5);
  held = tempDb('held.db');
  const out = await hoptrace(['trace', seed, '--rpc', anvil.url, '--db', held, '-q']);
  expect(out.code, out.stderr).toBe(0);
}, 90_000);

afterAll(async () => {
  await anvil?.stop();
});

/** A fresh directory with a copy of the held database. */
function caseDir(): { dir: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hoptrace-out-'));
  const db = join(dir, 'case.db');
  copyFileSync(held, db);
  return { dir, db };
}

/** Runs the CLI with stdout going to the file descriptor `fd` (e.g. /dev/full opened for writing). */
function runWithStdout(args: string[], fd: number): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, ...ENV } });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

/** Runs the CLI as a user who can read `dir` but not write it: `nobody` under root, else the files are chmodded. */
async function asReader(dir: string, args: string[]): Promise<Outcome> {
  if (!IS_ROOT) {
    for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o444);
    chmodSync(dir, 0o555);
    try {
      return await hoptrace(args);
    } finally {
      chmodSync(dir, 0o755);
    }
  }
  chmodSync(dir, 0o755); // mkdtemp makes it 0700: nobody must be able to enter it, not write in it
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { uid: 65534, gid: 65534, env: { ...process.env, ...ENV }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** stderr as the user sees it must be short, escaped and one sentence (plus a hint line). */
function expectCleanMessage(stderr: string): void {
  expect(stderr).not.toMatch(RAW_UNSAFE);
  const lines = stderr.trimEnd().split('\n');
  expect(lines.length, stderr.slice(0, 500)).toBeLessThanOrEqual(2);
  expect(lines[0]).toMatch(/^hoptrace: /);
  for (const l of lines) expect(l.length).toBeLessThanOrEqual(LINE_MAX + 40);
  expect(stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
}

describe('a node that answers with terminal escapes or megabytes where a number belongs', () => {
  let server: http.Server;
  let url: string;
  let requests = 0;
  const ESCAPES = 'boom\u001b[2J\u001b]0;pwned\u0007 \u202eevil\u202c\nsecond line\u009b31m';
  const HUGE = `0x${'f'.repeat(1_500_000)}\u001b[31m${'9'.repeat(1_500_000)}`;

  beforeAll(async () => {
    // In front of anvil; bounded: it stops answering after 2,000 requests.
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', async () => {
        if (++requests > 2_000) return void res.destroy();
        const mode = req.url?.slice(1);
        const msgs = JSON.parse(body) as { id: number; method: string }[] | { id: number; method: string };
        const answer = async (m: { id: number; method: string; params?: unknown }): Promise<unknown> => {
          if (mode === 'escapes' && m.method === 'eth_chainId') return { jsonrpc: '2.0', id: m.id, error: { code: -32000, message: ESCAPES } };
          const r = await fetch(anvil.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(m) });
          const honest = (await r.json()) as { result?: unknown };
          if (mode === 'huge' && m.method === 'eth_blockNumber') return { ...honest, result: HUGE };
          if (mode === 'huge' && m.method === 'eth_getBlockByNumber' && honest.result) return { ...honest, result: { ...(honest.result as object), number: HUGE } };
          return honest;
        };
        const out = Array.isArray(msgs) ? await Promise.all(msgs.map(answer)) : await answer(msgs);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(out));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it.each(['escapes', 'huge'])('%s: one escaped, bounded line and a non-zero exit', async (mode) => {
    const { dir } = caseDir();
    const out = await hoptrace(['trace', seed, '--rpc', `${url}/${mode}`, '--db', join(dir, 'new.db'), '--timeout', '5000']);
    expect(out.code).not.toBe(0);
    expectCleanMessage(out.stderr);
    if (mode === 'escapes') expect(out.stderr).toMatch(/boom\\x1b\[2J\\x1b\]0;pwned\\x07 \\u202eevil\\u202c second line\\x9b31m/);
    // Cut where the RPC layer quotes the value ("…(N chars)") or, failing that, by the gate.
    else expect(out.stderr).toMatch(/…\s?\((\d+ more characters|\d+ chars)\)/);
    expect(out.stdout).toBe('');
  }, 60_000);
});

describe('stdout that cannot be written', () => {
  it('report > /dev/full: exit 1 and one sentence, not success with an empty file', async () => {
    const { db } = caseDir();
    const fd = openSync('/dev/full', 'w');
    try {
      const out = await runWithStdout(['report', '--db', db], fd);
      expect(out.code).toBe(1);
      expect(out.stderr).toBe('hoptrace: cannot write to standard output: no space left on the device (ENOSPC).\n');
    } finally {
      closeSync(fd);
    }
  });

  it('a reader that closes the pipe early (| head) ends the command quietly, exit 0', async () => {
    const child = spawn(process.execPath, [BIN, 'labels', 'export', '--all', '--db', join(mkdtempSync(join(tmpdir(), 'hoptrace-pipe-')), 'none.db')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...ENV },
    });
    let stderr = '';
    let got = 0;
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.once('data', (c: Buffer) => {
      got = c.length;
      child.stdout.destroy();
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(247_000); // the export is longer than what was read: the pipe did close early
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('-o files', () => {
  /** Files in `dir` that are temporary leftovers of a write. */
  const leftovers = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

  it('a written file holds exactly what stdout gets, and no temporary file is left', async () => {
    const { dir, db } = caseDir();
    const target = join(dir, 'report.html');
    writeFileSync(target, 'an older report\n');
    chmodSync(target, 0o600); // made private by its owner: the new report stays private
    const [toFile, toStdout] = await Promise.all([
      hoptrace(['report', '--db', db, '--format', 'html', '-o', target]),
      hoptrace(['report', '--db', db, '--format', 'html']),
    ]);
    expect(toFile.code, toFile.stderr).toBe(0);
    const undated = (s: string): string => s.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>');
    expect(undated(readFileSync(target, 'utf8'))).toBe(undated(toStdout.stdout));
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(leftovers(dir)).toEqual([]);
  });

  const cases: [string, (dir: string) => string, number, (dir: string, target: string) => RegExp][] = [
    ['a missing directory', (dir) => join(dir, 'no', 'such', 'r.html'), 2, (dir) => new RegExp(`cannot write .*: the directory ${join(dir, 'no', 'such')} does not exist\\.$`)],
    ['a directory', (dir) => dir, 2, () => /: it is a directory\.$/],
    ['a path under a file', (dir) => join(dir, 'case.db', 'r.html'), 2, () => /is not a directory\.$/],
    ['/dev/full (a full device)', () => '/dev/full', 1, () => /^hoptrace: cannot write \/dev\/full: no space left on the device \(ENOSPC\); no partial file was left\.$/],
  ];
  it.each(cases)('-o to %s: one sentence, no file left', async (_name, target, code, message) => {
    const { dir, db } = caseDir();
    const before = readdirSync(dir).sort();
    const t = target(dir);
    const out = await hoptrace(['export', '--db', db, '--format', 'graphml', '-o', t]);
    expect(out.code, out.stderr).toBe(code);
    expectCleanMessage(out.stderr);
    expect(out.stderr.split('\n')[0]).toMatch(message(dir, t));
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('-o into a directory this user cannot write: one sentence, nothing written', async () => {
    const { dir, db } = caseDir();
    const out = await asReader(dir, ['report', '--db', db, '--format', 'md', '-o', join(dir, 'r.md')]);
    expect(out.code, out.stderr).toBe(2);
    expectCleanMessage(out.stderr);
    expect(out.stderr).toMatch(new RegExp(`cannot write ${join(dir, 'r.md')}: permission denied in ${dir}\\.`));
    expect(existsSync(join(dir, 'r.md'))).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });

  describe('on file systems of their own (a mount: root with CAP_SYS_ADMIN only)', () => {
    const base = mkdtempSync(join(tmpdir(), 'hoptrace-mnt-'));
    const full = join(base, 'full');
    const src = join(base, 'src');
    const ro = join(base, 'ro');
    const mounted: string[] = [];
    const tryMount = (args: string[], at: string): boolean => {
      try {
        execFileSync('mount', args, { stdio: 'ignore' });
        mounted.push(at);
        return true;
      } catch {
        return false;
      }
    };
    for (const d of [full, src, ro]) mkdirSync(d);
    const canFull = IS_ROOT && tryMount(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full], full);
    const canRo = IS_ROOT && tryMount(['--bind', '-o', 'ro', src, ro], ro);
    afterAll(() => {
      for (const m of mounted.reverse()) execFileSync('umount', [m]);
      rmSync(base, { recursive: true, force: true });
    });

    // Skipped where mounting is not allowed (non-root, or a container without CAP_SYS_ADMIN): the
    // ENOSPC and EROFS paths of writeOutputFile are then covered by /dev/full and the permission case only.
    it.skipIf(!canFull)('a full disk: exit 1, the older file unchanged, no temporary file left', async () => {
      const { db } = caseDir();
      const target = join(full, 'report.html');
      writeFileSync(target, 'an older report\n');
      // Fill the 64 KiB file system up to its last page: the 18 KB HTML report cannot fit.
      let filler = 0;
      for (let size = 4096; ; ) {
        try {
          writeFileSync(join(full, `fill${filler}`), Buffer.alloc(size));
          filler++;
        } catch {
          if (size === 512) break;
          size /= 2;
        }
      }
      const out = await hoptrace(['report', '--db', db, '--format', 'html', '-o', target]);
      expect(out.code, out.stderr).toBe(1);
      expectCleanMessage(out.stderr);
      expect(out.stderr).toMatch(/no space left on the device \(ENOSPC\); no partial file was left\./);
      expect(readFileSync(target, 'utf8')).toBe('an older report\n');
      expect(leftovers(full)).toEqual([]);
    });

    it.skipIf(!canRo)('a read-only file system: exit 2, one sentence', async () => {
      const { db } = caseDir();
      const out = await hoptrace(['report', '--db', db, '-o', join(ro, 'r.txt')]);
      expect(out.code, out.stderr).toBe(2);
      expectCleanMessage(out.stderr);
      expect(out.stderr).toMatch(new RegExp(`cannot write ${join(ro, 'r.txt')}: ${ro} is on a read-only file system\\.`));
    });

    it.skipIf(!canRo)('a database on a read-only file system is read by report', async () => {
      copyFileSync(held, join(src, 'held.db'));
      const out = await hoptrace(['report', '--db', join(ro, 'held.db'), '--format', 'json']);
      expect(out.code, out.stderr).toBe(0);
      const writable = await hoptrace(['report', '--db', join(src, 'held.db'), '--format', 'json']);
      const undated = (s: string): string => s.replace(/"generatedAt": "[^"]*"/g, '');
      expect(undated(out.stdout)).toBe(undated(writable.stdout));
      expect(JSON.parse(out.stdout).attribution).toBeDefined();
    });
  });
});

describe('databases', () => {
  it('a database this user can only read: report, export, path and labels list work, and write nothing', async () => {
    const { dir, db } = caseDir();
    const bytes = readFileSync(db);
    const commands = [
      ['report', '--db', db, '--format', 'json'],
      ['export', '--db', db, '--format', 'csv'],
      ['path', seed, garantex, '--db', db],
      ['labels', 'list', '--user', '--db', db, '--json'],
      ['labels', 'export', '--db', db],
    ];
    for (const args of commands) {
      const [asOwner, asReaderOut] = [await hoptrace(args), await asReader(dir, args)];
      expect(asReaderOut.code, `${args[0]}: ${asReaderOut.stderr}`).toBe(0);
      const undated = (s: string): string => s.replace(/"generatedAt": "[^"]*"/g, '');
      expect(undated(asReaderOut.stdout), args.join(' ')).toBe(undated(asOwner.stdout));
    }
    expect(readFileSync(db).equals(bytes)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['case.db']);
  }, 60_000);

  /** A child process that opens the database for writing and exits without closing it: an unclean stop. */
  const stopUncleanly = (db: string): void => {
    const store = JSON.stringify(join(packageRoot(), 'dist', 'store', 'store.js'));
    execFileSync(process.execPath, ['--input-type=module', '-e', `const { createStore } = await import(${store}); createStore(${JSON.stringify(db)}); process.exit(0);`]);
  };

  /** Removes one entry from the index transfer_rows_to in the file's bytes (its cell count one lower). */
  const damageIndex = (db: string): void => {
    const d = new Database(db, { readonly: true });
    const pageSize = d.pragma('page_size', { simple: true }) as number;
    const root = (d.prepare(`SELECT rootpage FROM sqlite_master WHERE name = 'transfer_rows_to'`).get() as { rootpage: number }).rootpage;
    d.close();
    const bytes = readFileSync(db);
    const header = (root - 1) * pageSize;
    bytes.writeUInt16BE(bytes.readUInt16BE(header + 3) - 1, header + 3);
    writeFileSync(db, bytes);
  };

  it('damage in an index after an unclean stop: exit 2 and one sentence, for readers and writers alike', async () => {
    const { db } = caseDir();
    stopUncleanly(db);
    expect(existsSync(`${db}-wal`)).toBe(true);
    damageIndex(db);
    for (const args of [
      ['export', '--db', db, '--format', 'csv'],
      ['report', '--db', db],
      ['trace', seed, '--rpc', anvil.url, '--db', db],
    ]) {
      const out = await hoptrace(args);
      expect(out.code, `${args[0]}: ${out.stderr}`).toBe(2);
      expectCleanMessage(out.stderr);
      expect(out.stderr).toMatch(new RegExp(`^hoptrace: database ${db} is damaged: .*wrong # of entries in index transfer_rows_to.*; restore it or trace again into a new --db\\.`));
      expect(out.stdout).toBe('');
    }
  }, 60_000);

  it('after a clean close no mark is left, and an unclean stop leaves one', async () => {
    const { db } = caseDir();
    const mark = (): unknown => {
      const d = new Database(db, { readonly: true });
      try {
        return d.prepare(`SELECT value FROM meta WHERE key = 'writer_open'`).get();
      } finally {
        d.close();
      }
    };
    expect(mark()).toBeUndefined();
    stopUncleanly(db);
    expect(mark()).toBeDefined();
    expect((await hoptrace(['labels', 'add', garantex, '--entity', 'G', '--category', 'exchange', '--source', 'case file', '--db', db])).code).toBe(0);
    expect(mark()).toBeUndefined();
  });

  it('an older hoptrace database (no application_id) is still read, and gets the id on its next write', async () => {
    const { db } = caseDir();
    const appId = (): number => {
      const d = new Database(db, { readonly: true });
      try {
        return d.pragma('application_id', { simple: true }) as number;
      } finally {
        d.close();
      }
    };
    expect(appId()).toBe(APPLICATION_ID);
    const d = new Database(db);
    d.pragma('application_id = 0');
    d.close();
    const out = await hoptrace(['report', '--db', db, '--format', 'json']);
    expect(out.code, out.stderr).toBe(0);
    expect(appId()).toBe(0); // a reader writes nothing
    expect((await hoptrace(['labels', 'add', garantex, '--entity', 'G', '--category', 'exchange', '--source', 'case file', '--db', db])).code).toBe(0);
    expect(appId()).toBe(APPLICATION_ID);
  });

  it('a read-only copy with its write-ahead log but no -shm is refused rather than read without the log', async () => {
    const { dir, db } = caseDir();
    stopUncleanly(db);
    rmSync(`${db}-shm`);
    expect(statSync(`${db}-wal`).size).toBeGreaterThan(0);
    const out = await asReader(dir, ['report', '--db', db]);
    expect(out.code, out.stderr).toBe(2);
    expectCleanMessage(out.stderr);
    expect(out.stderr).toMatch(/is read-only here and its write-ahead log .*-wal is not merged into it yet/);
  });
});
