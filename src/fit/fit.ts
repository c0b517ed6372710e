// The cost fit: per-counter prices (ns) from measured ioctl times, by non-negative least
// squares on relative error: minimise sum_i ((sum_j x_ij p_j - y_i) / y_i)^2 over p >= 0,
// x_ij the counters observation i moved, y_i its measured time. Pure: counters and times in,
// prices and residuals out (run/calibrate.ts simulates the observations).
//
// What the observations cannot tell apart is not guessed at:
// - a counter no observation moves keeps its prior price ("unconstrained");
// - counters that every observation moves in the same proportion ("aliased", e.g. one
//   pin_user_pages_remote per vaddr_get_pfns) are priced as one group, split by prior ratio;
// - counters the file ties together (its "ties") likewise;
// - any other linear dependence among the columns is a singular fit: an error naming them.

import { COUNTER_NAMES, type CounterName, type Counters } from '../model/counters.ts';
import { dependentColumns, nullSpaceWeights, type Matrix } from './linalg.ts';
import { nnls } from './nnls.ts';

export interface FitObservation {
  /** how tables name it. */
  id: string;
  counters: Counters;
  /** measured time, ns (> 0). */
  measuredNs: number;
  /** the first run of this ioctl's code since boot (the probe's cold map): the fit adds the
   *  shared first-run term, a cost of the measuring machine rather than of the kernel. */
  firstRun?: boolean;
}

export interface FitTie {
  counters: CounterName[];
  reason: string;
}

export type PriceStatus = 'fitted' | 'aliased' | 'tied' | 'confounded' | 'unconstrained';

export interface FitGroup {
  counters: CounterName[];
  kind: 'single' | 'aliased' | 'tied';
  /** each member's share of the group's price (prior ratio; equal when the priors are all 0). */
  weights: number[];
}

export interface FitRow {
  id: string;
  measuredNs: number;
  modelledNs: number;
  /** (modelled - measured) / measured. */
  error: number;
}

export interface Fit {
  ns: Record<CounterName, number>;
  /** the fitted first-run term, ns (0 when no observation is a first run). */
  firstRunNs: number;
  status: Record<CounterName, PriceStatus>;
  groups: FitGroup[];
  rows: FitRow[];
  /** root mean square and largest absolute relative error. */
  rms: number;
  maxAbs: number;
}

/** A fit the observations cannot determine; message is one line. */
export class SingularFit extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SingularFit';
  }
}

/** A column whose unit vector has more than this of its square in the null space is confounded. */
const CONFOUNDED = 1e-6;

/** Columns proportional within this (on unit-norm columns) are aliased. */
const ALIAS_TOL = 1e-9;

function relativeErrors(obs: readonly FitObservation[], ns: Record<CounterName, number>, firstRunNs: number): FitRow[] {
  return obs.map((o) => {
    let m = o.firstRun ? firstRunNs : 0;
    for (const n of COUNTER_NAMES) m += o.counters[n] * ns[n];
    return { id: o.id, measuredNs: o.measuredNs, modelledNs: m, error: (m - o.measuredNs) / o.measuredNs };
  });
}

function summary(rows: readonly { error: number }[]): { rms: number; maxAbs: number } {
  const rms = Math.sqrt(rows.reduce((s, r) => s + r.error ** 2, 0) / Math.max(1, rows.length));
  return { rms, maxAbs: rows.reduce((m, r) => Math.max(m, Math.abs(r.error)), 0) };
}

const unit = (v: readonly number[]): number[] => {
  const n = Math.hypot(...v);
  return n === 0 ? v.map(() => 0) : v.map((e) => e / n);
};

