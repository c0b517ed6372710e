// `sweep --shard i/n`: which part of a sweep one CI job runs. Pure: the --shard text -> a shard,
// and a plan -> its (point, strategy) work units split into n parts of about equal weight
// (simulated pages, times a strategy's work per page when known; greedy, largest first), the
// same on every machine. run/sweep-pool.ts runs a part;
// run/sweep-shard.ts stamps the partial document; input/sweep-merge.ts joins the parts.

import { InputError } from '../model/errors.ts';
import { PAGE_SIZE } from '../model/units.ts';
import type { Layout } from '../model/layout.ts';
import { describe } from './size.ts';
import type { SweepPlan } from './sweep-plan.ts';

/** GitHub Actions runs at most 256 jobs of one matrix; more shards than that is a typo. */
export const MAX_SHARDS = 256;

/** One shard of a sweep: index is 1-based (GitHub's `matrix: { shard: [1, 2, 3, 4] }`). */
export interface Shard {
  index: number;
  count: number;
}

/** One strategy at one point: the smallest piece of a sweep that runs on its own. */
export interface WorkUnit {
  /** the point's index in the plan. */
  point: number;
  /** the strategy's index in the sweep's strategies (records keep this order). */
  strategy: number;
  /** simulated pages: the 4 KiB pages the point's map requests cover, plus one per request. */
  pages: number;
  /** what the split balances: pages, times the strategy's work per page (1 when not known). */
  weight: number;
}

/** "2/4" -> { index: 2, count: 4 }; 1-based, as a CI matrix counts. */
export function parseShard(text: string): Shard {
  const m = /^([0-9]+)\/([0-9]+)$/.exec(text.trim());
  if (m === null) throw new InputError(`--shard: expected <i>/<n> with i from 1 to n, like 2/4, got ${describe(text)}`);
  const [index, count] = [Number(m[1]), Number(m[2])];
  if (!(count >= 1 && count <= MAX_SHARDS)) throw new InputError(`--shard ${text}: n must be from 1 to ${MAX_SHARDS} (a CI matrix's most jobs), got ${count}`);
  if (!(index >= 1 && index <= count)) throw new InputError(`--shard ${text}: i must be from 1 to ${count} (shards count from 1, as a CI matrix lists them), got ${index}`);
  return { index, count };
}

/** A layout's simulated pages: what one strategy walks through (vfio_pin_map_dma per page, at
 *  most), plus one per DMA request for its fixed cost. */
export function layoutPages(l: Layout): number {
  let pages = l.requests.length;
  for (const r of l.requests) if (r.op === 'map') pages += Math.ceil(r.size / PAGE_SIZE);
  return pages;
}

/** Every (point, strategy) unit of a plan, in plan order (point, then strategy); `perPage`:
 *  each strategy's work per page (run/sweep-shard.ts measures it in counter events), else 1. */
export function workUnits(plan: SweepPlan, strategies: number, perPage?: readonly number[]): WorkUnit[] {
  return plan.points.flatMap((p) => {
    const pages = layoutPages(p.layout);
    return Array.from({ length: strategies }, (_, s) => ({ point: p.index, strategy: s, pages, weight: pages * (perPage?.[s] ?? 1) }));
  });
}

/** Units by weight, largest first; ties in plan order. The order shards and threads take them. */
export function largestFirst(units: readonly WorkUnit[]): WorkUnit[] {
  return [...units].sort((a, b) => b.weight - a.weight || a.point - b.point || a.strategy - b.strategy);
}

/**
 * The units split into `count` parts: each unit, largest first, to the part with the least
 * weight so far (the lowest-numbered on a tie): Graham's LPT rule, within 4/3 of the best split
 * of the weights. Deterministic: it depends on the units' weights only. Each part is in plan order.
 */
export function partitionUnits(units: readonly WorkUnit[], count: number): WorkUnit[][] {
  const parts: WorkUnit[][] = Array.from({ length: count }, () => []);
  const load = new Array<number>(count).fill(0);
  for (const u of largestFirst(units)) {
    let best = 0;
    for (let i = 1; i < count; i++) if (load[i]! < load[best]!) best = i;
    parts[best]!.push(u);
    load[best]! += u.weight;
  }
  for (const p of parts) p.sort((a, b) => a.point - b.point || a.strategy - b.strategy);
  return parts;
}

/** Simulated pages of some units. */
export const unitPages = (units: readonly WorkUnit[]): number => units.reduce((n, u) => n + u.pages, 0);

/** Weight of some units. */
export const unitWeight = (units: readonly WorkUnit[]): number => units.reduce((n, u) => n + u.weight, 0);
