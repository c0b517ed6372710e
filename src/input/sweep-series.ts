// A sweep's series: a "<from>..<to>" range, the geometric series of points in it, and a size
// written back as a flag takes it ("512M").

import { InputError } from '../model/errors.ts';
import { describe, parseSize } from './size.ts';

/** The most points one sweep may have. */
export const MAX_POINTS = 64;
export const DEFAULT_FACTOR = 2;

const RANGE = '..';

/** "16G" for 16 GiB, "1536M", "4097": the largest binary suffix that divides exactly. */
export function sizeFlagText(bytes: number): string {
  const units: [number, string][] = [[2 ** 50, 'P'], [2 ** 40, 'T'], [2 ** 30, 'G'], [2 ** 20, 'M'], [2 ** 10, 'K']];
  for (const [size, suffix] of units) if (bytes >= size && bytes % size === 0) return `${bytes / size}${suffix}`;
  return String(bytes);
}

/** True for "<from>..<to>". */
export const isRange = (text: string | undefined): boolean => text !== undefined && text.includes(RANGE);

/** "256M..128G" -> [from, to], each a size; errors name the flag. */
export function parseRange(text: string, flag: string): { from: number; to: number } {
  const parts = text.split(RANGE);
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    throw new InputError(`${flag}: expected a range like "256M..128G", got ${describe(text)}`);
  }
  const from = parseSize(parts[0], `${flag} ${text}`);
  const to = parseSize(parts[1], `${flag} ${text}`);
  if (from === 0) throw new InputError(`${flag} ${text}: the range must start above 0`);
  if (from > to) throw new InputError(`${flag} ${text}: the range must go upwards (${sizeFlagText(from)} is above ${sizeFlagText(to)})`);
  return { from, to };
}

/**
 * The geometric series from..to: from * factor^i up to `to` (to itself only when the series
 * meets it), or `steps` points spaced evenly in log space with both ends included. Points are
 * rounded to a multiple of `granule` and kept distinct.
 */
export function geometricSeries(from: number, to: number, series: { factor?: number; steps?: number }, granule: number, flag: string): number[] {
  const round = (v: number): number => Math.max(granule, Math.round(v / granule) * granule);
  let raw: number[] = [];
  if (series.steps !== undefined) {
    const n = series.steps;
    if (!Number.isSafeInteger(n) || n < 1) throw new InputError(`--steps: expected a whole number of at least 1, got ${n}`);
    if (n > MAX_POINTS) throw new InputError(`--steps: at most ${MAX_POINTS} points, got ${n}`);
    if (n === 1 && from !== to) throw new InputError(`--steps 1: a range of one point must start and end at the same size; got ${flag} ${sizeFlagText(from)}..${sizeFlagText(to)}`);
    raw = Array.from({ length: n }, (_, i) => (i === 0 ? from : i === n - 1 ? to : from * (to / from) ** (i / (n - 1))));
  } else {
    const f = series.factor ?? DEFAULT_FACTOR;
    if (!(f > 1) || !Number.isFinite(f)) throw new InputError(`--factor: expected a number above 1, got ${f}`);
    const count = Math.floor(Math.log(to / from) / Math.log(f) + 1e-9) + 1;
    if (count > MAX_POINTS) throw new InputError(`--factor ${f}: ${flag} ${sizeFlagText(from)}..${sizeFlagText(to)} would give ${count} points; at most ${MAX_POINTS}`);
    for (let i = 0; i < count; i++) raw.push(from * f ** i);
  }
  const out: number[] = [];
  for (const v of raw.map(round)) if (!out.includes(v)) out.push(v);
  return out;
}
