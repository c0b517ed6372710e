// The shared VFIO type1 machinery (drivers/vfio/vfio_iommu_type1.c): the two ioctls
// (VFIO_IOMMU_MAP_DMA / UNMAP_DMA: the entry checks, vfio_dma_do_map(), vfio_dma_do_unmap(), every
// check of every era the host names), vfio_remove_dma(), vfio_iommu_map(), vfio_lock_acct(),
// put_pfn(), is_invalid_reserved_pfn(), follow_fault_pfn(). The vfio_dma tree is vfio_dma.ts; the
// pin and unpin call trees are the strategy's (VfioPinOps).

import { EBUSY, EEXIST, EINVAL, ENOENT, ENOMEM, ENOSPC, EOVERFLOW } from './errno.ts';
import { fixup_user_fault, follow_pfnmap_start, FollowPfnmapArgs } from './gup.ts';
import type { Kernel } from './kernel.ts';
import type { VmAreaStruct } from './mm.ts';
import type { Out } from './out.ts';
import {
  IOMMU_READ, IOMMU_WRITE, rb_first_dma, U64_MAX, u64, VfioDma, vfio_find_dma, vfio_find_dma_first_node, vfio_link_dma,
  vfio_unlink_dma,
} from './vfio_dma.ts';
import { rb_next } from './rbtree.ts';
import {
  DMA_MAP_MINSZ, DMA_UNMAP_MINSZ, VFIO_BITMAP_SIZE, VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_VADDR, VFIO_DMA_MAP_FLAG_WRITE,
  VFIO_DMA_UNMAP_FLAG_ALL, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, VFIO_DMA_UNMAP_FLAG_VADDR, dirty_bitmap_bytes,
  DIRTY_BITMAP_SIZE_MAX, type VfioIommuType1DmaMap, type VfioIommuType1DmaUnmap,
} from './vfio_uapi.ts';
import { PAGE_SIZE } from '../model/units.ts';

/** vfio_find_vpfn(): pages pinned externally by an mdev vendor driver; none in this model. */
export function vfio_find_vpfn(_dma: VfioDma, _iova: number): null {
  return null;
}

/** vpfn_pages() (6.18): how many of [iova, iova + npage) are vpfns; none in this model. */
export function vpfn_pages(_dma: VfioDma, _iova: number, _npage: number): number {
  return 0;
}

// is_invalid_reserved_pfn() (4.16): no struct page, or PageReserved on the compound head.
export function is_invalid_reserved_pfn(k: Kernel, pfn: number): boolean {
  k.c.is_invalid_reserved_pfn++;
  if (k.mem.pfn_valid(pfn)) return k.mem.PageReserved(k.mem.compound_head(pfn));
  return true;
}

// put_pfn() (4.16): drops the GUP reference unless the pfn is invalid or reserved; 5.6+
// (host part unpin): unpin_user_pages_dirty_lock(&page, 1, prot & IOMMU_WRITE).
export function put_pfn(k: Kernel, pfn: number, prot: number): number {
  k.c.put_pfn++;
  if (!is_invalid_reserved_pfn(k, pfn)) {
    if (k.host.unpin === 'unpin_user_pages_dirty_lock') k.c.unpin_user_pages_dirty_lock++;
    if (prot & IOMMU_WRITE) k.c.set_page_dirty++; // SetPageDirty()
    k.mem.put_page(pfn);
    return 1;
  }
  return 0;
}

/** Summarised step (summarise.ts) of a loop of put_pfn() on npage consecutive pfns: the same
 *  counters and reference drops, a RAM region's (one folio at a time when huge) or an MMIO
 *  range's pages at once; returns how many were unpinned (put_pfn() returned 1). */
export function put_pfns(k: Kernel, pfn: number, npage: number, prot: number): number {
  const c = k.c;
  const mem = k.mem;
  const unpin = k.host.unpin === 'unpin_user_pages_dirty_lock';
  let unlocked = 0;
  while (npage > 0) {
    let m = mem.regionRun(pfn, npage);
    if (m > 0) {
      c.put_pfn += m;
      c.is_invalid_reserved_pfn += m;
      if (unpin) c.unpin_user_pages_dirty_lock += m;
      if (prot & IOMMU_WRITE) c.set_page_dirty += m;
      c.page_ref_put += m;
      mem.addRefs(pfn, m, -1);
      unlocked += m;
    } else if ((m = mem.mmioRun(pfn, npage)) > 0) {
      c.put_pfn += m;
      c.is_invalid_reserved_pfn += m;
    } else {
      m = 1;
      unlocked += put_pfn(k, pfn, prot);
    }
    pfn += m;
    npage -= m;
  }
  return unlocked;
}

