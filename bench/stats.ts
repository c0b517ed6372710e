// A series of measurements (ms) as the records keep tinybench's statistics (model/result.ts
// TimingStats, ns), so `compare` gates start-up and the requests series as it gates timed tasks.
// rme as tinybench computes it: the 95% confidence half-width of the mean (Student's t), % of it.

import type { TimingStats } from '../src/model/result.ts';

const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function statsOfMs(samplesMs: readonly number[]): TimingStats {
  const n = samplesMs.length;
  const s = [...samplesMs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(s.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  const q = (p: number): number => {
    const i = (n - 1) * p;
    const lo = Math.floor(i);
    return s[lo]! + (s[Math.min(lo + 1, n - 1)]! - s[lo]!) * (i - lo);
  };
  const t = n - 1 <= T95.length ? T95[n - 2]! : 1.96;
  const rme = n > 1 && mean > 0 ? ((t * (sd / Math.sqrt(n))) / mean) * 100 : 0;
  const ns = (ms: number): number => ms * 1e6;
  return { mean: ns(mean), p50: ns(q(0.5)), p99: ns(q(0.99)), min: ns(s[0]!), max: ns(s[n - 1]!), sd: ns(sd), rme, samples: n };
}
