// `calibrate`'s report: the observations (measured, modelled, error, leave-one-out error), the
// fitted prices beside the starting profile's, and the summary lines. Pure: the fitted profile
// (which carries its fit record) and the starting profile in, text out.

import type { ChalkInstance } from 'chalk';
import { COUNTER_NAMES, type CounterName } from '../../model/counters.ts';
import type { Profile, ProfileFit } from '../../model/profile.ts';
import { cell, renderTable, type Grid } from '../grid.ts';
import { formatDuration } from '../units.ts';

const pct = (x: number | null): string => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`);

/** Errors beyond this are marked (the bundled profile's check: 30% in the fit, 35% without it). */
const MARK = { fit: 0.3, loo: 0.35 };

export function observationGrid(fit: ProfileFit): Grid {
  return {
    head: ['observation', 'kernel', 'op', 'measured', 'modelled', 'error', 'left out'],
    align: ['left', 'left', 'left', 'right', 'right', 'right', 'right'],
    rows: fit.observations.map((o) => [
      cell(o.id), cell(o.kernel), cell(`${o.op} ${o.requests.join('+')}`),
      cell(formatDuration(o.measuredSeconds * 1e9)), cell(formatDuration(o.modelledSeconds * 1e9)),
      cell(pct(o.error), Math.abs(o.error) > MARK.fit ? 'bad' : undefined),
      cell(pct(o.looError), o.looError !== null && Math.abs(o.looError) > MARK.loo ? 'bad' : undefined),
    ]),
  };
}

function statusOf(fit: ProfileFit, n: CounterName): string {
  if (fit.fitted.includes(n)) return 'fitted';
  if (fit.confounded.includes(n)) return 'confounded';
  const g = fit.groups.find((x) => x.includes(n));
  if (g) return `with ${g.filter((m) => m !== n).join(', ')}`;
  return 'unconstrained';
}

const price = (ns: number): string => (ns === 0 ? '0' : formatDuration(ns));

/** Every counter an observation moved: fitted price, prior, and how it was determined. */
export function priceGrid(profile: Profile, prior: Profile): Grid {
  const fit = profile.fit!;
  const moved = COUNTER_NAMES.filter((n) => !fit.unconstrained.includes(n));
  return {
    head: ['counter', 'fitted', 'prior', 'how'],
    align: ['left', 'right', 'right', 'left'],
    rows: moved.map((n) => [cell(n), cell(price(profile.ns[n])), cell(price(prior.ns[n])), cell(statusOf(fit, n), fit.confounded.includes(n) ? 'dim' : undefined)]),
  };
}

export function summaryLines(profile: Profile, prior: Profile): string[] {
  const fit = profile.fit!;
  const n = fit.observations.length;
  const lines = [
    `Training error (${n} observations): RMS ${pct(fit.rmsError).replace('+', '')}, largest ${pct(fit.maxError).replace('+', '')}`,
    `Leave-one-out error (each observation predicted by the fit of the others): RMS ${pct(fit.looRmsError).replace('+', '')}, largest ${pct(fit.looMaxError).replace('+', '')}`,
  ];
  if (fit.firstRunNs > 0) lines.push(`First-run term (observations marked firstRun; a cost of the measuring machine, in no price): ${formatDuration(fit.firstRunNs)}`);
  lines.push(`Unconstrained (no observation moves them; ${prior.name}'s prices kept): ${fit.unconstrained.length} counters`);
  if (fit.confounded.length > 0) lines.push(`Confounded (the observations leave them open; ${prior.name}'s proportions at the fitted scale): ${fit.confounded.join(', ')}`);
  return lines;
}

export function formatCalibration(profile: Profile, prior: Profile, c: ChalkInstance): string {
  return [
    c.bold(`Observations (${profile.fit!.measurements}):`),
    renderTable(observationGrid(profile.fit!), c),
    '',
    c.bold(`Prices (ns per count; prior: profile ${prior.name}):`),
    renderTable(priceGrid(profile, prior), c),
    '',
    ...summaryLines(profile, prior),
    '',
  ].join('\n');
}
