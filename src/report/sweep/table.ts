// The sweep table: one row per point and strategy (size and pages on the first row of each
// point), a few key counters, modelled map and unmap time, and the verdict when one is not ok.

import type { CounterName } from '../../model/counters.ts';
import type { SweepDocument, SweepRecord } from '../../model/result.ts';
import { AXIS_TITLE } from './series.ts';
import { cell, type Cell, type Grid } from '../grid.ts';
import { formatBytes, formatCount, formatDuration, formatRme } from '../units.ts';

export interface KeyCounter {
  side: 'map' | 'unmap';
  name: CounterName;
  /** the column heading. */
  label: string;
}

/** The counters that tell the strategies apart on a BAR or RAM: calls per page or per run. */
export const DEFAULT_KEY_COUNTERS: readonly KeyCounter[] = [
  { side: 'map', name: 'vfio_pin_pages_remote', label: 'pin calls' },
  { side: 'map', name: 'vaddr_get_pfn', label: 'vaddr_get_pfn' },
  { side: 'map', name: 'vaddr_get_pfns', label: 'vaddr_get_pfns' },
  { side: 'unmap', name: 'iommu_iova_to_phys', label: 'iova_to_phys' },
];

/** "ok", "UNSAFE", "BROKEN", with refused requests: "ok (-ENOMEM x3)". */
function sweepVerdictCell(r: SweepRecord): Cell {
  const errs = Object.entries(r.errors).map(([errno, n]) => (n === 1 ? errno : `${errno} x${formatCount(n)}`));
  const suffix = errs.length === 0 ? '' : ` (${errs.join(', ')})`;
  if (r.verdict === 'unsafe') return cell(`UNSAFE${suffix}`, 'bad');
  if (r.verdict === 'broken') return cell(`BROKEN${suffix}`, 'bad');
  return cell(`ok${suffix}`, errs.length === 0 ? 'ok' : 'warn');
}

const allOk = (doc: SweepDocument): boolean =>
  doc.points.every((p) => p.records.every((r) => r.verdict === 'ok' && Object.keys(r.errors).length === 0));

export function sweepGrid(doc: SweepDocument, keys: readonly KeyCounter[] = DEFAULT_KEY_COUNTERS): Grid {
  const chunked = doc.options.axis === 'chunk';
  const timed = doc.options.timed;
  const verdicts = !allOk(doc);
  const head = [AXIS_TITLE[doc.options.axis], 'pages', ...(chunked ? ['DMA requests'] : []), 'strategy', ...keys.map((k) => k.label), 'map (modelled)', 'unmap (modelled)'];
  if (timed) head.push('simulator map', 'simulator unmap');
  if (verdicts) head.push('verdict');
  const align: Grid['align'] = head.map((_, i) => (i === (chunked ? 3 : 2) || (verdicts && i === head.length - 1) ? 'left' : 'right'));
  const rows: Cell[][] = [];
  for (const p of doc.points) {
    p.records.forEach((r, i) => {
      const first = i === 0;
      const row: Cell[] = [
        cell(first ? formatBytes(p.value) : '', 'strong'),
        cell(first ? formatCount(p.summary.mapPages) : ''),
        ...(chunked ? [cell(first ? formatCount(p.summary.requests) : '')] : []),
        cell(r.strategy, 'strong'),
        ...keys.map((k) => {
          const n = r.counters[k.side][k.name];
          return n === undefined ? cell('-', 'dim') : cell(formatCount(n), n === 0 ? 'dim' : undefined);
        }),
        cell(formatDuration(r.modelled.mapNs)),
        cell(formatDuration(r.modelled.unmapNs)),
      ];
      if (timed) {
        for (const side of ['map', 'unmap'] as const) {
          const t = r.timing?.[side];
          row.push(t === undefined ? cell('-', 'dim') : cell(`${formatDuration(t.mean)} ${formatRme(t.rme)}`));
        }
      }
      if (verdicts) row.push(sweepVerdictCell(r));
      rows.push(row);
    });
  }
  return { head, align, rows };
}

/** The line above the table. */
export function sweepCaption(doc: SweepDocument): string {
  const o = doc.options;
  const series = o.steps !== null ? `${o.steps} steps` : `factor ${o.factor}`;
  const sim = o.timed ? `; simulator: tinybench, ${formatCount(o.timeMs ?? 0)} ms wall-clock per task (setup included), at most ${formatCount(o.iterations ?? 0)} samples` : '';
  return `sweep ${o.flags} (${doc.points.length} points, ${series}): counters and time per DMA map/unmap pass; modelled kernel time: cost profile ${o.profile}${sim}.`;
}
