// The process page tables behind one VMA, without a JS object per page: what
// follow_page_mask() finds at an address, what handle_mm_fault() installs, and what the
// oracle reads (without side effects). RAM here; a BAR's (VM_PFNMAP) in pfnmap.ts.

import type { Counters } from '../model/counters.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { HUGE_ZERO_PFN, ZERO_PFN, type Region } from './memory.ts';
import type { FolioMap } from './placement.ts';
import type { RamGeometry } from './ram_plan.ts';

/** Per-entry state of a not-yet-populated mapping. */
export const PTE_NONE = 0; // nothing mapped yet
const PTE_ZERO = 1; // mapped read-only to the (huge) zero page
const PTE_PRESENT = 2; // mapped to the entry's own folio

export interface PageTable {
  /** follow_page_mask(): pfn mapped at vaddr, or -1 if GUP must fault first (absent, or write to the zero page). */
  follow(vaddr: number, write: boolean): number;
  /** handle_mm_fault(): installs the page; 0 or -EFAULT. */
  fault(vaddr: number, write: boolean): number;
  /** ground truth for the oracle: pfn at vaddr (-1: nothing mapped) and how many pages from
   *  vaddr on continue the same way (pfn + i, or unmapped), within `maxPages`. Never faults. */
  walk(vaddr: number, maxPages: number): { pfn: number; pages: number };
  /** bytes covered by the CPU page-table leaf mapping vaddr (PAGE_SIZE, PMD_SIZE, PUD_SIZE). */
  leafSize(vaddr: number): number;
  /** summarised steps (summarise.ts): pages from vaddr on, within maxPages, that follow() maps
   *  present for this access at pfn + i, without faulting; 0 if vaddr is not. */
  presentRun(vaddr: number, write: boolean, maxPages: number): number;
}

/** Anonymous 4 KiB, THP and hugetlbfs memory: huge folios in [hugeStart, hugeEnd), 4 KiB pages elsewhere. */
export class AnonPageTable implements PageTable {
  private readonly folioBytes: number;
  private readonly folioPages: number;
  /** null: populated at mmap time (MAP_POPULATE / hugetlbfs), every entry present. */
  private readonly smallState: Uint8Array | null;
  private readonly hugeState: Uint8Array | null;

  constructor(
    private readonly vmStart: number,
    private readonly g: RamGeometry,
    private readonly huge: Region | null,
    private readonly small: Region | null,
    populated: boolean,
    /** placement: region folio index of each folio in virtual order (null: contiguous). */
    private readonly hugeMap: FolioMap | null,
    private readonly smallMap: FolioMap | null,
    private readonly c: Counters,
  ) {
    this.folioPages = 2 ** g.order;
    this.folioBytes = this.folioPages * PAGE_SIZE;
    this.smallState = populated || small === null ? null : new Uint8Array(small.nrFolios);
    this.hugeState = populated || huge === null ? null : new Uint8Array(huge.nrFolios);
  }

  private inHuge(vaddr: number): boolean {
    return vaddr >= this.g.hugeStart && vaddr < this.g.hugeEnd;
  }

  /** index of vaddr's 4 KiB page among the VMA's small pages (those outside the huge part). */
  private smallIndex(vaddr: number): number {
    const i = (vaddr - this.vmStart) / PAGE_SIZE;
    return vaddr < this.g.hugeStart ? Math.floor(i) : Math.floor(i) - (this.g.hugeEnd - this.g.hugeStart) / PAGE_SIZE;
  }

  follow(vaddr: number, write: boolean): number {
    if (this.inHuge(vaddr)) {
      const off = vaddr - this.g.hugeStart;
      const f = Math.floor(off / this.folioBytes);
      const st = this.hugeState === null ? PTE_PRESENT : this.hugeState[f]!;
      const sub = Math.floor((off - f * this.folioBytes) / PAGE_SIZE);
      if (st === PTE_PRESENT) return this.huge!.basePfn + (this.hugeMap === null ? f : this.hugeMap.get(f)) * this.folioPages + sub;
      if (st === PTE_ZERO && !write) return HUGE_ZERO_PFN + sub;
      return -1;
    }
    const i = this.smallIndex(vaddr);
    const st = this.smallState === null ? PTE_PRESENT : this.smallState[i]!;
    if (st === PTE_PRESENT) return this.small!.basePfn + (this.smallMap === null ? i : this.smallMap.get(i));
    if (st === PTE_ZERO && !write) return ZERO_PFN;
    return -1;
  }