/** The priced columns: ties first, then aliases among what is left. */
function groupsOf(obs: readonly FitObservation[], prior: Record<CounterName, number>, ties: readonly FitTie[]): FitGroup[] {
  const moved = COUNTER_NAMES.filter((n) => obs.some((o) => o.counters[n] !== 0));
  const weightsOf = (members: CounterName[]): number[] => {
    const total = members.reduce((s, n) => s + prior[n], 0);
    return members.map((n) => (total > 0 ? prior[n] / total : 1 / members.length));
  };
  const groups: { counters: CounterName[]; kind: 'single' | 'tied' }[] = [];
  const taken = new Set<CounterName>();
  for (const t of ties) {
    const members = t.counters.filter((n) => moved.includes(n) && !taken.has(n));
    if (members.length === 0) continue;
    members.forEach((n) => taken.add(n));
    groups.push({ counters: members, kind: members.length > 1 ? 'tied' : 'single' });
  }
  for (const n of moved) if (!taken.has(n)) groups.push({ counters: [n], kind: 'single' });
  // merge groups whose columns are proportional in every observation
  const col = (g: { counters: CounterName[] }): number[] => {
    const w = weightsOf(g.counters);
    return unit(obs.map((o) => g.counters.reduce((s, n, k) => s + (o.counters[n] / o.measuredNs) * w[k]!, 0)));
  };
  const merged: { counters: CounterName[]; tied: boolean; u: number[] }[] = [];
  for (const g of groups) {
    const u = col(g);
    const same = merged.find((m) => m.u.every((e, i) => Math.abs(e - u[i]!) < ALIAS_TOL));
    if (same) same.counters.push(...g.counters);
    else merged.push({ counters: [...g.counters], tied: g.kind === 'tied', u });
  }
  return merged.map((m) => {
    const counters = COUNTER_NAMES.filter((n) => m.counters.includes(n));
    const kind: FitGroup['kind'] = counters.length === 1 ? 'single' : m.tied ? 'tied' : 'aliased';
    return { counters, kind, weights: weightsOf(counters) };
  });
}

/** The design matrix: row i = observation i's group counts / measured time; a last column for
 *  the first-run term when an observation is a first run. */
function design(obs: readonly FitObservation[], groups: readonly FitGroup[]): { A: Matrix; firstRun: boolean } {
  const firstRun = obs.some((o) => o.firstRun);
  const A = obs.map((o) => {
    const row = groups.map((g) => g.counters.reduce((s, n, k) => s + o.counters[n] * g.weights[k]!, 0) / o.measuredNs);
    if (firstRun) row.push(o.firstRun ? 1 / o.measuredNs : 0);
    return row;
  });
  return { A, firstRun };
}

const list = (names: readonly string[]): string => names.join(', ');
const FIRST_RUN = 'the first-run term';

/**
 * Columns whose price the observations do not pin down: those with a non-zero entry in a
 * basis of the design matrix's null space (one vector per column that is a combination of
 * earlier ones). Throws SingularFit for an observation that moves nothing, or for such a set
 * with no prior to resolve it by (every member priced 0 by the starting profile).
 */
function confoundedColumns(obs: readonly FitObservation[], names: readonly string[][], A: Matrix, priors: readonly number[]): Set<number> {
  const empty = obs.find((o) => !o.firstRun && COUNTER_NAMES.every((n) => o.counters[n] === 0));
  if (empty) throw new SingularFit(`singular fit: observation ${empty.id} moves no counter, so no price can model it`);
  const norms = names.map((_, j) => Math.hypot(...A.map((r) => r[j]!)));
  const U = A.map((r) => r.map((e, j) => e / norms[j]!));
  for (const [j, of] of dependentColumns(U)) {
    if ([j, ...of].every((k) => priors[k] === 0)) {
      const one = names[j]!;
      throw new SingularFit(`singular fit: in every observation ${list(one)} ${one.length > 1 ? 'move' : 'moves'} as a combination of ${list(of.flatMap((k) => names[k]!))}, ` +
        'and the starting profile prices none of them, so nothing tells their prices apart: add an observation that moves them differently, ' +
        'tie them in the file\'s "ties", or start from a profile that prices them');
    }
  }
  const weights = nullSpaceWeights(U);
  return new Set(weights.flatMap((w, j) => (w > CONFOUNDED ? [j] : [])));
}

/** A group's price in the starting profile. */
function groupPrior(g: FitGroup, prior: Record<CounterName, number>): number {
  return g.counters.reduce((s, n) => s + prior[n], 0);
}

/** Weight of the pull towards the prior's shape: small enough to leave every price the
 *  observations determine where they put it (to about 1e-5), large enough to pick, among the
 *  equally good prices of a confounded set, those nearest a common multiple of the prior. */
const LAMBDA = 1e-10;

/**
 * NNLS over the columns. Variables: for a column with a prior, its price as a multiple of the
 * prior; else its price (ns). Each multiple is pulled weakly towards k, the median multiple of
 * a first pass without the pull: the prices the observations leave open follow the prior's
 * shape at the scale the observations set.
 */
