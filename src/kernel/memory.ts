// Physical memory: RAM with struct page (per-folio state in typed arrays), MMIO without.
// Models pfn_valid(), PageReserved(), compound_head(), get_page()/put_page() (Linux 4.16).

import type { Counters } from '../model/counters.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { RefDeltas } from './refcounts.ts';

const MiB = 1024 * 1024;

/** The model keeps host physical [0, 4 GiB) for itself: kernel image, zero pages, host use. */
export const HOST_RAM_END = 4096 * MiB;
/** Kernel image [16 MiB, 48 MiB): PageReserved (memblock-reserved at boot). */
export const KERNEL_IMAGE_START_PFN = (16 * MiB) / PAGE_SIZE;
export const KERNEL_IMAGE_END_PFN = (48 * MiB) / PAGE_SIZE;
/** empty_zero_page lives in the kernel image's .bss: here its last page, so the pfns right
 *  after it are ordinary (non-reserved) host RAM, as some of them are on a real machine. */
export const ZERO_PFN = KERNEL_IMAGE_END_PFN - 1;
/** The THP huge zero page: an ordinary (not reserved) order-9 compound page in host RAM. */
export const HUGE_ZERO_PFN = (64 * MiB) / PAGE_SIZE;
export const HUGE_ZERO_ORDER = 9;

/** Folios of one order carved for one VMA's backing; folio i starts at basePfn + (i << order). */
export class Region {
  readonly refs: RefDeltas;
  readonly nrPages: number;
  readonly folioPages: number;
  constructor(
    readonly owner: string,
    readonly basePfn: number,
    readonly order: number,
    readonly nrFolios: number,
  ) {
    this.folioPages = 2 ** order;
    this.nrPages = nrFolios * this.folioPages;
    this.refs = new RefDeltas(nrFolios, order > 0);
  }
  get endPfn(): number {
    return this.basePfn + this.nrPages;
  }
}

export interface PfnRange {
  name: string;
  startPfn: number;
  endPfn: number;
}

export class PhysMem {
  /** RAM ranges (pfn_valid), host RAM first. */
  readonly ram: PfnRange[];
  readonly mmio: PfnRange[];
  /** regions sorted by basePfn. */
  private readonly regions: Region[] = [];
  private lastRegion: Region | null = null;
  private lastMmio: PfnRange | null = null;
  /** reference deltas on host pages owned by no region (zero pages, kernel, host use). */
  readonly hostRefs = new Map<number, number>();

  constructor(
    ram: PfnRange[],
    mmio: PfnRange[],
    private readonly c: Counters,
  ) {
    this.ram = [{ name: 'host', startPfn: 0, endPfn: HOST_RAM_END / PAGE_SIZE }, ...ram];
    this.mmio = mmio;
  }

  /** Keeps regions sorted by basePfn: appended in the common case (the RAM planner hands them
   *  out in increasing order), else inserted at its place (no sort per region). */
  addRegion(r: Region): Region {
    const rs = this.regions;
    let i = rs.length;
    if (i > 0 && rs[i - 1]!.basePfn > r.basePfn) {
      let lo = 0;
      while (lo < i) {
        const mid = (lo + i) >>> 1;
        if (rs[mid]!.basePfn > r.basePfn) i = mid;
        else lo = mid + 1;
      }
    }
    rs.splice(i, 0, r);
    return r;
  }

  allRegions(): readonly Region[] {
    return this.regions;
  }

