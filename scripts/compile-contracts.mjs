#!/usr/bin/env node
/**
 * Compiles the fixture contracts in fixtures/contracts/*.sol with solc-js (a pinned dev dependency that
 * ships the compiler, so nothing is downloaded) and writes fixtures/contracts/artifacts.json:
 * `{ ContractName: { abi, bytecode } }`. The output is committed, so tests and the demo-chain build do not
 * need solc; rerun this script only after editing a .sol file.
 *
 * Usage: node scripts/compile-contracts.mjs [dir]   (default fixtures/contracts; the bench keeps its own
 * contracts in bench/contracts, compiled the same way into bench/contracts/artifacts.json)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const contractsDir = process.argv[2] ? join(process.cwd(), process.argv[2]) : join(root, 'fixtures', 'contracts');
const outFile = join(contractsDir, 'artifacts.json');

const files = readdirSync(contractsDir)
  .filter((f) => f.endsWith('.sol'))
  .sort();

const input = {
  language: 'Solidity',
  sources: Object.fromEntries(files.map((f) => [f, { content: readFileSync(join(contractsDir, f), 'utf8') }])),
  settings: {
    optimizer: { enabled: true, runs: 200 },
    // Cancun runs on every hardfork anvil offers by default; newer targets would tie the fixtures to one
    // anvil release.
    evmVersion: 'cancun',
    // No metadata hash: the bytecode then depends on the source text only, so rebuilding is byte-stable.
    metadata: { bytecodeHash: 'none' },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};

const output = JSON.parse(solc.compile(JSON.stringify(input)));
const problems = output.errors ?? [];
for (const p of problems) {
  if (p.severity !== 'error') console.warn(p.formattedMessage);
}
const errors = problems.filter((p) => p.severity === 'error');
if (errors.length > 0) {
  for (const e of errors) console.error(e.formattedMessage);
  console.error(`compile-contracts: ${errors.length} error(s), artifacts.json not written`);
  process.exit(1);
}

const artifacts = {};
for (const file of files) {
  for (const [name, contract] of Object.entries(output.contracts[file] ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    artifacts[name] = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
  }
}

writeFileSync(outFile, `${JSON.stringify(artifacts, null, 2)}\n`);
console.log(`compile-contracts: solc ${solc.version()} → ${Object.keys(artifacts).join(', ')} → ${outFile}`);
