// Shared fast-check generators for the property tests (test/property-*.test.ts): random
// Layouts built directly as kernel/ data (every backing kind, holes, aligned and unaligned
// BARs, placements, limits, IOMMU page sizes) and random DMA request sequences resolved
// against them (overlapping, unaligned, zero-sized, wrapping, partly outside any VMA, across
// VMA boundaries, read-only and read-write, repeated; ioctl flags VADDR, ALL and
// GET_DIRTY_BITMAP, short argsz), on type1 v1 and v2 containers with small dma_entry_limits.
//
// Seeds: every property runs with the fixed SEED below, so CI always sees the same cases; on a
// failure fast-check prints the seed, the path and the shrunk counter-example. Set
// VFIO_PIN_BENCH_LONG=1 for ten times as many cases and VFIO_PIN_BENCH_SEED=<n> to explore
// other seeds locally.

import fc from 'fast-check';
import type { Backing, DmaRequest, Layout, LayoutVma, PhysRange, Placement, UnmapFlagName, VmFlagName } from '../src/model/layout.ts';
import { planRam, ramNeeded, RamShortage } from '../src/kernel/ram_plan.ts';

export const K = 1024;
export const M = 1024 * K;
export const G = 1024 * M;
export const PAGE = 4096;
export const U64 = 2 ** 64; // page-aligned values up to U64 - PAGE are exact Numbers

/** VFIO_PIN_BENCH_LONG=1: thousands of cases per property instead of a few hundred. */
export const LONG = process.env.VFIO_PIN_BENCH_LONG === '1';
/** The fixed seed CI runs with (VFIO_PIN_BENCH_SEED overrides it for local exploration). */
export const SEED = process.env.VFIO_PIN_BENCH_SEED !== undefined ? Number(process.env.VFIO_PIN_BENCH_SEED) : 0x5eed6;

/** fast-check parameters: the fixed seed, `runs` cases (x10 with VFIO_PIN_BENCH_LONG=1). */
export function params<T>(runs: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  // includeErrorInReport: the failed assertion (which property, which request) goes into the
  // message next to the seed, path and shrunk counter-example, not only into error.cause
  return { seed: SEED, numRuns: LONG ? runs * 10 : runs, includeErrorInReport: true, ...extra };
}

const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;

// --- layouts --------------------------------------------------------------------------

export type Kind = 'anon' | 'thp' | 'hugetlb-2m' | 'hugetlb-1g' | 'pfnmap';

export type PlacementSpec =
  | { policy: 'contiguous' }
  | { policy: 'scattered' }
  | { policy: 'runs'; folios: number }
  | { policy: 'geometric'; folios: number };

/** One VMA, symbolically: where it goes is decided when the layout is built. */
export interface VmaSpec {
  kind: Kind;
  /** 4 KiB pages for anon / thp / pfnmap; huge pages for hugetlb. */
  pages: number;
  populated: boolean;
  /** undefined: the host kernel's vfio-pci decides (no what-if override). */
  pfnPopulated: 'mmap' | 'fault' | undefined;
  leaf: number | undefined;
  touched: boolean;
  /** hole before the VMA, pages (0: adjacent to the previous VMA). */
  gapPages: number;
  /** start alignment (raised to the hugetlb page size) and a page skew after it (unaligned BARs, THP edges). */
  align: number;
  skewPages: number;
  prot: 'rw' | 'r' | 'w' | 'none';
  extra: VmFlagName[];
  placement: PlacementSpec;
  /** pfnmap only: its MMIO range's alignment, skew, gap before it, offset of the VMA and slack after it. */
  mmioAlign: number;
  mmioSkewPages: number;
  mmioGapPages: number;
  mmioOffsetPages: number;
  mmioSlackPages: number;
  /** map the previous pfnmap VMA's MMIO range again (two mmaps of one BAR) instead of a range of its own. */
  shareMmio: boolean;
}

