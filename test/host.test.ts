// The host kernel: the era table composes every release from 4.16 to the newest modelled, and
// each era of vfio-pci fills a BAR's page tables as its source does. Counts derived by hand.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatVersion, kv, NEWEST, OLDEST, PARTS } from '../src/kernel/eras.ts';
import { composeHost, parseKernelRelease } from '../src/kernel/host.ts';
import { simulate } from '../src/run/simulate.ts';
import { kernelStrategy } from '../src/strategies/kernels.ts';
import { findStrategy, STRATEGIES } from '../src/strategies/registry.ts';
import type { Strategy } from '../src/strategies/strategy.ts';
import { bar, G, IOVA_BAR, K, layout, M, map, PAGE, VA_BAR } from './layouts.ts';

const S = (name: string): Strategy => findStrategy(name)!;
const N = (4 * G) / PAGE; // 1,048,576 pages of a 4 GiB BAR
/** A 4 GiB BAR, VMA and host base 1 GiB aligned, with no what-if: the host decides. */
const hostBar = (touched: boolean, start = VA_BAR) =>
  bar('bar', start, 4 * G, 'bar0', { touched, populated: undefined, leafSize: undefined });
const cold = layout([hostBar(false)], [map(VA_BAR, IOVA_BAR, 4 * G)], { barSize: 4 * G });
const warm = layout([hostBar(true)], [map(VA_BAR, IOVA_BAR, 4 * G)], { barSize: 4 * G });

/** Every mainline release the table covers. */
function releases(): number[] {
  const out: number[] = [];
  for (const [major, last] of [[4, 20], [5, 19], [6, NEWEST % 1000]] as const) {
    for (let minor = major === 4 ? 16 : 0; minor <= last; minor++) out.push(kv(major, minor));
  }
  return out;
}

describe('the era table', () => {
  test('parts start at 4.16 and their eras ascend', () => {
    for (const p of PARTS) {
      assert.equal(p.eras[0]!.from, OLDEST, p.key);
      for (let i = 1; i < p.eras.length; i++) assert.ok(p.eras[i]!.from > p.eras[i - 1]!.from, p.key);
      for (const e of p.eras) assert.match(e.commit, /^(v\d+\.\d+|[0-9a-f]{12}|\(.+\))$/, `${p.key} ${e.value}`);
    }
  });

  test('compositions of the releases the notes name', () => {
    const h = (major: number, minor: number) => composeHost(kv(major, minor));
    assert.deepEqual(
      [h(4, 16).type1_pin, h(5, 11).type1_pin, h(5, 12).type1_pin, h(6, 14).type1_pin, h(6, 15).type1_pin, h(6, 18).type1_pin],
      ['baseline', 'baseline', 'v5.12-batch', 'v5.12-batch', 'v6.15-pgmask', 'v6.18-folio']);
    assert.deepEqual(
      [h(4, 16).vfio_pci_mmap, h(5, 7).vfio_pci_mmap, h(5, 8).vfio_pci_mmap, h(6, 9).vfio_pci_mmap, h(6, 10).vfio_pci_mmap, h(6, 12).vfio_pci_mmap, h(6, 15).vfio_pci_mmap],
      ['remap_at_mmap', 'remap_at_mmap', 'fault_remap_vma', 'fault_remap_vma', 'fault_insert_vma', 'huge_fault_at_addr', 'huge_fault']);
    assert.deepEqual(
      [h(4, 16).pfnmap_pfn, h(5, 7).pfnmap_pfn, h(5, 8).pfnmap_pfn, h(5, 12).pfnmap_pfn, h(6, 12).pfnmap_pfn],
      ['vm_pgoff', 'follow_pfn', 'follow_pfn_fault', 'follow_pte', 'follow_pfnmap_start']);
    assert.deepEqual([h(4, 20).gup, h(5, 2).gup, h(5, 6).gup], ['get_user_pages_longterm', 'get_user_pages', 'pin_user_pages_remote']);
    assert.deepEqual([h(6, 5).gup_folio, h(6, 6).gup_folio], ['page', 'folio']);
    assert.deepEqual([h(4, 16).type1_unmap, h(4, 17).type1_unmap, h(6, 17).type1_unmap, h(6, 18).type1_unmap], ['v4.16', 'v4.17', 'v4.17', 'v6.18']);
    assert.deepEqual([h(5, 5).vtd_iova_to_phys, h(5, 6).vtd_iova_to_phys], ['leaf_base', 'exact']);
    assert.deepEqual([h(5, 14).iommu_ops, h(5, 15).iommu_ops], ['map', 'map_pages']);
    // the two ioctls (docs/errno-table.md)
    assert.deepEqual([h(5, 7).ioctl_flags, h(5, 8).ioctl_flags, h(5, 11).ioctl_flags, h(5, 12).ioctl_flags], ['rw', 'dirty_bitmap', 'dirty_bitmap', 'vaddr_all']);
    assert.deepEqual([h(4, 20).type1_wrap, h(5, 0).type1_wrap, h(6, 17).type1_wrap, h(6, 18).type1_wrap], ['plus_size', 'plus_size_minus_1', 'plus_size_minus_1', 'check_add_overflow']);
    assert.deepEqual([h(6, 17).dma_range_end, h(6, 18).dma_range_end], ['exclusive', 'inclusive']);
    assert.deepEqual([h(5, 0).dma_avail, h(5, 1).dma_avail], ['unlimited', 'dma_entry_limit']);
    assert.deepEqual([h(5, 11).unmap_iter, h(5, 12).unmap_iter], ['find_dma', 'first_node']);
    assert.deepEqual([h(6, 15).fgsp, h(6, 16).fgsp], ['detected', 'removed']);
  });

  test('each strategy runs on the host of the kernel it names', () => {
    const host = (name: string) => S(name).host;
    assert.equal(host('baseline').name, '4.16');
    assert.equal(host('v4.17-merged').name, '4.17-rc1');
    assert.equal(host('v4.17-merged').type1_unmap, 'v4.17');
    assert.equal(host('v6.12-huge-pfnmap').vfio_pci_mmap, 'huge_fault_at_addr');
    // a later strategy never runs on an earlier kernel's page tables
    for (const s of STRATEGIES) if (s.name.startsWith('v6.')) assert.notEqual(s.host.vfio_pci_mmap, 'remap_at_mmap', s.name);
  });
});

