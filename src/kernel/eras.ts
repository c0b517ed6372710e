// The host kernel as parts, each with eras: which mainline release started each behaviour and
// the commit that did it. A kernel version is the composition of the eras valid for it
// (host.ts). Releases are mainline tags; stable kernels carry backports (docs/kernel-eras.md).

/** major * 1000 + minor, e.g. 6.12 -> 6012. */
export type KernelVersion = number;

export const kv = (major: number, minor: number): KernelVersion => major * 1000 + minor;

export function formatVersion(v: KernelVersion): string {
  return `${Math.floor(v / 1000)}.${v % 1000}`;
}

/** The oldest and newest kernels --kernel accepts. */
export const OLDEST = kv(4, 16);
export const NEWEST = kv(6, 18);

export interface Era<T extends string> {
  /** first mainline release with this behaviour. */
  readonly from: KernelVersion;
  readonly value: T;
  /** the commit that started it (12 hex digits), or the release tag it is read from. */
  readonly commit: string;
  /** one line: what the kernel does in this era. */
  readonly what: string;
}

export interface Part<T extends string> {
  readonly key: string;
  /** where the behaviour lives in the kernel. */
  readonly where: string;
  readonly eras: readonly Era<T>[];
}

const era = <T extends string>(major: number, minor: number, value: T, commit: string, what: string): Era<T> =>
  ({ from: kv(major, minor), value, commit, what });

/** vfio_pin_pages_remote()'s loop: the strategy file that models it. */
export const TYPE1_PIN = {
  key: 'type1_pin',
  where: 'drivers/vfio/vfio_iommu_type1.c vfio_pin_pages_remote()',
  eras: [
    era(4, 16, 'baseline', 'v4.16', 'vaddr_get_pfn() one page at a time'),
    era(5, 12, 'v5.12-batch', '4d83de6da265', 'struct vfio_batch: vaddr_get_pfns() pins up to 512 pages per call; a BAR one pfn per call'),
    era(6, 15, 'v6.15-pgmask', '0fd06844de5d', 'follow_pfnmap_start() addr_mask: a BAR one CPU leaf per call'),
    era(6, 18, 'v6.18-folio', 'd10872050ffe', 'Li Zhe\'s large-folio series: accounting per contiguous run, has_rsvd'),
  ],
} as const satisfies Part<string>;

/** vfio_unmap_unpin(): how chunks are unmapped and unpinned. */
export const TYPE1_UNMAP = {
  key: 'type1_unmap',
  where: 'drivers/vfio/vfio_iommu_type1.c vfio_unmap_unpin()',
  eras: [
    era(4, 16, 'v4.16', 'v4.16', 'iommu_unmap() per contiguous chunk, one IOTLB sync each'),
    era(4, 17, 'v4.17', '6bd06f5a486c', 'iommu_unmap_fast() per chunk, IOTLB synced once per 512 chunks'),
    era(6, 18, 'v6.18', 'd10872050ffe', 'unpin_user_page_range_dirty_lock() per chunk when the dma has no reserved pfn'),
  ],
} as const satisfies Part<string>;

/** How type1 finds a BAR (VM_PFNMAP) pfn once GUP has failed. */
export const PFNMAP_PFN = {
  key: 'pfnmap_pfn',
  where: 'drivers/vfio/vfio_iommu_type1.c vaddr_get_pfn(s)() / follow_fault_pfn()',
  eras: [
    era(4, 16, 'vm_pgoff', 'v4.16', 'pfn = ((vaddr - vm_start) >> PAGE_SHIFT) + vm_pgoff, no page-table walk'),
    era(5, 7, 'follow_pfn', '5cbf3264bc71', 'follow_pfn(), no fault'),
    era(5, 8, 'follow_pfn_fault', '41311242221e', 'follow_fault_pfn(): follow_pfn(), fixup_user_fault() and again when nothing is mapped'),
    era(5, 12, 'follow_pte', '07956b6269d3', 'follow_fault_pfn() with follow_pte()'),
    era(6, 12, 'follow_pfnmap_start', 'a77f9489f1d7', 'follow_fault_pfn() with follow_pfnmap_start() / follow_pfnmap_end()'),
  ],
} as const satisfies Part<string>;

/** The GUP call vfio makes for a user address. */
export const GUP = {
  key: 'gup',
  where: 'vfio_iommu_type1.c vaddr_get_pfn(s)() -> mm/gup.c',
  eras: [
    era(4, 16, 'get_user_pages_longterm', 'v4.16', 'get_user_pages_longterm(), FOLL_GET'),
    era(5, 2, 'get_user_pages', '(Ira Weiny\'s FOLL_LONGTERM series)', 'get_user_pages(FOLL_LONGTERM), FOLL_GET'),
    era(5, 6, 'pin_user_pages_remote', '19fed0dae94d', 'pin_user_pages_remote(FOLL_PIN | FOLL_LONGTERM)'),
  ],
} as const satisfies Part<string>;

