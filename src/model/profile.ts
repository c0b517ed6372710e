// Cost profiles: ns per counter, one profile for every strategy. Modelled time = sum over
// counters of count * ns; map and unmap separately. (Read from files by input/profile.ts.)

import { COUNTER_NAMES, type CounterName, type Counters } from './counters.ts';

export interface Profile {
  name: string;
  description: string;
  derivation: string[];
  ns: Record<CounterName, number>;
  /** how the prices were fitted, when they were (calibrate writes it; docs/cost-model.md). */
  fit?: ProfileFit;
}

/** One observation a profile was fitted on, as the profile records it. */
export interface FitObservationRecord {
  id: string;
  kernel: string;
  fixture: string;
  op: 'map' | 'unmap';
  requests: string[];
  measuredSeconds: number;
  modelledSeconds: number;
  /** (modelled - measured) / measured, in the fit and predicted without it (leave-one-out). */
  error: number;
  looError: number | null;
  source: string;
}

export interface ProfileFit {
  /** the measurement file, or the published source of a hand calibration. */
  measurements: string;
  /** YYYY-MM-DD. */
  date: string;
  observations: FitObservationRecord[];
  rmsError: number | null;
  maxError: number | null;
  looRmsError: number | null;
  looMaxError: number | null;
  /** the fitted first-run term (ns): a cost of the measuring machine, not a counter's price. */
  firstRunNs: number;
  /** counters priced from the observations, one by one. */
  fitted: CounterName[];
  /** groups the observations move in fixed proportion (or the file tied): priced together, split by prior ratio. */
  groups: CounterName[][];
  /** counters whose price the observations leave open (set by the prior's shape). */
  confounded: CounterName[];
  /** counters no observation moves: their prices are the starting profile's. */
  unconstrained: CounterName[];
}

/** Modelled kernel time of one side's counters, ns. */
export function modelledNs(p: Profile, c: Counters): number {
  let t = 0;
  for (const name of COUNTER_NAMES) t += c[name] * p.ns[name];
  return t;
}

/** The counters that account for most of the modelled time, largest first. */
export function breakdown(p: Profile, c: Counters): { counter: string; ns: number; share: number }[] {
  const total = modelledNs(p, c);
  return COUNTER_NAMES.map((name) => ({ counter: name, ns: c[name] * p.ns[name], share: total ? (c[name] * p.ns[name]) / total : 0 }))
    .filter((r) => r.ns > 0)
    .sort((a, b) => b.ns - a.ns);
}