describe('--kernel versions', () => {
  test('uname -r forms parse to major.minor; anything else is not a version', () => {
    const ok: [string, string][] = [['6.12.117+deb13-amd64', '6.12'], ['5.15.0-91-generic', '5.15'], ['6.8', '6.8'],
      ['v6.1', '6.1'], ['4.16-rc3', '4.16'], ['6.18.15+deb13-amd64', '6.18'], ['6.1.0-56-amd64', '6.1']];
    for (const [text, want] of ok) assert.equal(formatVersion(parseKernelRelease(text)!), want, text);
    for (const bad of ['6', 'abc', '6.x', '', '6.12 extra', '.6.1', '6..1']) assert.equal(parseKernelRelease(bad), null, bad);
  });

  test('every release from 4.16 to the newest composes and maps a cold BAR correctly', () => {
    const small = layout([bar('bar', VA_BAR, 16 * M, 'bar0', { touched: false, populated: undefined, leafSize: undefined })],
      [map(VA_BAR, IOVA_BAR, 16 * M)], { barSize: 16 * M });
    const all = releases();
    assert.equal(all.length, 5 + 20 + (NEWEST % 1000) + 1);
    for (const v of all) {
      const s = kernelStrategy(v);
      assert.equal(s.name, `linux-${formatVersion(v)}`);
      const sim = simulate(small, s);
      assert.equal(sim.requests[0]!.ret, 0, s.name);
      assert.equal(sim.oracle.ok, true, `${s.name}: ${sim.oracle.detail}`);
      assert.ok(sim.invariants.every((i) => i.ok), s.name);
      assert.equal(sim.kernel.mapCounters.pages_pinned, (16 * M) / PAGE, s.name);
    }
  });
});

