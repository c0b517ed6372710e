// The oracle: every IOVA page a vfio_dma maps must translate to the pfn the process page
// tables give for its vaddr (for a PFNMAP vma, the pfn the BAR really maps there). Judged
// against the page tables, never against another strategy. Segment-wise: both sides are
// linear inside a segment, so one comparison decides every page in it.

import type { Kernel } from '../kernel/kernel.ts';
import { PAGE_SIZE } from '../model/units.ts';
import type { VfioDma } from '../kernel/vfio_dma.ts';
import type { OracleVerdict } from '../model/result.ts';

interface OracleTally {
  checkedPages: number;
  wrongPages: number;
  firstBad?: OracleVerdict['firstBad'];
}

export const newTally = (): OracleTally => ({ checkedPages: 0, wrongPages: 0 });

/** What the page tables map from vaddr on: pfn (-1 none) and for how many pages, linearly. */
function groundTruth(k: Kernel, vaddr: number, maxPages: number): { pfn: number; pages: number } {
  const vma = k.mm.vmaAt(vaddr);
  if (vma === null) {
    // nothing mapped until the next vma (or maxPages)
    const next = k.mm.vmaAbove(vaddr);
    const pages = next ? Math.min(maxPages, (next.vm_start - vaddr) / PAGE_SIZE) : maxPages;
    return { pfn: -1, pages: Math.max(1, pages) };
  }
  return vma.pt.walk(vaddr, Math.min(maxPages, (vma.vm_end - vaddr) / PAGE_SIZE));
}

/** Checks the IOVA pages [dma.iova, dma.iova + dma.size) into the tally. */
export function checkDma(k: Kernel, dma: VfioDma, t: OracleTally): void {
  const total = dma.size / PAGE_SIZE;
  let i = 0;
  while (i < total) {
    const iova = dma.iova + i * PAGE_SIZE;
    const vaddr = dma.vaddr + i * PAGE_SIZE;
    const truth = groundTruth(k, vaddr, total - i);
    const span = k.domain.span(iova);
    const n = Math.min(truth.pages, span ? span.bytes / PAGE_SIZE : 1, total - i);
    const actual = span ? span.paddr / PAGE_SIZE : -1;
    t.checkedPages += n;
    if (truth.pfn === -1 || actual !== truth.pfn) {
      t.wrongPages += n;
      t.firstBad ??= { iova, vaddr, expectedPfn: truth.pfn === -1 ? null : truth.pfn, actualPfn: actual === -1 ? null : actual };
    }
    i += n;
  }
}

/** Physically contiguous runs the page tables hold over [vaddr, vaddr + size). */
export function countRuns(k: Kernel, vaddr: number, size: number): number {
  const total = Math.floor(size / PAGE_SIZE);
  let runs = 0;
  let nextPfn = -2;
  for (let i = 0; i < total; ) {
    const t = groundTruth(k, vaddr + i * PAGE_SIZE, total - i);
    if (t.pfn === -1 || t.pfn !== nextPfn) runs++;
    nextPfn = t.pfn === -1 ? -2 : t.pfn + t.pages;
    i += t.pages;
  }
  return runs;
}

export function verdict(t: OracleTally): OracleVerdict {
  const ok = t.wrongPages === 0;
  const hex = (n: number | null | undefined) => (n === null || n === undefined ? 'none' : '0x' + n.toString(16));
  const detail = ok
    ? `${t.checkedPages} IOVA pages match the page tables`
    : `${t.wrongPages} of ${t.checkedPages} IOVA pages wrong; first at iova ${hex(t.firstBad!.iova)} ` +
      `(vaddr ${hex(t.firstBad!.vaddr)}): expected pfn ${hex(t.firstBad!.expectedPfn)}, got ${hex(t.firstBad!.actualPfn)}`;
  return { ok, checkedPages: t.checkedPages, wrongPages: t.wrongPages, ...(t.firstBad ? { firstBad: t.firstBad } : {}), detail };
}
