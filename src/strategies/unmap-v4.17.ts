// The unmap path from Linux 4.17 (commit 6bd06f5a486c "vfio/type1: Adopt fast IOTLB flush
// interface when unmap IOVAs") until the 2025 large-folio series: vfio_unmap_unpin() still
// probes the IOVA range with iommu_iova_to_phys() one page at a time, but unmaps each chunk
// with iommu_unmap_fast() and syncs the IOTLB once per VFIO_IOMMU_TLB_SYNC_MAX chunks
// (vfio_sync_unpin()). 5.x+ keeps this shape (the gather became struct iommu_iotlb_gather).

import type { Kernel } from '../kernel/kernel.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { put_pfn, put_pfns, vfio_find_vpfn, vfio_lock_acct } from '../kernel/vfio_type1.ts';
import { type VfioDma } from '../kernel/vfio_dma.ts';

/** VFIO_IOMMU_TLB_SYNC_MAX (4.17+): fast-unmapped regions gathered before an IOTLB sync. */
const VFIO_IOMMU_TLB_SYNC_MAX = 512;

interface VfioRegion {
  iova: number;
  phys: number;
  len: number;
}

// vfio_unpin_pages_remote() (4.17 .. 6.17): put_pfn() on every page of a contiguous run.
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

// vfio_sync_unpin() (4.17+): one IOTLB sync, then unpin every gathered region.
function vfio_sync_unpin(k: Kernel, dma: VfioDma, regions: VfioRegion[]): number {
  let unlocked = 0;
  k.domain.iotlb_sync();
  for (const entry of regions) {
    unlocked += vfio_unpin_pages_remote(k, dma, entry.iova, entry.phys / PAGE_SIZE, entry.len / PAGE_SIZE, false);
  }
  regions.length = 0;
  return unlocked;
}

// vfio_unmap_unpin() (4.17+): per-page iommu_iova_to_phys() probe for each physically
// contiguous chunk (unless fine-grained superpages), unmap_unpin_fast() per chunk.
// (unmap_unpin_slow() is only reached when the fast path's kzalloc fails: never here.)
export function vfio_unmap_unpin(k: Kernel, dma: VfioDma, do_accounting: boolean): number {
  k.c.vfio_unmap_unpin++;
  let iova = dma.iova;
  // dma_addr_t end = dma->iova + dma->size: a vfio_dma ending at 2^64 wraps to 0 and the loop
  // below never runs (fixed in 6.18 by ef270ec44637: pos < dma->size)
  const end = (dma.iova + dma.size) % 2 ** 64;
  const domain = k.domain;
  const unmapped_region_list: VfioRegion[] = [];
  let unlocked = 0;

  if (!dma.size) return 0;

  while (iova < end) {
    const phys = domain.iommu_iova_to_phys(iova);
    if (!phys) {
      iova += PAGE_SIZE; // WARN_ON(!phys)
      continue;
    }
    // To optimize for fewer iommu_unmap() calls, find the largest contiguous physical chunk.
    let len = PAGE_SIZE;
    if (k.summarise) len = domain.iova_to_phys_contig(iova, phys, end); // (model: the loop below, summarised)
    else for (; !domain.fgsp && iova + len < end; len += PAGE_SIZE) {
      const next = domain.iommu_iova_to_phys(iova + len);
      if (next !== phys + len) break;
    }
    // unmap_unpin_fast()
    const unmapped = domain.iommu_unmap_fast(iova, len);
    if (unmapped) {
      unmapped_region_list.push({ iova, phys, len: unmapped });
      iova += unmapped;
    }
    if (unmapped_region_list.length >= VFIO_IOMMU_TLB_SYNC_MAX || !unmapped) {
      unlocked += vfio_sync_unpin(k, dma, unmapped_region_list);
    }
    if (!unmapped) break; // WARN_ON(!unmapped) after unmap_unpin_slow()
  }
  dma.iommu_mapped = false;
  if (unmapped_region_list.length) unlocked += vfio_sync_unpin(k, dma, unmapped_region_list);
  if (do_accounting) {
    vfio_lock_acct(k, -unlocked, null);
    return 0;
  }
  return unlocked;
}
