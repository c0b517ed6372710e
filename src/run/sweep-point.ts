// One sweep point: every chosen strategy on one layout, as plain records. Kept apart from
// sweep.ts so that a worker thread loads only the simulator (not the layout parsers).

import type { Layout } from '../model/layout.ts';
import { findStrategy } from '../strategies/registry.ts';
import { modelledNs, type Profile } from '../model/profile.ts';
import type { SweepRecord } from '../model/result.ts';
import { simulate } from './simulate.ts';

/** What a worker needs besides the layout: plain data (it crosses threads). */
export interface PointConfig {
  strategies: string[];
  profile: Profile;
  timing?: { timeMs: number; iterations: number };
}

/** Every strategy of cfg on one layout: the deterministic simulation, the model, and with
 *  cfg.timing tinybench. onStrategy is called after each strategy (progress). */
export async function runPoint(layout: Layout, cfg: PointConfig, onStrategy?: (strategy: string) => void): Promise<SweepRecord[]> {
  const records: SweepRecord[] = [];
  for (const name of cfg.strategies) {
    const strategy = findStrategy(name);
    if (strategy === undefined) throw new Error(`unknown strategy ${name}`);
    const sim = simulate(layout, strategy);
    const k = sim.kernel;
    const failed = sim.invariants.find((i) => !i.ok && i.severity === 'error');
    const verdict = !sim.oracle.ok ? 'unsafe' : failed !== undefined ? 'broken' : 'ok';
    const errors: Record<string, number> = {};
    for (const r of sim.requests) if (r.ret !== 0) errors[r.errno] = (errors[r.errno] ?? 0) + 1;
    const record: SweepRecord = {
      strategy: strategy.name,
      kernel: strategy.kernel,
      verdict,
      ...(verdict === 'unsafe' ? { detail: sim.oracle.detail } : verdict === 'broken' ? { detail: failed!.detail } : {}),
      errors,
      counters: { map: { ...k.mapCounters }, unmap: { ...k.unmapCounters } },
      modelled: { mapNs: modelledNs(cfg.profile, k.mapCounters), unmapNs: modelledNs(cfg.profile, k.unmapCounters) },
    };
    if (cfg.timing !== undefined) {
      const { timeStrategy } = await import('./timing.ts'); // tinybench: loaded only when timing
      record.timing = await timeStrategy(layout, strategy, { ...cfg.timing, warmup: true });
    }
    records.push(record);
    onStrategy?.(name);
  }
  return records;
}

