// `import smaps`: a VMM's /proc/<pid>/smaps -> a fixture. Guest RAM VMAs keep their backing
// (4 KiB anon, THP, hugetlbfs, shared memfd/shm), vfio-pci BAR mmaps (VmFlags io + pf) their
// size and alignment; everything else is left out. What could not be read from smaps is guessed,
// and every guess is a line of the fixture's "notes", with how to override it.

import { SZ_1G, SZ_2M, PAGE_SIZE } from '../model/units.ts';
import { InputError } from '../model/errors.ts';
import { alignUp, BAR_IOVA_BASE, HIGHMEM_IOVA, HOST_BAR_BASE } from './constants.ts';
import { formatHex, formatSize, isPowerOfTwo } from './size.ts';
import type { SmapsVma } from './smaps.ts';

/** A RAM VMA at least this large is guest RAM (QEMU's ROMs, VRAM and ACPI blocks are smaller). */
const GUEST_RAM_MIN = 128 * 1024 * 1024;
/** q35 keeps all RAM below 4 GiB up to 2.75 GiB, else the first 2 GiB (QEMU hw/i386/pc_q35.c pc_q35_init()). */
const Q35_LOWMEM_ALL = 0xb0000000;
const Q35_LOWMEM = 0x80000000;
/** vfio-pci's region offsets: index << VFIO_PCI_OFFSET_SHIFT (40); BARs are indexes 0..5. */
const VFIO_PCI_OFFSET_SHIFT = 40n;

type Json = Record<string, unknown>;

export interface SmapsImportOptions {
  /** the file as named in messages and notes. */
  file: string;
  name: string;
  /** start addresses of the VMAs that are guest RAM, replacing the guess. */
  guestRam?: number[];
}

type VmaRole = 'guest-ram' | 'ram-block' | 'bar' | 'other';

export interface ClassifiedVma {
  vma: SmapsVma;
  role: VmaRole;
  name: string;
}

/** "1GiB", "132KiB", "4096": the largest binary unit that divides exactly (the fixture grammar). */
function sizeText(n: number): string {
  for (const [s, u] of [[2 ** 40, 'TiB'], [2 ** 30, 'GiB'], [2 ** 20, 'MiB'], [2 ** 10, 'KiB']] as const) {
    if (n >= s && n % s === 0) return `${n / s}${u}`;
  }
  return String(n);
}