/** follow_fault_pfn()'s struct follow_pfnmap_args (on the stack in C). */
const args = new FollowPfnmapArgs();

// follow_fault_pfn() (5.8 .. 6.14, 41311242221e): walk the BAR's page table (follow_pfn(),
// follow_pte(), follow_pfnmap_start() by era); if nothing is mapped, fault it in with
// fixup_user_fault() and walk again. 5.7 (5cbf3264bc71) had follow_pfn() alone, no fault.
export function follow_fault_pfn(k: Kernel, vma: VmAreaStruct, vaddr: number, pfn: Out, write_fault: boolean): number {
  args.vma = vma;
  args.address = vaddr;
  let ret = follow_pfnmap_start(k, args);
  if (ret && k.host.pfnmap_pfn !== 'follow_pfn') {
    ret = fixup_user_fault(k, vma, vaddr, write_fault);
    if (ret) return ret;

    ret = follow_pfnmap_start(k, args);
    if (ret) return ret;
  }

  pfn.v = args.pfn; // (BAR mmaps are writable: the write_fault && !pte_write() test never fails here)
  return ret;
}

// vfio_lock_acct() (4.16): mm->locked_vm += npage under mmap_sem held for write, checking
// RLIMIT_MEMLOCK unless lock_cap (or CAP_IPC_LOCK when no lock_cap is given).
export function vfio_lock_acct(k: Kernel, npage: number, lock_cap: boolean | null): number {
  if (!npage) return 0;
  const mm = k.mm;
  let ret = mm.mmap_sem.down_write_killable();
  if (!ret) {
    if (npage > 0) {
      if (lock_cap !== null ? !lock_cap : !k.task.capIpcLock) {
        const limit = k.task.rlimitMemlockPages;
        if (mm.locked_vm + npage > limit) ret = -ENOMEM;
      }
    }
    if (!ret) {
      mm.locked_vm += npage;
      mm.locked_vm_peak = Math.max(mm.locked_vm_peak, mm.locked_vm);
      k.c.locked_vm_updates++;
    }
    mm.mmap_sem.up_write();
  }
  return ret;
}

// vfio_iommu_map() (4.16): iommu_map() of the whole run in each domain (one domain here);
// -EBUSY falls back to map_try_harder().
export function vfio_iommu_map(k: Kernel, iova: number, pfn: number, npage: number, prot: number): number {
  let ret = k.domain.iommu_map(iova, pfn * PAGE_SIZE, npage * PAGE_SIZE);
  if (ret && (ret !== -EBUSY || (ret = map_try_harder(k, iova, pfn, npage)))) return ret;
  void prot;
  return 0;
}

// map_try_harder() (4.16): one page at a time, unwinding on failure.
function map_try_harder(k: Kernel, iova: number, pfn: number, npage: number): number {
  let i = 0;
  let ret = 0;
  for (; i < npage; i++, pfn++, iova += PAGE_SIZE) {
    ret = k.domain.iommu_map(iova, pfn * PAGE_SIZE, PAGE_SIZE);
    if (ret) break;
  }
  for (; i < npage && i > 0; i--, iova -= PAGE_SIZE) k.domain.iommu_unmap(iova, PAGE_SIZE);
  return ret;
}

// vfio_remove_dma() (4.16): unmap and unpin, unlink; 5.1+ (492855939bdb) dma_avail++; 5.12+
// vaddr_invalid_count-- for a dma whose vaddr was invalidated.
export function vfio_remove_dma(k: Kernel, dma: VfioDma): void {
  k.ops.vfio_unmap_unpin(k, dma, true);
  vfio_unlink_dma(k, dma);
  if (k.host.dma_avail === 'dma_entry_limit') k.vfio.dma_avail++;
  if (dma.vaddr_invalid) k.vfio.vaddr_invalid_count--;
}

// vfio_iommu_unmap_unpin_all() (4.16): container release, while ((node = rb_first(&iommu->dma_list)))
// vfio_remove_dma().
export function vfio_iommu_unmap_unpin_all(k: Kernel): void {
  let dma: VfioDma | null;
  while ((dma = rb_first_dma(k.vfio))) vfio_remove_dma(k, dma);
}