export interface SystemSpec {
  seed: number;
  /** null: unlimited; else bytes. */
  memlock: number | null;
  capIpcLock: boolean;
  disableHugepages: boolean;
  /** vfio_iommu_type1 dma_entry_limit: mostly the default, sometimes small enough to hit -ENOSPC (5.1+). */
  dmaEntryLimit: number;
  /** VFIO_TYPE1_IOMMU (v1) or VFIO_TYPE1v2_IOMMU container. */
  iommuType: 'type1' | 'type1v2';
  pgsizes: number[];
  fgsp: boolean;
  /** where the first VMA goes (low, the usual mmap area, high below 2^53). */
  vaBase: number;
  /** extra RAM ranges before the one sized to fit: [size in pages, gap before it in pages]. */
  ramExtra: [number, number][];
  /** the sized RAM range's gap and alignment; its position among the MMIO ranges. */
  ramGapPages: number;
  ramAlign: number;
  ramSlot: number;
}

const pow2 = (lo: number, hi: number): number[] => {
  const out: number[] = [];
  for (let s = lo; s <= hi; s *= 2) out.push(s);
  return out;
};

export const PGSIZE_SETS: number[][] = [
  [4 * K, 2 * M, G], // VT-d
  [4 * K, 2 * M, G],
  [4 * K],
  [4 * K, 2 * M],
  [4 * K, G],
  pow2(4 * K, G), // AMD-Vi v1: every power of two
  [4 * K, 64 * K, 2 * M],
  [8 * K, 2 * M], // no 4 KiB: the minimum page size is above PAGE_SIZE
  [2 * M, G],
];

const placementArb = (maxFolios: number): fc.Arbitrary<PlacementSpec> =>
  fc.oneof(
    fc.constant<PlacementSpec>({ policy: 'contiguous' }),
    fc.constant<PlacementSpec>({ policy: 'scattered' }),
    fc.record({ policy: fc.constant('runs' as const), folios: fc.integer({ min: 1, max: maxFolios }) }),
    fc.record({ policy: fc.constant('geometric' as const), folios: fc.integer({ min: 1, max: maxFolios }) }),
  );

const EXTRA_FLAGS: VmFlagName[] = ['VM_LOCKED', 'VM_DONTDUMP', 'VM_SHARED'];
// VM_IO / VM_PFNMAP in "flags" on a RAM-backed VMA are refused by the validator (they once let
// 4.16 compute a pfn from vm_pgoff = 0 and map the host kernel image); the fixtures property
// checks the refusal. They are not generated here.

export function vmaSpecArb(): fc.Arbitrary<VmaSpec> {
  const kind = fc.oneof(
    { arbitrary: fc.constant<Kind>('anon'), weight: 5 },
    { arbitrary: fc.constant<Kind>('thp'), weight: 4 },
    { arbitrary: fc.constant<Kind>('hugetlb-2m'), weight: 3 },
    { arbitrary: fc.constant<Kind>('hugetlb-1g'), weight: 1 },
    { arbitrary: fc.constant<Kind>('pfnmap'), weight: 5 },
  );
  return kind.chain((k) =>
    fc.record({
      kind: fc.constant(k),
      pages:
        k === 'hugetlb-1g' ? fc.constant(1)
        : k === 'hugetlb-2m' ? fc.integer({ min: 1, max: 8 })
        : k === 'thp' ? fc.integer({ min: 1, max: 3 * 512 + 7 })
        : k === 'pfnmap' ? fc.oneof(fc.integer({ min: 1, max: 2048 }), fc.constantFrom(512, 4096, 16384))
        : fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 4096 })),
      populated: fc.boolean(),
      pfnPopulated: fc.constantFrom<'mmap' | 'fault' | undefined>('mmap', 'fault', undefined, undefined),
      leaf: fc.constantFrom<number | undefined>(4 * K, 2 * M, G, undefined, undefined),
      touched: fc.boolean(),
      gapPages: fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 1, max: 1024 })),
      align: fc.constantFrom(4 * K, 2 * M, G),
      skewPages: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 600 }), weight: 1 }),
      prot: fc.oneof(
        { arbitrary: fc.constant<'rw'>('rw'), weight: 8 },
        { arbitrary: fc.constantFrom<'r' | 'w' | 'none'>('r', 'w', 'none'), weight: 2 },
      ),
      extra: fc.subarray(EXTRA_FLAGS),
      placement: placementArb(k === 'anon' ? 64 : 4),
      mmioAlign: fc.constantFrom(4 * K, 2 * M, G),
      mmioSkewPages: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 600 })),
      mmioGapPages: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4096 })),
      mmioOffsetPages: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 600 })),
      mmioSlackPages: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 600 })),
      shareMmio: fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, { arbitrary: fc.constant(true), weight: 1 }),
    }),
  );
}

