// `run --explain`: where each strategy's modelled time goes. For each strategy and side, the
// counters that account for most of it under the cost profile (count x ns per counter, from
// breakdown()), largest first: "baseline  map  0.400 s: 41% mmap_sem read acquisitions, ...".
// Pure: the records and the profile in, lines out.

import { counterDef, type CounterName } from '../../model/counters.ts';
import { breakdown, modelledNs, type Profile } from '../../model/profile.ts';
import type { FixtureResult } from '../../model/result.ts';
import { formatModelled } from '../units.ts';

interface ExplainPart {
  counter: CounterName;
  label: string;
  ns: number;
  share: number;
}

interface Explanation {
  strategy: string;
  side: 'map' | 'unmap';
  totalNs: number;
  /** the largest contributions, at most `top`, each at least `minShare` of the total. */
  parts: ExplainPart[];
  /** the share of everything else. */
  otherShare: number;
}

interface ExplainOptions {
  /** how many counters to name per strategy and side (default 4). */
  top?: number;
  /** leave out contributions below this share (default 0.01: 1%). */
  minShare?: number;
}

export function explainFixture(fx: FixtureResult, profile: Profile, opts: ExplainOptions = {}): Explanation[] {
  const top = opts.top ?? 4;
  const minShare = opts.minShare ?? 0.01;
  const out: Explanation[] = [];
  for (const s of fx.strategies) {
    for (const side of ['map', 'unmap'] as const) {
      const counters = s.counters[side];
      const parts = breakdown(profile, counters)
        .filter((p) => p.share >= minShare)
        .slice(0, top)
        .map((p) => ({ counter: p.counter as CounterName, label: counterDef(p.counter as CounterName).label, ns: p.ns, share: p.share }));
      const named = parts.reduce((sum, p) => sum + p.share, 0);
      const totalNs = modelledNs(profile, counters);
      out.push({ strategy: s.strategy, side, totalNs, parts, otherShare: totalNs > 0 ? Math.max(0, 1 - named) : 0 });
    }
  }
  return out;
}

/** 0.412 -> "41%"; below 1% "<1%". */
export function formatShare(share: number): string {
  const pct = Math.round(share * 100);
  return pct === 0 && share > 0 ? '<1%' : `${pct}%`;
}

/** "0.400 s: 41% mmap_sem read acquisitions, 28% GUP calls, 31% other" */
export function explanationText(e: Explanation): string {
  if (e.totalNs <= 0) return 'no modelled work';
  const time = formatModelled(e.totalNs, 0);
  const parts = e.parts.map((p) => `${formatShare(p.share)} ${p.label}`);
  // "other" is what the rounded shares leave of 100%, so a line adds up
  const other = 100 - e.parts.reduce((sum, p) => sum + Math.round(p.share * 100), 0);
  if (e.otherShare > 0 && other > 0) parts.push(`${other}% other`);
  return `${time}: ${parts.join(', ')}`;
}

/** The section's heading. */
export function explainCaption(profile: Profile): string {
  return `Where the modelled time goes (cost profile ${profile.name}: count x ns per counter, largest first):`;
}

/** One line per strategy and side: strategy (on its map line), side, total and its parts. */
export function explainLines(fx: FixtureResult, profile: Profile): { strategy: string; side: string; text: string }[] {
  return explainFixture(fx, profile).map((e) => ({ strategy: e.side === 'map' ? e.strategy : '', side: e.side, text: explanationText(e) }));
}
