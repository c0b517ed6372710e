// Simulator timing bounded by a wall-clock budget and a sample cap (run/timing.ts), and the
// judge's own pass as the one sample when it alone took the budget (run/runner.ts).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { onePass, timeAfterJudge, timeStrategy, WARM_PASS_MS } from '../src/run/timing.ts';
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

/** baseline, counting its vfio_pin_map_dma calls: one per simulated pass of `small` (one map request). */
function counting(): { s: typeof baseline; calls: () => number } {
  let n = 0;
  return { s: { ...baseline, vfio_pin_map_dma: (k, dma, size) => (n++, baseline.vfio_pin_map_dma(k, dma, size)) }, calls: () => n };
}

describe('the counted pass (the judge pass as the first sample)', () => {
  test('it is each task\'s first sample: one pass fewer is simulated', async () => {
    // maxSamples 3, a budget that never runs out. Counted: the map task takes the counted pass and
    // simulates 2 fresh passes (stashed, MAX_STASH = 2); the unmap task takes the counted pass and
    // the 2 stashed kernels: 2 calls. Not counted: the map task simulates 3 (2 stashed, 1 released),
    // the unmap task takes 2 from the stash and maps 1 fresh kernel: 4 calls.
    const a = counting();
    const t = await timeStrategy(small, a.s, { timeMs: 1e9, maxSamples: 3, warmup: false, counted: { map: 12345.5, unmap: 678.25 } });
    assert.deepEqual([t.map.samples, t.unmap.samples, a.calls()], [3, 3, 2]);
    assert.equal(t.map.max, 12345.5e6);
    assert.equal(t.unmap.max, 678.25e6);
    const b = counting();
    await timeStrategy(small, b.s, { timeMs: 1e9, maxSamples: 3, warmup: false });
    assert.equal(b.calls(), 4);
  });

  test('a counted pass longer than the budget is the only sample, and no pass is simulated', async () => {
    const a = counting();
    const t = await timeStrategy(small, a.s, { timeMs: 100, maxSamples: 100, warmup: false, counted: { map: 150, unmap: 120 } });
    assert.deepEqual([t.map.samples, t.unmap.samples, a.calls()], [1, 1, 0]);
    assert.deepEqual([t.map.mean, t.unmap.mean, t.map.sd], [150e6, 120e6, 0]);
  });

  test('a counted pass after a warm-up would be a cold sample: refused', async () => {
    await assert.rejects(timeStrategy(small, baseline, { timeMs: 1, maxSamples: 1, warmup: true, counted: { map: 1, unmap: 1 } }), /counted pass/);
  });

  test('timeAfterJudge: one sample, first sample, or warm-up, by the pass\'s length', async () => {
    const ioctlMs = { map: 12345.5, unmap: 678.25 };
    const long = await timeAfterJudge(small, baseline, { passMs: 300, ioctlMs }, { timeMs: 200, maxSamples: 100 });
    assert.deepEqual(long, onePass(ioctlMs));
    // WARM_PASS_MS (50) <= passMs < budget: the counted pass is the first of 2 samples
    const warm = await timeAfterJudge(small, baseline, { passMs: WARM_PASS_MS, ioctlMs }, { timeMs: 1e9, maxSamples: 2 });
    assert.deepEqual([warm.map.samples, warm.map.max, warm.unmap.max], [2, 12345.5e6, 678.25e6]);
    // shorter: warm-up, then fresh passes only (none of them is the counted pass's figure)
    const cold = await timeAfterJudge(small, baseline, { passMs: WARM_PASS_MS - 1, ioctlMs }, { timeMs: 1e9, maxSamples: 2 });
    assert.equal(cold.map.samples, 2);
    assert.notEqual(cold.map.max, 12345.5e6);
  });
});
