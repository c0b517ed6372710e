// Guest RAM through the 4.16 baseline: 4 KiB anonymous, THP, hugetlbfs 2M/1G. The RAM plan
// places each VMA's folios contiguously from RAM_BASE (4 GiB, 1 GiB aligned), in VMA order.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errnoName } from '../src/kernel/errno.ts';
import { simulate } from '../src/run/simulate.ts';
import { STRATEGIES } from '../src/strategies/registry.ts';
import { anon, G, hugetlb, layout, M, map, PAGE, thp, VA_RAM } from './layouts.ts';

const SZ = 64 * M;
const P = SZ / PAGE; // 16,384 pages

// The 4.16-era pin path (GUP one page per vaddr_get_pfn(), 4.16 accounting): the baseline and
// the strategies that only add a raw-PFN shortcut. Later kernels: later.test.ts.
const ERA_4_16 = STRATEGIES.filter((s) => ['baseline', 'rfc', 'rfc-fixed'].includes(s.name));

for (const s of ERA_4_16) {
  for (const [kind, vma] of [
    ['4 KiB anon', anon('ram', VA_RAM, SZ)],
    ['THP', thp('ram', VA_RAM, SZ)],
    ['hugetlbfs 2M', hugetlb('ram', VA_RAM, SZ, 2 * M)],
  ] as const) {
    test(`${s.name}: ${kind} 64 MiB, populated and contiguous: one run, every page GUP'd and charged`, () => {
      const sim = simulate(layout([vma], [map(VA_RAM, 0, SZ)]), s);
      const m = sim.kernel.mapCounters;
      // one contiguous run: one vfio_pin_pages_remote, one vaddr_get_pfn + GUP per page;
      // the rfc's try_io_pfnmap() looks the vma up once and declines (not VM_IO|VM_PFNMAP).
      assert.equal(m.vfio_pin_pages_remote, 1);
      assert.equal(m.vaddr_get_pfn, P);
      assert.equal(m.get_user_pages_longterm, P);
      assert.equal(m.gup_pages, P);
      assert.equal(m.follow_page_mask, P);
      assert.equal(m.handle_mm_fault, 0);
      assert.equal(m.page_ref_get, P); // get_page() per 4 KiB page, on the folio head for THP/hugetlb
      assert.equal(m.mmap_sem_read, P + (s.name === 'baseline' ? 0 : 1)); // try_io_pfnmap()'s look-up
      // rsvd once for the first page, then once per compared page
      assert.equal(m.is_invalid_reserved_pfn, P);
      // vfio_lock_acct(P) once at the end of the run: one down_write, locked_vm += P
      assert.equal(m.locked_vm_updates, 1);
      assert.equal(m.mmap_sem_write, 1);
      assert.equal(sim.kernel.mm.locked_vm_peak, P);
      // iova 0, paddr 4 GiB: 64 MiB in 2 MiB IOMMU pages
      assert.equal(m.iommu_map, 1);
      assert.deepEqual(sim.iommuPtes, { [String(2 * M)]: 32 });
      const u = sim.kernel.unmapCounters;
      // 4.16 VT-d walk: per 2 MiB superpage, iova_to_phys of its start and one failing probe
      // (the superpage base comes back without offset), one iommu_unmap: 32 leaves
      assert.equal(u.iommu_iova_to_phys, 2 * 32);
      assert.equal(u.iommu_unmap, 32);
      assert.equal(u.put_pfn, P);
      assert.equal(u.page_ref_put, P);
      assert.equal(u.set_page_dirty, P); // prot has IOMMU_WRITE
      assert.equal(u.locked_vm_updates, 1); // vfio_lock_acct(-P)
      assert.equal(sim.oracle.ok, true);
      assert.equal(sim.requests[0]!.runs, 1);
      assert.ok(sim.invariants.every((i) => i.ok), JSON.stringify(sim.invariants));
    });
  }

  test(`${s.name}: hugetlbfs 1 GiB folios map with 1 GiB IOMMU pages`, () => {
    const sim = simulate(layout([hugetlb('ram', VA_RAM, 2 * G, G)], [map(VA_RAM, 0, 2 * G)]), s);
    assert.deepEqual(sim.iommuPtes, { [String(G)]: 2 });
    assert.equal(sim.kernel.mapCounters.page_ref_get, (2 * G) / PAGE);
    assert.ok(sim.invariants.every((i) => i.ok));
  });

  test(`${s.name}: physically discontiguous VMAs give one pin call and one iommu_map per run`, () => {
    // b is listed first, so the RAM plan places b's pages before a's: a (lower vaddr) then b
    // are two physical runs although adjacent in the address space.
    const a = anon('a', VA_RAM, SZ);
    const b = anon('b', VA_RAM + SZ, SZ);
    // 4 KiB IOMMU pages, so that the unmap walk probes page by page
    const sim = simulate(layout([b, a], [map(VA_RAM, 0, 2 * SZ)], { system: { iommu: { pgsizes: [PAGE], fgsp: false } } }), s);
    const m = sim.kernel.mapCounters;
    assert.equal(sim.requests[0]!.runs, 2);
    assert.equal(m.vfio_pin_pages_remote, 2);
    assert.equal(m.iommu_map, 2);
    // the first run ends when the first page of b is not pfn + 1: that page is GUP'd and put back
    assert.equal(m.vaddr_get_pfn, 2 * P + 1);
    assert.equal(m.page_ref_get, 2 * P + 1);
    assert.equal(m.page_ref_put, 1);
    // unmap walk: pages + runs - 1 iova_to_phys calls
    assert.equal(sim.kernel.unmapCounters.iommu_iova_to_phys, 2 * P + 2 - 1);
    assert.equal(sim.kernel.unmapCounters.iommu_unmap, 2);
    assert.equal(sim.oracle.ok, true);
  });

  test(`${s.name}: RLIMIT_MEMLOCK exceeded: -ENOMEM, every page released, nothing charged`, () => {
    const limit = 32 * M; // 8,192 pages
    const sim = simulate(layout([anon('ram', VA_RAM, SZ)], [map(VA_RAM, 0, SZ)], { system: { memlock: limit } }), s);
    assert.equal(sim.requests[0]!.errno, '-ENOMEM');
    const m = sim.kernel.mapCounters;
    // pages 1..8192 are charged; page 8193 trips locked_vm + lock_acct + 1 > limit: it is put
    // back, then unpin_out puts the 8192 pinned ones.
    assert.equal(m.vaddr_get_pfn, 8193);
    assert.equal(m.page_ref_get, 8193);
    assert.equal(m.page_ref_put, 8193);
    assert.equal(m.locked_vm_updates, 0);
    assert.equal(m.iommu_map, 0);
    assert.equal(sim.kernel.mm.locked_vm_peak, 0);
    assert.equal(sim.kernel.vfio.dmas.length, 0);
    assert.ok(sim.invariants.every((i) => i.ok), JSON.stringify(sim.invariants));
  });

  test(`${s.name}: CAP_IPC_LOCK lifts RLIMIT_MEMLOCK (locked_vm still counts)`, () => {
    const sim = simulate(layout([anon('ram', VA_RAM, SZ)], [map(VA_RAM, 0, SZ)], { system: { memlock: 32 * M, capIpcLock: true } }), s);
    assert.equal(errnoName(sim.requests[0]!.ret), '0');
    assert.equal(sim.kernel.mm.locked_vm_peak, P);
    assert.ok(sim.invariants.every((i) => i.ok));
  });

  test(`${s.name}: disable_hugepages: one page per vfio_pin_pages_remote and per iommu_map`, () => {
    const sim = simulate(layout([anon('ram', VA_RAM, SZ)], [map(VA_RAM, 0, SZ)], { system: { disableHugepages: true } }), s);
    const m = sim.kernel.mapCounters;
    assert.equal(m.vfio_pin_pages_remote, P);
    assert.equal(m.vaddr_get_pfn, P);
    assert.equal(m.iommu_map, P);
    assert.deepEqual(sim.iommuPtes, { '4096': P });
    assert.equal(m.locked_vm_updates, P); // vfio_lock_acct(1) per call
    assert.equal(sim.oracle.ok, true);
  });

  test(`${s.name}: a read-only map of untouched memory pins the shared zero page, one page per call`, () => {
    const sim = simulate(layout([anon('ram', VA_RAM, SZ, false)], [map(VA_RAM, 0, SZ, 'r')]), s);
    const m = sim.kernel.mapCounters;
    // read GUP faults the zero page in (reserved: rsvd, not charged); the next page's pfn is
    // the zero page again, not pfn + 1, so every run is one page. Each call but the last
    // also GUPs the page that ends its run (the next call's first page, already faulted).
    assert.equal(m.vfio_pin_pages_remote, P);
    assert.equal(m.vaddr_get_pfn, 2 * P - 1);
    assert.equal(m.handle_mm_fault, P);
    assert.equal(m.page_ref_get, 2 * P - 1);
    assert.equal(m.locked_vm_updates, 0);
    assert.equal(m.iommu_map, P);
    // the page tables do map the zero page there: the oracle agrees
    assert.equal(sim.oracle.ok, true);
    assert.equal(sim.requests[0]!.runs, P);
    // put_pfn() skips reserved pages: the zero page keeps 2P-1 references (reported as a warning)
    const warn = sim.invariants.find((i) => i.name === 'reserved page references');
    assert.equal(warn?.severity, 'warn');
    assert.match(warn!.detail, new RegExp(`\\+${2 * P - 1} references`));
    assert.ok(sim.invariants.filter((i) => i.severity === 'error').every((i) => i.ok));
  });

  test(`${s.name}: a write map of untouched memory faults every page in`, () => {
    const sim = simulate(layout([anon('ram', VA_RAM, SZ, false)], [map(VA_RAM, 0, SZ)]), s);
    assert.equal(sim.kernel.mapCounters.handle_mm_fault, P);
    assert.equal(sim.kernel.mapCounters.vfio_pin_pages_remote, 1);
    assert.equal(sim.oracle.ok, true);
    assert.ok(sim.invariants.every((i) => i.ok));
  });
}

test('RAM plan: a VMA that does not fit is a layout error', () => {
  assert.throws(() => simulate(layout([anon('ram', VA_RAM, 2 * G)], [], { ramSize: G }), STRATEGIES[0]!), /needs .* bytes of RAM/);
});
