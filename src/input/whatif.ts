// What-if layouts: BARs, guest RAM and system knobs from flags, alone or added to a fixture.
// The result goes through the same validator as a fixture.

import type { Backing, Layout, LayoutVma } from '../model/layout.ts';
import { PAGE_SIZE, SZ_1G, SZ_2M } from '../model/units.ts';
import {
  alignUp, BAR_IOVA_BASE, DEFAULT_PGSIZES, DEFAULT_RAM_BASE, HIGHMEM_IOVA, HOST_BAR_BASE, LOWMEM_SIZE,
  DEFAULT_SEED, MMAP_GUARD, USER_MMAP_BASE,
} from './constants.ts';
import { backingFlags, vmaFlags } from './flags.ts';
import { InputError } from '../model/errors.ts';
import { ramRangeFor } from '../kernel/ram_plan.ts';
import { validateLayout } from './validate.ts';
import { BACKINGS, describeWhatIf, parseWhatIf, type WhatIf, type Where } from './whatif-flags.ts';
import { checkPlacement } from './placement.ts';

const RW = { read: true, write: true };

const emptyLayout = (): Layout => ({
  name: 'what-if',
  description: '',
  system: { seed: DEFAULT_SEED, memlock: null, capIpcLock: false, disableHugepages: false, iommu: { pgsizes: [...DEFAULT_PGSIZES], fgsp: false } },
  ram: [], mmio: [], vmas: [], requests: [],
});

const uniqueName = (taken: { name: string }[], stem: string, numbered: boolean): string => {
  for (let i = 0; ; i++) {
    const n = !numbered && i === 0 ? stem : `${stem}${numbered ? i : `-${i}`}`;
    if (!taken.some((t) => t.name === n)) return n;
  }
};

/** Above every existing range (RAM and MMIO), at least `min`, aligned. */
const nextRange = (l: Layout, min: number, align: number): number =>
  alignUp(Math.max(min, ...[...l.ram, ...l.mmio].map((r) => r.base + r.size)), align);
/** After the existing RAM ranges if that overlaps nothing, else above every range. */
function nextRamRange(l: Layout, size: number): number {
  const base = alignUp(Math.max(DEFAULT_RAM_BASE, ...l.ram.map((r) => r.base + r.size)), SZ_1G);
  const clash = l.mmio.some((r) => r.base < base + size && base < r.base + r.size);
  return clash ? nextRange(l, DEFAULT_RAM_BASE, SZ_1G) : base;
}
/** Above every existing VMA plus a guard page, at least USER_MMAP_BASE, aligned. */
const nextVma = (l: Layout, align: number): number =>
  alignUp(Math.max(USER_MMAP_BASE, ...l.vmas.map((v) => v.start + v.size + MMAP_GUARD)), align);
/** Above every IOVA a map request asks for, at least `min`, aligned. */
const nextIova = (l: Layout, min: number, align: number): number =>
  alignUp(Math.max(min, ...l.requests.map((r) => (r.op === 'map' ? r.iova + r.size : 0))), align);

/** A RAM-backed VMA with a new backing: derived flags recomputed, the user's extra flags kept. */
function rebacked(v: LayoutVma, b: Backing): LayoutVma {
  const old = new Set<string>([...backingFlags(v.backing), 'VM_READ', 'VM_WRITE']);
  const extra = v.flags.filter((f) => !old.has(f));
  const populated = v.backing.kind === 'anon' || v.backing.kind === 'thp' ? v.backing.populated : true;
  const backing: Backing = b.kind === 'hugetlb' ? b : b.kind === 'pfnmap' ? b : { kind: b.kind, populated, placement: b.placement };
  const prot = { read: v.flags.includes('VM_READ'), write: v.flags.includes('VM_WRITE') };
  return { ...v, backing, flags: vmaFlags(prot, backing, extra) };
}

