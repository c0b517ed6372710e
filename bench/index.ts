// The simulator's own speed (tinybench): simulated pages per second on the per-page paths
// (the 4.16 baseline's map and unmap of a 16 GiB BAR and of 4 KiB RAM), and a fixture's
// load and validation. `npm run bench` prints a table; `npm run bench -- --json` the data.

import '../src/run/v8-tuning.ts';
import { Bench } from 'tinybench';
import { Kernel } from '../src/kernel/kernel.ts';
import type { Layout } from '../src/kernel/layout.ts';
import { defaultPlacement } from '../src/layout/placement.ts';
import { issue, release } from '../src/run/simulate.ts';
import { baseline } from '../src/strategies/baseline.ts';
import { barLayout, ramLayout } from './scenarios.ts';

const G = 2 ** 30;
const json = process.argv.includes('--json');
const bench = new Bench({ time: 2000, iterations: 5, warmup: true, warmupIterations: 1, warmupTime: 0 });
const pages = new Map<string, number>();

function mapTask(name: string, l: Layout): void {
  let k: Kernel;
  pages.set(`${name} map`, l.requests[0]!.size / 4096);
  pages.set(`${name} unmap`, l.requests[0]!.size / 4096);
  bench.add(`${name} map`, () => void issue(k, l.requests[0]!), {
    beforeEach: () => void (k = new Kernel(l, baseline)),
    afterEach: () => release(k),
  });
  bench.add(`${name} unmap`, () => release(k), {
    beforeEach: () => {
      k = new Kernel(l, baseline);
      issue(k, l.requests[0]!);
    },
  });
}

mapTask('baseline 16 GiB BAR', barLayout(16 * G));
mapTask('baseline 4 GiB RAM, 4 KiB pages', ramLayout(4 * G, { kind: 'anon', populated: true, placement: defaultPlacement('anon') }, '4k'));

await bench.run();

const rows = bench.tasks.map((t) => {
  const r = t.result;
  if (r.state !== 'completed') throw new Error(`${t.name}: ${r.state}`);
  const n = pages.get(t.name) ?? 0;
  return { task: t.name, meanMs: r.latency.mean, rme: r.latency.rme, samples: r.latency.samplesCount, pagesPerSecond: n / (r.latency.mean / 1000) };
});
if (json) console.log(JSON.stringify({ node: process.version, rows }, null, 2));
else {
  for (const r of rows)
    console.log(`${r.task.padEnd(40)} ${r.meanMs.toFixed(1).padStart(8)} ms ±${r.rme.toFixed(1)}% (${r.samples} samples)  ${(r.pagesPerSecond / 1e6).toFixed(1)} M pages/s`);
}
