// Property tests of the simulated kernel: random layouts and request sequences (test/arbitraries.ts)
// through every strategy in the registry. What must hold, request by request and at the end:
//
//  P1  no exception escapes issue() / release(); every failure is a kernel errno (-EINVAL, ...).
//  P2  the errno is the one the kernel's checks call for: -EINVAL for no prot, zero or unaligned
//      sizes and addresses, wrapping ranges; -EEXIST for an IOVA overlap; -EFAULT only when a page
//      of the range lies in no VMA or in a RAM VMA without the needed prot; -ENOMEM only under an
//      RLIMIT_MEMLOCK that the request can exceed; success when none of these applies. Unmap:
//      -EINVAL per the v2 rules (computed here in BigInt), else every vfio_dma inside the range
//      removed and its bytes reported.
//  P3  a failed request leaves the state exactly as before: page references (guest RAM and host
//      pages, except references on reserved pages: 4.16 never drops those, see invariants.ts),
//      locked_vm, the mmap_sem, the IOMMU contents and the vfio_dma tree.
//  P4  pages pinned equals pages mapped, per MAP_DMA ioctl: with P the increase of
//      counters.pages_pinned (pages returned by vfio_pin_pages_remote(), including pages a
//      failing map pins and then undoes) and W the pages written to IOMMU PTEs in that ioctl:
//      a successful map has P == W == size / 4 KiB and grows the IOMMU by exactly its size; a
//      failed one has W <= P <= size / 4 KiB and P == W unless the IOMMU's smallest page is larger
//      than 4 KiB (then iommu_map() itself can refuse a pinned run).
//  P5  locked_vm never exceeds RLIMIT_MEMLOCK without CAP_IPC_LOCK (nor does its peak), and it
//      always equals the pages the live vfio_dmas map that are neither invalid nor reserved.
//  P6  after each successful map the oracle (verify/oracle.ts checkDma) passes: always for the
//      baseline; for another strategy unless the map is one of that strategy's KNOWN HAZARDS below.
//  P7  after the container release every invariant (verify/invariants.ts) holds; severity 'warn'
//      (references on the zero page, 4.16 behaviour) is allowed.
//  P8  every counter is filed under map or unmap (k.c == mapCounters + unmapCounters).
//  P9  two runs of the same input give identical return values, counters and IOMMU contents
//      after every request; simulate() twice gives identical Result data.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { COUNTER_NAMES, type Counters } from '../src/model/counters.ts';
import { errnoName } from '../src/kernel/errno.ts';
import { Kernel } from '../src/kernel/kernel.ts';
import type { DmaRequest, Layout, MapRequest, UnmapRequest } from '../src/model/layout.ts';
import { HOST_RAM_END, KERNEL_IMAGE_END_PFN, KERNEL_IMAGE_START_PFN } from '../src/kernel/memory.ts';
import { VM_IO, VM_PFNMAP, VM_READ, VM_WRITE, VM_HUGETLB } from '../src/kernel/mm.ts';
import type { VfioDma } from '../src/kernel/vfio_dma.ts';
import { issue, release, simulate } from '../src/run/simulate.ts';
import { STRATEGIES, type Strategy } from '../src/strategies/registry.ts';
import { checkInvariants } from '../src/verify/invariants.ts';
import { checkDma, newTally, verdict } from '../src/verify/oracle.ts';
import { caseArb, describeCase, LONG, PAGE, params, SEED } from './arbitraries.ts';

const RUNS = 400; // cases per strategy (x10 with VFIO_PIN_BENCH_LONG=1)
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
    dmas: k.vfio.dmas().map((d) => ({ iova: d.iova, vaddr: d.vaddr, size: d.size, prot: d.prot, lock_cap: d.lock_cap })),
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

interface MapExpect {
  /** exactly this errno (EINVAL / EEXIST prechecks), or null: decided by pinning. */
  exact: string | null;
  /** allowed outcomes when exact is null. */
  allowed: Set<string>;
}

function expectMap(k: Kernel, l: Layout, r: MapRequest): MapExpect {
  const min = Math.min(...l.system.iommu.pgsizes);
  const wraps = (a: number, s: number): boolean => big(a) + big(s) - 1n > U64_MAX;
  if ((!r.read && !r.write) || r.size === 0 || r.size % min || r.iova % min || r.vaddr % min) return { exact: '-EINVAL', allowed: new Set() };
  if (wraps(r.iova, r.size) || wraps(r.vaddr, r.size)) return { exact: '-EINVAL', allowed: new Set() };
  const lo = big(r.iova);
  const hi = lo + big(r.size);
  if (k.vfio.dmas().some((d) => big(d.iova) < hi && lo < big(d.iova) + big(d.size))) return { exact: '-EEXIST', allowed: new Set() };
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
  const allowed = new Set<string>([covered ? '0' : '-EFAULT']);
  const limit = l.system.memlock === null ? Infinity : Math.floor(l.system.memlock / PAGE);
  if (!l.system.capIpcLock && k.mm.locked_vm + r.size / PAGE > limit) allowed.add('-ENOMEM');
  if (min > PAGE) allowed.add('-EINVAL'); // iommu_map() refuses a pinned run that is not a multiple of the smallest IOMMU page
  return { exact: null, allowed };
}

