// Requests against time (issue 15: vfio_dma lookups were a list scan, so a BAR mapped in many
// chunks took time quadratic in the number of MAP_DMA requests). A 4 GiB BAR mapped in 8,192,
// 16,384, 32,768 and 65,536 chunks (512 KiB .. 64 KiB each) with the 4.16 baseline, the whole
// judge path (simulate.ts: every request, the oracle after each map, the release): CPU time,
// median of `repeat` runs. Linear means each doubling of the requests doubles the time: the
// ratio column stays near 2 (it was ~4 when quadratic).
// `node --import tsx bench/requests.ts [--repeat n] [--json]`; index.ts calls requestSeries().

import '../src/run/v8-tuning.ts';
import { cpuUsage } from 'node:process';
import type { Layout } from '../src/model/layout.ts';
import { simulate } from '../src/run/simulate.ts';
import { baseline } from '../src/strategies/baseline.ts';
import { median } from './child.ts';
import { barLayout, IOVA, VA } from './scenarios.ts';

const BAR = 4 * 2 ** 30;
export const CHUNK_COUNTS = [8192, 16384, 32768, 65536] as const;
/** the most a doubling may cost and still count as linear (2, plus noise) */
export const LINEAR_RATIO = 2.5;

export interface RequestRow {
  requests: number;
  chunkBytes: number;
  /** CPU ms of one simulation, median of the repeats; and every repeat */
  cpuMs: number;
  samplesMs: number[];
  /** cpuMs / the previous row's: 2 when linear */
  ratio?: number;
  /** requests the kernel refused (none expected: 4.16 has no dma_entry_limit) */
  refused: number;
}

/** The BAR mapped in n equal chunks at consecutive IOVAs. */
export function chunkedBar(n: number): Layout {
  const l = barLayout(BAR);
  const size = BAR / n;
  l.name = `bar-4g-${n}-chunks`;
  l.requests = Array.from({ length: n }, (_, i) => ({ op: 'map' as const, vaddr: VA + i * size, iova: IOVA + i * size, size, read: true, write: true }));
  return l;
}

const cpuMs = (): number => {
  const u = cpuUsage();
  return (u.user + u.system) / 1000;
};

export function requestSeries(repeat: number): RequestRow[] {
  const rows: RequestRow[] = [];
  simulate(chunkedBar(CHUNK_COUNTS[0]), baseline); // warm-up
  for (const n of CHUNK_COUNTS) {
    const layout = chunkedBar(n);
    const samplesMs: number[] = [];
    let refused = 0;
    for (let i = 0; i < repeat; i++) {
      const t0 = cpuMs();
      const sim = simulate(layout, baseline);
      samplesMs.push(cpuMs() - t0);
      refused = sim.requests.filter((r) => r.ret !== 0).length;
    }
    const row: RequestRow = { requests: n, chunkBytes: BAR / n, cpuMs: median(samplesMs), samplesMs, refused };
    const prev = rows.at(-1);
    if (prev !== undefined) row.ratio = row.cpuMs / prev.cpuMs;
    rows.push(row);
  }
  return rows;
}

export function formatRequests(rows: readonly RequestRow[]): string {
  const out = ['Requests vs time: a 4 GiB BAR in n MAP_DMA chunks, 4.16 baseline, simulate (requests, oracle, release), CPU median:'];
  for (const r of rows) {
    out.push(`  ${String(r.requests).padStart(6)} x ${`${r.chunkBytes / 1024} KiB`.padStart(7)}  ${`${r.cpuMs.toFixed(0)} ms`.padStart(9)}` +
      `  ${r.ratio === undefined ? '' : `x${r.ratio.toFixed(2)} per doubling`}${r.refused > 0 ? `  (${r.refused} refused)` : ''}`);
  }
  const worst = Math.max(...rows.flatMap((r) => (r.ratio === undefined ? [] : [r.ratio])));
  out.push(`  worst ratio per doubling ${worst.toFixed(2)}: ${worst <= LINEAR_RATIO ? 'linear' : 'NOT linear'} (at most 2 when linear, less while the per-page work, the same 4 GiB at every point, dominates; 4 when quadratic)`);
  return out.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const ri = args.indexOf('--repeat');
  const repeat = ri >= 0 ? Number(args[ri + 1]) : 3;
  const rows = requestSeries(repeat);
  process.stdout.write(args.includes('--json') ? JSON.stringify(rows, null, 2) + '\n' : formatRequests(rows));
}
