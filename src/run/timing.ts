// Simulator wall time with tinybench: each sample runs the layout's requests and the
// container release on a kernel built in beforeEach (outside the timed part). The map and
// unmap sides are timed as separate tasks, each reporting only its side's ioctls.

import { Bench, type Statistics } from 'tinybench';
import { Kernel } from '../kernel/kernel.ts';
import type { Layout } from '../kernel/layout.ts';
import type { Strategy } from '../strategies/strategy.ts';
import type { TimingStats } from './result.ts';
import { issue, release } from './simulate.ts';

export interface TimingOptions {
  timeMs: number;
  iterations: number;
}

/** Runs every request and the release on k; returns ms spent in map and in unmap ioctls. */
function runTimed(k: Kernel, layout: Layout, now: () => number): { map: number; unmap: number; all: number } {
  let map = 0;
  let unmap = 0;
  const start = now();
  for (const r of layout.requests) {
    const t0 = now();
    issue(k, r);
    const dt = now() - t0;
    if (r.op === 'map') map += dt;
    else unmap += dt;
  }
  const t0 = now();
  release(k);
  unmap += now() - t0;
  return { map, unmap, all: now() - start };
}

const ns = (ms: number): number => ms * 1e6;

function stats(s: Statistics): TimingStats {
  return {
    mean: ns(s.mean), p50: ns(s.p50), p99: ns(s.p99), min: ns(s.min), max: ns(s.max), sd: ns(s.sd),
    rme: s.rme, samples: s.samplesCount,
  };
}

export async function timeStrategy(layout: Layout, strategy: Strategy, opts: TimingOptions): Promise<{ map: TimingStats; unmap: TimingStats }> {
  const bench = new Bench({ time: opts.timeMs, iterations: opts.iterations, warmup: false });
  let k: Kernel;
  const fresh = { beforeEach: () => void (k = new Kernel(layout, strategy)) };
  for (const side of ['map', 'unmap'] as const) {
    bench.add(side, () => {
      const t = runTimed(k, layout, () => bench.now());
      return { overriddenDuration: t[side], overriddenIterationCost: t.all };
    }, { ...fresh, async: false });
  }
  await bench.run();
  const out: Partial<Record<'map' | 'unmap', TimingStats>> = {};
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`tinybench task ${task.name}: ${r.state}${'error' in r ? `: ${String(r.error)}` : ''}`);
    out[task.name as 'map' | 'unmap'] = stats(r.latency);
  }
  return { map: out.map!, unmap: out.unmap! };
}
