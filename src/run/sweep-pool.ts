// Runs a sweep's points, in this thread or in worker threads (one point = every strategy on
// one layout; points are independent). Records land by point index, so the result is the same
// whatever the number of workers; only the order in which points finish differs.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InputError } from '../model/errors.ts';
import type { SweepPoint, SweepRecord } from '../model/result.ts';
import { runPoint, type PointConfig } from './sweep-point.ts';
import { summarize } from './summary.ts';
import { AXIS_FLAG, type PlannedPoint, type SweepPlan } from '../input/sweep-plan.ts';
import type { FromWorker, ToWorker } from './sweep-worker.ts';

interface SweepRunOptions {
  /** worker threads (at most one per point). */
  workers: number;
  /** run the points in this thread, no worker (default: when workers is 1). */
  inline?: boolean;
  /** after each strategy of each point: (strategies done, strategies in all, what). */
  onProgress?: (done: number, total: number, what: string) => void;
}

/** The default --workers: one per core the process may use. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/** The worker count actually used: at most one per point, at least 1. */
export function effectiveWorkers(requested: number, points: number): number {
  return Math.max(1, Math.min(requested, points));
}

// dist/run/sweep-worker.js (compiled) or, under tsx, src/run/sweep-worker.js (registers tsx first)
const WORKER_ENTRY = new URL('../run/sweep-worker.js', import.meta.url);

export async function runSweep(plan: SweepPlan, cfg: PointConfig, opts: SweepRunOptions): Promise<SweepPoint[]> {
  const total = plan.points.length * cfg.strategies.length;
  let done = 0;
  const tick = (p: PlannedPoint, strategy: string): void => {
    done++;
    opts.onProgress?.(done, total, `${AXIS_FLAG[plan.axis]} ${p.text}: ${strategy}`);
  };
  opts.onProgress?.(0, total, 'starting');
  const records: SweepRecord[][] = [];
  const workers = effectiveWorkers(opts.workers, plan.points.length);
  if (opts.inline ?? workers === 1) {
    for (const p of plan.points) records[p.index] = await runPoint(p.layout, cfg, (s) => tick(p, s));
  } else {
    await inThreads(plan.points, cfg, workers, records, tick);
  }
  return plan.points.map((p) => sweepPoint(p, records[p.index]!));
}

/** Hands points out to `count` threads, biggest first (the largest points dominate the wall
 *  time; starting them first keeps the threads busy to the end). */
function inThreads(
  points: PlannedPoint[],
  cfg: PointConfig,
  count: number,
  records: SweepRecord[][],
  tick: (p: PlannedPoint, strategy: string) => void,
): Promise<void> {
  const work = (p: PlannedPoint): number => p.layout.requests.reduce((n, r) => n + (r.op === 'map' ? r.size : 0), 0) + p.layout.requests.length * 4096;
  const queue = [...points].sort((a, b) => work(b) - work(a) || a.index - b.index);
  let remaining = points.length;
  const threads: Worker[] = [];
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      for (const t of threads) void t.terminate();
      if (err === undefined) resolve();
      else reject(err);
    };
    const wire = { ...cfg, strategies: cfg.strategies.map((s) => s.name) };
    const next = (t: Worker): void => {
      const p = queue.shift();
      if (p !== undefined) t.postMessage({ type: 'point', index: p.index, layout: p.layout, cfg: wire } satisfies ToWorker);
    };
    for (let i = 0; i < count; i++) {
      const t = new Worker(WORKER_ENTRY);
      threads.push(t);
      t.on('message', (m: FromWorker) => {
        if (settled) return;
        switch (m.type) {
          case 'ready':
            next(t);
            break;
          case 'strategy':
            tick(points[m.index]!, m.strategy);
            break;
          case 'point':
            records[m.index] = m.records;
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