function expectUnmap(k: Kernel, l: Layout, r: UnmapRequest): { ret: string; unmapped: bigint; removed: VfioDma[] } {
  const min = big(Math.min(...l.system.iommu.pgsizes));
  const iova = big(r.iova);
  const size = big(r.size);
  const none = { unmapped: 0n, removed: [] };
  if (iova % min || size === 0n || size % min) return { ret: '-EINVAL', ...none };
  const dmas = k.vfio.dmas().map((d) => ({ d, lo: big(d.iova), hi: big(d.iova) + big(d.size) }));
  const first = dmas.find((x) => x.lo <= iova && iova < x.hi);
  if (first && first.lo !== iova) return { ret: '-EINVAL', ...none };
  const lastByte = iova + size - 1n;
  const last = dmas.find((x) => x.lo <= lastByte && lastByte < x.hi);
  if (last && last.hi !== iova + size) return { ret: '-EINVAL', ...none };
  const removed = dmas.filter((x) => x.lo < iova + size && iova < x.hi);
  return { ret: '0', unmapped: removed.reduce((s, x) => s + (x.hi - x.lo), 0n), removed: removed.map((x) => x.d) };
}

// --- one checked run ---------------------------------------------------------------------------

interface Stats {
  cases: number;
  requests: Map<string, number>;
  mappedKinds: Set<string>;
  hazards: Map<string, number>;
  /** hazard-flagged maps the oracle or the invariants really caught: the hazard list stays honest. */
  hazardsSeen: Map<string, number>;
  unmappedBytes: number;
  wrapEinval: number;
  warns: number;
  /** successful maps at IOVAs above 2^53 (exact only as page-aligned Numbers). */
  highIova: number;
}

const newStats = (): Stats => ({
  cases: 0, requests: new Map(), mappedKinds: new Set(), hazards: new Map(), hazardsSeen: new Map(), unmappedBytes: 0, wrapEinval: 0, warns: 0, highIova: 0,
});
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
const reqText = (r: DmaRequest, i: number): string =>
  r.op === 'map' ? `#${i} map vaddr ${hex(r.vaddr)} iova ${hex(r.iova)} size ${hex(r.size)} ${r.read ? 'r' : ''}${r.write ? 'w' : ''}` : `#${i} unmap iova ${hex(r.iova)} size ${hex(r.size)}`;

