// The summarised steps (src/kernel/summarise.ts, docs/performance.md) against the per-page
// reference path: random layouts and request sequences (test/arbitraries.ts) through every
// strategy in the registry and a few composed releases, once with VFIO_PIN_BENCH_REFERENCE_PATH
// semantics (setReferencePath(true)) and once summarised, with the summary threshold lowered to
// 2 pages so that the small generated VMAs take it. After every request both runs must agree on
// the return value, every counter (live, map side, unmap side), the IOMMU contents, locked_vm and
// its peak, every page reference delta (each region's and the host pages'), the CPU page tables'
// state; and simulate() on both must give identical Result data (requests, oracle, invariants,
// IOMMU PTEs by size, counters).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Kernel } from '../src/kernel/kernel.ts';
import type { Layout } from '../src/model/layout.ts';
import { issue, release, simulate } from '../src/run/simulate.ts';
import { STRATEGIES, type Strategy } from '../src/strategies/registry.ts';
import { kernelStrategy } from '../src/strategies/kernels.ts';
import { kv } from '../src/kernel/eras.ts';
import { setReferencePath, setSummaryMinPages, SUMMARY_MIN_PAGES, summaryStats } from '../src/kernel/summarise.ts';
import { caseArb, describeCase, params } from './arbitraries.ts';

const RUNS = 150; // cases per strategy
const UNDER_TEST: readonly Strategy[] = [...STRATEGIES, kernelStrategy(kv(4, 17)), kernelStrategy(kv(5, 8)), kernelStrategy(kv(6, 6))];

/** Everything a request can change, as plain data. */
function state(k: Kernel): unknown {
  const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (_k, v) =>
    ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v instanceof Map ? [...v].sort((a, b) => (a[0] < b[0] ? -1 : 1)) : v));
  return {
    c: { ...k.c }, map: { ...k.mapCounters }, unmap: { ...k.unmapCounters },
    iommu: k.domain.dump(), mapped: k.domain.mappedBytes,
    locked: k.mm.locked_vm, peak: k.mm.locked_vm_peak, sem: [k.mm.mmap_sem.readers, k.mm.mmap_sem.writer],
    refs: k.mem.allRegions().map((r) => plain(r.refs)), host: plain(k.mem.hostRefs),
    pts: k.mm.vmas.map((v) => plain(v.pt)),
    dmas: k.vfio.dmas().map((d) => [d.iova, d.size, d.vaddr, d.has_rsvd, d.vaddr_invalid]),
  };
}

function trace(layout: Layout, s: Strategy, reference: boolean): unknown[] {
  setReferencePath(reference);
  try {
    const k = new Kernel(layout, s);
    const out: unknown[] = [];
    for (const r of layout.requests) out.push({ ret: issue(k, r), st: state(k) });
    release(k);
    out.push(state(k));
    return out;
  } finally {
    setReferencePath(false);
  }
}

function result(layout: Layout, s: Strategy, reference: boolean): unknown {
  setReferencePath(reference);
  try {
    const x = simulate(layout, s);
    return { requests: x.requests, oracle: x.oracle, invariants: x.invariants, iommuPtes: x.iommuPtes, map: x.kernel.mapCounters, unmap: x.kernel.unmapCounters };
  } finally {
    setReferencePath(false);
  }
}

describe('summarised steps agree with the per-page reference path', () => {
  for (const s of UNDER_TEST) {
    test(`${s.name}: every request's counters, IOMMU, references, page tables and locked_vm; simulate() results`, () => {
      const min = SUMMARY_MIN_PAGES;
      const before = summaryStats.pages;
      setSummaryMinPages(2);
      try {
        fc.assert(
          fc.property(caseArb(8, 8), ({ layout }) => {
            assert.deepEqual(trace(layout, s, false), trace(layout, s, true), `${s.name}: summarised != reference\n${describeCase(layout)}`);
            assert.deepEqual(result(layout, s, false), result(layout, s, true), `${s.name}: simulate() differs\n${describeCase(layout)}`);
          }),
          params(RUNS),
        );
      } finally {
        setSummaryMinPages(min);
      }
      assert.ok(summaryStats.pages > before, `${s.name}: no summarised step was taken: the comparison proved nothing`);
    });
  }
});
