// Timing table: one row per strategy and op. Simulator time (tinybench) when the run was
// timed, modelled kernel time from the cost profile, and speed-up against the baseline.

import type { FixtureResult, RunDocument, StrategyResult, TimingStats } from '../../model/result.ts';
import { cell, type Cell, type Grid } from '../grid.ts';
import { formatCount, formatDuration, formatModelled, formatRme, formatSpeedup } from '../units.ts';

const OPS = ['map', 'unmap'] as const;

/** The strategy speed-ups are measured against: "baseline" if it ran, else the first one. */
function referenceStrategy(fx: FixtureResult): StrategyResult | undefined {
  return fx.strategies.find((s) => s.strategy === 'baseline') ?? fx.strategies[0];
}

function modelledNs(s: StrategyResult, op: 'map' | 'unmap'): number {
  return op === 'map' ? s.modelled.mapNs : s.modelled.unmapNs;
}

function simulatorCells(t: TimingStats | undefined): Cell[] {
  if (t === undefined) return [cell('-', 'dim'), cell('-', 'dim'), cell('-', 'dim')];
  return [
    cell(`${formatDuration(t.mean)} ${formatRme(t.rme)}`),
    cell(formatDuration(t.p99)),
    cell(formatCount(t.samples)),
  ];
}

export function timingGrid(doc: RunDocument, fx: FixtureResult): Grid {
  const timed = doc.options.timed;
  const ref = referenceStrategy(fx);
  const profile = fx.strategies[0]?.modelled.profile ?? doc.options.profile;
  const head = ['strategy', 'op'];
  const align: Grid['align'] = ['left', 'left'];
  if (timed) {
    head.push('simulator mean', 'p99', 'samples');
    align.push('right', 'right', 'right');
  }
  head.push(`modelled kernel (${profile})`, `vs ${ref?.strategy ?? 'baseline'}`);
  align.push('right', 'right');

  const rows: Cell[][] = [];
  for (const s of fx.strategies) {
    for (const op of OPS) {
      const ns = modelledNs(s, op);
      const row: Cell[] = [cell(op === 'map' ? s.strategy : '', 'strong'), cell(op)];
      if (timed) row.push(...simulatorCells(s.timing?.[op]));
      row.push(cell(formatModelled(ns, fx.summary.mapBytes)));
      row.push(cell(ref === undefined ? '-' : formatSpeedup(modelledNs(ref, op), ns)));
      rows.push(row);
    }
  }
  return { head, align, rows, keep: 2 };
}

/** "3-100" or "12": the fewest and most samples any timing task of the document got. */
export function samplesRange(doc: RunDocument): string {
  const n = doc.fixtures.flatMap((fx) => fx.strategies.flatMap((s) => (s.timing ? [s.timing.map.samples, s.timing.unmap.samples] : [])));
  if (n.length === 0) return '0';
  const lo = Math.min(...n);
  const hi = Math.max(...n);
  return lo === hi ? formatCount(lo) : `${formatCount(lo)}-${formatCount(hi)}`;
}

/** The line above the table: where the two kinds of time come from, and how many samples the
 *  simulator timing got (a wall-clock budget per task, so slow layouts get few). */
export function timingCaption(doc: RunDocument): string {
  const o = doc.options;
  const samples = samplesRange(doc);
  const sim = o.timed
    ? `simulator: tinybench, ${formatCount(o.timeMs)} ms wall-clock per task (setup included), ${samples} sample${samples === '1' ? '' : 's'} per task (cap ${formatCount(o.iterations)})`
    : 'simulator timing off (--no-timing)';
  return `Time per DMA map/unmap pass, speed-up against the baseline. Modelled kernel time: cost profile ${o.profile}; ${sim}.`;
}
