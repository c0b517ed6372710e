// Sweep plans: one layout dimension (a BAR's size, the guest RAM's size, or the DMA map chunk
// size) over a geometric series. Pure: the sweep flags -> a plan of validated layouts, one per
// point (planSweep). run/sweep-pool.ts runs the points; run/document.ts makes the document.

import type { DmaRequest, Layout } from '../model/layout.ts';
import { PAGE_SIZE, SZ_1G, SZ_2M } from '../model/units.ts';
import { InputError } from '../model/errors.ts';
import { describe, formatSize, parseSize } from './size.ts';
import { applyWhatIf } from './whatif.ts';
import { describeWhatIf, type WhatIf } from './whatif-flags.ts';
import type { SweepAxis } from '../model/result.ts';
import { DEFAULT_LIMITS, overLimit, type Limits } from './limits.ts';

export const AXIS_FLAG: Record<SweepAxis, string> = { bar: '--bar', ram: '--ram', chunk: '--chunk' };

const DEFAULT_FACTOR = 2;

/** `sweep`'s flags: the what-if flags (one of --bar, --ram, --chunk given as a range
 *  "<from>..<to>"), the series, and --chunk. */
export interface SweepFlags extends WhatIf {
  /** DMA map chunk size: every map request is split into requests of this size. */
  chunk?: string;
  /** number of points, from and to included. */
  steps?: number;
  /** ratio between consecutive points (default 2). */
  factor?: number;
}

export interface PlannedPoint {
  index: number;
  /** the swept value, bytes (a BAR or RAM size, or a chunk size). */
  value: number;
  /** the value as a flag would take it: "512M". */
  text: string;
  layout: Layout;
}

export interface SweepPlan {
  axis: SweepAxis;
  from: number;
  to: number;
  /** exactly one of factor and steps is set. */
  factor: number | null;
  steps: number | null;
  /** the flags as given: "--bar 256M..128G --backing thp". */
  flags: string;
  points: PlannedPoint[];
}

const RANGE = '..';

/** "16G" for 16 GiB, "1536M", "4097": the largest binary suffix that divides exactly. */
export function sizeFlagText(bytes: number): string {
  const units: [number, string][] = [[2 ** 50, 'P'], [2 ** 40, 'T'], [2 ** 30, 'G'], [2 ** 20, 'M'], [2 ** 10, 'K']];
  for (const [size, suffix] of units) if (bytes >= size && bytes % size === 0) return `${bytes / size}${suffix}`;
  return String(bytes);
}

const isRange = (text: string | undefined): boolean => text !== undefined && text.includes(RANGE);

