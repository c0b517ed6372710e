// Per-folio page reference deltas without a JS object per page (the page_ref_inc() /
// page_ref_dec() a pin leaves on struct page, Linux 4.16+): for huge folios an Int32 each; for
// order-0 pages one bit each (0 or 1: unpinned or pinned once), so that a TiB of 4 KiB pages
// costs 32 MiB, not 256. Any other value (pinned twice, negative) lives in a Map, its bit clear.

const SPILL32 = -0x80000000;
const MAX32 = 0x7ffffff0;

export class RefDeltas {
  /** wide: one Int32 per large folio (THP/hugetlb: up to 2^18 refs per pin). */
  private readonly wide: Int32Array | null;
  /** narrow: 1 bit per page, page i at bit i & 7 of byte i >> 3; set = a delta of 1. */
  private readonly bits: Uint8Array | null;
  /** wide: values that do not fit; narrow: every value other than 0 and 1 (never 0). */
  private readonly spill = new Map<number, number>();

  constructor(readonly length: number, wide: boolean) {
    this.wide = wide ? new Int32Array(length) : null;
    this.bits = wide ? null : new Uint8Array(Math.ceil(length / 8));
  }

  /** bytes of typed arrays per entry (kernel/footprint.ts estimates with this). */
  static bytesPerEntry(wide: boolean): number {
    return wide ? 4 : 0.125;
  }

  get(i: number): number {
    const w = this.wide;
    if (w !== null) {
      const v = w[i]!;
      return v === SPILL32 ? this.spill.get(i)! : v;
    }
    if (this.spill.size !== 0) {
      const v = this.spill.get(i);
      if (v !== undefined) return v;
    }
    return (this.bits![i >> 3]! >> (i & 7)) & 1;
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
    if (this.spill.size === 0) {
      const b = this.bits!;
      const x = ((b[i >> 3]! >> (i & 7)) & 1) + n;
      if (x === 0) b[i >> 3] = b[i >> 3]! & ~(1 << (i & 7));
      else if (x === 1) b[i >> 3] = b[i >> 3]! | (1 << (i & 7));
      else this.set(i, x);
      return;
    }
    this.set(i, this.get(i) + n);
  }

  /** add(i, n) for each of count entries from i. */
  addEach(i: number, count: number, n: number): void {
    const end = i + count;
    const b = this.bits;
    if (b !== null && (n === 1 || n === -1)) {
      // eight pages a byte while nothing is spilled: 0 -> 1 on a clear byte, 1 -> 0 on a full one
      const from = n === 1 ? 0 : 0xff;
      for (; i < end && (i & 7) !== 0; i++) this.add(i, n);
      for (; i + 8 <= end; i += 8) {
        if (b[i >> 3] === from && this.spill.size === 0) b[i >> 3] = 0xff - from;
        else for (let q = i; q < i + 8; q++) this.add(q, n);
      }
    }
    for (; i < end; i++) this.add(i, n);
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
    const b = this.bits!;
    if (w === 0 || w === 1) this.spill.delete(i);
    else this.spill.set(i, w);
    if (w === 1) b[i >> 3] = b[i >> 3]! | (1 << (i & 7));
    else b[i >> 3] = b[i >> 3]! & ~(1 << (i & 7));
  }

  /** number of entries whose delta is not zero (for the invariant checks only). */
  get dirty(): number {
    const a = this.wide;
    if (a !== null) {
      let n = 0;
      for (let i = this.firstNonzero(0); i >= 0; i = this.firstNonzero(i + 1)) n++;
      return n;
    }
    let n = this.spill.size;
    for (const byte of this.bits!) {
      for (let x = byte; x !== 0; x &= x - 1) n++;
    }
    return n;
  }

  /** first index with a non-zero delta at or after `from`, or -1. */
  firstNonzero(from = 0): number {
    const a = this.wide;
    if (a !== null) {
      for (let i = from; i < a.length; i++) if (a[i] !== 0) return i;
      return -1;
    }
    const b = this.bits!;
    let first = -1;
    for (let j = from >> 3; j < b.length; j++) {
      if (b[j] === 0) continue;
      let i = Math.max(from, j << 3);
      while (i < (j + 1) << 3 && ((b[j]! >> (i & 7)) & 1) === 0) i++;
      if (i < (j + 1) << 3) {
        first = i;
        break;
      }
    }
    for (const k of this.spill.keys()) if (k >= from && (first < 0 || k < first)) first = k;
    return first;
  }
}
