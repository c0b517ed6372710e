// The layouts the simulator's own benchmark runs: the per-page paths at sizes that take a
// fraction of a second each.

import type { Layout, LayoutVma } from '../src/model/layout.ts';

const G = 2 ** 30;
export const VA = 0x7f0000000000;
export const IOVA = 0x380000000000;

function one(name: string, vma: LayoutVma, size: number): Layout {
  return {
    name, description: name,
    system: { seed: 1, memlock: null, capIpcLock: false, disableHugepages: false, dmaEntryLimit: 65535, iommuType: 'type1v2', iommu: { pgsizes: [4096, 2 ** 21, G], fgsp: false } },
    ram: [{ name: 'ram0', base: 4 * G, size: Math.max(G, size) }],
    mmio: [{ name: 'bar0', base: 0x3b0000000000, size }],
    vmas: [vma],
    requests: [{ op: 'map', vaddr: VA, iova: IOVA, size, read: true, write: true }],
  };
}

export function barLayout(size: number): Layout {
  return one(`bar-${size / G}g`, {
    name: 'bar', start: VA, size, flags: ['VM_READ', 'VM_WRITE', 'VM_SHARED', 'VM_IO', 'VM_PFNMAP'],
    backing: { kind: 'pfnmap', mmio: 'bar0', offset: 0, touched: false, populated: 'mmap', leafSize: 4096 },
  }, size);
}

export function ramLayout(size: number, backing: LayoutVma['backing'], tag: string): Layout {
  return one(`ram-${tag}-${size / G}g`, { name: 'ram', start: VA, size, flags: ['VM_READ', 'VM_WRITE'], backing }, size);
}

/** n single-page maps of 4 KiB RAM at consecutive IOVAs: the dma_entry_limit criterion (issue 18:
 *  65,537 maps, -ENOSPC on the 65,536th on 5.1+, under 10 s). */
export function manyMapsLayout(n: number): Layout {
  const l = ramLayout(n * 4096, { kind: 'anon', populated: true, placement: { policy: 'contiguous' } }, 'many');
  l.name = `many-maps-${n}`;
  l.requests = Array.from({ length: n }, (_, i) => ({ op: 'map' as const, vaddr: VA + i * 4096, iova: i * 4096, size: 4096, read: true, write: true }));
  return l;
}
