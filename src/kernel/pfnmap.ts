// The CPU page tables of a vfio-pci BAR mmap (VM_IO | VM_PFNMAP: pfn = vm_pgoff + page index),
// filled the way the host kernel's vfio-pci fills them (eras.ts VFIO_PCI_MMAP): the whole vma
// at mmap (4.16 .. 5.7) or on the first fault (5.8 .. 6.11), or one pud / pmd / pte leaf per
// fault through huge_fault (6.12+). Kept as a small radix tree (one byte per 1 GiB and per
// 2 MiB slot, a 512-byte table per 2 MiB slot mapped with PTEs), or as "every leaf present".

import type { Counters } from '../model/counters.ts';
import { PAGE_SIZE, SZ_1G, SZ_2M } from '../model/units.ts';
import type { PageTable } from './pagetable.ts';

/** How a fault fills the BAR: the vfio-pci era, or 'huge_fault' as a what-if on an older one. */
export type PfnmapFault = 'fault_remap_vma' | 'fault_insert_vma' | 'huge_fault_at_addr' | 'huge_fault';

const NONE = 0; // pud_none / pmd_none
const TABLE = 1; // a lower-level table hangs here
const LEAF = 2; // a pud or pmd leaf maps the whole slot

export class PfnmapPageTable implements PageTable {
  /** every address mapped by its largest possible leaf (populated at mmap, touched, or remapped whole). */
  private full: boolean;
  private readonly pud: Uint8Array;
  private readonly pmd: Uint8Array;
  /** pte tables, by 2 MiB slot: one byte per 4 KiB page (1: present). */
  private readonly pte = new Map<number, Uint8Array>();

  constructor(
    private readonly vmStart: number,
    private readonly vmEnd: number,
    private readonly vm_pgoff: number,
    /** largest leaf vfio-pci may install (PAGE_SIZE before 6.12; PUD_SIZE with huge pfnmap). */
    private readonly maxLeaf: number,
    private readonly mode: PfnmapFault,
    populated: boolean,
    private readonly c: Counters,
  ) {
    this.full = populated;
    this.pud = new Uint8Array(populated ? 0 : slots(vmStart, vmEnd, SZ_1G));
    this.pmd = new Uint8Array(populated ? 0 : slots(vmStart, vmEnd, SZ_2M));
  }

  private pfnOf(vaddr: number): number {
    return this.vm_pgoff + Math.floor((vaddr - this.vmStart) / PAGE_SIZE);
  }

  private slot(vaddr: number, size: number): number {
    return Math.floor(vaddr / size) - Math.floor(this.vmStart / size);
  }

  private ptePresent(vaddr: number): boolean {
    const t = this.pte.get(this.slot(vaddr, SZ_2M));
    return t !== undefined && t[Math.floor((vaddr % SZ_2M) / PAGE_SIZE)] === 1;
  }

  follow(vaddr: number): number {
    if (this.full) return this.pfnOf(vaddr);
    const u = this.pud[this.slot(vaddr, SZ_1G)];
    if (u === LEAF) return this.pfnOf(vaddr);
    if (u === TABLE) {
      const m = this.pmd[this.slot(vaddr, SZ_2M)];
      if (m === LEAF || (m === TABLE && this.ptePresent(vaddr))) return this.pfnOf(vaddr);
    }
    return -1;
  }

  /** The largest leaf that may map the aligned block of `size` holding addr: inside the vma, pfn aligned. */
  private fits(addr: number, size: number): boolean {
    const block = Math.floor(addr / size) * size;
    return size <= this.maxLeaf && block >= this.vmStart && block + size <= this.vmEnd &&
      this.pfnOf(block) % (size / PAGE_SIZE) === 0;
  }

