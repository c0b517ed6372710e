// A sweep worker thread: runs work units (one strategy at one point) as the main thread hands
// them out, and posts each record back. A point's layout crosses once per thread: the first
// unit of a point carries it, later ones name the point. Started by sweep-pool.ts through
// sweep-worker.js (which registers the TypeScript loader first).

import { parentPort } from 'node:worker_threads';
import { InputError } from '../model/errors.ts';
import type { Layout } from '../model/layout.ts';
import type { SweepRecord } from '../model/result.ts';
import { findStrategy, type Strategy } from '../strategies/registry.ts';
import { runPoint, type PointConfig } from './sweep-point.ts';

/** main -> worker: one unit; the config with its strategy by name (functions do not cross threads);
 *  `layout` with the first unit of a point this thread sees. */
export type ToWorker = {
  type: 'unit';
  point: number;
  strategy: number;
  layout?: Layout;
  cfg: Omit<PointConfig, 'strategies'> & { strategy: string };
};
/** worker -> main */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'unit'; point: number; strategy: number; record: SweepRecord }
  | { type: 'error'; point: number; input: boolean; message: string; stack?: string };

const port = parentPort;
if (port === null) throw new Error('sweep-worker.ts runs as a worker thread (see sweep-pool.ts)');
const post = (m: FromWorker): void => port.postMessage(m);

/** A strategy by name: the one look-up, where a config crosses into this thread. */
function named(name: string): Strategy {
  const s = findStrategy(name);
  if (s === undefined) throw new Error(`unknown strategy ${name}: a sweep worker runs the registry's strategies only`);
  return s;
}

const layouts = new Map<number, Layout>();

port.on('message', (m: ToWorker) => {
  if (m.layout !== undefined) layouts.set(m.point, m.layout);
  Promise.resolve()
    .then(() => {
      const layout = layouts.get(m.point);
      if (layout === undefined) throw new Error(`sweep worker: no layout for point ${m.point}`);
      const { strategy, ...cfg } = m.cfg;
      return runPoint(layout, { ...cfg, strategies: [named(strategy)] });
    })
    .then((records) => post({ type: 'unit', point: m.point, strategy: m.strategy, record: records[0]! }))
    .catch((e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ type: 'error', point: m.point, input: err instanceof InputError, message: err.message, ...(err.stack !== undefined ? { stack: err.stack } : {}) });
    });
});
post({ type: 'ready' });
