// Cost profiles: ns per counter, one profile for every strategy. Modelled time = sum over
// counters of count * ns; map and unmap separately. (Read from files by input/profile.ts.)

import { COUNTER_NAMES, type CounterName, type Counters } from './counters.ts';

export interface Profile {
  name: string;
  description: string;
  derivation: string[];
  ns: Record<CounterName, number>;
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