export function systemSpecArb(): fc.Arbitrary<SystemSpec> {
  return fc.record({
    seed: fc.oneof(fc.constantFrom(0, 1, 2 ** 32 - 1), fc.nat({ max: 2 ** 32 - 1 })),
    memlock: fc.oneof(
      { arbitrary: fc.constant(null), weight: 2 },
      { arbitrary: fc.integer({ min: 0, max: 8192 }).map((p) => p * PAGE), weight: 2 },
      { arbitrary: fc.integer({ min: 0, max: 64 * M }), weight: 1 }, // not a page multiple: floor()ed
    ),
    capIpcLock: fc.boolean(),
    disableHugepages: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
    dmaEntryLimit: fc.oneof({ arbitrary: fc.constant(65535), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 4 }), weight: 1 }),
    iommuType: fc.constantFrom<'type1' | 'type1v2'>('type1', 'type1v2'),
    pgsizes: fc.oneof(
      { arbitrary: fc.constantFrom(...PGSIZE_SETS.slice(0, -2)), weight: 24 },
      { arbitrary: fc.constantFrom(...PGSIZE_SETS.slice(-2)), weight: 1 },
    ),
    fgsp: fc.boolean(),
    vaBase: fc.constantFrom(0x1000, 0x10000000, 0x7f0000000000, 2 ** 52),
    ramExtra: fc.array(fc.tuple(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 0, max: 1024 })), { maxLength: 2 }),
    ramGapPages: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4096 })),
    ramAlign: fc.constantFrom(4 * K, 2 * M, G),
    ramSlot: fc.nat(),
  });
}

const RW: VmFlagName[] = ['VM_READ', 'VM_WRITE'];
const protFlags = (p: VmaSpec['prot']): VmFlagName[] => (p === 'rw' ? RW : p === 'r' ? ['VM_READ'] : p === 'w' ? ['VM_WRITE'] : []);

function placementOf(p: PlacementSpec, folio: number): Placement {
  switch (p.policy) {
    case 'contiguous':
    case 'scattered':
      return { policy: p.policy };
    case 'runs':
      return { policy: 'runs', bytes: p.folios * folio };
    case 'geometric':
      return { policy: 'geometric', meanBytes: p.folios * folio };
  }
}

/** Flags as layout/flags.ts vmaFlags() derives them: prot, the backing's, the extras, in VM_FLAG_NAMES order. */
const ORDER: VmFlagName[] = ['VM_READ', 'VM_WRITE', 'VM_SHARED', 'VM_IO', 'VM_PFNMAP', 'VM_HUGETLB', 'VM_HUGEPAGE', 'VM_DONTEXPAND', 'VM_DONTDUMP', 'VM_LOCKED'];
function flagsOf(prot: VmaSpec['prot'], backing: VmFlagName[], extra: VmFlagName[]): VmFlagName[] {
  const set = new Set<VmFlagName>([...protFlags(prot), ...backing, ...extra]);
  return ORDER.filter((f) => set.has(f));
}

