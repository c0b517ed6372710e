// Where a VMA's folios land inside the RAM region reserved for it: the physical placement
// policy. Returns, for each folio in virtual order, its index in the region (null: the
// identity, i.e. contiguous). Deterministic for a given seed; no object per page.

import type { Placement } from '../model/layout.ts';

/** mulberry32: a small, fast, seedable 32-bit PRNG; returns floats in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable 32-bit seed for one region: the layout's seed mixed with the VMA name and part. */
export function regionSeed(seed: number, vma: string, part: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const ch of `${vma}\0${part}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** Where folio i (virtual order) sits in the region, and how far that stays consecutive. */
export interface FolioMap {
  /** the region folio index of virtual folio i. */
  get(i: number): number;
  /** how many folios from i on (at most limit) are physically consecutive. */
  run(i: number, limit: number): number;
}

/** Every folio placed on its own: one Uint32 per folio. */
class PermutationMap implements FolioMap {
  constructor(private readonly a: Uint32Array) {}
  get(i: number): number {
    return this.a[i]!;
  }
  run(i: number, limit: number): number {
    const a = this.a;
    let n = 1;
    while (n < limit && a[i + n] === a[i]! + n) n++;
    return n;
  }
}

/** Runs of folios: a table of (virtual start, region start) per run, not one entry per folio. */
class RunTableMap implements FolioMap {
  private hint = 0;
  constructor(
    private readonly vstart: Uint32Array,
    private readonly rstart: Uint32Array,
    private readonly total: number,
  ) {}
  private runOf(i: number): number {
    const v = this.vstart;
    const h = this.hint;
    if (i >= v[h]! && (h + 1 === v.length || i < v[h + 1]!)) return h;
    if (h + 1 < v.length && i >= v[h + 1]! && (h + 2 === v.length || i < v[h + 2]!)) return (this.hint = h + 1);
    let lo = 0;
    let hi = v.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (v[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return (this.hint = lo);
  }
  get(i: number): number {
    const r = this.runOf(i);
    return this.rstart[r]! + (i - this.vstart[r]!);
  }
  run(i: number, limit: number): number {
    const r = this.runOf(i);
    const end = r + 1 < this.vstart.length ? this.vstart[r + 1]! : this.total;
    return Math.min(limit, end - i);
  }
}

/** Folio indices in the region, in virtual order, or null for the identity. */
export function placeFolios(n: number, folioBytes: number, p: Placement, seed: number): FolioMap | null {
  if (p.policy === 'contiguous' || n <= 1) return null;
  const rand = prng(seed);
  if (p.policy === 'scattered') return new PermutationMap(shuffled(n, rand));
  // run lengths in folios: fixed, or geometric with the given mean (at least 1). Counted first
  // with a copy of the generator, then drawn again into a typed array of exactly that size:
  // runs can number more than a JS array may hold (a 16 TiB VMA of 4 KiB pages).
  const fixed = p.policy === 'runs' ? Math.max(1, Math.round(p.bytes / folioBytes)) : 0;
  const q = p.policy === 'geometric' ? 1 - 1 / Math.max(1, p.meanBytes / folioBytes) : 0;
  const draw = (r: () => number): number => fixed || (q <= 0 ? 1 : 1 + Math.floor(Math.log(1 - r()) / Math.log(q)));
  let count = 0;
  if (fixed > 0) count = Math.ceil(n / fixed);
  else {
    const counting = prng(seed);
    for (let left = n; left > 0; count++) left -= Math.min(draw(counting), left);
  }
  const lengths = new Uint32Array(count);
  for (let i = 0, left = n; left > 0; i++) {
    const len = Math.min(draw(rand), left);
    lengths[i] = len;
    left -= len;
  }
  return placeRuns(lengths, n, rand);
}

/** Fisher-Yates: every folio at random. */
function shuffled(n: number, rand: () => number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/**
 * Runs keep their pages together; the runs' physical order is an affine permutation
 * pos(i) = (a*i + b) mod n with a coprime to n and a != 1 (mod n), so that no run lands right
 * after its virtual predecessor: the run count is exactly lengths.length. Two Uint32 per run
 * live at once: `lengths` becomes vstart in place, and the runs are walked in physical order
 * through the inverse permutation i(k) = (k - b) * a^-1 mod n, one step of a^-1 per run.
 */
function placeRuns(lengths: Uint32Array, total: number, rand: () => number): FolioMap {
  const n = lengths.length;
  const rstart = new Uint32Array(n);
  if (n === 2) {
    rstart[1] = 0; // pos = [1, 0]
    rstart[0] = lengths[1]!;
  } else if (n > 2) {
    const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
    let a = 2 + Math.floor(rand() * (n - 2)); // 2..n-1
    while (gcd(a, n) !== 1) a = a + 1 === n ? 2 : a + 1; // n-1 is always coprime to n
    const b = Math.floor(rand() * n); // pos(0)
    const ainv = inverseMod(a, n);
    // the run at physical position 0: i = (n - b) * a^-1 mod n (one BigInt product per region)
    let i = Number((BigInt((n - b) % n) * BigInt(ainv)) % BigInt(n));
    for (let k = 0, s = 0; k < n; k++) {
      rstart[i] = s; // physical start: the lengths of the runs placed before it
      s += lengths[i]!;
      i += ainv;
      if (i >= n) i -= n;
    }
  }
  // vstart, in place of the lengths
  for (let i = 0, v = 0; i < n; i++) {
    const len = lengths[i]!;
    lengths[i] = v;
    v += len;
  }
  return new RunTableMap(lengths, rstart, total);
}

/** a^-1 mod n for a coprime to n (extended Euclid; every value stays below n). */
function inverseMod(a: number, n: number): number {
  let [r0, r1] = [n, a % n];
  let [t0, t1] = [0, 1];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return t0 < 0 ? t0 + n : t0;
}
