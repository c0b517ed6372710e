// get_user_pages() as Linux 4.16 runs it (mm/gup.c): __get_user_pages() with
// find_extend_vma(), check_vma_flags(), follow_page_mask() and faultin_page().

import { EFAULT } from './errno.ts';
import type { Kernel } from './kernel.ts';
import { PAGE_SIZE } from './layout.ts';
import { VM_IO, VM_PFNMAP, VM_READ, VM_WRITE, type VmAreaStruct } from './mm.ts';

export const FOLL_WRITE = 0x01;
export const FOLL_GET = 0x04;

/** check_vma_flags() (mm/gup.c, 4.16), without FOLL_FORCE. */
function check_vma_flags(vma: VmAreaStruct, gup_flags: number): number {
  if (vma.vm_flags & (VM_IO | VM_PFNMAP)) return -EFAULT;
  if (gup_flags & FOLL_WRITE) {
    if (!(vma.vm_flags & VM_WRITE)) return -EFAULT;
  } else if (!(vma.vm_flags & VM_READ)) return -EFAULT;
  return 0;
}

// __get_user_pages() (mm/gup.c, 4.16): one page per iteration (the model does not return
// page_mask spans: vfio asks for one page at a time in 4.16). Caller holds mmap_sem.
// Each page returned has had get_page() (FOLL_GET); pfns go to pages[0..ret).
export function __get_user_pages(k: Kernel, start: number, nr_pages: number, gup_flags: number, pages: number[]): number {
  const c = k.c;
  let vma: VmAreaStruct | null = null;
  let i = 0;
  const write = (gup_flags & FOLL_WRITE) !== 0;
  do {
    if (vma === null || start >= vma.vm_end) {
      vma = k.mm.find_vma(start); // find_extend_vma()
      if (vma !== null && start < vma.vm_start) vma = null;
      if (vma === null || check_vma_flags(vma, gup_flags)) return gupDone(k, i, -EFAULT);
    }
    // retry: follow_page_mask() (follow_hugetlb_page() for VM_HUGETLB), faultin_page()
    // until the page is there.
    c.follow_page++;
    let pfn = vma.pt.follow(start, write);
    if (pfn < 0) {
      c.page_faults++;
      const ret = vma.pt.fault(start, write); // faultin_page() -> handle_mm_fault()
      if (ret) return gupDone(k, i, ret);
      c.follow_page++;
      pfn = vma.pt.follow(start, write);
      if (pfn < 0) return gupDone(k, i, -EFAULT);
    }
    if (gup_flags & FOLL_GET) k.mem.get_page(pfn);
    pages[i] = pfn;
    i++;
    start += PAGE_SIZE;
  } while (i < nr_pages);
  return gupDone(k, i, 0);
}

/** `return i ? i : ret;` with the pages counted. */
function gupDone(k: Kernel, i: number, ret: number): number {
  k.c.gup_pages += i;
  return i > 0 ? i : ret;
}

// get_user_pages_longterm() (mm/gup.c, 4.16; without CONFIG_FS_DAX it is get_user_pages()):
// the vfio caller holds mmap_sem for read.
export function get_user_pages_longterm(k: Kernel, start: number, nr_pages: number, gup_flags: number, pages: number[]): number {
  k.c.gup_calls++;
  const ret = __get_user_pages(k, start, nr_pages, gup_flags | FOLL_GET, pages);
  if (ret < 0) k.c.gup_efault++;
  return ret;
}