  /** The region holding pfn, or null (host RAM, MMIO, holes). */
  regionOf(pfn: number): Region | null {
    const last = this.lastRegion;
    if (last !== null && pfn >= last.basePfn && pfn < last.basePfn + last.nrPages) return last;
    const rs = this.regions;
    let lo = 0;
    let hi = rs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = rs[mid]!;
      if (pfn < r.basePfn) hi = mid - 1;
      else if (pfn >= r.basePfn + r.nrPages) lo = mid + 1;
      else return (this.lastRegion = r);
    }
    return null;
  }

  /** pfn_valid(): the pfn has a struct page (x86-64 SPARSEMEM: it lies in RAM). */
  pfn_valid(pfn: number): boolean {
    const m = this.lastMmio;
    if (m !== null && pfn >= m.startPfn && pfn < m.endPfn) return false;
    if (this.regionOf(pfn) !== null) return true;
    const ram = this.ram;
    for (let i = 0; i < ram.length; i++) if (pfn >= ram[i]!.startPfn && pfn < ram[i]!.endPfn) return true;
    // (a look-up cache of the model, standing in for the kernel's O(1) mem_section look-up)
    for (const r of this.mmio) if (pfn >= r.startPfn && pfn < r.endPfn) this.lastMmio = r;
    return false;
  }

  /** PageReserved(compound_head(pfn_to_page(pfn))): here, the kernel image (and zero page). */
  PageReserved(pfn: number): boolean {
    return pfn >= KERNEL_IMAGE_START_PFN && pfn < KERNEL_IMAGE_END_PFN;
  }

  /** compound_head(): the head pfn of the folio holding pfn. */
  compound_head(pfn: number): number {
    const r = this.regionOf(pfn);
    if (r !== null) {
      if (r.order === 0) return pfn;
      return pfn - ((pfn - r.basePfn) % r.folioPages);
    }
    if (pfn >= HUGE_ZERO_PFN && pfn < HUGE_ZERO_PFN + 2 ** HUGE_ZERO_ORDER) return HUGE_ZERO_PFN;
    return pfn;
  }

  /** get_page() (include/linux/mm.h): page_ref_inc() on the compound head. With refs > 1:
   *  try_grab_folio(folio, refs) (6.x GUP): one atomic add of refs on the folio. */
  get_page(pfn: number, refs = 1): void {
    this.c.page_ref_get++;
    this.addRef(pfn, refs);
  }

  /** put_page(): page_ref_dec on the compound head (the model never frees). With refs > 1:
   *  one folio_put_refs() / gup_put_folio(folio, refs) for a range within a folio. */
  put_page(pfn: number, refs = 1): void {
    this.c.page_ref_put++;
    this.addRef(pfn, -refs);
  }

  private addRef(pfn: number, n: number): void {
    const r = this.regionOf(pfn);
    if (r !== null) {
      r.refs.add(r.order === 0 ? pfn - r.basePfn : Math.floor((pfn - r.basePfn) / r.folioPages), n);
      return;
    }
    const head = this.compound_head(pfn);
    const v = (this.hostRefs.get(head) ?? 0) + n;
    if (v === 0) this.hostRefs.delete(head);
    else this.hostRefs.set(head, v);
  }

  /** Summarised steps (summarise.ts): pages from pfn on (at most n) in the region holding pfn,
   *  within one folio when it is huge; 0 outside every region. */
  regionRun(pfn: number, n: number): number {
    const r = this.regionOf(pfn);
    if (r === null) return 0;
    if (r.order === 0) return Math.min(n, r.basePfn + r.nrPages - pfn);
    return Math.min(n, r.folioPages - ((pfn - r.basePfn) % r.folioPages));
  }

  /** Summarised steps: pages from pfn on (at most n) in the order-0 region holding pfn; 0 outside one. */
  order0Run(pfn: number, n: number): number {
    const r = this.regionOf(pfn);
    if (r === null || r.order !== 0) return 0;
    return Math.min(n, r.basePfn + r.nrPages - pfn);
  }

  /** Summarised steps: pages from pfn on (at most n) in one MMIO range and in no RAM; 0 if pfn is not. */
  mmioRun(pfn: number, n: number): number {
    let m = 0;
    for (const r of this.mmio) if (pfn >= r.startPfn && pfn < r.endPfn) m = Math.min(n, r.endPfn - pfn);
    if (m === 0) return 0;
    for (const r of this.ram) if (r.startPfn < pfn + m && r.endPfn > pfn) m = r.startPfn > pfn ? r.startPfn - pfn : 0;
    return m;
  }

  /** Summarised steps: `d` references on each of the n pages from pfn (n get_page() / put_page()
   *  calls' worth of reference changes, without their counters), one region's pages only. */
  addRefs(pfn: number, n: number, d: number): void {
    while (n > 0) {
      const r = this.regionOf(pfn);
      if (r === null) {
        for (; n > 0; n--) this.addRef(pfn++, d);
        return;
      }
      if (r.order === 0) {
        const m = Math.min(n, r.basePfn + r.nrPages - pfn);
        r.refs.addEach(pfn - r.basePfn, m, d);
        pfn += m;
        n -= m;
      } else {
        const m = Math.min(n, r.folioPages - ((pfn - r.basePfn) % r.folioPages));
        r.refs.add(Math.floor((pfn - r.basePfn) / r.folioPages), m * d);
        pfn += m;
        n -= m;
      }
    }
  }

  /** Pages from pfn to the end of its folio (1 for an order-0 page). */
  folio_pages_from(pfn: number): number {
    const r = this.regionOf(pfn);
    if (r === null || r.order === 0) return 1;
    return r.folioPages - ((pfn - r.basePfn) % r.folioPages);
  }

  /** The reference delta of the folio holding pfn (0: back where it started). */
  refDelta(pfn: number): number {
    const r = this.regionOf(pfn);
    if (r !== null) return r.refs.get(r.order === 0 ? pfn - r.basePfn : Math.floor((pfn - r.basePfn) / r.folioPages));
    return this.hostRefs.get(this.compound_head(pfn)) ?? 0;
  }
}