/** Builds a Layout (without requests) from the specs: VMAs in order with their holes, RAM and MMIO ranges. */
export function buildLayout(sys: SystemSpec, specs: VmaSpec[]): Layout {
  const vmas: LayoutVma[] = [];
  const mmio: (PhysRange & { gap: number; align: number; skew: number })[] = [];
  let va = sys.vaBase;
  specs.forEach((s, i) => {
    const name = `v${i}`;
    let backing: Backing;
    let size: number;
    let flags: VmFlagName[];
    let align = s.align;
    let skew = s.skewPages * PAGE;
    switch (s.kind) {
      case 'anon':
      case 'thp':
        size = s.pages * PAGE;
        backing = { kind: s.kind, populated: s.populated, placement: placementOf(s.placement, s.kind === 'thp' ? 2 * M : PAGE) };
        flags = flagsOf(s.prot, s.kind === 'thp' ? ['VM_HUGEPAGE'] : [], s.extra);
        break;
      case 'hugetlb-2m':
      case 'hugetlb-1g': {
        const hp = s.kind === 'hugetlb-2m' ? 2 * M : G;
        size = s.pages * hp;
        align = Math.max(align, hp);
        skew = 0;
        backing = { kind: 'hugetlb', pageSize: hp, placement: placementOf(s.placement, hp) };
        flags = flagsOf(s.prot, ['VM_HUGETLB', 'VM_SHARED', 'VM_DONTEXPAND'], s.extra.filter((f) => f !== 'VM_SHARED'));
        break;
      }
      case 'pfnmap': {
        size = s.pages * PAGE;
        const shared = s.shareMmio && mmio.length > 0 ? mmio[mmio.length - 1]! : null;
        const range = shared?.name ?? `m${i}`;
        if (shared !== null) shared.size = Math.max(shared.size, (s.mmioOffsetPages + s.pages) * PAGE);
        else mmio.push({ name: range, base: 0, size: (s.mmioOffsetPages + s.pages + s.mmioSlackPages) * PAGE, gap: s.mmioGapPages * PAGE, align: s.mmioAlign, skew: s.mmioSkewPages * PAGE });
        backing = {
          kind: 'pfnmap', mmio: range, offset: s.mmioOffsetPages * PAGE, touched: s.touched,
          ...(s.pfnPopulated === undefined ? {} : { populated: s.pfnPopulated }), ...(s.leaf === undefined ? {} : { leafSize: s.leaf }),
        };
        flags = flagsOf(s.prot, ['VM_SHARED', 'VM_IO', 'VM_PFNMAP', 'VM_DONTEXPAND', 'VM_DONTDUMP'], s.extra);
        break;
      }
    }
    const start = alignUp(va + (i === 0 ? 0 : s.gapPages * PAGE), align) + skew;
    vmas.push({ name, start, size, flags, backing });
    va = start + size;
  });

  // Physical: the extra RAM ranges, then the MMIO ranges with the sized RAM range slotted among
  // them (so a BAR may sit right below or above guest RAM: pfns past a BAR can be RAM).
  const ram: PhysRange[] = [];
  let pa = 4 * G;
  sys.ramExtra.forEach(([pages, gap], i) => {
    const base = pa + gap * PAGE;
    ram.push({ name: `r${i + 1}`, base, size: pages * PAGE });
    pa = base + pages * PAGE;
  });
  const slot = sys.ramSlot % (mmio.length + 1);
  const placeRam = (): void => {
    const base = alignUp(pa + sys.ramGapPages * PAGE, sys.ramAlign);
    const need = Math.max(PAGE, alignUp(ramNeeded(vmas, base), PAGE));
    ram.unshift({ name: 'r0', base, size: need });
    pa = base + need;
  };
  mmio.forEach((m, i) => {
    if (i === slot) placeRam();
    m.base = alignUp(pa + m.gap, m.align) + m.skew;
    pa = m.base + m.size;
  });
  if (slot === mmio.length) placeRam();

  return {
    name: 'prop',
    description: 'property-test layout',
    system: {
      seed: sys.seed, memlock: sys.memlock, capIpcLock: sys.capIpcLock, disableHugepages: sys.disableHugepages,
      dmaEntryLimit: sys.dmaEntryLimit, iommuType: sys.iommuType,
      iommu: { pgsizes: sys.pgsizes, fgsp: sys.fgsp },
    },
    ram,
    mmio: mmio.map(({ name, base, size }) => ({ name, base, size })),
    vmas,
    requests: [],
  };
}

// --- requests -----------------------------------------------------------------------------

type AddrSpec =
  | { k: 'vma'; vma: number; page: number; huge: boolean }
  | { k: 'end'; vma: number; back: number }
  | { k: 'hole'; vma: number }
  | { k: 'abs'; value: number };

type SizeSpec =
  | { k: 'within'; n: number }
  | { k: 'pages'; n: number }
  | { k: 'toEnd'; extra: number }
  | { k: 'toVma'; vma: number; extra: number }
  | { k: 'zero' }
  | { k: 'abs'; value: number };

type IovaSpec =
  | { k: 'slot'; slot: number; page: number; huge: boolean }
  | { k: 'top'; back: number }
  /** the range ends exactly at 2^64 (before 6.18 no look-up sees such a vfio_dma) */
  | { k: 'endsAtTop' }
  | { k: 'sameAs'; req: number };

/** Unmap flags and a short argsz, mostly none. */
type UnmapExtra = { flags: UnmapFlagName[]; shortArgsz: boolean };

