// Physical placement of RAM (issue 7): runs of known length give exact counts; seeds give
// reproducible, different pfns; folios stay whole and aligned; no pfn is handed out twice.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { placeFolios } from '../src/kernel/placement.ts';
import type { Placement } from '../src/model/layout.ts';
import { applyWhatIf } from '../src/input/whatif.ts';
import { parseFixture } from '../src/input/fixture.ts';
import { simulate } from '../src/run/simulate.ts';
import { baseline } from '../src/strategies/baseline.ts';
import { anon, layout, M, map, PAGE, thp, VA_RAM } from './layouts.ts';

const SZ = 64 * M;
const P = SZ / PAGE; // 16,384 pages
const R = 16; // pages per run
const runs16: Placement = { policy: 'runs', bytes: R * PAGE };
const iommu4k = { iommu: { pgsizes: [PAGE], fgsp: false } };

test('fixed runs of R pages: pin calls, iommu_map calls and runs are P/R; the unmap walk is pages + runs - 1', () => {
  const sim = simulate(layout([anon('ram', VA_RAM, SZ, true, runs16)], [map(VA_RAM, 0, SZ)], { system: iommu4k }), baseline);
  const runs = P / R; // 1,024: placeRuns() never puts a run right after its virtual predecessor
  const m = sim.kernel.mapCounters;
  assert.equal(sim.requests[0]!.runs, runs);
  assert.equal(m.vfio_pin_pages_remote, runs);
  assert.equal(m.iommu_map, runs);
  // each run but the last ends on a page that is GUP'd, found not contiguous, and put back
  assert.equal(m.vaddr_get_pfn, P + runs - 1);
  assert.equal(m.page_ref_put, runs - 1);
  // 4 KiB IOMMU pages: the walk probes every page and once past each run but the last
  const u = sim.kernel.unmapCounters;
  assert.equal(u.iommu_iova_to_phys, P + runs - 1);
  assert.equal(u.iommu_unmap, runs);
  assert.equal(u.put_pfn, P);
  assert.equal(sim.oracle.ok, true);
  assert.ok(sim.invariants.every((i) => i.ok));
});

test('pages not populated at map time are placed on fault by the same policy', () => {
  const sim = simulate(layout([anon('ram', VA_RAM, SZ, false, runs16)], [map(VA_RAM, 0, SZ)]), baseline);
  assert.equal(sim.kernel.mapCounters.handle_mm_fault, P);
  assert.equal(sim.kernel.mapCounters.vfio_pin_pages_remote, P / R);
  assert.equal(sim.oracle.ok, true);
});

function pfns(placement: Placement, seed: number): number[] {
  const l = layout([anon('ram', VA_RAM, SZ, true, placement)], [map(VA_RAM, 0, SZ)], { system: { ...iommu4k, seed } });
  const sim = simulate(l, baseline);
  return Array.from({ length: 64 }, (_, i) => sim.kernel.mm.vmas[0]!.pt.follow(VA_RAM + i * 97 * PAGE, false));
}

test('the same seed gives the same pfns; another seed other pfns and, for fixed runs, the same totals', () => {
  assert.deepEqual(pfns(runs16, 7), pfns(runs16, 7));
  assert.notDeepEqual(pfns(runs16, 7), pfns(runs16, 8));
  const counts = (seed: number) => simulate(layout([anon('ram', VA_RAM, SZ, true, runs16)], [map(VA_RAM, 0, SZ)], { system: { ...iommu4k, seed } }), baseline).kernel.mapCounters;
  const [a, b] = [counts(7), counts(8)];
  assert.equal(a.vfio_pin_pages_remote, b.vfio_pin_pages_remote);
  assert.equal(a.iommu_map, b.iommu_map);
  assert.equal(a.vaddr_get_pfn, b.vaddr_get_pfn);
});

test('placeFolios: every policy is a permutation of the region (no pfn twice)', () => {
  for (const p of [runs16, { policy: 'scattered' }, { policy: 'geometric', meanBytes: 31 * PAGE }] as Placement[]) {
    const map = placeFolios(10_000, PAGE, p, 42)!;
    const seen = new Uint8Array(10_000);
    for (let i = 0; i < 10_000; i++) seen[map.get(i)]!++;
    assert.ok(seen.every((n) => n === 1), p.policy);
  }
  assert.equal(placeFolios(10_000, PAGE, { policy: 'contiguous' }, 42), null);
});

