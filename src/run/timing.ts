// Simulator wall time with tinybench, bounded by wall-clock time. The "map" task runs the
// layout's requests on a kernel built in beforeEach and reports the time of its map ioctls;
// the kernel it leaves, still mapped, goes to the "unmap" task, which times the container
// release (plus the explicit unmap requests the map pass made). So each sample simulates every
// request once, and the two sides are timed on the same passes.
//
// The budget: tinybench's own `time` adds up only the durations a task reports (here the
// ioctls), not the kernel built and released around each sample, so a strategy that maps in
// microseconds on a layout that takes a second to build ran for ever. Here each task has a
// wall-clock deadline that covers everything it does (warm-up, kernel setup, the ioctls,
// release): after each sample the task stops once the deadline has passed or it has `maxSamples`
// samples. Each task takes at most about `timeMs` plus one sample, and always at least one sample.
//
// The counted pass: the judge has already simulated every request once (for the counters and
// the oracle) and timed its ioctls (simulate.ts ioctlMs). When that pass is long enough to warm
// the JIT up by itself (WARM_PASS_MS: no warm-up would run before it), it is each task's first
// sample instead of being thrown away, and its time counts against each task's budget; a pass
// as long as the budget is the only sample (onePass). Shorter passes are cold: they warm up
// instead, and the samples are all fresh passes. timeAfterJudge() makes the choice.

import { Bench, type Statistics, type Task } from 'tinybench';
import { Kernel } from '../kernel/kernel.ts';
import type { Layout } from '../model/layout.ts';
import type { Strategy } from '../strategies/strategy.ts';
import type { TimingStats } from '../model/result.ts';
import { issue, release } from './simulate.ts';

export interface TimingOptions {
  /** wall-clock budget per task (map, unmap), ms: setup and release included. */
  timeMs: number;
  /** sample cap per task. */
  maxSamples: number;
  /** warm the JIT up first, inside the map task's budget (worth it for short passes; the
   *  untimed simulation already ran once). */
  warmup: boolean;
  /** called after every sample: (task, samples so far). */
  onSample?: (task: 'map' | 'unmap', samples: number) => void;
  /** the judge's pass (ms in its map ioctls, and in its unmap ioctls and release) as each
   *  task's first sample, charged to its budget; only without warm-up (it would be cold). */
  counted?: { map: number; unmap: number };
}

/** A judged pass at least this long warms the JIT up by itself: it is timed as the first
 *  sample and no warm-up runs; a shorter one gets a warm-up and is not a sample. */
export const WARM_PASS_MS = 50;

/** Mapped kernels handed from the map task to the unmap task; a few at most (memory). */
const MAX_STASH = 2;

/** Untimed warm-up passes at most, and at most this share of the map budget. */
const WARMUP_PASSES = 5;
const WARMUP_SHARE = 0.25;

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

/** The judge's own pass as the one sample of both tasks, when that pass alone took the budget:
 *  timing it again would only repeat a pass of the same length (a 1 TiB layout takes
 *  seconds per pass). One sample has no margin of error; compare treats it as unknown. */
export function onePass(ioctlMs: { map: number; unmap: number }): { map: TimingStats; unmap: TimingStats } {
  const one = (ms: number): TimingStats => ({ mean: ns(ms), p50: ns(ms), p99: ns(ms), min: ns(ms), max: ns(ms), sd: 0, rme: 0, samples: 1 });
  return { map: one(ioctlMs.map), unmap: one(ioctlMs.unmap) };
}

/** A wall-clock deadline and sample cap for one task: `check()` after each sample aborts the
 *  task (tinybench then ends it with the samples it has) when either is reached. */
class Budget {
  readonly controller = new AbortController();
  private deadline = Infinity;
  samples = 0;
  constructor(private readonly timeMs: number, private readonly maxSamples: number, private readonly now: () => number) {}
  /** starts the clock (at the task's first beforeEach, or before the warm-up), less the time
   *  of a sample taken before (the counted pass). */
  start(spentMs = 0): void {
    if (this.deadline === Infinity) this.deadline = this.now() + this.timeMs - spentMs;
  }
  left(): number {
    return this.deadline - this.now();
  }
  check(): void {
    this.samples++;
    if (this.samples >= this.maxSamples || this.now() >= this.deadline) this.controller.abort();
  }
}

/** tinybench's result for a task the budget ended ("aborted-with-statistics") or that ran out
 *  of its own accord ("completed"). */
