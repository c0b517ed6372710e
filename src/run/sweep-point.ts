// One sweep point: every chosen strategy on one layout, as plain records. Kept apart from
// sweep.ts so that a worker thread loads only the simulator (not the layout parsers).

import type { Layout } from '../model/layout.ts';
import type { Profile } from '../model/profile.ts';
import type { SweepRecord } from '../model/result.ts';
import type { Strategy } from '../strategies/strategy.ts';
import { judge, sweepRecord } from './judge.ts';

/** What a point needs besides the layout. */
export interface PointConfig {
  /** the strategies, resolved from the registry once by the caller; records keep this order. */
  strategies: readonly Strategy[];
  profile: Profile;
  timing?: { timeMs: number; iterations: number };
}

/** Every strategy of cfg on one layout: the judge, and with cfg.timing tinybench.
 *  onStrategy is called after each strategy (progress). */
export async function runPoint(layout: Layout, cfg: PointConfig, onStrategy?: (strategy: string) => void): Promise<SweepRecord[]> {
  const records: SweepRecord[] = [];
  for (const strategy of cfg.strategies) {
    const { result, passMs, ioctlMs } = judge(layout, strategy, cfg.profile);
    const record = sweepRecord(result);
    if (cfg.timing !== undefined) {
      const { timeAfterJudge } = await import('./timing.ts'); // tinybench: loaded only when timing
      record.timing = await timeAfterJudge(layout, strategy, { passMs, ioctlMs }, { timeMs: cfg.timing.timeMs, maxSamples: cfg.timing.iterations });
    }
    records.push(record);
    onStrategy?.(strategy.name);
  }
  return records;
}
