// Addresses the layout builder places things at when the user does not say (x86-64, QEMU q35).

import { SZ_1G, SZ_2M, PAGE_SIZE } from '../model/units.ts';

export { HOST_RAM_END } from '../kernel/memory.ts';

/** Where "start": "auto" VMAs begin (an mmap area address typical of x86-64 processes). */
export const USER_MMAP_BASE = 0x7f0000000000;
/** The gap left after each VMA before an "auto" VMA (a guard page). */
export const MMAP_GUARD = PAGE_SIZE;
/** Base of the default RAM range: host RAM above the model's reserved [0, 4 GiB). */
export const DEFAULT_RAM_BASE = 0x100000000;
/** Host physical base of what-if BARs (high, naturally aligned, as firmware places 64-bit BARs). */
export const HOST_BAR_BASE = 0x3b0000000000;
/** Guest physical (IOVA) base of what-if BARs (QEMU puts 64-bit BARs high in the guest). */
export const BAR_IOVA_BASE = 0x380000000000;
/** q35 keeps at most this much guest RAM below 4 GiB; the rest goes to iova 4 GiB. */
export const LOWMEM_SIZE = 2 * SZ_1G;
export const HIGHMEM_IOVA = 4 * SZ_1G;
/** VT-d: 4 KiB | 2 MiB | 1 GiB. */
export const DEFAULT_PGSIZES = [PAGE_SIZE, SZ_2M, SZ_1G];
/** hugetlb page sizes and pfnmap CPU leaf sizes x86-64 has. */
export const HUGETLB_SIZES = [SZ_2M, SZ_1G];
export const LEAF_SIZES = [PAGE_SIZE, SZ_2M, SZ_1G];

export const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;

/** The default seed of the random placement policies. */
export const DEFAULT_SEED = 1;