test('FolioMap.run agrees with get() page by page', () => {
  for (const p of [runs16, { policy: 'scattered' }, { policy: 'geometric', meanBytes: 31 * PAGE }] as Placement[]) {
    const m = placeFolios(5_000, PAGE, p, 11)!;
    for (let i = 0; i < 5_000; i += 37) {
      let n = 1;
      while (i + n < 5_000 && m.get(i + n) === m.get(i) + n) n++;
      assert.equal(m.run(i, 5_000 - i), n, `${p.policy} at ${i}`);
    }
  }
});

test('geometric runs: the mean run length is close to the one asked for', () => {
  const n = 200_000;
  const map = placeFolios(n, PAGE, { policy: 'geometric', meanBytes: 31 * PAGE }, 3)!;
  let runs = 1;
  for (let i = 1; i < n; i++) if (map.get(i) !== map.get(i - 1) + 1) runs++;
  const mean = n / runs;
  assert.ok(mean > 28 && mean < 34, `mean run ${mean} pages`);
});

test('THP scattered: folios whole and 2 MiB aligned, in random order; 2 MiB IOMMU pages', () => {
  const sim = simulate(layout([thp('ram', VA_RAM, SZ, true, { policy: 'scattered' })], [map(VA_RAM, 0, SZ)]), baseline);
  assert.deepEqual(sim.iommuPtes, { [String(2 * M)]: 32 });
  const runs = sim.requests[0]!.runs!;
  assert.ok(runs > 16 && runs <= 32, `${runs} runs over 32 folios`);
  assert.equal(sim.kernel.mapCounters.vfio_pin_pages_remote, runs);
  assert.equal(sim.oracle.ok, true);
});

test('fixture and flags: placement forms, seed, and their errors', () => {
  const base = (backing: object, system: object = {}) => ({
    version: 1, name: 'p', description: 'd', system, vmas: [{ name: 'a', size: '4M', backing }], requests: [],
  });
  let l = parseFixture(base({ kind: 'anon', placement: { policy: 'runs', length: '64K' } }, { seed: 9 }), 'p.json');
  assert.deepEqual(l.vmas[0]!.backing, { kind: 'anon', populated: true, placement: { policy: 'runs', bytes: 65536 } });
  assert.equal(l.system.seed, 9);
  l = parseFixture(base({ kind: 'thp', placement: 'contiguous' }), 'p.json');
  assert.deepEqual(l.vmas[0]!.backing, { kind: 'thp', populated: true, placement: { policy: 'contiguous' } });
  assert.throws(() => parseFixture(base({ kind: 'thp', placement: { policy: 'runs', length: '64K' } }), 'p.json'),
    { message: 'p.json: vmas[0].backing.placement.length: expected a run length as a non-zero multiple of the folio size 2097152 bytes, got 65536' });
  assert.throws(() => parseFixture(base({ kind: 'anon', placement: 'random' }), 'p.json'), /p\.json: vmas\[0\]\.backing\.placement: expected one of/);
  assert.throws(() => parseFixture(base({ kind: 'anon' }, { seed: -1 }), 'p.json'), /p\.json: system\.seed: /);
  const w = applyWhatIf(null, { ram: '64M', backing: '4k', placement: 'runs:64K', seed: '5' });
  assert.deepEqual(w.vmas[0]!.backing, { kind: 'anon', populated: true, placement: { policy: 'runs', bytes: 65536 } });
  assert.equal(w.system.seed, 5);
  assert.throws(() => applyWhatIf(null, { ram: '64M', backing: 'thp', placement: 'runs:64K' }),
    { message: '--placement: VMA "guest-ram": expected a run length as a non-zero multiple of the folio size 2097152 bytes, got 65536' });
  assert.throws(() => applyWhatIf(null, { ram: '64M', placement: 'runs' }), /--placement: expected contiguous, scattered, runs:<size> or geometric:<mean size>, got "runs"/);
});
