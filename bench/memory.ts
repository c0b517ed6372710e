// Memory budget check: one map + unmap of a guest of the given backing and size (1 TiB) by one
// strategy (baseline, 4.16), then the peak resident set size. Issue 15's budgets: 1 TiB of 4 KiB
// RAM under 400 MiB, 4 TiB under 1.5 GiB (docs/performance.md).
// `node --import tsx bench/memory.ts 4k|thp|hugetlb-2m|hugetlb-1g [TiB] [strategy]`.

import '../src/run/v8-tuning.ts';
import { resourceUsage } from 'node:process';
import type { Backing } from '../src/model/layout.ts';
import { defaultPlacement } from '../src/input/placement.ts';
import { simulate } from '../src/run/simulate.ts';
import { STRATEGIES } from '../src/strategies/registry.ts';
import { ramLayout } from './scenarios.ts';

const TiB = 2 ** 40;
const backings: Record<string, Backing> = {
  '4k': { kind: 'anon', populated: true, placement: defaultPlacement('anon') },
  thp: { kind: 'thp', populated: true, placement: defaultPlacement('thp') },
  'hugetlb-2m': { kind: 'hugetlb', pageSize: 2 ** 21, placement: defaultPlacement('hugetlb') },
  'hugetlb-1g': { kind: 'hugetlb', pageSize: 2 ** 30, placement: defaultPlacement('hugetlb') },
};
const name = process.argv[2] ?? 'hugetlb-1g';
const backing = backings[name];
if (!backing) {
  console.error(`bench/memory.ts: backing must be one of ${Object.keys(backings).join(', ')}, got ${JSON.stringify(name)}`);
  process.exit(2);
}
const tib = Number(process.argv[3] ?? 1);
const strategy = STRATEGIES.find((st) => st.name === (process.argv[4] ?? 'baseline'));
if (!(tib > 0) || !strategy) {
  console.error(`bench/memory.ts: expected a size in TiB and one of ${STRATEGIES.map((st) => st.name).join(', ')}`);
  process.exit(2);
}
const t0 = performance.now();
const sim = simulate(ramLayout(tib * TiB, backing, name), strategy);
const s = (performance.now() - t0) / 1000;
const pages = (tib * TiB) / 4096;
console.log(JSON.stringify({
  guest: `${tib} TiB ${name}`, strategy: strategy.name, pages, seconds: Number(s.toFixed(1)), pagesPerSecondBothSides: Math.round((2 * pages) / s),
  maxRssMiB: Math.round(resourceUsage().maxRSS / 1024), oracle: sim.oracle.ok, invariants: sim.invariants.every((i) => i.ok),
}));