  // handle_mm_fault() on the BAR: vfio_pci_mmap_fault() (5.8 .. 6.11) fills the whole vma;
  // 6.12+ __handle_mm_fault() offers ->huge_fault() PUD_ORDER while the pud is none, then
  // PMD_ORDER while the pmd is none, then ->fault() (vfio_pci_mmap_page_fault(), order 0).
  fault(vaddr: number): number {
    const c = this.c;
    if (this.mode === 'fault_remap_vma' || this.mode === 'fault_insert_vma') {
      c.vfio_pci_mmap_fault++;
      const pages = (this.vmEnd - this.vmStart) / PAGE_SIZE;
      if (this.mode === 'fault_remap_vma') c.remap_pfn_range++; // io_remap_pfn_range(vma, vma->vm_start, ...)
      else c.vmf_insert_pfn += pages; // the faulting page, then every other page of the vma
      c.pfnmap_entries_set += pages;
      this.full = true;
      return 0;
    }
    const u = this.slot(vaddr, SZ_1G);
    if (this.pud[u] === NONE) {
      if (this.maxLeaf >= SZ_1G && this.hugeFault(vaddr, SZ_1G)) {
        this.pud[u] = LEAF;
        return 0;
      }
      this.pud[u] = TABLE; // pmd_alloc()
    }
    const m = this.slot(vaddr, SZ_2M);
    if (this.pmd[m] === NONE) {
      if (this.maxLeaf >= SZ_2M && this.hugeFault(vaddr, SZ_2M)) {
        this.pmd[m] = LEAF;
        return 0;
      }
      this.pmd[m] = TABLE; // pte_alloc()
    }
    c.vfio_pci_mmap_huge_fault++; // vfio_pci_mmap_page_fault() -> vfio_pci_mmap_huge_fault(vmf, 0)
    c.vmf_insert_pfn++;
    c.pfnmap_entries_set++;
    let t = this.pte.get(m);
    if (t === undefined) this.pte.set(m, (t = new Uint8Array(SZ_2M / PAGE_SIZE)));
    t[Math.floor((vaddr % SZ_2M) / PAGE_SIZE)] = 1;
    return 0;
  }

  // vfio_pci_mmap_huge_fault(vmf, order) for a pud or pmd: VM_FAULT_FALLBACK unless the leaf
  // fits (6.12 .. 6.14: the fault address itself aligned to it; 6.15+: aligned down first).
  private hugeFault(vaddr: number, size: number): boolean {
    this.c.vfio_pci_mmap_huge_fault++;
    if (this.mode === 'huge_fault_at_addr' && vaddr % size !== 0) return false;
    if (!this.fits(vaddr, size)) return false;
    if (size === SZ_1G) this.c.vmf_insert_pfn_pud++;
    else this.c.vmf_insert_pfn_pmd++;
    this.c.pfnmap_entries_set++;
    return true;
  }

  // The BAR's mapping is linear whether or not its leaves are installed yet: the fault
  // handler installs exactly vm_pgoff + index, so that is the ground truth either way.
  walk(vaddr: number, maxPages: number): { pfn: number; pages: number } {
    return { pfn: this.pfnOf(vaddr), pages: Math.min(maxPages, (this.vmEnd - vaddr) / PAGE_SIZE) };
  }

  presentRun(vaddr: number, _write: boolean, maxPages: number): number {
    const rest = Math.min(maxPages, (this.vmEnd - vaddr) / PAGE_SIZE);
    if (this.full) return rest;
    // leaf by leaf while installed (the mapping is linear: vm_pgoff + index)
    let pages = 0;
    let a = vaddr;
    while (pages < rest && this.follow(a) >= 0) {
      const leaf = this.leafSize(a);
      const n = Math.min(leaf / PAGE_SIZE - (a % leaf) / PAGE_SIZE, rest - pages);
      pages += n;
      a += n * PAGE_SIZE;
    }
    return pages;
  }

  // The leaf that maps vaddr: what the faults installed, or, with every leaf present, the
  // largest that fits (vfio-pci installs a pud or pmd leaf only where the aligned block lies
  // wholly inside the vma and the pfn is aligned to it).
  leafSize(vaddr: number): number {
    if (this.full) {
      for (const size of [SZ_1G, SZ_2M]) if (this.fits(vaddr, size)) return size;
      return PAGE_SIZE;
    }
    if (this.pud[this.slot(vaddr, SZ_1G)] === LEAF) return SZ_1G;
    if (this.pmd[this.slot(vaddr, SZ_2M)] === LEAF) return SZ_2M;
    return PAGE_SIZE;
  }
}

/** Aligned slots of `size` that [start, end) touches. */
function slots(start: number, end: number, size: number): number {
  return Math.ceil(end / size) - Math.floor(start / size);
}
