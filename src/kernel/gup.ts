// get_user_pages() and pin_user_pages_remote() (mm/gup.c): __get_user_pages() with
// find_extend_vma(), check_vma_flags(), follow_page_mask() and faultin_page(); and the
// PFNMAP helpers later vfio uses: follow_pte() / follow_pfnmap_start(), fixup_user_fault().

import { EFAULT, EINVAL } from './errno.ts';
import type { Kernel } from './kernel.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { VM_IO, VM_PFNMAP, VM_READ, VM_WRITE, type VmAreaStruct } from './mm.ts';
import { uniformPages } from './summarise.ts';

export const FOLL_WRITE = 0x01;
export const FOLL_GET = 0x04;
export const FOLL_LONGTERM = 0x10000;
export const FOLL_PIN = 0x40000;

/** check_vma_flags() (mm/gup.c), without FOLL_FORCE. */
function check_vma_flags(vma: VmAreaStruct, gup_flags: number): number {
  if (vma.vm_flags & (VM_IO | VM_PFNMAP)) return -EFAULT;
  if (gup_flags & FOLL_WRITE) {
    if (!(vma.vm_flags & VM_WRITE)) return -EFAULT;
  } else if (!(vma.vm_flags & VM_READ)) return -EFAULT;
  return 0;
}

// __get_user_pages() (mm/gup.c). Caller holds mmap_sem. Each page returned holds a reference
// (FOLL_GET) or a pin (FOLL_PIN); pfns go to pages[0..ret). The host's gup_folio era: 6.6+
// ("mm/gup: accelerate thp gup even for pages != NULL") takes the rest of a large folio with
// one walk and one try_grab_folio(); before that, one page per iteration.
export function __get_user_pages(k: Kernel, start: number, nr_pages: number, gup_flags: number, pages: number[]): number {
  const c = k.c;
  const folioBatch = k.host.gup_folio === 'folio';
  let vma: VmAreaStruct | null = null;
  let i = 0;
  const write = (gup_flags & FOLL_WRITE) !== 0;
  do {
    if (vma === null || start >= vma.vm_end) {
      vma = k.mm.find_vma(start); // find_extend_vma()
      if (vma !== null && start < vma.vm_start) vma = null;
      if (vma === null || check_vma_flags(vma, gup_flags)) return gupDone(k, i, -EFAULT);
    }
    if (k.summarise && nr_pages - i > 1) {
      // (model: a summarised step, kernel/summarise.ts) pages present for this access at pfn + j
      // in one region (one folio when huge): each iteration below would find its page with one
      // follow_page_mask() and take one reference (page_increm 1: the folio era only on 4 KiB leaves)
      const m = folioBatch && vma.pt.leafSize(start) !== PAGE_SIZE ? 0 : uniformPages(k, vma, start, write, nr_pages - i);
      if (m > 1) {
        const pfn = vma.pt.follow(start, write);
        c.follow_page_mask += m;
        if (gup_flags & (FOLL_GET | FOLL_PIN)) {
          c.page_ref_get += m;
          k.mem.addRefs(pfn, m, 1);
        }
        for (let j = 0; j < m; j++) pages[i + j] = pfn + j;
        i += m;
        start += m * PAGE_SIZE;
        continue;
      }
    }
    // retry: follow_page_mask() (follow_hugetlb_page() for VM_HUGETLB before 6.9), then
    // faultin_page() until the page is there.
    c.follow_page_mask++;
    let pfn = vma.pt.follow(start, write);
    if (pfn < 0) {
      c.handle_mm_fault++;
      const ret = vma.pt.fault(start, write); // faultin_page() -> handle_mm_fault()
      if (ret) return gupDone(k, i, ret);
      c.follow_page_mask++;
      pfn = vma.pt.follow(start, write);
      if (pfn < 0) return gupDone(k, i, -EFAULT);
    }
    let page_increm = 1;
    if (folioBatch) {
      const leaf = vma.pt.leafSize(start);
      page_increm = Math.min((leaf - (start % leaf)) / PAGE_SIZE, nr_pages - i);
    }
    if (gup_flags & (FOLL_GET | FOLL_PIN)) {
      k.mem.get_page(pfn); // follow_page_mask()'s try_grab_page()
      if (page_increm > 1) k.mem.get_page(pfn, page_increm - 1); // try_grab_folio(folio, page_increm - 1)
    }
    for (let j = 0; j < page_increm; j++) pages[i + j] = pfn + j;
    i += page_increm;
    start += page_increm * PAGE_SIZE;
  } while (i < nr_pages);
  return gupDone(k, i, 0);
}

