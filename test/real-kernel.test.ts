// Conformance with real kernels: every call count measured with kprobes on Debian 6.1, 6.12,
// 6.16 and 6.18 (shared/reference/real-kernel/README.md, transcribed in
// fixtures/real-kernel/counts.json) equals the simulator's count for that ioctl, on the fixture
// that reproduces the probe and the host composed by --kernel for that release.
//
// The probe: a 4 GiB BAR mmapped 1 GiB aligned (or a 1 GiB BAR at 1 GiB + 2 MiB), MAP_DMA of
// the whole BAR then UNMAP_DMA, twice (cold, then warm); 64 MiB of touched THP memory likewise.
// Left out, as the README says: is_invalid_reserved_pfn (inlined in some builds, so its kprobe
// undercounts: 6.1 shows 1,048,577 where the code calls it 2,097,153 times on the BAR map).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseKernelRelease } from '../src/kernel/host.ts';
import { loadFixture } from '../src/input/fixture.ts';
import { loadProfile } from '../src/input/profile.ts';
import { isCounterName } from '../src/model/counters.ts';
import { modelledNs } from '../src/model/profile.ts';
import { perIoctlCounters } from '../src/run/per-ioctl.ts';
import { kernelStrategy } from '../src/strategies/kernels.ts';

const DIR = new URL('../fixtures/real-kernel/', import.meta.url).pathname;
const measured = JSON.parse(readFileSync(`${DIR}counts.json`, 'utf8')) as {
  captures: { log: string; kernel: string; withKprobesMs: Record<string, number>; ioctls: Record<string, Record<string, number>> }[];
};
const INLINED = new Set(['is_invalid_reserved_pfn']);

/** The fixture that reproduces each capture's layout (6.1's guest gave its THP buffer 15 runs). */
function fixtureFor(log: string): string {
  if (log.startsWith('align21')) return 'qemu-tcg-1g-align21';
  return log.startsWith('prof-6.1-') ? 'qemu-tcg-4g-linux61' : 'qemu-tcg-4g';
}

describe('real kernels: every measured call count, exactly', () => {
  test('the transcription holds every capture of the README', () => {
    assert.deepEqual(measured.captures.map((c) => c.log),
      ['prof-6.1-4G.log', 'prof-6.12-4G.log', 'prof-6.16-4G.log', 'prof-6.18-4G.log', 'align21-6.12-1G.log', 'align21-6.18-1G.log']);
  });
  for (const cap of measured.captures) {
    test(`${cap.log} (${cap.kernel})`, () => {
      const v = parseKernelRelease(cap.kernel);
      assert.notEqual(v, null);
      const layout = loadFixture(`${DIR}${fixtureFor(cap.log)}.json`).layout;
      const got = perIoctlCounters(layout, kernelStrategy(v!));
      let checked = 0;
      for (const [column, counts] of Object.entries(cap.ioctls)) {
        const ioctl = got.find((g) => g.label.split(' ')[0] === column);
        assert.ok(ioctl, `no request labelled ${column}`);
        assert.equal(ioctl.ret, 0);
        for (const [fn, n] of Object.entries(counts)) {
          if (INLINED.has(fn)) continue;
          assert.ok(isCounterName(fn), `${fn} is not a counter`);
          assert.equal(ioctl.counters[fn], n, `${cap.log} ${column} ${fn}`);
          checked++;
        }
      }
      assert.ok(checked >= 50, `only ${checked} counts checked`);
    });
  }
});

// The count boots' anonymous maps: the one place where a measured time comes with a measured
// layout (the timing boots had no kprobes, so their physical runs are assumed). The times carry
// the probes' hits, but an anonymous map has few: 124 on 6.1 (15 vfio_pin_pages_remote +
// 32 vaddr_get_pfns + 32 pin_user_pages_remote + 15 is_invalid_reserved_pfn + 15 iommu_map +
// 15 intel_iommu_map_pages), 70 on the others (2 + 32 + 32 + 2 + 2); at 0.29 to 0.54 us per hit
// (the BAR paths: e.g. 6.1 warm map (3101.757 - 1060.0) ms / 4,194,308 hits = 0.487 us) that is
// at most 0.07 ms, under 1% of 6.1's 9.208 ms. qemu-tcg was fitted on none of these.
describe('real kernels: the count boots\' anonymous maps, predicted by qemu-tcg', () => {
  const tcg = loadProfile('qemu-tcg');
  const predicted = (log: string): { ms: number; error: number } => {
    const cap = measured.captures.find((c) => c.log === log)!;
    const layout = loadFixture(`${DIR}${fixtureFor(log)}.json`).layout;
    const io = perIoctlCounters(layout, kernelStrategy(parseKernelRelease(cap.kernel)!)).find((g) => g.label.startsWith('anon_map1'))!;
    const ms = modelledNs(tcg, io.counters) / 1e6;
    return { ms, error: ms / cap.withKprobesMs.anon_map1! - 1 };
  };
  test('6.1 (64 MiB in 15 runs, the layout its counts fix): within 10% (modelled 9.91 ms, measured 9.208)', () => {
    // the same kernel and 4 GiB BAR set-up as the timing boot whose 512 MiB map took 113.8 ms,
    // 1.55x the count boot's rate scaled to 512 MiB (8 x 9.208 = 73.7 ms): docs/cost-model.md
    const p = predicted('prof-6.1-4G.log');
    assert.ok(Math.abs(p.error) <= 0.1, `6.1: ${p.ms} ms, ${(100 * p.error).toFixed(1)}%`);
  });
  test('6.12, 6.16, 6.18 (64 MiB in 2 runs): under-predicted, by 13% to 35%', () => {
    // modelled 1.066, 1.066 and 0.359 ms against 1.220, 1.495 and 0.550 ms with 70 hits each
    // (20 to 38 us): the 64 MiB maps of the fast kernels run slower per MiB than their 512 MiB
    // timing-boot maps, which is what the profile was fitted on
    for (const log of ['prof-6.12-4G.log', 'prof-6.16-4G.log', 'prof-6.18-4G.log']) {
      const p = predicted(log);
      assert.ok(p.error < -0.1 && p.error > -0.36, `${log}: ${p.ms} ms, ${(100 * p.error).toFixed(1)}%`);
    }
  });
});

// Hand derivations of the headline numbers (N = 4 GiB / 4 KiB = 1,048,576 BAR pages):
// - 6.1 / 6.12 warm map: the 5.12 loop calls vaddr_get_pfns() once per BAR page (a PFNMAP yields
//   one pfn per call), each a failing pin_user_pages_remote() and one follow_pte() /
//   follow_pfnmap_start(): N each; the whole BAR is one physically contiguous run: 1 iommu_map.
// - cold: 6.1's vfio_pci_mmap_fault() remaps the whole vma on the first fault: 1 fault, one
//   more walk (N + 1); 6.12's huge_fault installs one 1 GiB pud leaf per fault: 4 faults,
//   N + 4 walks; 6.16/6.18 step one leaf per vaddr_get_pfns(): 4 calls, 8 walks cold, 4 warm.
// - align21 (1 GiB at 1 GiB + 2 MiB): 512 pmd leaves, so 512 faults; the pud attempt falls back
//   once per 1 GiB slot the vma touches (2): 514 vfio_pci_mmap_huge_fault calls.
// - unmap: vfio_unmap_unpin() probes every 4 KiB page with iommu_iova_to_phys(): N, and one
//   chunk: 1 iommu_unmap_fast(), 1 unmap_pages.
