// struct vfio_dma and struct vfio_iommu (drivers/vfio/vfio_iommu_type1.c): the records the
// type1 core and every strategy share.

export const IOMMU_READ = 1 << 0;
export const IOMMU_WRITE = 1 << 1;

/** struct vfio_dma. */
export class VfioDma {
  /** bytes mapped so far: vfio_pin_map_dma() grows it chunk by chunk. */
  size = 0;
  iommu_mapped = false;
  /** 6.18: some pfn of this dma was reserved or invalid (so unpin must go page by page). */
  has_rsvd = false;
  constructor(
    readonly iova: number,
    readonly vaddr: number,
    readonly prot: number,
    /** capable(CAP_IPC_LOCK) at map time. */
    public lock_cap: boolean,
  ) {}
}

/** struct vfio_iommu: the dma tree (a sorted array here; the kernel's is an rb-tree). */
export class VfioIommu {
  readonly dmas: VfioDma[] = [];
  readonly v2 = true;
}
