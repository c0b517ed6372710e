// `calibrate`: a measurement file -> each observation simulated (the counters of the ioctls it
// times, per-ioctl.ts) -> the per-counter fit and its leave-one-out check (fit/fit.ts) -> a
// record for the report and a profile that carries its derivation. A (fixture, kernel) pair is
// simulated once however many observations time its requests.

import { formatVersion } from '../kernel/eras.ts';
import { inRange, parseKernelRelease, SUPPORTED_RANGE } from '../kernel/host.ts';
import { COUNTER_NAMES, newCounters, type CounterName, type Counters } from '../model/counters.ts';
import { InputError } from '../model/errors.ts';
import type { Layout } from '../model/layout.ts';
import type { Profile, ProfileFit } from '../model/profile.ts';
import { fitCosts, leaveOneOut, SingularFit, type Fit, type FitObservation, type LooRow } from '../fit/fit.ts';
import { loadMeasurements, type Measurements, type Observation } from '../input/measurements.ts';
import { kernelStrategy } from '../strategies/kernels.ts';
import { findStrategy, STRATEGIES, type Strategy } from '../strategies/registry.ts';
import { perIoctlCounters, type IoctlCounters } from './per-ioctl.ts';

/** An observation's "kernel": a registry strategy, or a --kernel release composed from the eras. */
export function resolveKernel(text: string): Strategy | string {
  const s = findStrategy(text);
  if (s) return s;
  const v = parseKernelRelease(text);
  if (v !== null && inRange(v)) return kernelStrategy(v);
  const why = v !== null ? `release ${formatVersion(v)} is outside the modelled ${SUPPORTED_RANGE}` : 'neither a kernel release nor a strategy';
  return `${why} (a release like "6.12.117+deb13-amd64" in ${SUPPORTED_RANGE}, or a strategy: ${STRATEGIES.map((x) => x.name).join(', ')})`;
}

export function readMeasurements(path: string): Measurements<Strategy> {
  return loadMeasurements(path, resolveKernel);
}

export interface Calibration {
  measurements: Measurements<Strategy>;
  prior: Profile;
  fit: Fit;
  loo: { rows: LooRow[]; rms: number; maxAbs: number };
  /** each observation's counters (the sum over the requests it times). */
  counters: Counters[];
}

/** Per-ioctl counters of every (layout, strategy) pair the observations use, each simulated once,
 *  and only up to the last request an observation of that pair times. */
function simulateAll(obs: readonly Observation<Strategy>[]): Counters[] {
  const last = new Map<Layout, Map<string, number>>();
  for (const o of obs) {
    const m = last.get(o.layout) ?? new Map<string, number>();
    last.set(o.layout, m);
    m.set(o.strategy.name, Math.max(m.get(o.strategy.name) ?? 0, ...o.requests));
  }
  const runs = new Map<Layout, Map<string, IoctlCounters[]>>();
  return obs.map((o) => {
    let byKernel = runs.get(o.layout);
    if (!byKernel) runs.set(o.layout, (byKernel = new Map()));
    let ioctls = byKernel.get(o.strategy.name);
    if (!ioctls) {
      const upto = last.get(o.layout)!.get(o.strategy.name)!;
      ioctls = perIoctlCounters({ ...o.layout, requests: o.layout.requests.slice(0, upto + 1) }, o.strategy);
      byKernel.set(o.strategy.name, ioctls);
    }
    const sum = newCounters();
    for (const i of o.requests) {
      const io = ioctls[i]!;
      if (io.ret !== 0) {
        throw new InputError(`observation ${o.id}: request ${i}${io.label ? ` (${io.label})` : ''} fails on ${o.strategy.name} with ${io.ret}: ` +
          'a failed ioctl is not a timing of the path; check the fixture and kernel');
      }
      for (const n of COUNTER_NAMES) sum[n] += io.counters[n];
    }
    return sum;
  });
}