/** How far one __get_user_pages() iteration steps through a large folio. */
export const GUP_FOLIO = {
  key: 'gup_folio',
  where: 'mm/gup.c __get_user_pages()',
  eras: [
    era(4, 16, 'page', 'v4.16', 'one follow_page_mask() and one reference per 4 KiB page'),
    era(6, 6, 'folio', '57edfcfd3419', 'one walk and one try_grab_folio() for the rest of a large folio'),
  ],
} as const satisfies Part<string>;

/** How put_pfn() drops what GUP took. */
export const UNPIN = {
  key: 'unpin',
  where: 'vfio_iommu_type1.c put_pfn()',
  eras: [
    era(4, 16, 'put_page', 'v4.16', 'SetPageDirty() and put_page()'),
    era(5, 6, 'unpin_user_pages_dirty_lock', '19fed0dae94d', 'unpin_user_pages_dirty_lock(&page, 1, dirty)'),
  ],
} as const satisfies Part<string>;

/** How vfio-pci fills the CPU page tables of a BAR mmap. */
export const VFIO_PCI_MMAP = {
  key: 'vfio_pci_mmap',
  where: 'drivers/vfio/pci/vfio_pci(_core).c vfio_pci_mmap() and its fault handlers',
  eras: [
    era(4, 16, 'remap_at_mmap', 'v4.16', 'remap_pfn_range() of the whole vma at mmap(): 4 KiB PTEs, no fault'),
    era(5, 8, 'fault_remap_vma', '11c4cd07ba11', 'vfio_pci_mmap_fault(): remap_pfn_range() of the whole vma on the first fault'),
    era(6, 10, 'fault_insert_vma', 'd71a989cf5d9', 'vfio_pci_mmap_fault(): vmf_insert_pfn() over the whole vma on the first fault'),
    era(6, 12, 'huge_fault_at_addr', 'f9e54c3a2f5b', 'vfio_pci_mmap_huge_fault(): one pud, pmd or pte leaf per fault; the fault address must be aligned to it'),
    era(6, 15, 'huge_fault', 'c1d9dac0db16', 'vfio_pci_mmap_huge_fault(): one leaf per fault, the address aligned down to the order'),
  ],
} as const satisfies Part<string>;

/** intel_iommu_iova_to_phys() on a superpage. */
export const VTD_IOVA_TO_PHYS = {
  key: 'vtd_iova_to_phys',
  where: 'drivers/iommu/intel-iommu.c intel_iommu_iova_to_phys()',
  eras: [
    era(4, 16, 'leaf_base', 'v4.16', 'returns the superpage\'s base, without the offset into it'),
    era(5, 6, 'exact', '77a1bce84bba', 'returns the exact physical address'),
  ],
} as const satisfies Part<string>;

/** The IOMMU driver callbacks iommu_map() / iommu_unmap() use. */
export const IOMMU_OPS = {
  key: 'iommu_ops',
  where: 'drivers/iommu/iommu.c __iommu_map() / __iommu_unmap()',
  eras: [
    era(4, 16, 'map', 'v4.16', 'ops->map() / ops->unmap() once per IOMMU page (intel_iommu_map / intel_iommu_unmap)'),
    era(5, 15, 'map_pages', '3f34f1259776', 'ops->map_pages() / ops->unmap_pages() once per page size and count (intel_iommu_*_pages)'),
  ],
} as const satisfies Part<string>;

/** VFIO_IOMMU_MAP_DMA / UNMAP_DMA: the flags the ioctl entry accepts (vfio_iommu_type1_ioctl(),
 *  split into vfio_iommu_type1_{map,unmap}_dma() by ccd59dce1a21 in 5.9 with no change). */
export const IOCTL_FLAGS = {
  key: 'ioctl_flags',
  where: 'drivers/vfio/vfio_iommu_type1.c vfio_iommu_type1_ioctl() -> vfio_dma_do_map() / vfio_dma_do_unmap()',
  eras: [
    era(4, 16, 'rw', 'v4.16', 'MAP: READ | WRITE only; UNMAP: flags must be 0 (-EINVAL)'),
    era(5, 8, 'dirty_bitmap', '(UNMAP_DMA dirty-bitmap series, vfio-v5.8-rc1; id not verified)', 'UNMAP: GET_DIRTY_BITMAP (bitmap checks; -EINVAL unless dirty tracking was started)'),
    era(5, 12, 'vaddr_all', 'c3cbab24db38', 'MAP: VADDR (prot must be none, -ENOENT / -EINVAL); UNMAP: ALL (iova = size = 0) and VADDR; neither with GET_DIRTY_BITMAP'),
  ],
} as const satisfies Part<string>;

