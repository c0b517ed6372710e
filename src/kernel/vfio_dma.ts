// struct vfio_dma and struct vfio_iommu (drivers/vfio/vfio_iommu_type1.c): the records the
// type1 core and every strategy share. The dma_list is the kernel's rb-tree (rbtree.ts), keyed
// by iova, so look-ups cost O(log n) and walk the kernel's search path.

import { rb_erase, rb_first, rb_insert_color, rb_link_node, rb_next, RbNode, type RbRoot } from './rbtree.ts';

export const IOMMU_READ = 1 << 0;
export const IOMMU_WRITE = 1 << 1;

/** U16_MAX: dma_entry_limit's default (492855939bdb, 5.1). */
export const DMA_ENTRY_LIMIT_DEFAULT = 65535;

/** struct vfio_dma; its struct rb_node is the object itself (rb_entry() is a cast). */
export class VfioDma extends RbNode {
  /** bytes mapped so far: vfio_pin_map_dma() grows it chunk by chunk. */
  size = 0;
  iommu_mapped = false;
  /** 6.18: some pfn of this dma was reserved or invalid (so unpin must go page by page). */
  has_rsvd = false;
  /** proposed (docs/proposals/unmap-fastpath.md, in no kernel): some pfn of this dma was
   *  neither reserved nor invalid (so unmap must find each chunk to unpin it). */
  has_unrsvd = false;
  /** 5.12 (c3cbab24db38): VFIO_DMA_UNMAP_FLAG_VADDR invalidated vaddr until a MAP_FLAG_VADDR. */
  vaddr_invalid = false;
  constructor(
    readonly iova: number,
    /** VFIO_DMA_MAP_FLAG_VADDR (5.12+) replaces it. */
    public vaddr: number,
    readonly prot: number,
    /** capable(CAP_IPC_LOCK) at map time. */
    public lock_cap: boolean,
  ) {
    super();
  }
}

/** struct vfio_iommu: the container's dma tree and the fields the ioctls read. */
export class VfioIommu {
  /** struct rb_root dma_list. */
  readonly dma_list: RbRoot = { rb_node: null };
  /** dma_avail (5.1+): vfio_dma entries left, dma_entry_limit at open. */
  dma_avail: number;
  /** 5.12+: vfio_dmas whose vaddr is invalid. */
  vaddr_invalid_count = 0;
  /** VFIO_IOMMU_DIRTY_PAGES START (5.8+); the model never starts it. */
  readonly dirty_page_tracking = false;

  constructor(
    /** VFIO_TYPE1v2_IOMMU (true) or VFIO_TYPE1_IOMMU (false): vfio_iommu_type1_open(arg). */
    readonly v2: boolean,
    dma_entry_limit: number,
  ) {
    this.dma_avail = dma_entry_limit;
  }

  /** The vfio_dmas in iova order (rb_first / rb_next): for the oracle, invariants and tests. */
  dmas(): VfioDma[] {
    const out: VfioDma[] = [];
    for (let n = rb_first(this.dma_list); n; n = rb_next(n)) out.push(n as VfioDma);
    return out;
  }

  /** The vfio_dma starting exactly at iova, or null: a plain tree descent (not a kernel function). */
  dmaAt(iova: number): VfioDma | null {
    let n = this.dma_list.rb_node as VfioDma | null;
    while (n) {
      if (iova === n.iova) return n;
      n = (iova < n.iova ? n.rb_left : n.rb_right) as VfioDma | null;
    }
    return null;
  }
}

// --- the dma_list: look-ups, insertion, removal --------------------------------------------------

/** A u64 / dma_addr_t expression as C computes it: modulo 2^64. */
export const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
export const U64_MAX = (1n << 64n) - 1n;

/** What the look-ups need of the kernel: the container and the era of the range ends. */
interface DmaListOwner {
  readonly vfio: VfioIommu;
  readonly host: { readonly dma_range_end: 'exclusive' | 'inclusive' };
}

// vfio_find_dma(): the first vfio_dma overlapping [start, start + size) on the rb-tree search
// path, or null. 4.16 .. 6.17 compare exclusive ends in u64, so an end of 2^64 wraps to 0: a range
// ending at 2^64 finds nothing and a vfio_dma ending at 2^64 is never found; 6.18 (ef270ec44637)
// compares inclusive ends.
export function vfio_find_dma(k: DmaListOwner, start: bigint, size: bigint): VfioDma | null {
  let node = k.vfio.dma_list.rb_node;
  if (k.host.dma_range_end === 'inclusive') {
    while (node) {
      const dma = node as VfioDma;
      if (u64(start + size - 1n) < BigInt(dma.iova)) node = node.rb_left;
      else if (start > u64(BigInt(dma.iova) + BigInt(dma.size) - 1n)) node = node.rb_right;
      else return dma;
    }
    return null;
  }
  while (node) {
    const dma = node as VfioDma;
    if (u64(start + size) <= BigInt(dma.iova)) node = node.rb_left;
    else if (start >= u64(BigInt(dma.iova) + BigInt(dma.size))) node = node.rb_right;
    else return dma;
  }
  return null;
}

// vfio_find_dma_first_node() (5.12, 40ae9b807b89): the lowest vfio_dma overlapping the range.
// 5.12 .. 6.17 take (start, size) and compare exclusive ends in u64; 6.18 (ef270ec44637) takes
// (start, end) with end inclusive. `last` is size or end by era.
export function vfio_find_dma_first_node(k: DmaListOwner, start: bigint, last: bigint): VfioDma | null {
  const inclusive = k.host.dma_range_end === 'inclusive';
  let res: VfioDma | null = null;
  let node = k.vfio.dma_list.rb_node;
  while (node) {
    const dma = node as VfioDma;
    const end = inclusive ? u64(BigInt(dma.iova) + BigInt(dma.size) - 1n) : u64(BigInt(dma.iova) + BigInt(dma.size));
    if (inclusive ? start <= end : start < end) {
      res = dma;
      if (start >= BigInt(dma.iova)) break;
      node = node.rb_left;
    } else {
      node = node.rb_right;
    }
  }
  if (inclusive) {
    if (res && BigInt(res.iova) > last) res = null;
  } else if (res && last && BigInt(res.iova) >= u64(start + last)) {
    res = null;
  }
  return res;
}

// vfio_link_dma() (4.16): insert by iova; new->size is 0 here (6.18 drops it from the test).
export function vfio_link_dma(k: DmaListOwner, dma: VfioDma): void {
  const root = k.vfio.dma_list;
  let link = root.rb_node;
  let parent: RbNode | null = null;
  let left = false;
  while (link) {
    parent = link;
    left = dma.iova + dma.size <= (parent as VfioDma).iova;
    link = left ? link.rb_left : link.rb_right;
  }
  rb_link_node(dma, parent, root, left);
  rb_insert_color(dma, root);
}

// vfio_unlink_dma() (4.16): rb_erase().
export function vfio_unlink_dma(k: DmaListOwner, dma: VfioDma): void {
  rb_erase(dma, k.vfio.dma_list);
}

/** rb_first(&iommu->dma_list) as a vfio_dma. */
export function rb_first_dma(iommu: VfioIommu): VfioDma | null {
  return rb_first(iommu.dma_list) as VfioDma | null;
}
