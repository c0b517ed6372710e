// VMA vm_flags and request prot: derived from prot and backing, plus the user's extra flags.

import type { Backing, VmFlagName } from '../model/layout.ts';
import { VM_FLAG_NAMES } from '../model/layout.ts';

export const PROT_VALUES = ['rw', 'r', 'w', 'none', ''] as const;
type ProtString = (typeof PROT_VALUES)[number];

export function protOf(p: ProtString): { read: boolean; write: boolean } {
  return { read: p.includes('r'), write: p.includes('w') };
}

/** Flags a backing implies: what mmap(), madvise() or remap_pfn_range() set on the VMA. */
export function backingFlags(b: Backing): VmFlagName[] {
  switch (b.kind) {
    case 'anon':
      return [];
    case 'thp':
      return ['VM_HUGEPAGE']; // madvise(MADV_HUGEPAGE)
    case 'hugetlb':
      return ['VM_HUGETLB', 'VM_SHARED', 'VM_DONTEXPAND']; // MAP_SHARED hugetlbfs file
    case 'pfnmap':
      return ['VM_IO', 'VM_PFNMAP', 'VM_DONTEXPAND', 'VM_DONTDUMP', 'VM_SHARED']; // vfio-pci mmap
  }
}

/** Derived + extra flags, de-duplicated, in VM_FLAG_NAMES order. */
export function vmaFlags(prot: { read: boolean; write: boolean }, b: Backing, extra: readonly VmFlagName[]): VmFlagName[] {
  const set = new Set<VmFlagName>([...backingFlags(b), ...extra]);
  if (prot.read) set.add('VM_READ');
  if (prot.write) set.add('VM_WRITE');
  return VM_FLAG_NAMES.filter((f) => set.has(f));
}
