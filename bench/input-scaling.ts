// How the checks in front of a run grow with the input (issue 14: they were quadratic): a
// fixture's parse, validation and limits against its number of VMAs (each mapped by a request
// naming it), and compare (match and render) against the number of fixtures in two documents.
// Each row doubles the input; a linear step keeps the time per item about flat. Median of
// `--repeat` runs (default 3). `node --import tsx bench/input-scaling.ts [--repeat n]`.

import { parseFixture } from '../src/input/fixture.ts';
import { checkLayoutLimits, DEFAULT_LIMITS } from '../src/input/limits.ts';
import type { RunDocument } from '../src/model/result.ts';
import { compareDocuments } from '../src/report/compare/compare.ts';
import { renderCompare } from '../src/report/compare/format.ts';
import { makeDocument } from '../src/run/document.ts';
import { runLayout } from '../src/run/runner.ts';
import { loadFixture } from '../src/input/fixture.ts';
import { DEFAULT_PROFILE } from '../src/input/profile.ts';
import { baseline } from '../src/strategies/baseline.ts';
import { rfc } from '../src/strategies/rfc.ts';

const args = process.argv.slice(2);
const repeat = args[0] === '--repeat' && args[1] !== undefined ? Number(args[1]) : 3;
if (!(Number.isInteger(repeat) && repeat >= 1)) {
  console.error('usage: node --import tsx bench/input-scaling.ts [--repeat n]');
  process.exit(2);
}

function median(f: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** A fixture of n 4 KiB anonymous VMAs, each mapped by a request that names it. */
function manyVmas(n: number): unknown {
  return {
    version: 1, name: 'many-vmas', description: `${n} VMAs`,
    vmas: Array.from({ length: n }, (_, i) => ({ name: `v${i}`, size: '4K', backing: { kind: 'anon' } })),
    requests: Array.from({ length: n }, (_, i) => ({ op: 'map', vaddr: { vma: `v${i}` }, iova: String(i * 4096), size: 'whole' })),
  };
}

console.log('fixture parse + validate + limits, by VMAs (each with a map request naming it):');
for (const n of [5000, 10000, 20000, 40000]) {
  const json = manyVmas(n);
  const ms = median(() => {
    const l = parseFixture(structuredClone(json), 'many.json');
    checkLayoutLimits(l, DEFAULT_LIMITS, 'many.json', { kernels: 1, strategies: 8 });
  });
  console.log(`  ${String(n).padStart(6)} VMAs  ${ms.toFixed(0).padStart(6)} ms  ${((ms * 1000) / n).toFixed(1).padStart(6)} us per VMA`);
}

const small = loadFixture('small-mixed');
const opts = { strategies: [baseline, rfc], profile: DEFAULT_PROFILE, timeMs: 0, iterations: 1, timed: false };
const one = makeDocument([await runLayout(small.layout, small.source, opts)], opts);
const withFixtures = (n: number): RunDocument => ({
  ...one, fixtures: Array.from({ length: n }, (_, i) => ({ ...structuredClone(one.fixtures[0]!), fixture: `fx${i}` })),
});
console.log('compare (match, then the terminal and markdown text), by fixtures in each document:');
for (const n of [100, 200, 400, 800]) {
  const doc = withFixtures(n);
  const ms = median(() => {
    const c = compareDocuments(doc, doc, { base: 'a.json', current: 'b.json' });
    renderCompare(c, 'terminal', { color: false, verbose: false });
    renderCompare(c, 'markdown', { color: false, verbose: false });
  });
  console.log(`  ${String(n).padStart(6)} fixtures  ${ms.toFixed(0).padStart(6)} ms  ${(ms / n).toFixed(2).padStart(6)} ms per fixture`);
}
