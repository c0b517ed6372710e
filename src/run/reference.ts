// The reference workload (issue 13): a fixed, deterministic piece of work timed in the same
// process, one pass after every sample of the map and unmap tasks, so a document says how fast
// this process ran at that moment. compare divides each simulator time by the reference time of
// its task: a run made while the machine was slower for this kind of work moves the task and its
// reference together and cancels out; a slower simulator moves the task alone.
//
// Not a kernel function, and no simulator code (a regression there must not slow the reference
// too): work of the simulator's shape. On the shared 2-core machine the simulator's fastest
// samples switch between two speeds about 2x apart for seconds at a time (same code, same
// process) while a loop over a cached array runs at one speed; allocation and memory traffic
// follow those phases, about a third as far (bench/reference-probe.ts): so each pass builds a
// small map of objects, as the simulator does for VMAs and DMA entries, and fills fresh typed
// arrays per page, as a new simulated kernel does.

import type { TimingStats } from '../model/result.ts';

/** Objects per pass (the map), and pages per pass (the typed arrays: 64 KiB of float64 and
 *  32 KiB of u32, fresh each pass). About 0.2 ms per pass (median), warm. */
const OBJECTS = 4000;
const PAGES = 1 << 13;
/** Untimed passes before the first sample (JIT). */
const WARMUP = 30;

/** Read back after every pass, so the work cannot be optimised away. */
let sink = 0;

/** One pass: the same work every time. */
export function referencePass(): void {
  const m = new Map<number, { start: number; end: number; flags: number }>();
  for (let i = 0; i < OBJECTS; i++) m.set(i * 7, { start: i, end: i + 1, flags: i & 3 });
  let acc = 0;
  for (const v of m.values()) acc += v.end - v.flags;
  const pfns = new Float64Array(PAGES);
  const refcount = new Uint32Array(PAGES);
  for (let i = 0; i < PAGES; i++) {
    pfns[i] = (i * 2654435761) % 1048573;
    refcount[i] = 1 + (i & 1);
    acc += pfns[i]! - refcount[i]!;
  }
  sink = (sink + acc) % 1e9;
}

/** Two-sided 95% Student's t critical values for 1..30 degrees of freedom, as tinybench's rme
 *  uses (it computes them); beyond 30, 1.96 + 2.4 / df (within 0.2% of the exact value). */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** Sample durations (ms) -> the statistics records keep (ns); mean, sd and rme as tinybench
 *  computes them, percentiles the nearest sample below. */
export function statsOfSamples(ms: readonly number[]): TimingStats {
  const s = [...ms].sort((a, b) => a - b);
  const n = s.length;
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(s.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  const t = n > 1 ? (T95[n - 2] ?? 1.96 + 2.4 / (n - 1)) : 0;
  const rme = n > 1 && mean > 0 ? (t * sd / Math.sqrt(n) / mean) * 100 : 0;
  const q = (p: number): number => s[Math.min(n - 1, Math.floor(p * (n - 1)))]!;
  const ns = (x: number): number => x * 1e6;
  return { mean: ns(mean), p50: ns(q(0.5)), p99: ns(q(0.99)), min: ns(s[0]!), max: ns(s[n - 1]!), sd: ns(sd), rme, samples: n };
}

/** The reference timed alongside one strategy's map and unmap tasks. */
export class ReferenceClock {
  private readonly samples = { map: [] as number[], unmap: [] as number[] };
  constructor() {
    for (let i = 0; i < WARMUP; i++) referencePass();
  }
  /** one timed pass, counted for `task`: call it after each of that task's samples. */
  sample(task: 'map' | 'unmap'): void {
    const t0 = performance.now();
    referencePass();
    this.samples[task].push(performance.now() - t0);
  }
  /** the statistics of each side, or undefined when a side has no sample. */
  stats(): { map: TimingStats; unmap: TimingStats } | undefined {
    if (this.samples.map.length === 0 || this.samples.unmap.length === 0 || Number.isNaN(sink)) return undefined;
    return { map: statsOfSamples(this.samples.map), unmap: statsOfSamples(this.samples.unmap) };
  }
}
