// The simulator's own speed, side by side in one run (issue 15):
// - tinybench on the per-page paths (the 4.16 baseline's map and unmap of a 16 GiB BAR and of
//   4 KiB RAM), the bundled fixtures' load and validation, report rendering and compare on a
//   small result, a sweep's points on one worker thread against two, and 65,537 single-page maps
//   (issue 18's dma_entry_limit criterion);
// - ns per page per strategy and layout with the naive reference loop beside them (the
//   practical JS floor): bench/per-page.ts when it is there (issue 15's per-page bench: its
//   perPage({ quick, repeat }) is the hook), else the tinybench rows above and bench/floor.ts;
// - start-up of --version, --help, list against bare node (bench/startup.ts, CPU time);
// - peak RSS of whole CLI runs (bench/rss.ts);
// - requests against time: a 4 GiB BAR in 8,192 .. 65,536 chunks (bench/requests.ts).
// `npm run bench` prints it all; `--json` prints a result document instead
// (schema/result.schema.json: the per-page scenarios as fixtures with strategy "baseline", their
// counters and modelled time, and tinybench's statistics as `timing`; the other tasks, start-up
// and the requests series among them, in `tasks`); `--output <file>` writes that document and
// still prints the tables; `--report <file>` writes every figure above (RSS, ns/page, targets
// too) as plain JSON. So `vfio-pin-bench compare` gates the simulator's speed as it gates a run:
// a CI job keeps main's document and compares each change with it (.github/workflows/bench.yml).
// `--full`: issue 15's full sizes (per-page 64 GiB / 1 TiB, RSS of 1 TiB): minutes, not for CI.
// `--startup-runs N` (default 10). Start-up and RSS run the bin from dist/ (`npm run build`).

import '../src/run/v8-tuning.ts';
import { existsSync, writeFileSync } from 'node:fs';
import { Bench, type Statistics } from 'tinybench';
import { Kernel } from '../src/kernel/kernel.ts';
import type { Layout } from '../src/model/layout.ts';
import { bundledFixtures } from '../src/input/bundled.ts';
import { loadFixture } from '../src/input/fixture.ts';
import { defaultPlacement } from '../src/input/placement.ts';
import { compareDocuments } from '../src/report/compare/compare.ts';
import { formatJson } from '../src/report/export/json.ts';
import { formatTerminal } from '../src/report/run/terminal.ts';
import { DEFAULT_PROFILE, loadProfile } from '../src/input/profile.ts';
import type { FixtureResult } from '../src/model/result.ts';
import type { RunOptions } from '../src/run/runner.ts';
import { makeDocument } from '../src/run/document.ts';
import { runLayout } from '../src/run/runner.ts';
import { issue, release } from '../src/run/simulate.ts';
import { timingStats } from '../src/run/timing.ts';
import { planSweep } from '../src/input/sweep-plan.ts';
import { runSweep } from '../src/run/sweep-pool.ts';
import { STRATEGIES } from '../src/strategies/registry.ts';
import { baseline } from '../src/strategies/baseline.ts';
import { rfc } from '../src/strategies/rfc.ts';
import { barLayout, manyMapsLayout, ramLayout } from './scenarios.ts';
import { kernelStrategy } from '../src/strategies/kernels.ts';
import { kv } from '../src/kernel/eras.ts';
import { simulate } from '../src/run/simulate.ts';
import { naiveLoopNs } from './floor.ts';
import { formatRequests, requestSeries } from './requests.ts';
import { formatRss, peakRss } from './rss.ts';
import { distBuilt, formatStartup, measureStartup } from './startup.ts';
import { statsOfMs } from './stats.ts';

const USAGE = 'usage: npm run bench [-- --json] [-- --output <file>] [-- --report <file>] [-- --full] [-- --startup-runs N]';
const args = process.argv.slice(2);
let json = false;
let output: string | undefined;
let reportFile: string | undefined;
let full = false;
let startupRuns = 10;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--json') json = true;
  else if (args[i] === '--output' && args[i + 1] !== undefined) output = args[++i];
  else if (args[i] === '--report' && args[i + 1] !== undefined) reportFile = args[++i];
  else if (args[i] === '--full') full = true;
  else if (args[i] === '--startup-runs' && /^[1-9][0-9]*$/.test(args[i + 1] ?? '')) startupRuns = Number(args[++i]);
  else {
    console.error(`bench: unknown argument ${JSON.stringify(args[i])}; ${USAGE}`);
    process.exit(2);
  }
}

