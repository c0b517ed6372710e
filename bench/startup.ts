// Start-up of the CLI against bare Node: `vfio-pin-bench --version`, `--help`, `list` and
// `help run` against `node -e 0`, whole processes in turn (A B A B ...), so the comparison holds
// when the machine's speed drifts. CPU time (user + sys, bench/child.ts) is the figure: on a
// shared machine wall time mostly measures the neighbours. Targets: issue 15, at most 150 ms CPU
// for --version, --help and list (bare node took 80 ms when it was set); issue 13, --version
// within 2.5x of bare node's wall time.
// `npm run bench:startup` (-- --runs N, default 20, after 2 warm-up runs each; -- --json).
// The bin runs dist/: `npm run build` first (npm ci does it); without dist/ it would measure
// the tsx fallback, and this script says so and stops. index.ts calls measureStartup().

import { existsSync } from 'node:fs';
import { measureNode, median, type ChildUsage } from './child.ts';

export const STARTUP_TARGET_CPU_MS = 150;
const WALL_TARGET = 2.5;
const BIN = new URL('../bin/vfio-pin-bench.js', import.meta.url).pathname;
const BARE = ['-e', '0'];
const CASES: { name: string; argv: string[]; targetCpuMs?: number }[] = [
  { name: 'vfio-pin-bench --version', argv: [BIN, '--version'], targetCpuMs: STARTUP_TARGET_CPU_MS },
  { name: 'vfio-pin-bench --help', argv: [BIN, '--help'], targetCpuMs: STARTUP_TARGET_CPU_MS },
  { name: 'vfio-pin-bench list', argv: [BIN, 'list'], targetCpuMs: STARTUP_TARGET_CPU_MS },
  { name: 'vfio-pin-bench help run', argv: [BIN, 'help', 'run'] },
];

export interface StartupRow {
  name: string;
  /** medians over the runs, ms */
  cpuMs: number;
  bareCpuMs: number;
  /** median of the pairwise differences: what the CLI adds to bare node */
  aboveBareCpuMs: number;
  wallMs: number;
  bareWallMs: number;
  /** median of the pairwise wall-time ratios */
  wallRatio: number;
  targetCpuMs?: number;
  /** every run's CPU ms, in order */
  samplesCpuMs: number[];
}

export function distBuilt(): boolean {
  return existsSync(new URL('../dist/cli/main.js', import.meta.url));
}

export function measureStartup(runs: number): StartupRow[] {
  if (!distBuilt()) throw new Error('bench/startup.ts: no dist/: run `npm run build` first (the bin would run the sources through tsx)');
  const rows: StartupRow[] = [];
  for (const c of CASES) {
    for (let i = 0; i < 2; i++) { measureNode(c.argv); measureNode(BARE); }
    const a: ChildUsage[] = [];
    const b: ChildUsage[] = [];
    for (let i = 0; i < runs; i++) { a.push(measureNode(c.argv)); b.push(measureNode(BARE)); }
    rows.push({
      name: c.name,
      cpuMs: median(a.map((u) => u.cpuMs)), bareCpuMs: median(b.map((u) => u.cpuMs)),
      aboveBareCpuMs: median(a.map((u, i) => u.cpuMs - b[i]!.cpuMs)),
      wallMs: median(a.map((u) => u.wallMs)), bareWallMs: median(b.map((u) => u.wallMs)),
      wallRatio: median(a.map((u, i) => u.wallMs / b[i]!.wallMs)),
      ...(c.targetCpuMs !== undefined ? { targetCpuMs: c.targetCpuMs } : {}),
      samplesCpuMs: a.map((u) => u.cpuMs),
    });
  }
  return rows;
}

export function formatStartup(rows: readonly StartupRow[], runs: number): string {
  const w = Math.max(...rows.map((r) => r.name.length));
  const out = [
    `Start-up, whole process, CPU (user+sys) medians of ${runs} runs each in turn with \`node -e 0\` (node ${process.version}):`,
    `${'command'.padEnd(w)}  ${'CPU'.padStart(7)}  ${'bare'.padStart(7)}  ${'added'.padStart(7)}  ${'wall/bare'.padStart(9)}  target`,
  ];
  for (const r of rows) {
    const target = r.targetCpuMs === undefined ? '' : `<= ${r.targetCpuMs} ms CPU: ${r.cpuMs <= r.targetCpuMs ? 'met' : 'NOT met'}`;
    out.push(`${r.name.padEnd(w)}  ${`${r.cpuMs.toFixed(0)} ms`.padStart(7)}  ${`${r.bareCpuMs.toFixed(0)} ms`.padStart(7)}  ${`${r.aboveBareCpuMs.toFixed(0)} ms`.padStart(7)}  ${`${r.wallRatio.toFixed(2)}x`.padStart(9)}  ${target}`);
  }
  const v = rows[0]!;
  out.push(`--version wall time ${v.wallRatio.toFixed(2)}x bare node; issue 13's target within ${WALL_TARGET}x: ${v.wallRatio <= WALL_TARGET ? 'met' : 'NOT met'}`);
  return out.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const USAGE = 'usage: npm run bench:startup [-- --runs N] [-- --json]';
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
  if (!distBuilt()) {
    process.stderr.write('bench/startup.ts: no dist/: run `npm run build` first (the bin would run the sources through tsx)\n');
    process.exit(2);
  }
  const rows = measureStartup(runs);
  process.stdout.write(json ? JSON.stringify({ node: process.version, runs, rows }, null, 2) + '\n' : formatStartup(rows, runs));
}
