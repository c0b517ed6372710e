// `import qemu-trace <trace> --smaps <smaps>`: QEMU's vfio listener events become the fixture's
// DMA requests in the order QEMU issued them; the smaps of the same QEMU process says what each
// host virtual address is (which VMA, what backs it). Only the VMAs the trace maps are kept.
// QEMU's listener (hw/vfio/common.c, listener.c vfio_listener_region_add()/_del()): a RAM
// section is mapped whole at its page-aligned IOVA from the vaddr it traces; a ram_device (BAR)
// section not aligned to the IOMMU page size is traced, then not mapped (no_dma_map), and its
// region_del is not unmapped either.

import { InputError } from '../model/errors.ts';
import { formatHex } from './size.ts';
import { classify, fixtureVmas, type ClassifiedVma, type SmapsImportOptions } from './smaps-fixture.ts';
import type { SmapsVma } from './smaps.ts';
import type { TraceEvent } from './qemu-trace.ts';

type Json = Record<string, unknown>;

export interface TraceImportOptions extends SmapsImportOptions {
  /** the trace file as named in messages. */
  trace: string;
}

/** A request in trace order: a map names its VMA and the offset into it. */
interface Req {
  line: number;
  iova: string;
  size: string;
  map?: { c: ClassifiedVma; offset: number };
}

const hex = (n: bigint): string => `0x${n.toString(16)}`;
const U64 = 2n ** 64n;

/** A __u64 as the fixture grammar takes it: exact (page-aligned values above 2^53 are). */
function u64(n: bigint, where: string): string {
  if (n >= U64) throw new InputError(`${where}: ${hex(n)} does not fit the kernel's __u64`);
  if (n >= 2n ** 53n && BigInt(Number(n)) !== n) throw new InputError(`${where}: ${hex(n)} is above 2^53 and not page-aligned`);
  return hex(n);
}

