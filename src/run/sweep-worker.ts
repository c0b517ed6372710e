// A sweep worker thread: runs whole points (every strategy of one layout) as the main thread
// hands them out, and posts the records back. Started by sweep-pool.ts through
// sweep-worker.js (which registers the TypeScript loader first).

import { parentPort } from 'node:worker_threads';
import { InputError } from '../model/errors.ts';
import type { Layout } from '../model/layout.ts';
import type { SweepRecord } from '../model/result.ts';
import { findStrategy, type Strategy } from '../strategies/registry.ts';
import { runPoint, type PointConfig } from './sweep-point.ts';

/** main -> worker: the point's config with its strategies by name (functions do not cross threads). */
export type ToWorker = { type: 'point'; index: number; layout: Layout; cfg: Omit<PointConfig, 'strategies'> & { strategies: string[] } };
/** worker -> main */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'strategy'; index: number; strategy: string }
  | { type: 'point'; index: number; records: SweepRecord[] }
  | { type: 'error'; index: number; input: boolean; message: string; stack?: string };

const port = parentPort;
if (port === null) throw new Error('sweep-worker.ts runs as a worker thread (see sweep-pool.ts)');
const post = (m: FromWorker): void => port.postMessage(m);

/** A strategy by name: the one look-up, where a config crosses into this thread. */
function named(name: string): Strategy {
  const s = findStrategy(name);
  if (s === undefined) throw new Error(`unknown strategy ${name}: a sweep worker runs the registry's strategies only`);
  return s;
}

port.on('message', (m: ToWorker) => {
  Promise.resolve()
    .then(() => runPoint(m.layout, { ...m.cfg, strategies: m.cfg.strategies.map(named) }, (strategy) => post({ type: 'strategy', index: m.index, strategy })))
    .then((records) => post({ type: 'point', index: m.index, records }))
    .catch((e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ type: 'error', index: m.index, input: err instanceof InputError, message: err.message, ...(err.stack !== undefined ? { stack: err.stack } : {}) });
    });
});
post({ type: 'ready' });
