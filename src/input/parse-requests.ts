// fixture "requests" -> DmaRequest[]. Only well-formedness is checked here: what the kernel
// refuses (unaligned, zero size, no VMA, overlapping IOVA, prot none) it must see.

import type { DmaRequest, LayoutVma } from '../model/layout.ts';
import { PROT_VALUES, protOf } from './flags.ts';
import { array, object, oneOf, string, type At } from './json.ts';
import { describe, formatHex, formatSize, parseSize, parseU64 } from './size.ts';

/** vaddr as an address, or { vma, offset } resolved against the VMAs (by name: a Map, not a scan per request). */
function parseVaddr(v: unknown, at: At, vmas: readonly LayoutVma[], byName: ReadonlyMap<string, LayoutVma>): { vaddr: number; vma: LayoutVma | null } {
  if (v === null || typeof v !== 'object') return { vaddr: parseU64(v, at.where, 'address'), vma: null };
  const o = object(v, at, ['vma', 'offset'], ['vma']);
  const name = string(o.vma, at.key('vma'));
  const vma = byName.get(name);
  if (vma === undefined) {
    const names = vmas.slice(0, 20).map((x) => x.name).join(', ') + (vmas.length > 20 ? `, ... (${vmas.length} in all)` : '');
    return at.key('vma').fail(`no VMA named ${describe(name)} (VMAs: ${names || 'none'})`);
  }
  const offset = o.offset === undefined ? 0 : parseSize(o.offset, at.key('offset').where);
  if (offset >= vma.size) {
    at.key('offset').fail(`offset ${formatHex(offset)} is past the end of VMA ${describe(name)} (${formatSize(vma.size)})`);
  }
  return { vaddr: vma.start + offset, vma };
}

export function parseRequests(v: unknown, at: At, vmas: readonly LayoutVma[]): DmaRequest[] {
  const byName = new Map<string, LayoutVma>();
  for (const x of vmas) if (!byName.has(x.name)) byName.set(x.name, x); // the first of a name, as a scan would find
  return array(v, at).map((item, i): DmaRequest => {
    const a = at.idx(i);
    const op = oneOf(object(item, a, ['op', 'label', 'vaddr', 'iova', 'size', 'prot'], ['op']).op, a.key('op'), ['map', 'unmap'] as const);
    const o = op === 'map'
      ? object(item, a, ['op', 'label', 'vaddr', 'iova', 'size', 'prot'], ['vaddr', 'iova', 'size'])
      : object(item, a, ['op', 'label', 'iova', 'size'], ['iova', 'size']);
    const label = o.label === undefined ? {} : { label: string(o.label, a.key('label')) };
    const iova = parseU64(o.iova, a.key('iova').where, 'address');
    if (op === 'unmap') return { op, ...label, iova, size: parseU64(o.size, a.key('size').where, 'size') };
    const { vaddr, vma } = parseVaddr(o.vaddr, a.key('vaddr'), vmas, byName);
    let size: number;
    if (o.size === 'whole') {
      if (vma === null) return a.key('size').fail('"whole" needs "vaddr": { "vma": ... } to say whose whole');
      size = vma.start + vma.size - vaddr;
    } else {
      size = parseU64(o.size, a.key('size').where, 'size');
    }
    const prot = o.prot === undefined ? 'rw' : oneOf(o.prot, a.key('prot'), PROT_VALUES);
    return { op, ...label, vaddr, iova, size, ...protOf(prot) };
  });
}
