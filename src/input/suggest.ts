// Nearest-name suggestions for every name a user types (strategy, fixture, profile, counter,
// fixture key, flag value, kernel release): "unknown strategy "baselin"; did you mean
// "baseline"?". Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps,
// case-insensitive), plus unique prefixes ("v6.15" -> "v6.15-pgmask"). Pure.

/** Edits (insert, delete, substitute, swap two neighbours) to turn a into b: three rows of the
 *  table at a time, so memory is O(|b|). */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev2 = new Array<number>(y.length + 1).fill(0);
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  let row = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    row[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      row[j] = v;
    }
    [prev2, prev, row] = [prev, row, prev2];
  }
  return prev[y.length]!;
}

/** The valid name closest to `name`, when close enough to be what was meant: a unique name it
 *  is a prefix of (at least 2 characters), else the nearest within a third of its length (at
 *  least 1, at most 3 edits; a tie between two names suggests neither). */
export function nearest(name: string, valid: readonly string[]): string | undefined {
  const n = name.trim().toLowerCase();
  if (n === '') return undefined;
  const prefixed = valid.filter((v) => v.toLowerCase().startsWith(n));
  if (n.length >= 2 && prefixed.length === 1) return prefixed[0];
  const limit = Math.min(3, Math.max(1, Math.floor(n.length / 3)));
  let best: string | undefined;
  let bestD = Infinity;
  let tie = false;
  for (const v of valid) {
    if (Math.abs(v.length - n.length) > limit) continue; // at least that many edits: never near
    const dist = editDistance(n, v);
    if (dist < bestD) [best, bestD, tie] = [v, dist, false];
    else if (dist === bestD && v !== best) tie = true;
  }
  return bestD <= limit && !tie ? best : undefined;
}

/** `; did you mean "x"?` when there is a near name, else `; valid: a, b, c` (or `fallback`). */
export function didYouMean(name: string, valid: readonly string[], fallback = `valid: ${valid.join(', ')}`): string {
  const near = nearest(name, valid);
  return near === undefined ? `; ${fallback}` : `; did you mean ${JSON.stringify(near)}?`;
}
