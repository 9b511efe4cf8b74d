// Removes, from package-lock.json, optional dependencies that the lock has no entry for.
//
// Why: the npm registry these machines reach serves only the linux-x64 builds of packages such as
// @foundry-rs/anvil-<platform>, @rollup/rollup-<platform> and @esbuild/<platform> (the others answer 404).
// `npm install` still writes their names into the lock as optional dependencies of their parent, and
// `npm ci` (npm 11.19) then refuses the lock: "Missing: @foundry-rs/anvil-darwin-amd64@ from lock file".
// Dropping the dangling names keeps every installable package and version exactly as locked.
// Run after any `npm install` that changes the lock: `node scripts/prune-lock.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(file, 'utf8'));
const present = new Set(Object.keys(lock.packages));

/** Where node would find `name` from the package at `path`: its own node_modules, then each parent's. */
function resolvable(path, name) {
  for (let at = path; ; ) {
    if (present.has(`${at ? `${at}/` : ''}node_modules/${name}`)) return true;
    if (!at) return false;
    const cut = at.lastIndexOf('/node_modules/');
    at = cut < 0 ? '' : at.slice(0, cut);
  }
}

let pruned = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!entry.optionalDependencies) continue;
  for (const name of Object.keys(entry.optionalDependencies)) {
    if (!resolvable(path, name)) {
      delete entry.optionalDependencies[name];
      pruned++;
    }
  }
  if (Object.keys(entry.optionalDependencies).length === 0) delete entry.optionalDependencies;
}
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`prune-lock: removed ${pruned} optional dependencies the registry does not serve`);
