// The shared VFIO type1 machinery (drivers/vfio/vfio_iommu_type1.c, Linux 4.16): the ioctl
// entry points, the vfio_dma tree, vfio_iommu_map(), vfio_lock_acct(), put_pfn() and
// is_invalid_reserved_pfn(). The pin and unpin call trees are the strategy's (VfioPinOps).

import { EBUSY, EEXIST, EINVAL, ENOMEM } from './errno.ts';
import { fixup_user_fault, follow_pfnmap_start, FollowPfnmapArgs } from './gup.ts';
import type { Kernel } from './kernel.ts';
import type { VmAreaStruct } from './mm.ts';
import type { Out } from './out.ts';
import { IOMMU_WRITE, IOMMU_READ, VfioDma } from './vfio_dma.ts';
import { PAGE_SIZE } from '../model/units.ts';

// vfio_find_dma(): a vfio_dma overlapping [start, start + size), or null.
export function vfio_find_dma(k: Kernel, start: number, size: number): VfioDma | null {
  for (const dma of k.vfio.dmas) {
    if (start + size <= dma.iova) continue;
    if (start >= dma.iova + dma.size) continue;
    return dma;
  }
  return null;
}

function vfio_link_dma(k: Kernel, dma: VfioDma): void {
  const dmas = k.vfio.dmas;
  let i = dmas.length;
  while (i > 0 && dmas[i - 1]!.iova > dma.iova) i--;
  dmas.splice(i, 0, dma);
}

function vfio_unlink_dma(k: Kernel, dma: VfioDma): void {
  const dmas = k.vfio.dmas;
  dmas.splice(dmas.indexOf(dma), 1);
}

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

const U64_MAX = (1n << 64n) - 1n;
const wraps = (start: number, size: number): boolean => BigInt(start) + BigInt(size) - 1n > U64_MAX;

export interface DmaMap {
  vaddr: number;
  iova: number;
  size: number;
  read: boolean;
  write: boolean;
}

// vfio_dma_do_map() (4.16): validation, the -EEXIST overlap check, then link a zero-sized
// vfio_dma and let vfio_pin_map_dma() grow it.
export function vfio_dma_do_map(k: Kernel, map: DmaMap): number {
  const { iova, vaddr, size } = map;
  // mask = (1 << __ffs(vfio_pgsize_bitmap(iommu))) - 1
  const min = k.domain.minPagesz;
  let prot = 0;
  if (map.write) prot |= IOMMU_WRITE;
  if (map.read) prot |= IOMMU_READ;
  if (!prot || !size || size % min || iova % min || vaddr % min) return -EINVAL;
  // Don't allow IOVA or virtual address wrap: iova + size - 1 < iova in u64 (exact, in BigInt)
  if (wraps(iova, size) || wraps(vaddr, size)) return -EINVAL;
  if (vfio_find_dma(k, iova, size)) return -EEXIST;
  const dma = new VfioDma(iova, vaddr, prot, k.task.capIpcLock);
  // Insert zero-sized and grow as we map chunks of it
  vfio_link_dma(k, dma);
  return k.ops.vfio_pin_map_dma(k, dma, size);
}

// vfio_remove_dma() (4.16).
export function vfio_remove_dma(k: Kernel, dma: VfioDma): void {
  k.ops.vfio_unmap_unpin(k, dma, true);
  vfio_unlink_dma(k, dma);
}

// vfio_dma_do_unmap() (4.16, v2 rules): no unmapping part of a vfio_dma; removes every
// vfio_dma inside [iova, iova + size). Returns the errno and the bytes unmapped.
export function vfio_dma_do_unmap(k: Kernel, iova: number, size: number): { ret: number; unmapped: number } {
  const min = k.domain.minPagesz;
  if (iova % min) return { ret: -EINVAL, unmapped: 0 };
  if (!size || size % min) return { ret: -EINVAL, unmapped: 0 };
  let unmapped = 0;
  if (k.vfio.v2) {
    let dma = vfio_find_dma(k, iova, 1);
    if (dma && dma.iova !== iova) return { ret: -EINVAL, unmapped };
    dma = vfio_find_dma(k, iova + size - 1, 0);
    if (dma && dma.iova + dma.size !== iova + size) return { ret: -EINVAL, unmapped };
  }
  let dma: VfioDma | null;
  while ((dma = vfio_find_dma(k, iova, size))) {
    unmapped += dma.size;
    vfio_remove_dma(k, dma);
  }
  return { ret: 0, unmapped };
}

// vfio_iommu_unmap_unpin_all() (4.16): container release, every vfio_dma removed.
export function vfio_iommu_unmap_unpin_all(k: Kernel): void {
  while (k.vfio.dmas.length > 0) vfio_remove_dma(k, k.vfio.dmas[0]!);
}
