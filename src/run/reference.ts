// The reference workload (issue 13): a fixed, deterministic piece of work timed in the same
// process, interleaved with the timing tasks' samples (after every map or unmap sample), so a document says how fast this machine ran at that moment. compare divides each
// simulator time by the reference time of its task and compares those ratios: a whole run made
// while the machine was busier moves the task and its reference together and cancels out, a
// slower simulator moves the task alone. Not a kernel function: a naive per-page loop over typed
// arrays, the shape of the simulator's own per-page paths (pfn array, page refcounts).

import type { TimingStats } from '../model/result.ts';

/** Pages per pass: 16 Ki (64 MiB worth of 4 KiB pages), about 0.1 ms on a 2020s x86 core. */
const PAGES = 1 << 14;
/** Untimed passes before the first sample (JIT). */
const WARMUP = 50;

const pfns = new Float64Array(PAGES);
const refcount = new Uint32Array(PAGES);
/** Read back after every pass, so the loop cannot be optimised away. */
let sink = 0;

/** One pass: for each page, a pseudo-random pfn written and read back, a reference taken and
 *  dropped (the same work on every pass). */
function referencePass(): void {
  let acc = 0;
  for (let i = 0; i < PAGES; i++) {
    const pfn = (i * 2654435761) % 1048573;
    pfns[i] = pfn;
    refcount[i]! += 2;
    refcount[i]! -= 1;
    acc += pfns[i]! + refcount[i]!;
  }
  sink = (sink + acc) % 1e9;
}

/** Two-sided 95% Student's t critical values for 1..30 degrees of freedom (tinybench's rme
 *  uses the same); beyond 30, the normal 1.96. */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** Sample durations (ms) -> the statistics records keep (ns); mean, sd and rme as tinybench
 *  computes them, percentiles the nearest sample below. */
export function statsOfSamples(ms: readonly number[]): TimingStats {
  const s = [...ms].sort((a, b) => a - b);
  const n = s.length;
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(s.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  const t = n > 1 ? (T95[n - 2] ?? 1.96) : 0;
  const rme = n > 1 && mean > 0 ? (t * sd / Math.sqrt(n) / mean) * 100 : 0;
  const q = (p: number): number => s[Math.min(n - 1, Math.floor(p * (n - 1)))]!;
  const ns = (x: number): number => x * 1e6;
  return { mean: ns(mean), p50: ns(q(0.5)), p99: ns(q(0.99)), min: ns(s[0]!), max: ns(s[n - 1]!), sd: ns(sd), rme, samples: n };
}

/** Most passes in one reference sample (about 0.2 s on this machine's core). */
const MAX_PASSES = 1000;

/**
 * The reference timed alongside one strategy's map and unmap tasks. After each task sample it
 * runs for about as long as that sample took (setup and release included), a whole number of
 * passes: a machine too busy to give this process a core stretches a long sample by the time it
 * waits, and only a reference of about the same length is stretched alike (a short one mostly
 * falls between two waits). Each reference sample is recorded as the time of one pass.
 */
export class ReferenceClock {
  private readonly perPass = { map: [] as number[], unmap: [] as number[] };
  private readonly total = { map: { ms: 0, passes: 0 }, unmap: { ms: 0, passes: 0 } };
  /** median time of one pass, warm, when it started (ms). */
  private readonly passMs: number;
  /** when the last reference sample ended: the next task sample started then. */
  private last: number;
  constructor() {
    const warm: number[] = [];
    for (let i = 0; i < WARMUP; i++) {
      const t0 = performance.now();
      referencePass();
      warm.push(performance.now() - t0);
    }
    warm.sort((a, b) => a - b);
    this.passMs = Math.max(warm[WARMUP >> 1]!, 1e-3);
    this.last = performance.now();
  }
  /** one reference sample, counted for `task`: call it after each of that task's samples. */
  sample(task: 'map' | 'unmap'): void {
    const cycleMs = performance.now() - this.last;
    const passes = Math.min(MAX_PASSES, Math.max(1, Math.round(cycleMs / this.passMs)));
    const t0 = performance.now();
    for (let i = 0; i < passes; i++) referencePass();
    const ms = performance.now() - t0;
    this.perPass[task].push(ms / passes);
    this.total[task].ms += ms;
    this.total[task].passes += passes;
    this.last = performance.now();
  }
  /** the statistics of each side (mean: all the time spent over all passes), or undefined when a
   *  side has no sample. */
  stats(): { map: TimingStats; unmap: TimingStats } | undefined {
    if (this.perPass.map.length === 0 || this.perPass.unmap.length === 0 || sink < 0) return undefined;
    const side = (t: 'map' | 'unmap'): TimingStats => ({ ...statsOfSamples(this.perPass[t]), mean: (this.total[t].ms / this.total[t].passes) * 1e6 });
    return { map: side('map'), unmap: side('unmap') };
  }
}
