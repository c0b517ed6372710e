// The kernel's later answers and our corrected RFC: exact counts on the 16 GiB BAR and on RAM,
// derived by hand from each version's code (comments), and the known hazards.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate } from '../src/run/simulate.ts';
import { findStrategy, STRATEGIES } from '../src/strategies/registry.ts';
import type { Strategy } from '../src/strategies/strategy.ts';
import { anon, bar, G, hugetlb, IOVA_BAR, layout, M, map, PAGE, thp, VA_BAR, VA_RAM } from './layouts.ts';

const S = (name: string): Strategy => findStrategy(name)!;
const P = (16 * G) / PAGE; // 4,194,304 BAR pages
const seed = layout([bar('bar', VA_BAR, 16 * G, 'bar0')], [map(VA_BAR, IOVA_BAR, 16 * G)]);
const hugeBar = layout([bar('bar', VA_BAR, 16 * G, 'bar0', { populated: 'fault', leafSize: G })], [map(VA_BAR, IOVA_BAR, 16 * G)]);

test('rfc-fixed on the 16 GiB BAR: one lock and look-up, one follow_pfn per page, no GUP', () => {
  const m = simulate(seed, S('rfc-fixed')).kernel.mapCounters;
  // try_io_pfnmap(): down_read, find_vma_intersection, then per page follow_pfn() and
  // is_invalid_reserved_pfn() until max = min(npage, pages left in the vma) = P
  assert.equal(m.mmap_sem_read, 1);
  assert.equal(m.find_vma, 1);
  assert.equal(m.follow_pfn, P); // a 4.16 host: the follow_pfn() of that era
  assert.equal(m.is_invalid_reserved_pfn, P);
  assert.equal(m.get_user_pages_longterm, 0);
  assert.equal(m.vfio_pin_pages_remote, 1);
  assert.equal(m.pages_pinned, P);
});

test('rfc-fixed maps the mid-VMA pitfall correctly: the run stops at the end of the BAR vma', () => {
  const l = layout([bar('bar', VA_BAR, 256 * M, 'bar0'), anon('ram', VA_BAR + 256 * M, 256 * M)], [map(VA_BAR + 128 * M, 0, 256 * M)], { barSize: 256 * M });
  const sim = simulate(l, S('rfc-fixed'));
  assert.equal(sim.oracle.ok, true, sim.oracle.detail);
  // run 1: the 32,768 BAR pages left after vaddr (shortcut); run 2: the anon pages (4.16 path)
  assert.equal(sim.kernel.mapCounters.vfio_pin_pages_remote, 2);
  assert.equal(sim.kernel.mapCounters.pfnmap_shortcut, 1);
});

test('v4.17-merged on the 16 GiB BAR: one GUP (failing), one fallback, then the shortcut', () => {
  const sim = simulate(seed, S('v4.17-merged'));
  const m = sim.kernel.mapCounters;
  // vaddr_get_pfn() for the first page: GUP -EFAULT, VM_PFNMAP fallback (2 x mmap_sem, 2 x find_vma);
  // is_invalid_reserved_pfn(*pfn_base) twice (fallback, then the shortcut test); the shortcut
  // takes mmap_sem and finds the vma once more: min(npage, vma_pages) = P
  assert.equal(m.vaddr_get_pfn, 1);
  assert.equal(m.get_user_pages_longterm, 1);
  assert.equal(m.mmap_sem_read, 3);
  assert.equal(m.find_vma, 3);
  assert.equal(m.is_invalid_reserved_pfn, 2);
  assert.equal(m.pfnmap_shortcut, 1);
  assert.equal(m.pages_pinned, P);
  assert.equal(sim.oracle.ok, true);
  // 4.17 unmap: unmap_unpin_fast() per 1 GiB superpage (VT-d iova_to_phys still base-only
  // before 5.6), one IOTLB sync at the end (16 regions < VFIO_IOMMU_TLB_SYNC_MAX)
  const u = sim.kernel.unmapCounters;
  assert.equal(u.iommu_iova_to_phys, 32);
  assert.equal(u.iommu_unmap_fast, 16);
  assert.equal(u.iotlb_sync, 1);
  assert.equal(u.put_pfn, P);
});

test('v4.17-merged: a reserved first page in an ordinary vma (the zero page) takes the shortcut: UNSAFE and bad page state', () => {
  const n = (64 * M) / PAGE; // 16,384 pages of untouched anonymous memory, mapped device-read-only
  const sim = simulate(layout([anon('buf', VA_RAM, 64 * M, false)], [map(VA_RAM, 0, 64 * M, 'r')]), S('v4.17-merged'));
  // the first GUP faults the zero page in (read): reserved, so min(npage, vma_pages) = n pages
  // are mapped from the zero page's pfn on: the kernel's pages after it
  assert.equal(sim.kernel.mapCounters.vfio_pin_pages_remote, 1);
  assert.equal(sim.kernel.mapCounters.handle_mm_fault, 1);
  assert.equal(sim.kernel.mapCounters.do_anonymous_page, 1);
  assert.equal(sim.oracle.ok, false);
  assert.equal(sim.oracle.wrongPages, n - 1); // only the first page is the zero page the page tables map
  // unmap put_pfn()s every pfn: the non-reserved ones after the kernel image lose a reference
  // they never had (the revert's "bad page state"), and locked_vm is un-charged below zero
  const host = sim.invariants.find((i) => i.name === 'page references back (host RAM)')!;
  assert.equal(host.ok, false);
  assert.match(host.detail, /bad page state/);
  assert.equal(sim.invariants.find((i) => i.name === 'locked_vm back to 0')!.ok, false);
  // the 4.16 baseline maps the same request correctly, one zero-page pin per call
  assert.equal(simulate(layout([anon('buf', VA_RAM, 64 * M, false)], [map(VA_RAM, 0, 64 * M, 'r')]), S('baseline')).oracle.ok, true);
});

