// `run --explain`: where each strategy's modelled time goes. For each strategy and side, the
// share of every counter of at least 1% under the cost profile (count x ns per counter, from
// breakdown()), largest first: "baseline  map  0.400 s: 41% mmap_sem read acquisitions, ...";
// the work the run did that the profile prices at 0 ("unpriced"); and a warning when the run
// moved a counter the profile's fit left unconstrained (no measurement behind its price).
// Pure: the records and the profile in, lines out.

import { COUNTER_NAMES, counterDef, type CounterName } from '../../model/counters.ts';
import { formatCount } from '../units.ts';
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
  /** counters this side moved that the profile prices at 0, largest count first. */
  unpriced: { counter: CounterName; count: number }[];
}

interface ExplainOptions {
  /** how many counters to name per strategy and side (default: every one of at least minShare). */
  top?: number;
  /** leave out contributions below this share (default 0.01: 1%). */
  minShare?: number;
}

export function explainFixture(fx: FixtureResult, profile: Profile, opts: ExplainOptions = {}): Explanation[] {
  const top = opts.top ?? Infinity;
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
      const unpriced = COUNTER_NAMES.filter((n) => counters[n] > 0 && profile.ns[n] === 0)
        .map((n) => ({ counter: n, count: counters[n] }))
        .sort((a, b) => b.count - a.count);
      out.push({ strategy: s.strategy, side, totalNs, parts, otherShare: totalNs > 0 ? Math.max(0, 1 - named) : 0, unpriced });
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
  return `${time}: ${parts.join(', ')}${unpricedText(e)}`;
}

/** "; unpriced: 4,194,304 pages pinned, ..." (work done at 0 ns), or "". */
function unpricedText(e: Explanation): string {
  if (e.unpriced.length === 0) return '';
  return `; unpriced: ${e.unpriced.map((u) => `${formatCount(u.count)} ${counterDef(u.counter).label}`).join(', ')}`;
}

/**
 * The warning when the run moved counters whose price no measurement constrains (the profile's
 * fit lists them unconstrained): "warning: profile qemu-tcg has no measurement behind
 * vaddr_get_pfn (baseline map 31%), ...", with each counter's largest share; null when none.
 */
export function unconstrainedWarning(fx: FixtureResult, profile: Profile): string | null {
  const open = profile.fit?.unconstrained;
  if (open === undefined || open.length === 0) return null;
  const worst = new Map<CounterName, { where: string; share: number }>();
  for (const e of explainFixture(fx, profile, { minShare: 0 })) {
    for (const s of fx.strategies.filter((x) => x.strategy === e.strategy)) {
      for (const n of open) {
        if (s.counters[e.side][n] === 0 || profile.ns[n] === 0) continue;
        const share = e.totalNs > 0 ? (s.counters[e.side][n] * profile.ns[n]) / e.totalNs : 0;
        const w = worst.get(n);
        if (w === undefined || share > w.share) worst.set(n, { where: `${e.strategy} ${e.side}`, share });
      }
    }
  }
  if (worst.size === 0) return null;
  const items = [...worst].sort((a, b) => b[1].share - a[1].share).map(([n, w]) => `${n} (${w.where} ${formatShare(w.share)})`);
  return `warning: profile ${profile.name} leaves unconstrained (no measurement behind the price) counters this run moved: ${items.join(', ')}`;
}

/** The section's heading. */
export function explainCaption(profile: Profile): string {
  return `Where the modelled time goes (cost profile ${profile.name}: count x ns per counter, largest first):`;
}

/** One line per strategy and side: strategy (on its map line), side, total and its parts. */
export function explainLines(fx: FixtureResult, profile: Profile): { strategy: string; side: string; text: string }[] {
  return explainFixture(fx, profile).map((e) => ({ strategy: e.side === 'map' ? e.strategy : '', side: e.side, text: explanationText(e) }));
}
