// The process mm: VMAs, find_vma() with the 4.16 per-thread vmacache, mmap_sem, locked_vm.

import type { Counters } from '../model/counters.ts';
import type { PageTable } from './pagetable.ts';

// vm_flags bits (include/linux/mm.h, Linux 4.16).
export const VM_READ = 0x00000001;
export const VM_WRITE = 0x00000002;
export const VM_SHARED = 0x00000008;
export const VM_PFNMAP = 0x00000400;
export const VM_LOCKED = 0x00002000;
export const VM_IO = 0x00004000;
export const VM_DONTEXPAND = 0x00040000;
export const VM_DONTDUMP = 0x04000000;
export const VM_HUGETLB = 0x00400000;
export const VM_HUGEPAGE = 0x20000000;

export const VM_FLAG_BITS: Record<string, number> = {
  VM_READ, VM_WRITE, VM_SHARED, VM_IO, VM_PFNMAP, VM_HUGETLB, VM_HUGEPAGE, VM_DONTEXPAND, VM_DONTDUMP, VM_LOCKED,
};

export class VmAreaStruct {
  constructor(
    readonly name: string,
    readonly vm_start: number,
    readonly vm_end: number,
    readonly vm_flags: number,
    readonly vm_pgoff: number,
    readonly pt: PageTable,
  ) {}
}

/** vma_pages() (include/linux/mm.h). */
export function vma_pages(vma: VmAreaStruct): number {
  return (vma.vm_end - vma.vm_start) / 4096;
}

/** struct rw_semaphore, single-threaded: counts holders so the invariants can check release. */
export class RwSemaphore {
  readers = 0;
  writer = false;
  constructor(private readonly c: Counters) {}
  down_read(): void {
    if (this.writer) modelBug('down_read while write-held');
    this.readers++;
    this.c.mmap_sem_read++;
  }
  up_read(): void {
    if (this.readers <= 0) modelBug('up_read without down_read');
    this.readers--;
  }
  down_write_killable(): number {
    if (this.writer || this.readers > 0) modelBug('down_write while held');
    this.writer = true;
    this.c.mmap_sem_write++;
    return 0;
  }
  up_write(): void {
    this.writer = false;
  }
}

/** Single-threaded: a lock held wrongly is a bug in the model, not a kernel state to report. */
function modelBug(what: string): never {
  throw new Error(`mmap_sem: ${what} (model bug)`);
}

const VMACACHE_SIZE = 4;

export class MmStruct {
  /** sorted by vm_start, non-overlapping: stands in for the mm_rb rb-tree. */
  readonly vmas: VmAreaStruct[];
  readonly mmap_sem: RwSemaphore;
  /** mm->locked_vm, pages. */
  locked_vm = 0;
  locked_vm_peak = 0;
  /** current->vmacache.vmas[] (4.16 mm/vmacache.c). */
  private readonly vmacache: (VmAreaStruct | null)[] = new Array(VMACACHE_SIZE).fill(null);
  /** depth of the rb-tree walk a miss costs (a balanced tree of this many VMAs). */
  private readonly treeDepth: number;

  constructor(vmas: VmAreaStruct[], private readonly c: Counters) {
    this.vmas = [...vmas].sort((a, b) => a.vm_start - b.vm_start);
    this.mmap_sem = new RwSemaphore(c);
    this.treeDepth = Math.max(1, Math.ceil(Math.log2(this.vmas.length + 1)));
  }

  // find_vma() (mm/mmap.c, 4.16): vmacache_find(), else walk mm_rb for the first vma with
  // vm_end > addr, then vmacache_update().
  find_vma(addr: number): VmAreaStruct | null {
    const c = this.c;
    c.find_vma++;
    // vmacache_find(): checks every slot (4.16 scans all VMACACHE_SIZE entries).
    for (let i = 0; i < VMACACHE_SIZE; i++) {
      const v = this.vmacache[i]!;
      if (v !== null && v.vm_start <= addr && v.vm_end > addr) {
        c.vmacache_hits++;
        return v;
      }
    }
    c.vma_tree_steps += this.treeDepth;
    const vma = this.vmas[this.firstEndingAfter(addr)] ?? null;
    // vmacache_update(): slot VMACACHE_HASH(addr) = (addr >> PAGE_SHIFT) & VMACACHE_MASK.
    if (vma !== null) this.vmacache[Math.floor(addr / 4096) % VMACACHE_SIZE] = vma;
    return vma;
  }

  /** find_vma_intersection() (include/linux/mm.h). */
  find_vma_intersection(start: number, end: number): VmAreaStruct | null {
    const vma = this.find_vma(start);
    if (vma !== null && end <= vma.vm_start) return null;
    return vma;
  }

  /** Side-effect-free look-ups for the oracle and invariants (not a kernel path): binary
   *  searches of the sorted vmas, so that checking stays linear in the VMAs. */
  vmaAt(addr: number): VmAreaStruct | null {
    const v = this.vmas[this.firstEndingAfter(addr)];
    return v !== undefined && v.vm_start <= addr ? v : null;
  }

  /** The first vma that starts above addr, or null. */
  vmaAbove(addr: number): VmAreaStruct | null {
    const vs = this.vmas;
    let lo = 0;
    let hi = vs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (vs[mid]!.vm_start > addr) hi = mid;
      else lo = mid + 1;
    }
    return vs[lo] ?? null;
  }

  /** Index of the first vma with vm_end > addr (vmas.length if none). */
  private firstEndingAfter(addr: number): number {
    const vs = this.vmas;
    let lo = 0;
    let hi = vs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (vs[mid]!.vm_end > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
