// Row labels and one-line meanings for the counters (from the comments in kernel/counters.ts).
// A counter added there without a label here shows under its own name (a test flags it).

import type { CounterName } from '../model/counters.ts';

export interface CounterLabel {
  label: string;
  help: string;
}

export const COUNTER_LABELS: Partial<Record<CounterName, CounterLabel>> = {
  vfio_ioctls: { label: 'VFIO ioctls', help: 'VFIO_IOMMU_MAP_DMA / UNMAP_DMA ioctls (and the container release)' },
  vfio_pin_pages_remote: { label: 'vfio_pin_pages_remote calls', help: 'vfio_pin_pages_remote() calls (one physically contiguous run each)' },
  pages_pinned: { label: 'pages pinned', help: 'pages returned by vfio_pin_pages_remote()' },
  vaddr_get_pfn: { label: 'vaddr_get_pfn calls', help: 'vaddr_get_pfn() calls' },
  pfnmap_shortcut: { label: 'raw-PFN shortcuts', help: 'raw-PFN shortcuts taken (try_io_pfnmap and its successors)' },
  gup_calls: { label: 'GUP calls', help: 'get_user_pages*() calls' },
  gup_pages: { label: 'GUP pages', help: 'pages those get_user_pages*() calls returned' },
  gup_efault: { label: 'GUP failures', help: 'get_user_pages*() calls that failed' },
  follow_page: { label: 'follow_page_mask walks', help: 'follow_page_mask() page-table walks inside GUP' },
  follow_pfnmap: { label: 'follow_pte/pfnmap walks', help: 'follow_pte() / follow_pfnmap_start() walks of a VM_PFNMAP vma (5.x+)' },
  page_faults: { label: 'page faults', help: 'handle_mm_fault() calls from faultin_page() / fixup_user_fault()' },
  pfnmap_lookups: { label: 'VM_PFNMAP pfn look-ups', help: 'pfn computed from vm_pgoff for a VM_PFNMAP vma' },
  find_vma: { label: 'find_vma calls', help: 'find_vma() calls (find_vma_intersection and GUP\'s find_extend_vma)' },
  vmacache_hits: { label: 'vmacache hits', help: 'find_vma() answered by the per-thread vmacache' },
  vma_tree_steps: { label: 'VMA rb-tree steps', help: 'rb-tree nodes visited on vmacache misses' },
  mmap_sem_read: { label: 'mmap_sem read acquisitions', help: 'down_read(&mm->mmap_sem)' },
  mmap_sem_write: { label: 'mmap_sem write acquisitions', help: 'down_write_killable(&mm->mmap_sem) (vfio_lock_acct)' },
  is_invalid_reserved_pfn: { label: 'is_invalid_reserved_pfn calls', help: 'is_invalid_reserved_pfn() calls' },
  page_ref_get: { label: 'page refs get', help: 'get_page() (on the compound head)' },
  page_ref_put: { label: 'page refs put', help: 'put_page()' },
  set_page_dirty: { label: 'pages dirtied', help: 'SetPageDirty() in put_pfn() for writable mappings' },
  put_pfn: { label: 'put_pfn calls', help: 'put_pfn() calls' },
  locked_vm_updates: { label: 'locked_vm updates', help: 'vfio_lock_acct() calls that changed mm->locked_vm' },
  iommu_map: { label: 'iommu_map calls', help: 'iommu_map() calls' },
  iommu_ptes: { label: 'IOMMU PTEs written', help: 'IOMMU PTEs written (domain->ops->map calls)' },
  iommu_unmap: { label: 'iommu_unmap calls', help: 'iommu_unmap() / iommu_unmap_fast() calls' },
  iommu_ptes_cleared: { label: 'IOMMU PTEs cleared', help: 'IOMMU PTEs cleared (domain->ops->unmap calls)' },
  iommu_iova_to_phys: { label: 'iova_to_phys calls', help: 'iommu_iova_to_phys() calls' },
  iotlb_sync: { label: 'IOTLB syncs', help: 'iommu_tlb_sync() / flushes' },
  vfio_unpin_pages_remote: { label: 'vfio_unpin_pages_remote calls', help: 'vfio_unpin_pages_remote() calls' },
};

/** The label for a counter, falling back to its kernel name. */
export function counterLabel(name: CounterName): CounterLabel {
  return COUNTER_LABELS[name] ?? { label: name, help: name };
}
