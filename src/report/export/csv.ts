// --format csv: one row per fixture, strategy and op (map / unmap), for spreadsheets.
// Columns: identity and verdict, modelled time, the simulator's tinybench statistics (empty when
// the run was --no-timing), then every kernel counter that appears in the document, in the order
// first seen (a counter a side lacks is empty). The other tasks of `npm run bench` follow, one row
// each, named "bench/<task>" in the fixture column, with only the simulator columns.
// RFC 4180 quoting; lines end in "\n".

import type { RunDocument } from '../../model/result.ts';
import { OPS, TASK_PREFIX } from './names.ts';

const FIXED = [
  'fixture', 'strategy', 'kernel', 'op', 'verdict', 'profile', 'modelled_ns',
  'sim_mean_ns', 'sim_p50_ns', 'sim_p99_ns', 'sim_min_ns', 'sim_max_ns', 'sim_sd_ns', 'sim_rme_pct', 'sim_samples',
] as const;

function field(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatCsv(doc: RunDocument): string {
  const counters: string[] = [];
  for (const fx of doc.fixtures) {
    for (const s of fx.strategies) {
      for (const op of OPS) {
        for (const name of Object.keys(s.counters[op])) if (!counters.includes(name)) counters.push(name);
      }
    }
  }
  const lines = [[...FIXED, ...counters].map(field).join(',')];
  for (const fx of doc.fixtures) {
    for (const s of fx.strategies) {
      for (const op of OPS) {
        const t = s.timing?.[op];
        const row: (string | number | undefined)[] = [
          fx.fixture, s.strategy, s.kernel, op, s.verdict, s.modelled.profile,
          op === 'map' ? s.modelled.mapNs : s.modelled.unmapNs,
          t?.mean, t?.p50, t?.p99, t?.min, t?.max, t?.sd, t?.rme, t?.samples,
          // own keys only: a counter named "__proto__" in one strategy is not Object.prototype in another
          ...counters.map((c) => (Object.hasOwn(s.counters[op], c) ? s.counters[op][c as keyof typeof s.counters.map] : undefined)),
        ];
        lines.push(row.map(field).join(','));
      }
    }
  }
  for (const task of doc.tasks ?? []) {
    const t = task.timing;
    const row = [`${TASK_PREFIX}${task.name}`, '', '', '', '', '', undefined, t.mean, t.p50, t.p99, t.min, t.max, t.sd, t.rme, t.samples];
    lines.push(row.map(field).join(','));
  }
  return lines.join('\n') + '\n';
}
