/**
 * The fixture contracts (fixtures/contracts/*.sol), as compiled by scripts/compile-contracts.mjs into the
 * committed artifacts.json. Reading the JSON at run time keeps solc out of tests and of the demo build.
 */
import { readFileSync } from 'node:fs';
import type { InterfaceAbi } from 'ethers';
import { HoptraceError } from '../errors.js';
import type { Hex } from '../types.js';
import { artifactsPath } from './paths.js';

/** Names of the fixture contracts. */
export type ContractName = 'Forwarder' | 'TestToken' | 'WrappedEther' | 'DepositLoggingWallet';

/** Everything needed to deploy and call one contract. */
export interface Artifact {
  abi: InterfaceAbi;
  /** Creation bytecode, `0x`-prefixed. */
  bytecode: Hex;
}

const NAMES: readonly ContractName[] = ['Forwarder', 'TestToken', 'WrappedEther', 'DepositLoggingWallet'];
let cache: Record<ContractName, Artifact> | undefined;

/**
 * All fixture artifacts, read once per process.
 *
 * @example const { abi, bytecode } = loadArtifacts().TestToken;
 */
export function loadArtifacts(): Record<ContractName, Artifact> {
  if (cache) return cache;
  const file = artifactsPath();
  let parsed: Record<string, { abi?: unknown; bytecode?: unknown } | undefined>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch (cause) {
    throw new HoptraceError(`cannot read the fixture contract artifacts at ${file}`, {
      hint: 'run node scripts/compile-contracts.mjs',
      cause,
    });
  }
  const out = {} as Record<ContractName, Artifact>;
  for (const name of NAMES) {
    const entry = parsed[name];
    // A missing or empty bytecode would deploy an empty account without any error: refuse it here.
    if (!entry || !Array.isArray(entry.abi) || typeof entry.bytecode !== 'string' || !/^0x[0-9a-f]{2,}$/i.test(entry.bytecode)) {
      throw new HoptraceError(`fixture artifact ${name} is missing or malformed in ${file}`, {
        hint: 'run node scripts/compile-contracts.mjs',
      });
    }
    out[name] = { abi: entry.abi as InterfaceAbi, bytecode: entry.bytecode };
  }
  cache = out;
  return out;
}

/** One fixture artifact by name. */
export function getArtifact(name: ContractName): Artifact {
  return loadArtifacts()[name];
}
