// The unmap path of Linux 6.18 (Li Zhe's large-folio series): vfio_unmap_unpin() as in 4.17+
// (unmap-v4.17.ts), but vfio_unpin_pages_remote() drops a dma's pins one folio at a time with
// unpin_user_page_range_dirty_lock() when the dma never pinned a reserved pfn (dma->has_rsvd),
// and counts vpfns per range (vpfn_pages()). A BAR's dma has_rsvd: put_pfn() per page still.

import type { Kernel } from '../kernel/kernel.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { put_pfn, put_pfns, vfio_lock_acct, vpfn_pages } from '../kernel/vfio_type1.ts';
import { IOMMU_WRITE, type VfioDma } from '../kernel/vfio_dma.ts';

/** VFIO_IOMMU_TLB_SYNC_MAX: fast-unmapped regions gathered before an IOTLB sync. */
const VFIO_IOMMU_TLB_SYNC_MAX = 512;

interface VfioRegion {
  iova: number;
  phys: number;
  len: number;
}

// vfio_unpin_pages_remote() (6.18).
export function vfio_unpin_pages_remote(k: Kernel, dma: VfioDma, iova: number, pfn: number, npage: number, do_accounting: boolean): number {
  k.c.vfio_unpin_pages_remote++;
  let unlocked = 0;
  const locked = vpfn_pages(dma, iova, npage);

  if (dma.has_rsvd) {
    if (k.summarise) unlocked = put_pfns(k, pfn, npage, dma.prot); // (model: the loop below, summarised)
    else for (let i = 0; i < npage; i++) if (put_pfn(k, pfn++, dma.prot)) unlocked++;
  } else {
    unpin_user_page_range_dirty_lock(k, pfn, npage, (dma.prot & IOMMU_WRITE) !== 0);
    unlocked = npage;
  }
  if (do_accounting) vfio_lock_acct(k, locked - unlocked, null);

  return unlocked;
}

// unpin_user_page_range_dirty_lock() (mm/gup.c): per folio in the range, mark it dirty once
// and drop all its pins in one gup_put_folio(folio, nr, FOLL_PIN).
function unpin_user_page_range_dirty_lock(k: Kernel, pfn: number, npage: number, make_dirty: boolean): void {
  k.c.unpin_user_page_range_dirty_lock++;
  for (let done = 0; done < npage; ) {
    const p = pfn + done;
    if (k.summarise) {
      // (model: a summarised step, kernel/summarise.ts) order-0 folios: one page each, so one
      // set_page_dirty and one folio reference dropped per page, as the iterations below
      const m = k.mem.order0Run(p, npage - done);
      if (m > 1) {
        if (make_dirty) k.c.set_page_dirty += m;
        k.c.page_ref_put += m;
        k.mem.addRefs(p, m, -1);
        done += m;
        continue;
      }
    }
    const nr = Math.min(npage - done, k.mem.folio_pages_from(p));
    if (make_dirty) k.c.set_page_dirty++;
    k.mem.put_page(p, nr);
    done += nr;
  }
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
// contiguous chunk (6.16 removed the fgsp skip, 07970d048cdd), unmap_unpin_fast() per chunk.
// (unmap_unpin_slow() is only reached when the fast path's kzalloc fails: never here.)
export function vfio_unmap_unpin(k: Kernel, dma: VfioDma, do_accounting: boolean): number {
  k.c.vfio_unmap_unpin++;
  let iova = dma.iova;
  const end = dma.iova + dma.size;
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
    else for (; iova + len < end; len += PAGE_SIZE) {
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
