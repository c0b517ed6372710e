// Sharded sweeps on this machine (issue 16): `sweep --shard i/n` for n = 1, 2 and 4, the n
// processes of each run side by side (as n CI jobs would run on n machines, here sharing this
// one's cores), then `merge`. Prints the wall time of each n, the wall time and simulated pages
// of each shard (the balance: max / mean; the split weighs pages by each strategy's counter
// events per page, so pages alone need not be even), and checks that each merge equals n = 1's.
// Then each (point, strategy) unit's CPU time measured here, one after another: each shard's CPU
// time on a machine of its own (the sum of its units'), and the makespan that W worker threads would reach handing out whole points
// largest first (the pool before issue 16) or units largest first (now), from those times.
//   npm run bench:shards [-- --bar 256M..64G] [-- --shards 1,2,4] [-- --json]
// Default: --bar 256M..64G, every strategy (9 points up to a 64 GiB BAR, as GPUs have now).
// The bin runs dist/ when built (npm run build), else the sources through tsx (slower start).

import '../src/run/v8-tuning.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { planSweep } from '../src/input/sweep-plan.ts';
import { largestFirst, partitionUnits, unitPages, workUnits, type WorkUnit } from '../src/input/sweep-shard.ts';
import { loadProfile, DEFAULT_PROFILE } from '../src/input/profile.ts';
import type { SweepDocument } from '../src/model/result.ts';
import { runPoint } from '../src/run/sweep-point.ts';
import { STRATEGIES } from '../src/strategies/registry.ts';

const USAGE = 'usage: npm run bench:shards [-- --bar <from>..<to>] [-- --shards 1,2,4] [-- --json]';
const args = process.argv.slice(2);
let range = '256M..64G';
let counts = [1, 2, 4];
let json = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--json') json = true;
  else if (args[i] === '--bar' && args[i + 1] !== undefined) range = args[++i]!;
  else if (args[i] === '--shards' && /^[1-9][0-9]*(,[1-9][0-9]*)*$/.test(args[i + 1] ?? '')) counts = args[++i]!.split(',').map(Number);
  else {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
}

const BIN = new URL('../bin/vfio-pin-bench.js', import.meta.url).pathname;
const SWEEP = ['sweep', '--bar', range, '--workers', '1', '-q'];
const dir = mkdtempSync(join(tmpdir(), 'vpb-bench-shards-'));
const log = (s: string): void => void (json ? process.stderr : process.stdout).write(`${s}\n`);

/** One process of the bin; resolves with its wall time in ms. */
function proc(argv: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`vfio-pin-bench ${argv.join(' ')}: exit ${code}: ${err.trim()}`))));
  });
}

const plan = planSweep({ bar: [range] });
const all = workUnits(plan, STRATEGIES.length);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const balance = (xs: number[]): number => Math.max(...xs) / mean(xs);
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

interface ShardRun { n: number; wallMs: number; shardWallMs: number[]; shardPages: number[]; pagesBalance: number; wallBalance: number; mergeEqual: boolean }
const runs: ShardRun[] = [];
log(`sweep --bar ${range}: ${plan.points.length} points x ${STRATEGIES.length} strategies = ${all.length} units, ` +
  `${unitPages(all).toLocaleString('en-US')} simulated pages; ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} at the start`);
let reference: unknown;
const shardUnits = new Map<number, string[][]>();
const stripEnv = (d: SweepDocument): unknown => ({ ...d, env: undefined });
for (const n of counts) {
  const t0 = performance.now();
  const shardWallMs = await Promise.all(Array.from({ length: n }, (_, i) => proc([...SWEEP, '--shard', `${i + 1}/${n}`, '-o', join(dir, `n${n}-s${i + 1}.json`)])));
  const wallMs = performance.now() - t0;
  const merged = join(dir, `n${n}.json`);
  await proc(['merge', ...Array.from({ length: n }, (_, i) => join(dir, `n${n}-s${i + 1}.json`)), '-o', merged, '-q', '--format', 'json']);
  const doc = stripEnv(JSON.parse(readFileSync(merged, 'utf8')) as SweepDocument);
  reference ??= doc;
  const parts = Array.from({ length: n }, (_, i) => JSON.parse(readFileSync(join(dir, `n${n}-s${i + 1}.json`), 'utf8')) as SweepDocument);
  const shardPages = parts.map((d) => d.shard!.pages);
  // each shard's units, "point.strategy", for its CPU time on a machine of its own (below)
  shardUnits.set(n, parts.map((d) => d.points.flatMap((p, i) => p.records.map((r) => `${d.shard!.pointIndex[i]}.${STRATEGIES.findIndex((x) => x.name === r.strategy)}`))));
  const r = { n, wallMs, shardWallMs, shardPages, pagesBalance: balance(shardPages), wallBalance: balance(shardWallMs), mergeEqual: isDeepStrictEqual(doc, reference) };
  runs.push(r);
  log(`  ${n} shard${n > 1 ? 's' : ' '} side by side: ${s(wallMs)} wall; per shard ${shardWallMs.map(s).join(', ')} (max/mean ${r.wallBalance.toFixed(2)}); ` +
    `pages ${shardPages.map((p) => `${(p / 1e6).toFixed(1)}M`).join(', ')} (max/mean ${r.pagesBalance.toFixed(3)}); merge ${r.mergeEqual ? `= the ${counts[0]}-shard sweep` : 'DIFFERS'}`);
}

