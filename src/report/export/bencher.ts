// --format bencher: Bencher Metric Format (BMF) JSON,
// { "<benchmark>": { "<measure>": { value, lower_value?, upper_value? } } }.
// One benchmark per fixture, strategy and op ("gpu-16g-bar/baseline/map"), with the measures:
//   latency            the simulator's own mean time (ns; Bencher's built-in Latency measure),
//                      lower/upper = mean -/+ tinybench's margin of error; only when timed
//   modelled-latency   the cost profile's kernel time (ns)
//   <counter>          every kernel counter of that side, its name in kebab case
//                      (vaddr_get_pfn -> vaddr-get-pfn); Bencher creates unknown measures itself
//   wrong-pages        (map only) IOVA pages the oracle found wrong: 0 unless UNSAFE
// and one benchmark "bench/<task>" with a latency measure per other task of `npm run bench`.

import type { RunDocument } from '../../model/result.ts';
import { benchmarkName, marginOfError, OPS, TASK_PREFIX } from './names.ts';

interface BencherMetric {
  value: number;
  lower_value?: number;
  upper_value?: number;
}

type BencherMetricFormat = Record<string, Record<string, BencherMetric>>;

export function measureSlug(counter: string): string {
  return counter.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export function toBencher(doc: RunDocument): BencherMetricFormat {
  const out: BencherMetricFormat = {};
  for (const fx of doc.fixtures) {
    for (const s of fx.strategies) {
      for (const op of OPS) {
        const measures: Record<string, BencherMetric> = {};
        const t = s.timing?.[op];
        if (t !== undefined) {
          const moe = marginOfError(t.mean, t.rme);
          measures.latency = { value: t.mean, lower_value: Math.max(0, t.mean - moe), upper_value: t.mean + moe };
        }
        measures['modelled-latency'] = { value: op === 'map' ? s.modelled.mapNs : s.modelled.unmapNs };
        for (const [name, value] of Object.entries(s.counters[op])) measures[measureSlug(name)] = { value };
        if (op === 'map') measures['wrong-pages'] = { value: s.oracle.wrongPages };
        out[benchmarkName(fx.fixture, s.strategy, op)] = measures;
      }
    }
  }
  for (const task of doc.tasks ?? []) {
    const t = task.timing;
    const moe = marginOfError(t.mean, t.rme);
    out[`${TASK_PREFIX}${task.name}`] = { latency: { value: t.mean, lower_value: Math.max(0, t.mean - moe), upper_value: t.mean + moe } };
  }
  return out;
}

export function formatBencher(doc: RunDocument): string {
  return JSON.stringify(toBencher(doc), null, 2) + '\n';
}
