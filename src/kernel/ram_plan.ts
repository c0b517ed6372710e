// The RAM planner: where each RAM-backed VMA's folios live. First fit over the layout's RAM
// ranges, in VMA order, each part aligned to its folio size. Pure; input/ sizes default RAM
// ranges with it and validates layouts with it, the kernel builds its regions from it.

import type { Layout, LayoutVma, PhysRange } from '../model/layout.ts';
import { PAGE_SIZE, SZ_1G, SZ_2M } from '../model/units.ts';

interface RegionPlan {
  basePfn: number;
  order: number;
  nrFolios: number;
}

/** How a RAM-backed VMA splits into huge folios [hugeStart, hugeEnd) and 4 KiB pages around them. */
export interface RamGeometry {
  hugeStart: number;
  hugeEnd: number;
  order: number;
  smallPages: number;
}

export interface VmaPlan {
  vma: string;
  geometry: RamGeometry;
  huge: RegionPlan | null;
  small: RegionPlan | null;
}

/** The RAM ranges cannot hold the VMA at vmaIndex (nor, first fit in VMA order, those before it). */
export class RamShortage extends Error {
  constructor(
    readonly vmaIndex: number,
    vma: string,
    bytes: number,
    folioBytes: number,
    ramBytes: number,
  ) {
    super(`layout: vma "${vma}" needs ${bytes} more bytes of RAM in ${folioBytes}-byte aligned folios; ` +
      `the RAM ranges hold ${ramBytes} bytes in all and are used up`);
    this.name = 'RamShortage';
  }
}

const orderOf = (bytes: number): number => Math.round(Math.log2(bytes / PAGE_SIZE));
const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;
const alignDown = (x: number, a: number): number => Math.floor(x / a) * a;

/** anon: all 4 KiB; thp: 2 MiB folios where an aligned 2 MiB lies inside; hugetlb: all huge. */
export function ramGeometry(v: LayoutVma): RamGeometry | null {
  const end = v.start + v.size;
  switch (v.backing.kind) {
    case 'anon':
      return { hugeStart: v.start, hugeEnd: v.start, order: 0, smallPages: v.size / PAGE_SIZE };
    case 'thp': {
      const hs = alignUp(v.start, SZ_2M);
      const he = Math.max(hs, alignDown(end, SZ_2M));
      return { hugeStart: hs, hugeEnd: he, order: 9, smallPages: (v.size - (he - hs)) / PAGE_SIZE };
    }
    case 'hugetlb':
      return { hugeStart: v.start, hugeEnd: end, order: orderOf(v.backing.pageSize), smallPages: 0 };
    case 'pfnmap':
      return null;
  }
}

interface Cursor {
  next: number;
  end: number;
}

/** First fit of every RAM-backed VMA over the cursors (pfns, advanced in place); throws RamShortage. */
function firstFit(vmas: readonly LayoutVma[], cursors: Cursor[], ramBytes: number): VmaPlan[] {
  const take = (pages: number, alignPages: number): number | null => {
    for (const c of cursors) {
      const base = alignPages > 1 ? alignUp(c.next, alignPages) : c.next; // 4 KiB pages: no alignment
      if (base + pages <= c.end) {
        c.next = base + pages;
        return base;
      }
    }
    return null;
  };
  const plans: VmaPlan[] = [];
  vmas.forEach((v, i) => {
    const g = ramGeometry(v);
    if (g === null) return;
    const part = (pages: number, order: number): RegionPlan | null => {
      if (pages === 0) return null;
      const base = take(pages, 2 ** order);
      if (base === null) throw new RamShortage(i, v.name, pages * PAGE_SIZE, 2 ** order * PAGE_SIZE, ramBytes);
      return { basePfn: base, order, nrFolios: pages / 2 ** order };
    };
    const huge = part((g.hugeEnd - g.hugeStart) / PAGE_SIZE, g.order);
    const small = part(g.smallPages, 0);
    plans.push({ vma: v.name, geometry: g, huge, small });
  });
  return plans;
}

/** Plans every RAM-backed VMA of the layout; throws RamShortage when its RAM ranges are too small. */
export function planRam(layout: Layout): VmaPlan[] {
  const cursors = layout.ram.map((r) => ({ next: r.base / PAGE_SIZE, end: (r.base + r.size) / PAGE_SIZE }));
  return firstFit(layout.vmas, cursors, layout.ram.reduce((s, r) => s + r.size, 0));
}

/** Bytes from `base` to the end of the last folio, first fit into one unbounded range. */
export function ramNeeded(vmas: readonly LayoutVma[], base = 0): number {
  const c = { next: base / PAGE_SIZE, end: Infinity };
  firstFit(vmas, [c], Infinity);
  return c.next * PAGE_SIZE - base;
}

/** A RAM range at `base` big enough for `vmas`: rounded up to 1 GiB, at least 1 GiB. */
export function ramRangeFor(name: string, base: number, vmas: readonly LayoutVma[]): PhysRange {
  return { name, base, size: Math.max(SZ_1G, alignUp(ramNeeded(vmas, base), SZ_1G)) };
}
