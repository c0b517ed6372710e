// Checks on where things are: RAM/MMIO ranges and VMAs (alignment, overlap, backing).

import type { Layout, PhysRange } from '../model/layout.ts';
import { VM_FLAG_NAMES } from '../model/layout.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { HOST_RAM_END, HUGETLB_SIZES, LEAF_SIZES } from './constants.ts';
import { NAME_EXPECTED, NAME_RE } from './json.ts';
import { ADDRESS_LIMIT, describe, formatHex, formatSize } from './size.ts';
import { didYouMean } from './suggest.ts';

/** Throws the InputError for `path`. */
export type Fail = (path: string, message: string) => never;

interface Span {
  path: string;
  what: string;
  start: number;
  end: number;
}

const span = (s: Span): string => `${s.what} [${formatHex(s.start)}, ${formatHex(s.end)})`;

/** Names both members of the first overlapping pair (spans in any order). */
function checkOverlaps(spans: Span[], fail: Fail): void {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let widest: Span | null = null;
  for (const s of sorted) {
    if (widest !== null && s.start < widest.end) fail(s.path, `${span(s)} overlaps ${span(widest)}`);
    if (widest === null || s.end > widest.end) widest = s;
  }
}

function multipleOf(n: number, of: number, path: string, fail: Fail, what: string, address: boolean): void {
  if (n % of !== 0) fail(path, `expected a multiple of ${what}, got ${address ? formatHex(n) : `${n} bytes`}`);
}

function checkEnd(s: Span, fail: Fail): void {
  if (s.end >= ADDRESS_LIMIT) fail(s.path, `${s.what} ends at or beyond 2^53, the limit of exact addresses this tool handles`);
}

function uniqueNames(items: { name: string; path: string }[], fail: Fail): void {
  const seen = new Map<string, string>();
  for (const it of items) {
    if (!NAME_RE.test(it.name)) fail(`${it.path}.name`, `expected ${NAME_EXPECTED}, got ${describe(it.name)}`);
    const prev = seen.get(it.name);
    if (prev !== undefined) fail(`${it.path}.name`, `duplicate name ${describe(it.name)} (also ${prev})`);
    seen.set(it.name, it.path);
  }
}

export function checkRanges(l: Layout, fail: Fail): void {
  const spans: Span[] = [];
  const each = (list: PhysRange[], key: string, kind: string): void =>
    list.forEach((r, i) => {
      const path = `${key}[${i}]`;
      multipleOf(r.base, PAGE_SIZE, `${path}.base`, fail, '4 KiB', true);
      multipleOf(r.size, PAGE_SIZE, `${path}.size`, fail, '4 KiB', false);
      if (r.size === 0) fail(`${path}.size`, 'expected a non-zero size, got 0');
      const s = { path, what: `${kind} range ${describe(r.name)}`, start: r.base, end: r.base + r.size };
      checkEnd(s, fail);
      if (r.base < HOST_RAM_END) {
        fail(path, `${span(s)} overlaps the model's host RAM [0x0, ${formatHex(HOST_RAM_END)}) ` +
          `(kept by the simulated kernel: kernel image, zero page); place it at or above ${formatHex(HOST_RAM_END)}`);
      }
      spans.push(s);
    });
  uniqueNames([...l.ram.map((r, i) => ({ name: r.name, path: `ram[${i}]` })),
    ...l.mmio.map((r, i) => ({ name: r.name, path: `mmio[${i}]` }))], fail);
  each(l.ram, 'ram', 'RAM');
  each(l.mmio, 'mmio', 'MMIO');
  checkOverlaps(spans, fail);
}

export function checkVmas(l: Layout, fail: Fail): void {
  uniqueNames(l.vmas.map((v, i) => ({ name: v.name, path: `vmas[${i}]` })), fail);
  const spans: Span[] = [];
  const mmio = new Map<string, PhysRange>();
  for (const r of l.mmio) if (!mmio.has(r.name)) mmio.set(r.name, r); // names are unique (checkRanges)
  l.vmas.forEach((v, i) => {
    const path = `vmas[${i}]`;
    multipleOf(v.start, PAGE_SIZE, `${path}.start`, fail, '4 KiB', true);
    multipleOf(v.size, PAGE_SIZE, `${path}.size`, fail, '4 KiB', false);
    if (v.size === 0) fail(`${path}.size`, 'expected a non-zero size, got 0');
    const s = { path, what: `VMA ${describe(v.name)}`, start: v.start, end: v.start + v.size };
    checkEnd(s, fail);
    v.flags.forEach((f, j) => {
      if (!(VM_FLAG_NAMES as readonly string[]).includes(f)) fail(`${path}.flags[${j}]`, `unknown flag ${describe(f)}${didYouMean(f, VM_FLAG_NAMES, `flags are ${VM_FLAG_NAMES.join(', ')}`)}`);
      // the kernel never puts these on anonymous or hugetlbfs memory (remap_pfn_range() sets them)
      if (v.backing.kind !== 'pfnmap' && (f === 'VM_IO' || f === 'VM_PFNMAP')) {
        fail(`${path}.flags`, `${f} is for device mappings (backing "pfnmap"), not a ${v.backing.kind} VMA`);
      }
    });
    // the model keeps per-page state in arrays indexed by 32-bit page numbers
    if (v.backing.kind !== 'pfnmap' && v.size / PAGE_SIZE > 2 ** 32 - 1) {
      fail(`${path}.size`, `expected at most 2^32 - 1 pages (16 TiB) for a RAM-backed VMA, got ${v.size / PAGE_SIZE} pages`);
    }
    const b = v.backing;
    const bp = `${path}.backing`;
    if (b.kind === 'hugetlb') {
      if (!HUGETLB_SIZES.includes(b.pageSize)) fail(`${bp}.pageSize`, `expected "2M" or "1G", got ${b.pageSize} bytes`);
      const what = `the hugetlb page size ${formatSize(b.pageSize)}`;
      multipleOf(v.start, b.pageSize, `${path}.start`, fail, what, true);
      multipleOf(v.size, b.pageSize, `${path}.size`, fail, what, false);
    } else if (b.kind === 'pfnmap') {
      const m = mmio.get(b.mmio);
      if (m === undefined) {
        const names = l.mmio.slice(0, 20).map((r) => r.name).join(', ') + (l.mmio.length > 20 ? `, ... (${l.mmio.length} in all)` : '') || 'none';
        fail(`${bp}.mmio`, `no MMIO range named ${describe(b.mmio)} (MMIO ranges: ${names})`);
      }
      multipleOf(b.offset, PAGE_SIZE, `${bp}.offset`, fail, '4 KiB', false);
      if (b.offset + v.size > m.size) {
        fail(`${bp}.offset`, `offset ${formatHex(b.offset)} + VMA size ${formatSize(v.size)} runs past the end of ` +
          `MMIO range ${describe(m.name)} (${formatSize(m.size)})`);
      }
      if (b.leafSize !== undefined && !LEAF_SIZES.includes(b.leafSize)) fail(`${bp}.leafSize`, `expected "4K", "2M" or "1G", got ${b.leafSize} bytes`);
    }
    spans.push(s);
  });
  checkOverlaps(spans, fail);
}
