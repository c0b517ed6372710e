// The first screen of `run`: per strategy and side one line with the modelled kernel time, the
// speed-up against the baseline, the simulator's time when timed, the counters that explain
// the modelled time (largest cost share first, with their counts, as kprobe_profile would count
// them) and the verdict. Plain aligned columns, no borders, fitted to `width` (at most 100):
// the counters column gets what the others leave. The full tables are behind --tables.

import type { ChalkInstance } from 'chalk';
import { counterDef, type CounterName } from '../../model/counters.ts';
import { breakdown, type Profile } from '../../model/profile.ts';
import type { FixtureResult, RunDocument, StrategyResult } from '../../model/result.ts';
import { paint, type Tone } from '../style.ts';
import { formatCount, formatDuration, formatSpeedup } from '../units.ts';
import { verdictCell } from './verdict.ts';

const OPS = ['map', 'unmap'] as const;

/** The widest the summary gets, whatever the terminal. */
export const SUMMARY_MAX_WIDTH = 100;

/** 5244924 -> "5.2M", 2047 -> "2,047", 1050620 -> "1.1M", 123456 -> "123k": a count in at
 *  most 5 characters, two significant digits from 100,000 up. */
export function compactCount(n: number): string {
  if (n < 1e5) return formatCount(n);
  for (const [v, s] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (n >= v) {
      const x = n / v;
      return `${x >= 10 ? Math.round(x) : x.toFixed(1)}${s}`;
    }
  }
  return formatCount(n);
}

/** The modelled time alone, the maintainer's way above 1 ms: "0.505 s", "955 ns". */
function modelledText(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e9).toFixed(3)} s` : formatDuration(ns);
}

/** "mmap lock (read) 9.4M, find_vma 9.4M": the counters with the largest share of one side's
 *  modelled time (count x ns), largest first, with their counts; as many as fit in `width`
 *  (at least one). --explain gives the shares. */
export function keyCounters(profile: Profile, s: StrategyResult, op: 'map' | 'unmap', width: number, top = 3): string {
  const parts: string[] = [];
  for (const p of breakdown(profile, s.counters[op]).slice(0, top)) {
    const name = p.counter as CounterName;
    const part = `${counterDef(name).label} ${compactCount(s.counters[op][name])}`;
    const next = parts.length === 0 ? part : `${parts.join(', ')}, ${part}`;
    if (next.length > width && parts.length > 0) break;
    parts.push(part);
  }
  return parts.join(', ');
}

interface Col {
  head: string;
  right: boolean;
  cells: { text: string; tone?: Tone }[];
}

/** The summary's lines for one fixture (no caption). */
export function summaryLines(doc: RunDocument, fx: FixtureResult, c: ChalkInstance, opts: { width: number; profile?: Profile }): string[] {
  const width = Math.min(opts.width, SUMMARY_MAX_WIDTH);
  const ref = fx.strategies.find((s) => s.strategy === 'baseline') ?? fx.strategies[0];
  const ns = (s: StrategyResult, op: 'map' | 'unmap'): number => (op === 'map' ? s.modelled.mapNs : s.modelled.unmapNs);
  const rows = fx.strategies.flatMap((s) => OPS.map((op) => ({ s, op })));
  const cols: Col[] = [
    { head: 'strategy', right: false, cells: rows.map(({ s, op }) => ({ text: op === 'map' ? s.strategy : '', tone: 'strong' as Tone })) },
    { head: 'side', right: false, cells: rows.map(({ op }) => ({ text: op })) },
    { head: 'modelled', right: true, cells: rows.map(({ s, op }) => ({ text: modelledText(ns(s, op)) })) },
    { head: ref === undefined || ref.strategy === 'baseline' ? 'speed-up' : `vs ${ref.strategy}`, right: true, cells: rows.map(({ s, op }) => ({ text: ref === undefined ? '-' : formatSpeedup(ns(ref, op), ns(s, op)) })) },
  ];
  if (doc.options.timed) {
    cols.push({
      head: 'simulator', right: true,
      cells: rows.map(({ s, op }) => {
        const t = s.timing?.[op];
        // one sample has no margin of error (compare does not judge it either)
        return { text: t === undefined ? '-' : t.samples < 2 ? `${formatDuration(t.mean)} (n=1)` : `${formatDuration(t.mean)} ±${Math.round(t.rme)}%` };
      }),
    });
  }
  const verdict: Col = {
    head: 'verdict', right: false,
    cells: rows.map(({ s, op }) => {
      if (op !== 'map') return { text: '' };
      const v = verdictCell(s);
      return { text: v.text, ...(v.tone !== undefined ? { tone: v.tone } : {}) };
    }),
  };
  const colWidth = (col: Col): number => Math.max(col.head.length, ...col.cells.map((x) => x.text.length));
  const fixed = [...cols, verdict].reduce((n, col) => n + colWidth(col) + 2, 0);
  const room = width - fixed;
  if (opts.profile !== undefined && room >= 16) {
    const profile = opts.profile;
    cols.push({ head: 'costliest counters (count)', right: false, cells: rows.map(({ s, op }) => ({ text: keyCounters(profile, s, op, room), tone: 'dim' as Tone })) });
    const last = cols.at(-1)!;
    if (last.head.length > room) last.head = 'top counters'.slice(0, room);
  }
  cols.push(verdict);
  const widths = cols.map(colWidth);
  const line = (cells: { text: string; tone?: Tone }[], bold = false): string => cells.map((x, i) => {
    const w = widths[i]!;
    const t = cols[i]!.right ? x.text.padStart(w) : i === cells.length - 1 ? x.text : x.text.padEnd(w);
    return bold ? c.bold(t) : paint(c, x.tone, t);
  }).join('  ').trimEnd();
  return [line(cols.map((col) => ({ text: col.head })), true), ...rows.map((_, r) => line(cols.map((col) => col.cells[r]!)))];
}