export type RequestSpec =
  | { op: 'map'; vaddr: AddrSpec; size: SizeSpec; iova: IovaSpec; prot: 'rw' | 'r' | 'w' | ''; unaligned: 0 | 1 | 2 | 3; bytes: number; shortArgsz: boolean }
  /** MAP_FLAG_VADDR over an earlier map's iova and size, with a new vaddr (prot '' as the kernel
   *  wants, or not), mostly after an UNMAP_FLAG_VADDR of that range */
  | { op: 'revaddr'; req: number; vaddr: AddrSpec; prot: 'rw' | ''; invalidateFirst: boolean }
  /** inside: start one page into the lower map (type1 v1: which vfio_dma the search meets first) */
  | ({ op: 'unmap'; k: 'exact' | 'cover'; req: number; req2: number; inside: boolean } & UnmapExtra)
  | ({ op: 'unmap'; k: 'around'; req: number; from: number; to: number } & UnmapExtra)
  | ({ op: 'unmap'; k: 'range'; iova: IovaSpec; size: SizeSpec; unaligned: boolean; bytes: number } & UnmapExtra)
  /** count adjacent maps of `pages` pages each from a VMA's start, in ascending, descending or
   *  middle-first order (different rb-tree shapes), then maybe an unmap from one page into the
   *  lowest to past the highest (type1 v1: the search path decides what goes) */
  | { op: 'mapRun'; vma: number; count: number; pages: number; slot: number; order: 'asc' | 'desc' | 'mid'; unmapInside: boolean }
  /** legacy: iova 0, size 2^64 - 4 KiB; ALL: the flag with iova = size = 0 (and VADDR) */
  | { op: 'unmap'; k: 'all'; how: 'legacy' | 'ALL' | 'ALL+VADDR' }
  | { op: 'repeat'; req: number };

const IOVA_SLOTS = [0, 2 * M, G, 4 * G, 0x380000000000, 2 ** 52, 2 ** 63];
const ABS_VADDRS = [0, PAGE, 2 ** 47, 2 ** 53 - PAGE, 2 ** 53, 2 ** 63, U64 - PAGE, U64 - 2 * PAGE];
const ABS_SIZES = [2 * G, 2 ** 53, 2 ** 63, U64 - PAGE];

const addrArb: fc.Arbitrary<AddrSpec> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('vma' as const), vma: fc.nat(), page: fc.nat(), huge: fc.boolean() }), weight: 8 },
  { arbitrary: fc.record({ k: fc.constant('end' as const), vma: fc.nat(), back: fc.integer({ min: 0, max: 8 }) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('hole' as const), vma: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('abs' as const), value: fc.constantFrom(...ABS_VADDRS) }), weight: 1 },
);

const sizeArb: fc.Arbitrary<SizeSpec> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('within' as const), n: fc.nat() }), weight: 6 },
  { arbitrary: fc.record({ k: fc.constant('pages' as const), n: fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 2048 }), fc.constantFrom(512, 1024)) }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('toEnd' as const), extra: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 1024 }), weight: 1 }) }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('toVma' as const), vma: fc.nat(), extra: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 64 })) }), weight: 2 },
  { arbitrary: fc.constant({ k: 'zero' as const }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('abs' as const), value: fc.constantFrom(...ABS_SIZES) }), weight: 1 },
);

const iovaArb: fc.Arbitrary<IovaSpec> = fc.oneof(
  {
    arbitrary: fc.record({
      k: fc.constant('slot' as const), slot: fc.nat({ max: IOVA_SLOTS.length - 1 }),
      page: fc.oneof(fc.constant(0), fc.nat({ max: 16 }), fc.nat({ max: 4096 })), huge: fc.boolean(),
    }),
    weight: 8,
  },
  { arbitrary: fc.record({ k: fc.constant('top' as const), back: fc.integer({ min: 1, max: 4096 }) }), weight: 1 },
  { arbitrary: fc.constant({ k: 'endsAtTop' as const }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('sameAs' as const), req: fc.nat() }), weight: 2 },
);

