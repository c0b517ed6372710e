// The whole `sweep` report: for a terminal (caption, table, and the map and unmap charts unless
// --no-chart), or the document as JSON (--json, --output).

import type { SweepDocument } from '../../model/result.ts';
import { renderTable } from '../grid.ts';
import { makeChalk } from '../style.ts';
import { sweepChart } from './chart.ts';
import { sweepCaption, sweepGrid, type KeyCounter } from './table.ts';

export function formatSweepTerminal(doc: SweepDocument, keys: readonly KeyCounter[], opts: { color: boolean; chart: boolean }): string {
  const c = makeChalk(opts.color);
  const parts = [c.dim(sweepCaption(doc)), renderTable(sweepGrid(doc, keys), c)];
  if (opts.chart) parts.push('', sweepChart(doc, 'map'), '', sweepChart(doc, 'unmap'));
  return parts.join('\n') + '\n';
}

export function formatSweepJson(doc: SweepDocument): string {
  return JSON.stringify(doc, null, 2) + '\n';
}
