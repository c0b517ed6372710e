// Small hand-built Layouts for the core tests (no fixture parser involved).

import type { Backing, DmaRequest, Layout, LayoutVma, Placement, SystemConfig, VmFlagName } from '../src/model/layout.ts';

export const K = 1024;
export const M = 1024 * K;
export const G = 1024 * M;
export const PAGE = 4096;

export const RAM_BASE = 4 * G; // host physical, 1 GiB aligned
export const BAR_BASE = 0x3b0000000000; // host physical BAR, 16 GiB aligned
export const VA_RAM = 0x7f0000000000;
export const VA_BAR = 0x7f8000000000;
export const IOVA_BAR = 0x380000000000;

export function system(over: Partial<SystemConfig> = {}): SystemConfig {
  return {
    seed: 1, memlock: null, capIpcLock: false, disableHugepages: false, dmaEntryLimit: 65535, iommuType: 'type1v2',
    iommu: { pgsizes: [4 * K, 2 * M, G], fgsp: false }, ...over,
  };
}

const rw: VmFlagName[] = ['VM_READ', 'VM_WRITE'];

/** Contiguous unless told: the core tests derive their counts from known physical runs. */
const contiguous: Placement = { policy: 'contiguous' };

export function anon(name: string, start: number, size: number, populated = true, placement = contiguous): LayoutVma {
  return { name, start, size, flags: rw, backing: { kind: 'anon', populated, placement } };
}
export function thp(name: string, start: number, size: number, populated = true, placement = contiguous): LayoutVma {
  return { name, start, size, flags: [...rw, 'VM_HUGEPAGE'], backing: { kind: 'thp', populated, placement } };
}
export function hugetlb(name: string, start: number, size: number, pageSize: number, placement = contiguous): LayoutVma {
  return { name, start, size, flags: [...rw, 'VM_SHARED', 'VM_HUGETLB', 'VM_DONTEXPAND'], backing: { kind: 'hugetlb', pageSize, placement } };
}
export function bar(name: string, start: number, size: number, mmio: string, extra: Partial<Extract<Backing, { kind: 'pfnmap' }>> = {}): LayoutVma {
  return {
    name, start, size, flags: [...rw, 'VM_SHARED', 'VM_IO', 'VM_PFNMAP', 'VM_DONTEXPAND', 'VM_DONTDUMP'],
    backing: { kind: 'pfnmap', mmio, offset: 0, touched: false, populated: 'mmap', leafSize: 4 * K, ...extra },
  };
}

export const map = (vaddr: number, iova: number, size: number, prot: 'rw' | 'r' | 'w' | '' = 'rw'): DmaRequest => ({
  op: 'map', vaddr, iova, size, read: prot.includes('r'), write: prot.includes('w'),
});
export const unmap = (iova: number, size: number): DmaRequest => ({ op: 'unmap', iova, size });

export function layout(vmas: LayoutVma[], requests: DmaRequest[], over: { system?: Partial<SystemConfig>; barSize?: number; ramSize?: number } = {}): Layout {
  return {
    name: 'test',
    description: 'hand-built test layout',
    system: system(over.system),
    ram: [{ name: 'ram0', base: RAM_BASE, size: over.ramSize ?? 64 * G }],
    mmio: [{ name: 'bar0', base: BAR_BASE, size: over.barSize ?? 16 * G }],
    vmas,
    requests,
  };
}