test('v5.12-batch on the 16 GiB BAR: one pfn per vaddr_get_pfns(), one mmap lock per page', () => {
  const sim = simulate(seed, S('v5.12-batch'));
  const m = sim.kernel.mapCounters;
  // per page: pin_user_pages_remote() fails (VM_IO|VM_PFNMAP) under one mmap_read_lock, then
  // find_vma_intersection() and follow_pte() (follow_fault_pfn); is_invalid_reserved_pfn() in
  // vaddr_get_pfns() and in the loop's test, plus once for pfn_base: 2P + 1
  assert.equal(m.vfio_pin_pages_remote, 1);
  assert.equal(m.vaddr_get_pfns, P);
  assert.equal(m.vaddr_get_pfn, 0);
  assert.equal(m.pin_user_pages_remote, P);
  assert.equal(m.gup_efault, P);
  assert.equal(m.mmap_sem_read, P);
  assert.equal(m.find_vma, 2 * P);
  assert.equal(m.follow_pte, P);
  assert.equal(m.handle_mm_fault, 0);
  assert.equal(m.is_invalid_reserved_pfn, 2 * P + 1);
  assert.equal(m.pages_pinned, P);
  // unmap: iova_to_phys returns the offset since 5.6, so the walk probes all P pages
  const u = sim.kernel.unmapCounters;
  assert.equal(u.iommu_iova_to_phys, P);
  assert.equal(u.iommu_unmap_fast, 1);
  assert.equal(u.iotlb_sync, 1);
  assert.equal(sim.oracle.ok, true);
});

test('v6.15-pgmask: one iteration per CPU leaf of the BAR mapping', () => {
  // 4 KiB ptes (remap_pfn_range): epfn = pfn + 1, one pfn per vaddr_get_pfns() as in 5.12, but
  // the "Handle pfnmap" path skips the per-page rsvd test: is_invalid_reserved_pfn P + 1
  let m = simulate(seed, S('v6.15-pgmask')).kernel.mapCounters;
  assert.equal(m.pin_user_pages_remote, P);
  assert.equal(m.mmap_sem_read, P);
  assert.equal(m.follow_pfnmap_start, P);
  assert.equal(m.is_invalid_reserved_pfn, P + 1);
  // 1 GiB pud leaves installed on fault: 16 iterations, each a failing GUP, vma_lookup(),
  // follow_pfnmap_start() (nothing yet), fixup_user_fault(), follow_pfnmap_start() again
  m = simulate(hugeBar, S('v6.15-pgmask')).kernel.mapCounters;
  assert.equal(m.vfio_pin_pages_remote, 1);
  assert.equal(m.pin_user_pages_remote, 16);
  assert.equal(m.vaddr_get_pfns, 16);
  assert.equal(m.mmap_sem_read, 16);
  assert.equal(m.find_vma, 32);
  assert.equal(m.fixup_user_fault, 16);
  assert.equal(m.handle_mm_fault, 16);
  // each fault: the pud is none, ->huge_fault(PUD_ORDER) fits (1 GiB aligned): one pud leaf
  assert.equal(m.vfio_pci_mmap_huge_fault, 16);
  assert.equal(m.vmf_insert_pfn_pud, 16);
  assert.equal(m.follow_pfnmap_start, 32);
  assert.equal(m.is_invalid_reserved_pfn, 17);
  assert.equal(m.pages_pinned, P);
  // v5.12 on the same layout still goes page by page (faulting each 1 GiB leaf in once)
  m = simulate(hugeBar, S('v5.12-batch')).kernel.mapCounters;
  assert.equal(m.pin_user_pages_remote, P);
  assert.equal(m.fixup_user_fault, 16);
  assert.equal(m.follow_pte, P + 16);
});

