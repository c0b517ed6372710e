// Start-up of the CLI against bare Node: `vfio-pin-bench --version` (and `list`, `--help`) vs
// `node -e 0`, whole processes, in turn (A B A B ...), so the ratio holds when the machine's
// speed drifts. The target (issue 13): --version within 2.5x of bare node.
// `npm run bench:startup` (-- --runs N, default 20, after 2 warm-up runs each; -- --json).
// The bin runs dist/: `npm run build` first (npm ci does it); without dist/ it would measure
// the tsx fallback, and this script says so and stops.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const USAGE = 'usage: npm run bench:startup [-- --runs N] [-- --json]';
const TARGET = 2.5;
const args = process.argv.slice(2);
let runs = 20;
let json = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--json') json = true;
  else if (args[i] === '--runs' && /^[1-9][0-9]*$/.test(args[i + 1] ?? '')) runs = Number(args[++i]);
  else {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
}

const BIN = new URL('../bin/vfio-pin-bench.js', import.meta.url).pathname;
if (!existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
  process.stderr.write('bench/startup.ts: no dist/: run `npm run build` first (the bin would run the sources through tsx)\n');
  process.exit(2);
}

/** Wall time of one whole process, ms; throws if it fails. */
function once(argv: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${argv.join(' ')} exited ${r.status}: ${String(r.stderr).trim()}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const BARE = ['-e', '0'];
const CASES: { name: string; argv: string[] }[] = [
  { name: 'vfio-pin-bench --version', argv: [BIN, '--version'] },
  { name: 'vfio-pin-bench --help', argv: [BIN, '--help'] },
  { name: 'vfio-pin-bench list', argv: [BIN, 'list'] },
];

interface Row { name: string; medianMs: number; bareMs: number; ratio: number; minRatio: number; maxRatio: number }
const rows: Row[] = [];
for (const c of CASES) {
  for (let i = 0; i < 2; i++) { once(c.argv); once(BARE); }
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(once(c.argv));
    b.push(once(BARE));
    ratios.push(a[i]! / b[i]!);
  }
  rows.push({ name: c.name, medianMs: median(a), bareMs: median(b), ratio: median(ratios), minRatio: Math.min(...ratios), maxRatio: Math.max(...ratios) });
}

if (json) {
  process.stdout.write(JSON.stringify({ node: process.version, runs, target: TARGET, rows }, null, 2) + '\n');
} else {
  process.stdout.write(`Start-up, whole process, median of ${runs} runs each in turn with \`node -e 0\` (node ${process.version}):\n`);
  const w = Math.max(...rows.map((r) => r.name.length));
  process.stdout.write(`${'command'.padEnd(w)}  ${'median'.padStart(8)}  ${'node -e 0'.padStart(9)}  ratio (min..max, pair by pair)\n`);
  for (const r of rows) {
    process.stdout.write(`${r.name.padEnd(w)}  ${`${r.medianMs.toFixed(0)} ms`.padStart(8)}  ${`${r.bareMs.toFixed(0)} ms`.padStart(9)}  ${r.ratio.toFixed(2)}x (${r.minRatio.toFixed(2)}..${r.maxRatio.toFixed(2)})\n`);
  }
  const v = rows[0]!;
  process.stdout.write(`--version: ${v.ratio.toFixed(2)}x bare node; target within ${TARGET}x: ${v.ratio <= TARGET ? 'met' : 'NOT met'}\n`);
}