// --- VFIO_IOMMU_MAP_DMA ---------------------------------------------------------------------------

const big = BigInt;
/** check_add_overflow(a, b, &sum) on u64 (6.18). */
const add_overflows = (a: bigint, b: bigint): boolean => a + b > U64_MAX;
/** iova + size - 1 < iova in u64: the range wraps past 2^64 (size > 0). */
const wraps = (a: number, size: number): boolean => u64(big(a) + big(size) - 1n) < big(a);

// vfio_iommu_type1_map_dma() (5.9, ccd59dce1a21; before 5.9 the same lines inline in
// vfio_iommu_type1_ioctl()): argsz and the flags this era knows, then vfio_dma_do_map().
// copy_from_user() (-EFAULT) always succeeds here: the VMM's struct is readable.
export function vfio_iommu_type1_map_dma(k: Kernel, map: VfioIommuType1DmaMap): number {
  let mask = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
  if (k.host.ioctl_flags === 'vaddr_all') mask |= VFIO_DMA_MAP_FLAG_VADDR; // 5.12 (441e8106a238)
  if (map.argsz < DMA_MAP_MINSZ || map.flags & ~mask) return -EINVAL;
  return vfio_dma_do_map(k, map);
}

// vfio_dma_do_map(): the checks in this host's order, the -EEXIST overlap look-up, the VADDR
// update (5.12+), -ENOSPC (5.1+), then link a zero-sized vfio_dma and let vfio_pin_map_dma()
// grow it. Not modelled: the u64 narrowing test (never fires on 64-bit), the 5.4
// vfio_iommu_iova_dma_valid() aperture check (the container's iova_list is the whole space
// here), kzalloc() failing (-ENOMEM).
export function vfio_dma_do_map(k: Kernel, map: VfioIommuType1DmaMap): number {
  const h = k.host;
  const iommu = k.vfio;
  const set_vaddr = (map.flags & VFIO_DMA_MAP_FLAG_VADDR) !== 0;
  const { iova, vaddr, size } = map;
  const v6_18 = h.type1_wrap === 'check_add_overflow';
  const v5_12 = h.ioctl_flags === 'vaddr_all';

  if (v6_18) {
    // 6.18 (6012379ede6a): if (!size) return -EINVAL; then the wraps, before prot and alignment
    if (!size) return -EINVAL;
    if (add_overflows(big(iova), big(size) - 1n) || add_overflows(big(vaddr), big(size) - 1n)) return -EOVERFLOW;
  }
  /* READ/WRITE from device perspective */
  let prot = 0;
  if (map.flags & VFIO_DMA_MAP_FLAG_WRITE) prot |= IOMMU_WRITE;
  if (map.flags & VFIO_DMA_MAP_FLAG_READ) prot |= IOMMU_READ;
  // 5.12 (c3cbab24db38): if ((prot && set_vaddr) || (!prot && !set_vaddr)) return -EINVAL;
  if (v5_12 && ((prot && set_vaddr) || (!prot && !set_vaddr))) return -EINVAL;

  // pgsize = 1 << __ffs(pgsize_bitmap): the IOMMU's smallest page
  const pgsize = k.domain.minPagesz;
  const misaligned = size % pgsize !== 0 || iova % pgsize !== 0 || vaddr % pgsize !== 0;
  if (!v5_12) {
    if (!prot || !size || misaligned) return -EINVAL; // 4.16: if (!prot || !size || (size | iova | vaddr) & mask)
  } else if (!v6_18) {
    if (!size || misaligned) return -EINVAL; // 5.12: if (!size || (size | iova | vaddr) & (pgsize - 1))
  } else if (misaligned) {
    return -EINVAL; // 6.18: if ((size | iova | vaddr) & (pgsize - 1))
  }
  /* Don't allow IOVA or virtual address wrap */
  if (!v6_18 && (wraps(iova, size) || wraps(vaddr, size))) return -EINVAL; // 4.16 .. 6.17, -EINVAL

  const dma = vfio_find_dma(k, big(iova), big(size));
  if (set_vaddr) {
    // 5.12 (c3cbab24db38); 6.3's vfio_change_dma_owner() returns 0 at once: current->mm == dma->mm here
    if (!dma) return -ENOENT;
    if (!dma.vaddr_invalid || dma.iova !== iova || dma.size !== size) return -EINVAL;
    dma.vaddr = vaddr;
    dma.vaddr_invalid = false;
    iommu.vaddr_invalid_count--;
    return 0;
  }
  if (dma) return -EEXIST;

  // 5.1 (492855939bdb): if (!iommu->dma_avail) { ret = -ENOSPC; goto out_unlock; }
  const limited = h.dma_avail === 'dma_entry_limit';
  if (limited && !iommu.dma_avail) return -ENOSPC;

  const nw = new VfioDma(iova, vaddr, prot, k.task.capIpcLock);
  if (limited) iommu.dma_avail--;
  // Insert zero-sized and grow as we map chunks of it
  vfio_link_dma(k, nw);
  return k.ops.vfio_pin_map_dma(k, nw, size);
}

