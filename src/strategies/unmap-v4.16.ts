// The Linux 4.16 unmap path (drivers/vfio/vfio_iommu_type1.c), shared by the strategies whose
// patches leave it alone (the 4.16 baseline and the 2018 RFC). vfio_unmap_unpin() probes the
// IOVA range with iommu_iova_to_phys() one page at a time to find each physically contiguous
// chunk, iommu_unmap()s it (an IOTLB sync each: iommu_unmap_fast() and the batched
// vfio_sync_unpin() only came in 4.17, commit 6bd06f5a486c) and put_pfn()s every page of it.

import type { Kernel } from '../kernel/kernel.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { put_pfn, put_pfns, vfio_find_vpfn, vfio_lock_acct } from '../kernel/vfio_type1.ts';
import { type VfioDma } from '../kernel/vfio_dma.ts';

// vfio_unpin_pages_remote() (4.16): put_pfn() on every page of a contiguous run.
export function vfio_unpin_pages_remote(k: Kernel, dma: VfioDma, iova: number, pfn: number, npage: number, do_accounting: boolean): number {
  k.c.vfio_unpin_pages_remote++;
  let unlocked = 0;
  let locked = 0;
  if (k.summarise) unlocked = put_pfns(k, pfn, npage, dma.prot); // (model: the loop below, summarised; no vpfns here)
  else for (let i = 0; i < npage; i++, iova += PAGE_SIZE) {
    if (put_pfn(k, pfn++, dma.prot)) {
      unlocked++;
      if (vfio_find_vpfn(dma, iova)) locked++;
    }
  }
  if (do_accounting) vfio_lock_acct(k, locked - unlocked, null);
  return unlocked;
}

// vfio_unmap_unpin() (4.16). One domain here, so the loop over the other domains is empty.
export function vfio_unmap_unpin(k: Kernel, dma: VfioDma, do_accounting: boolean): number {
  k.c.vfio_unmap_unpin++;
  let iova = dma.iova;
  // dma_addr_t end = dma->iova + dma->size: a vfio_dma ending at 2^64 wraps to 0 and the loop
  // below never runs (fixed in 6.18 by ef270ec44637: pos < dma->size)
  const end = (dma.iova + dma.size) % 2 ** 64;
  const domain = k.domain;
  let unlocked = 0;

  if (!dma.size) return 0;

  while (iova < end) {
    const phys = domain.iommu_iova_to_phys(iova);
    if (!phys) {
      iova += PAGE_SIZE; // WARN_ON(!phys)
      continue;
    }

    /*
     * To optimize for fewer iommu_unmap() calls, each of which
     * may require hardware cache flushing, try to find the
     * largest contiguous physical memory chunk to unmap.
     */
    let len = PAGE_SIZE;
    if (k.summarise) len = domain.iova_to_phys_contig(iova, phys, end); // (model: the loop below, summarised)
    else for (; !domain.fgsp && iova + len < end; len += PAGE_SIZE) {
      const next = domain.iommu_iova_to_phys(iova + len);
      if (next !== phys + len) break;
    }

    const unmapped = domain.iommu_unmap(iova, len);
    if (!unmapped) break; // WARN_ON(!unmapped)

    unlocked += vfio_unpin_pages_remote(k, dma, iova, phys / PAGE_SIZE, unmapped / PAGE_SIZE, false);
    iova += unmapped;
  }

  dma.iommu_mapped = false;

  if (do_accounting) {
    vfio_lock_acct(k, -unlocked, null);
    return 0;
  }
  return unlocked;
}
