// fixture "requests" -> DmaRequest[]. Only well-formedness is checked here: what the kernel
// refuses (unaligned, zero size, no VMA, overlapping IOVA, prot none, flags its era does not
// know, a short argsz) it must see.

import { MAP_FLAG_NAMES, UNMAP_FLAG_NAMES, type DmaRequest, type LayoutVma } from '../model/layout.ts';
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

/** "flags": a list of distinct flag names (VFIO_DMA_{MAP,UNMAP}_FLAG_<name>); omitted when empty. */
function parseFlags<T extends string>(v: unknown, at: At, names: readonly T[]): { flags?: T[] } {
  if (v === undefined) return {};
  const list = array(v, at).map((f, i) => oneOf(f, at.idx(i), names));
  list.forEach((f, i) => {
    if (list.indexOf(f) !== i) at.idx(i).fail(`${JSON.stringify(f)} is given twice`);
  });
  return list.length === 0 ? {} : { flags: list };
}

/** "argsz": the struct's __u32 argsz, to try what the ioctl does with a short one. */
function parseArgsz(v: unknown, at: At): { argsz?: number } {
  if (v === undefined) return {};
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2 ** 32 - 1) {
    return at.expected('an integer from 0 to 4294967295 (the __u32 argsz)', v);
  }
  return { argsz: v };
}

const MAP_KEYS = ['op', 'label', 'vaddr', 'iova', 'size', 'prot', 'flags', 'argsz'];
const UNMAP_KEYS = ['op', 'label', 'iova', 'size', 'flags', 'argsz'];

export function parseRequests(v: unknown, at: At, vmas: readonly LayoutVma[]): DmaRequest[] {
  const byName = new Map<string, LayoutVma>();
  for (const x of vmas) if (!byName.has(x.name)) byName.set(x.name, x); // the first of a name, as a scan would find
  return array(v, at).map((item, i): DmaRequest => {
    const a = at.idx(i);
    const op = oneOf(object(item, a, MAP_KEYS, ['op']).op, a.key('op'), ['map', 'unmap'] as const);
    if (op === 'unmap') {
      // VFIO_DMA_UNMAP_FLAG_ALL takes iova 0 and size 0: both may then be left out
      const flags = parseFlags(object(item, a, UNMAP_KEYS).flags, a.key('flags'), UNMAP_FLAG_NAMES);
      const all = flags.flags?.includes('ALL') === true;
      const o = object(item, a, UNMAP_KEYS, all ? [] : ['iova', 'size']);
      const label = o.label === undefined ? {} : { label: string(o.label, a.key('label')) };
      const iova = o.iova === undefined ? 0 : parseU64(o.iova, a.key('iova').where, 'address');
      const size = o.size === undefined ? 0 : parseU64(o.size, a.key('size').where, 'size');
      return { op, ...label, iova, size, ...flags, ...parseArgsz(o.argsz, a.key('argsz')) };
    }
    const o = object(item, a, MAP_KEYS, ['vaddr', 'iova', 'size']);
    const label = o.label === undefined ? {} : { label: string(o.label, a.key('label')) };
    const iova = parseU64(o.iova, a.key('iova').where, 'address');
    const flags = parseFlags(o.flags, a.key('flags'), MAP_FLAG_NAMES);
    const { vaddr, vma } = parseVaddr(o.vaddr, a.key('vaddr'), vmas, byName);
    let size: number;
    if (o.size === 'whole') {
      if (vma === null) return a.key('size').fail('"whole" needs "vaddr": { "vma": ... } to say whose whole');
      size = vma.start + vma.size - vaddr;
    } else {
      size = parseU64(o.size, a.key('size').where, 'size');
    }
    // VFIO_DMA_MAP_FLAG_VADDR takes no READ / WRITE: prot defaults to none with it
    const vaddrOnly = flags.flags?.includes('VADDR') === true;
    const prot = o.prot === undefined ? (vaddrOnly ? 'none' : 'rw') : oneOf(o.prot, a.key('prot'), PROT_VALUES);
    return { op, ...label, vaddr, iova, size, ...protOf(prot), ...flags, ...parseArgsz(o.argsz, a.key('argsz')) };
  });
}