const unmapFlagsArb: fc.Arbitrary<UnmapFlagName[]> = fc.oneof(
  { arbitrary: fc.constant<UnmapFlagName[]>([]), weight: 12 },
  { arbitrary: fc.constant<UnmapFlagName[]>(['VADDR']), weight: 4 },
  { arbitrary: fc.constantFrom<UnmapFlagName[]>(['GET_DIRTY_BITMAP'], ['ALL'], ['GET_DIRTY_BITMAP', 'VADDR']), weight: 1 },
);
const shortArb = fc.oneof({ arbitrary: fc.constant(false), weight: 30 }, { arbitrary: fc.constant(true), weight: 1 });

export const requestSpecArb: fc.Arbitrary<RequestSpec> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('map' as const), vaddr: addrArb, size: sizeArb, iova: iovaArb,
      prot: fc.oneof(
        { arbitrary: fc.constant<'rw'>('rw'), weight: 8 },
        { arbitrary: fc.constant<'r'>('r'), weight: 3 },
        { arbitrary: fc.constantFrom<'w' | ''>('w', ''), weight: 1 },
      ),
      // 0 aligned; 1 vaddr, 2 iova, 3 size off by `bytes`
      unaligned: fc.oneof({ arbitrary: fc.constant<0>(0), weight: 20 }, { arbitrary: fc.constantFrom<1 | 2 | 3>(1, 2, 3), weight: 1 }),
      bytes: fc.integer({ min: 1, max: PAGE - 1 }),
      shortArgsz: shortArb,
    }),
    weight: 10,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('revaddr' as const), req: fc.nat(), vaddr: addrArb,
      prot: fc.oneof({ arbitrary: fc.constant<''>(''), weight: 4 }, { arbitrary: fc.constant<'rw'>('rw'), weight: 1 }),
      invalidateFirst: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('unmap' as const), k: fc.constantFrom('exact' as const, 'cover' as const), req: fc.nat(), req2: fc.nat(), flags: unmapFlagsArb, shortArgsz: shortArb,
      inside: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
    }),
    weight: 3,
  },
  {
    // part of a mapping, or a range sticking out of it on either side (v2 refuses to split one)
    arbitrary: fc.record({
      op: fc.constant('unmap' as const), k: fc.constant('around' as const), req: fc.nat(), from: fc.integer({ min: -4, max: 4 }), to: fc.integer({ min: -4, max: 4 }),
      flags: unmapFlagsArb, shortArgsz: shortArb,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('unmap' as const), k: fc.constant('range' as const), iova: iovaArb, size: sizeArb, unaligned: fc.boolean(), bytes: fc.integer({ min: 1, max: PAGE - 1 }),
      flags: unmapFlagsArb, shortArgsz: shortArb,
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant('unmap' as const), k: fc.constant('all' as const), how: fc.constantFrom('legacy' as const, 'ALL' as const, 'ALL+VADDR' as const) }), weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant('mapRun' as const), vma: fc.nat(), count: fc.integer({ min: 2, max: 5 }), pages: fc.integer({ min: 1, max: 4 }),
      slot: fc.nat({ max: IOVA_SLOTS.length - 1 }), order: fc.constantFrom('asc' as const, 'desc' as const, 'mid' as const), unmapInside: fc.boolean(),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant('repeat' as const), req: fc.nat() }), weight: 1 },
);

const argsz = (short: boolean, n: number): { argsz?: number } => (short ? { argsz: n } : {});
const unmapExtra = (s: UnmapExtra): { flags?: UnmapFlagName[]; argsz?: number } =>
  ({ ...(s.flags.length > 0 ? { flags: s.flags } : {}), ...argsz(s.shortArgsz, s.flags.includes('GET_DIRTY_BITMAP') ? 24 : 23) });

