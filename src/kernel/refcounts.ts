// Per-folio page reference deltas without a JS object per page (the page_ref_inc() /
// page_ref_dec() a pin leaves on struct page, Linux 4.16+): for huge folios an Int32 each; for
// order-0 pages one bit each (0 or 1: unpinned or pinned once), so that a TiB of 4 KiB pages
// costs 32 MiB, not 256. A second bit plane, made on the first page pinned twice, holds 2; any
// other value (3 or more, negative) lives in a Map, both bits set.

const SPILL32 = -0x80000000;
const MAX32 = 0x7ffffff0;
/** narrow: the two-bit code of an entry whose value is in the spill map. */
const SPILL2 = 3;

export class RefDeltas {
  /** wide: one Int32 per large folio (THP/hugetlb: up to 2^18 refs per pin). */
  private readonly wide: Int32Array | null;
  /** narrow: bit 0 of each page's code, page i at bit i & 7 of byte i >> 3. */
  private readonly lo: Uint8Array | null;
  /** narrow: bit 1 of each page's code; null until some page holds 2 or more. */
  private hi: Uint8Array | null = null;
  /** values that do not fit in place (never 0). */
  private readonly spill = new Map<number, number>();

  constructor(readonly length: number, wide: boolean) {
    this.wide = wide ? new Int32Array(length) : null;
    this.lo = wide ? null : new Uint8Array(Math.ceil(length / 8));
  }

  /** bytes of typed arrays per entry (kernel/footprint.ts estimates with this: no page pinned twice). */
  static bytesPerEntry(wide: boolean): number {
    return wide ? 4 : 0.125;
  }

  /** narrow: the two-bit code of entry i. */
  private code(i: number): number {
    const b = (this.lo![i >> 3]! >> (i & 7)) & 1;
    const h = this.hi;
    return h === null ? b : b | (((h[i >> 3]! >> (i & 7)) & 1) << 1);
  }

  get(i: number): number {
    const w = this.wide;
    if (w !== null) {
      const v = w[i]!;
      return v === SPILL32 ? this.spill.get(i)! : v;
    }
    const c = this.code(i);
    return c === SPILL2 ? this.spill.get(i)! : c;
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
    if (this.hi === null) {
      const b = this.lo!;
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
    const b = this.lo;
    if (b !== null && (n === 1 || n === -1)) {
      // up to eight pages a byte while no page holds 2 or more: the pages' bits in a byte all 0
      // (n = 1) or all 1 (n = -1) flip together, as add() would one by one; else add() each
      while (i < end) {
        const lo = i & 7;
        const w = Math.min(8 - lo, end - i);
        const mask = ((1 << w) - 1) << lo;
        const j = i >> 3;
        if (this.hi === null && (b[j]! & mask) === (n === 1 ? 0 : mask)) b[j] = b[j]! ^ mask;
        else for (let q = i; q < i + w; q++) this.add(q, n);
        i += w;
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
    let c = SPILL2;
    if (w >= 0 && w < SPILL2) {
      this.spill.delete(i);
      c = w;
    } else this.spill.set(i, w);
    const lo = this.lo!;
    const bit = 1 << (i & 7);
    lo[i >> 3] = c & 1 ? lo[i >> 3]! | bit : lo[i >> 3]! & ~bit;
    if (c >= 2 && this.hi === null) this.hi = new Uint8Array(lo.length);
    const hi = this.hi;
    if (hi !== null) hi[i >> 3] = c & 2 ? hi[i >> 3]! | bit : hi[i >> 3]! & ~bit;
  }

  /** narrow: byte j of the pages whose code is not zero. */
  private nonzeroByte(j: number): number {
    return this.hi === null ? this.lo![j]! : this.lo![j]! | this.hi[j]!;
  }

  /** number of entries whose delta is not zero (for the invariant checks only). */
  get dirty(): number {
    const a = this.wide;
    let n = 0;
    if (a !== null) {
      for (let i = 0; i < a.length; i++) if (a[i] !== 0) n++;
      return n;
    }
    for (let j = 0; j < this.lo!.length; j++) for (let x = this.nonzeroByte(j); x !== 0; x &= x - 1) n++;
    return n;
  }

  /** first index with a non-zero delta at or after `from`, or -1. */
  firstNonzero(from = 0): number {
    const a = this.wide;
    if (a !== null) {
      for (let i = from; i < a.length; i++) if (a[i] !== 0) return i;
      return -1;
    }
    for (let j = from >> 3; j < this.lo!.length; j++) {
      const x = this.nonzeroByte(j);
      if (x === 0) continue;
      for (let i = Math.max(from, j << 3); i < (j + 1) << 3; i++) if ((x >> (i & 7)) & 1) return i;
    }
    return -1;
  }
}
