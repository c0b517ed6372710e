// Strategy "baseline": the pin path of Linux 4.16 (v4.16, drivers/vfio/vfio_iommu_type1.c).
// vfio_pin_pages_remote() asks vaddr_get_pfn() for one page at a time and extends the run
// while each pfn is the previous + 1 with the same reserved-ness; vaddr_get_pfn() tries GUP
// under mmap_sem, then for a VM_PFNMAP vma computes the pfn from vm_pgoff under mmap_sem again.
// The unmap path is 4.16's (unmap-v4.16.ts). vaddr_get_pfn() holds mmap_sem around GUP and
// passes FOLL_WRITE, as after "vfio: Use get_user_pages_longterm correctly" (Fixes: 94db151dc892,
// for stable); docs/kernel-notes.md 1.1 records that the v4.16 tag itself could not be read.

import { EFAULT, ENODEV, ENOMEM } from '../kernel/errno.ts';
import { FOLL_WRITE, get_user_pages_longterm } from '../kernel/gup.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { VM_PFNMAP } from '../kernel/mm.ts';
import { out, type Out } from '../kernel/out.ts';
import { follow_fault_pfn, is_invalid_reserved_pfn, put_pfn, vfio_find_vpfn, vfio_iommu_map, vfio_lock_acct, vfio_remove_dma } from '../kernel/vfio_type1.ts';
import { IOMMU_WRITE, type VfioDma } from '../kernel/vfio_dma.ts';
import { kv } from '../kernel/eras.ts';
import { composeHost } from '../kernel/host.ts';
import type { Strategy } from './strategy.ts';
import { summaryCheck, summaryStart } from '../kernel/summarise.ts';
import { vfio_unmap_unpin, vfio_unpin_pages_remote } from './unmap-v4.16.ts';

const page: number[] = [0];

function vaddr_get_pfn(k: Kernel, vaddr: number, prot: number, pfn: Out): number {
  const mm = k.mm;
  let ret: number;
  k.c.vaddr_get_pfn++;
  const flags = prot & IOMMU_WRITE ? FOLL_WRITE : 0;

  mm.mmap_sem.down_read();
  ret = get_user_pages_longterm(k, vaddr, 1, flags, page);
  mm.mmap_sem.up_read();

  if (ret === 1) {
    pfn.v = page[0]!;
    return 0;
  }

  mm.mmap_sem.down_read();
  const vma = mm.find_vma_intersection(vaddr, vaddr + 1);

  if (vma && vma.vm_flags & VM_PFNMAP) {
    k.c.pfnmap_lookups++;
    if (k.host.pfnmap_pfn === 'vm_pgoff') {
      pfn.v = Math.floor((vaddr - vma.vm_start) / PAGE_SIZE) + vma.vm_pgoff;
      if (is_invalid_reserved_pfn(k, pfn.v)) ret = 0;
    } else {
      // 5.7+: follow_pfn(), 5.8+: follow_fault_pfn() (host part pfnmap_pfn)
      ret = follow_fault_pfn(k, vma, vaddr, pfn, (prot & IOMMU_WRITE) !== 0);
      if (!ret && !is_invalid_reserved_pfn(k, pfn.v)) ret = -EFAULT;
    }
  }

  mm.mmap_sem.up_read();
  return ret;
}

/*
 * Attempt to pin pages.  We really don't want to track all the pfns and
 * the iommu can only map chunks of consecutive pfns anyway, so get the
 * first page and all consecutive pages with the same locking.
 */
