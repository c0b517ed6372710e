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
    const record = sweepRecord(judge(layout, strategy, cfg.profile).result);
    if (cfg.timing !== undefined) {
      const { timeStrategy } = await import('./timing.ts'); // tinybench: loaded only when timing
      record.timing = await timeStrategy(layout, strategy, { ...cfg.timing, warmup: true });
    }
    records.push(record);
    onStrategy?.(strategy.name);
  }
  return records;
}
