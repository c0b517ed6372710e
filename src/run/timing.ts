// Simulator wall time with tinybench. The "map" task runs the layout's requests on a kernel
// built in beforeEach (outside the timed part) and reports the time of its map ioctls; the
// kernel it leaves, still mapped, goes to the "unmap" task, which times the container release
// (plus the explicit unmap requests the map pass made). So each sample simulates every
// request once, and the two sides are timed on the same passes.

import { Bench, type Statistics } from 'tinybench';
import { Kernel } from '../kernel/kernel.ts';
import type { Layout } from '../model/layout.ts';
import type { Strategy } from '../strategies/strategy.ts';
import type { TimingStats } from '../model/result.ts';
import { issue, release } from './simulate.ts';

interface TimingOptions {
  timeMs: number;
  iterations: number;
  /** warm the JIT up first (worth it for short passes; the untimed simulation already ran once). */
  warmup: boolean;
}

/** Mapped kernels handed from the map task to the unmap task; a few at most (memory). */
const MAX_STASH = 2;

interface Mapped {
  k: Kernel;
  /** ms spent in the explicit unmap requests of the map pass. */
  unmapMs: number;
}

/** Runs every request on k; returns ms spent in map and in unmap ioctls. */
function runRequests(k: Kernel, layout: Layout, now: () => number): { map: number; unmap: number } {
  let map = 0;
  let unmap = 0;
  for (const r of layout.requests) {
    const t0 = now();
    issue(k, r);
    const dt = now() - t0;
    if (r.op === 'map') map += dt;
    else unmap += dt;
  }
  return { map, unmap };
}

const ns = (ms: number): number => ms * 1e6;

/** tinybench's statistics (ms) as the records keep them (ns). */
export function timingStats(s: Statistics): TimingStats {
  return {
    mean: ns(s.mean), p50: ns(s.p50), p99: ns(s.p99), min: ns(s.min), max: ns(s.max), sd: ns(s.sd),
    rme: s.rme, samples: s.samplesCount,
  };
}

export async function timeStrategy(layout: Layout, strategy: Strategy, opts: TimingOptions): Promise<{ map: TimingStats; unmap: TimingStats }> {
  const bench = new Bench({ time: opts.timeMs, iterations: opts.iterations, warmup: opts.warmup, warmupTime: 50, warmupIterations: 5 });
  const now = () => bench.now();
  const stash: Mapped[] = [];
  let k: Kernel;
  let mapped: Mapped;

  bench.add('map', () => {
    const t = runRequests(k, layout, now);
    mapped = { k, unmapMs: t.unmap };
    return { overriddenDuration: t.map };
  }, {
    beforeEach: () => void (k = new Kernel(layout, strategy)),
    afterEach: () => {
      if (stash.length < MAX_STASH) stash.push(mapped);
      else release(mapped.k);
    },
    async: false,
  });

  bench.add('unmap', () => {
    const t0 = now();
    release(mapped.k);
    return { overriddenDuration: mapped.unmapMs + (now() - t0) };
  }, {
    // a kernel the map task left, or a fresh one mapped here (untimed)
    beforeEach: () => {
      const s = stash.shift();
      if (s) mapped = s;
      else {
        const fresh = new Kernel(layout, strategy);
        mapped = { k: fresh, unmapMs: runRequests(fresh, layout, now).unmap };
      }
    },
    async: false,
  });

  await bench.run();
  const out: Partial<Record<'map' | 'unmap', TimingStats>> = {};
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`tinybench task ${task.name}: ${r.state}${'error' in r ? `: ${String(r.error)}` : ''}`);
    out[task.name as 'map' | 'unmap'] = timingStats(r.latency);
  }
  return { map: out.map!, unmap: out.unmap! };
}
