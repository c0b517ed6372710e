// Which reference workload follows the simulator's slow phases (issue 13)? In rounds, times the
// map and unmap tasks of a few strategies (run/timing.ts, as `run` does) and after every sample
// one pass of each candidate: run/reference.ts's pass (a map of small objects and fresh typed
// arrays filled per page: the simulator's shape) and a loop over a small array already in cache
// (pure compute). Prints per round each task's fastest sample and each reference's median
// pass, then how much each task's fastest sample spreads over the rounds (sd of its log, ~ %)
// raw and divided by each reference: a reference that follows the phases shrinks the spread.
//   node --import tsx bench/reference-probe.ts [rounds] [fixture]

import '../src/run/v8-tuning.ts';
import { loadFixture } from '../src/input/fixture.ts';
import { referencePass } from '../src/run/reference.ts';
import { timeStrategy } from '../src/run/timing.ts';
import { findStrategy } from '../src/strategies/registry.ts';

const [roundsArg = '30', fixture = 'rfc-pitfall-mid-vma'] = process.argv.slice(2);
const rounds = Number(roundsArg);
const { layout } = loadFixture(fixture);
const strategies = ['rfc', 'v4.17-merged'].map((n) => findStrategy(n)!);

const SMALL = 1 << 14;
const small = new Float64Array(SMALL);
let sink = 0;
/** 16 Ki float64 (128 KiB, cache-resident): compute only. */
function cachedLoop(): void {
  let a = 0;
  for (let i = 0; i < SMALL; i++) {
    small[i] = (i * 2654435761) % 1048573;
    a += small[i]!;
  }
  sink = (sink + a) % 1e9;
}
const REFS = { reference: referencePass, cached: cachedLoop } as const;
for (let i = 0; i < 30; i++) for (const f of Object.values(REFS)) f();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const sdLog = (xs: number[]) => {
  const l = xs.map(Math.log);
  const m = l.reduce((a, b) => a + b, 0) / l.length;
  return Math.sqrt(l.reduce((a, x) => a + (x - m) ** 2, 0) / (l.length - 1));
};
const names = strategies.flatMap((s) => [`${s.name} map`, `${s.name} unmap`]);
const series: Record<string, number[]> = Object.fromEntries([...names, ...Object.keys(REFS)].map((k) => [k, []]));
console.log(`${fixture}: ${rounds} rounds; per round each task's fastest sample (us), each reference's median pass (us)`);
console.log(['round', ...names, ...Object.keys(REFS)].join('\t'));
for (let r = 1; r <= rounds; r++) {
  const passes: Record<string, number[]> = Object.fromEntries(Object.keys(REFS).map((k) => [k, []]));
  const row: number[] = [];
  for (const s of strategies) {
    const t = await timeStrategy(layout, s, {
      timeMs: 150, maxSamples: 100, warmup: true,
      onSample: () => {
        for (const [k, f] of Object.entries(REFS)) {
          const t0 = performance.now();
          f();
          passes[k]!.push(performance.now() - t0);
        }
      },
    });
    row.push(t.map.min / 1e3, t.unmap.min / 1e3);
  }
  for (const k of Object.keys(REFS)) row.push(median(passes[k]!) * 1e3);
  [...names, ...Object.keys(REFS)].forEach((k, i) => series[k]!.push(row[i]!));
  console.log([r, ...row.map((x) => x.toFixed(0))].join('\t'));
}
console.log('spread of each task\'s fastest sample over the rounds (sd of log x 100): raw, / reference, / cached loop');
for (const n of names) {
  const x = series[n]!;
  const by = (k: string) => sdLog(x.map((v, i) => v / series[k]![i]!));
  console.log(`  ${n.padEnd(20)} ${(sdLog(x) * 100).toFixed(0).padStart(4)} ${(by('reference') * 100).toFixed(0).padStart(4)} ${(by('cached') * 100).toFixed(0).padStart(4)}`);
}
if (Number.isNaN(sink)) console.log('');
