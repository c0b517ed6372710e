// Dense linear algebra for the cost fit: least squares by Householder QR, and the numerical
// rank of a column set (pivoted QR). Matrices are row-major arrays of rows; the fit's systems
// are tiny (tens of observations by tens of counters), so clarity beats speed here.

export type Matrix = number[][];

/** Relative tolerance below which a column is taken as dependent on the ones before it. */
export const RANK_TOL = 1e-9;

/** Columns `cols` of A, as a new matrix. */
export function columns(A: Matrix, cols: readonly number[]): Matrix {
  return A.map((row) => cols.map((j) => row[j]!));
}

/**
 * Least squares min |A x - b| by Householder QR (A is m x n, m >= n, full column rank):
 * returns x, or null when A is rank deficient (a diagonal of R below RANK_TOL of the largest).
 */
export function lstsq(A: Matrix, b: readonly number[]): number[] | null {
  const m = A.length;
  const n = m === 0 ? 0 : A[0]!.length;
  if (n === 0) return [];
  if (m < n) return null;
  const R = A.map((r) => [...r]);
  const y = [...b];
  let maxDiag = 0;
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += R[i]![k]! ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) return null;
    const alpha = R[k]![k]! > 0 ? -norm : norm;
    // v = x - alpha e1, stored in place of column k below the diagonal
    const v = new Array<number>(m - k);
    for (let i = k; i < m; i++) v[i - k] = R[i]![k]!;
    v[0]! -= alpha;
    let vv = 0;
    for (const e of v) vv += e * e;
    if (vv > 0) {
      for (let j = k; j < n; j++) {
        let s = 0;
        for (let i = k; i < m; i++) s += v[i - k]! * R[i]![j]!;
        const f = (2 * s) / vv;
        for (let i = k; i < m; i++) R[i]![j]! -= f * v[i - k]!;
      }
      let s = 0;
      for (let i = k; i < m; i++) s += v[i - k]! * y[i]!;
      const f = (2 * s) / vv;
      for (let i = k; i < m; i++) y[i]! -= f * v[i - k]!;
    }
    maxDiag = Math.max(maxDiag, Math.abs(R[k]![k]!));
  }
  for (let k = 0; k < n; k++) if (Math.abs(R[k]![k]!) <= RANK_TOL * maxDiag) return null;
  const x = new Array<number>(n).fill(0);
  for (let k = n - 1; k >= 0; k--) {
    let s = y[k]!;
    for (let j = k + 1; j < n; j++) s -= R[k]![j]! * x[j]!;
    x[k] = s / R[k]![k]!;
  }
  return x;
}

/**
 * Columns of A that are linear combinations of other columns, by Gram-Schmidt in the given
 * order: a column whose part orthogonal to the independent ones before it is below RANK_TOL
 * of its own norm is dependent. Returns, for each dependent column, the independent columns
 * it is made of (those with a coefficient above RANK_TOL in its expansion).
 */
export function dependentColumns(A: Matrix): Map<number, number[]> {
  const m = A.length;
  const n = m === 0 ? 0 : A[0]!.length;
  const basis: { col: number; q: number[] }[] = [];
  const out = new Map<number, number[]>();
  for (let j = 0; j < n; j++) {
    const a = A.map((r) => r[j]!);
    const norm = Math.hypot(...a);
    if (norm === 0) {
      out.set(j, []);
      continue;
    }
    const r = [...a];
    // modified Gram-Schmidt, twice for stability
    for (let pass = 0; pass < 2; pass++) {
      for (const { q } of basis) {
        let d = 0;
        for (let i = 0; i < m; i++) d += q[i]! * r[i]!;
        for (let i = 0; i < m; i++) r[i]! -= d * q[i]!;
      }
    }
    const rest = Math.hypot(...r);
    if (rest <= RANK_TOL * 1e3 * norm) {
      const made = basis.map((b) => b.col);
      const coef = lstsq(columns(A, made), a);
      out.set(j, coef === null ? made : made.filter((_, k) => Math.abs(coef[k]!) > RANK_TOL));
      continue;
    }
    basis.push({ col: j, q: r.map((e) => e / rest) });
  }
  return out;
}

/**
 * For each column of A, the squared norm of its unit vector's projection onto A's null space:
 * 0 when the observations determine that column's coefficient, up to 1 when they say nothing
 * of it. The null space is spanned by one vector per dependent column (dependentColumns).
 */
export function nullSpaceWeights(A: Matrix): number[] {
  const n = A.length === 0 ? 0 : A[0]!.length;
  const vectors: number[][] = [];
  for (const [j, of] of dependentColumns(A)) {
    const coef = of.length === 0 ? [] : lstsq(columns(A, of), A.map((r) => r[j]!)) ?? [];
    const v = new Array<number>(n).fill(0);
    v[j] = 1;
    of.forEach((k, i) => (v[k] = -(coef[i] ?? 0)));
    vectors.push(v);
  }
  // orthonormal basis of their span
  const basis: number[][] = [];
  for (const v of vectors) {
    const r = [...v];
    for (let pass = 0; pass < 2; pass++) {
      for (const q of basis) {
        const d = q.reduce((s, e, i) => s + e * r[i]!, 0);
        for (let i = 0; i < n; i++) r[i]! -= d * q[i]!;
      }
    }
    const norm = Math.hypot(...r);
    if (norm > 1e-9) basis.push(r.map((e) => e / norm));
  }
  return Array.from({ length: n }, (_, j) => basis.reduce((s, q) => s + q[j]! ** 2, 0));
}
