// Property tests of the simulated kernel: random layouts and request sequences (test/arbitraries.ts)
// through every strategy in the registry. What must hold, request by request and at the end:
//
//  P1  no exception escapes issue() / release(); every failure is a kernel errno (-EINVAL, ...).
//  P2  every answer is the one an independent model of the two ioctls predicts (test/ioctl-model.ts:
//      the mapped ranges as sorted intervals, the host's era of each check, type1 v1 or v2, in
//      BigInt): the entry checks (argsz, flags), -EINVAL / -EOVERFLOW for no prot, zero or unaligned
//      sizes and addresses, wrapping ranges; -EEXIST for an IOVA overlap; -ENOSPC past
//      dma_entry_limit (5.1+); MAP VADDR's -ENOENT / -EINVAL; for a map that reaches pinning,
//      -EFAULT only when a page of the range lies in no VMA or in a RAM VMA without the needed prot,
//      -ENOMEM only under an RLIMIT_MEMLOCK the request can exceed, success otherwise. Unmap: the
//      errno, the size reported and which vfio_dmas are gone (or VADDR-invalidated); type1 v1
//      before 5.12, where the rb-tree's shape decides, a subset of the predicted candidates whose
//      sizes add up to the size reported. After every request the container holds exactly the
//      model's ranges.
//  P3  a failed request leaves the state exactly as before: page references (guest RAM and host
//      pages, except references on reserved pages: 4.16 never drops those, see invariants.ts),
//      locked_vm, the mmap_sem, the IOMMU contents and the vfio_dma tree.
//  P4  pages pinned equals pages mapped, per MAP_DMA ioctl: with P the increase of
//      counters.pages_pinned (pages returned by vfio_pin_pages_remote(), including pages a
//      failing map pins and then undoes) and W the pages written to IOMMU PTEs in that ioctl:
//      a successful map has P == W == size / 4 KiB and grows the IOMMU by exactly its size (a
//      MAP_FLAG_VADDR update: P == W == 0); a failed one has W <= P <= size / 4 KiB and P == W
//      unless the IOMMU's smallest page is larger than 4 KiB or the IOVA is already mapped
//      (iommu_map() itself refuses a pinned run then).
//  P5  locked_vm never exceeds RLIMIT_MEMLOCK without CAP_IPC_LOCK (nor does its peak), and it
//      always equals the pages the live vfio_dmas map that are neither invalid nor reserved
//      (unless a pre-6.18 kernel removed a vfio_dma ending at 2^64: it leaves it pinned).
//  P6  after each successful map the oracle (verify/oracle.ts checkDma) passes: always for the
//      baseline; for another strategy unless the map is one of that strategy's KNOWN HAZARDS below.
//  P7  after the container release every invariant (verify/invariants.ts) holds; severity 'warn'
//      (references on the zero page, 4.16 behaviour) is allowed. Before 6.18 a vfio_dma ending at
//      2^64 is never unmapped (u64 end 0, fixed by ef270ec44637): its leak is excused.
//  P8  every counter is filed under map or unmap (k.c == mapCounters + unmapCounters).
//  P9  two runs of the same input give identical return values, counters and IOMMU contents
//      after every request; simulate() twice gives identical Result data.
//  A proposal (strategy.proposal: proposed-unmap-fastpath) runs through all of the above like a
//  kernel, and must meet each unmap case it changes: reserved-only and mixed RAM/BAR vfio_dmas
//  removed by UNMAP_DMA and at release, and (in a targeted property) an UNMAP_DMA whose range
//  cuts a huge IOMMU leaf; its outcome (errnos, IOMMU contents, locked_vm) equals v6.18-folio's.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { COUNTER_NAMES, type Counters } from '../src/model/counters.ts';
import { errnoName } from '../src/kernel/errno.ts';
import { Kernel } from '../src/kernel/kernel.ts';
import type { DmaRequest, Layout, MapRequest, VmFlagName } from '../src/model/layout.ts';
import { bar } from './layouts.ts';
import { HOST_RAM_END, KERNEL_IMAGE_END_PFN, KERNEL_IMAGE_START_PFN } from '../src/kernel/memory.ts';
import { VM_IO, VM_PFNMAP, VM_READ, VM_WRITE, VM_HUGETLB } from '../src/kernel/mm.ts';
import { issue, release, simulate } from '../src/run/simulate.ts';
import { STRATEGIES, type Strategy } from '../src/strategies/registry.ts';
import { kernelStrategy } from '../src/strategies/kernels.ts';
import { kv } from '../src/kernel/eras.ts';
import { IoctlModel, type Interval } from './ioctl-model.ts';
import { checkInvariants } from '../src/verify/invariants.ts';
import type { VfioDma } from '../src/kernel/vfio_dma.ts';
import { checkDma, newTally, verdict } from '../src/verify/oracle.ts';
import { caseArb, describeCase, LONG, PAGE, params, SEED } from './arbitraries.ts';

const RUNS = 400; // cases per strategy (x10 with VFIO_PIN_BENCH_LONG=1)
/** The registry, plus a 5.8 kernel: the eras between 5.0 and 5.11 (5.0 unmap wrap form,
 *  dma_entry_limit, GET_DIRTY_BITMAP, the vfio_find_dma() unmap loop) no registry entry runs on. */
const UNDER_TEST: readonly Strategy[] = [...STRATEGIES, kernelStrategy(kv(5, 8))];
const DETERMINISM_RUNS = 100;

