// The seed scenario: a 16 GiB VM_IO|VM_PFNMAP BAR, 1 GiB aligned (host physical and IOVA),
// mapped whole with one VFIO_IOMMU_MAP_DMA, then released. Exact counts, derived by hand.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadProfile } from '../src/input/profile.ts';
import { modelledNs } from '../src/model/profile.ts';
import { simulate } from '../src/run/simulate.ts';
import { baseline } from '../src/strategies/baseline.ts';
import { rfc } from '../src/strategies/rfc.ts';
import { bar, G, IOVA_BAR, layout, map, PAGE, VA_BAR } from './layouts.ts';

const P = (16 * G) / PAGE; // 4,194,304 pages
const seed = layout([bar('bar', VA_BAR, 16 * G, 'bar0')], [map(VA_BAR, IOVA_BAR, 16 * G)]);

test('baseline (4.16) maps the 16 GiB BAR one vaddr_get_pfn per page', () => {
  const sim = simulate(seed, baseline);
  const m = sim.kernel.mapCounters;
  assert.equal(P, 4_194_304);
  // vfio_pin_map_dma: one vfio_pin_pages_remote() call returns the whole BAR as one run
  // (every pfn is the previous + 1 and every one is invalid: no struct page).
  assert.equal(m.vfio_ioctls, 1);
  assert.equal(m.vfio_pin_pages_remote, 1);
  assert.equal(m.pages_pinned, P);
  // vaddr_get_pfn() per page: the first, then one per loop iteration while pinned < npage.
  assert.equal(m.vaddr_get_pfn, P);
  // each: get_user_pages_longterm() fails with -EFAULT (check_vma_flags: VM_IO|VM_PFNMAP) ...
  assert.equal(m.get_user_pages_longterm, P);
  assert.equal(m.gup_efault, P);
  assert.equal(m.gup_pages, 0);
  assert.equal(m.follow_page_mask, 0);
  // ... then the VM_PFNMAP fallback computes the pfn from vm_pgoff.
  assert.equal(m.pfnmap_lookups, P);
  // two mmap_sem read acquisitions per page: around GUP, around the fallback.
  assert.equal(m.mmap_sem_read, 2 * P);
  // two find_vma per page: GUP's find_extend_vma() and find_vma_intersection(); only the
  // very first misses the (empty) vmacache and walks the tree (1 vma: depth 1).
  assert.equal(m.find_vma, 2 * P);
  assert.equal(m.vmacache_hits, 2 * P - 1);
  assert.equal(m.vma_tree_steps, 1);
  // is_invalid_reserved_pfn(): once in the fallback of each vaddr_get_pfn(), plus the rsvd
  // computation for the first page and the rsvd comparison for each further page: 2 per page.
  assert.equal(m.is_invalid_reserved_pfn, 2 * P);
  // reserved (no struct page): nothing charged, no page reference, vfio_lock_acct(0) returns early.
  assert.equal(m.page_ref_get, 0);
  assert.equal(m.locked_vm_updates, 0);
  assert.equal(m.mmap_sem_write, 0);
  assert.equal(sim.kernel.mm.locked_vm_peak, 0);
  // one vfio_iommu_map() -> iommu_map() of 16 GiB: iova and paddr 1 GiB aligned -> 16 x 1 GiB PTEs;
  // 4.16's VT-d advertises every power of two, so iommu_pgsize() hands intel_iommu_map() the
  // whole 16 GiB block (iova and paddr are 16 GiB aligned) in one call.
  assert.equal(m.iommu_map, 1);
  assert.equal(m.intel_iommu_map, 1);
  assert.equal(m.iommu_ptes, 16);
  assert.deepEqual(sim.iommuPtes, { [String(G)]: 16 });
  assert.equal(sim.oracle.ok, true);
  assert.equal(sim.oracle.checkedPages, P);
  assert.ok(sim.invariants.every((i) => i.ok), JSON.stringify(sim.invariants));
});

test('the 4.16 unmap walk on VT-d: one probe past each 1 GiB superpage, put_pfn per page', () => {
  for (const s of [baseline, rfc]) {
    const u = simulate(seed, s).kernel.unmapCounters;
    // release -> vfio_unmap_unpin(): intel_iommu_iova_to_phys() of that era returns the
    // superpage's base without the offset (fixed in 5.6, 77a1bce84bba), so the contiguity probe
    // at iova + 4 KiB fails at once: len = 4 KiB, and iommu_unmap(iova, 4 KiB) clears the whole
    // 1 GiB leaf (intel_iommu_unmap rounds up) and returns 1 GiB. Per superpage: 2 iova_to_phys,
    // 1 iommu_unmap (one IOTLB sync each: no iommu_unmap_fast before 4.17), 1 unpin call.
    assert.equal(u.vfio_ioctls, 1, s.name);
    assert.equal(u.iommu_iova_to_phys, 2 * 16, s.name);
    assert.equal(u.iommu_unmap, 16, s.name);
    assert.equal(u.iommu_ptes_cleared, 16, s.name);
    assert.equal(u.iotlb_sync, 16, s.name);
    assert.equal(u.vfio_unpin_pages_remote, 16, s.name);
    // vfio_unpin_pages_remote(): put_pfn() on every page, each an is_invalid_reserved_pfn(); the
    // RFC leaves this per page. No put_page: the BAR has no struct page.
    assert.equal(u.put_pfn, P, s.name);
    assert.equal(u.is_invalid_reserved_pfn, P, s.name);
    assert.equal(u.page_ref_put, 0, s.name);
    assert.equal(u.locked_vm_updates, 0, s.name);
  }
});