function solveColumns(A: Matrix, priors: readonly number[]): number[] {
  const n = priors.length;
  const scaled = A.map((r) => r.map((e, j) => (priors[j]! > 0 ? e * priors[j]! : e)));
  const run = (k: number | null): number[] => {
    const rows = scaled.map((r) => [...r]);
    const b = A.map(() => 1);
    if (k !== null) {
      const w = Math.sqrt(LAMBDA);
      for (let j = 0; j < n; j++) {
        if (priors[j]! === 0) continue;
        const r = new Array<number>(n).fill(0);
        r[j] = w;
        rows.push(r);
        b.push(w * k);
      }
    }
    const norms = Array.from({ length: n }, (_, j) => Math.hypot(...rows.map((r) => r[j]!)) || 1);
    return nnls(rows.map((r) => r.map((e, j) => e / norms[j]!)), b).map((z, j) => z / norms[j]!);
  };
  const first = run(null);
  const multiples = first.filter((v, j) => priors[j]! > 0 && v > 0).sort((a, b) => a - b);
  const k = multiples.length === 0 ? 1 : multiples[Math.floor((multiples.length - 1) / 2)]!;
  return run(k).map((v, j) => (priors[j]! > 0 ? v * priors[j]! : v));
}

interface Solved {
  ns: Record<CounterName, number>;
  firstRunNs: number;
  groups: FitGroup[];
  confounded: Set<number>;
  /** the columns' confounding made the fit pick among equally good prices. */
  singular: string | null;
}

function solve(obs: readonly FitObservation[], prior: Record<CounterName, number>, ties: readonly FitTie[], strict: boolean): Solved {
  const groups = groupsOf(obs, prior, ties);
  const { A, firstRun } = design(obs, groups);
  const names = [...groups.map((g) => g.counters as string[]), ...(firstRun ? [[FIRST_RUN]] : [])];
  const priors = [...groups.map((g) => groupPrior(g, prior)), ...(firstRun ? [0] : [])];
  let confounded = new Set<number>();
  let singular: string | null = null;
  try {
    confounded = confoundedColumns(obs, names, A, priors);
  } catch (e) {
    if (strict || !(e instanceof SingularFit)) throw e;
    singular = e.message;
  }
  const x = solveColumns(A, priors);
  const ns = { ...prior };
  groups.forEach((g, j) => g.counters.forEach((c, k) => (ns[c] = x[j]! * g.weights[k]!)));
  return { ns, firstRunNs: firstRun ? x[groups.length]! : 0, groups, confounded, singular };
}

export function fitCosts(obs: readonly FitObservation[], prior: Record<CounterName, number>, ties: readonly FitTie[] = []): Fit {
  if (obs.length === 0) throw new SingularFit('no observations to fit');
  const { ns, firstRunNs, groups, confounded } = solve(obs, prior, ties, true);
  const status = Object.fromEntries(COUNTER_NAMES.map((n) => [n, 'unconstrained'])) as Record<CounterName, PriceStatus>;
  groups.forEach((g, j) => {
    for (const n of g.counters) status[n] = confounded.has(j) ? 'confounded' : g.kind === 'single' ? 'fitted' : g.kind;
  });
  const rows = relativeErrors(obs, ns, firstRunNs);
  return { ns, firstRunNs, status, groups, rows, ...summary(rows) };
}

export interface LooRow extends FitRow {
  /** without this observation some prices were not determined (the fit picked by the prior's shape). */
  underdetermined: boolean;
}

/**
 * Leave-one-out cross-validation: each observation predicted by the fit of all the others
 * (same ties; aliases found afresh). A fold the others cannot determine is still solved (by
 * the prior's shape, as confounded prices are) and flagged.
 */
export function leaveOneOut(obs: readonly FitObservation[], prior: Record<CounterName, number>, ties: readonly FitTie[] = []): { rows: LooRow[]; rms: number; maxAbs: number } {
  const rows: LooRow[] = [];
  if (obs.length < 2) return { rows, rms: NaN, maxAbs: NaN };
  for (let i = 0; i < obs.length; i++) {
    const s = solve(obs.filter((_, k) => k !== i), prior, ties, false);
    const row = relativeErrors([obs[i]!], s.ns, s.firstRunNs)[0]!;
    rows.push({ ...row, underdetermined: s.singular !== null || s.confounded.size > 0 });
  }
  return { rows, ...summary(rows) };
}