// --- known hazards -----------------------------------------------------------------------------
// A strategy's known hazard excuses P3 (for that request), P5's equality, P6 (for that map) and
// the reference / locked_vm invariants of P7 for the rest of the case, never P1, P2's EINVAL and
// EEXIST, P4, P8 or P9. Each predicate looks at the kernel before the map and may over-approximate.

type Hazard = (k: Kernel, r: MapRequest) => string | null;

/** The request starts inside a vma with `flags`, past its first page, and runs past its end:
 *  min(npage, vma_pages(vma)) counts the whole vma from vaddr and maps pfns past its end. */
function midVmaOverrun(k: Kernel, r: MapRequest, flags: number): boolean {
  const vma = k.mm.vmaAt(r.vaddr);
  return vma !== null && (vma.vm_flags & flags) !== 0 && r.vaddr > vma.vm_start && r.vaddr + r.size > vma.vm_end;
}

/** A read-only map over 4 KiB anonymous pages that are (or will read-fault to) the shared zero
 *  page: a reserved first pfn in an ordinary vma. */
function zeroPageInRange(k: Kernel, r: MapRequest): boolean {
  if (r.write) return false;
  const end = r.vaddr + r.size;
  for (const vma of k.mm.vmas) {
    if (vma.vm_end <= r.vaddr || vma.vm_start >= end) continue;
    if (vma.vm_flags & (VM_PFNMAP | VM_IO | VM_HUGETLB)) continue;
    for (let a = Math.max(vma.vm_start, r.vaddr); a < Math.min(vma.vm_end, end); a += PAGE) {
      if (vma.pt.leafSize(a) === PAGE && vma.pt.follow(a, true) < 0) return true;
    }
  }
  return false;
}

const KNOWN_HAZARDS: Record<string, Hazard> = {
  // The 2018 RFC: try_io_pfnmap() returns min(npage, vma_pages(vma)) for a VM_IO|VM_PFNMAP vma
  // whose first pfn is invalid/reserved, ignoring the offset of vaddr into the vma: a range that
  // starts inside a BAR vma and runs past its end maps pfns past the BAR (rfc-pitfall-mid-vma).
  // (Its other hazard, checking only the first pfn, cannot show here: a validated pfnmap vma lies
  // wholly inside one MMIO range, so every pfn of it is invalid.)
  rfc: (k, r) => (midVmaOverrun(k, r, VM_IO | VM_PFNMAP) ? 'rfc: range starts inside a VM_IO|VM_PFNMAP vma and runs past its end' : null),
  // The merged form (4.17-rc, reverted): the same min(npage, vma_pages(vma)) after any reserved or
  // invalid first pfn, with no vma-flag test: a BAR vma entered mid-way, or the shared zero page
  // (read-only map of untouched anonymous memory) as first pfn: maps the pfns after the zero page
  // and put_page()s them at unmap ("bad page state", the reason for the revert).
  'v4.17-merged': (k, r) =>
    midVmaOverrun(k, r, VM_PFNMAP) ? 'v4.17-merged: range starts inside a VM_PFNMAP vma and runs past its end'
    : zeroPageInRange(k, r) ? 'v4.17-merged: read-only map whose first pfn can be the shared zero page'
    : null,
};

/** Not a strategy's: before 6.18 (ef270ec44637) the -EEXIST look-up cannot see a vfio_dma ending at
 *  2^64, so an overlapping map reaches iommu_map(), which meets the mapped IOVA (-EBUSY here), and
 *  4.16's map_try_harder() unwinds from the IOVA that failed: it unmaps the other vfio_dma's page
 *  and leaves its own first page mapped. */
const HIDDEN = 'pre-6.18: a map over a vfio_dma ending at 2^64 that no look-up sees';
// (with HIDDEN or while the model is blind, P4 and the tree's disjointness are excused too)

// --- state -------------------------------------------------------------------------------------

const isReserved = (pfn: number): boolean => pfn >= KERNEL_IMAGE_START_PFN && pfn < KERNEL_IMAGE_END_PFN;

/** Everything a failed request must leave as it was. */
function snapshot(k: Kernel) {
  const regions = k.mem.allRegions().map((r) => {
    const nz: [number, number][] = [];
    for (let i = r.refs.firstNonzero(0); i >= 0; i = r.refs.firstNonzero(i + 1)) nz.push([i, r.refs.get(i)]);
    return [r.owner, r.basePfn, nz] as const;
  });
  const host = [...k.mem.hostRefs].filter(([pfn]) => !isReserved(pfn)).sort((a, b) => a[0] - b[0]);
  return {
    regions, host, locked_vm: k.mm.locked_vm, sem: [k.mm.mmap_sem.readers, k.mm.mmap_sem.writer],
    iommu: k.domain.dump(), mappedBytes: k.domain.mappedBytes,
    dmas: k.vfio.dmas().map((d) => ({ iova: d.iova, vaddr: d.vaddr, size: d.size, prot: d.prot, lock_cap: d.lock_cap, invalid: d.vaddr_invalid })),
    avail: k.vfio.dma_avail, invalid: k.vfio.vaddr_invalid_count,
  };
}

const reservedRefs = (k: Kernel): number => [...k.mem.hostRefs].reduce((s, [pfn, d]) => s + (isReserved(pfn) ? d : 0), 0);

