// The counters: one table. A `call` counter is named after the kernel function a kprobe on it
// would count (one to one, so our numbers hold against /sys/kernel/tracing/kprobe_profile);
// `lock` counts lock acquisitions (inline, no kprobe); `derived` figures (pages, PTEs, refs) are
// kept apart from call counts. Row order is the kernel's order of work on the map side; the cost
// profile prices each counter under its name. Adding a counter is one row here (plus the
// primitive that bumps it and its price in profiles/).

export type CounterKind = 'call' | 'lock' | 'derived';

export interface CounterDef {
  readonly name: string;
  readonly kind: CounterKind;
  /** row label in the tables. */
  readonly label: string;
  /** one line: what it counts, and in which kernels. */
  readonly help: string;
  /** position on the unmap side (rows without one follow in table order). */
  readonly unmap?: number;
}

const row = <N extends string>(name: N, kind: CounterKind, label: string, help: string, unmap?: number): CounterDef & { readonly name: N } =>
  unmap === undefined ? { name, kind, label, help } : { name, kind, label, help, unmap };

export const COUNTER_TABLE = [
  row('vfio_ioctls', 'derived', 'VFIO ioctls', 'VFIO_IOMMU_MAP_DMA / UNMAP_DMA ioctls (and the container release)', 0),
  row('pages_pinned', 'derived', 'pages pinned', 'pages returned by vfio_pin_pages_remote()'),
  row('vfio_pin_pages_remote', 'call', 'vfio_pin_pages_remote', 'one physically contiguous run each'),
  row('vaddr_get_pfn', 'call', 'vaddr_get_pfn', 'one page each (4.16 .. 5.11)'),
  row('vaddr_get_pfns', 'call', 'vaddr_get_pfns', 'one batch refill or one pfnmap step each (5.12+)'),
  row('pfnmap_shortcut', 'derived', 'raw-PFN shortcuts', 'raw-PFN shortcuts taken (try_io_pfnmap and its successors)'),
  row('pfnmap_lookups', 'derived', 'VM_PFNMAP pfn look-ups', 'GUP failed on a VM_PFNMAP vma and the pfn was looked up instead'),
  row('get_user_pages_longterm', 'call', 'get_user_pages_longterm', 'vfio\'s GUP call, 4.15 .. 5.1'),
  row('get_user_pages', 'call', 'get_user_pages', 'vfio\'s GUP call with FOLL_LONGTERM, 5.2 .. 5.5'),
  row('pin_user_pages_remote', 'call', 'pin_user_pages_remote', 'vfio\'s GUP call with FOLL_PIN | FOLL_LONGTERM, 5.6+'),
  row('gup_pages', 'derived', 'GUP pages', 'pages those GUP calls returned'),
  row('gup_efault', 'derived', 'GUP failures', 'GUP calls that failed (-EFAULT on a VM_IO | VM_PFNMAP vma)'),
  row('follow_page_mask', 'call', 'follow_page_mask', 'page-table walks inside __get_user_pages()'),
  row('handle_mm_fault', 'call', 'handle_mm_fault', 'faults taken for GUP (faultin_page) or fixup_user_fault, any vma'),
  row('do_anonymous_page', 'derived', 'anon 4 KiB faults', 'do_anonymous_page(): a 4 KiB page (or the zero page) installed'),
  row('do_huge_pmd_anonymous_page', 'derived', 'anon THP faults', 'do_huge_pmd_anonymous_page(): a 2 MiB THP (or the huge zero page) installed'),
  row('do_wp_page', 'derived', 'zero-page COW faults', 'do_wp_page(): a write fault replacing the zero page'),
  row('do_huge_pmd_wp_page', 'derived', 'huge zero-page COW faults', 'do_huge_pmd_wp_page(): a write fault replacing the huge zero page'),
  row('follow_pfn', 'call', 'follow_pfn', 'BAR pfn look-up, one page each (5.7 .. 5.11)'),
  row('follow_pte', 'call', 'follow_pte', 'BAR pfn look-up, one page each (5.12 .. 6.11)'),
  row('follow_pfnmap_start', 'call', 'follow_pfnmap_start', 'BAR pfn look-up: one page each (6.12 .. 6.14), one CPU leaf each (6.15+)'),
  row('fixup_user_fault', 'call', 'fixup_user_fault', 'fault a BAR page in for type1 (5.8+, when the walk finds nothing)'),
  row('vfio_pci_mmap_fault', 'call', 'vfio_pci_mmap_fault', 'vfio-pci BAR fault handler, whole vma per fault (5.8 .. 6.11)'),
  row('vfio_pci_mmap_huge_fault', 'call', 'vfio_pci_mmap_huge_fault', 'vfio-pci BAR fault handler per order tried: pud, pmd, pte (6.12+)'),
  row('remap_pfn_range', 'call', 'remap_pfn_range', 'whole-vma BAR remap from the fault handler (5.8 .. 6.9)'),
  row('vmf_insert_pfn', 'call', 'vmf_insert_pfn', 'one 4 KiB BAR PTE (6.10+)'),
  row('vmf_insert_pfn_pmd', 'call', 'vmf_insert_pfn_pmd', 'one 2 MiB BAR leaf (6.12+)'),
  row('vmf_insert_pfn_pud', 'call', 'vmf_insert_pfn_pud', 'one 1 GiB BAR leaf (6.12+)'),
  row('pfnmap_entries_set', 'derived', 'BAR page-table entries set', 'PTEs, PMDs and PUDs a BAR fault wrote'),
  row('mmap_sem_read', 'lock', 'mmap lock (read)', 'mmap_read_lock() / down_read(&mm->mmap_sem)', 11),
  row('mmap_sem_write', 'lock', 'mmap lock (write)', 'mmap_write_lock_killable() / down_write_killable(&mm->mmap_sem) (vfio_lock_acct)', 10),
  row('find_vma', 'call', 'find_vma', 'vma look-ups (find_vma_intersection, vma_lookup, GUP\'s find_extend_vma)'),
  row('vmacache_hits', 'derived', 'vmacache hits', 'find_vma() answered by the per-thread vmacache'),
  row('vma_tree_steps', 'derived', 'VMA rb-tree steps', 'rb-tree nodes visited on vmacache misses'),
  row('is_invalid_reserved_pfn', 'call', 'is_invalid_reserved_pfn', 'is_invalid_reserved_pfn() calls (inlined in some builds: kprobes undercount it)'),
  row('page_ref_get', 'derived', 'page refs get', 'references or pins taken (on the compound head)'),
  row('page_ref_put', 'derived', 'page refs put', 'references or pins dropped', 7),
  row('set_page_dirty', 'derived', 'pages dirtied', 'SetPageDirty() / folio_mark_dirty() when unpinning a writable mapping', 8),
  row('put_pfn', 'call', 'put_pfn', 'put_pfn() calls', 6),
  row('unpin_user_pages_dirty_lock', 'call', 'unpin_user_pages_dirty_lock', 'put_pfn()\'s unpin of one page (5.6+)', 6.1),
  row('unpin_user_page_range_dirty_lock', 'call', 'unpin_user_page_range_dirty_lock', 'one run unpinned folio by folio (6.18+)', 6.2),
  row('contig_pages', 'derived', 'folio contiguity steps', 'pages contig_pages() walked in vfio_pin_pages_remote()\'s batch loop (6.18: one per page of a folio run; a static helper, no kprobe)'),
  row('locked_vm_updates', 'derived', 'locked_vm updates', 'vfio_lock_acct() calls that changed mm->locked_vm', 9),
  row('iommu_map', 'call', 'iommu_map', 'iommu_map() calls'),
  row('intel_iommu_map', 'call', 'intel_iommu_map', 'VT-d ops->map, one IOMMU page each (.. 5.14)'),
  row('intel_iommu_map_pages', 'call', 'intel_iommu_map_pages', 'VT-d ops->map_pages, one page size and count each (5.15+)'),
  row('iommu_ptes', 'derived', 'IOMMU PTEs written', 'IOMMU page-table leaves written'),
  row('vfio_unmap_unpin', 'call', 'vfio_unmap_unpin', 'one per vfio_dma removed', 0.5),
  row('iommu_iova_to_phys', 'call', 'iommu_iova_to_phys', 'vfio_unmap_unpin()\'s contiguity probe', 1),
  row('iommu_unmap', 'call', 'iommu_unmap', 'iommu_unmap() calls (unmap and sync; 4.16)', 2),
  row('iommu_unmap_fast', 'call', 'iommu_unmap_fast', 'iommu_unmap_fast() calls (4.17+; synced in batches)', 2.1),
  row('intel_iommu_unmap', 'call', 'intel_iommu_unmap', 'VT-d ops->unmap, one iommu_pgsize() piece each (.. 5.14)', 2.2),
  row('intel_iommu_unmap_pages', 'call', 'intel_iommu_unmap_pages', 'VT-d ops->unmap_pages, one page size and count each (5.15+)', 2.3),
  row('iommu_ptes_cleared', 'derived', 'IOMMU PTEs cleared', 'IOMMU page-table leaves cleared', 3),
  row('iotlb_sync', 'derived', 'IOTLB syncs', 'iommu_tlb_sync() / iommu_iotlb_sync() flushes', 4),
  row('vfio_unpin_pages_remote', 'call', 'vfio_unpin_pages_remote', 'one unmapped chunk each', 5),
] as const satisfies readonly CounterDef[];

