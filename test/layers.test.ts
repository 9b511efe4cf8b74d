import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layer map of docs/architecture.md, checked on the source: every file under src/ imports only from
 * its own folder's layer or lower ones, and no two folders import each other (directly or round a loop).
 * Imports are read by TypeScript's own pre-parser (static `import … from`, `export … from`, side-effect
 * imports and dynamic `import()`), so a path in a comment or a string is not taken for one.
 */

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Lowest first. Files directly in src/ (types.ts, errors.ts, …) are the folder '.', on util's layer. */
const LAYERS: readonly (readonly string[])[] = [
  ['.', 'util'],
  ['rpc'],
  ['store'],
  ['labels'],
  ['bridges'],
  ['sources'],
  ['graph'],
  ['trace'],
  ['report'],
  ['verify'],
  ['devchain'],
  ['cli'],
];

/**
 * Imports allowed to break the order, each with the reason beside it (none today). Each entry is
 * `file → target`, as the failure prints it; the test fails if an entry no longer exists.
 */
const ALLOWED: ReadonlySet<string> = new Set<string>([]);

const layerOf = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));

interface Import {
  file: string;
  target: string;
  from: string;
  to: string;
}

/** Every package import (better-sqlite3, node:fs, …) of every file under src/, as `file → package`. */
function packageImports(): { file: string; name: string }[] {
  return sourceFiles(SRC).flatMap((path) =>
    ts
      .preProcessFile(readFileSync(path, 'utf8'), true, true)
      .importedFiles.filter((ref) => !ref.fileName.startsWith('.'))
      .map((ref) => ({ file: relative(SRC, path).split(sep).join('/'), name: ref.fileName })),
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts|cts)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The folder under src/ a path relative to src/ belongs to ('.' for a top-level file). */
function folderOf(rel: string): string {
  const parts = rel.split('/');
  return parts.length === 1 ? '.' : parts[0]!;
}

/** Every relative import of every file under src/, resolved to a path relative to src/. */
function imports(): Import[] {
  const out: Import[] = [];
  for (const path of sourceFiles(SRC)) {
    const file = relative(SRC, path).split(sep).join('/');
    const info = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      // Packages (better-sqlite3, node:fs, …) are below every layer.
      if (!ref.fileName.startsWith('.')) continue;
      const abs = resolve(dirname(path), ref.fileName).replace(/\.js$/, '.ts');
      const target = relative(SRC, abs).split(sep).join('/');
      out.push({ file, target, from: folderOf(file), to: target.startsWith('..') ? '..' : folderOf(target) });
    }
  }
  return out;
}

/** Folder cycles, each as its folders in order (the first repeated at the end), found by depth-first search. */
function folderCycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const seen = new Set<string>();
  const visit = (node: string, stack: string[]): void => {
    const at = stack.indexOf(node);
    if (at >= 0) {
      const cycle = [...stack.slice(at), node];
      const key = [...cycle.slice(0, -1)].sort().join(',');
      if (!seen.has(key)) {
        seen.add(key);
        cycles.push(cycle);
      }
      return;
    }
    if (done.has(node)) return;
    for (const next of [...(edges.get(node) ?? [])].sort()) visit(next, [...stack, node]);
    done.add(node);
  };
  for (const node of [...edges.keys()].sort()) visit(node, []);
  return cycles;
}

describe('layers', () => {
  const all = imports();

  it('reads the imports of the source tree', () => {
    // A parser that found nothing would pass every check below.
    expect(all.length).toBeGreaterThan(200);
    expect(all).toContainEqual({ file: 'cli/traceSession.ts', target: 'store/store.ts', from: 'cli', to: 'store' });
  });

  it('gives every folder under src/ a layer', () => {
    const unknown = [...new Set(all.flatMap((i) => [i.from, i.to]))].filter((f) => !layerOf.has(f)).sort();
    expect(unknown, `folders without a layer in test/layers.test.ts (add them to LAYERS and docs/architecture.md): ${unknown.join(', ')}`).toEqual([]);
  });

  it('imports only from its own layer or a lower one', () => {
    const upward = all
      .filter((i) => (layerOf.get(i.to) ?? Infinity) > (layerOf.get(i.from) ?? -Infinity))
      .map((i) => `${i.file} → ${i.target}`);
    const violations = upward.filter((v) => !ALLOWED.has(v));
    expect(violations, `imports from a higher layer:\n  ${violations.join('\n  ')}\n`).toEqual([]);
    // An allowance nobody needs any more is removed, so the list only shrinks.
    const stale = [...ALLOWED].filter((a) => !upward.includes(a));
    expect(stale, `allowed upward imports that no longer exist (remove them from ALLOWED): ${stale.join(', ')}`).toEqual([]);
  });

  it('keeps SQL in store/: no other folder loads the SQLite driver or opens the database itself', () => {
    const drivers = packageImports().filter((i) => i.name === 'better-sqlite3');
    expect(drivers.map((i) => i.file)).toContain('store/open.ts');
    const outside = drivers.filter((i) => !i.file.startsWith('store/')).map((i) => `${i.file} → ${i.name}`);
    expect(outside, `the SQLite driver outside store/ (add a store method instead):\n  ${outside.join('\n  ')}\n`).toEqual([]);
    // openDb hands out the database handle: only the store's own files open one.
    const handles = all.filter((i) => i.target === 'store/open.ts' && i.from !== 'store').map((i) => `${i.file} → ${i.target}`);
    expect(handles, `store/open.ts imported outside store/ (open through createStore or readStoreIfExists):\n  ${handles.join('\n  ')}\n`).toEqual([]);
  });

  it('has no import cycle between folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of all) {
      if (i.from === i.to) continue;
      let set = edges.get(i.from);
      if (!set) edges.set(i.from, (set = new Set()));
      set.add(i.to);
    }
    const cycles = folderCycles(edges);
    const described = cycles.map((cycle) =>
      cycle
        .slice(0, -1)
        .map((from, k) => {
          const to = cycle[k + 1]!;
          const by = all.filter((i) => i.from === from && i.to === to).map((i) => `${i.file} → ${i.target}`);
          return `${from} → ${to} (${by.join(', ')})`;
        })
        .join('; '),
    );
    expect(described, `folder cycles:\n  ${described.join('\n  ')}\n`).toEqual([]);
  });
});