  // do_anonymous_page() / do_huge_pmd_anonymous_page(): a read fault maps the (huge) zero
  // page, a write fault (or do_wp_page() on the zero page) a folio of its own. hugetlbfs is
  // always populated here.
  fault(vaddr: number, write: boolean): number {
    const huge = this.inHuge(vaddr);
    const state = huge ? this.hugeState : this.smallState;
    if (state === null) return 0;
    const i = huge ? Math.floor((vaddr - this.g.hugeStart) / this.folioBytes) : this.smallIndex(vaddr);
    if (state[i] === PTE_NONE) {
      if (huge) this.c.do_huge_pmd_anonymous_page++;
      else this.c.do_anonymous_page++;
    } else if (huge) this.c.do_huge_pmd_wp_page++;
    else this.c.do_wp_page++;
    state[i] = write ? PTE_PRESENT : Math.max(state[i]!, PTE_ZERO);
    return 0;
  }

  walk(vaddr: number, maxPages: number): { pfn: number; pages: number } {
    const pfn = this.follow(vaddr, false);
    if (this.smallState === null && this.hugeState === null) return { pfn, pages: this.populatedRun(vaddr, maxPages) };
    // not populated at mmap: leaf by leaf (absent, zero page, or own folio)
    let pages = 0;
    let a = vaddr;
    let expect = pfn;
    while (pages < maxPages) {
      const p = this.follow(a, false);
      if (pfn === -1 ? p !== -1 : p !== expect) break;
      const leafPages = this.inHuge(a) ? this.folioPages - ((a - this.g.hugeStart) / PAGE_SIZE) % this.folioPages : 1;
      const n = Math.min(leafPages, maxPages - pages);
      pages += n;
      a += n * PAGE_SIZE;
      if (pfn !== -1) expect += n;
    }
    return { pfn, pages };
  }

  /** Populated: pages from vaddr on that stay physically consecutive, within its part. */
  private populatedRun(vaddr: number, maxPages: number): number {
    const g = this.g;
    if (this.inHuge(vaddr)) {
      const off = (vaddr - g.hugeStart) / PAGE_SIZE;
      let f = Math.floor(off / this.folioPages);
      let pages = this.folioPages - (off - f * this.folioPages);
      const folios = (g.hugeEnd - g.hugeStart) / this.folioBytes;
      // whole folios after f that stay physically consecutive
      const more = this.hugeMap === null ? folios - f - 1 : this.hugeMap.run(f, folios - f) - 1;
      return Math.min(pages + more * this.folioPages, maxPages);
    }
    // head pages end at hugeStart; tail pages at the VMA's end
    const partEnd = vaddr < g.hugeStart ? g.hugeStart : this.vmStart + (g.hugeEnd - g.hugeStart) + g.smallPages * PAGE_SIZE;
    const limit = Math.min(maxPages, (partEnd - vaddr) / PAGE_SIZE);
    return this.smallMap === null ? limit : this.smallMap.run(this.smallIndex(vaddr), limit);
  }

  leafSize(vaddr: number): number {
    return this.inHuge(vaddr) ? this.folioBytes : PAGE_SIZE;
  }

  presentRun(vaddr: number, write: boolean, maxPages: number): number {
    const pfn = this.follow(vaddr, write);
    if (pfn < 0) return 0;
    if (this.smallState === null && this.hugeState === null) return this.populatedRun(vaddr, maxPages);
    // leaf by leaf while each stays present for this access and linear
    let pages = 0;
    let a = vaddr;
    while (pages < maxPages && this.follow(a, write) === pfn + pages) {
      const leafPages = this.inHuge(a) ? this.folioPages - ((a - this.g.hugeStart) / PAGE_SIZE) % this.folioPages : 1;
      const n = Math.min(leafPages, maxPages - pages);
      pages += n;
      a += n * PAGE_SIZE;
    }
    return pages;
  }
}
