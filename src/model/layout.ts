// The plain description a simulated kernel is built from. layout/ parses fixtures and
// flags into this; kernel/ never sees JSON, file names or CLI flags.
// Addresses and sizes are byte counts as Numbers, exact below 2^53 (checked by layout/).

/** vm_flags bits the model knows (include/linux/mm.h, 4.16). */
export const VM_FLAG_NAMES = [
  'VM_READ', 'VM_WRITE', 'VM_SHARED', 'VM_IO', 'VM_PFNMAP', 'VM_HUGETLB',
  'VM_HUGEPAGE', 'VM_DONTEXPAND', 'VM_DONTDUMP', 'VM_LOCKED',
] as const;
export type VmFlagName = (typeof VM_FLAG_NAMES)[number];

/** A physical placement policy for a RAM VMA's folios; lengths are in bytes (multiples of the folio size). */
export type Placement =
  | { policy: 'contiguous' }
  | { policy: 'scattered' }
  | { policy: 'runs'; bytes: number }
  | { policy: 'geometric'; meanBytes: number };

/** What backs a VMA's pages. RAM backings say where their folios land physically (placement). */
export type Backing =
  /** anonymous 4 KiB pages (MAP_ANONYMOUS; MAP_POPULATE when populated). */
  | { kind: 'anon'; populated: boolean; placement: Placement }
  /** anonymous memory with MADV_HUGEPAGE: 2 MiB THP folios where the VMA covers an aligned 2 MiB. */
  | { kind: 'thp'; populated: boolean; placement: Placement }
  /** hugetlbfs, always populated (MAP_POPULATE), folio size 2 MiB or 1 GiB. */
  | { kind: 'hugetlb'; pageSize: number; placement: Placement }
  /**
   * A vfio-pci BAR mmap (VM_IO | VM_PFNMAP): pfn = vm_pgoff + index, vm_pgoff = (mmio.base +
   * offset) >> PAGE_SHIFT. How its page tables get filled is the host kernel's (kernel/eras.ts);
   * the fixture says what the VMM did: touched: it accessed the whole mapping before MAP_DMA
   * (warm page tables), or not (cold: MAP_DMA faults it in, 5.8+). populated / leafSize pin a
   * "what if" over the host: 'mmap' every leaf present at mmap, 'fault' none; leafSize the
   * largest CPU leaf vfio-pci may install (6.12+ huge pfnmap: 2 MiB / 1 GiB).
   */
  | { kind: 'pfnmap'; mmio: string; offset: number; touched: boolean; populated?: 'mmap' | 'fault'; leafSize?: number };

export interface LayoutVma {
  name: string;
  start: number;
  size: number;
  flags: VmFlagName[];
  backing: Backing;
}

/** A physical address range: RAM (has struct page) or MMIO (no struct page, !pfn_valid). */
export interface PhysRange {
  name: string;
  base: number;
  size: number;
}

/** VFIO_DMA_MAP_FLAG_* beyond READ / WRITE (include/uapi/linux/vfio.h). */
export const MAP_FLAG_NAMES = ['VADDR'] as const;
export type MapFlagName = (typeof MAP_FLAG_NAMES)[number];
/** VFIO_DMA_UNMAP_FLAG_*. */
export const UNMAP_FLAG_NAMES = ['GET_DIRTY_BITMAP', 'ALL', 'VADDR'] as const;
export type UnmapFlagName = (typeof UNMAP_FLAG_NAMES)[number];

export interface MapRequest {
  op: 'map';
  label?: string;
  vaddr: number;
  iova: number;
  size: number;
  /** VFIO_DMA_MAP_FLAG_READ / _WRITE, from the device's point of view. */
  read: boolean;
  write: boolean;
  /** VFIO_DMA_MAP_FLAG_VADDR (5.12+); none when absent. */
  flags?: MapFlagName[];
  /** the struct's argsz; absent: offsetofend(..., size), what a VMM passes. */
  argsz?: number;
}

export interface UnmapRequest {
  op: 'unmap';
  label?: string;
  iova: number;
  size: number;
  /** VFIO_DMA_UNMAP_FLAG_* (5.8+ / 5.12+); none when absent. */
  flags?: UnmapFlagName[];
  /** the struct's argsz; absent: what a VMM passes (plus sizeof(struct vfio_bitmap) with GET_DIRTY_BITMAP). */
  argsz?: number;
}

export type DmaRequest = MapRequest | UnmapRequest;

export interface IommuConfig {
  /** domain->pgsize_bitmap as a list of byte sizes, e.g. [4096, 2 MiB, 1 GiB] (VT-d). */
  pgsizes: number[];
  /** fine-grained superpages (AMD-Vi): vfio_unmap_unpin skips the contiguity probe. */
  fgsp: boolean;
}

export interface SystemConfig {
  /** seed of the random physical placement policies (printed with the results). */
  seed: number;
  /** RLIMIT_MEMLOCK in bytes; null is RLIM_INFINITY. */
  memlock: number | null;
  capIpcLock: boolean;
  /** vfio_iommu_type1 module parameter disable_hugepages. */
  disableHugepages: boolean;
  /** vfio_iommu_type1 module parameter dma_entry_limit (5.1+; default 65535). */
  dmaEntryLimit: number;
  /** the container's VFIO_SET_IOMMU type: VFIO_TYPE1_IOMMU or VFIO_TYPE1v2_IOMMU (default). */
  iommuType: 'type1' | 'type1v2';
  iommu: IommuConfig;
}

export interface Layout {
  name: string;
  description: string;
  system: SystemConfig;
  ram: PhysRange[];
  mmio: PhysRange[];
  vmas: LayoutVma[];
  requests: DmaRequest[];
}