/** `return i ? i : ret;` with the pages counted. */
function gupDone(k: Kernel, i: number, ret: number): number {
  k.c.gup_pages += i;
  return i > 0 ? i : ret;
}

// get_user_pages_longterm() (mm/gup.c, 4.16; without CONFIG_FS_DAX it is get_user_pages()):
// the vfio caller holds mmap_sem for read. The 4.16-shaped vaddr_get_pfn() of later hosts
// makes the era's call instead (host part gup): get_user_pages(FOLL_LONGTERM) 5.2 .. 5.5,
// pin_user_pages_remote(FOLL_PIN | FOLL_LONGTERM) 5.6+; counted under that name.
export function get_user_pages_longterm(k: Kernel, start: number, nr_pages: number, gup_flags: number, pages: number[]): number {
  k.c[k.host.gup]++;
  const ret = __get_user_pages(k, start, nr_pages, gup_flags | FOLL_GET, pages);
  if (ret < 0) k.c.gup_efault++;
  return ret;
}

// pin_user_pages_remote() (mm/gup.c, 5.6+): FOLL_PIN; vfio passes FOLL_LONGTERM. The caller
// holds the mmap lock.
export function pin_user_pages_remote(k: Kernel, start: number, nr_pages: number, gup_flags: number, pages: number[]): number {
  k.c.pin_user_pages_remote++;
  const ret = __get_user_pages(k, start, nr_pages, gup_flags | FOLL_PIN, pages);
  if (ret < 0) k.c.gup_efault++;
  return ret;
}

/** struct follow_pfnmap_args (include/linux/mm.h, 6.12+): in vma and address, out pfn and
 *  addr_mask (6.15: ~(size - 1) of the leaf that maps the address). On the stack in C. */
export class FollowPfnmapArgs {
  vma: VmAreaStruct | null = null;
  address = 0;
  pfn = 0;
  addr_mask = 0;
}

// follow_pfn() (5.7 .. 5.11) / follow_pte() (5.12 .. 6.11) / follow_pfnmap_start() (6.12+):
// walk a VM_PFNMAP vma's page table at args.address; 0, or -EINVAL when nothing is mapped
// there yet. Counted under the host era's function (host part pfnmap_pfn).
export function follow_pfnmap_start(k: Kernel, args: FollowPfnmapArgs): number {
  const era = k.host.pfnmap_pfn;
  if (era === 'follow_pfnmap_start' || era === 'follow_pte') k.c[era]++;
  else k.c.follow_pfn++;
  const vma = args.vma!;
  const pfn = vma.pt.follow(args.address, false);
  if (pfn < 0) return -EINVAL;
  args.pfn = pfn;
  args.addr_mask = -vma.pt.leafSize(args.address);
  return 0;
}

// fixup_user_fault() (mm/gup.c): handle_mm_fault() on behalf of a remote access; for a BAR
// mmap that is vfio-pci's fault handler installing the leaf (pfnmap.ts).
export function fixup_user_fault(k: Kernel, vma: VmAreaStruct, vaddr: number, write: boolean): number {
  k.c.fixup_user_fault++;
  k.c.handle_mm_fault++;
  return vma.pt.fault(vaddr, write);
}
