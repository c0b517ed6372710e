// Summarised steps (a model device, no kernel function; docs/performance.md): where a kernel
// loop repeats identical work over a uniform range (one VMA, present and physically linear, one
// folio or one MMIO range, inside the lock limit), one round of it runs through the per-page
// reference path while its counters are measured, and the rounds after it that the range still
// holds are added as that many copies: the same counters, page references and loop state the
// per-page path would leave. VFIO_PIN_BENCH_REFERENCE_PATH=1 (`--reference-path`) turns every
// summarised step off; test/property-fastpath.test.ts asserts both paths agree on everything.

import { COUNTER_NAMES, type Counters } from '../model/counters.ts';
import { PAGE_SIZE } from '../model/units.ts';
import type { PhysMem } from './memory.ts';
import { VM_PFNMAP, type MmStruct, type VmAreaStruct } from './mm.ts';

/** What the summarised steps need of the kernel (kernel.ts imports this file). */
interface Kernel {
  readonly c: Counters;
  readonly mem: PhysMem;
  readonly mm: MmStruct;
  readonly summary: Summary | null;
}

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
let reference = env?.VFIO_PIN_BENCH_REFERENCE_PATH === '1';

/** Selects the per-page reference path (true) or the summarised steps (false) for kernels built from now on. */
export function setReferencePath(on: boolean): void {
  reference = on;
}

export function referencePath(): boolean {
  return reference;
}

/** Below this many pages a range is left to the per-page path (measuring a round costs about two per-page rounds). */
export let SUMMARY_MIN_PAGES = 8;

/** Tests lower the threshold so that small generated VMAs take summarised steps. */
export function setSummaryMinPages(n: number): void {
  SUMMARY_MIN_PAGES = n;
}

/** Pages the summarised steps covered in this process (tests check they were taken). */
export const summaryStats = { pages: 0 };

/** Pages from vaddr on (at most max) that a pin loop treats alike: in one vma, mapped present
 *  for this access with pfn + i, the pfns in one RAM region (one folio when huge) or in one MMIO
 *  range; 0 if vaddr is not such a page. */
export function uniformPages(k: Kernel, vma: VmAreaStruct | null, vaddr: number, write: boolean, max: number): number {
  if (vma === null || vaddr < vma.vm_start || vaddr >= vma.vm_end) return 0;
  const pfn = vma.pt.follow(vaddr, write);
  if (pfn < 0) return 0;
  return uniformFrom(k, vma, vaddr, write, max, pfn);
}

/** uniformPages() where vaddr is known to lie in vma and to map pfn (>= 0) for this access. */
function uniformFrom(k: Kernel, vma: VmAreaStruct, vaddr: number, write: boolean, max: number, pfn: number): number {
  const n = vma.pt.presentRun(vaddr, write, Math.min(max, (vma.vm_end - vaddr) / PAGE_SIZE));
  if (vma.vm_flags & VM_PFNMAP) return k.mem.mmioRun(pfn, n);
  return k.mem.regionRun(pfn, n);
}

/** Straight-line code over every counter by name (one monomorphic field access each, no keyed
 *  access by a variable name): snapshot(c, b) copies the counters into b; addRounds(c, b, r)
 *  adds r more times what each counter moved since b. Built once from COUNTER_NAMES. */
type Snapshot = (c: Counters, b: Float64Array) => void;
type AddRounds = (c: Counters, b: Float64Array, rounds: number) => void;
const field = (n: string): string => `c[${JSON.stringify(n)}]`;
const snapshot = new Function('c', 'b', COUNTER_NAMES.map((n, i) => `b[${i}] = ${field(n)};`).join('\n')) as Snapshot;
const addRounds = new Function('c', 'b', 'r', 'let d;\n' +
  COUNTER_NAMES.map((n, i) => `d = ${field(n)} - b[${i}]; if (d !== 0) ${field(n)} += d * r;`).join('\n')) as AddRounds;

/** One pin loop's summarised step: begin() before a round, take() at the top of the next. */
export class Summary {
  private readonly before = new Float64Array(COUNTER_NAMES.length);
  private marked = false;
  private pinnedAt = 0;
  private pfnAt = 0;
  private pages = 0;
  private region = false;

