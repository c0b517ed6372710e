// include/uapi/linux/vfio.h: the structs VFIO_IOMMU_MAP_DMA / VFIO_IOMMU_UNMAP_DMA pass and
// their flag bits, and how a VMM fills them from a request. __u64 fields are Numbers (exact for
// every value the fixture parser accepts).

import type { MapRequest, UnmapRequest } from '../model/layout.ts';

export const VFIO_DMA_MAP_FLAG_READ = 1 << 0; /* readable from device */
export const VFIO_DMA_MAP_FLAG_WRITE = 1 << 1; /* writable from device */
export const VFIO_DMA_MAP_FLAG_VADDR = 1 << 2; /* 5.12+ */

export const VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP = 1 << 0; /* 5.8+ */
export const VFIO_DMA_UNMAP_FLAG_ALL = 1 << 1; /* 5.12+ */
export const VFIO_DMA_UNMAP_FLAG_VADDR = 1 << 2; /* 5.12+ */

/** struct vfio_iommu_type1_dma_map { __u32 argsz; __u32 flags; __u64 vaddr; __u64 iova; __u64 size; }. */
export interface VfioIommuType1DmaMap {
  argsz: number;
  flags: number;
  vaddr: number;
  iova: number;
  size: number;
}

/** struct vfio_bitmap { __u64 pgsize; __u64 size; __u64 __user *data; } (5.8+). */
export interface VfioBitmap {
  pgsize: number;
  size: number;
}

/** struct vfio_iommu_type1_dma_unmap { __u32 argsz; __u32 flags; __u64 iova; __u64 size; __u8 data[]; }:
 *  data holds a struct vfio_bitmap with GET_DIRTY_BITMAP (the VMM's buffer is always valid here). */
export interface VfioIommuType1DmaUnmap {
  argsz: number;
  flags: number;
  iova: number;
  size: number;
  bitmap?: VfioBitmap;
}

/** offsetofend(struct vfio_iommu_type1_dma_map, size). */
export const DMA_MAP_MINSZ = 32;
/** offsetofend(struct vfio_iommu_type1_dma_unmap, size). */
export const DMA_UNMAP_MINSZ = 24;
/** sizeof(struct vfio_bitmap). */
export const VFIO_BITMAP_SIZE = 24;

/** DIRTY_BITMAP_BYTES(n): ALIGN(n, BITS_PER_TYPE(u64)) / BITS_PER_BYTE (5.8). */
export const dirty_bitmap_bytes = (npages: number): number => Math.ceil(npages / 64) * 8;
/** DIRTY_BITMAP_PAGES_MAX = INT_MAX; DIRTY_BITMAP_SIZE_MAX = DIRTY_BITMAP_BYTES(INT_MAX). */
export const DIRTY_BITMAP_SIZE_MAX = dirty_bitmap_bytes(2 ** 31 - 1);

const MAP_FLAGS = { VADDR: VFIO_DMA_MAP_FLAG_VADDR } as const;
const UNMAP_FLAGS = { GET_DIRTY_BITMAP: VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, ALL: VFIO_DMA_UNMAP_FLAG_ALL, VADDR: VFIO_DMA_UNMAP_FLAG_VADDR } as const;

/** The struct a VMM passes for a map request: argsz = minsz unless the request says. */
export function mapArg(r: MapRequest): VfioIommuType1DmaMap {
  let flags = (r.read ? VFIO_DMA_MAP_FLAG_READ : 0) | (r.write ? VFIO_DMA_MAP_FLAG_WRITE : 0);
  for (const f of r.flags ?? []) flags |= MAP_FLAGS[f];
  return { argsz: r.argsz ?? DMA_MAP_MINSZ, flags, vaddr: r.vaddr, iova: r.iova, size: r.size };
}

/** The struct a VMM passes for an unmap request; with GET_DIRTY_BITMAP a struct vfio_bitmap for
 *  the IOMMU's smallest page size, sized for the range (as QEMU fills it). */
export function unmapArg(r: UnmapRequest, pgsize: number): VfioIommuType1DmaUnmap {
  let flags = 0;
  for (const f of r.flags ?? []) flags |= UNMAP_FLAGS[f];
  const dirty = (flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) !== 0;
  const argsz = r.argsz ?? DMA_UNMAP_MINSZ + (dirty ? VFIO_BITMAP_SIZE : 0);
  const arg: VfioIommuType1DmaUnmap = { argsz, flags, iova: r.iova, size: r.size };
  if (dirty) arg.bitmap = { pgsize, size: dirty_bitmap_bytes(Math.floor(r.size / pgsize)) };
  return arg;
}