/** Resolves symbolic request specs against a layout's VMAs into concrete DMA requests. */
export function resolveRequests(l: Layout, specs: RequestSpec[]): DmaRequest[] {
  const out: DmaRequest[] = [];
  const vmas = l.vmas;
  const vma = (i: number): LayoutVma => vmas[i % vmas.length]!;
  const addr = (a: AddrSpec): number => {
    switch (a.k) {
      case 'vma': {
        const v = vma(a.vma);
        const pages = v.size / PAGE;
        const step = a.huge ? 512 : 1; // 2 MiB steps: IOMMU superpages become possible
        return v.start + ((a.page * step) % pages) * PAGE;
      }
      case 'end':
        return Math.max(vma(a.vma).start, vma(a.vma).start + vma(a.vma).size - a.back * PAGE);
      case 'hole':
        return vma(a.vma).start - PAGE;
      case 'abs':
        return a.value;
    }
  };
  const size = (s: SizeSpec, from: number): number => {
    switch (s.k) {
      case 'within': {
        // 1 .. the pages left in the VMA holding `from`
        const v = vmas.find((x) => from >= x.start && from < x.start + x.size);
        return v === undefined ? PAGE : (1 + (s.n % ((v.start + v.size - from) / PAGE))) * PAGE;
      }
      case 'pages':
        return s.n * PAGE;
      case 'toEnd': {
        const v = vmas.find((x) => from >= x.start && from < x.start + x.size);
        return v === undefined ? (1 + s.extra) * PAGE : v.start + v.size - from + s.extra * PAGE;
      }
      case 'toVma': {
        const v = vma(s.vma);
        const end = v.start + v.size + s.extra * PAGE;
        return end > from ? end - from : (1 + s.extra) * PAGE;
      }
      case 'zero':
        return 0;
      case 'abs':
        return s.value;
    }
  };
  const iova = (s: IovaSpec, sz: number): number => {
    switch (s.k) {
      case 'endsAtTop':
        return sz > 0 && sz < U64 ? U64 - sz : U64 - PAGE;
      case 'slot':
        return IOVA_SLOTS[s.slot]! + s.page * (s.huge ? 2 * M : PAGE);
      case 'top':
        return U64 - s.back * PAGE;
      case 'sameAs': {
        const maps = out.filter((r) => r.op === 'map');
        return maps.length === 0 ? 0 : maps[s.req % maps.length]!.iova;
      }
    }
  };
  const maps = (): Extract<DmaRequest, { op: 'map' }>[] => out.filter((r): r is Extract<DmaRequest, { op: 'map' }> => r.op === 'map');
  for (const s of specs) {
    if (s.op === 'map') {
      let vaddr = addr(s.vaddr);
      let sz = size(s.size, vaddr);
      let io = iova(s.iova, sz);
      // unaligned by a few bytes only below 2^53, where the sum stays exact (every value must
      // be an exact integer below 2^64: the __u64 the ioctl takes)
      if (s.unaligned === 1 && vaddr < 2 ** 52) vaddr += s.bytes;
      if (s.unaligned === 2 && io < 2 ** 52) io += s.bytes;
      if (s.unaligned === 3 && sz < 2 ** 52) sz += s.bytes;
      out.push({ op: 'map', vaddr, iova: io, size: sz, read: s.prot.includes('r'), write: s.prot.includes('w'), ...argsz(s.shortArgsz, 31) });
    } else if (s.op === 'revaddr') {
      const ms = maps();
      if (ms.length === 0) continue;
      const m = ms[s.req % ms.length]!;
      if (s.invalidateFirst) out.push({ op: 'unmap', iova: m.iova, size: m.size, flags: ['VADDR'] });
      out.push({ op: 'map', vaddr: addr(s.vaddr), iova: m.iova, size: m.size, read: s.prot === 'rw', write: s.prot === 'rw', flags: ['VADDR'] });
    } else if (s.op === 'mapRun') {
      const v = vma(s.vma);
      const sz = s.pages * PAGE;
      const idx = Array.from({ length: s.count }, (_, i) => i);
      const order = s.order === 'asc' ? idx : s.order === 'desc' ? idx.reverse() : [...idx.slice(s.count >> 1), ...idx.slice(0, s.count >> 1)];
      const base = IOVA_SLOTS[s.slot]! + 64 * M;
      for (const i of order) out.push({ op: 'map', vaddr: v.start + i * sz, iova: base + i * sz, size: sz, read: true, write: true });
      if (s.unmapInside) out.push({ op: 'unmap', iova: base + PAGE, size: s.count * sz });
    } else if (s.op === 'repeat') {
      if (out.length > 0) out.push({ ...out[s.req % out.length]! });
    } else if (s.k === 'all') {
      if (s.how === 'legacy') out.push({ op: 'unmap', iova: 0, size: U64 - PAGE });
      else out.push({ op: 'unmap', iova: 0, size: 0, flags: s.how === 'ALL' ? ['ALL'] : ['ALL', 'VADDR'] });
    } else if (s.k === 'around') {
      const ms = maps();
      if (ms.length === 0) continue;
      const m = ms[s.req % ms.length]!;
      const lo = Math.max(0, m.iova + s.from * PAGE);
      const hi = Math.min(U64 - PAGE, m.iova + m.size + s.to * PAGE);
      out.push({ op: 'unmap', iova: lo, size: hi > lo ? hi - lo : PAGE, ...unmapExtra(s) });
    } else if (s.k === 'exact' || s.k === 'cover') {
      const ms = maps();
      if (ms.length === 0) continue;
      const a = ms[s.req % ms.length]!;
      const b = s.k === 'cover' ? ms[s.req2 % ms.length]! : a;
      const lo = Math.min(a.iova, b.iova) + (s.inside ? PAGE : 0);
      const hi = Math.max(a.iova + a.size, b.iova + b.size, lo + PAGE);
      out.push({ op: 'unmap', iova: lo, size: Math.min(hi - lo, U64 - PAGE), ...unmapExtra(s) });
    } else if (s.k === 'range') {
      const sz = size(s.size, 0);
      let io = iova(s.iova, sz);
      if (s.unaligned && io < 2 ** 52) io += s.bytes;
      out.push({ op: 'unmap', iova: io, size: sz, ...unmapExtra(s) });
    }
  }
  return out;
}

