// runLayout (runner.ts) in a worker thread: the same records, while this thread stays free for
// a progress line drawn on a timer and for Ctrl-C. `run` uses it when it draws progress; a pipe
// or a test runs runLayout in its own thread.

import { Worker } from 'node:worker_threads';
import { InputError } from '../model/errors.ts';
import type { Layout } from '../model/layout.ts';
import type { FixtureResult } from '../model/result.ts';
import type { RunOptions } from './runner.ts';
import type { FromRunWorker, RunJob } from './run-worker.ts';

// dist/run/run-worker.js (compiled) or, under tsx, src/run/run-worker.js (registers tsx first)
const WORKER_ENTRY = new URL('../run/run-worker.js', import.meta.url);

export function runLayoutInThread(layout: Layout, source: string, opts: RunOptions): Promise<FixtureResult> {
  const job: RunJob = {
    layout, source,
    opts: { profile: opts.profile, timeMs: opts.timeMs, iterations: opts.iterations, timed: opts.timed, strategies: opts.strategies.map((s) => s.name) },
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const t = new Worker(WORKER_ENTRY, { workerData: job });
    const finish = (err: Error | undefined, result?: FixtureResult): void => {
      if (settled) return;
      settled = true;
      void t.terminate();
      if (err === undefined) resolve(result!);
      else reject(err);
    };
    t.on('message', (m: FromRunWorker) => {
      switch (m.type) {
        case 'progress':
          opts.onProgress?.(m.done, m.total, m.what);
          break;
        case 'result':
          finish(undefined, m.result);
          break;
        case 'error': {
          const err = m.input ? new InputError(m.message) : new Error(`run worker: ${m.message}`);
          if (!m.input && m.stack !== undefined) err.stack = m.stack;
          finish(err);
          break;
        }
      }
    });
    t.on('error', (e) => finish(e instanceof Error ? e : new Error(String(e))));
    t.on('exit', (code) => finish(new Error(`run worker exited with code ${code} before the run finished`)));
  });
}
