// Units shared by every layer (x86-64).

/** The page size the model supports (x86-64 PAGE_SIZE). */
export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
export const SZ_2M = 2 * 1024 * 1024;
export const SZ_1G = 1024 * 1024 * 1024;
