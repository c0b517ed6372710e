// Does `compare` cry wolf on timed runs (issue 13)? Runs PAIRS pairs of timed runs of one commit
// (the same code, one after the other, as a CI job would on two pushes) and compares each pair
// with the default rules: every pair should come out clean (exit 0). Then a planted 2x slowdown:
// the current run's strategies spin after each vfio_pin_map_dma / vfio_unmap_unpin call for as
// long as the call took (simulator time doubled, counters untouched), which compare must still
// catch as a simulator-time regression.
//   node --import tsx bench/compare-noise.ts [fixture] [pairs] [time-ms]
// Defaults: rfc-pitfall-mid-vma (short passes: many samples per task), 10 pairs, 200 ms.

import '../src/run/v8-tuning.ts';
import { loadFixture } from '../src/input/fixture.ts';
import { DEFAULT_PROFILE } from '../src/input/profile.ts';
import type { RunDocument } from '../src/model/result.ts';
import { compareDocuments, DEFAULT_COMPARE_OPTIONS } from '../src/report/compare/compare.ts';
import { makeDocument } from '../src/run/document.ts';
import { runLayout, type RunOptions } from '../src/run/runner.ts';
import { STRATEGIES } from '../src/strategies/registry.ts';
import type { Strategy } from '../src/strategies/strategy.ts';

const [fixture = 'rfc-pitfall-mid-vma', pairsArg = '10', timeArg = '200'] = process.argv.slice(2);
const pairs = Number(pairsArg);
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


const t0 = performance.now();
let cried = 0;
console.log(`${fixture}: ${pairs} pairs of timed runs (${timeMs} ms per task), compare with the default rules`);
for (let i = 1; i <= pairs; i++) {
  const a = await timedRun(STRATEGIES);
  const b = await timedRun(STRATEGIES);
  const c = compareDocuments(a, b, { base: 'a', current: 'b' }, DEFAULT_COMPARE_OPTIONS);
  const judged = c.rows.filter((r) => r.kind === 'simulator' && !r.note.startsWith('margin unknown')).length;
  const sim = c.rows.filter((r) => r.kind === 'simulator').length;
  if (c.regressions > 0) cried++;
  console.log(`  pair ${String(i).padStart(2)}: ${c.regressions} regressions, ${c.improvements} improvements; ` +
    `${judged}/${sim} simulator times judged (samples per task ${samples(a)} / ${samples(b)})` +
    (c.regressions > 0 ? `: ${c.rows.filter((r) => r.status === 'regression').map((r) => `${r.strategy} ${r.op} ${r.note}`).join('; ')}` : ''));
}
console.log(`same-commit pairs that exit 1: ${cried} of ${pairs}`);

const base = await timedRun(STRATEGIES);
const slow = await timedRun(STRATEGIES.map(slowed));
const c = compareDocuments(base, slow, { base: 'base', current: 'slowed' }, DEFAULT_COMPARE_OPTIONS);
const sim = c.rows.filter((r) => r.kind === 'simulator');
const caught = sim.filter((r) => r.status === 'regression');
const judged = sim.filter((r) => !r.note.startsWith('margin unknown'));
console.log(`planted 2x slowdown: exit ${c.regressions > 0 ? 1 : 0}; ${caught.length} of ${judged.length} judged simulator times ` +
  `(of ${sim.length}) caught as regressions; other regressions: ${c.regressions - caught.length}`);
for (const r of sim) console.log(`  ${r.strategy!.padEnd(18)} ${r.op!.padEnd(5)} ${(r.ratio === null ? '-' : `${r.ratio >= 0 ? '+' : ''}${(r.ratio * 100).toFixed(0)}%`).padStart(6)}  ${r.status.padEnd(10)} ${r.note}`);
console.log(`wall time ${((performance.now() - t0) / 1000).toFixed(0)} s`);
process.exitCode = cried === 0 && c.regressions > 0 ? 0 : 1;
