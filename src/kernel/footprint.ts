// What simulating a layout will take, worked out from the Layout alone before any kernel is
// built: the 4 KiB pages the map requests walk, the physically contiguous runs the placement
// tables hold, and the memory of the simulator's large structures (the per-folio typed arrays of
// memory.ts / pagetable.ts, the placement tables of placement.ts, the IOMMU run table of
// iommu.ts, a BAR's page-table slots in pfnmap.ts, and the objects per VMA and per request).
// input/limits.ts checks these against the limits; docs/reliability.md explains the model.
// Linear in VMAs and requests (a binary search per request), so that checking is never the
// slow part.

import type { Layout, LayoutVma, Placement } from '../model/layout.ts';
import { PAGE_SIZE, SZ_1G, SZ_2M } from '../model/units.ts';
import { IOMMU_MIN_RUNS, IOMMU_RUN_BYTES } from './iommu.ts';
import { ramGeometry } from './ram_plan.ts';
import { RefDeltas } from './refcounts.ts';

export interface Footprint {
  /** 4 KiB pages the map requests cover inside VMAs: the per-page work of the slowest strategy, map and unmap. */
  pages: number;
  /** entries of the placement tables: physically contiguous runs of guest RAM (a scattered folio is one). */
  runs: number;
  /** bytes of the simulation's large structures, for `kernels` kernels alive at once. */
  memoryBytes: number;
  requests: number;
  vmas: number;
  /** runs of IOMMU leaves the table is sized for up front (kernel.ts, iommu.ts). */
  iommuRuns: number;
}

/** How many simulated kernels are alive at once (timing keeps a few mapped) and how many strategies keep results. */
export interface FootprintOptions {
  kernels: number;
  strategies: number;
}

/** A kernel's own small structures (counters, caches, the first IOMMU table, the rest). */
const KERNEL_BYTES = 1 << 20;
/** JS objects per VMA (vm_area_struct, page table, regions, plan) and per request (layout, vfio_dma, records). */
const VMA_BYTES = 1024;
const REQUEST_BYTES = 512;
/** a request's record per strategy, and its share of the report. */
const RESULT_BYTES = 512;
/** placeRuns(): vstart (the lengths, in place) and rstart, a Uint32 each per run. */
const PLACEMENT_RUN_BYTES = 8;
/** the IOMMU run table's room over the estimate (geometric placement draws its run count). */
const IOMMU_SLACK = 1.01;
/** pfnmap.ts: a 512-byte PTE table and its Map entry per 2 MiB slot mapped with 4 KiB leaves. */
const PTE_TABLE_BYTES = 600;

/** Placement table entries of `n` folios of `folioBytes` (placement.ts placeFolios). */
export function placementRuns(n: number, folioBytes: number, p: Placement): number {
  if (p.policy === 'contiguous' || n <= 1) return Math.min(n, 1);
  if (p.policy === 'scattered') return n;
  const mean = p.policy === 'runs' ? Math.max(1, Math.round(p.bytes / folioBytes)) : Math.max(1, p.meanBytes / folioBytes);
  return Math.ceil(n / mean);
}

/**
 * IOMMU leaf runs per physical run: one, plus two (a head and a tail of larger leaves) for each
 * IOMMU page size above the folio that a run can hold; for geometric runs weighted by the
 * chance a run is that long.
 */
function leafGroups(n: number, folioBytes: number, p: Placement, pgsizes: readonly number[]): number {
  let g = 1;
  for (const size of pgsizes) {
    if (size <= folioBytes) continue;
    const k = size / folioBytes; // folios a leaf of this size spans
    let chance: number;
    if (p.policy === 'contiguous') chance = n >= k ? 1 : 0;
    else if (p.policy === 'scattered') chance = 0;
    else if (p.policy === 'runs') chance = Math.max(1, Math.round(p.bytes / folioBytes)) >= k ? 1 : 0;
    else {
      const q = 1 - 1 / Math.max(1, p.meanBytes / folioBytes);
      chance = q <= 0 ? 0 : q ** (k - 1);
    }
    g += 2 * chance;
  }
  return g;
}

interface VmaCost {
  start: number;
  end: number;
  pages: number;
  /** IOMMU leaf runs if the whole VMA is mapped once. */
  entries: number;
  /** pages of a BAR that 4 KiB leaves may map (a PTE table per 2 MiB of them, pfnmap.ts). */
  barPages: number;
  runs: number;
  /** typed arrays allocated when the kernel is built, whatever is mapped. */
  fixedBytes: number;
}