function vfio_pin_pages_remote(k: Kernel, dma: VfioDma, vaddr: number, npage: number, pfn_base: Out, limit: number): number {
  const pfn = out();
  let ret: number;
  let pinned = 0;
  let lock_acct = 0;
  let iova = vaddr - dma.vaddr + dma.iova;
  k.c.vfio_pin_pages_remote++;
  const sum = summaryStart(k); // (model: kernel/summarise.ts)
  let check = 0;

  /* This code path is only user initiated */
  if (!k.mm) return -ENODEV;

  ret = vaddr_get_pfn(k, vaddr, dma.prot, pfn_base);
  if (ret) return ret;

  pinned++;
  const rsvd = is_invalid_reserved_pfn(k, pfn_base.v);

  /*
   * Reserved pages aren't counted against the user, externally pinned
   * pages are already counted against the user.
   */
  if (!rsvd && !vfio_find_vpfn(dma, iova)) {
    if (!dma.lock_cap && k.mm.locked_vm + 1 > limit) {
      put_pfn(k, pfn_base.v, dma.prot);
      return -ENOMEM; // pr_warn("RLIMIT_MEMLOCK (%ld) exceeded")
    }
    lock_acct++;
  }

  out: {
    if (k.disable_hugepages) break out;

    /* Lock all the consecutive pages from pfn_base */
    for (vaddr += PAGE_SIZE, iova += PAGE_SIZE; pinned < npage; pinned++, vaddr += PAGE_SIZE, iova += PAGE_SIZE) {
      if (sum !== null) {
        // (model: a summarised step over a uniform range, kernel/summarise.ts; not kernel code)
        const skip = sum.take(k, pinned);
        if (!rsvd) lock_acct += skip;
        pinned += skip;
        vaddr += skip * PAGE_SIZE;
        iova += skip * PAGE_SIZE;
        if (pinned >= npage) break;
        if (pinned >= check) {
          const room = dma.lock_cap ? npage : limit - k.mm.locked_vm - lock_acct;
          check = summaryCheck(k, sum, vaddr, (dma.prot & IOMMU_WRITE) !== 0, pinned, pfn_base.v + pinned, rsvd, npage - pinned, room);
        }
      }
      ret = vaddr_get_pfn(k, vaddr, dma.prot, pfn);
      if (ret) break;

      if (pfn.v !== pfn_base.v + pinned || rsvd !== is_invalid_reserved_pfn(k, pfn.v)) {
        put_pfn(k, pfn.v, dma.prot);
        break;
      }

      if (!rsvd && !vfio_find_vpfn(dma, iova)) {
        if (!dma.lock_cap && k.mm.locked_vm + lock_acct + 1 > limit) {
          put_pfn(k, pfn.v, dma.prot);
          ret = -ENOMEM; // pr_warn("RLIMIT_MEMLOCK (%ld) exceeded")
          return unpin_out(k, dma, rsvd, pfn_base.v, pinned, ret);
        }
        lock_acct++;
      }
    }
  }

  ret = vfio_lock_acct(k, lock_acct, dma.lock_cap);
  if (ret) return unpin_out(k, dma, rsvd, pfn_base.v, pinned, ret);

  return pinned;
}

/** The unpin_out: label of vfio_pin_pages_remote(). */
function unpin_out(k: Kernel, dma: VfioDma, rsvd: boolean, pfn: number, pinned: number, ret: number): number {
  if (!rsvd) {
    for (; pinned; pfn++, pinned--) put_pfn(k, pfn, dma.prot);
  }
  return ret;
}

function vfio_pin_map_dma(k: Kernel, dma: VfioDma, map_size: number): number {
  const iova = dma.iova;
  const vaddr = dma.vaddr;
  let size = map_size;
  let npage: number;
  const pfn = out();
  const limit = k.task.rlimitMemlockPages;
  let ret = 0;

  while (size) {
    /* Pin a contiguous chunk of memory */
    npage = vfio_pin_pages_remote(k, dma, vaddr + dma.size, size / PAGE_SIZE, pfn, limit);
    if (npage <= 0) {
      ret = npage;
      break;
    }
    k.c.pages_pinned += npage;

    /* Map it! */
    ret = vfio_iommu_map(k, iova + dma.size, pfn.v, npage, dma.prot);
    if (ret) {
      vfio_unpin_pages_remote(k, dma, iova + dma.size, pfn.v, npage, true);
      break;
    }

    size -= npage * PAGE_SIZE;
    dma.size += npage * PAGE_SIZE;
  }

  dma.iommu_mapped = true;

  if (ret) vfio_remove_dma(k, dma);

  return ret;
}

export const baseline: Strategy = {
  name: 'baseline',
  kernel: 'Linux 4.16',
  description: 'vfio_pin_pages_remote() one page at a time via vaddr_get_pfn(), GUP then the VM_PFNMAP fallback',
  source: 'v4.16 drivers/vfio/vfio_iommu_type1.c',
  host: composeHost(kv(4, 16)),
  vfio_pin_map_dma,
  vfio_unmap_unpin,
};
