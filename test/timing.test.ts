// Simulator timing bounded by a wall-clock budget and a sample cap (run/timing.ts), and the
// judge's own pass as the one sample when it alone took the budget (run/runner.ts).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onePass, timeStrategy } from '../src/run/timing.ts';
import { runLayout } from '../src/run/runner.ts';
import { findStrategy } from '../src/strategies/registry.ts';
import { anon, layout, M, map, VA_RAM } from './layouts.ts';

const baseline = findStrategy('baseline')!;
const small = layout([anon('ram', VA_RAM, 4 * M)], [map(VA_RAM, 0, 4 * M)]);

test('the sample cap ends each task: exactly maxSamples samples with a budget that never runs out', async () => {
  const t = await timeStrategy(small, baseline, { timeMs: 1e9, maxSamples: 3, warmup: false });
  assert.deepEqual([t.map.samples, t.unmap.samples], [3, 3]);
});

test('a budget already spent after the first sample: exactly one sample per task, never zero', async () => {
  const seen: string[] = [];
  const t = await timeStrategy(small, baseline, { timeMs: 1e-9, maxSamples: 100, warmup: true, onSample: (task, n) => seen.push(`${task}:${n}`) });
  assert.deepEqual([t.map.samples, t.unmap.samples], [1, 1]);
  assert.deepEqual(seen, ['map:1', 'unmap:1']);
  assert.ok(t.map.mean > 0 && t.unmap.mean > 0);
});

test('onePass: the judge pass as one sample, no margin of error', () => {
  const t = onePass({ map: 2, unmap: 0.5 });
  assert.deepEqual(t.map, { mean: 2e6, p50: 2e6, p99: 2e6, min: 2e6, max: 2e6, sd: 0, rme: 0, samples: 1 });
  assert.equal(t.unmap.mean, 0.5e6);
});

test('runLayout: a pass longer than the budget is timed once, on the judge pass; progress reaches every step', async () => {
  const steps: number[] = [];
  const fx = await runLayout(small, 'test', {
    strategies: [baseline], profile: 'xeon-e5-2.6ghz', timeMs: 1e-9, iterations: 100, timed: true,
    onProgress: (done, total) => steps.push(done / total),
  });
  const t = fx.strategies[0]!.timing!;
  assert.deepEqual([t.map.samples, t.unmap.samples], [1, 1]);
  assert.equal(steps.at(-1), 1);
  // never backwards
  for (let i = 1; i < steps.length; i++) assert.ok(steps[i]! >= steps[i - 1]!, `progress ${steps[i - 1]} -> ${steps[i]}`);
});
