// Runs a layout through every chosen strategy: the judge (simulation, oracle, invariants,
// verdict, cost model), then (if asked) tinybench timing. Returns records.

import type { Layout } from '../model/layout.ts';
import { summarize } from './summary.ts';
import { loadProfile } from '../input/profile.ts';
import type { FixtureResult, StrategyResult } from '../model/result.ts';
import type { Strategy } from '../strategies/strategy.ts';
import { judge } from './judge.ts';
import { ReferenceClock } from './reference.ts';

export interface RunOptions {
  /** the strategies, resolved from the registry once by the caller; tables keep this order. */
  strategies: readonly Strategy[];
  /** cost profile name (profiles/<name>.json) or profile file; default "xeon-e5-2.6ghz". */
  profile: string;
  /** wall-clock time budget per timing task (map, unmap), ms: kernel setup and release included. */
  timeMs: number;
  /** sample cap per timing task. */
  iterations: number;
  /** false: counters, oracle and model only, no tinybench timing. */
  timed: boolean;
  /** progress callback (the CLI draws it on stderr): steps done (fractional while a strategy
   *  is being timed), steps in all, what is running. */
  onProgress?: (done: number, total: number, what: string) => void;
}

export async function runLayout(layout: Layout, source: string, opts: RunOptions): Promise<FixtureResult> {
  const profile = loadProfile(opts.profile);
  const results: StrategyResult[] = [];
  const steps = opts.strategies.length * (opts.timed ? 2 : 1);
  // progress within a simulation: the share of the requests' bytes done after request r (a
  // 1 TiB map takes longer than a 4 KiB unmap); each request counts at least one page
  const weight = layout.requests.map((q) => Math.max(q.size, 4096));
  const all = weight.reduce((a, b) => a + b, 0);
  const share = [0];
  for (const w of weight) share.push(share.at(-1)! + w / all);
  let done = 0;
  for (const strategy of opts.strategies) {
    const what0 = `${layout.name}: ${strategy.name}: simulating`;
    opts.onProgress?.(done, steps, what0);
    const at0 = done;
    const { result, passMs, ioctlMs } = judge(layout, strategy, profile, (r, n) => opts.onProgress?.(at0 + share[r]! * 0.999, steps, `${what0} (request ${r}/${n})`));
    done++;
    if (opts.timed) {
      const what = `${layout.name}: ${strategy.name}: timing`;
      opts.onProgress?.(done, steps, what);
      // the judge's pass is the one sample, the first sample, or a warm-up (timing.ts timeAfterJudge).
      // Progress inside the step: the map task fills its first half, the unmap task the second,
      // each by the larger of its share of the budget and of the sample cap.
      const at = done;
      let taskStart = performance.now();
      let side: 'map' | 'unmap' = 'map';
      const reference = new ReferenceClock();
      const { timeAfterJudge } = await import('./timing.ts'); // tinybench: loaded only when timing
      result.timing = await timeAfterJudge(layout, strategy, { passMs, ioctlMs }, {
        timeMs: opts.timeMs, maxSamples: opts.iterations,
        onSample: (task, n) => {
          reference.sample(task);
          if (task !== side) [side, taskStart] = [task, performance.now()];
          const part = Math.min(1, Math.max(n / opts.iterations, (performance.now() - taskStart) / opts.timeMs));
          opts.onProgress?.(at + (task === 'map' ? 0 : 0.5) + part * 0.499, steps, `${what} (${task}: ${n} samples)`);
        },
      });
      const ref = reference.stats();
      if (ref !== undefined) result.reference = ref;
      done++;
    }
    results.push(result);
  }
  opts.onProgress?.(done, steps, `${layout.name}: done`);
  return { fixture: layout.name, description: layout.description, source, summary: summarize(layout), strategies: results };
}