// --- VFIO_IOMMU_UNMAP_DMA -------------------------------------------------------------------------

// verify_bitmap_size() (5.8).
function verify_bitmap_size(npages: number, bitmap_size: number): number {
  if (!npages || !bitmap_size || bitmap_size > DIRTY_BITMAP_SIZE_MAX || bitmap_size < dirty_bitmap_bytes(npages)) return -EINVAL;
  return 0;
}

// vfio_iommu_type1_unmap_dma() (5.9, ccd59dce1a21; before 5.9 inline in vfio_iommu_type1_ioctl()):
// argsz and the flags of this era, the dirty-bitmap arguments (5.8+), vfio_dma_do_unmap(), and on
// success copy_to_user() of the size unmapped (on an error the VMM's size is left as it was).
export function vfio_iommu_type1_unmap_dma(k: Kernel, arg: VfioIommuType1DmaUnmap): number {
  const unmap = { ...arg }; // copy_from_user()
  const era = k.host.ioctl_flags;
  const mask =
    era === 'rw' ? 0 // 4.16: if (unmap.argsz < minsz || unmap.flags) return -EINVAL;
    : era === 'dirty_bitmap' ? VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP // 5.8
    : VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | VFIO_DMA_UNMAP_FLAG_VADDR | VFIO_DMA_UNMAP_FLAG_ALL; // 5.12
  if (unmap.argsz < DMA_UNMAP_MINSZ || unmap.flags & ~mask) return -EINVAL;
  const dirty = (unmap.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) !== 0;
  // 5.12: GET_DIRTY_BITMAP together with ALL or VADDR -> -EINVAL
  if (dirty && unmap.flags & (VFIO_DMA_UNMAP_FLAG_ALL | VFIO_DMA_UNMAP_FLAG_VADDR)) return -EINVAL;
  if (dirty) {
    if (unmap.argsz < DMA_UNMAP_MINSZ + VFIO_BITMAP_SIZE) return -EINVAL;
    // copy_from_user(&bitmap) (-EFAULT) and access_ok(bitmap.data) (-EINVAL): the buffer is valid here
    const bitmap = unmap.bitmap!;
    const ret = verify_bitmap_size(Math.floor(unmap.size / bitmap.pgsize), bitmap.size); // unmap.size >> __ffs(bitmap.pgsize)
    if (ret) return ret;
  }
  const ret = vfio_dma_do_unmap(k, unmap);
  if (ret) return ret;
  arg.size = unmap.size; // copy_to_user(): -EFAULT never here
  return 0;
}