export function applyWhatIf(base: Layout | null, w: WhatIf, where: Where = (f) => f): Layout {
  const p = parseWhatIf(w, where);
  const bars = p.bar ?? [];
  if (base === null && bars.length === 0 && p.ram === undefined) {
    throw new InputError('what-if: without a fixture, give --bar <size> and/or --ram <size> to build a layout from');
  }
  if (w.barTouched === true && bars.length === 0) throw new InputError(`${where('--bar-touched')}: applies to the BARs --bar adds; give --bar <size>`);

  const text = describeWhatIf(w);
  const l: Layout = base === null ? emptyLayout() : structuredClone(base);
  l.name = base === null ? 'what-if' : `${base.name}-what-if`;
  l.description = base === null ? text : `${base.description} (what-if: ${text})`;
  // where each item came from, for messages: "--bar: vmas[2].size: ..."
  const first = text.split(' ')[0]!;
  const origin: Record<string, string[]> = {
    vmas: l.vmas.map(() => first), ram: l.ram.map(() => first), mmio: l.mmio.map(() => first), requests: l.requests.map(() => first),
  };
  const add = <T>(list: T[], key: string, flag: string, item: T): T => {
    list.push(item);
    origin[key]!.push(flag);
    return item;
  };

  if (p.memlock !== undefined) l.system.memlock = p.memlock;
  if (p.capIpcLock === true) l.system.capIpcLock = true;
  if (p.disableHugepages === true) l.system.disableHugepages = true;
  if (p.iommuPgsizes !== undefined) l.system.iommu.pgsizes = p.iommuPgsizes;
  if (p.backing !== undefined && p.ram === undefined) {
    l.vmas = l.vmas.map((v, i) => {
      if (v.backing.kind === 'pfnmap') return v;
      origin.vmas![i] = '--backing';
      return rebacked(v, p.backing!);
    });
  }

  if (p.ram !== undefined) {
    const backing = p.backing ?? BACKINGS.thp!;
    const align = Math.max(SZ_2M, backing.kind === 'hugetlb' ? backing.pageSize : 0);
    const name = uniqueName(l.vmas, 'guest-ram', false);
    const vma = add(l.vmas, 'vmas', '--ram', { name, start: nextVma(l, align), size: p.ram, flags: vmaFlags(RW, backing, []), backing });
    const range = ramRangeFor(uniqueName([...l.ram, ...l.mmio], 'ram', true), 0, [vma]);
    add(l.ram, 'ram', '--ram', { ...range, base: nextRamRange(l, range.size) });
    // q35 without a fixture: up to 2 GiB at iova 0, the rest at 4 GiB; after a fixture: above its IOVAs.
    const low = base === null ? Math.min(p.ram, LOWMEM_SIZE) : p.ram;
    const iova = base === null ? 0 : nextIova(l, 0, SZ_1G);
    const label = low < p.ram ? `${name} below 4G` : name;
    add(l.requests, 'requests', '--ram', { op: 'map', label, vaddr: vma.start, iova, size: low, ...RW });
    if (low < p.ram) {
      add(l.requests, 'requests', '--ram',
        { op: 'map', label: `${name} above 4G`, vaddr: vma.start + low, iova: HIGHMEM_IOVA, size: p.ram - low, ...RW });
    }
  }

  for (const bar of bars) {
    const name = uniqueName([...l.vmas, ...l.mmio, ...l.ram], 'bar', true);
    add(l.mmio, 'mmio', '--bar', { name, base: nextRange(l, HOST_BAR_BASE, bar.align), size: bar.size });
    const backing: Backing = { kind: 'pfnmap', mmio: name, offset: 0, touched: w.barTouched === true };
    const vma = add(l.vmas, 'vmas', '--bar', { name, start: nextVma(l, bar.align), size: bar.size, flags: vmaFlags(RW, backing, []), backing });
    const iova = nextIova(l, BAR_IOVA_BASE, bar.align);
    add(l.requests, 'requests', '--bar', { op: 'map', label: `${name} (--bar ${bar.text})`, vaddr: vma.start, iova, size: bar.size, ...RW });
  }

  if (p.seed !== undefined) l.system.seed = p.seed;
  if (p.placement !== undefined) {
    const placement = p.placement;
    l.vmas = l.vmas.map((v) => {
      if (v.backing.kind === 'pfnmap') return v;
      const folio = v.backing.kind === 'hugetlb' ? v.backing.pageSize : v.backing.kind === 'thp' ? SZ_2M : PAGE_SIZE;
      checkPlacement(placement, folio, (m) => {
        throw new InputError(`${where('--placement')}: VMA "${v.name}": ${m}`);
      });
      return { ...v, backing: { ...v.backing, placement } };
    });
  }

  const fallback = p.ram !== undefined ? '--ram' : p.backing !== undefined ? '--backing' : first;
  return validateLayout(l, (path) => {
    const m = /^(vmas|ram|mmio|requests)\[(\d+)\]/.exec(path);
    const flag = (m !== null ? origin[m[1]!]![Number(m[2])] : undefined) ?? fallback;
    return path === '' ? where(flag) : `${where(flag)}: ${path}`;
  });
}