const G = 2 ** 30;
const bench = new Bench({ time: 2000, iterations: 5, warmup: true, warmupIterations: 1, warmupTime: 0 });
const pages = new Map<string, number>();
const scenarios: { name: string; layout: Layout }[] = [];

function mapTask(name: string, l: Layout): void {
  let k: Kernel;
  scenarios.push({ name, layout: l });
  pages.set(`${name} map`, l.requests[0]!.size / 4096);
  pages.set(`${name} unmap`, l.requests[0]!.size / 4096);
  bench.add(`${name} map`, () => void issue(k, l.requests[0]!), {
    beforeEach: () => void (k = new Kernel(l, baseline)),
    afterEach: () => release(k),
  });
  bench.add(`${name} unmap`, () => release(k), {
    beforeEach: () => {
      k = new Kernel(l, baseline);
      issue(k, l.requests[0]!);
    },
  });
}

mapTask('baseline 16 GiB BAR', barLayout(16 * G));
mapTask('baseline 4 GiB RAM, 4 KiB pages', ramLayout(4 * G, { kind: 'anon', populated: true, placement: defaultPlacement('anon') }, '4k'));

// The deterministic side of each scenario (counters, oracle, modelled time): one untimed pass.
const opts: RunOptions = { strategies: [baseline], profile: DEFAULT_PROFILE, timeMs: 2000, iterations: 5, timed: true };
const fixtures: FixtureResult[] = [];
for (const s of scenarios) fixtures.push(await runLayout(s.layout, 'bench/scenarios.ts', { ...opts, timed: false }));

// The other tasks: a few ms each, so many samples in a shorter budget.
const other = new Bench({ time: 1000, iterations: 5, warmup: true, warmupIterations: 10, warmupTime: 0 });
const names = bundledFixtures().map((f) => f.name);
other.add(`load and validate the ${names.length} bundled fixtures`, () => {
  for (const n of names) loadFixture(n);
});
const small = loadFixture('small-mixed');
const smallDoc = makeDocument([await runLayout(small.layout, small.source, { ...opts, strategies: [baseline, rfc], timed: false })], { ...opts, timed: false });
other.add('render the terminal report (small-mixed)', () => void formatTerminal(smallDoc, { color: false, verbose: false }));
other.add('compare two result documents (small-mixed)', () => void compareDocuments(smallDoc, smallDoc, { base: 'a', current: 'b' }));

// Sweep points in worker threads: the same sweep on one thread and on two (each sample starts
// its threads, as the CLI does). A few samples of about a second or more each.
const sweeps = new Bench({ time: 0, iterations: 5, warmup: true, warmupIterations: 1, warmupTime: 0 });
const sweepPlan = planSweep({ bar: ['256M..8G'] });
const sweepCfg = { strategies: STRATEGIES, profile: loadProfile(DEFAULT_PROFILE) };
for (const workers of [1, 2]) {
  sweeps.add(`sweep --bar 256M..8G, ${workers} worker thread${workers === 1 ? '' : 's'}`, async () => {
    await runSweep(sweepPlan, sweepCfg, { workers, inline: false });
  });
}

// Many small maps: 65,537 single-page MAP_DMA ioctls through a 5.1 kernel (the vfio_dma rb-tree's
// look-ups; the last two get -ENOSPC from dma_entry_limit) and the release; about a second each.
const many = manyMapsLayout(65537);
sweeps.add('65,537 single-page maps and release (linux-5.1)', () => void simulate(many, kernelStrategy(kv(5, 1))));

await bench.run();
await other.run();
await sweeps.run();

function latency(t: { name: string; result: Bench['tasks'][number]['result'] }): Statistics {
  const r = t.result;
  if (r.state !== 'completed') throw new Error(`${t.name}: ${r.state}`);
  return r.latency;
}

// The per-page rows: bench/per-page.ts's own (strategies x layouts, with its naive loop) when it
// is there, else this file's tinybench scenarios and bench/floor.ts.
interface PerPageRow { layout: string; strategy: string; pages: number; mapNs: number; unmapNs: number; totalNs: number; targetNs?: number }
interface PerPageModule { perPage(opts: { quick: boolean; repeat: number }): { rows: PerPageRow[]; naiveNs: number } }
const PER_PAGE = new URL('./per-page.ts', import.meta.url);
const perPageMod = existsSync(PER_PAGE) ? (await import(PER_PAGE.href)) as PerPageModule : undefined;

