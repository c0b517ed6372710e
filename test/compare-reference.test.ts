// The reference workload (run/reference.ts) that timed runs record next to each strategy's
// timing, and compare's use of it on a real document (the rules themselves: compare.test.ts).
// No wall-clock assertion: sample counts and the arithmetic only.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSchema, RESULT_SCHEMA } from '../src/input/result-document.ts';
import { compareDocuments } from '../src/report/compare/compare.ts';
import { makeDocument } from '../src/run/document.ts';
import { statsOfSamples } from '../src/run/reference.ts';
import { runLayout, type RunOptions } from '../src/run/runner.ts';
import { findStrategy } from '../src/strategies/registry.ts';
import { anon, layout, M, map, VA_RAM } from './layouts.ts';

const small = layout([anon('ram', VA_RAM, 4 * M)], [map(VA_RAM, 0, 4 * M)]);

test('statsOfSamples: tinybench\'s mean, sd and rme; percentiles the nearest sample below', () => {
  // samples 1, 2, 3, 4 ms: mean 2.5 ms; sd sqrt(((1.5^2 + 0.5^2) * 2) / 3) = sqrt(5/3) = 1.29099 ms;
  // rme = t(3 df) 3.182 * sd / sqrt(4) / mean = 3.182 * 0.645497 / 2.5 = 82.16%;
  // p50: index floor(0.5 * 3) = 1 -> 2 ms; p99: floor(0.99 * 3) = 2 -> 3 ms
  const s = statsOfSamples([4, 1, 3, 2]);
  assert.deepEqual([s.mean, s.p50, s.p99, s.min, s.max, s.samples], [2.5e6, 2e6, 3e6, 1e6, 4e6, 4]);
  assert.ok(Math.abs(s.sd - Math.sqrt(5 / 3) * 1e6) < 1e-3);
  assert.ok(Math.abs(s.rme - 3.182 * Math.sqrt(5 / 3) / 2 / 2.5 * 100) < 1e-9);
  // one sample: no spread, no margin (as tinybench)
  assert.deepEqual(statsOfSamples([0.5]), { mean: 5e5, p50: 5e5, p99: 5e5, min: 5e5, max: 5e5, sd: 0, rme: 0, samples: 1 });
});

test('a timed run records one reference pass per sample of each task; compare against itself: run-wide 0%', async () => {
  const opts: RunOptions = {
    strategies: [findStrategy('baseline')!, findStrategy('rfc')!], profile: 'xeon-e5-2.6ghz', timeMs: 1e9, iterations: 5, timed: true,
  };
  const doc = makeDocument([await runLayout(small, 'test', opts)], opts);
  for (const s of doc.fixtures[0]!.strategies) {
    // the sample cap (5) ends each task with a budget that never runs out: 5 samples, 5 passes
    assert.deepEqual([s.timing!.map.samples, s.timing!.unmap.samples, s.reference!.map.samples, s.reference!.unmap.samples], [5, 5, 5, 5], s.strategy);
    assert.ok(s.reference!.map.p50 > 0 && s.reference!.unmap.min > 0);
  }
  assert.equal(checkSchema(doc, RESULT_SCHEMA, { strict: true }), null);
  const c = compareDocuments(doc, doc, { base: 'a', current: 'a' });
  // 2 strategies x 2 tasks, each unchanged (relative 0): median 0
  const wide = c.rows.find((r) => r.fixture === 'all timed tasks')!;
  assert.deepEqual([wide.relative, wide.status, c.regressions], [0, 'noise', 0]);
  assert.match(wide.note, /^median of 4 tasks vs reference, within margin/);
  // the same run without timing: no reference recorded
  const untimed = await runLayout(small, 'test', { ...opts, timed: false });
  assert.equal(untimed.strategies[0]!.reference, undefined);
});