  /** Marks the counters before a round at page `pinned` (pfn) of a uniform range of `pages`. */
  begin(c: Counters, pinned: number, pfn: number, pages: number, region: boolean): void {
    snapshot(c, this.before);
    this.marked = true;
    this.pinnedAt = pinned;
    this.pfnAt = pfn;
    this.pages = pages;
    this.region = region;
  }

  reset(): void {
    this.marked = false;
  }

  get pending(): boolean {
    return this.marked;
  }

  /** After the marked round (now at page `pinned`): adds the whole rounds the range still holds,
   *  each counted as the marked one and taking one reference per RAM page (GUP's get_page());
   *  returns the pages they cover (0: none, carry on page by page). */
  take(k: Kernel, pinned: number): number {
    if (!this.marked) return 0;
    this.marked = false;
    const d = pinned - this.pinnedAt;
    if (d <= 0) return 0;
    const rounds = Math.floor((this.pages - d) / d);
    if (rounds < 1) return 0;
    addRounds(k.c, this.before, rounds);
    const skip = rounds * d;
    summaryStats.pages += skip;
    if (this.region) k.mem.addRefs(this.pfnAt + d, skip, 1);
    return skip;
  }
}

/** The Summary of a pin loop about to start (reset), or null on the reference path. */
export function summaryStart(k: Kernel): Summary | null {
  const s = k.summary;
  if (s !== null) s.reset();
  return s;
}

/**
 * A pin loop's check before a page (or a batch round) at vaddr, `pinned` pages into the run, whose
 * page must map `pfn` with the run's rsvd: begins `sum` when a uniform range of at least
 * SUMMARY_MIN_PAGES lies ahead, within npage and `room` (pages the lock limit still allows).
 * pfnmap false: RAM only (loops whose pfnmap rounds end at a leaf, not after a fixed count).
 * Returns the `pinned` at which to check again.
 */
export function summaryCheck(
  k: Kernel, sum: Summary, vaddr: number, write: boolean, pinned: number, pfn: number, rsvd: boolean, npage: number,
  room: number, pfnmap = true,
): number {
  const vma = k.mm.vmaAt(vaddr);
  // the page before was this vma's too, so its look-ups hit the vmacache in every round alike
  if (vma === null || vaddr - PAGE_SIZE < vma.vm_start || (!pfnmap && vma.vm_flags & VM_PFNMAP) || vma.pt.follow(vaddr, write) !== pfn) {
    return pinned + SUMMARY_MIN_PAGES;
  }
  const isPfnmap = (vma.vm_flags & VM_PFNMAP) !== 0;
  if (isPfnmap !== rsvd) return pinned + SUMMARY_MIN_PAGES;
  const m = vaddr < vma.vm_end ? uniformFrom(k, vma, vaddr, write, Math.min(npage, rsvd ? npage : room), pfn) : 0;
  if (m < SUMMARY_MIN_PAGES) return pinned + Math.max(1, m);
  sum.begin(k.c, pinned, pfn, m, !rsvd);
  return pinned + m;
}

/**
 * Summarised step of a 5.12+ batch drain loop (vfio_pin_pages_remote()'s inner loop): how many
 * iterations from batch.offset on run alike, one page each: batch.pages[offset + j] is pfn + j in
 * one order-0 RAM region (pfn_valid, not reserved: is_invalid_reserved_pfn() false, one call each),
 * within `room` pages of the lock limit, the batch's last page left to the loop (it ends the inner
 * loop). The caller checked the page at offset (pfn = pfn_base + pinned, !rsvd) and advances its
 * state by the count; 0 on the reference path.
 */
export function batchRun(k: Kernel, pages: readonly number[], offset: number, size: number, pfn: number, room: number): number {
  if (k.summary === null || size < 3) return 0;
  const m = Math.min(size - 1, room, k.mem.order0Run(pfn, size - 1));
  let j = 1;
  while (j < m && pages[offset + j] === pfn + j) j++;
  return j > 1 ? j : 0;
}