/** The overflow checks of the two ioctls. */
export const TYPE1_WRAP = {
  key: 'type1_wrap',
  where: 'drivers/vfio/vfio_iommu_type1.c vfio_dma_do_map() / vfio_dma_do_unmap()',
  eras: [
    era(4, 16, 'plus_size', '71a7d3d78e3c', 'MAP: iova + size - 1 < iova -> -EINVAL; UNMAP: iova + size < iova -> -EINVAL (refuses a range ending at 2^64; 4.15+)'),
    era(5, 0, 'plus_size_minus_1', '58fec830fc19', 'UNMAP: iova + size - 1 < iova -> -EINVAL (a range may end at 2^64)'),
    era(6, 18, 'check_add_overflow', '6012379ede6a', 'check_add_overflow(iova, size - 1) -> -EOVERFLOW; MAP checks it before prot and alignment'),
  ],
} as const satisfies Part<string>;

/** How the vfio_dma range comparisons end: exclusive ends in u64 wrap at 2^64. */
export const DMA_RANGE_END = {
  key: 'dma_range_end',
  where: 'drivers/vfio/vfio_iommu_type1.c vfio_find_dma() / vfio_find_dma_first_node() / vfio_unmap_unpin()',
  eras: [
    era(4, 16, 'exclusive', 'v4.16', 'start + size and dma->iova + dma->size in u64: a vfio_dma ending at 2^64 is never found nor unmapped'),
    era(6, 18, 'inclusive', 'ef270ec44637', 'inclusive ends (size - 1) and pos < dma->size: ranges up to 2^64 work'),
  ],
} as const satisfies Part<string>;

/** The per-container limit on vfio_dma entries (CVE-2019-3882). */
export const DMA_AVAIL = {
  key: 'dma_avail',
  where: 'drivers/vfio/vfio_iommu_type1.c vfio_dma_do_map(), module parameter dma_entry_limit',
  eras: [
    era(4, 16, 'unlimited', 'v4.16', 'no limit on vfio_dma entries'),
    era(5, 1, 'dma_entry_limit', '492855939bdb', 'iommu->dma_avail = dma_entry_limit (default 65535) at open; MAP -ENOSPC when 0, after -EEXIST'),
  ],
} as const satisfies Part<string>;

/** How UNMAP_DMA walks the vfio_dmas in its range. */
export const UNMAP_ITER = {
  key: 'unmap_iter',
  where: 'drivers/vfio/vfio_iommu_type1.c vfio_dma_do_unmap()',
  eras: [
    era(4, 16, 'find_dma', 'v4.16', 'while (vfio_find_dma()): any overlapping node on the search path (type1 v1 results depend on the tree)'),
    era(5, 12, 'first_node', '40ae9b807b89', 'vfio_find_dma_first_node() then rb_next(): the lowest overlapping vfio_dma first'),
  ],
} as const satisfies Part<string>;

/** Fine-grained superpages: whether vfio_unmap_unpin() may skip its contiguity probe. */
export const FGSP = {
  key: 'fgsp',
  where: 'drivers/vfio/vfio_iommu_type1.c vfio_test_domain_fgsp(), vfio_unmap_unpin()',
  eras: [
    era(4, 16, 'detected', 'v4.16', 'vfio_test_domain_fgsp() at attach: an IOMMU that unmaps a 2-page superpage whole (AMD-Vi v1) sets domain->fgsp, and unmap skips the iommu_iova_to_phys() probe'),
    era(6, 16, 'removed', '07970d048cdd', 'fgsp removed: unmap always extends chunks with iommu_iova_to_phys()'),
  ],
} as const satisfies Part<string>;

export const PARTS = [
  TYPE1_PIN, TYPE1_UNMAP, PFNMAP_PFN, GUP, GUP_FOLIO, UNPIN, VFIO_PCI_MMAP, VTD_IOVA_TO_PHYS, IOMMU_OPS,
  IOCTL_FLAGS, TYPE1_WRAP, DMA_RANGE_END, DMA_AVAIL, UNMAP_ITER, FGSP,
] as const;

/** The era of a part in force at version v (v >= OLDEST). */
export function eraAt<T extends string>(part: Part<T>, v: KernelVersion): Era<T> {
  let found = part.eras[0]!;
  for (const e of part.eras) if (e.from <= v) found = e;
  return found;
}
