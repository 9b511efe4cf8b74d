/**
 * The `hoptrace` binary as a user runs it: the built dist/ (run `npm run build` first) in a child process,
 * with no RPC URL and no colour from the environment unless a test passes them.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../src/util/package.js';

const run = promisify(execFile);
export const BIN = join(packageRoot(), 'bin', 'hoptrace.js');

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `hoptrace …args`; never throws for a non-zero exit, which comes back as `code`. */
export async function hoptrace(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, HOPTRACE_RPC_URL: '', ETH_RPC_URL: '', NO_COLOR: '1', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Runs `hoptrace …args`, which must succeed (the test fails with its stderr otherwise); its stdout. */
export async function succeeds(args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await hoptrace(args, env);
  if (r.code !== 0) throw new Error(`hoptrace ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}
