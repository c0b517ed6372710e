// `show <fixture>`: a Layout (plain data from model/layout.ts) as tables: system settings, physical
// ranges, VMAs, their placement and DMA requests. Only the Layout type is imported; nothing of the kernel model.

import type { Backing, Layout } from '../../model/layout.ts';
import { cell, renderTable, type Grid } from '../grid.ts';
import { makeChalk, type ReportOptions } from '../style.ts';
import { placementGrid } from './placement.ts';
import { formatBytes, formatHex, formatPageSize } from '../units.ts';

function rangeText(start: number, size: number): string {
  return `${formatHex(start)}-${formatHex(start + size)}`;
}

function backingText(b: Backing): string {
  switch (b.kind) {
    case 'anon': return `anon 4K, ${b.populated ? 'populated (MAP_POPULATE)' : 'on fault'}`;
    case 'thp': return `anon THP (MADV_HUGEPAGE), ${b.populated ? 'populated' : 'on fault'}`;
    case 'hugetlb': return `hugetlbfs ${formatPageSize(b.pageSize)}`;
    case 'pfnmap': {
      const whatIf = [
        ...(b.populated === undefined ? [] : [b.populated === 'mmap' ? 'ptes at mmap' : 'ptes on fault']),
        ...(b.leafSize === undefined ? [] : [`leaves up to ${formatPageSize(b.leafSize)}`]),
      ];
      return `pfnmap ${b.mmio}+${formatHex(b.offset)}, ${b.touched ? 'touched before MAP_DMA' : 'untouched'}` +
        (whatIf.length === 0 ? '' : ` (what-if: ${whatIf.join(', ')})`);
    }
  }
}

function systemText(layout: Layout): string {
  const s = layout.system;
  const memlock = s.memlock === null ? 'unlimited' : formatBytes(s.memlock);
  const pgsizes = s.iommu.pgsizes.map(formatPageSize).join(', ');
  return `RLIMIT_MEMLOCK ${memlock}; CAP_IPC_LOCK ${s.capIpcLock ? 'yes' : 'no'}; ` +
    `disable_hugepages ${s.disableHugepages ? 'yes' : 'no'}; IOMMU page sizes ${pgsizes}` +
    (s.iommu.fgsp ? ' (fine-grained superpages)' : '') +
    // the defaults (65535, type1v2) are left unsaid
    (s.dmaEntryLimit !== 65535 ? `; dma_entry_limit ${s.dmaEntryLimit}` : '') +
    (s.iommuType === 'type1' ? '; VFIO_TYPE1_IOMMU (v1) container' : '');
}

function physGrid(layout: Layout): Grid {
  const rows = [
    ...layout.ram.map((r) => ['RAM', r] as const),
    ...layout.mmio.map((r) => ['MMIO', r] as const),
  ].map(([kind, r]) => [cell(kind), cell(r.name, 'strong'), cell(rangeText(r.base, r.size)), cell(formatBytes(r.size))]);
  return { head: ['kind', 'name', 'physical range', 'size'], align: ['left', 'left', 'left', 'right'], rows };
}

export function vmaGrid(layout: Layout): Grid {
  return {
    head: ['vma', 'address range', 'size', 'flags', 'backing'],
    align: ['left', 'left', 'right', 'left', 'left'],
    rows: layout.vmas.map((v) => [
      cell(v.name, 'strong'), cell(rangeText(v.start, v.size)), cell(formatBytes(v.size)),
      cell(v.flags.join('|')), cell(backingText(v.backing)),
    ]),
  };
}

/** "gpu-bar+0x1000" for an address inside a VMA, else the bare hex address. */
function vaddrText(layout: Layout, vaddr: number): string {
  const vma = layout.vmas.find((v) => vaddr >= v.start && vaddr < v.start + v.size);
  return vma === undefined ? formatHex(vaddr) : `${vma.name}+${formatHex(vaddr - vma.start)}`;
}

export function requestGrid(layout: Layout): Grid {
  return {
    head: ['#', 'op', 'label', 'vaddr', 'iova', 'size', 'prot'],
    align: ['right', 'left', 'left', 'left', 'left', 'right', 'left'],
    rows: layout.requests.map((r, i) => [
      cell(String(i)), cell(r.op), cell(r.label ?? ''),
      cell(r.op === 'map' ? vaddrText(layout, r.vaddr) : ''),
      cell(formatHex(r.iova)), cell(formatBytes(r.size)),
      cell(r.op === 'map' ? `${r.read ? 'r' : '-'}${r.write ? 'w' : '-'}` : ''),
    ]),
  };
}

export function formatLayout(layout: Layout, source: string, opts: ReportOptions): string {
  const c = makeChalk(opts.color);
  const desc = layout.description === '' ? '' : `: ${layout.description}`;
  return [
    `${c.bold(layout.name)}${desc}`,
    c.dim(`from ${source}`),
    systemText(layout),
    '',
    c.bold('Physical memory:'),
    renderTable(physGrid(layout), c),
    '',
    c.bold('VMAs:'),
    renderTable(vmaGrid(layout), c),
    '',
    c.bold(`Placement in physical memory (placement seed ${layout.system.seed}):`),
    renderTable(placementGrid(layout), c),
    '',
    c.bold('DMA requests, in order:'),
    renderTable(requestGrid(layout), c),
  ].join('\n') + '\n';
}
