/**
 * Where the devchain's committed files live. The same code runs from `src/devchain/*.ts` (vitest) and from
 * `dist/devchain/*.js` (after `tsc -p tsconfig.build.json`), so paths are found by walking up to the
 * package root instead of counting `..` from the module file.
 */
import { join } from 'node:path';
import { packageRoot } from '../util/package.js';

export { packageRoot };

/** `fixtures/contracts/artifacts.json`: ABI and bytecode of the fixture contracts. */
export function artifactsPath(): string {
  return join(packageRoot(), 'fixtures', 'contracts', 'artifacts.json');
}

/** `fixtures/demo-chain.json`: the anvil state dump of the demo chain (load with `--load-state`). */
export function demoChainPath(): string {
  return join(packageRoot(), 'fixtures', 'demo-chain.json');
}