// ---- the pool inside one process: measured unit times, scheduled two ways ----

const cfg = { strategies: STRATEGIES, profile: loadProfile(DEFAULT_PROFILE) };
const cpuMs = new Map<WorkUnit, number>();
for (const u of all) {
  const c0 = process.cpuUsage();
  await runPoint(plan.points[u.point]!.layout, { ...cfg, strategies: [STRATEGIES[u.strategy]!] });
  const c = process.cpuUsage(c0);
  cpuMs.set(u, (c.user + c.system) / 1000);
}
const total = [...cpuMs.values()].reduce((a, b) => a + b, 0);
const unitMs = new Map([...cpuMs].map(([u, ms]) => [`${u.point}.${u.strategy}`, ms]));
// n shards on n machines of their own: each shard's units' CPU time measured here, the slowest shard
const machines = counts.map((n) => {
  const cpu = shardUnits.get(n)!.map((us) => us.reduce((a, k) => a + unitMs.get(k)!, 0));
  // the split by pages alone (every strategy weighing 1 per page), for comparison
  const byPages = partitionUnits(all, n).map((us) => us.reduce((a, u) => a + unitMs.get(`${u.point}.${u.strategy}`)!, 0));
  log(`  ${n} shard${n > 1 ? 's' : ' '} on ${n} machine${n > 1 ? 's' : ' '} (from these unit times): slowest shard ${s(Math.max(...cpu))} of ${s(total)} CPU ` +
    `(${(total / Math.max(...cpu)).toFixed(2)}x; max/mean ${balance(cpu).toFixed(2)}); per shard ${cpu.map(s).join(', ')}; ` +
    `split by pages alone: ${s(Math.max(...byPages))} (max/mean ${balance(byPages).toFixed(2)})`);
  return { n, shardCpuMs: cpu, byPagesCpuMs: byPages };
});

/** List scheduling: each job, in order, to the worker that is free first; the last to finish. */
function makespan(jobs: number[], workers: number): number {
  const free = new Array<number>(workers).fill(0);
  for (const j of jobs) {
    const w = free.indexOf(Math.min(...free));
    free[w]! += j;
  }
  return Math.max(...free);
}
// the pool before: whole points, largest first (map bytes + 4 KiB per request, sweep-pool.ts)
const pointJobs = plan.points.map((p) => all.filter((u) => u.point === p.index).reduce((n, u) => n + cpuMs.get(u)!, 0))
  .map((ms, i) => ({ ms, w: all.find((u) => u.point === i)!.pages })).sort((a, b) => b.w - a.w).map((j) => j.ms);
const unitJobs = largestFirst(all).map((u) => cpuMs.get(u)!);
const largestPoint = Math.max(...pointJobs);
log(`  in one process: ${s(total)} CPU for all units, the largest point ${s(largestPoint)} (${((largestPoint / total) * 100).toFixed(0)}%), ` +
  `the longest unit ${s(Math.max(...unitJobs))}`);
const pool = [2, 4].map((w) => {
  const points = makespan(pointJobs, w);
  const units = makespan(unitJobs, w);
  const idle = (m: number): string => `${((1 - total / (w * m)) * 100).toFixed(0)}% idle`;
  log(`  ${w} worker threads: whole points ${s(points)} (${idle(points)}), units ${s(units)} (${idle(units)}); best possible ${s(Math.max(total / w, Math.max(...unitJobs)))}`);
  return { workers: w, pointsMs: points, unitsMs: units };
});
rmSync(dir, { recursive: true, force: true });
if (json) process.stdout.write(`${JSON.stringify({ range, units: all.length, pages: unitPages(all), runs, machines, pool: { cpuMs: total, largestPointMs: largestPoint, schedules: pool } }, null, 2)}\n`);
if (runs.some((r) => !r.mergeEqual)) process.exit(1);
