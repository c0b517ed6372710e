// Does `compare` cry wolf on timed runs (issue 13)? Runs PAIRS pairs of timed runs of one commit
// (the same code, one after the other, as a CI job would on two pushes) and compares each pair
// with the default rules: every pair should come out clean (exit 0). Then a planted 2x slowdown:
// the current run's strategies spin after each vfio_pin_map_dma / vfio_unmap_unpin call for as
// long as the call took (simulator time doubled, counters untouched), which compare must still
// catch as a simulator-time regression.
//   node --import tsx bench/compare-noise.ts [fixture] [pairs] [time-ms] [planted-pairs]
// Defaults: rfc-pitfall-mid-vma (short passes: many samples per task), 10 pairs, 200 ms, 3
// pairs with the planted slowdown (the last one's tasks printed).
// Each pair is also judged by the raw rule (the documents without their reference workload, as
// an older vfio-pin-bench wrote them). NOISE_SAVE=<dir> keeps every document for a later look.

import '../src/run/v8-tuning.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFixture } from '../src/input/fixture.ts';
import { DEFAULT_PROFILE } from '../src/input/profile.ts';
import type { RunDocument } from '../src/model/result.ts';
import { compareDocuments, DEFAULT_COMPARE_OPTIONS, RUN_FIXTURE, type Comparison, type CompareRow } from '../src/report/compare/compare.ts';
import { makeDocument } from '../src/run/document.ts';
import { runLayout, type RunOptions } from '../src/run/runner.ts';
import { STRATEGIES } from '../src/strategies/registry.ts';
import type { Strategy } from '../src/strategies/strategy.ts';

const [fixture = 'rfc-pitfall-mid-vma', pairsArg = '10', timeArg = '200', plantedArg = '3'] = process.argv.slice(2);
const pairs = Number(pairsArg);
const planted = Number(plantedArg);
const timeMs = Number(timeArg);
const { layout, source } = loadFixture(fixture);

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* the planted slowdown */ }
}

/** The strategy with each entry point taking twice as long: same work, same counters. */
function slowed(s: Strategy): Strategy {
  return {
    ...s,
    vfio_pin_map_dma: (k, dma, size) => {
      const t0 = performance.now();
      const r = s.vfio_pin_map_dma(k, dma, size);
      spin(performance.now() - t0);
      return r;
    },
    vfio_unmap_unpin: (k, dma, acct) => {
      const t0 = performance.now();
      const r = s.vfio_unmap_unpin(k, dma, acct);
      spin(performance.now() - t0);
      return r;
    },
  };
}

async function timedRun(strategies: readonly Strategy[]): Promise<RunDocument> {
  const opts: RunOptions = { strategies, profile: DEFAULT_PROFILE, timeMs, iterations: 100, timed: true };
  return makeDocument([await runLayout(layout, source, opts)], opts);
}

function samples(doc: RunDocument): string {
  const n = doc.fixtures.flatMap((f) => f.strategies.flatMap((s) => [s.timing!.map.samples, s.timing!.unmap.samples]));
  return `${Math.min(...n)}-${Math.max(...n)}`;
}

/** The document as an older vfio-pin-bench wrote it: no reference workload (compare's raw rule). */
function raw(doc: RunDocument): RunDocument {
  const d = structuredClone(doc);
  for (const f of d.fixtures) for (const s of f.strategies) delete s.reference;
  return d;
}