export function calibrate(measurements: Measurements<Strategy>, prior: Profile): Calibration {
  const counters = simulateAll(measurements.observations);
  const obs: FitObservation[] = measurements.observations.map((o, i) => ({
    id: o.id, counters: counters[i]!, measuredNs: o.seconds * 1e9, firstRun: o.firstRun,
  }));
  const ties = measurements.ties;
  try {
    const fit = fitCosts(obs, prior.ns, ties);
    const loo = leaveOneOut(obs, prior.ns, ties);
    return { measurements, prior, fit, loo, counters };
  } catch (e) {
    if (e instanceof SingularFit) throw new InputError(`${measurements.file}: ${e.message}`);
    throw e;
  }
}

/** YYYY-MM-DD of SOURCE_DATE_EPOCH when set (reproducible output), else of now. */
export function calibrationDate(env: Record<string, string | undefined> = process.env): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  const d = epoch !== undefined && /^[0-9]+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
  return d.toISOString().slice(0, 10);
}

const r6 = (x: number): number => Number(x.toPrecision(6));

/** The fitted profile, with its derivation: observations, date, errors, which prices are fitted. */
export function calibratedProfile(c: Calibration, opts: { name: string; description?: string; measurementsRef: string; date: string }): Profile {
  const { fit, loo, measurements: m } = c;
  const by = (s: string): CounterName[] => COUNTER_NAMES.filter((n) => fit.status[n] === s);
  const groups = fit.groups.filter((g) => g.kind !== 'single').map((g) => [...g.counters]);
  const fitRecord: ProfileFit = {
    measurements: opts.measurementsRef,
    date: opts.date,
    observations: m.observations.map((o, i) => ({
      id: o.id, kernel: o.kernel, fixture: o.fixture, op: o.op,
      requests: o.requests.map((k) => o.layout.requests[k]!.label ?? `#${k}`),
      measuredSeconds: o.seconds, modelledSeconds: r6(fit.rows[i]!.modelledNs / 1e9),
      error: r6(fit.rows[i]!.error), looError: loo.rows[i] ? r6(loo.rows[i]!.error) : null, source: o.source,
    })),
    rmsError: r6(fit.rms), maxError: r6(fit.maxAbs),
    looRmsError: Number.isNaN(loo.rms) ? null : r6(loo.rms), looMaxError: Number.isNaN(loo.maxAbs) ? null : r6(loo.maxAbs),
    firstRunNs: r6(fit.firstRunNs),
    fitted: by('fitted'), groups, confounded: by('confounded'), unconstrained: by('unconstrained'),
  };
  const ns = Object.fromEntries(COUNTER_NAMES.map((n) => [n, r6(fit.ns[n])])) as Profile['ns'];
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  return {
    name: opts.name,
    description: opts.description ?? (m.description || `fitted by calibrate on ${opts.measurementsRef}`),
    derivation: [
      `Fitted by \`vfio-pin-bench calibrate ${opts.measurementsRef}\` on ${opts.date}: ${m.observations.length} observations, non-negative least squares on relative error, starting from profile ${c.prior.name}.`,
      `Training error: RMS ${pct(fit.rms)}, largest ${pct(fit.maxAbs)}; leave-one-out: RMS ${Number.isNaN(loo.rms) ? 'n/a' : pct(loo.rms)}, largest ${Number.isNaN(loo.maxAbs) ? 'n/a' : pct(loo.maxAbs)}.`,
      `Unconstrained (no observation moves them; the prices of ${c.prior.name}): ${fitRecord.unconstrained.join(', ') || 'none'}.`,
      `Confounded (the observations leave them open; set by ${c.prior.name}'s proportions at the fitted scale): ${fitRecord.confounded.join(', ') || 'none'}.`,
      ...(fit.firstRunNs > 0 ? [`First-run term ${(fit.firstRunNs / 1e6).toFixed(3)} ms on the observations marked firstRun: a cost of the measuring machine, in no price.`] : []),
      'docs/cost-model.md explains the fit.',
    ],
    ns,
    fit: fitRecord,
  };
}

