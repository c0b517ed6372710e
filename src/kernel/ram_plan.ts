// Where each RAM-backed VMA's folios live: first fit over the layout's RAM ranges, in VMA
// order, each part aligned to its folio size. Pure; layout/ validation calls it too.

import type { Layout, LayoutVma } from '../model/layout.ts';
import { PAGE_SIZE, SZ_2M } from '../model/units.ts';

export interface RegionPlan {
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

/** Plans every RAM-backed VMA; returns an error sentence instead when RAM is too small. */
export function planRam(layout: Layout): VmaPlan[] | string {
  const cursors = layout.ram.map((r) => ({ name: r.name, next: r.base / PAGE_SIZE, end: (r.base + r.size) / PAGE_SIZE }));
  const take = (pages: number, alignPages: number): number | null => {
    for (const c of cursors) {
      const base = alignUp(c.next, alignPages);
      if (base + pages <= c.end) {
        c.next = base + pages;
        return base;
      }
    }
    return null;
  };
  const plans: VmaPlan[] = [];
  for (const v of layout.vmas) {
    const g = ramGeometry(v);
    if (g === null) continue;
    let huge: RegionPlan | null = null;
    let small: RegionPlan | null = null;
    const folioPages = 2 ** g.order;
    const hugePages = (g.hugeEnd - g.hugeStart) / PAGE_SIZE;
    if (hugePages > 0) {
      const base = take(hugePages, folioPages);
      if (base === null) return noFit(layout, v, hugePages, folioPages);
      huge = { basePfn: base, order: g.order, nrFolios: hugePages / folioPages };
    }
    if (g.smallPages > 0) {
      const base = take(g.smallPages, 1);
      if (base === null) return noFit(layout, v, g.smallPages, 1);
      small = { basePfn: base, order: 0, nrFolios: g.smallPages };
    }
    plans.push({ vma: v.name, geometry: g, huge, small });
  }
  return plans;
}

function noFit(layout: Layout, v: LayoutVma, pages: number, folioPages: number): string {
  const total = layout.ram.reduce((s, r) => s + r.size, 0);
  return `vma "${v.name}" needs ${pages * PAGE_SIZE} more bytes of RAM in ${folioPages * PAGE_SIZE}-byte aligned folios; ` +
    `the RAM ranges hold ${total} bytes in all and are used up`;
}
