// After every vfio_dma is gone: page references, locked_vm, mmap_sem, the IOMMU and the
// dma tree back where they started. Violations are reported, never thrown.

import type { Kernel } from '../kernel/kernel.ts';
import { PAGE_SIZE } from '../model/units.ts';
import type { InvariantCheck } from '../model/result.ts';

const hex = (n: number): string => '0x' + n.toString(16);

export function checkInvariants(k: Kernel): InvariantCheck[] {
  const out: InvariantCheck[] = [];
  const check = (name: string, ok: boolean, detail: string, severity: 'error' | 'warn' = 'error') =>
    out.push({ name, ok, severity, detail });

  const sem = k.mm.mmap_sem;
  check('mmap_sem released', sem.readers === 0 && !sem.writer, `readers ${sem.readers}, writer ${sem.writer ? 'held' : 'free'}`);
  check('locked_vm back to 0', k.mm.locked_vm === 0, `locked_vm ${k.mm.locked_vm} pages`);
  check('IOMMU empty', k.domain.empty, `${k.domain.mappedBytes / PAGE_SIZE} pages still mapped`);
  check('no vfio_dma left', k.vfio.dma_list.rb_node === null, `${k.vfio.dmas().length} vfio_dma left`);

  // guest RAM folios: every reference taken was dropped, none dropped that was not taken
  let folios = 0;
  let first = '';
  for (const r of k.mem.allRegions()) {
    if (r.refs.dirty === 0) continue;
    folios += r.refs.dirty;
    if (!first) {
      const i = r.refs.firstNonzero();
      first = `pfn ${hex(r.basePfn + i * r.folioPages)} (${r.owner}) ${signed(r.refs.get(i))}`;
    }
  }
  check('page references back (guest RAM)', folios === 0, folios === 0 ? 'all folios at their start count' : `${folios} folios off; first ${first}`);

  // host pages: a put on a page never got is a bad page state; reserved pages are never freed
  const bad: string[] = [];
  let reservedRefs = 0;
  for (const [pfn, d] of k.mem.hostRefs) {
    if (k.mem.PageReserved(pfn)) reservedRefs += d;
    else bad.push(`pfn ${hex(pfn)} ${signed(d)}`);
  }
  check('page references back (host RAM)', bad.length === 0,
    bad.length === 0 ? 'no host page touched' : `${bad.length} host pages off${bad.some((b) => b.includes(' -')) ? ' (bad page state: put_page on pages never pinned)' : ''}; first ${bad[0]}`);
  if (reservedRefs !== 0) {
    check('reserved page references', false,
      `${signed(reservedRefs)} references on reserved pages (the zero page) never dropped: put_pfn() skips reserved pages`, 'warn');
  }
  return out;
}

const signed = (d: number): string => (d > 0 ? `+${d}` : String(d));
