// A `run` worker thread: runs one layout through runner.ts as the main thread asks, posting
// progress as it goes and the fixture's result at the end. The main thread stays free to draw
// the progress line on its timer and to answer Ctrl-C (run-thread.ts starts it through
// run-worker.js, which registers the TypeScript loader first).

import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../model/errors.ts';
import type { Layout } from '../model/layout.ts';
import type { FixtureResult } from '../model/result.ts';
import { findStrategy, type Strategy } from '../strategies/registry.ts';
import { runLayout, type RunOptions } from './runner.ts';

/** main -> worker (workerData): RunOptions with the strategies by name (functions do not cross threads). */
export interface RunJob {
  layout: Layout;
  source: string;
  opts: Omit<RunOptions, 'strategies' | 'onProgress'> & { strategies: string[] };
}
/** worker -> main */
export type FromRunWorker =
  | { type: 'progress'; done: number; total: number; what: string }
  | { type: 'result'; result: FixtureResult }
  | { type: 'error'; input: boolean; message: string; stack?: string };

const port = parentPort;
if (port === null) throw new Error('run-worker.ts runs as a worker thread (see run-thread.ts)');
const post = (m: FromRunWorker): void => port.postMessage(m);

/** A strategy by name: the one look-up, where the job crosses into this thread. */
function named(name: string): Strategy {
  const s = findStrategy(name);
  if (s === undefined) throw new Error(`unknown strategy ${name}: a run worker runs the registry's strategies only`);
  return s;
}

const job = workerData as RunJob;
Promise.resolve()
  .then(() => runLayout(job.layout, job.source, {
    ...job.opts,
    strategies: job.opts.strategies.map(named),
    onProgress: (done, total, what) => post({ type: 'progress', done, total, what }),
  }))
  .then((result) => post({ type: 'result', result }))
  .catch((e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ type: 'error', input: err instanceof InputError, message: err.message, ...(err.stack !== undefined ? { stack: err.stack } : {}) });
  });