/** Runs the layout's requests with every check above; returns what P9 compares. */
function runChecked(l: Layout, s: Strategy, stats: Stats | null): Trace {
  const k = new Kernel(l, s);
  const hazardOf = KNOWN_HAZARDS[s.name];
  const limit = l.system.memlock === null ? Infinity : Math.floor(l.system.memlock / PAGE);
  const limited = !l.system.capIpcLock && limit !== Infinity;
  const minPg = Math.min(...l.system.iommu.pgsizes);
  let hazardous: string | null = null;
  const trace: Trace = { rets: [], dumps: [], locked: [], map: k.mapCounters, unmap: k.unmapCounters, peak: 0 };
  if (stats) stats.cases++;

  l.requests.forEach((r, i) => {
    const where = `${s.name}: ${reqText(r, i)}`;
    const before = snapshot(k);
    const pinnedBefore = k.c.pages_pinned;
    const writtenBefore = ptesWrittenBytes(k);
    const reservedBefore = reservedRefs(k);
    const hazard = r.op === 'map' && hazardOf ? hazardOf(k, r) : null;
    const mapExp = r.op === 'map' ? expectMap(k, l, r) : null;
    const unmapExp = r.op === 'unmap' ? expectUnmap(k, l, r) : null;

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
    if (stats) bump(stats.requests, `${r.op} ${name}`);
    if (hazard !== null) {
      hazardous = hazard;
      if (stats) bump(stats.hazards, hazard);
    }

    // the mmap_sem is free between ioctls; the dma tree is sorted, non-empty entries, disjoint
    assert.deepEqual([k.mm.mmap_sem.readers, k.mm.mmap_sem.writer], [0, false], `P3: ${where}: mmap_sem still held`);
    k.vfio.dmas().forEach((d, j) => {
      assert.ok(d.size > 0, `${where}: a zero-sized vfio_dma was left in the tree`);
      if (j > 0) assert.ok(k.vfio.dmas()[j - 1]!.iova + k.vfio.dmas()[j - 1]!.size <= d.iova, `${where}: vfio_dma tree unsorted or overlapping`);
    });

    if (r.op === 'map') {
      // P2
      const exp = mapExp!;
      if (exp.exact !== null) assert.equal(name, exp.exact, `P2: ${where}: expected ${exp.exact}`);
      else if (!exp.allowed.has(name) && hazard === null) {
        assert.fail(`P2: ${where}: got ${name}, expected one of ${[...exp.allowed].join(', ')}`);
      }
      if (exp.exact === '-EINVAL' && (big(r.iova) + big(r.size) - 1n > U64_MAX || big(r.vaddr) + big(r.size) - 1n > U64_MAX) && stats) stats.wrapEinval++;
      // P4
      const P = k.c.pages_pinned - pinnedBefore;
      const W = (ptesWrittenBytes(k) - writtenBefore) / PAGE;
      if (ret === 0) {
        assert.equal(P, r.size / PAGE, `P4: ${where}: ${P} pages pinned for a ${r.size / PAGE}-page map`);
        assert.equal(W, r.size / PAGE, `P4: ${where}: ${W} pages written to the IOMMU for a ${r.size / PAGE}-page map`);
        assert.equal(k.domain.mappedBytes - before.mappedBytes, r.size, `P4: ${where}: IOMMU grew by ${k.domain.mappedBytes - before.mappedBytes} bytes`);
        const dma = k.vfio.dmas().find((d) => d.iova === r.iova);
        assert.ok(dma && dma.vaddr === r.vaddr && dma.size === r.size, `${where}: no vfio_dma for the successful map`);
        assert.equal(k.vfio.dmas().length, before.dmas.length + 1, `${where}: vfio_dma tree changed beyond the new entry`);
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
      } else {
        assert.ok(W <= P && P <= r.size / PAGE, `P4: ${where}: failed map pinned ${P} pages, wrote ${W} to the IOMMU`);
        if (minPg === PAGE) assert.equal(P, W, `P4: ${where}: failed map pinned ${P} pages but wrote ${W} to the IOMMU`);
      }
    } else {
      const exp = unmapExp!;
      assert.equal(name, exp.ret, `P2: ${where}: expected ${exp.ret}`);
      if (ret === 0) {
        assert.equal(big(res.unmapped ?? -1), exp.unmapped, `P2: ${where}: reported ${res.unmapped} bytes unmapped, the vfio_dmas in range hold ${exp.unmapped}`);
        for (const d of exp.removed) assert.ok(!k.vfio.dmas().includes(d), `P2: ${where}: vfio_dma at ${hex(d.iova)} not removed`);
        assert.equal(k.vfio.dmas().length, before.dmas.length - exp.removed.length, `P2: ${where}: other vfio_dmas removed`);
        assert.equal(before.mappedBytes - k.domain.mappedBytes, res.unmapped, `P2: ${where}: IOMMU shrank by a different amount than reported`);
        if (stats) stats.unmappedBytes += res.unmapped ?? 0;
      }
    }

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
    if (!hazardous) assert.equal(k.mm.locked_vm, accountedPages(k, l), `P5: ${where}: locked_vm is not the unreserved pages mapped`);
    // P8
    for (const c of COUNTER_NAMES) assert.equal(k.c[c], k.mapCounters[c] + k.unmapCounters[c], `P8: ${where}: counter ${c} not filed under map or unmap`);

    trace.dumps.push(k.domain.dump());
    trace.locked.push(k.mm.locked_vm);
  });

  try {
    release(k);
  } catch (e) {
    assert.fail(`P1: ${s.name}: container release threw ${(e as Error)?.stack ?? String(e)}`);
  }
  // P7
  const excused = new Set(hazardous ? ['page references back (guest RAM)', 'page references back (host RAM)', 'locked_vm back to 0'] : []);
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
  if (caught && stats) bump(stats.hazardsSeen, `${hazardous} (invariants after release)`);
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
  t.diagnostic(`${s.name}: mapped backings ${[...st.mappedKinds].sort().join(', ')}; ${st.highIova} maps above 2^53; ${st.wrapEinval} wrapping maps refused; ${st.unmappedBytes} bytes unmapped by UNMAP_DMA; ${st.warns} zero-page warnings`);
  if (st.hazards.size > 0) t.diagnostic(`${s.name}: known hazards hit: ${sorted(st.hazards)}`);
  if (st.hazardsSeen.size > 0) t.diagnostic(`${s.name}: hazards the oracle or the invariants caught: ${sorted(st.hazardsSeen)}`);
}

describe('property: the simulated kernel under random layouts and requests', () => {
  for (const s of STRATEGIES) {
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
      for (const key of ['map 0', 'map -EINVAL', 'map -EEXIST', 'map -EFAULT', 'map -ENOMEM', 'unmap 0', 'unmap -EINVAL']) {
        assert.ok((st.requests.get(key) ?? 0) > 0, `coverage: no "${key}" outcome in ${st.cases} cases`);
      }
      for (const kind of ['anon', 'thp', 'hugetlb', 'pfnmap']) assert.ok(st.mappedKinds.has(kind), `coverage: no successful map over ${kind}`);
      assert.ok(st.wrapEinval > 0 && st.unmappedBytes > 0 && st.highIova > 0, 'coverage: no wrapping map, nothing unmapped by UNMAP_DMA, or no map above 2^53');
      // a named hazard that never shows is stale: the strategy no longer has it, or the predicate is wrong
      for (const [h, n] of st.hazards) {
        const seen = [...st.hazardsSeen].filter(([k]) => k.startsWith(h)).reduce((a, [, c]) => a + c, 0);
        if (n >= 10) assert.ok(seen > 0, `hazard "${h}" flagged ${n} maps, none went wrong`);
      }
    });
  }

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