const pc = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`);
const tasksOf = (c: Comparison): CompareRow[] => c.rows.filter((r) => r.kind === 'simulator' && r.fixture !== RUN_FIXTURE);
const runWideOf = (c: Comparison): CompareRow | undefined => c.rows.find((r) => r.fixture === RUN_FIXTURE);

/** The run-wide change, and the largest |change| among the judged tasks, raw and against the reference. */
function spread(c: Comparison): string {
  const judged = tasksOf(c).filter((r) => !r.note.startsWith('margin unknown'));
  const max = (xs: number[]) => (xs.length === 0 ? 0 : Math.max(...xs.map(Math.abs)));
  const w = runWideOf(c);
  return `run-wide ${w === undefined ? '-' : `${pc(w.ratio)} ${w.status}`}; largest |task change| raw ${pc(max(judged.map((r) => r.ratio ?? 0)))}, ` +
    `vs reference ${pc(max(judged.map((r) => r.relative ?? 0)))}`;
}

function regressions(c: Comparison): string {
  return c.rows.filter((r) => r.status === 'regression').map((r) => `${r.strategy} ${r.op} ${r.note}`).join('; ');
}

const save = process.env.NOISE_SAVE;
if (save !== undefined) mkdirSync(save, { recursive: true });
function keep(name: string, doc: RunDocument): void {
  if (save !== undefined) writeFileSync(join(save, `${name}.json`), JSON.stringify(doc));
}

const t0 = performance.now();
let cried = 0;
let criedRaw = 0;
console.log(`${fixture}: ${pairs} pairs of timed runs (${timeMs} ms per task), compare with the default rules` +
  ' (with the reference workload; "raw": the same documents without it, the rule before)');
for (let i = 1; i <= pairs; i++) {
  const a = await timedRun(STRATEGIES);
  const b = await timedRun(STRATEGIES);
  keep(`pair-${i}-a`, a);
  keep(`pair-${i}-b`, b);
  const c = compareDocuments(a, b, { base: 'a', current: 'b' }, DEFAULT_COMPARE_OPTIONS);
  const r = compareDocuments(raw(a), raw(b), { base: 'a', current: 'b' }, DEFAULT_COMPARE_OPTIONS);
  const judged = tasksOf(c).filter((x) => !x.note.startsWith('margin unknown')).length;
  const sim = tasksOf(c).length;
  if (c.regressions > 0) cried++;
  if (r.regressions > 0) criedRaw++;
  console.log(`  pair ${String(i).padStart(2)}: exit ${c.regressions > 0 ? 1 : 0} (raw: exit ${r.regressions > 0 ? 1 : 0}); ` +
    `${judged}/${sim} simulator times judged (samples per task ${samples(a)} / ${samples(b)}); ${spread(c)}` +
    (c.regressions > 0 ? `: ${regressions(c)}` : ''));
}
console.log(`same-commit pairs that exit 1: ${cried} of ${pairs} (raw rule: ${criedRaw} of ${pairs})`);

let caught = 0;
for (let i = 1; i <= planted; i++) {
  const base = await timedRun(STRATEGIES);
  const slow = await timedRun(STRATEGIES.map(slowed));
  keep(`slow-${i}-base`, base);
  keep(`slow-${i}-current`, slow);
  const c = compareDocuments(base, slow, { base: 'base', current: 'slowed' }, DEFAULT_COMPARE_OPTIONS);
  const cRaw = compareDocuments(raw(base), raw(slow), { base: 'base', current: 'slowed' }, DEFAULT_COMPARE_OPTIONS);
  const sim = tasksOf(c);
  const judged = sim.filter((r) => !r.note.startsWith('margin unknown'));
  const wide = runWideOf(c);
  if (c.regressions > 0) caught++;
  console.log(`planted 2x slowdown ${i}: exit ${c.regressions > 0 ? 1 : 0} (raw rule: exit ${cRaw.regressions > 0 ? 1 : 0}, ` +
    `${cRaw.rows.filter((r) => r.kind === 'simulator' && r.status === 'regression').length} of ${judged.length} judged tasks caught); ` +
    `run-wide ${wide === undefined ? 'not judged' : `${pc(wide.ratio)} ${wide.status}: ${wide.note}`}; other regressions: ${c.regressions - (wide?.status === 'regression' ? 1 : 0)}`);
  if (i === planted) for (const r of sim) console.log(`  ${r.strategy!.padEnd(18)} ${r.op!.padEnd(5)} raw ${pc(r.ratio).padStart(6)} vs reference ${pc(r.relative).padStart(6)}  ${r.status.padEnd(10)} ${r.note}`);
}
console.log(`planted 2x slowdowns caught (exit 1): ${caught} of ${planted}`);
console.log(`wall time ${((performance.now() - t0) / 1000).toFixed(0)} s`);
process.exitCode = cried === 0 && caught === planted ? 0 : 1;