// vfio_dma_do_unmap(): the checks of this host's era, the v2 rule (no vfio_dma may be bisected),
// then every vfio_dma in the range removed (v1: stop at one that starts before the range) or, with
// VADDR (5.12+), marked vaddr_invalid. unmap->size = the bytes unmapped (or invalidated).
// Never reached here: the dma->task->mm != current->mm break (4.10 .. 5.19: one process), the mdev
// pfn_list notifier loop and 6.3's -EBUSY for VADDR with an mdev (no mdev), update_user_bitmap()
// (dirty tracking is never started, so GET_DIRTY_BITMAP fails its check first).
export function vfio_dma_do_unmap(k: Kernel, unmap: VfioIommuType1DmaUnmap): number {
  const h = k.host;
  const iommu = k.vfio;
  const iova = unmap.iova;
  let size = big(unmap.size);
  const unmap_all = (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) !== 0;
  const invalidate_vaddr = (unmap.flags & VFIO_DMA_UNMAP_FLAG_VADDR) !== 0;
  const inclusive = h.dma_range_end === 'inclusive';
  let iova_end = 0n; // 6.18
  let unmapped = 0;

  const pgsize = k.domain.minPagesz;
  if (iova % pgsize) return -EINVAL;
  if (unmap_all) {
    // 5.12 (c19650995374): ALL takes iova == 0 && size == 0; then size = U64_MAX (6.18: iova_end = ~0)
    if (iova || size) return -EINVAL;
    size = U64_MAX;
    iova_end = U64_MAX;
  } else {
    if (!size || unmap.size % pgsize) return -EINVAL;
    switch (h.type1_wrap) {
      case 'plus_size': // 4.15 (71a7d3d78e3c): iova + size < iova || size > SIZE_MAX
        if (u64(big(iova) + size) < big(iova)) return -EINVAL;
        break;
      case 'plus_size_minus_1': // 5.0 (58fec830fc19): iova + size - 1 < iova || size > SIZE_MAX
        if (u64(big(iova) + size - 1n) < big(iova)) return -EINVAL;
        break;
      case 'check_add_overflow': // 6.18 (6012379ede6a): check_add_overflow(iova, size - 1, &iova_end)
        if (add_overflows(big(iova), size - 1n)) return -EOVERFLOW;
        iova_end = big(iova) + size - 1n;
        break;
    }
  }
  // 5.8: GET_DIRTY_BITMAP && (!iommu->dirty_page_tracking || bitmap->pgsize != pgsize) -> -EINVAL
  if (unmap.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP && (!iommu.dirty_page_tracking || unmap.bitmap?.pgsize !== pgsize)) {
    return -EINVAL;
  }

  // v2: no vfio_dma may be bisected by the range at its start or its end (5.12+: not with ALL)
  if (iommu.v2 && !unmap_all) {
    let dma = vfio_find_dma(k, big(iova), 1n);
    if (dma && dma.iova !== iova) return -EINVAL;
    if (inclusive) {
      // 6.18 (ef270ec44637): vfio_find_dma(iommu, iova_end, 1); dma->iova + dma->size - 1 != iova_end
      dma = vfio_find_dma(k, iova_end, 1n);
      if (dma && big(dma.iova) + big(dma.size) - 1n !== iova_end) return -EINVAL;
    } else {
      // vfio_find_dma(iommu, iova + size - 1, 0); dma->iova + dma->size != iova + size (u64)
      dma = vfio_find_dma(k, u64(big(iova) + size - 1n), 0n);
      if (dma && u64(big(dma.iova) + big(dma.size)) !== u64(big(iova) + size)) return -EINVAL;
    }
  }

  let ret = 0;
  if (h.unmap_iter === 'find_dma') {
    // 4.16: while ((dma = vfio_find_dma(iommu, unmap->iova, unmap->size)))
    let dma: VfioDma | null;
    while ((dma = vfio_find_dma(k, big(iova), size))) {
      if (!iommu.v2 && iova > dma.iova) break;
      unmapped += dma.size;
      vfio_remove_dma(k, dma);
    }
  } else {
    // 5.12 (40ae9b807b89): n = first_n = vfio_find_dma_first_node(); ...; n = rb_next(n)
    const first_n = vfio_find_dma_first_node(k, big(iova), inclusive ? iova_end : size);
    let n: VfioDma | null = first_n;
    while (n) {
      const dma: VfioDma = n;
      if (inclusive ? big(dma.iova) > iova_end : big(dma.iova) >= u64(big(iova) + size)) break;
      if (!iommu.v2 && iova > dma.iova) break;
      if (invalidate_vaddr) {
        if (dma.vaddr_invalid) {
          // roll back this call's invalidations: first_n .. n
          for (let m: VfioDma | null = first_n; m && m !== n; m = rb_next(m) as VfioDma | null) {
            m.vaddr_invalid = false;
            iommu.vaddr_invalid_count--;
          }
          ret = -EINVAL;
          unmapped = 0;
          break;
        }
        dma.vaddr_invalid = true;
        iommu.vaddr_invalid_count++;
        unmapped += dma.size;
        n = rb_next(n) as VfioDma | null;
        continue;
      }
      unmapped += dma.size;
      n = rb_next(n) as VfioDma | null;
      vfio_remove_dma(k, dma);
    }
  }
  unmap.size = unmapped; // Report how much was unmapped
  return ret;
}
