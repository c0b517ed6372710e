// How much RAM the RAM-backed VMAs need, placed as the kernel's planRam() places them
// (in VMA order, huge folios aligned to their size, then the 4 KiB pages).

import type { LayoutVma, PhysRange } from '../model/layout.ts';
import { PAGE_SIZE, SZ_1G } from '../model/units.ts';
import { ramGeometry } from '../kernel/ram_plan.ts';
import { alignUp } from './constants.ts';

/** Bytes from `base` to the end of the last folio, first-fit into one unbounded range. */
export function ramNeeded(vmas: readonly LayoutVma[], base = 0): number {
  let cur = base;
  for (const v of vmas) {
    const g = ramGeometry(v);
    if (g === null) continue;
    if (g.hugeEnd > g.hugeStart) cur = alignUp(cur, PAGE_SIZE * 2 ** g.order) + (g.hugeEnd - g.hugeStart);
    cur += g.smallPages * PAGE_SIZE;
  }
  return cur - base;
}

/** A RAM range at `base` big enough for `vmas`: rounded up to 1 GiB, at least 1 GiB. */
export function ramRangeFor(name: string, base: number, vmas: readonly LayoutVma[]): PhysRange {
  return { name, base, size: Math.max(SZ_1G, alignUp(ramNeeded(vmas, base), SZ_1G)) };
}
