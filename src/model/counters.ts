// Named counters: every primitive that costs time in the kernel bumps one. Deterministic;
// the cost model turns them into time. One set per ioctl side (map, unmap).

export const COUNTER_NAMES = [
  'vfio_ioctls',             // VFIO_IOMMU_MAP_DMA / UNMAP_DMA ioctls (and the container release)
  'vfio_pin_pages_remote',   // vfio_pin_pages_remote() calls (one physically contiguous run each)
  'pages_pinned',            // pages returned by vfio_pin_pages_remote()
  'vaddr_get_pfn',           // vaddr_get_pfn() calls
  'pfnmap_shortcut',         // raw-PFN shortcuts taken (try_io_pfnmap and its successors)
  'gup_calls',               // get_user_pages*() calls
  'gup_pages',               // pages those calls returned
  'gup_efault',              // get_user_pages*() calls that failed
  'follow_page',             // follow_page_mask() page-table walks inside GUP
  'follow_pfnmap',           // follow_pte() / follow_pfnmap_start() walks of a VM_PFNMAP vma (5.x+)
  'page_faults',             // handle_mm_fault() calls from faultin_page() / fixup_user_fault()
  'pfnmap_lookups',          // pfn computed from vm_pgoff for a VM_PFNMAP vma
  'find_vma',                // find_vma() calls (find_vma_intersection and GUP's find_extend_vma)
  'vmacache_hits',           // find_vma() answered by the per-thread vmacache
  'vma_tree_steps',          // rb-tree nodes visited on vmacache misses
  'mmap_sem_read',           // down_read(&mm->mmap_sem)
  'mmap_sem_write',          // down_write_killable(&mm->mmap_sem) (vfio_lock_acct)
  'is_invalid_reserved_pfn', // is_invalid_reserved_pfn() calls
  'page_ref_get',            // get_page() (on the compound head)
  'page_ref_put',            // put_page()
  'set_page_dirty',          // SetPageDirty() in put_pfn() for writable mappings
  'put_pfn',                 // put_pfn() calls
  'locked_vm_updates',       // vfio_lock_acct() calls that changed mm->locked_vm
  'iommu_map',               // iommu_map() calls
  'iommu_ptes',              // IOMMU PTEs written (domain->ops->map calls)
  'iommu_unmap',             // iommu_unmap() / iommu_unmap_fast() calls
  'iommu_ptes_cleared',      // IOMMU PTEs cleared (domain->ops->unmap calls)
  'iommu_iova_to_phys',      // iommu_iova_to_phys() calls
  'iotlb_sync',              // iommu_tlb_sync() / flushes
  'vfio_unpin_pages_remote', // vfio_unpin_pages_remote() calls
] as const;

export type CounterName = (typeof COUNTER_NAMES)[number];
export type Counters = Record<CounterName, number>;

/** A zeroed counter set; built from one literal so every set shares one hidden class. */
export function newCounters(): Counters {
  return {
    vfio_ioctls: 0, vfio_pin_pages_remote: 0, pages_pinned: 0, vaddr_get_pfn: 0, pfnmap_shortcut: 0,
    gup_calls: 0, gup_pages: 0, gup_efault: 0, follow_page: 0, follow_pfnmap: 0, page_faults: 0,
    pfnmap_lookups: 0, find_vma: 0, vmacache_hits: 0, vma_tree_steps: 0,
    mmap_sem_read: 0, mmap_sem_write: 0, is_invalid_reserved_pfn: 0,
    page_ref_get: 0, page_ref_put: 0, set_page_dirty: 0, put_pfn: 0,
    locked_vm_updates: 0, iommu_map: 0, iommu_ptes: 0, iommu_unmap: 0,
    iommu_ptes_cleared: 0, iommu_iova_to_phys: 0, iotlb_sync: 0, vfio_unpin_pages_remote: 0,
  };
}
