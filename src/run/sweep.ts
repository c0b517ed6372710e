// Sweeps: one layout dimension (a BAR's size, the guest RAM's size, or the DMA map chunk size)
// over a geometric series, every chosen strategy at every point: counters and modelled time
// (tinybench only if asked). Pure: flags -> a plan of layouts (planSweep, input/sweep-plan.ts), a
// layout -> records (runPoint, in sweep-point.ts), records -> the document (makeSweepDocument). The
// threads that run points in parallel are in sweep-pool.ts; the same runPoint runs there.

import type { PlannedPoint, SweepAxis, SweepPlan } from '../input/sweep-plan.ts';
import type { LayoutSummary, RunDocument } from '../model/result.ts';
import type { PointConfig, SweepRecord } from './sweep-point.ts';
import { summarize } from './summary.ts';

export { runPoint, type PointConfig, type SweepRecord } from './sweep-point.ts';
export { AXIS_FLAG, type PlannedPoint, type SweepPlan } from '../input/sweep-plan.ts';

export const SWEEP_SCHEMA_VERSION = 1;

/** What the x axis of a sweep is, for tables and charts. */
export const AXIS_TITLE: Record<SweepAxis, string> = { bar: 'BAR size', ram: 'RAM size', chunk: 'DMA map chunk size' };

export interface SweepPoint {
  /** the swept value, bytes. */
  value: number;
  /** "512M". */
  text: string;
  /** the point's layout as flags: "--bar 512M --backing thp". */
  layout: string;
  summary: LayoutSummary;
  /** one per strategy, in the order of options.strategies. */
  records: SweepRecord[];
}

/** `sweep --json`: schema version, tool, environment, options, and one entry per point. */
export interface SweepDocument {
  schemaVersion: number;
  kind: 'sweep';
  tool: RunDocument['tool'];
  env: RunDocument['env'];
  options: {
    axis: SweepAxis;
    from: number;
    to: number;
    factor: number | null;
    steps: number | null;
    /** the flags as given: "--bar 256M..128G". */
    flags: string;
    strategies: string[];
    profile: string;
    timed: boolean;
    timeMs?: number;
    iterations?: number;
  };
  points: SweepPoint[];
}

/** A point's records with its layout's summary. */
export function sweepPoint(p: PlannedPoint, records: SweepRecord[]): SweepPoint {
  return { value: p.value, text: p.text, layout: p.layout.description, summary: summarize(p.layout), records };
}

export function makeSweepDocument(
  plan: SweepPlan,
  cfg: PointConfig,
  points: SweepPoint[],
  meta: { tool: RunDocument['tool']; env: RunDocument['env'] },
): SweepDocument {
  return {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    kind: 'sweep',
    tool: meta.tool,
    env: meta.env,
    options: {
      axis: plan.axis, from: plan.from, to: plan.to, factor: plan.factor, steps: plan.steps, flags: plan.flags,
      strategies: [...cfg.strategies], profile: cfg.profile.name, timed: cfg.timing !== undefined,
      ...(cfg.timing !== undefined ? { timeMs: cfg.timing.timeMs, iterations: cfg.timing.iterations } : {}),
    },
    points,
  };
}

/** The modelled time of one side: the chart's y value. */
export function modelledOf(r: SweepRecord, side: 'map' | 'unmap'): number {
  return side === 'map' ? r.modelled.mapNs : r.modelled.unmapNs;
}
