// The package as a user gets it: `npm pack` (which builds dist/ through `prepare`) in a copy of
// the sources, the tarball installed into an empty folder outside the repository, then the bin
// through npx (--version, list, run, compare, a sweep on worker threads), the API from a plain
// .mjs script, its types from a .mts file, and no tsx, esbuild or typescript installed.
//
// The install is offline: the folder gets a lock file made from ours (the runtime entries, with
// their integrity), so `npm ci --offline` takes every tarball from npm's cache, where this
// project's own `npm ci` left them. If that fails (a cache without them), it falls back to
// `npm install --prefer-offline`, which may fetch from the registry.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, type ExecFileException } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string; version: string; files: string[]; bin: Record<string, string>;
  dependencies: Record<string, string>; engines: Record<string, string>; license: string;
};

interface Run { code: number; stdout: string; stderr: string }

/** Runs a command; never throws (the caller asserts on code and output). */
function sh(cmd: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } },
      (err: ExecFileException | null, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
      });
  });
}

function ok(r: Run, what: string): Run {
  assert.equal(r.code, 0, `${what} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

/** package-lock.json for an app that depends on the tarball only: our lock's runtime entries. */
function appLock(tarball: string): unknown {
  const ours = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'app', dependencies: { [PKG.name]: spec } },
    [`node_modules/${PKG.name}`]: {
      version: PKG.version, resolved: spec, license: PKG.license, dependencies: PKG.dependencies,
      bin: PKG.bin, engines: PKG.engines,
    },
  };
  for (const [path, entry] of Object.entries(ours.packages)) {
    if (path.startsWith('node_modules/') && entry.dev !== true) packages[path] = entry;
  }
  return { name: 'app', lockfileVersion: 3, requires: true, packages };
}

test('npm pack -> install in an empty folder: bin via npx, API import with types, no tsx', { timeout: 180_000 }, async (t) => {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'vfio-pin-bench-pack-')));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));

  // A copy of what the build and the tarball need, without dist/: `npm pack` must build it.
  // (Packing in place would rebuild the dist/ other test files are running.)
  const src = join(tmp, 'src-copy');
  for (const f of [...PKG.files.filter((f) => f !== 'dist'), 'src', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
    cpSync(join(ROOT, f), join(src, f), { recursive: true });
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(src, 'node_modules'), 'dir');
  ok(await sh('npm', ['pack', '--silent', '--pack-destination', tmp], src), 'npm pack');
  const tarball = `${PKG.name}-${PKG.version}.tgz`;
  assert.ok(existsSync(join(tmp, tarball)), `npm pack wrote no ${tarball}`);

  const listing = ok(await sh('tar', ['-tzf', tarball], tmp), 'tar -tzf').stdout.split('\n').filter((l) => l !== '').map((l) => l.replace(/^package\//, ''));
  for (const f of ['bin/vfio-pin-bench.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/bundle/main.js', 'dist/run/v8-tuning.js',
    'dist/run/sweep-worker.js', 'docs/api.md', 'fixtures/gpu-16g-bar.json', 'profiles/xeon-e5-2.6ghz.json',
    'schema/result.schema.json', 'README.md', 'LICENSE', 'package.json']) {
    assert.ok(listing.includes(f), `the tarball lacks ${f}`);
  }
  const stray = listing.filter((f) => /^(src|test|bench|node_modules)\//.test(f) || /\.ts$/.test(f) && !f.endsWith('.d.ts'));
  assert.deepEqual(stray, [], 'sources, tests or bench in the tarball');

  // Install into an empty folder outside the repository (so nothing resolves from our node_modules).
  const app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, dependencies: { [PKG.name]: `file:../${tarball}` } }, null, 2));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(appLock(`../${tarball}`), null, 2));
  const offline = await sh('npm', ['ci', '--offline', '--no-audit', '--no-fund'], app, 120_000);
  if (offline.code === 0) t.diagnostic('installed offline (npm ci --offline, our lock\'s runtime entries)');
  else {
    t.diagnostic(`npm ci --offline failed (${offline.stderr.split('\n').find((l) => l.includes('error')) ?? offline.code}); npm install --prefer-offline`);
    rmSync(join(app, 'package-lock.json'));
    rmSync(join(app, 'node_modules'), { recursive: true, force: true });
    ok(await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app, 120_000), 'npm install --prefer-offline');
  }
  const installed = readdirSync(join(app, 'node_modules'));
  for (const dev of ['tsx', 'esbuild', '@esbuild', 'typescript', '@types']) assert.ok(!installed.includes(dev), `${dev} is installed with the package`);
  assert.ok(!existsSync(join(app, 'node_modules', PKG.name, 'src')), 'src/ installed');

  // The bin, through npx as a user runs it (--no: never fetch a package of that name).
  const npx = (...args: string[]) => sh('npx', ['--no', '--', 'vfio-pin-bench', ...args], app);
  assert.equal(ok(await npx('--version'), '--version').stdout, `${PKG.version}\n`);
  const list = ok(await npx('list'), 'list').stdout;
  for (const name of ['gpu-16g-bar', 'small-mixed', 'baseline', 'v6.18-folio', 'xeon-e5-2.6ghz']) assert.ok(list.includes(name), `list lacks ${name}:\n${list}`);
  ok(await npx('run', 'small-mixed', '-s', 'baseline,rfc', '--no-timing', '--quiet', '--output', 'result.json'), 'run --output');
  const doc = JSON.parse(readFileSync(join(app, 'result.json'), 'utf8')) as { tool: { name: string; version: string } };
  assert.deepEqual(doc.tool, { name: PKG.name, version: PKG.version });
  ok(await npx('compare', 'result.json', 'result.json'), 'compare (reads schema/)');
  const sweep = JSON.parse(ok(await npx('sweep', '--bar', '64M..256M', '-s', 'rfc', '--workers', '2', '--json', '--quiet'), 'sweep on worker threads').stdout) as { points: unknown[] };
  assert.equal(sweep.points.length, 3);

  // The API from a plain ES module, and tsx not resolvable from the app.
  writeFileSync(join(app, 'check.mjs'), `
import 'vfio-pin-bench/v8-tuning';
import { run, loadFixture, listFixtures, listStrategies, listProfiles, InputError, SCHEMA_VERSION } from 'vfio-pin-bench';
let tsx = true;
try { import.meta.resolve('tsx'); } catch { tsx = false; }
const doc = await run(loadFixture('small-mixed'), { strategies: ['baseline', 'rfc'] });
let error = '';
try { await run('no-such-fixture'); } catch (e) { error = e instanceof InputError ? 'InputError' : String(e); }
console.log(JSON.stringify({
  tsx, error, schemaVersion: doc.schemaVersion === SCHEMA_VERSION,
  verdicts: doc.fixtures[0].strategies.map((s) => s.strategy + ':' + s.verdict),
  fixtures: listFixtures().length, strategies: listStrategies().length, profiles: listProfiles().length,
}));
`);
  const api = JSON.parse(ok(await sh(process.execPath, ['check.mjs'], app), 'node check.mjs').stdout) as Record<string, unknown>;
  const bundled = readdirSync(join(ROOT, 'fixtures')).filter((f) => f.endsWith('.json')).length;
  assert.deepEqual({ ...api, strategies: undefined, profiles: undefined },
    { tsx: false, error: 'InputError', schemaVersion: true, verdicts: ['baseline:ok', 'rfc:ok'], fixtures: bundled, strategies: undefined, profiles: undefined });
  assert.ok((api.strategies as number) >= 2 && (api.profiles as number) >= 1);

  // The types, as a TypeScript user of the package sees them (our tsc, no skipLibCheck).
  writeFileSync(join(app, 'use.mts'), `
import { run, loadFixture, type RunDocument, type StrategyResult } from 'vfio-pin-bench';
const doc: RunDocument = await run(loadFixture('small-mixed'), { strategies: ['rfc'], timing: false });
const s: StrategyResult | undefined = doc.fixtures[0]?.strategies[0];
export const pins: number = s?.counters.map.vaddr_get_pfn ?? 0;
// @ts-expect-error: the option is "strategies"
await run('small-mixed', { strategy: ['rfc'] });
`);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] },
    files: ['use.mts'],
  }));
  ok(await sh(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], app), 'tsc on a user\'s .mts');
});