export function traceFixture(events: TraceEvent[], vmas: SmapsVma[], o: TraceImportOptions): Json {
  const notes: string[] = [];
  const classified = classify(vmas, o, []);
  const at = (line: number): string => `${o.trace}:${line}`;

  // maps that QEMU traced and then did not map (a ram_device section not IOMMU-page aligned)
  const dropped = new Set<TraceEvent>();
  const droppedRanges: { iova: bigint; last: bigint }[] = [];
  let prev: TraceEvent | null = null;
  for (const e of events) {
    if (e.kind === 'no-dma-map') {
      if (prev?.kind === 'map' && prev.iova >= e.iova && prev.iova <= e.iova + e.size) {
        dropped.add(prev);
        droppedRanges.push({ iova: prev.iova, last: prev.last });
        notes.push(`${at(prev.line)}: not mapped: QEMU says region "${e.region}" is not aligned to the IOMMU page size (${at(e.line)})`);
      }
    }
    if (e.kind === 'map' || e.kind === 'unmap' || e.kind === 'no-dma-map') prev = e;
  }

  const used = new Map<ClassifiedVma, true>();
  const requests: Req[] = [];
  const live: { iova: bigint; last: bigint; line: number }[] = [];
  const vmaOf = (vaddr: bigint, size: bigint, line: number): ClassifiedVma => {
    const c = classified.find((x) => BigInt(x.vma.start) <= vaddr && vaddr < BigInt(x.vma.end));
    if (c === undefined) {
      throw new InputError(`${at(line)}: vaddr ${hex(vaddr)} is in no VMA of ${o.file}: the trace and the smaps must come from the same QEMU process`);
    }
    if (vaddr + size > BigInt(c.vma.end)) {
      throw new InputError(`${at(line)}: [${hex(vaddr)}, ${hex(vaddr + size)}) runs past the end of the VMA at ${o.file}:${c.vma.line} (${formatHex(c.vma.end)})`);
    }
    if (!c.vma.read) throw new InputError(`${at(line)}: vaddr ${hex(vaddr)} is in a VMA QEMU cannot read (${o.file}:${c.vma.line}): not a RAM section`);
    return c;
  };
  let maps = 0;
  let unmaps = 0;
  for (const e of events) {
    if (e.kind === 'map' && !dropped.has(e)) {
      const size = e.last - e.iova + 1n;
      const clash = live.find((l) => l.iova <= e.last && e.iova <= l.last);
      if (clash !== undefined) {
        throw new InputError(`${at(e.line)}: region_add ${hex(e.iova)} - ${hex(e.last)} overlaps ${hex(clash.iova)} - ${hex(clash.last)} ` +
          `mapped at line ${clash.line} and not deleted since: overlapping IOVA ranges`);
      }
      const c = vmaOf(e.vaddr, size, e.line);
      used.set(c, true);
      live.push({ iova: e.iova, last: e.last, line: e.line });
      requests.push({ line: e.line, iova: u64(e.iova, at(e.line)), size: u64(size, at(e.line)), map: { c, offset: Number(e.vaddr - BigInt(c.vma.start)) } });
      maps++;
    } else if (e.kind === 'unmap') {
      if (droppedRanges.some((d) => d.iova === e.iova && d.last === e.last)) continue;
      for (let i = live.length - 1; i >= 0; i--) if (live[i]!.iova >= e.iova && live[i]!.last <= e.last) live.splice(i, 1);
      const size = e.last - e.iova + 1n;
      // the unmap ioctl takes no 2^64 span: QEMU unmaps the two halves (vfio_listener_region_del())
      const parts = size === U64 ? [[e.iova, U64 / 2n], [e.iova + U64 / 2n, U64 / 2n]] : [[e.iova, size]];
      for (const [iova, sz] of parts) requests.push({ line: e.line, iova: u64(iova!, at(e.line)), size: u64(sz!, at(e.line)) });
      unmaps++;
    }
  }
  if (maps === 0) throw new InputError(`${o.trace}: no vfio_listener_region_add_ram line QEMU went on to map`);

  // name the VMAs the trace uses that the smaps import did not name (QEMU's smaller RAM blocks)
  const kept = [...used.keys()].sort((a, b) => a.vma.start - b.vma.start);
  let blocks = 0;
  for (const c of kept) if (c.name === '') c.name = `block${blocks++}`;
  const { vmas: fvmas, mmio } = fixtureVmas(kept, o.file, notes);

  const out: Json[] = requests.map(({ line, iova, size, map }) => {
    if (map === undefined) return { op: 'unmap', label: `line ${line}: region_del`, iova, size };
    const { c, offset } = map;
    return {
      op: 'map', label: `line ${line}: ${c.name}${offset === 0 ? '' : `+${formatHex(offset)}`}`,
      vaddr: { vma: c.name, ...(offset === 0 ? {} : { offset: formatHex(offset) }) }, iova, size,
    };
  });
  notes.push(`requests: ${maps} maps and ${unmaps} unmaps from ${o.trace} (vfio_listener_region_add_ram / _del), in QEMU's order; ` +
    `host addresses resolved in ${o.file}`);
  notes.push('prot rw on every map: the trace does not say which sections are read-only (QEMU maps ROMs VFIO_DMA_MAP_FLAG_READ only); ' +
    'say "prot": "r" on those if it matters (for memory QEMU has written it changes no call count)');
  const viommu = events.filter((e) => e.kind === 'viommu').length;
  if (viommu > 0) notes.push(`left out: ${viommu} guest vIOMMU events (vfio_iommu_map_notify, region_add [iommu]): their maps carry no host address in the trace`);
  const unused = classified.filter((c) => !used.has(c) && (c.role === 'guest-ram' || c.role === 'bar')).length;
  if (unused > 0) notes.push(`left out: ${unused} guest RAM or BAR VMAs of the smaps that the trace never maps`);
  return {
    version: 1,
    name: o.name,
    description: `imported from ${o.trace} and ${o.file} by vfio-pin-bench import qemu-trace: ${maps} DMA maps and ${unmaps} unmaps in QEMU's order over ${kept.length} VMAs`,
    notes,
    ...(mmio.length > 0 ? { mmio } : {}),
    vmas: fvmas,
    requests: out,
  };
}

