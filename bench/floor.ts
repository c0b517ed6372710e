// The practical JS floor for per-page work, when bench/per-page.ts (issue 15's per-page bench,
// which brings its own) is absent: a plain typed-array loop doing what the 4.16 baseline does
// per page of a BAR (a pfn from vm_pgoff, the contiguity test, a counter bump per call it would
// make, a page's IOMMU PTE written, then the unmap's walk), small-integer loop variables, no
// object per page. CPU ns per page, best of `repeat` runs.

import { cpuUsage } from 'node:process';

export function naiveLoopNs(pages: number, repeat = 3): number {
  let best = Infinity;
  for (let r = 0; r < repeat; r++) {
    const counters = new Float64Array(8);
    const ptes = new Int32Array(Math.min(pages, 1 << 20));
    const mask = ptes.length - 1;
    const u0 = cpuUsage();
    let pfnBase = 0x3b0000000;
    let pinned = 0;
    for (let i = 0; i < pages; i++) {
      const pfn = pfnBase + i;
      counters[0]!++; // vaddr_get_pfn
      counters[1]! += 2; // find_vma, follow_pfn
      if (pfn !== pfnBase + pinned) pfnBase = pfn;
      pinned++;
      ptes[i & mask] = (pfn & 0x7fffffff) | 1; // iommu_map: one PTE
    }
    for (let i = 0; i < pages; i++) {
      counters[2]!++; // iommu_unmap walk
      ptes[i & mask] = 0;
    }
    const u = cpuUsage(u0);
    if (counters[0] !== pages || pinned !== pages) throw new Error('naive loop: lost pages');
    best = Math.min(best, ((u.user + u.system) * 1000) / pages);
  }
  return best;
}
