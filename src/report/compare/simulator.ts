// compare's judgement of simulator wall time (issue 13). Two rules:
//
// Raw (either run without a reference workload: an older document, or `npm run bench` tasks):
// each task's mean is a regression when the increase is larger than the two runs' margins of
// error added together and above the time threshold.
//
// Against the reference (both runs timed run/reference.ts after every sample): per task, the
// times are first divided by the run's speed (the reference's median pass, current / baseline),
// and the mean AND the fastest sample must both have moved: the change is the one of the two
// nearer zero, none when they disagree in sign (a preempted sample moves the mean, not the
// fastest). On the shared 2-core machine some task of the same code still moved 2x between two
// runs in 32 of 40 pairs (docs/ci.md), so a task alone is shown, not gated: the gate is
// the run-wide change, the median of the tasks' changes, beyond the threshold and the margin of
// that median. A slower simulator moves most tasks; noise moves a few, both ways, and a task
// that moved 70x while the machine starved that run moves the median no more than one at +30%.

import type { TimingStats } from '../../model/result.ts';
import { marginOfError } from '../export/names.ts';

/** 0.05 -> "5%" (unsigned). */
export function pct(ratio: number): string {
  return `${Number((Math.abs(ratio) * 100).toFixed(1))}%`;
}

/** +3.1%, -12% */
export function signed(ratio: number): string {
  return `${ratio < 0 ? '-' : '+'}${pct(ratio)}`;
}

/** One task's simulator time, judged. */
export interface TaskTime {
  /** the change judged: raw (mean) or against the reference; null from a zero base. */
  ratio: number | null;
  withinMargins: boolean;
  /** relative margin of error (of the mean, both runs). */
  margin: number;
  marginText: string;
  /** for the note: "vs reference: mean +3.1%, fastest +2% (run +42%), ", or "". */
  text: string;
  /** against the reference: the change (as ratio). */
  relative?: number;
}

export function judgeTime(b: TimingStats, c: TimingStats, bRef: TimingStats | undefined, cRef: TimingStats | undefined): TaskTime {
  const delta = c.mean - b.mean;
  if (bRef === undefined || cRef === undefined || !(bRef.p50 > 0) || !(cRef.p50 > 0) || !(b.mean > 0) || !(b.min > 0)) {
    const ratio = b.mean === 0 || !Number.isFinite(delta / b.mean) ? null : delta / b.mean;
    const abs = marginOfError(b.mean, b.rme) + marginOfError(c.mean, c.rme);
    return {
      ratio, withinMargins: Math.abs(delta) <= abs, margin: b.mean > 0 ? abs / b.mean : Infinity,
      marginText: b.mean > 0 ? `±${pct(abs / b.mean)}` : `±${abs} ns`, text: '',
    };
  }
  const run = cRef.p50 / bRef.p50;
  const mean = c.mean / b.mean / run - 1;
  const fastest = c.min / b.min / run - 1;
  const rel = Math.sign(mean) !== Math.sign(fastest) ? 0 : Math.abs(mean) < Math.abs(fastest) ? mean : fastest;
  const margin = (b.rme + c.rme) / 100;
  return {
    ratio: rel, withinMargins: Math.abs(mean) <= margin, margin, marginText: `±${pct(margin)}`, relative: rel,
    text: `vs reference: mean ${signed(mean)}, fastest ${signed(fastest)} (run ${signed(run - 1)}), `,
  };
}

/** The run-wide change from the tasks judged against the reference. */
export interface RunWide {
  /** the median of the tasks' changes. */
  change: number;
  /** sqrt(pi / 2) x the tasks' mean margin / sqrt(tasks): a median's standard error is that
   *  much larger than a mean's. */
  margin: number;
  tasks: number;
  status: 'regression' | 'improvement' | 'noise';
  note: string;
}

export function runWide(tasks: { relative: number; margin: number }[], timeThreshold: number): RunWide | null {
  const n = tasks.length;
  if (n === 0) return null;
  const sorted = tasks.map((t) => t.relative).sort((a, b) => a - b);
  const change = (sorted[(n - 1) >> 1]! + sorted[n >> 1]!) / 2;
  const margin = Math.sqrt(Math.PI / 2) * tasks.reduce((a, t) => a + t.margin, 0) / n / Math.sqrt(n);
  const beyond = Math.abs(change) > margin && Math.abs(change) > timeThreshold;
  const status = !beyond ? 'noise' : change > 0 ? 'regression' : 'improvement';
  const where = Math.abs(change) <= margin ? `within margin ±${pct(margin)}` : beyond ? `beyond margin ±${pct(margin)} and ±${pct(timeThreshold)}` : `beyond margin ±${pct(margin)}, within ±${pct(timeThreshold)}`;
  return { change, margin, tasks: n, status, note: `median of ${n} task${n === 1 ? '' : 's'} vs reference, ${where}` };
}