/** Bytes of IOMMU PTEs written so far (map side), from the per-size PTE counts. */
const ptesWrittenBytes = (k: Kernel): number => [...k.domain.ptesBySize].reduce((s, [size, n]) => s + size * n, 0);

/** Pages the live vfio_dmas map that are valid RAM and not reserved: what locked_vm must hold. */
function accountedPages(k: Kernel, l: Layout): number {
  const ram = [{ start: 0, end: HOST_RAM_END / PAGE }, ...l.ram.map((r) => ({ start: r.base / PAGE, end: (r.base + r.size) / PAGE }))];
  const unreserved = (a: number, b: number): number => {
    let n = 0;
    for (const r of ram) n += Math.max(0, Math.min(b, r.end) - Math.max(a, r.start));
    return n - Math.max(0, Math.min(b, KERNEL_IMAGE_END_PFN) - Math.max(a, KERNEL_IMAGE_START_PFN));
  };
  let pages = 0;
  for (const dma of k.vfio.dmas()) {
    for (let off = 0; off < dma.size; ) {
      const span = k.domain.span(dma.iova + off);
      assert.ok(span !== null, `vfio_dma at iova 0x${dma.iova.toString(16)} has an unmapped page at +0x${off.toString(16)}`);
      const n = Math.min(span.bytes, dma.size - off) / PAGE;
      const pfn = span.paddr / PAGE;
      pages += unreserved(pfn, pfn + n);
      off += n * PAGE;
    }
  }
  return pages;
}

// --- the errno the kernel's checks call for (P2), computed independently, in BigInt where it matters

const big = BigInt;
const U64_MAX = (1n << 64n) - 1n;

/** The answers pinning may give a map the model lets through to vfio_pin_map_dma(). */
function pinAnswers(k: Kernel, l: Layout, r: MapRequest, hiddenOverlap: boolean): Set<string> {
  const min = Math.min(...l.system.iommu.pgsizes);
  // every page in a vma GUP accepts, or a VM_PFNMAP vma (4.16's fallback; 5.x follows the pte)?
  const need = r.write ? VM_WRITE : VM_READ;
  let covered = true;
  let a = r.vaddr;
  const end = r.vaddr + r.size;
  while (a < end) {
    const vma = k.mm.vmaAt(a);
    if (vma === null || !(vma.vm_flags & VM_PFNMAP || (!(vma.vm_flags & VM_IO) && vma.vm_flags & need))) {
      covered = false;
      break;
    }
    a = vma.vm_end;
  }
  const allowed = new Set<string>([covered && !hiddenOverlap ? '0' : '-EFAULT']);
  const limit = l.system.memlock === null ? Infinity : Math.floor(l.system.memlock / PAGE);
  if (!l.system.capIpcLock && k.mm.locked_vm + r.size / PAGE > limit) allowed.add('-ENOMEM');
  if (min > PAGE) allowed.add('-EINVAL'); // iommu_map() refuses a pinned run that is not a multiple of the smallest IOMMU page
  // before 6.18 the -EEXIST look-up misses a vfio_dma ending at 2^64: iommu_map() meets the mapped IOVA
  if (hiddenOverlap) allowed.add('-EBUSY');
  return allowed;
}

const rangeOf = (iv: Interval): string => `[${hex(Number(iv.lo))}, ${hex(Number(iv.hi))})`;
const modelDmas = (m: IoctlModel) => m.ivs.map((iv) => [Number(iv.lo), Number(iv.hi - iv.lo), iv.vaddr, iv.invalid]);
const kernelDmas = (k: Kernel) => k.vfio.dmas().map((d) => [d.iova, d.size, d.vaddr, d.vaddr_invalid]);

// --- one checked run ---------------------------------------------------------------------------

interface Stats {
  cases: number;
  requests: Map<string, number>;
  mappedKinds: Set<string>;
  hazards: Map<string, number>;
  /** hazard-flagged maps the oracle or the invariants really caught: the hazard list stays honest. */
  hazardsSeen: Map<string, number>;
  unmappedBytes: number;
  wrapRefused: number;
  warns: number;
  /** successful maps at IOVAs above 2^53 (exact only as page-aligned Numbers). */
  highIova: number;
  /** a proposal's unmap cases (proposed-unmap-fastpath): vfio_dmas removed without or with
   *  pinned pages beside reserved pfns (dma.has_unrsvd), UNMAP_DMAs cutting a huge IOMMU leaf. */
  unmapKinds: Map<string, number>;
}

const newStats = (): Stats => ({
  cases: 0, requests: new Map(), mappedKinds: new Set(), hazards: new Map(), hazardsSeen: new Map(), unmappedBytes: 0, wrapRefused: 0, warns: 0, highIova: 0,
  unmapKinds: new Map(),
});

/** How a vfio_dma the proposal removes is unmapped: one chunk (reserved pfns only) or page by page
 *  with pinned pages beside reserved pfns (mixed RAM/BAR). Only its pin path sets has_unrsvd. */
function countRemoved(stats: Stats | null, s: Strategy, gone: readonly VfioDma[], when: string): void {
  if (!stats || s.proposal !== true) return;
  for (const d of gone) {
    if (!d.has_unrsvd && d.has_rsvd) bump(stats.unmapKinds, `reserved-only dma removed ${when}`);
    else if (d.has_unrsvd && d.has_rsvd) bump(stats.unmapKinds, `mixed RAM/BAR dma removed ${when}`);
  }
}

