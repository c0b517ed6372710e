// The verdict rule of run and sweep: unsafe (the oracle found a wrong translation), broken, or ok.

import type { InvariantCheck, OracleVerdict, Verdict } from './result.ts';

/** The invariants that break a verdict: failed, of severity error. */
export function failedInvariants(invariants: readonly InvariantCheck[]): InvariantCheck[] {
  return invariants.filter((i) => !i.ok && i.severity === 'error');
}

/** unsafe when the oracle found a wrong IOVA -> PFN translation, broken when an invariant of
 *  severity error failed after unmap, else ok. */
export function verdictOf(oracle: OracleVerdict, invariants: readonly InvariantCheck[]): Verdict {
  if (!oracle.ok) return 'unsafe';
  return failedInvariants(invariants).length > 0 ? 'broken' : 'ok';
}

/** Why a verdict is not ok, in one line: the oracle's, or the first failed invariant's. */
export function verdictDetail(r: { verdict: Verdict; oracle: OracleVerdict; invariants: readonly InvariantCheck[] }): string | undefined {
  if (r.verdict === 'unsafe') return r.oracle.detail;
  if (r.verdict === 'broken') return failedInvariants(r.invariants)[0]?.detail;
  return undefined;
}
