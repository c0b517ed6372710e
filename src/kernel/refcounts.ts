// Per-folio page reference deltas without a JS object per page: a typed array of small
// deltas from the starting count, with a Map for the rare values that do not fit.

const SPILL = -128;

export class RefDeltas {
  private readonly a: Int8Array | Int32Array;
  private readonly spill = new Map<number, number>();
  private readonly max: number;

  /** wide: one counter per large folio (THP/hugetlb: up to 2^18 refs per pin). */
  constructor(n: number, wide: boolean) {
    this.a = wide ? new Int32Array(n) : new Int8Array(n);
    this.max = wide ? 0x7ffffff0 : 127;
  }

  get(i: number): number {
    const v = this.a[i]!;
    return v === SPILL ? this.spill.get(i)! : v;
  }

  add(i: number, n: number): void {
    const v = this.a[i]!;
    const w = v + n;
    if (v !== SPILL && w > -this.max && w < this.max) this.a[i] = w;
    else this.addSlow(i, n);
  }

  /** add(i, n) for each of count entries from i. */
  addEach(i: number, count: number, n: number): void {
    const a = this.a;
    const end = i + count;
    for (; i < end; i++) {
      const w = a[i]! + n;
      if (a[i] !== SPILL && w > -this.max && w < this.max) a[i] = w;
      else this.addSlow(i, n);
    }
  }

  private addSlow(i: number, n: number): void {
    const w = this.get(i) + n;
    if (w > -this.max && w < this.max) {
      this.spill.delete(i);
      this.a[i] = w;
    } else {
      this.spill.set(i, w);
      this.a[i] = SPILL;
    }
  }

  /** number of entries whose delta is not zero (a scan: for the invariant checks only). */
  get dirty(): number {
    let n = 0;
    for (let i = this.firstNonzero(0); i >= 0; i = this.firstNonzero(i + 1)) n++;
    return n;
  }

  /** first index with a non-zero delta at or after `from`, or -1. */
  firstNonzero(from = 0): number {
    const a = this.a;
    for (let i = from; i < a.length; i++) if (a[i] !== 0) return i;
    return -1;
  }
}
