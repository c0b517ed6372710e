// Per-folio page reference deltas without a JS object per page (the page_ref_inc() /
// page_ref_dec() a pin leaves on struct page, Linux 4.16+): for huge folios an Int32 each; for
// order-0 pages two bits each (0, 1 or 2 in place: unpinned, pinned, pinned twice), so that a
// TiB of 4 KiB pages costs 64 MiB, not 256. Other values (negative, 3+) go to a Map.

/** two-bit code of an entry whose value is in the spill map. */
const SPILL2 = 3;
const SPILL32 = -0x80000000;
const MAX32 = 0x7ffffff0;

export class RefDeltas {
  /** wide: one Int32 per large folio (THP/hugetlb: up to 2^18 refs per pin). */
  private readonly wide: Int32Array | null;
  /** narrow: 2 bits per page, page i at bits 2*(i & 3) of byte i >> 2. */
  private readonly packed: Uint8Array | null;
  private readonly spill = new Map<number, number>();

  constructor(readonly length: number, wide: boolean) {
    this.wide = wide ? new Int32Array(length) : null;
    this.packed = wide ? null : new Uint8Array(Math.ceil(length / 4));
  }

  /** bytes of typed arrays per entry (kernel/footprint.ts estimates with this). */
  static bytesPerEntry(wide: boolean): number {
    return wide ? 4 : 0.25;
  }

  get(i: number): number {
    const w = this.wide;
    if (w !== null) {
      const v = w[i]!;
      return v === SPILL32 ? this.spill.get(i)! : v;
    }
    const v = (this.packed![i >> 2]! >> ((i & 3) << 1)) & 3;
    return v === SPILL2 ? this.spill.get(i)! : v;
  }

  add(i: number, n: number): void {
    const w = this.wide;
    if (w !== null) {
      const v = w[i]!;
      const x = v + n;
      if (v !== SPILL32 && x > -MAX32 && x < MAX32) w[i] = x;
      else this.set(i, this.get(i) + n);
      return;
    }
    const p = this.packed!;
    const sh = (i & 3) << 1;
    const b = p[i >> 2]!;
    const v = (b >> sh) & 3;
    const x = v + n;
    if (v !== SPILL2 && x >= 0 && x < SPILL2) p[i >> 2] = (b & ~(3 << sh)) | (x << sh);
    else this.set(i, this.get(i) + n);
  }

  /** add(i, n) for each of count entries from i. */
  addEach(i: number, count: number, n: number): void {
    const end = i + count;
    if (this.wide !== null) {
      for (; i < end; i++) this.add(i, n);
      return;
    }
    const p = this.packed!;
    if (n === 1 || n === -1) {
      // four pages a byte where no field leaves 0..2: +1 when no field is 2 or 3 (bit 1 clear),
      // -1 when every field is 1 or 2 (not 0, not 3)
      for (; i < end && (i & 3) !== 0; i++) this.add(i, n);
      const stop = end - 3;
      for (; i < stop; i += 4) {
        const byte = p[i >> 2]!;
        if (n === 1 ? (byte & 0xaa) === 0 : ((byte | (byte >> 1)) & 0x55) === 0x55 && (byte & (byte >> 1) & 0x55) === 0) {
          p[i >> 2] = byte + 0x55 * n;
        } else for (let q = i; q < i + 4; q++) this.add(q, n);
      }
    }
    for (; i < end; i++) {
      const sh = (i & 3) << 1;
      const b = p[i >> 2]!;
      const v = (b >> sh) & 3;
      const x = v + n;
      if (v !== SPILL2 && x >= 0 && x < SPILL2) p[i >> 2] = (b & ~(3 << sh)) | (x << sh);
      else this.set(i, this.get(i) + n);
    }
  }

  /** stores value w at i: in place when it fits, else in the spill map. */
  private set(i: number, w: number): void {
    const a = this.wide;
    if (a !== null) {
      if (w > -MAX32 && w < MAX32) {
        this.spill.delete(i);
        a[i] = w;
      } else {
        this.spill.set(i, w);
        a[i] = SPILL32;
      }
      return;
    }
    const p = this.packed!;
    const sh = (i & 3) << 1;
    let code = SPILL2;
    if (w >= 0 && w < SPILL2) {
      this.spill.delete(i);
      code = w;
    } else this.spill.set(i, w);
    p[i >> 2] = (p[i >> 2]! & ~(3 << sh)) | (code << sh);
  }

  /** number of entries whose delta is not zero (a scan: for the invariant checks only). */
  get dirty(): number {
    let n = 0;
    for (let i = this.firstNonzero(0); i >= 0; i = this.firstNonzero(i + 1)) n++;
    return n;
  }

  /** first index with a non-zero delta at or after `from`, or -1. */
  firstNonzero(from = 0): number {
    const a = this.wide;
    if (a !== null) {
      for (let i = from; i < a.length; i++) if (a[i] !== 0) return i;
      return -1;
    }
    const p = this.packed!;
    for (let i = from; i < this.length && (i & 3) !== 0; i++) if (this.get(i) !== 0) return i;
    for (let j = (from + 3) >> 2; j < p.length; j++) {
      if (p[j] === 0) continue;
      for (let i = j << 2; ; i++) if (this.get(i) !== 0) return i;
    }
    return -1;
  }
}