/** An UNMAP_DMA whose first or last byte falls strictly inside an IOMMU leaf larger than 4 KiB. */
function cutsHugeLeaf(k: Kernel, r: DmaRequest): boolean {
  if (r.op !== 'unmap' || r.flags?.includes('ALL')) return false;
  const inside = (a: number) => k.domain.dump().some((x) => x.pgsize > PAGE && a > x.iova && a < x.iova + x.pgsize * x.count && (a - x.iova) % x.pgsize !== 0);
  return inside(r.iova) || inside(r.iova + r.size);
}
const bump = (m: Map<string, number>, key: string): void => void m.set(key, (m.get(key) ?? 0) + 1);

interface Trace {
  rets: string[];
  dumps: ReturnType<Kernel['domain']['dump']>[];
  locked: number[];
  map: Counters;
  unmap: Counters;
  peak: number;
}

const hex = (n: number): string => '0x' + n.toString(16);
const extraText = (r: DmaRequest): string => `${r.flags ? ` flags ${r.flags.join('|')}` : ''}${r.argsz !== undefined ? ` argsz ${r.argsz}` : ''}`;
const reqText = (r: DmaRequest, i: number): string =>
  (r.op === 'map' ? `#${i} map vaddr ${hex(r.vaddr)} iova ${hex(r.iova)} size ${hex(r.size)} ${r.read ? 'r' : ''}${r.write ? 'w' : ''}` : `#${i} unmap iova ${hex(r.iova)} size ${hex(r.size)}`) + extraText(r);