function statsOf(task: Task): TimingStats {
  const r = task.result;
  if (r.state === 'completed' || r.state === 'aborted-with-statistics') return timingStats(r.latency);
  throw new Error(`tinybench task ${task.name}: ${r.state}${'error' in r ? `: ${String(r.error)}` : ''}`);
}

export async function timeStrategy(layout: Layout, strategy: Strategy, opts: TimingOptions): Promise<{ map: TimingStats; unmap: TimingStats }> {
  if (opts.counted !== undefined && opts.warmup) throw new Error('timeStrategy: a counted pass is a cold sample after a warm-up: ask for one or the other');
  // tinybench's own limits are out of the way (its time counts reported durations only);
  // the Budgets stop the tasks. Its warm-up is off: ours below counts against the budget.
  const bench = new Bench({ time: Infinity, iterations: opts.maxSamples, warmup: false });
  const now = () => bench.now();
  const mapBudget = new Budget(opts.timeMs, opts.maxSamples, () => performance.now());
  const unmapBudget = new Budget(opts.timeMs, opts.maxSamples, () => performance.now());
  const stash: Mapped[] = [];
  let k: Kernel;
  let mapped: Mapped;
  // the counted pass, until each task has taken it as its first sample
  let mapCounted = opts.counted?.map;
  let unmapCounted = opts.counted?.unmap;
  let countedNow = false;

  if (opts.warmup) {
    mapBudget.start();
    for (let i = 0; i < WARMUP_PASSES && mapBudget.left() > opts.timeMs * (1 - WARMUP_SHARE); i++) {
      const w = new Kernel(layout, strategy);
      runRequests(w, layout, now);
      release(w);
    }
  }

  bench.add('map', () => {
    if (countedNow) return { overriddenDuration: mapCounted! };
    const t = runRequests(k, layout, now);
    mapped = { k, unmapMs: t.unmap };
    return { overriddenDuration: t.map };
  }, {
    beforeEach: () => {
      mapBudget.start(mapCounted);
      countedNow = mapCounted !== undefined;
      if (!countedNow) k = new Kernel(layout, strategy);
    },
    afterEach: () => {
      if (countedNow) [countedNow, mapCounted] = [false, undefined];
      else if (stash.length < MAX_STASH) stash.push(mapped);
      else release(mapped.k);
      mapBudget.check();
      opts.onSample?.('map', mapBudget.samples);
    },
    signal: mapBudget.controller.signal,
    async: false,
  });

  bench.add('unmap', () => {
    if (countedNow) return { overriddenDuration: unmapCounted! };
    const t0 = now();
    release(mapped.k);
    return { overriddenDuration: mapped.unmapMs + (now() - t0) };
  }, {
    // a kernel the map task left, or a fresh one mapped here (untimed)
    beforeEach: () => {
      unmapBudget.start(unmapCounted);
      countedNow = unmapCounted !== undefined;
      if (countedNow) return;
      const s = stash.shift();
      if (s) mapped = s;
      else {
        const fresh = new Kernel(layout, strategy);
        mapped = { k: fresh, unmapMs: runRequests(fresh, layout, now).unmap };
      }
    },
    afterEach: () => {
      if (countedNow) [countedNow, unmapCounted] = [false, undefined];
      unmapBudget.check();
      opts.onSample?.('unmap', unmapBudget.samples);
    },
    signal: unmapBudget.controller.signal,
    async: false,
  });

  await bench.run();
  // kernels the unmap task did not take (it stopped first) are released: nothing stays pinned
  for (const s of stash.splice(0)) release(s.k);
  const [map, unmap] = bench.tasks;
  return { map: statsOf(map!), unmap: statsOf(unmap!) };
}

/** Timing after the judge's pass (judge.ts: passMs, the pass's wall time; ioctlMs, its ioctls):
 *  a pass as long as the budget is the one sample (onePass); a pass of WARM_PASS_MS or more is
 *  the first sample, then fresh passes; a shorter one warms up first and every sample is fresh. */
export async function timeAfterJudge(
  layout: Layout, strategy: Strategy, judged: { passMs: number; ioctlMs: { map: number; unmap: number } },
  opts: Omit<TimingOptions, 'warmup' | 'counted'>,
): Promise<{ map: TimingStats; unmap: TimingStats }> {
  if (judged.passMs >= opts.timeMs) return onePass(judged.ioctlMs);
  if (judged.passMs >= WARM_PASS_MS) return timeStrategy(layout, strategy, { ...opts, warmup: false, counted: judged.ioctlMs });
  return timeStrategy(layout, strategy, { ...opts, warmup: true });
}
