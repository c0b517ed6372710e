// A log-log line chart drawn in characters, for the terminal: one marker letter per series
// (upper case at the data points, lower case along the lines between them), decade ticks on
// the y axis, the data points' values on the x axis, and a legend. Pure.

import type { SweepDocument } from '../../model/result.ts';
import { AXIS_TITLE, modelledOf } from './series.ts';
import { formatBytes } from '../units.ts';

interface ChartSeries {
  name: string;
  points: { x: number; y: number }[];
}

interface ChartOptions {
  /** plot columns (without the y labels). */
  width: number;
  /** plot rows (without the x axis). */
  height: number;
  /** an x tick's label. */
  xLabel: (x: number) => string;
}

/**
 * One letter per name, distinct, easy to tell back: the first free letter of the part after
 * the last '-' ("rfc-fixed" -> F), then of the whole name, then any free letter.
 */
export function markerLetters(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const tail = name.slice(name.lastIndexOf('-') + 1);
    const candidates = [...tail.toUpperCase(), ...name.toUpperCase(), ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((ch) => /[A-Z]/.test(ch));
    const letter = candidates.find((ch) => !taken.has(ch)) ?? '?';
    taken.add(letter);
    return letter;
  });
}

/** A power of ten of nanoseconds as a tick label: "1 us", "10 ms", "100 ns", "1 s". */
export function decadeLabel(ns: number): string {
  const units: [number, string][] = [[1e9, 's'], [1e6, 'ms'], [1e3, 'us'], [1, 'ns']];
  for (const [u, name] of units) {
    if (ns >= u) return `${Number((ns / u).toPrecision(6))} ${name}`;
  }
  return `${Number(ns.toPrecision(6))} ns`;
}

/** The chart's lines; `legend` says which letter is which series and which are hidden. */
export function lineChart(series: readonly ChartSeries[], opts: ChartOptions): { lines: string[]; legend: string[] } {
  const W = Math.max(8, opts.width);
  const H = Math.max(4, opts.height);
  const letters = markerLetters(series.map((s) => s.name));
  const pts = series.flatMap((s) => s.points).filter((p) => p.x > 0 && p.y > 0);
  if (pts.length === 0) return { lines: ['(nothing to plot: no positive values)'], legend: [] };

  const lx = Math.log10;
  let x0 = Math.min(...pts.map((p) => p.x));
  let x1 = Math.max(...pts.map((p) => p.x));
  if (x0 === x1) [x0, x1] = [x0 / 2, x1 * 2];
  const d0 = Math.floor(lx(Math.min(...pts.map((p) => p.y))) + 1e-9);
  let d1 = Math.ceil(lx(Math.max(...pts.map((p) => p.y))) - 1e-9);
  if (d1 <= d0) d1 = d0 + 1;
  const colOf = (x: number): number => Math.round(((lx(x) - lx(x0)) / (lx(x1) - lx(x0))) * (W - 1));
  const rowOfLog = (ly: number): number => H - 1 - Math.round(((ly - d0) / (d1 - d0)) * (H - 1));

  const grid: string[][] = Array.from({ length: H }, () => Array.from({ length: W }, () => ' '));
  const valid = series.map((s) => s.points.filter((p) => p.x > 0 && p.y > 0).sort((a, b) => a.x - b.x));
  // lines first, then the data points; each in reverse order so the first series ends on top
  for (let i = series.length - 1; i >= 0; i--) {
    const ps = valid[i]!;
    for (let j = 1; j < ps.length; j++) {
      const a = ps[j - 1]!;
      const b = ps[j]!;
      const ca = colOf(a.x);
      const cb = colOf(b.x);
      for (let c = ca + 1; c < cb; c++) {
        const t = (c - ca) / (cb - ca);
        grid[rowOfLog(lx(a.y) + (lx(b.y) - lx(a.y)) * t)]![c] = letters[i]!.toLowerCase();
      }
    }
  }
  for (let i = series.length - 1; i >= 0; i--) {
    for (const p of valid[i]!) grid[rowOfLog(lx(p.y))]![colOf(p.x)] = letters[i]!;
  }

  // y labels at the decades, where they fit
  const labels = new Map<number, string>();
  for (let d = d1; d >= d0; d--) {
    const row = rowOfLog(d);
    if (!labels.has(row) && !labels.has(row - 1) && !labels.has(row + 1)) labels.set(row, decadeLabel(10 ** d));
  }
  const lw = Math.max(...[...labels.values()].map((l) => l.length));
  const lines = grid.map((cells, r) => {
    const label = labels.get(r);
    return `${(label ?? '').padStart(lw)} ${label === undefined ? '│' : '┤'}${cells.join('').trimEnd()}`;
  });

  // x axis: a tick under each distinct x, labels where they do not collide
  const xs = [...new Set(pts.map((p) => p.x))].sort((a, b) => a - b);
  const axis = Array.from({ length: W }, () => '─');
  const under = Array.from({ length: W + lw + 8 }, () => ' ');
  let free = 0; // first column of `under` a label may use
  for (const x of xs) {
    const c = colOf(x);
    axis[c] = '┬';
    const text = opts.xLabel(x);
    const start = Math.max(0, lw + 2 + c - Math.floor(text.length / 2));
    if (start >= free && start + text.length <= under.length) {
      for (let k = 0; k < text.length; k++) under[start + k] = text[k]!;
      free = start + text.length + 1;
    }
  }
  lines.push(`${' '.repeat(lw)} └${axis.join('')}`);
  lines.push(under.join('').trimEnd());

  // legend: letter, name, and where a series is entirely under another
  const legend = series.map((s, i) => {
    const ps = valid[i]!;
    const shown = ps.some((p) => grid[rowOfLog(lx(p.y))]![colOf(p.x)] === letters[i]);
    const cover = ps.length > 0 ? grid[rowOfLog(lx(ps[0]!.y))]![colOf(ps[0]!.x)]! : '';
    const coverName = series[letters.indexOf(cover)]?.name;
    const note = ps.length === 0 ? ' (nothing to plot)' : !shown && coverName !== undefined ? ` (under ${cover} ${coverName})` : '';
    return `${letters[i]} ${s.name}${note}`;
  });
  return { lines, legend };
}

/** Legend entries joined into lines of at most `width` characters. */
function wrapLegend(entries: readonly string[], width: number): string[] {
  const indent = '  ';
  const out: string[] = [];
  let line = '';
  for (const e of entries) {
    const next = line === '' ? `${indent}${e}` : `${line}   ${e}`;
    if (line !== '' && next.length > width) {
      out.push(line);
      line = `${indent}${e}`;
    } else line = next;
  }
  if (line !== '') out.push(line);
  return out;
}

/** The chart of one side's modelled time against the swept size, with title and legend. */
export function sweepChart(doc: SweepDocument, side: 'map' | 'unmap', opts: { width?: number; height?: number } = {}): string {
  const width = opts.width ?? 80;
  const series: ChartSeries[] = doc.options.strategies.map((name) => ({
    name,
    points: doc.points.flatMap((p) => {
      const r = p.records.find((x) => x.strategy === name);
      return r === undefined ? [] : [{ x: p.value, y: modelledOf(r, side) }];
    }),
  }));
  const { lines, legend } = lineChart(series, {
    width: Math.max(20, width - 12),
    height: opts.height ?? 14,
    xLabel: (x) => formatBytes(x, ''),
  });
  const title = `Modelled ${side} time against ${AXIS_TITLE[doc.options.axis]} (log-log; cost profile ${doc.options.profile}):`;
  return [title, ...lines, ...wrapLegend(legend, width)].join('\n');
}