/** Runs the layout's requests with every check above; returns what P9 compares. */
function runChecked(l: Layout, s: Strategy, stats: Stats | null): Trace {
  const k = new Kernel(l, s);
  const hazardOf = KNOWN_HAZARDS[s.name];
  const limit = l.system.memlock === null ? Infinity : Math.floor(l.system.memlock / PAGE);
  const limited = !l.system.capIpcLock && limit !== Infinity;
  const minPg = Math.min(...l.system.iommu.pgsizes);
  const model = new IoctlModel(s.host, l.system.iommuType === 'type1v2', l.system.dmaEntryLimit, minPg);
  let hazardous: string | null = null;
  /** a request met the pre-6.18 blind spot at 2^64 (HIDDEN), whatever else the strategy's hazards say */
  let hiddenSeen = false;
  const trace: Trace = { rets: [], dumps: [], locked: [], map: k.mapCounters, unmap: k.unmapCounters, peak: 0 };
  if (stats) stats.cases++;

  l.requests.forEach((r, i) => {
    const where = `${s.name}: ${reqText(r, i)}`;
    const before = snapshot(k);
    const dmasBefore = k.vfio.dmas();
    const pinnedBefore = k.c.pages_pinned;
    const writtenBefore = ptesWrittenBytes(k);
    const reservedBefore = reservedRefs(k);
    // a pre-6.18 vfio_dma ending at 2^64 makes the answers depend on the tree's shape: follow the kernel
    const blind = model.blind;
    const mapExp = r.op === 'map' ? model.map(r) : null;
    const hidden = blind || (mapExp && 'pin' in mapExp && mapExp.hiddenOverlap) ? HIDDEN : null;
    const hazard = (r.op === 'map' && hazardOf ? hazardOf(k, r) : null) ?? (r.op === 'map' ? hidden : null);
    if (hidden !== null && r.op === 'map') hiddenSeen = true;
    const unmapExp = r.op === 'unmap' ? model.unmap(r) : null;
    const cuts = s.proposal === true && cutsHugeLeaf(k, r);
    const vaddrMap = r.op === 'map' && r.flags?.includes('VADDR') === true;

    let res: { ret: number; unmapped?: number };
    try {
      res = issue(k, r);
    } catch (e) {
      assert.fail(`P1: ${where} threw ${(e as Error)?.stack ?? String(e)}`);
    }
    const { ret } = res;
    // P1: a kernel errno
    assert.ok(Number.isInteger(ret) && ret <= 0, `P1: ${where}: return value ${ret} is not 0 or -errno`);
    const name = errnoName(ret);
    assert.match(name, /^(0|-E[A-Z]+)$/, `P1: ${where}: ${ret} is not a known errno`);
    trace.rets.push(name);
    if (stats) bump(stats.requests, `${r.op}${r.flags ? ` ${r.flags.join('|')}` : ''} ${name}`);
    if (hazard !== null) {
      hazardous = hazard;
      if (stats) bump(stats.hazards, hazard);
    }

    // the mmap_sem is free between ioctls; the dma tree is sorted, non-empty entries, disjoint
    // (a map over a hidden vfio_dma ending at 2^64 may succeed over it: what the IOMMU driver
    // does with a superpage over a mapped 4 KiB page is not modelled, HIDDEN excuses it)
    const wild = hidden !== null;
    assert.deepEqual([k.mm.mmap_sem.readers, k.mm.mmap_sem.writer], [0, false], `P3: ${where}: mmap_sem still held`);
    const dmas = k.vfio.dmas();
    dmas.forEach((d, j) => {
      assert.ok(d.size > 0, `${where}: a zero-sized vfio_dma was left in the tree`);
      if (j > 0 && !wild) assert.ok(dmas[j - 1]!.iova + dmas[j - 1]!.size <= d.iova, `${where}: vfio_dma tree unsorted or overlapping`);
    });

    if (r.op === 'map') {
      // P2
      const exp = mapExp!;
      if (blind) {
        if (stats) bump(stats.requests, 'map decided by the tree (a vfio_dma ends at 2^64)');
      } else if ('exact' in exp) assert.equal(name, exp.exact, `P2: ${where}: the model expects ${exp.exact}`);
      else {
        const allowed = pinAnswers(k, l, r, exp.hiddenOverlap);
        if (!allowed.has(name) && hazard === null) assert.fail(`P2: ${where}: got ${name}, expected one of ${[...allowed].join(', ')}`);
      }
      if (blind) model.resync(k.vfio.dmas());
      else model.applyMap(r, name);
      if ((name === '-EINVAL' || name === '-EOVERFLOW') && (big(r.iova) + big(r.size) - 1n > U64_MAX || big(r.vaddr) + big(r.size) - 1n > U64_MAX) && stats) stats.wrapRefused++;
      // P4
      const P = k.c.pages_pinned - pinnedBefore;
      const W = (ptesWrittenBytes(k) - writtenBefore) / PAGE;
      if (wild) {
        // (P4 needs an IOMMU that refuses mapped IOVAs the way VT-d does: not established here)
      } else if (ret === 0 && vaddrMap) {
        // MAP_FLAG_VADDR pins and maps nothing: only the vaddr changes
        assert.deepEqual([P, W, k.domain.mappedBytes], [0, 0, before.mappedBytes], `P4: ${where}: a VADDR update pinned or mapped`);
      } else if (ret === 0) {
        assert.equal(P, r.size / PAGE, `P4: ${where}: ${P} pages pinned for a ${r.size / PAGE}-page map`);
        assert.equal(W, r.size / PAGE, `P4: ${where}: ${W} pages written to the IOMMU for a ${r.size / PAGE}-page map`);
        assert.equal(k.domain.mappedBytes - before.mappedBytes, r.size, `P4: ${where}: IOMMU grew by ${k.domain.mappedBytes - before.mappedBytes} bytes`);
        const dma = k.vfio.dmaAt(r.iova);
        assert.ok(dma && dma.vaddr === r.vaddr && dma.size === r.size, `${where}: no vfio_dma for the successful map`);
        assert.equal(dmas.length, before.dmas.length + 1, `${where}: vfio_dma tree changed beyond the new entry`);
        if (stats && r.iova + r.size > 2 ** 53) stats.highIova++;
        if (stats) for (const v of k.mm.vmas) if (v.vm_start < r.vaddr + r.size && r.vaddr < v.vm_end) stats.mappedKinds.add(l.vmas.find((x) => x.name === v.name)!.backing.kind);
        // P6
        const t = newTally();
        checkDma(k, dma, t);
        const v = verdict(t);
        if (!v.ok) {
          if (hazard === null) assert.fail(`P6: ${where}: oracle: ${v.detail}`);
          if (stats) bump(stats.hazardsSeen, `${hazard} (oracle)`);
        }
      } else if (name === '-EBUSY') {
        // iommu_map() met a mapped IOVA: what it wrote before, and map_try_harder()'s retry, count too
        assert.ok(P <= r.size / PAGE, `P4: ${where}: failed map pinned ${P} pages`);
      } else {
        assert.ok(W <= P && P <= r.size / PAGE, `P4: ${where}: failed map pinned ${P} pages, wrote ${W} to the IOMMU`);
        // (-EBUSY: iommu_map() met a mapped IOVA, a pinned run it wrote nothing for)
        if (minPg === PAGE && name !== '-EBUSY') assert.equal(P, W, `P4: ${where}: failed map pinned ${P} pages but wrote ${W} to the IOMMU`);
      }
    } else {
      const exp = unmapExp!;
      if (!r.flags?.includes('VADDR')) {
        const gone = dmasBefore.filter((d) => !dmas.includes(d));
        countRemoved(stats, s, gone, 'by UNMAP_DMA');
        if (cuts && ret === 0 && gone.length > 0 && stats) bump(stats.unmapKinds, 'UNMAP_DMA cut a huge IOMMU leaf');
      }
      if (blind) {
        if (stats) bump(stats.requests, 'unmap decided by the tree (a vfio_dma ends at 2^64)');
        const gone = dmasBefore.filter((d) => !dmas.includes(d));
        if (ret === 0 && !r.flags?.includes('VADDR')) {
          assert.equal(res.unmapped, gone.reduce((x, d) => x + d.size, 0), `P2: ${where}: reported ${res.unmapped}, removed other sizes`);
          const kept = gone.filter((d) => d.iova + d.size === 2 ** 64).reduce((x, d) => x + d.size, 0);
          assert.equal(before.mappedBytes - k.domain.mappedBytes, res.unmapped! - kept, `P2: ${where}: IOMMU shrank by a different amount than unmapped`);
        }
        model.resync(dmas);
      } else if (assert.equal(name, exp.ret, `P2: ${where}: the model expects ${exp.ret}`), ret === 0) {
        const got = big(res.unmapped ?? -1);
        let touched: Interval[];
        let invalidate = false;
        if ('pathDependent' in exp) {
          // type1 v1 before 5.12: the vfio_dmas the kernel removed must be among the candidates
          const gone = new Set(dmasBefore.filter((d) => !dmas.includes(d)).map((d) => d.iova));
          touched = exp.pathDependent.filter((iv) => gone.has(Number(iv.lo)));
          assert.equal(touched.length, gone.size, `P2: ${where}: removed a vfio_dma outside ${exp.pathDependent.map(rangeOf).join(', ')}`);
          assert.equal(got, touched.reduce((x, iv) => x + iv.hi - iv.lo, 0n), `P2: ${where}: reported ${res.unmapped}, removed other sizes`);
          if (stats) bump(stats.requests, 'unmap v1 decided by the tree');
        } else {
          assert.equal(got, exp.size, `P2: ${where}: reported ${res.unmapped} bytes, the model expects ${exp.size}`);
          touched = exp.touched;
          invalidate = exp.invalidate;
        }
        // the IOMMU shrinks by what was unmapped, save what a pre-6.18 kernel leaves of a vfio_dma ending at 2^64
        const kept = invalidate ? touched : touched.filter((iv) => s.host.dma_range_end === 'exclusive' && iv.hi === 1n << 64n);
        const shrink = Number(got - kept.reduce((x, iv) => x + iv.hi - iv.lo, 0n));
        if (!hazardous) assert.equal(before.mappedBytes - k.domain.mappedBytes, shrink, `P2: ${where}: IOMMU shrank by a different amount than unmapped`);
        model.applyUnmap({ touched, invalidate });
        if (stats) stats.unmappedBytes += invalidate ? 0 : res.unmapped ?? 0;
      } else {
        assert.equal(res.unmapped, undefined, `P2: ${where}: a size was reported with ${name}`);
      }
    }
    // P2: the container holds exactly the model's ranges
    assert.deepEqual(kernelDmas(k), modelDmas(model), `P2: ${where}: the vfio_dmas differ from the model's`);

    // P3: a failed request changes nothing (references on reserved pages may only grow)
    if (ret !== 0 && hazard === null) {
      assert.deepEqual(snapshot(k), before, `P3: ${where}: ${name} but the kernel state changed`);
      assert.ok(reservedRefs(k) >= reservedBefore, `P3: ${where}: references on reserved pages dropped`);
    }
    // P5
    if (limited) {
      assert.ok(k.mm.locked_vm <= limit, `P5: ${where}: locked_vm ${k.mm.locked_vm} > RLIMIT_MEMLOCK ${limit} pages`);
      assert.ok(k.mm.locked_vm_peak <= limit, `P5: ${where}: locked_vm peak ${k.mm.locked_vm_peak} > RLIMIT_MEMLOCK ${limit} pages`);
    }
    if (!hazardous && model.leaked.length === 0) assert.equal(k.mm.locked_vm, accountedPages(k, l), `P5: ${where}: locked_vm is not the unreserved pages mapped`);
    // P8
    for (const c of COUNTER_NAMES) assert.equal(k.c[c], k.mapCounters[c] + k.unmapCounters[c], `P8: ${where}: counter ${c} not filed under map or unmap`);

    trace.dumps.push(k.domain.dump());
    trace.locked.push(k.mm.locked_vm);
  });

  const leaks = model.leaksAtRelease;
  if (leaks && stats) bump(stats.requests, 'a vfio_dma ending at 2^64 (pre-6.18 leak)');
  countRemoved(stats, s, k.vfio.dmas(), 'at release');
  try {
    release(k);
  } catch (e) {
    assert.fail(`P1: ${s.name}: container release threw ${(e as Error)?.stack ?? String(e)}`);
  }
  // P7
  const refs = ['page references back (guest RAM)', 'page references back (host RAM)', 'locked_vm back to 0'];
  const excused = new Set([...(hazardous ? refs : []), ...(leaks || hiddenSeen ? [...refs, 'IOMMU empty'] : [])]);
  let caught = false;
  for (const c of checkInvariants(k)) {
    if (c.ok) continue;
    if (c.severity === 'warn') {
      if (stats) stats.warns++;
      continue;
    }
    if (excused.has(c.name)) {
      caught = true;
      continue;
    }
    assert.fail(`P7: ${s.name}: after release: ${c.name}: ${c.detail}`);
  }
  if (caught && hazardous && stats) bump(stats.hazardsSeen, `${hazardous} (invariants after release)`);
  for (const c of COUNTER_NAMES) assert.equal(k.c[c], k.mapCounters[c] + k.unmapCounters[c], `P8: ${s.name}: release: counter ${c} not filed`);
  trace.peak = k.mm.locked_vm_peak;
  return trace;
}