describe('a cold 4 GiB BAR, 1 GiB aligned, as each host maps it', () => {
  test('4.16: PTEs at mmap, nothing to fault; one vaddr_get_pfn per page', () => {
    const m = simulate(cold, S('baseline')).kernel.mapCounters;
    assert.equal(m.vaddr_get_pfn, N);
    assert.equal(m.fixup_user_fault + m.vfio_pci_mmap_fault + m.vfio_pci_mmap_huge_fault, 0);
  });

  test('5.12: the first fault remaps the whole vma (vfio_pci_mmap_fault, one remap_pfn_range)', () => {
    const m = simulate(cold, S('v5.12-batch')).kernel.mapCounters;
    // page 0: follow_pte() finds nothing, fixup_user_fault(), follow_pte() again: N + 1 walks
    assert.equal(m.vaddr_get_pfns, N);
    assert.equal(m.follow_pte, N + 1);
    assert.equal(m.fixup_user_fault, 1);
    assert.equal(m.vfio_pci_mmap_fault, 1);
    assert.equal(m.remap_pfn_range, 1);
    assert.equal(m.pfnmap_entries_set, N);
  });

  test('6.10: the same with a vmf_insert_pfn() per page', () => {
    const m = simulate(cold, kernelStrategy(kv(6, 10))).kernel.mapCounters;
    assert.equal(m.vfio_pci_mmap_fault, 1);
    assert.equal(m.remap_pfn_range, 0);
    assert.equal(m.vmf_insert_pfn, N);
  });

  test('6.12: one pud leaf per fault, still one follow_pfnmap_start per page', () => {
    const m = simulate(cold, S('v6.12-huge-pfnmap')).kernel.mapCounters;
    assert.equal(m.vaddr_get_pfns, N);
    assert.equal(m.follow_pfnmap_start, N + 4);
    assert.equal(m.fixup_user_fault, 4);
    assert.equal(m.vfio_pci_mmap_huge_fault, 4);
    assert.equal(m.vmf_insert_pfn_pud, 4);
    assert.equal(m.pfnmap_entries_set, 4);
  });

  test('6.15 and 6.18: one vaddr_get_pfns per leaf: 4 cold (8 walks), 4 warm (4 walks)', () => {
    for (const name of ['v6.15-pgmask', 'v6.18-folio']) {
      let m = simulate(cold, S(name)).kernel.mapCounters;
      assert.deepEqual([m.vaddr_get_pfns, m.follow_pfnmap_start, m.fixup_user_fault, m.vfio_pci_mmap_huge_fault], [4, 8, 4, 4], name);
      m = simulate(warm, S(name)).kernel.mapCounters;
      assert.deepEqual([m.vaddr_get_pfns, m.follow_pfnmap_start, m.fixup_user_fault, m.vfio_pci_mmap_huge_fault], [4, 4, 0, 0], name);
    }
  });

  test('32 GiB at 1 GiB: 6.15+ do 32 leaf steps; the baseline 8,388,608 page steps', () => {
    const big = (touched: boolean) => layout([bar('bar', VA_BAR, 32 * G, 'bar0', { touched, populated: undefined, leafSize: undefined })],
      [map(VA_BAR, IOVA_BAR, 32 * G)], { barSize: 32 * G });
    assert.equal(simulate(big(false), S('baseline')).kernel.mapCounters.vaddr_get_pfn, 8_388_608);
    for (const name of ['v6.15-pgmask', 'v6.18-folio']) {
      assert.equal(simulate(big(false), S(name)).kernel.mapCounters.vaddr_get_pfns, 32, name);
      assert.equal(simulate(big(true), S(name)).kernel.mapCounters.follow_pfnmap_start, 32, name);
    }
  });

  test('6.12 .. 6.14 need the fault address aligned to the leaf; 6.15 aligns it down (c1d9dac0db16)', () => {
    // map from 4 KiB into the BAR: the first fault is at BAR + 4 KiB
    const off = layout([hostBar(false)], [map(VA_BAR + 4 * K, IOVA_BAR + 4 * K, 4 * G - 4 * K)], { barSize: 4 * G });
    // 6.12, first 1 GiB: at +4 KiB the pud (unaligned) and pmd (unaligned) attempts fall back, a
    // pte is inserted: 3 calls; the other 510 pages of that 2 MiB fault one pte each (the pmd is
    // a table now): 510; each further 2 MiB of that 1 GiB: a pmd attempt at an aligned address
    // succeeds: 511; the other 3 GiB: one pud leaf each: 3. 1027 calls for 1 + 510 + 511 + 3 faults.
    let m = simulate(off, S('v6.12-huge-pfnmap')).kernel.mapCounters;
    assert.equal(m.vfio_pci_mmap_huge_fault, 1027);
    assert.equal(m.fixup_user_fault, 1025);
    assert.deepEqual([m.vmf_insert_pfn, m.vmf_insert_pfn_pmd, m.vmf_insert_pfn_pud], [511, 511, 3]);
    // 6.15: the first fault aligns +4 KiB down to the pud: 4 leaves, 4 faults
    m = simulate(off, S('v6.15-pgmask')).kernel.mapCounters;
    assert.deepEqual([m.vfio_pci_mmap_huge_fault, m.vmf_insert_pfn_pud, m.vaddr_get_pfns], [4, 4, 4]);
  });
});
