// Runs a sweep's work units (one strategy at one point), in this thread or in worker threads.
// Units, not whole points, are what a thread takes: the points are a geometric series, so the
// largest point is about half the work, and as one piece it would keep one thread busy while
// the others sit idle (docs/sweeps.md has the measurement). Records land by (point, strategy),
// so the result is the same whatever the number of workers; only the order of finishing differs.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InputError } from '../model/errors.ts';
import type { SweepPoint, SweepRecord } from '../model/result.ts';
import { runPoint, type PointConfig } from './sweep-point.ts';
import { summarize } from './summary.ts';
import { AXIS_FLAG, type PlannedPoint, type SweepPlan } from '../input/sweep-plan.ts';
import { largestFirst, workUnits, type WorkUnit } from '../input/sweep-shard.ts';
import type { FromWorker, ToWorker } from './sweep-worker.ts';

interface SweepRunOptions {
  /** worker threads (at most one per unit). */
  workers: number;
  /** run the units in this thread, no worker (default: when workers is 1). */
  inline?: boolean;
  /** the units to run (a shard's; default: every strategy at every point). */
  units?: readonly WorkUnit[];
  /** after each unit: (units done, units in all, what). */
  onProgress?: (done: number, total: number, what: string) => void;
}

/** The default --workers: one per core the process may use. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/** The worker count actually used: at most one per unit of work, at least 1. */
export function effectiveWorkers(requested: number, units: number): number {
  return Math.max(1, Math.min(requested, units));
}

// dist/run/sweep-worker.js (compiled) or, under tsx, src/run/sweep-worker.js (registers tsx first)
const WORKER_ENTRY = new URL('../run/sweep-worker.js', import.meta.url);

/** The points the units touch, in plan order, each with its records in the strategies' order. */
export async function runSweep(plan: SweepPlan, cfg: PointConfig, opts: SweepRunOptions): Promise<SweepPoint[]> {
  const units = opts.units ?? workUnits(plan, cfg.strategies.length);
  let done = 0;
  const tick = (u: WorkUnit): void => {
    done++;
    opts.onProgress?.(done, units.length, `${AXIS_FLAG[plan.axis]} ${plan.points[u.point]!.text}: ${cfg.strategies[u.strategy]!.name}`);
  };
  opts.onProgress?.(0, units.length, 'starting');
  const records: SweepRecord[][] = plan.points.map(() => []);
  const workers = effectiveWorkers(opts.workers, units.length);
  if (opts.inline ?? workers === 1) {
    for (const u of units) {
      const p = plan.points[u.point]!;
      records[u.point]![u.strategy] = (await runPoint(p.layout, { ...cfg, strategies: [cfg.strategies[u.strategy]!] }))[0]!;
      tick(u);
    }
  } else {
    await inThreads(plan.points, units, cfg, workers, records, tick);
  }
  return plan.points.filter((p) => records[p.index]!.length > 0).map((p) => sweepPoint(p, records[p.index]!.filter((r) => r !== undefined)));
}

/** Hands units out to `count` threads, largest first (the largest points dominate the wall
 *  time; starting them first keeps the threads busy to the end). */
function inThreads(
  points: PlannedPoint[],
  units: readonly WorkUnit[],
  cfg: PointConfig,
  count: number,
  records: SweepRecord[][],
  tick: (u: WorkUnit) => void,
): Promise<void> {
  const queue = largestFirst(units);
  let remaining = units.length;
  const threads: Worker[] = [];
  const sent = new Map<Worker, Set<number>>(); // the points whose layout a thread holds
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      for (const t of threads) void t.terminate();
      if (err === undefined) resolve();
      else reject(err);
    };
    const { strategies, ...rest } = cfg;
    const next = (t: Worker): void => {
      const u = queue.shift();
      if (u === undefined) return;
      const has = sent.get(t)!;
      const layout = has.has(u.point) ? {} : { layout: points[u.point]!.layout };
      has.add(u.point);
      t.postMessage({ type: 'unit', point: u.point, strategy: u.strategy, ...layout, cfg: { ...rest, strategy: strategies[u.strategy]!.name } } satisfies ToWorker);
    };
    for (let i = 0; i < count; i++) {
      const t = new Worker(WORKER_ENTRY);
      threads.push(t);
      sent.set(t, new Set());
      t.on('message', (m: FromWorker) => {
        if (settled) return;
        switch (m.type) {
          case 'ready':
            next(t);
            break;
          case 'unit':
            records[m.point]![m.strategy] = m.record;
            tick({ point: m.point, strategy: m.strategy, pages: 0, weight: 0 });
            if (--remaining === 0) finish();
            else next(t);
            break;
          case 'error': {
            const err = m.input ? new InputError(m.message) : new Error(`sweep worker: ${m.message}`);
            if (!m.input && m.stack !== undefined) err.stack = m.stack;
            finish(err);
            break;
          }
        }
      });
      t.on('error', (e) => finish(e instanceof Error ? e : new Error(String(e))));
      t.on('exit', (code) => {
        if (!settled) finish(new Error(`sweep worker exited with code ${code} before the sweep finished`));
      });
    }
  });
}

/** A point's records with its layout's summary. */
function sweepPoint(p: PlannedPoint, records: SweepRecord[]): SweepPoint {
  return { value: p.value, text: p.text, layout: p.layout.description, summary: summarize(p.layout), records };
}