test('with a correct iova_to_phys (5.6+, 77a1bce84bba) or 4 KiB IOMMU pages the walk probes every page', () => {
  // the same 4.16 code with iommu_iova_to_phys() returning the offset: one chunk of P pages,
  // iova_to_phys for the first page and for each probe with iova + len < end: P in all.
  const fixed = { ...baseline, host: { ...baseline.host, vtd_iova_to_phys: 'exact' as const } };
  let u = simulate(seed, fixed).kernel.unmapCounters;
  assert.equal(u.iommu_iova_to_phys, P);
  assert.equal(u.iommu_unmap, 1);
  assert.equal(u.iotlb_sync, 1);
  // 4 KiB-only IOMMU: every leaf is a page, the quirk changes nothing
  const small = layout(seed.vmas, seed.requests, { system: { iommu: { pgsizes: [4096], fgsp: false } } });
  u = simulate(small, baseline).kernel.unmapCounters;
  assert.equal(u.iommu_iova_to_phys, P);
  assert.equal(u.iommu_unmap, 1);
  assert.equal(u.iommu_ptes_cleared, P);
});

test('AMD-style fine-grained superpages: no probe, one iova_to_phys and iommu_unmap per leaf', () => {
  const amd = layout(seed.vmas, seed.requests, { system: { iommu: { pgsizes: [4096, 2 * 1024 * 1024, G], fgsp: true } } });
  const u = simulate(amd, baseline).kernel.unmapCounters;
  // domain->fgsp: len stays PAGE_SIZE; iommu_unmap(iova, 4 KiB) clears the 1 GiB leaf and returns it
  assert.equal(u.iommu_iova_to_phys, 16);
  assert.equal(u.iommu_unmap, 16);
  assert.equal(u.put_pfn, P);
});

test('6.16+ (07970d048cdd) has no fgsp: the same AMD-style IOMMU gets the per-page probe', () => {
  const amd = layout(seed.vmas, seed.requests, { system: { iommu: { pgsizes: [4096, 2 * 1024 * 1024, G], fgsp: true } } });
  // the 4.16 unmap code on a host whose vfio_test_domain_fgsp() is gone (and whose
  // iova_to_phys is exact, as on every 6.x): domain->fgsp stays false, so the chunk loop probes
  // every page: one chunk of P pages, P iova_to_phys, one iommu_unmap (as the test above)
  const removed = { ...baseline, host: { ...baseline.host, vtd_iova_to_phys: 'exact' as const, fgsp: 'removed' as const } };
  const u = simulate(amd, removed).kernel.unmapCounters;
  assert.equal(u.iommu_iova_to_phys, P);
  assert.equal(u.iommu_unmap, 1);
  // and before 6.16 the same IOMMU is detected: one iova_to_phys per 1 GiB leaf (16)
  const detected = { ...removed, host: { ...removed.host, fgsp: 'detected' as const } };
  assert.equal(simulate(amd, detected).kernel.unmapCounters.iommu_iova_to_phys, 16);
});

test('rfc maps the 16 GiB BAR with one VMA look-up and no GUP', () => {
  const sim = simulate(seed, rfc);
  const m = sim.kernel.mapCounters;
  // try_io_pfnmap(): one down_read, one find_vma_intersection (vmacache empty: a miss), one
  // is_invalid_reserved_pfn on the first pfn; returns min(npage, vma_pages(vma)) = P.
  assert.equal(m.vfio_pin_pages_remote, 1);
  assert.equal(m.pfnmap_shortcut, 1);
  assert.equal(m.pages_pinned, P);
  assert.equal(m.mmap_sem_read, 1);
  assert.equal(m.find_vma, 1);
  assert.equal(m.vmacache_hits, 0);
  assert.equal(m.is_invalid_reserved_pfn, 1);
  assert.equal(m.vaddr_get_pfn, 0);
  assert.equal(m.get_user_pages_longterm, 0);
  assert.equal(m.iommu_map, 1);
  assert.equal(m.iommu_ptes, 16);
  assert.equal(sim.oracle.ok, true);
  assert.ok(sim.invariants.every((i) => i.ok));
});

test('an unaligned BAR gets smaller IOMMU pages, same pin counts', () => {
  // host BAR 1 GiB aligned but IOVA only 2 MiB aligned: iommu_pgsize() can use 2 MiB at most.
  const l = layout([bar('bar', VA_BAR, 16 * G, 'bar0')], [map(VA_BAR, IOVA_BAR + 2 * 1024 * 1024, 16 * G)]);
  const sim = simulate(l, baseline);
  assert.deepEqual(sim.iommuPtes, { [String(2 * 1024 * 1024)]: 8192 });
  assert.equal(sim.kernel.mapCounters.vaddr_get_pfn, P);
  assert.equal(sim.oracle.ok, true);
});

test('the default profile models 0.4 s for the baseline and about 1.5 us for the rfc', () => {
  const p = loadProfile('xeon-e5-2.6ghz');
  const b = modelledNs(p, simulate(seed, baseline).kernel.mapCounters);
  const r = modelledNs(p, simulate(seed, rfc).kernel.mapCounters);
  // per-page group calibrated to 95.367 ns x 4,194,304 = 0.400 s; the per-call costs add ~1.5 us.
  assert.ok(Math.abs(b - 0.4e9) / 0.4e9 < 0.001, `baseline ${b} ns`);
  assert.ok(r > 1.3e3 && r < 1.7e3, `rfc ${r} ns`);
});
