// fixture "vmas" -> LayoutVma[]: backing, flags (derived + extra), "auto" placement.

import type { Backing, LayoutVma, VmFlagName } from '../model/layout.ts';
import { VM_FLAG_NAMES } from '../model/layout.ts';
import { PAGE_SIZE, SZ_2M } from '../model/units.ts';
import { alignUp, HUGETLB_SIZES, LEAF_SIZES, MMAP_GUARD, USER_MMAP_BASE } from './constants.ts';
import { PROT_VALUES, protOf, vmaFlags } from './flags.ts';
import { array, bool, name, object, oneOf, string, type At } from './json.ts';
import { defaultPlacement, parsePlacement } from './placement.ts';
import { describe, parseAddress, parsePowerOfTwo, parseSize } from './size.ts';

const KINDS = ['anon', 'thp', 'hugetlb', 'pfnmap'] as const;

function sizeIn(v: unknown, at: At, allowed: number[], expected: string): number {
  const n = parseSize(v, at.where);
  return allowed.includes(n) ? n : at.expected(expected, v);
}

export function parseBacking(v: unknown, at: At): Backing {
  const kind = oneOf(object(v, at, ['kind', 'populated', 'pageSize', 'mmio', 'offset', 'touched', 'leafSize', 'placement'], ['kind']).kind, at.key('kind'), KINDS);
  const placement = (o: Record<string, unknown>, k: 'anon' | 'thp' | 'hugetlb', folio: number) =>
    o.placement === undefined ? defaultPlacement(k) : parsePlacement(o.placement, at.key('placement'), folio);
  switch (kind) {
    case 'anon':
    case 'thp': {
      const o = object(v, at, ['kind', 'populated', 'placement']);
      // THP runs are whole 2 MiB folios (its 4 KiB head and tail pages follow the same policy)
      return {
        kind, populated: o.populated === undefined ? true : bool(o.populated, at.key('populated')),
        placement: placement(o, kind, kind === 'thp' ? SZ_2M : PAGE_SIZE),
      };
    }
    case 'hugetlb': {
      const o = object(v, at, ['kind', 'pageSize', 'placement'], ['pageSize']);
      const pageSize = sizeIn(o.pageSize, at.key('pageSize'), HUGETLB_SIZES, '"2M" or "1G" (the x86-64 hugetlb page sizes)');
      return { kind, pageSize, placement: placement(o, kind, pageSize) };
    }
    case 'pfnmap': {
      const o = object(v, at, ['kind', 'mmio', 'offset', 'touched', 'populated', 'leafSize'], ['mmio']);
      return {
        kind,
        mmio: string(o.mmio, at.key('mmio')),
        offset: o.offset === undefined ? 0 : parseSize(o.offset, at.key('offset').where),
        touched: o.touched === undefined ? false : bool(o.touched, at.key('touched')),
        ...(o.populated === undefined ? {} : { populated: oneOf(o.populated, at.key('populated'), ['mmap', 'fault'] as const) }),
        ...(o.leafSize === undefined ? {} : { leafSize: sizeIn(o.leafSize, at.key('leafSize'), LEAF_SIZES, '"4K", "2M" or "1G"') }),
      };
    }
  }
}

/** Default "align" of an auto VMA: its hugetlb page size, else 4 KiB. */
const defaultAlign = (b: Backing): number => (b.kind === 'hugetlb' ? b.pageSize : PAGE_SIZE);

export function parseVmas(v: unknown, at: At): LayoutVma[] {
  let cursor = USER_MMAP_BASE;
  return array(v, at).map((item, i) => {
    const a = at.idx(i);
    const o = object(item, a, ['name', 'start', 'align', 'size', 'prot', 'flags', 'backing'], ['name', 'size', 'backing']);
    const vmaName = name(o.name, a.key('name'));
    const size = parseSize(o.size, a.key('size').where);
    const backing = parseBacking(o.backing, a.key('backing'));
    const prot = o.prot === undefined ? 'rw' : oneOf(o.prot, a.key('prot'), PROT_VALUES);
    const extra: VmFlagName[] = o.flags === undefined ? [] :
      array(o.flags, a.key('flags')).map((f, j) => oneOf(f, a.key('flags').idx(j), VM_FLAG_NAMES));
    let start: number;
    if (o.start === undefined || o.start === 'auto') {
      const align = o.align === undefined ? defaultAlign(backing) : parsePowerOfTwo(o.align, a.key('align').where);
      start = alignUp(cursor, align);
    } else {
      if (o.align !== undefined) a.key('align').fail(`"align" goes with "start": "auto" only, got start ${describe(o.start)}`);
      start = parseAddress(o.start, a.key('start').where);
    }
    cursor = Math.max(cursor, start + size + MMAP_GUARD);
    return { name: vmaName, start, size, flags: vmaFlags(protOf(prot), backing, extra), backing };
  });
}
