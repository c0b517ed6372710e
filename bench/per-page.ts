// The simulator's per-page speed (issue 15): CPU nanoseconds per simulated 4 KiB page for the
// map ioctl and the unmap (container release) of one big DMA request, per strategy and layout,
// beside a naive reference loop (the practical JS floor for the same per-page work). CPU time
// (process.cpuUsage), not wall: the machine is shared. Each figure is the median of `repeat`
// runs, every run on a fresh kernel, after `warmup` unmeasured runs (default 1: the first pass
// of a strategy is mostly V8 compiling its loops, 2-3x the steady figure). A regression in a hot loop (a heap number allocated per
// page, a deopt, a per-page scan) shows as a jump in ns/page against the naive loop measured
// in the same process.
//
// `node --import tsx bench/per-page.ts [--quick] [--json] [--reference-path] [--only <substr>] [--repeat n] [--warmup n]`
// exports perPage() for bench/index.ts.

import '../src/run/v8-tuning.ts';
import { cpuUsage } from 'node:process';
import { Kernel } from '../src/kernel/kernel.ts';
import type { Backing, Layout } from '../src/model/layout.ts';
import { defaultPlacement } from '../src/input/placement.ts';
import { issue, release } from '../src/run/simulate.ts';
import { STRATEGIES, type Strategy } from '../src/strategies/registry.ts';
import { barLayout, ramLayout } from './scenarios.ts';

const G = 2 ** 30;

export interface PerPageRow {
  layout: string;
  strategy: string;
  pages: number;
  /** CPU ns per page, median of the repeats. */
  mapNs: number;
  unmapNs: number;
  totalNs: number;
  /** the issue's target for this row (map + unmap), if any. */
  targetNs?: number;
}

export interface PerPageScenario {
  name: string;
  layout: Layout;
  strategies: readonly Strategy[];
  targetNs?: number;
}

const anon = (): Backing => ({ kind: 'anon', populated: true, placement: defaultPlacement('anon') });
const huge1g = (): Backing => ({ kind: 'hugetlb', pageSize: G, placement: defaultPlacement('hugetlb') });

/** The scenarios: full size (the issue's targets) or --quick (a sixteenth, for CI). */
export function perPageScenarios(quick: boolean): PerPageScenario[] {
  const q = quick ? 16 : 1;
  const baseline = STRATEGIES.filter((s) => s.name === 'baseline');
  return [
    { name: `${64 / q} GiB BAR`, layout: barLayout((64 / q) * G), strategies: baseline, targetNs: 12 },
    { name: `${64 / q} GiB BAR`, layout: barLayout((64 / q) * G), strategies: STRATEGIES.filter((s) => s.name !== 'baseline') },
    { name: `${1024 / q} GiB 4 KiB RAM`, layout: ramLayout((1024 / q) * G, anon(), '4k'), strategies: STRATEGIES, targetNs: 35 },
    { name: `${1024 / q} GiB hugetlb-1g`, layout: ramLayout((1024 / q) * G, huge1g(), '1g'), strategies: STRATEGIES, targetNs: 15 },
  ];
}

const cpuNs = (): number => {
  const u = cpuUsage();
  return (u.user + u.system) * 1000;
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** One layout and strategy: map, then release, `warmup` + `repeat` times on fresh kernels; the
 *  first `warmup` runs are not counted. */
export function measure(layout: Layout, s: Strategy, repeat: number, warmup = 1): { mapNs: number; unmapNs: number; pages: number } {
  const pages = layout.requests[0]!.size / 4096;
  const maps: number[] = [];
  const unmaps: number[] = [];
  for (let i = 0; i < warmup + repeat; i++) {
    const k = new Kernel(layout, s);
    const t0 = cpuNs();
    const { ret } = issue(k, layout.requests[0]!);
    const t1 = cpuNs();
    release(k);
    const t2 = cpuNs();
    if (ret !== 0) throw new Error(`${layout.name} ${s.name}: map returned ${ret}`);
    if (i < warmup) continue;
    maps.push((t1 - t0) / pages);
    unmaps.push((t2 - t1) / pages);
  }
  return { mapNs: median(maps), unmapNs: median(unmaps), pages };
}

/** The practical JS floor: a loop doing the baseline's per-page work on a BAR (a pfn from
 *  vm_pgoff, a contiguity test, a counter bump per call it would make) with small-integer
 *  loop variables, over the same number of pages. */
export function naiveLoop(pages: number): number {
  const counters = new Float64Array(8);
  const t0 = cpuNs();
  let pfnBase = 0x3b0000000;
  let pinned = 0;
  for (let i = 0; i < pages; i++) {
    const pfn = pfnBase + i;
    counters[0]!++;
    counters[1]! += 2;
    if (pfn !== pfnBase + pinned) pfnBase = pfn;
    pinned++;
  }
  for (let i = 0; i < pages; i++) {
    counters[2]!++;
    if (counters[2]! < 0) break;
  }
  return (cpuNs() - t0) / pages + (pinned === -1 ? 1 : 0);
}

export function perPage(opts: { quick: boolean; repeat: number; warmup?: number; only?: string }): { rows: PerPageRow[]; naiveNs: number } {
  const rows: PerPageRow[] = [];
  for (const sc of perPageScenarios(opts.quick)) {
    for (const s of sc.strategies) {
      const name = `${sc.name} ${s.name}`;
      if (opts.only !== undefined && !name.includes(opts.only)) continue;
      const m = measure(sc.layout, s, opts.repeat, opts.warmup ?? 1);
      rows.push({
        layout: sc.name, strategy: s.name, pages: m.pages, mapNs: m.mapNs, unmapNs: m.unmapNs, totalNs: m.mapNs + m.unmapNs,
        ...(sc.targetNs !== undefined ? { targetNs: sc.targetNs } : {}),
      });
    }
  }
  return { rows, naiveNs: naiveLoop(opts.quick ? 2 ** 22 : 2 ** 24) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const json = args.includes('--json');
  const oi = args.indexOf('--only');
  const only = oi >= 0 ? args[oi + 1] : undefined;
  const ri = args.indexOf('--repeat');
  const repeat = ri >= 0 ? Number(args[ri + 1]) : quick ? 3 : 1;
  const wi = args.indexOf('--warmup');
  const warmup = wi >= 0 ? Number(args[wi + 1]) : 1;
  if (!Number.isInteger(repeat) || repeat < 1 || !Number.isInteger(warmup) || warmup < 0) {
    console.error('--repeat: expected a whole number of at least 1; --warmup: of at least 0');
    process.exit(2);
  }
  if (args.includes('--reference-path')) process.env.VFIO_PIN_BENCH_REFERENCE_PATH = '1';
  const r = perPage({ quick, repeat, warmup, ...(only !== undefined ? { only } : {}) });
  if (json) console.log(JSON.stringify(r, null, 2));
  else {
    for (const row of r.rows) {
      const t = row.targetNs !== undefined ? ` (target ${row.targetNs})` : '';
      console.log(`${`${row.layout} ${row.strategy}`.padEnd(40)} map ${row.mapNs.toFixed(1).padStart(7)}  unmap ${row.unmapNs.toFixed(1).padStart(7)}  total ${row.totalNs.toFixed(1).padStart(7)} ns/page${t}`);
    }
    console.log(`naive reference loop: ${r.naiveNs.toFixed(1)} ns/page`);
  }
}
