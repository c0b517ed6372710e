// struct vfio_batch (drivers/vfio/vfio_iommu_type1.c, Linux 5.12+, commit 4d83de6da265
// "vfio/type1: Batch page pinning"): a page of struct page pointers that
// pin_user_pages_remote() fills, up to 512 at a time, and that vfio_pin_pages_remote() drains.

import type { Kernel } from './kernel.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { put_pfn } from './vfio_type1.ts';
import { type VfioDma } from './vfio_dma.ts';

/** VFIO_BATCH_MAX_CAPACITY: PAGE_SIZE / sizeof(struct page *) = 512 on x86-64. */
export const VFIO_BATCH_MAX_CAPACITY = PAGE_SIZE / 8;

export class VfioBatch {
  /** pfns of the pinned pages (struct page ** in C). */
  readonly pages: number[] = [];
  capacity = 0;
  size = 0;
  offset = 0;
}

// vfio_batch_init() (5.12): a whole page of pointers unless disable_hugepages (then the
// one-entry fallback_page).
export function vfio_batch_init(k: Kernel): VfioBatch {
  const batch = new VfioBatch();
  batch.capacity = k.disable_hugepages ? 1 : VFIO_BATCH_MAX_CAPACITY;
  return batch;
}

// vfio_batch_unpin() (5.12): put back what the batch still holds.
export function vfio_batch_unpin(k: Kernel, batch: VfioBatch, dma: VfioDma): void {
  while (batch.size) {
    const pfn = batch.pages[batch.offset]!;
    put_pfn(k, pfn, dma.prot);
    batch.offset++;
    batch.size--;
  }
}