/** The same run without checks: what P9 compares against. */
function runPlain(l: Layout, s: Strategy): Trace {
  const k = new Kernel(l, s);
  const trace: Trace = { rets: [], dumps: [], locked: [], map: k.mapCounters, unmap: k.unmapCounters, peak: 0 };
  for (const r of l.requests) {
    trace.rets.push(errnoName(issue(k, r).ret));
    trace.dumps.push(k.domain.dump());
    trace.locked.push(k.mm.locked_vm);
  }
  release(k);
  trace.peak = k.mm.locked_vm_peak;
  return trace;
}

function report(t: { diagnostic(m: string): void }, s: Strategy, st: Stats, ms: number): void {
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `${k}: ${n}`).join(', ');
  t.diagnostic(`${s.name}: ${st.cases} cases (seed ${SEED}${LONG ? ', long' : ''}) in ${ms} ms; requests ${sorted(st.requests)}`);
  t.diagnostic(`${s.name}: mapped backings ${[...st.mappedKinds].sort().join(', ')}; ${st.highIova} maps above 2^53; ${st.wrapRefused} wrapping maps refused; ${st.unmappedBytes} bytes unmapped by UNMAP_DMA; ${st.warns} zero-page warnings`);
  if (st.unmapKinds.size > 0) t.diagnostic(`${s.name}: unmap cases: ${sorted(st.unmapKinds)}`);
  if (st.hazards.size > 0) t.diagnostic(`${s.name}: known hazards hit: ${sorted(st.hazards)}`);
  if (st.hazardsSeen.size > 0) t.diagnostic(`${s.name}: hazards the oracle or the invariants caught: ${sorted(st.hazardsSeen)}`);
}

