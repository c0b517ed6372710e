// run --fail-on-unsafe: one line for every strategy that is not ok, naming fixture and strategy.

import type { RunDocument } from '../../model/result.ts';
import { unsafeText } from './verdict.ts';

/** "rfc-pitfall-mid-vma: rfc: UNSAFE: 32768 wrong pages, ..." for every strategy that is not ok. */
export function unsafeLines(doc: RunDocument): string[] {
  const lines: string[] = [];
  for (const fx of doc.fixtures) {
    for (const s of fx.strategies) {
      if (s.verdict === 'unsafe') lines.push(`${fx.fixture}: ${s.strategy}: ${unsafeText(s)}`);
      else if (s.verdict === 'broken') {
        const failed = s.invariants.find((i) => !i.ok && i.severity === 'error');
        lines.push(`${fx.fixture}: ${s.strategy}: BROKEN: ${failed === undefined ? 'an invariant failed after unmap' : failed.detail}`);
      }
    }
  }
  return lines;
}