/** "256M..128G" -> [from, to], each a size; errors name the flag. */
function parseRange(text: string, flag: string): { from: number; to: number } {
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
export function geometricSeries(from: number, to: number, series: { factor?: number; steps?: number }, granule: number, flag: string,
  maxPoints = DEFAULT_LIMITS.points): number[] {
  const round = (v: number): number => Math.max(granule, Math.round(v / granule) * granule);
  let raw: number[] = [];
  if (series.steps !== undefined) {
    const n = series.steps;
    if (!Number.isSafeInteger(n) || n < 1) throw new InputError(`--steps: expected a whole number of at least 1, got ${n}`);
    if (n > maxPoints) throw overLimit('points', `--steps ${n}`, `${n} points`, n, maxPoints);
    if (n === 1 && from !== to) throw new InputError(`--steps 1: a range of one point must start and end at the same size; got ${flag} ${sizeFlagText(from)}..${sizeFlagText(to)}`);
    raw = Array.from({ length: n }, (_, i) => (i === 0 ? from : i === n - 1 ? to : from * (to / from) ** (i / (n - 1))));
  } else {
    const f = series.factor ?? DEFAULT_FACTOR;
    if (!(f > 1) || !Number.isFinite(f)) throw new InputError(`--factor: expected a number above 1, got ${f}`);
    const count = Math.floor(Math.log(to / from) / Math.log(f) + 1e-9) + 1;
    if (count > maxPoints) {
      throw overLimit('points', `--factor ${f}`, `${flag} ${sizeFlagText(from)}..${sizeFlagText(to)} would give ${count} points`, count, maxPoints);
    }
    for (let i = 0; i < count; i++) raw.push(from * f ** i);
  }
  const out: number[] = [];
  for (const v of raw.map(round)) if (!out.includes(v)) out.push(v);
  return out;
}

/** Every map request split into requests of at most `chunk` bytes (the last of each shorter). */
export function chunkRequests(l: Layout, chunk: number, where: string, maxRequests = DEFAULT_LIMITS.requests): Layout {
  const out: DmaRequest[] = [];
  let mapped = 0;
  for (const r of l.requests) {
    if (r.op !== 'map') {
      out.push(r);
      continue;
    }
    mapped += r.size;
    for (let off = 0; off < r.size; off += chunk) {
      const size = Math.min(chunk, r.size - off);
      // a label on each chunk would cost memory for nothing: the first keeps the request's.
      out.push({ op: 'map', ...(off === 0 && r.label !== undefined ? { label: r.label } : {}), vaddr: r.vaddr + off, iova: r.iova + off, size, read: r.read, write: r.write });
      if (out.length > maxRequests) {
        const total = l.requests.reduce((n, q) => n + (q.op === 'map' ? Math.ceil(q.size / chunk) : 1), 0);
        throw overLimit('requests', where, `the layout's map requests would split into ${total.toLocaleString('en-US')}`, total, maxRequests);
      }
    }
  }
  if (mapped === 0) throw new InputError(`${where}: the layout has no map request to split`);
  return { ...l, requests: out };
}

function parseChunk(text: string, where: string): number {
  const n = parseSize(text, where);
  if (n === 0 || n % PAGE_SIZE !== 0) throw new InputError(`${where}: expected a multiple of 4 KiB (the IOMMU's smallest page), got ${describe(text)}`);
  return n;
}

/** The smallest step between points: a RAM size must stay a whole number of hugetlbfs pages. */
function granuleFor(axis: SweepAxis, backing: string | undefined): number {
  if (axis !== 'ram') return PAGE_SIZE;
  const b = backing?.toLowerCase();
  return b === 'hugetlb-1g' ? SZ_1G : b === 'hugetlb-2m' ? SZ_2M : PAGE_SIZE;
}

/** The flags of a sweep as the user gave them, in a fixed order. */
function describeSweepFlags(f: SweepFlags): string {
  const parts = [describeWhatIf(f)];
  if (f.chunk !== undefined) parts.push(`--chunk ${f.chunk}`);
  if (f.steps !== undefined) parts.push(`--steps ${f.steps}`);
  if (f.factor !== undefined) parts.push(`--factor ${f.factor}`);
  return parts.filter((p) => p !== '').join(' ');
}

/** The points of a sweep, each a validated layout. Bad flags are InputErrors naming the flag. */
export function planSweep(f: SweepFlags, limits: Limits = DEFAULT_LIMITS): SweepPlan {
  const bars = f.bar ?? [];
  const ranged: SweepAxis[] = [];
  if (bars.some(isRange)) ranged.push('bar');
  if (isRange(f.ram)) ranged.push('ram');
  if (isRange(f.chunk)) ranged.push('chunk');
  if (ranged.length === 0) {
    throw new InputError('sweep: give one range to sweep: --bar <from>..<to>, --ram <from>..<to>, or --chunk <from>..<to> with a --bar or --ram (e.g. --bar 256M..128G)');
  }
  if (ranged.length > 1 || bars.filter(isRange).length > 1) {
    throw new InputError(`sweep: one range at a time; got ranges in ${ranged.map((a) => AXIS_FLAG[a]).join(' and ')}${ranged.length === 1 ? ' (twice)' : ''}`);
  }
  if (f.steps !== undefined && f.factor !== undefined) throw new InputError('--steps, --factor: give one of them (the number of points, or the ratio between points)');
  const axis = ranged[0]!;
  const flag = AXIS_FLAG[axis];
  if (axis === 'chunk' && bars.length === 0 && f.ram === undefined) {
    throw new InputError('--chunk: give the layout whose map requests are chunked: a --bar <size> and/or --ram <size>');
  }

  // the range, and for a BAR its "@align" suffix, kept for every point
  let rangeText = axis === 'bar' ? bars.find(isRange)! : axis === 'ram' ? f.ram! : f.chunk!;
  let suffix = '';
  if (axis === 'bar' && rangeText.includes('@')) {
    const at = rangeText.indexOf('@');
    suffix = rangeText.slice(at);
    rangeText = rangeText.slice(0, at);
  }
  const { from, to } = parseRange(rangeText, flag);
  const granule = granuleFor(axis, f.backing);
  for (const [end, v] of [['from', from], ['to', to]] as const) {
    if (v % granule !== 0) throw new InputError(`${flag} ${rangeText}: ${end} ${describe(sizeFlagText(v))} is not a multiple of ${formatSize(granule)}`);
  }
  const series = f.steps !== undefined ? { steps: f.steps } : { factor: f.factor ?? DEFAULT_FACTOR };
  const values = geometricSeries(from, to, series, granule, flag, limits.points);
  const fixedChunk = axis !== 'chunk' && f.chunk !== undefined ? parseChunk(f.chunk, '--chunk') : undefined;

  const points = values.map((value, index): PlannedPoint => {
    const text = sizeFlagText(value);
    const { chunk: _chunk, steps: _steps, factor: _factor, ...what } = f;
    const w: WhatIf = what;
    if (axis === 'bar') w.bar = bars.map((b) => (isRange(b) ? `${text}${suffix}` : b));
    if (axis === 'ram') w.ram = text;
    const at = `(point ${index + 1} of ${values.length})`;
    const where = (fl: string): string => (fl === flag ? `${fl} ${text}${suffix} ${at}` : fl);
    let layout = applyWhatIf(null, w, where);
    let desc = describeWhatIf(w);
    const chunk = axis === 'chunk' ? value : fixedChunk;
    if (chunk !== undefined) {
      layout = chunkRequests(layout, chunk, axis === 'chunk' ? `--chunk ${text} ${at}` : `--chunk ${f.chunk}`, limits.requests);
      desc += ` --chunk ${sizeFlagText(chunk)}`;
    }
    layout.name = `${axis}-${text}`;
    layout.description = desc;
    return { index, value, text, layout };
  });
  return { axis, from, to, factor: series.factor ?? null, steps: series.steps ?? null, flags: describeSweepFlags(f), points };
}