export type CounterName = (typeof COUNTER_TABLE)[number]['name'];
export type Counters = Record<CounterName, number>;

export const COUNTER_NAMES: readonly CounterName[] = COUNTER_TABLE.map((r) => r.name);

const BY_NAME: ReadonlyMap<string, CounterDef> = new Map(COUNTER_TABLE.map((r) => [r.name, r]));

/** The table row of a counter. */
export function counterDef(name: CounterName): CounterDef {
  return BY_NAME.get(name)!;
}

export function isCounterName(name: string): name is CounterName {
  return BY_NAME.has(name);
}

/** The counters in the kernel's order of work on one side of the ioctl pair. */
export function counterOrder(side: 'map' | 'unmap'): readonly CounterName[] {
  if (side === 'map') return COUNTER_NAMES;
  const ranked = COUNTER_TABLE.filter((r) => 'unmap' in r).sort((a, b) => (a as CounterDef).unmap! - (b as CounterDef).unmap!);
  return [...ranked.map((r) => r.name), ...COUNTER_NAMES.filter((n) => !ranked.some((r) => r.name === n))];
}

const ZERO = Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0])) as Counters;

/** A zeroed counter set; copies of one template, so every set shares one hidden class. */
export function newCounters(): Counters {
  return { ...ZERO };
}
