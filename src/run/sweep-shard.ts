// A shard's stamp on its partial sweep document (`sweep --shard i/n`): which part, and the id of
// the whole sweep's plan, so that merge can refuse parts of different sweeps. The id is a hash
// of everything the records depend on: the tool's version, the options, the cost profile's
// prices and every point's layout (not the flags' spelling, the workers or the limits).

import { createHash } from 'node:crypto';
import type { SweepDocument, SweepPoint, SweepShard } from '../model/result.ts';
import type { SweepPlan } from '../input/sweep-plan.ts';
import { layoutPages, unitPages, type Shard, type WorkUnit } from '../input/sweep-shard.ts';
import { runPoint, type PointConfig } from './sweep-point.ts';

/** "sha256:<64 hex>" of the tool version, the sweep's options, the profile and the points' layouts. */
export function sweepPlanId(plan: SweepPlan, cfg: PointConfig, toolVersion: string): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({
    tool: toolVersion, axis: plan.axis, from: plan.from, to: plan.to, factor: plan.factor, steps: plan.steps,
    strategies: cfg.strategies.map((s) => s.name), profile: { name: cfg.profile.name, ns: cfg.profile.ns }, timing: cfg.timing ?? null, points: plan.points.length,
  }));
  for (const p of plan.points) h.update(`\n${p.index} ${p.value} ${JSON.stringify(p.layout)}`);
  return `sha256:${h.digest('hex')}`;
}

/** The shard field of a partial document whose points are `points` (the units' points, in plan order). */
export function sweepShard(shard: Shard, planId: string, plan: SweepPlan, mine: readonly WorkUnit[], all: readonly WorkUnit[],
  points: readonly SweepPoint[]): SweepShard {
  const pointIndex = [...new Set(mine.map((u) => u.point))].sort((a, b) => a - b);
  if (pointIndex.length !== points.length) throw new Error(`sweep --shard: ${points.length} points for ${pointIndex.length} planned`);
  return {
    index: shard.index, count: shard.count, plan: planId, planPoints: plan.points.length, pointIndex,
    pages: unitPages(mine), planPages: unitPages(all),
  };
}

/** The document with its shard field (last, after the points). */
export function withShard(doc: SweepDocument, shard: SweepShard): SweepDocument {
  return { ...doc, shard };
}

/** The probe may cost a shard at most this share of its part of the sweep. */
const PROBE_SHARE = 1 / 32;

/**
 * Each strategy's simulated work per page, for the split: the counter events (every counter of
 * map and unmap, the calls and pages the simulator steps through) of one untimed pass on the
 * sweep's smallest point, over its pages. Counters are deterministic, so every shard gets the
 * same weights. Per-page strategies come out about ten times above those that step per IOMMU
 * PTE on a BAR, so the split does not hand one shard all the expensive ones. Undefined (pages
 * alone) when the smallest point is too large a share of one shard's work to run twice.
 */
export async function workPerPage(plan: SweepPlan, cfg: PointConfig, shards: number): Promise<number[] | undefined> {
  const first = plan.points[0];
  if (first === undefined) return undefined;
  const pages = layoutPages(first.layout);
  const total = plan.points.reduce((n, p) => n + layoutPages(p.layout), 0);
  if (pages * shards > total * PROBE_SHARE) return undefined;
  const records = await runPoint(first.layout, { strategies: cfg.strategies, profile: cfg.profile });
  const events = (c: Record<string, number>): number => Object.values(c).reduce((a, b) => a + b, 0);
  return records.map((r) => Math.max(1, events(r.counters.map) + events(r.counters.unmap)) / pages);
}
