// The one judge of run and sweep: a layout simulated with one strategy -> verdict -> record.

import type { Layout } from '../model/layout.ts';
import { modelledNs, type Profile } from '../model/profile.ts';
import type { StrategyResult, SweepRecord } from '../model/result.ts';
import { verdictDetail, verdictOf } from '../model/verdict.ts';
import type { Strategy } from '../strategies/strategy.ts';
import { simulate } from './simulate.ts';

interface Judgement {
  result: StrategyResult;
  /** how long the simulation took, ms. */
  passMs: number;
  /** ms in the map ioctls and in the unmap ioctls and release of that pass (simulate.ts). */
  ioctlMs: { map: number; unmap: number };
}

/** The simulation (simulate.ts), its verdict (model/verdict.ts) and its record with the modelled
 *  time. Timing, when asked, is the caller's: run and sweep warm up and report progress differently. */
export function judge(layout: Layout, strategy: Strategy, profile: Profile, onRequest?: (done: number, total: number) => void): Judgement {
  const t0 = performance.now();
  const sim = simulate(layout, strategy, onRequest);
  const passMs = performance.now() - t0;
  const k = sim.kernel;
  const result: StrategyResult = {
    strategy: strategy.name,
    kernel: strategy.kernel,
    verdict: verdictOf(sim.oracle, sim.invariants),
    requests: sim.requests,
    counters: { map: { ...k.mapCounters }, unmap: { ...k.unmapCounters } },
    iommuPtes: sim.iommuPtes,
    lockedVmPeak: k.mm.locked_vm_peak,
    oracle: sim.oracle,
    invariants: sim.invariants,
    modelled: { profile: profile.name, mapNs: modelledNs(profile, k.mapCounters), unmapNs: modelledNs(profile, k.unmapCounters) },
  };
  return { result, passMs, ioctlMs: sim.ioctlMs };
}

/** What a sweep keeps of a result: the verdict and why, refused requests by errno, counters, modelled time. */
export function sweepRecord(r: StrategyResult): SweepRecord {
  const detail = verdictDetail(r);
  const errors: Record<string, number> = {};
  for (const q of r.requests) if (q.ret !== 0) errors[q.errno] = (errors[q.errno] ?? 0) + 1;
  return {
    strategy: r.strategy,
    kernel: r.kernel,
    verdict: r.verdict,
    ...(detail !== undefined ? { detail } : {}),
    errors,
    counters: r.counters,
    modelled: { mapNs: r.modelled.mapNs, unmapNs: r.modelled.unmapNs },
  };
}
