#!/usr/bin/env node
// Runs the compiled CLI from dist/ (`npm run build`; `npm ci`, `npm pack` and an install from a
// git URL build it through the `prepare` script). The V8 tuning goes first, before any hot code
// is loaded. dist/bundle/ is the same CLI as a few esbuild chunks (the build makes it from
// dist/cli/main.js; a command's code is a chunk loaded when it runs): Node loads a handful of
// files instead of ~140 modules, about a quarter of the start-up (docs/bench.md). Without it
// the tsc output runs. In a source checkout without dist/ (e.g. `npm ci --ignore-scripts`) it
// runs the TypeScript sources through tsx (a devDependency) instead. import.meta.url is the real
// path: Node resolves npm's node_modules/.bin symlink for the main module.

import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22.1+: keep V8's compiled code of the modules below in Node's on-disk compile cache
// between runs (start-up). Node 20 has no such cache; not measured here (Node 20 only).
module.enableCompileCache?.();

const dist = new URL('../dist/', import.meta.url);
const bundle = new URL('bundle/main.js', dist);
const compiled = new URL('cli/main.js', dist);
if (existsSync(bundle) || existsSync(compiled)) {
  await import(new URL('run/v8-tuning.js', dist).href);
  await import((existsSync(bundle) ? bundle : compiled).href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('vfio-pin-bench: dist/ is missing: run `npm run build` (or `npm ci`) in the package folder\n');
    process.exit(70);
  }
  register();
  await import(new URL('../src/run/v8-tuning.ts', import.meta.url).href);
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