/** A BAR (1 GiB aligned, IOMMU leaves of 2 MiB or 1 GiB) with RAM (THP or 4 KiB) right after it;
 *  maps over the BAR, over the RAM and across both (mixed), then UNMAP_DMAs that take whole maps,
 *  several maps, or end inside a huge IOMMU leaf, on type1 v1 or v2. */
function unmapCaseArb(): fc.Arbitrary<Layout> {
  const Mb = 1024 * 1024;
  const VA = 0x7f8000000000;
  const slot = (i: number) => 0x100000000000 + i * 4 * 1024 * Mb; // 4 GiB apart: 1 GiB aligned IOVAs
  return fc.record({
    v2: fc.boolean(),
    barMb: fc.constantFrom(8, 64, 1024 + 64),
    ramKind: fc.constantFrom<'thp' | 'anon'>('thp', 'anon'),
    maps: fc.array(fc.record({ kind: fc.constantFrom('bar', 'ram', 'mixed'), fromMb: fc.nat({ max: 6 }), mb: fc.integer({ min: 2, max: 8 }) }), { minLength: 1, maxLength: 4 }),
    unmaps: fc.array(fc.record({ first: fc.nat({ max: 3 }), count: fc.integer({ min: 1, max: 3 }), cutPages: fc.constantFrom(0, 0, 1, 100, 511, 513) }), { maxLength: 3 }),
  }).map(({ v2, barMb, ramKind, maps, unmaps }) => {
    const barSize = barMb * Mb;
    const vmas = [bar('bar', VA, barSize, 'bar0'), { name: 'ram', start: VA + barSize, size: 16 * Mb, flags: ['VM_READ', 'VM_WRITE', ...(ramKind === 'thp' ? ['VM_HUGEPAGE' as const] : [])] as VmFlagName[], backing: { kind: ramKind, populated: true, placement: { policy: 'contiguous' as const } } }];
    const reqs: DmaRequest[] = maps.map((m, i) => {
      // a 1 GiB BAR map is all of the BAR (1 GiB IOMMU leaves); else 2 MiB aligned pieces
      const whole = m.kind === 'bar' && barMb > 1024 && i === 0;
      const size = whole ? barSize : m.mb * 2 * Mb;
      const start = m.kind === 'bar' ? (whole ? VA : VA + Math.min(m.fromMb * 2 * Mb, barSize - size)) : m.kind === 'ram' ? VA + barSize + m.fromMb * Mb : VA + barSize - 2 * Mb * Math.min(m.fromMb + 1, barSize / (2 * Mb));
      return { op: 'map', vaddr: start, iova: slot(i), size: Math.min(size, VA + barSize + 16 * Mb - start), read: true, write: true };
    });
    for (const u of unmaps) {
      const first = Math.min(u.first, reqs.length - 1);
      const last = Math.min(first + u.count - 1, maps.length - 1);
      const lo = slot(first);
      const hi = slot(last) + (reqs[last] as { size: number }).size;
      reqs.push({ op: 'unmap', iova: lo, size: Math.max(PAGE, hi - lo - u.cutPages * PAGE) });
    }
    return {
      name: 'unmap-cases', description: 'targeted: proposed-unmap-fastpath',
      system: { seed: 1, memlock: null, capIpcLock: false, disableHugepages: false, dmaEntryLimit: 65535, iommuType: v2 ? 'type1v2' : 'type1', iommu: { pgsizes: [4096, 2 * Mb, 1024 * Mb], fgsp: false } },
      ram: [{ name: 'ram0', base: 4 * 1024 * Mb, size: 1024 * Mb }],
      mmio: [{ name: 'bar0', base: 0x3b0000000000, size: 2048 * Mb }],
      vmas, requests: reqs,
    } satisfies Layout;
  });
}

