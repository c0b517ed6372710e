// Runs a layout through every chosen strategy: the judge (simulation, oracle, invariants,
// verdict, cost model), then (if asked) tinybench timing. Returns records.

import type { Layout } from '../model/layout.ts';
import { summarize } from './summary.ts';
import { loadProfile } from '../input/profile.ts';
import type { FixtureResult, StrategyResult } from '../model/result.ts';
import type { Strategy } from '../strategies/strategy.ts';
import { judge } from './judge.ts';
import { timeStrategy } from './timing.ts';

export interface RunOptions {
  /** the strategies, resolved from the registry once by the caller; tables keep this order. */
  strategies: readonly Strategy[];
  /** cost profile name (profiles/<name>.json) or profile file; default "xeon-e5-2.6ghz". */
  profile: string;
  /** tinybench time budget per task, ms. */
  timeMs: number;
  /** tinybench minimum iterations per task. */
  iterations: number;
  /** false: counters, oracle and model only, no tinybench timing. */
  timed: boolean;
  /** progress callback (the CLI draws it on stderr). */
  onProgress?: (done: number, total: number, what: string) => void;
}

export async function runLayout(layout: Layout, source: string, opts: RunOptions): Promise<FixtureResult> {
  const profile = loadProfile(opts.profile);
  const results: StrategyResult[] = [];
  const steps = opts.strategies.length * (opts.timed ? 2 : 1);
  let done = 0;
  for (const strategy of opts.strategies) {
    opts.onProgress?.(done, steps, `${layout.name}: ${strategy.name}: simulating`);
    const { result, passMs } = judge(layout, strategy, profile);
    done++;
    if (opts.timed) {
      opts.onProgress?.(done, steps, `${layout.name}: ${strategy.name}: timing`);
      // short passes get a JIT warm-up first; long ones are warm after the untimed pass
      result.timing = await timeStrategy(layout, strategy, { timeMs: opts.timeMs, iterations: opts.iterations, warmup: passMs < 50 });
      done++;
    }
    results.push(result);
  }
  opts.onProgress?.(done, steps, `${layout.name}: done`);
  return { fixture: layout.name, description: layout.description, source, summary: summarize(layout), strategies: results };
}