test('v5.12 and v6.15 on 64 MiB of RAM: 512 pages per pin_user_pages_remote(); 6.15 grabs a folio at once', () => {
  const n = (64 * M) / PAGE; // 16,384 pages, 32 batches of 512
  for (const [what, vma] of [['4 KiB', anon('ram', VA_RAM, 64 * M)], ['THP', thp('ram', VA_RAM, 64 * M)], ['hugetlb 2M', hugetlb('ram', VA_RAM, 64 * M, 2 * M)]] as const) {
    for (const name of ['v5.12-batch', 'v6.15-pgmask']) {
      const sim = simulate(layout([vma], [map(VA_RAM, 0, 64 * M)]), S(name));
      const m = sim.kernel.mapCounters;
      const tag = `${name} ${what}`;
      assert.equal(m.vfio_pin_pages_remote, 1, tag); // contiguous: one run, the batch refilled 32 times
      assert.equal(m.pin_user_pages_remote, n / 512, tag);
      assert.equal(m.mmap_sem_read, n / 512, tag);
      assert.equal(m.find_vma, n / 512, tag); // find_extend_vma() at each call's first page
      assert.equal(m.gup_pages, n, tag);
      assert.equal(m.is_invalid_reserved_pfn, n + 1, tag); // rsvd of pfn_base, then every page's test
      const folios = what === '4 KiB' ? n : (64 * M) / (2 * M);
      // 5.12: one walk and one reference per page; 6.15: one walk per folio, and for a large
      // folio two atomics (the first page's grab, try_grab_folio() for the other 511)
      assert.equal(m.follow_page_mask, name === 'v5.12-batch' ? n : folios, tag);
      assert.equal(m.page_ref_get, name === 'v5.12-batch' ? n : what === '4 KiB' ? n : 2 * folios, tag);
      assert.equal(m.locked_vm_updates, 1, tag);
      assert.equal(sim.oracle.ok, true, tag);
      assert.ok(sim.invariants.every((i) => i.ok), tag);
    }
  }
});

for (const s of STRATEGIES) {
  test(`${s.name}: RLIMIT_MEMLOCK exceeded: -ENOMEM, nothing left pinned or charged`, () => {
    const sim = simulate(layout([anon('ram', VA_RAM, 64 * M)], [map(VA_RAM, 0, 64 * M)], { system: { memlock: 32 * M } }), s);
    assert.equal(sim.requests[0]!.errno, '-ENOMEM');
    assert.equal(sim.kernel.mapCounters.locked_vm_updates, 0);
    assert.equal(sim.kernel.mm.locked_vm_peak, 0);
    assert.equal(sim.kernel.mapCounters.page_ref_put > 0, true);
    assert.ok(sim.invariants.every((i) => i.ok), JSON.stringify(sim.invariants.filter((i) => !i.ok)));
  });

  test(`${s.name}: disable_hugepages: one page per vfio_pin_pages_remote()`, () => {
    const n = (16 * M) / PAGE;
    const sim = simulate(layout([anon('ram', VA_RAM, 16 * M)], [map(VA_RAM, 0, 16 * M)], { system: { disableHugepages: true } }), s);
    assert.equal(sim.kernel.mapCounters.vfio_pin_pages_remote, n);
    assert.equal(sim.kernel.mapCounters.iommu_map, n);
    assert.equal(sim.oracle.ok, true);
    assert.ok(sim.invariants.every((i) => i.ok));
  });
}

test('v6.18-folio: locked_vm and unpin per folio chunk on RAM; per page on a BAR (has_rsvd)', () => {
  const n = (64 * M) / PAGE;
  // THP, contiguous: each 512-page batch is exactly one 2 MiB folio, so the inner loop runs
  // once per batch: is_invalid_reserved_pfn = 1 (pfn_base) + 32 chunks
  let sim = simulate(layout([thp('ram', VA_RAM, 64 * M)], [map(VA_RAM, 0, 64 * M)]), S('v6.18-folio'));
  let m = sim.kernel.mapCounters;
  assert.equal(m.is_invalid_reserved_pfn, 1 + 32);
  assert.equal(m.pages_pinned, n);
  assert.equal(m.locked_vm_updates, 1);
  let u = sim.kernel.unmapCounters;
  // no reserved pfn in this dma: unpin_user_page_range_dirty_lock(), one put and one dirty per folio
  assert.equal(u.put_pfn, 0);
  assert.equal(u.vfio_unpin_pages_remote, 1); // one physically contiguous chunk
  assert.equal(u.unpin_user_page_range_dirty_lock, 1);
  assert.equal(u.unpin_user_pages_dirty_lock, 0);
  assert.equal(u.page_ref_put, 32);
  assert.equal(u.set_page_dirty, 32);
  assert.ok(sim.invariants.every((i) => i.ok));
  // 4 KiB pages: every page is its own folio, so chunks are single pages
  sim = simulate(layout([anon('ram', VA_RAM, 64 * M)], [map(VA_RAM, 0, 64 * M)]), S('v6.18-folio'));
  assert.equal(sim.kernel.mapCounters.is_invalid_reserved_pfn, n + 1);
  assert.equal(sim.kernel.unmapCounters.page_ref_put, n);
  // the BAR's dma has_rsvd: put_pfn() per page as before
  u = simulate(seed, S('v6.18-folio')).kernel.unmapCounters;
  assert.equal(u.put_pfn, P);
  m = simulate(seed, S('v6.18-folio')).kernel.mapCounters;
  assert.equal(m.pin_user_pages_remote, P); // 4 KiB BAR leaves: one pfn per vaddr_get_pfns(), as in 6.15
});
