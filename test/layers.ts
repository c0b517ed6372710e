// The import rule of docs/architecture.md, checked over the source text: each folder of src/
// may import only the folders below it, and no file may reach itself through its imports.
// `node --import tsx test/layers.ts` prints the violations (exit 1) or "layers ok".

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** What each folder of src/ may import besides itself (cli/ and index.ts: anything). */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  model: [],
  kernel: ['model'],
  strategies: ['kernel', 'model'],
  verify: ['kernel', 'model'],
  input: ['kernel', 'model'],
  fit: ['model'],
  run: ['verify', 'strategies', 'input', 'fit', 'kernel', 'model'],
  report: ['model'],
};

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm;

/** path (relative to src/) -> the src-relative paths it imports. */
export type Graph = ReadonlyMap<string, readonly string[]>;

export function graphOf(files: ReadonlyMap<string, string>): Graph {
  const g = new Map<string, string[]>();
  for (const [file, text] of files) {
    const targets: string[] = [];
    for (const m of text.matchAll(IMPORT)) targets.push(normalize(join(dirname(file), m[1]!)));
    g.set(file, targets);
  }
  return g;
}

const layerOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);

/** One line per import that breaks the rule, and per import cycle. */
export function violations(g: Graph): string[] {
  const out: string[] = [];
  for (const [file, targets] of g) {
    const from = layerOf(file);
    const allowed = ALLOWED[from];
    if (allowed === undefined) continue; // cli/, index.ts
    for (const t of targets) {
      const to = layerOf(t);
      if (to !== from && !allowed.includes(to)) out.push(`${file} imports ${t}: ${from}/ may import only ${[from, ...allowed].join(', ')}`);
    }
  }
  // cycles: depth-first search, a grey node met again closes a cycle
  const state = new Map<string, 'grey' | 'black'>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'grey');
    stack.push(f);
    for (const t of g.get(f) ?? []) {
      if (!g.has(t)) continue;
      if (state.get(t) === 'grey') {
        // named from its alphabetically first file, so the line does not depend on which file
        // the search happened to start from (a new file elsewhere in src/ can change that)
        const ring = stack.slice(stack.indexOf(t));
        const first = ring.indexOf([...ring].sort()[0]!);
        const rotated = [...ring.slice(first), ...ring.slice(0, first)];
        out.push(`import cycle: ${[...rotated, rotated[0]!].join(' -> ')}`);
      }
      else if (state.get(t) === undefined) visit(t);
    }
    stack.pop();
    state.set(f, 'black');
  };
  for (const f of [...g.keys()].sort()) if (!state.has(f)) visit(f);
  return out;
}

/** Every .ts file under src/, by its path relative to src/. */
export function sourceFiles(root = new URL('../src/', import.meta.url).pathname): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) files.set(relative(root, p), readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const v = violations(graphOf(sourceFiles()));
  process.stdout.write(v.length === 0 ? 'layers ok\n' : `${v.join('\n')}\n`);
  process.exitCode = v.length === 0 ? 0 : 1;
}
