// The DMA requests table: what each request asked, how many physically contiguous runs the
// page tables held under it (why two layouts cost differently), and each strategy's errno; an
// unmap that succeeded shows the size the kernel reported unmapped next to it: "ok (4 MiB)".

import type { FixtureResult } from '../../model/result.ts';
import { cell, type Cell, type Grid } from '../grid.ts';
import { formatBytes, formatCount, formatHex } from '../units.ts';

/** At most this many rows; the rest are summed up in one line. */
const MAX_ROWS = 40;

export function requestsGrid(fx: FixtureResult): Grid {
  const first = fx.strategies[0];
  const head = ['#', 'op', 'label', 'iova', 'size', 'phys runs', ...fx.strategies.map((s) => s.strategy)];
  const align: Grid['align'] = ['right', 'left', 'left', 'right', 'right', 'right', ...fx.strategies.map(() => 'left' as const)];
  const rows: Cell[][] = [];
  const requests = first?.requests ?? [];
  for (const r of requests.slice(0, MAX_ROWS)) {
    rows.push([
      cell(String(r.index)), cell(r.op), cell(r.label ?? ''), cell(formatHex(r.iova)), cell(formatBytes(r.size)),
      cell(r.runs === undefined ? '' : formatCount(r.runs)),
      ...fx.strategies.map((s) => {
        const q = s.requests[r.index]!;
        if (q.ret !== 0) return cell(q.errno, 'bad');
        return cell(q.unmapped === undefined ? 'ok' : `ok (${formatBytes(q.unmapped)})`);
      }),
    ]);
  }
  if (requests.length > MAX_ROWS) rows.push([cell(''), cell(`... ${requests.length - MAX_ROWS} more (see --json)`)]);
  return { head, align, rows };
}