/** A generated case: the layout with its requests resolved. */
export interface Case {
  layout: Layout;
}

/** Random layouts (1 to `maxVmas` VMAs) with 1 to `maxRequests` requests; the RAM plan always fits. */
export function caseArb(maxVmas = 20, maxRequests = 12): fc.Arbitrary<Case> {
  return fc
    .record({
      sys: systemSpecArb(),
      vmas: fc.array(vmaSpecArb(), { minLength: 1, maxLength: maxVmas }),
      reqs: fc.array(requestSpecArb, { minLength: 1, maxLength: maxRequests }),
    })
    .map(({ sys, vmas, reqs }) => {
      const layout = buildLayout(sys, vmas);
      layout.requests = resolveRequests(layout, reqs);
      return { layout };
    })
    .filter(({ layout }) => fitsRam(layout));
}

/** planRam() places every RAM-backed VMA of the layout. */
function fitsRam(layout: Layout): boolean {
  try {
    planRam(layout);
    return true;
  } catch (e) {
    if (e instanceof RamShortage) return false;
    throw e;
  }
}

/** A compact, exact description of a case for reports: system, VMAs, ranges and requests. */
export function describeCase(l: Layout): string {
  const hex = (n: number): string => '0x' + n.toString(16);
  const sz = (n: number): string => (n % G === 0 && n > 0 ? `${n / G}G` : n % M === 0 && n > 0 ? `${n / M}M` : n % K === 0 && n > 0 ? `${n / K}K` : String(n));
  const s = l.system;
  const lines = [
    `system: seed ${s.seed}, memlock ${s.memlock === null ? 'unlimited' : s.memlock}, capIpcLock ${s.capIpcLock}, disableHugepages ${s.disableHugepages}, ` +
      `pgsizes [${s.iommu.pgsizes.map(sz).join(',')}], fgsp ${s.iommu.fgsp}, ${s.iommuType}, dma_entry_limit ${s.dmaEntryLimit}`,
    ...l.ram.map((r) => `ram ${r.name} ${hex(r.base)}+${sz(r.size)}`),
    ...l.mmio.map((r) => `mmio ${r.name} ${hex(r.base)}+${sz(r.size)}`),
    ...l.vmas.map((v) => `vma ${v.name} ${hex(v.start)}+${sz(v.size)} ${JSON.stringify(v.backing)} [${v.flags.join(',')}]`),
    ...l.requests.map((r, i) => {
      const extra = `${r.flags ? ` flags ${r.flags.join('|')}` : ''}${r.argsz !== undefined ? ` argsz ${r.argsz}` : ''}`;
      return r.op === 'map'
        ? `#${i} map vaddr ${hex(r.vaddr)} iova ${hex(r.iova)} size ${sz(r.size)} ${r.read ? 'r' : ''}${r.write ? 'w' : ''}${extra}`
        : `#${i} unmap iova ${hex(r.iova)} size ${sz(r.size)}${extra}`;
    }),
  ];
  return lines.join('\n');
}