const has = (v: SmapsVma, flag: string): boolean => v.flags.includes(flag);
const kb = (v: SmapsVma, key: string): number => v.fields.get(key) ?? 0;
const pct = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(part === whole || part === 0 ? 0 : 1)}%`;
/** The largest power of two dividing x, at most 1 GiB: the alignment a mapping got. */
const alignmentOf = (x: number): number => {
  let a = PAGE_SIZE;
  while (a < SZ_1G && x % (a * 2) === 0) a *= 2;
  return a;
};

/** A vfio-pci BAR mmap: VM_IO | VM_PFNMAP, and MAP_SHARED (vfio_pci_core_mmap() refuses a private
 *  mapping); [vvar] is io pf too, but private. */
const isBar = (v: SmapsVma): boolean => has(v, 'io') && has(v, 'pf') && v.shared && !v.path.startsWith('[');

/** Memory a VMM could hand a guest: read-write, not executable, anonymous or shared memory (not a library or [heap]). */
function ramCandidate(v: SmapsVma): boolean {
  if (!v.read || !v.write || v.exec || has(v, 'io') || has(v, 'pf')) return false;
  // anonymous memory, and hugetlb pages whether of a hugetlbfs file or MAP_HUGETLB ("/anon_hugepage")
  if (v.path === '' || v.path.startsWith('[anon:') || has(v, 'ht')) return true;
  if (v.path.startsWith('[')) return false;
  // memfd, /dev/shm or another file QEMU mapped shared as a RAM block (memory-backend-file, -memfd)
  return v.shared && (has(v, 'dc') || v.path.startsWith('/memfd:') || v.path.startsWith('/dev/shm/'));
}

/** Which VMAs are guest RAM, QEMU RAM blocks, vfio-pci BARs; the notes say how that was decided. */
export function classify(vmas: SmapsVma[], o: SmapsImportOptions, notes: string[]): ClassifiedVma[] {
  const qemu = vmas.some((v) => ramCandidate(v) && has(v, 'dc'));
  let ramN = 0;
  let barN = 0;
  const out = vmas.map((vma): ClassifiedVma => {
    if (isBar(vma)) return { vma, role: 'bar', name: `bar${barN++}` };
    if (!ramCandidate(vma) || (qemu && !has(vma, 'dc'))) return { vma, role: 'other', name: '' };
    const big = vma.end - vma.start >= GUEST_RAM_MIN;
    return { vma, role: big ? 'guest-ram' : 'ram-block', name: '' };
  });
  if (o.guestRam !== undefined) {
    for (const start of o.guestRam) {
      const c = out.find((x) => x.vma.start === start);
      if (c === undefined) throw new InputError(`--guest-ram: no VMA starts at ${formatHex(start)} in ${o.file}`);
      if (c.role === 'bar' || !c.vma.read || !c.vma.write) {
        throw new InputError(`--guest-ram: the VMA at ${formatHex(start)} (${o.file}:${c.vma.line}) is ${c.role === 'bar' ? 'a BAR mmap (io pf)' : 'not read-write'}, not guest RAM`);
      }
    }
    for (const c of out) {
      if (o.guestRam.includes(c.vma.start)) c.role = 'guest-ram';
      else if (c.role === 'guest-ram') c.role = 'ram-block';
    }
    notes.push(`guest RAM: the VMAs at ${o.guestRam.map(formatHex).join(', ')}, as --guest-ram said`);
  } else {
    notes.push(qemu
      ? `guest RAM: QEMU RAM blocks (read-write, not executable, VmFlags dc: QEMU 7.2 madvises every RAM block MADV_DONTFORK) of ${formatSize(GUEST_RAM_MIN)} or more; ` +
        'smaller blocks are ROMs, VRAM and ACPI tables. Override: import smaps --guest-ram <VMA start> (repeatable)'
      : `guest RAM: read-write, not executable anonymous or shared-memory VMAs of ${formatSize(GUEST_RAM_MIN)} or more (no QEMU RAM block, VmFlags dc, found). ` +
        'Override: import smaps --guest-ram <VMA start> (repeatable)');
  }
  for (const c of out) if (c.role === 'guest-ram') c.name = `ram${ramN++}`;
  return out;
}

/** The fixture "backing" and "flags" of a guest RAM VMA, with notes on what was guessed. */
function ramBacking(v: SmapsVma, name: string, where: string, notes: string[]): { backing: Json; flags: string[] } {
  const size = v.end - v.start;
  const pageSize = kb(v, 'KernelPageSize');
  const flags = has(v, 'lo') ? ['VM_LOCKED'] : [];
  if (has(v, 'ht') || pageSize > PAGE_SIZE) {
    if (pageSize !== SZ_2M && pageSize !== SZ_1G) throw new InputError(`${where}: hugetlb page size ${formatSize(pageSize)}: the simulator has 2 MiB and 1 GiB (x86-64)`);
    const faulted = kb(v, 'Shared_Hugetlb') + kb(v, 'Private_Hugetlb');
    notes.push(`${name}: hugetlbfs, ${formatSize(pageSize)} pages (KernelPageSize, VmFlags ht)` +
      (faulted < size ? `; only ${formatSize(faulted)} of ${formatSize(size)} faulted in, but hugetlb VMAs are modelled populated (prealloc)` : ''));
    return { backing: { kind: 'hugetlb', pageSize: sizeText(pageSize) }, flags };
  }
  const rss = kb(v, 'Rss');
  const thp = kb(v, 'AnonHugePages');
  const populated = 2 * rss >= size;
  const touched = `Rss ${formatSize(rss)} of ${formatSize(size)} (${pct(rss, size)}): populated: ${populated}` +
    (populated ? '' : ', MAP_DMA faults it in; set "populated": true if the guest will have touched it all');
  if (v.shared) {
    notes.push(`${name}: shared memory (${v.path || 'MAP_SHARED anonymous'}), 4 KiB pages (${thp > 0 || kb(v, 'ShmemPmdMapped') > 0 ? 'its shmem THP is modelled as 4 KiB' : 'no ShmemPmdMapped'}); ${touched}`);
    return { backing: { kind: 'anon', populated }, flags: [...flags, 'VM_SHARED'] };
  }
  // a THP needs an aligned 2 MiB inside the VMA
  const room = alignUp(v.start, SZ_2M) + SZ_2M <= v.end;
  const isThp = thp > 0 || (rss === 0 && has(v, 'hg') && room);
  const why = thp > 0
    ? `THP: AnonHugePages ${formatSize(thp)}${thp < rss ? ` of Rss ${formatSize(rss)} (the 4 KiB rest is modelled as THP too)` : ''}`
    : isThp ? 'THP guessed: nothing faulted in yet, VmFlags hg (MADV_HUGEPAGE)'
      : !room ? '4 KiB pages: no aligned 2 MiB fits in it'
        : `4 KiB pages: AnonHugePages 0 kB${has(v, 'hg') ? ' despite VmFlags hg (THP disabled or unavailable?)' : ''}; say "kind": "thp" to model THP`;
  notes.push(`${name}: private anonymous, ${why}; ${touched}`);
  return { backing: { kind: isThp ? 'thp' : 'anon', populated }, flags };
}

/** The fixture's "mmio" range, VMA and notes of a BAR mmap. */
function barParts(c: ClassifiedVma, where: string, nextBase: number, notes: string[]): { mmio: Json; vma: Json; end: number } {
  const v = c.vma;
  const size = v.end - v.start;
  const span = isPowerOfTwo(size) ? size : 2 ** Math.ceil(Math.log2(size));
  const index = v.offset >> VFIO_PCI_OFFSET_SHIFT;
  const inRegion = v.offset & ((1n << VFIO_PCI_OFFSET_SHIFT) - 1n);
  // vfio-pci's vm_pgoff: the BAR's pfn before 6.10, its region offset (index << 40) since aac6db75a9fc
  const offsetSays = index <= 5n && inRegion < BigInt(span)
    ? `the offset column reads as vfio-pci region ${index} + ${formatHex(Number(inRegion))} (6.10+)`
    : `the offset column ${formatHex(Number(v.offset))} reads as its host physical address (vfio-pci before 6.10)`;
  const base = alignUp(nextBase, span);
  const how = `${offsetSays}; placed at host ${formatHex(base)}, aligned to ${formatSize(span)} as PCI BARs are, which is what the counts depend on`;
  notes.push(`${c.name}: a vfio-pci BAR mmap (${where}, VmFlags io pf), ${formatSize(size)} mmapped ${formatSize(alignmentOf(v.start))} aligned; ${how}. ` +
    'touched: false: smaps cannot show whether its page tables are filled (PFNMAP pages count nowhere in smaps); ' +
    'set "touched": true if the VMM or KVM accessed the whole BAR before MAP_DMA');
  const prot = `${v.read ? 'r' : ''}${v.write ? 'w' : ''}`;
  return {
    mmio: { name: c.name, base: formatHex(base), size: sizeText(size) },
    vma: { name: c.name, start: formatHex(v.start), size: sizeText(size), ...(prot === 'rw' ? {} : { prot }), backing: { kind: 'pfnmap', mmio: c.name, touched: false } },
    end: base + span,
  };
}

/** The VMAs (and MMIO ranges) of a fixture for the classified VMAs the caller keeps. */
export function fixtureVmas(kept: ClassifiedVma[], file: string, notes: string[]): { vmas: Json[]; mmio: Json[] } {
  const vmas: Json[] = [];
  const mmio: Json[] = [];
  let nextBase = HOST_BAR_BASE;
  for (const c of kept) {
    const where = `${file}:${c.vma.line}`;
    if (c.role === 'bar') {
      const b = barParts(c, where, nextBase, notes);
      mmio.push(b.mmio);
      vmas.push(b.vma);
      nextBase = b.end;
      continue;
    }
    const { backing, flags } = ramBacking(c.vma, c.name, where, notes);
    const prot = `${c.vma.read ? 'r' : ''}${c.vma.write ? 'w' : ''}`;
    vmas.push({
      name: c.name, start: formatHex(c.vma.start), size: sizeText(c.vma.end - c.vma.start), ...(prot === 'rw' ? {} : { prot }),
      ...(flags.length > 0 ? { flags } : {}), backing,
    });
  }
  return { vmas, mmio };
}

/** `import smaps`: the fixture JSON (unvalidated: the caller runs it through parseFixture). */
export function smapsFixture(vmas: SmapsVma[], o: SmapsImportOptions): Json {
  const notes: string[] = [];
  const classified = classify(vmas, o, notes);
  const ram = classified.filter((c) => c.role === 'guest-ram');
  const bars = classified.filter((c) => c.role === 'bar');
  if (ram.length === 0 && bars.length === 0) {
    throw new InputError(`${o.file}: no guest RAM VMA and no BAR mmap found (${vmas.length} VMAs read); name the guest RAM with --guest-ram <VMA start>`);
  }
  const left = classified.filter((c) => c.role === 'ram-block').length;
  if (left > 0) notes.push(`left out: ${left} smaller QEMU RAM block${left === 1 ? '' : 's'} (ROMs, VRAM, ACPI tables); import qemu-trace brings in the ones QEMU maps`);
  notes.push(`left out: ${classified.filter((c) => c.role === 'other').length} other VMAs (the VMM's code and libraries, heap, stacks, guard pages, a TCG code buffer)`);
  const kept = [...ram, ...bars].sort((a, b) => a.vma.start - b.vma.start);
  const { vmas: fvmas, mmio } = fixtureVmas(kept, o.file, notes);

  // requests: guest RAM as q35 maps it, then each BAR for peer-to-peer
  const requests: Json[] = [];
  let iova = 0;
  ram.forEach((c, i) => {
    const size = c.vma.end - c.vma.start;
    if (i === 0) {
      const below = size >= Q35_LOWMEM_ALL ? Q35_LOWMEM : size;
      requests.push({ op: 'map', label: `${c.name} below 4G`, vaddr: { vma: c.name }, iova: '0x0', size: sizeText(below) });
      if (below < size) requests.push({ op: 'map', label: `${c.name} above 4G`, vaddr: { vma: c.name, offset: sizeText(below) }, iova: formatHex(HIGHMEM_IOVA), size: 'whole' });
      iova = below < size ? HIGHMEM_IOVA + size - below : HIGHMEM_IOVA;
    } else {
      iova = alignUp(iova, SZ_1G);
      requests.push({ op: 'map', label: c.name, vaddr: { vma: c.name }, iova: formatHex(iova), size: 'whole' });
      iova += size;
    }
  });
  let barIova = BAR_IOVA_BASE;
  for (const c of bars) {
    const size = c.vma.end - c.vma.start;
    barIova = alignUp(barIova, isPowerOfTwo(size) ? size : 2 ** Math.ceil(Math.log2(size)));
    requests.push({ op: 'map', label: `${c.name} (p2p)`, vaddr: { vma: c.name }, iova: formatHex(barIova), size: 'whole' });
    barIova += size;
  }
  if (ram.length > 0) {
    notes.push('IOVAs guessed: the first guest RAM VMA as QEMU q35 lays it out (all below 4 GiB up to 2.75 GiB, else 2 GiB at iova 0 and the rest at 4 GiB, ' +
      'ignoring the holes at 640 KiB - 1 MiB), further RAM VMAs above it 1 GiB aligned; import qemu-trace gives the real sections');
  }
  if (bars.length > 0) notes.push(`IOVAs guessed: BARs from ${formatHex(BAR_IOVA_BASE)} up, each aligned to its size (the guest programs the real ones; import qemu-trace gives them)`);
  notes.push('physical placement: not in smaps (it is in /proc/<pid>/pagemap): the defaults (THP and hugetlb folios scattered, 4 KiB pages in runs of ~31) model a long-running host; add "placement": "contiguous" for a fresh one');
  notes.push('no unmaps: a VM start maps its memory and keeps it');

  const kinds = ram.map((c) => {
    const v = fvmas.find((x) => x.name === c.name)!;
    return `${v.size as string} ${(v.backing as Json).kind as string}`;
  });
  const summary = `${ram.length > 0 ? `guest RAM ${kinds.join(', ')}` : 'no guest RAM'}, ${bars.length} BAR mmap${bars.length === 1 ? '' : 's'}`;
  return {
    version: 1,
    name: o.name,
    description: `imported from ${o.file} by vfio-pin-bench import smaps: ${summary}; mapped as a VM start would (notes say what was guessed)`,
    notes,
    ...(mmio.length > 0 ? { mmio } : {}),
    vmas: fvmas,
    requests,
  };
}

/** A fixture name from a file path: "fixtures/real/qemu-7.2-thp-1g/smaps" -> "qemu-7-2-thp-1g". */
export function fixtureNameFor(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
  let base = parts.at(-1) ?? 'imported';
  if (/^(smaps|trace|log|vfio-trace)(\.(log|txt))?$/i.test(base) && parts.length > 1) base = parts.at(-2)!;
  const name = base.toLowerCase().replace(/(\.(txt|log|smaps|trace))+$/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return name === '' ? 'imported' : name;
}