const byName = new Map(bench.tasks.map((t) => [t.name, latency(t)]));
scenarios.forEach((s, i) => {
  fixtures[i]!.strategies[0]!.timing = { map: timingStats(byName.get(`${s.name} map`)!), unmap: timingStats(byName.get(`${s.name} unmap`)!) };
});
const perPage = perPageMod !== undefined
  ? { source: full ? 'bench/per-page.ts, issue 15\'s sizes' : 'bench/per-page.ts --quick: a sixteenth of issue 15\'s sizes; --full for them', ...perPageMod.perPage({ quick: !full, repeat: full ? 1 : 3 }) }
  : {
    source: 'bench/index.ts tinybench (mean wall time)',
    rows: scenarios.map((s): PerPageRow => {
      const n = pages.get(`${s.name} map`)!;
      const mapNs = (byName.get(`${s.name} map`)!.mean * 1e6) / n;
      const unmapNs = (byName.get(`${s.name} unmap`)!.mean * 1e6) / n;
      return { layout: s.name.replace(/^baseline /, ''), strategy: 'baseline', pages: n, mapNs, unmapNs, totalNs: mapNs + unmapNs };
    }),
    naiveNs: naiveLoopNs(2 ** 24),
  };

// Whole processes: start-up and peak RSS (the bin runs dist/), then the requests series.
const startup = distBuilt() ? measureStartup(startupRuns) : undefined;
const rss = distBuilt() ? peakRss(full) : undefined;
const requests = requestSeries(3);

const doc = makeDocument(fixtures, opts);
doc.tasks = [
  ...[...other.tasks, ...sweeps.tasks].map((t) => ({ name: t.name, timing: timingStats(latency(t)) })),
  ...(startup ?? []).map((r) => ({ name: `start-up CPU: ${r.name}`, timing: statsOfMs(r.samplesCpuMs) })),
  ...requests.map((r) => ({ name: `simulate a 4 GiB BAR in ${r.requests} MAP_DMA requests (CPU)`, timing: statsOfMs(r.samplesMs) })),
];

function formatPerPage(): string {
  const out = [`ns per simulated 4 KiB page (${perPage.source}), beside the naive reference loop (the practical JS floor):`];
  const w = Math.max(...perPage.rows.map((r) => `${r.layout} ${r.strategy}`.length));
  for (const r of perPage.rows) {
    const t = r.targetNs === undefined ? '' : `  target <= ${r.targetNs}: ${r.totalNs <= r.targetNs ? 'met' : 'NOT met'}`;
    out.push(`  ${`${r.layout} ${r.strategy}`.padEnd(w)}  map ${r.mapNs.toFixed(1).padStart(6)}  unmap ${r.unmapNs.toFixed(1).padStart(6)}  ` +
      `total ${r.totalNs.toFixed(1).padStart(6)}  (${(r.totalNs / perPage.naiveNs).toFixed(1)}x the naive loop)${t}`);
  }
  out.push(`  naive reference loop: ${perPage.naiveNs.toFixed(1)} ns/page`);
  return out.join('\n') + '\n';
}

if (output !== undefined) writeFileSync(output, formatJson(doc));
if (reportFile !== undefined) {
  writeFileSync(reportFile, JSON.stringify({ node: process.version, full, perPage, startup: startup ?? null, rss: rss ?? null, requests }, null, 2) + '\n');
}
if (json) process.stdout.write(formatJson(doc));
else {
  for (const t of bench.tasks) {
    const l = latency(t);
    const n = pages.get(t.name) ?? 0;
    const perSecond = n / (l.mean / 1000);
    console.log(`${t.name.padEnd(44)} ${l.mean.toFixed(1).padStart(8)} ms ±${l.rme.toFixed(1)}% (${l.samplesCount} samples)  ${(perSecond / 1e6).toFixed(1)} M pages/s`);
  }
  for (const t of [...other.tasks, ...sweeps.tasks]) {
    const l = latency(t);
    console.log(`${t.name.padEnd(44)} ${l.mean.toFixed(3).padStart(8)} ms ±${l.rme.toFixed(1)}% (${l.samplesCount} samples)`);
  }
  console.log('');
  process.stdout.write(formatPerPage() + '\n');
  process.stdout.write(startup !== undefined ? formatStartup(startup, startupRuns) : 'Start-up and peak RSS: skipped, no dist/ (`npm run build`)\n');
  if (rss !== undefined) process.stdout.write('\n' + formatRss(rss));
  process.stdout.write('\n' + formatRequests(requests));
}