function vmaCost(v: LayoutVma, pgsizes: readonly number[], mmioBase: ReadonlyMap<string, number>): VmaCost {
  const pages = v.size / PAGE_SIZE;
  const base = { start: v.start, end: v.start + v.size, pages, barPages: 0 };
  const b = v.backing;
  if (b.kind === 'pfnmap') {
    // pud and pmd slot arrays (unless populated at mmap; another host era may not populate)
    const slots = (size: number): number => Math.ceil(base.end / size) - Math.floor(v.start / size);
    // 4 KiB leaves under a fault-filled BAR (6.12+): all of it when the mmap or the BAR is not
    // 2 MiB aligned or leafSize pins 4K, else only the partial 2 MiB slots at its two ends
    const phys = (mmioBase.get(b.mmio) ?? 0) + b.offset;
    const ptes = b.leafSize === PAGE_SIZE || v.start % SZ_2M !== 0 || phys % SZ_2M !== 0;
    return {
      ...base, barPages: ptes ? pages : Math.min(pages, 2 * (SZ_2M / PAGE_SIZE)),
      entries: 1 + 2 * pgsizes.filter((s) => s > PAGE_SIZE).length, runs: 0, fixedBytes: slots(SZ_1G) + slots(SZ_2M),
    };
  }
  const g = ramGeometry(v)!;
  const populated = b.kind === 'hugetlb' ? true : b.populated;
  let entries = 0;
  let runs = 0;
  let fixedBytes = 0;
  const part = (n: number, order: number): void => {
    if (n === 0) return;
    const folioBytes = PAGE_SIZE * 2 ** order;
    const r = placementRuns(n, folioBytes, b.placement);
    runs += r;
    entries += r * leafGroups(n, folioBytes, b.placement, pgsizes);
    fixedBytes += Math.ceil(n * RefDeltas.bytesPerEntry(order > 0)); // Int32 per huge folio, a bit per page
    if (!populated) fixedBytes += n; // page-table state, a byte per folio
    if (b.placement.policy === 'scattered' && n > 1) fixedBytes += 4 * n; // a Uint32 per folio
    else if (r > 1) fixedBytes += PLACEMENT_RUN_BYTES * r;
  };
  part((g.hugeEnd - g.hugeStart) / (PAGE_SIZE * 2 ** g.order), g.order);
  part(g.smallPages, 0);
  return { ...base, entries, runs, fixedBytes };
}

export function footprint(layout: Layout, opts: FootprintOptions): Footprint {
  const pgsizes = layout.system.iommu.pgsizes;
  const mmioBase = new Map(layout.mmio.map((r) => [r.name, r.base]));
  const costs = layout.vmas.map((v) => vmaCost(v, pgsizes, mmioBase)).sort((a, b) => a.start - b.start);
  const n = costs.length;
  // prefix sums: cum[i] = total of costs[0 .. i-1]
  const cumPages = new Float64Array(n + 1);
  const cumEntries = new Float64Array(n + 1);
  const cumBar = new Float64Array(n + 1);
  let runs = 0;
  let fixedBytes = 0;
  costs.forEach((c, i) => {
    cumPages[i + 1] = cumPages[i]! + c.pages;
    cumEntries[i + 1] = cumEntries[i]! + c.entries;
    cumBar[i + 1] = cumBar[i]! + c.barPages;
    runs += c.runs;
    fixedBytes += c.fixedBytes;
  });
  /** index of the first VMA with end > addr. */
  const firstEndingAfter = (addr: number): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (costs[mid]!.end > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  let pages = 0;
  let entries = 0;
  let barPages = 0;
  for (const r of layout.requests) {
    if (r.op !== 'map' || r.size === 0) continue;
    const lo = r.vaddr;
    const hi = Math.min(r.vaddr + r.size, 2 ** 53);
    const i = firstEndingAfter(lo);
    const j = firstEndingAfter(hi - 1); // the last VMA that may hold part of [lo, hi) is j (or j - 1)
    if (i >= n || costs[i]!.start >= hi) continue;
    const last = j < n && costs[j]!.start < hi ? j : j - 1;
    // whole VMAs i..last, less what lies outside [lo, hi) in the first and the last
    let p = cumPages[last + 1]! - cumPages[i]!;
    let e = cumEntries[last + 1]! - cumEntries[i]!;
    let bar = cumBar[last + 1]! - cumBar[i]!;
    for (const k of i === last ? [i] : [i, last]) {
      const c = costs[k]!;
      const outside = (Math.max(0, lo - c.start) + Math.max(0, c.end - hi)) / PAGE_SIZE;
      const share = Math.min(1, outside / c.pages);
      p -= Math.min(c.pages, outside);
      e -= c.entries * share;
      bar -= c.barPages * share;
    }
    pages += Math.max(0, p);
    entries += Math.min(Math.max(0, p), Math.max(0, e) + 2); // a request may split a run at each end; a leaf run holds a page at least
    barPages += Math.max(0, bar);
  }
  const iommuRuns = Math.max(IOMMU_MIN_RUNS, Math.ceil(entries * IOMMU_SLACK) + IOMMU_MIN_RUNS);
  const iommuBytes = IOMMU_RUN_BYTES * iommuRuns;
  const pteBytes = PTE_TABLE_BYTES * Math.ceil(barPages / (SZ_2M / PAGE_SIZE));
  const perKernel = KERNEL_BYTES + fixedBytes + iommuBytes + pteBytes + VMA_BYTES * n + REQUEST_BYTES * layout.requests.length;
  const memoryBytes = Math.ceil(opts.kernels * perKernel + opts.strategies * RESULT_BYTES * layout.requests.length);
  return { pages: Math.ceil(pages), runs, memoryBytes, requests: layout.requests.length, vmas: n, iommuRuns };
}
