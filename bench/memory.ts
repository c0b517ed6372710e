// Memory budget check: one baseline (4.16) map + unmap of a 1 TiB guest of the given backing,
// then the peak resident set size. `node --import tsx bench/memory.ts 4k|thp|hugetlb-2m|hugetlb-1g`.

import '../src/run/v8-tuning.ts';
import { resourceUsage } from 'node:process';
import type { Backing } from '../src/model/layout.ts';
import { defaultPlacement } from '../src/input/placement.ts';
import { simulate } from '../src/run/simulate.ts';
import { baseline } from '../src/strategies/baseline.ts';
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
const t0 = performance.now();
const sim = simulate(ramLayout(TiB, backing, name), baseline);
const s = (performance.now() - t0) / 1000;
const pages = TiB / 4096;
console.log(JSON.stringify({
  guest: `1 TiB ${name}`, pages, seconds: Number(s.toFixed(1)), pagesPerSecondBothSides: Math.round((2 * pages) / s),
  maxRssMiB: Math.round(resourceUsage().maxRSS / 1024), oracle: sim.oracle.ok, invariants: sim.invariants.every((i) => i.ok),
}));
