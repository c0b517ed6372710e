// --format github-action-benchmark: the `customSmallerIsBetter` JSON array that
// benchmark-action/github-action-benchmark reads: [{ name, unit, value, range?, extra? }].
// Per fixture, strategy and op (map / unmap): the modelled kernel time, and the simulator's own
// time when the run was timed; then the other tasks of `npm run bench` ("bench/<task>: time").
// Counters go to Bencher and CSV (one chart each would be too many).

import type { RunDocument } from '../../model/result.ts';
import { benchmarkName, OPS, TASK_PREFIX } from './names.ts';
import { formatCount, formatDuration } from '../units.ts';

interface GithubActionBenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  /** shown next to the value: "± 1.23%" (tinybench's relative margin of error). */
  range?: string;
  /** shown in the chart's tooltip. */
  extra?: string;
}

export function toGithubActionBenchmark(doc: RunDocument): GithubActionBenchmarkEntry[] {
  const out: GithubActionBenchmarkEntry[] = [];
  for (const fx of doc.fixtures) {
    for (const s of fx.strategies) {
      for (const op of OPS) {
        const name = benchmarkName(fx.fixture, s.strategy, op);
        out.push({
          name: `${name}: modelled kernel time`,
          unit: 'ns',
          value: op === 'map' ? s.modelled.mapNs : s.modelled.unmapNs,
          extra: `cost profile ${s.modelled.profile}; verdict ${s.verdict}; ${formatCount(fx.summary.mapPages)} pages to map`,
        });
        const t = s.timing?.[op];
        if (t === undefined) continue;
        out.push({
          name: `${name}: simulator time`,
          unit: 'ns',
          value: t.mean,
          range: `± ${t.rme.toFixed(2)}%`,
          extra: `tinybench: ${formatCount(t.samples)} samples; p50 ${formatDuration(t.p50)}, p99 ${formatDuration(t.p99)}, ` +
            `min ${formatDuration(t.min)}, max ${formatDuration(t.max)}; ${doc.env.node} on ${doc.env.cpu}`,
        });
      }
    }
  }
  for (const task of doc.tasks ?? []) {
    const t = task.timing;
    out.push({
      name: `${TASK_PREFIX}${task.name}: time`,
      unit: 'ns',
      value: t.mean,
      range: `± ${t.rme.toFixed(2)}%`,
      extra: `tinybench: ${formatCount(t.samples)} samples; p99 ${formatDuration(t.p99)}; ${doc.env.node} on ${doc.env.cpu}`,
    });
  }
  return out;
}

export function formatGithubActionBenchmark(doc: RunDocument): string {
  return JSON.stringify(toGithubActionBenchmark(doc), null, 2) + '\n';
}
