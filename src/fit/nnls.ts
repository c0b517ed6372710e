// Non-negative least squares: min |A x - b| subject to x >= 0, by the active-set algorithm of
// Lawson and Hanson ("Solving Least Squares Problems", 1974, chapter 23, algorithm NNLS).
// Written here rather than taken from npm: the one package that does it (ml-fcnnls) is little
// used and brings ml-matrix; the fit's systems are tens by tens, and this is 60 lines.

import { columns, lstsq, type Matrix } from './linalg.ts';

/** Gradient below this (relative to the largest column norm times |b|) counts as zero. */
const TOL = 1e-12;

export function nnls(A: Matrix, b: readonly number[], maxIter = 30 * ((A[0]?.length ?? 0) + 1)): number[] {
  const m = A.length;
  const n = m === 0 ? 0 : A[0]!.length;
  const x = new Array<number>(n).fill(0);
  const passive = new Set<number>();
  /** columns found dependent on the passive set; tried again once the set changes. */
  const dependent = new Set<number>();
  const colNorm = Math.max(1e-300, ...Array.from({ length: n }, (_, j) => Math.hypot(...A.map((r) => r[j]!))));
  const scale = Math.max(1e-300, Math.hypot(...b)) * colNorm;
  const gradient = (): number[] => {
    const r = b.map((bi, i) => bi - A[i]!.reduce((s, a, j) => s + a * x[j]!, 0));
    return Array.from({ length: n }, (_, j) => A.reduce((s, row, i) => s + row[j]! * r[i]!, 0));
  };
  for (let iter = 0; iter < maxIter && m > 0; iter++) {
    const w = gradient();
    // the column outside the passive set that most decreases the residual
    let t = -1;
    for (let j = 0; j < n; j++) {
      if (!passive.has(j) && !dependent.has(j) && w[j]! > TOL * scale && (t < 0 || w[j]! > w[t]!)) t = j;
    }
    if (t < 0) break;
    passive.add(t);
    for (;;) {
      const P = [...passive].sort((a, c) => a - c);
      const s = lstsq(columns(A, P), b);
      if (s === null) {
        // t is a combination of the passive columns: it cannot lower the residual
        passive.delete(t);
        dependent.add(t);
        break;
      }
      if (s.every((v) => v > 0)) {
        x.fill(0);
        P.forEach((j, k) => (x[j] = s[k]!));
        dependent.clear();
        break;
      }
      // step from x towards s until the first passive coefficient reaches zero
      let alpha = Infinity;
      P.forEach((j, k) => {
        if (s[k]! <= 0) alpha = Math.min(alpha, x[j]! / (x[j]! - s[k]!));
      });
      P.forEach((j, k) => (x[j] = x[j]! + alpha * (s[k]! - x[j]!)));
      const big = Math.max(1, ...x);
      for (const j of P) {
        if (x[j]! <= 1e-15 * big) {
          x[j] = 0;
          passive.delete(j);
        }
      }
      dependent.clear();
      if (passive.size === 0) break;
    }
  }
  return x;
}