describe('property: the simulated kernel under random layouts and requests', () => {
  for (const s of UNDER_TEST) {
    test(`${s.name}: P1-P9 (no escapes, errnos, failed requests undone, pinned == mapped, locked_vm, oracle, invariants, determinism)`, (t) => {
      const st = newStats();
      const t0 = Date.now();
      fc.assert(
        fc.property(caseArb(), ({ layout }) => {
          const a = runChecked(layout, s, st);
          const b = runPlain(layout, s);
          for (const part of ['rets', 'dumps', 'locked', 'map', 'unmap', 'peak'] as const) {
            assert.deepEqual(b[part], a[part], `P9: ${s.name}: a second run gives different ${part}`);
          }
        }),
        params(RUNS),
      );
      report(t, s, st, Date.now() - t0);
      // the generator must reach every outcome, or the properties above prove little
      const h = s.host;
      const keys = ['map 0', 'map -EINVAL', 'map -EEXIST', 'map -EFAULT', 'map -ENOMEM', 'unmap 0', 'unmap -EINVAL'];
      if (h.dma_avail === 'dma_entry_limit') keys.push('map -ENOSPC');
      if (h.ioctl_flags === 'vaddr_all') keys.push('map VADDR -ENOENT', 'map VADDR 0', 'unmap VADDR 0', 'unmap ALL 0', 'unmap ALL|VADDR 0');
      if (h.type1_wrap === 'check_add_overflow') keys.push('map -EOVERFLOW', 'unmap -EOVERFLOW');
      if (h.unmap_iter === 'find_dma') keys.push('unmap v1 decided by the tree');
      for (const key of keys) assert.ok((st.requests.get(key) ?? 0) > 0, `coverage: no "${key}" outcome in ${st.cases} cases`);
      for (const kind of ['anon', 'thp', 'hugetlb', 'pfnmap']) assert.ok(st.mappedKinds.has(kind), `coverage: no successful map over ${kind}`);
      assert.ok(st.wrapRefused > 0 && st.unmappedBytes > 0 && st.highIova > 0, 'coverage: no wrapping map, nothing unmapped by UNMAP_DMA, or no map above 2^53');
      // a proposal that changes the unmap path must meet the cases it claims to keep correct (an
      // UNMAP_DMA cutting a huge IOMMU leaf is rare here: the targeted property below has it)
      if (s.proposal === true) {
        for (const key of ['reserved-only dma removed by UNMAP_DMA', 'reserved-only dma removed at release', 'mixed RAM/BAR dma removed by UNMAP_DMA', 'mixed RAM/BAR dma removed at release']) {
          assert.ok((st.unmapKinds.get(key) ?? 0) > 0, `coverage: no "${key}" in ${st.cases} cases`);
        }
      }
      // a named hazard that never shows is stale: the strategy no longer has it, or the predicate is wrong
      for (const [h, n] of st.hazards) {
        const seen = [...st.hazardsSeen].filter(([k]) => k.startsWith(h)).reduce((a, [, c]) => a + c, 0);
        if (n >= 10) assert.ok(seen > 0, `hazard "${h}" flagged ${n} maps, none went wrong`);
      }
    });
  }

  // proposed-unmap-fastpath changes what unmap costs, never what it does: against its base
  // (v6.18-folio) every return value, IOMMU content and locked_vm after every request is the same,
  // on the random cases above and on targeted ones the generator meets rarely: mixed RAM/BAR
  // vfio_dmas, partial unmaps (some vfio_dmas of a mapped range; a v2 bisect, -EINVAL) and UNMAP_DMAs
  // whose range ends inside a 2 MiB or 1 GiB IOMMU leaf (type1 v1 removes the whole vfio_dma).
  const proposal = STRATEGIES.find((s) => s.proposal === true)!;
  const base = STRATEGIES.find((s) => s.name === 'v6.18-folio')!;
  const same = (l: Layout) => {
    const a = runPlain(l, base);
    const b = runPlain(l, proposal);
    for (const part of ['rets', 'dumps', 'locked', 'peak'] as const) {
      assert.deepEqual(b[part], a[part], `${proposal.name}: ${part} differ from ${base.name}\n${describeCase(l)}`);
    }
  };

  test(`${proposal.name} == ${base.name} in outcome on the random cases`, () => {
    fc.assert(fc.property(caseArb(), ({ layout }) => same(layout)), params(RUNS / 2));
  });

  test(`${proposal.name}: P1-P9 and == ${base.name} on mixed RAM/BAR maps, partial unmaps, unmaps cutting huge IOMMU leaves`, (t) => {
    const st = newStats();
    fc.assert(fc.property(unmapCaseArb(), (l) => {
      const a = runChecked(l, proposal, st);
      const b = runPlain(l, proposal);
      for (const part of ['rets', 'dumps', 'locked', 'map', 'unmap', 'peak'] as const) assert.deepEqual(b[part], a[part], `P9: ${part}`);
      runChecked(l, base, null);
      same(l);
    }), params(RUNS / 4));
    report(t, proposal, st, 0);
    for (const key of ['reserved-only dma removed by UNMAP_DMA', 'reserved-only dma removed at release', 'mixed RAM/BAR dma removed by UNMAP_DMA', 'mixed RAM/BAR dma removed at release', 'UNMAP_DMA cut a huge IOMMU leaf']) {
      assert.ok((st.unmapKinds.get(key) ?? 0) >= 10, `coverage: "${key}" ${st.unmapKinds.get(key) ?? 0} times in ${st.cases} cases`);
    }
    assert.ok((st.requests.get('unmap -EINVAL') ?? 0) > 0, 'coverage: no v2 bisect refused');
  });

  test('simulate() twice: identical Result data (requests, oracle, invariants, IOMMU PTEs by size, counters)', () => {
    fc.assert(
      fc.property(caseArb(8, 8), ({ layout }) => {
        for (const s of STRATEGIES) {
          const a = simulate(layout, s);
          const b = simulate(layout, s);
          const data = (x: ReturnType<typeof simulate>) => ({
            requests: x.requests, oracle: x.oracle, invariants: x.invariants, iommuPtes: x.iommuPtes,
            map: x.kernel.mapCounters, unmap: x.kernel.unmapCounters, peak: x.kernel.mm.locked_vm_peak,
          });
          assert.deepEqual(data(b), data(a), `P9: ${s.name}: simulate() differs between two runs\n${describeCase(layout)}`);
        }
      }),
      params(DETERMINISM_RUNS),
    );
  });
});

