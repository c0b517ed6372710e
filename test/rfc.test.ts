// The RFC's hazards, shown by the oracle, and the shape of its diff against the baseline, and of
// rfc-fixed's diff against the RFC.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { simulate } from '../src/run/simulate.ts';
import { baseline } from '../src/strategies/baseline.ts';
import { rfc } from '../src/strategies/rfc.ts';
import { anon, bar, BAR_BASE, layout, M, map, PAGE, RAM_BASE, VA_BAR } from './layouts.ts';
import { lineDiff } from './line-diff.ts';

// a 256 MiB BAR mmap directly followed by 256 MiB of anonymous memory; one DMA map from
// 128 MiB into the BAR for 256 MiB: 32,768 BAR pages, then 32,768 RAM pages.
const half = (128 * M) / PAGE;
const pitfall = layout(
  [bar('bar', VA_BAR, 256 * M, 'bar0'), anon('ram', VA_BAR + 256 * M, 256 * M)],
  [map(VA_BAR + 128 * M, 0, 256 * M)],
  { barSize: 256 * M },
);

test('baseline maps a range that starts in a BAR and runs into RAM correctly, in two runs', () => {
  const sim = simulate(pitfall, baseline);
  assert.equal(sim.oracle.ok, true, sim.oracle.detail);
  assert.equal(sim.kernel.mapCounters.vfio_pin_pages_remote, 2);
  assert.equal(sim.requests[0]!.runs, 2);
});

test('rfc: min(npage, vma_pages(vma)) ignores the offset into the vma and maps pfns past the BAR', () => {
  const sim = simulate(pitfall, rfc);
  // try_io_pfnmap at vaddr = bar + 128 MiB: vma_pages = 65,536 = npage: one run of 65,536
  // pfns from BAR pfn + 32,768; the last 32,768 lie past the end of the BAR.
  assert.equal(sim.kernel.mapCounters.vfio_pin_pages_remote, 1);
  assert.equal(sim.kernel.mapCounters.pfnmap_shortcut, 1);
  assert.equal(sim.oracle.ok, false);
  assert.equal(sim.oracle.wrongPages, half);
  assert.equal(sim.oracle.firstBad!.iova, 128 * M);
  assert.equal(sim.oracle.firstBad!.actualPfn, BAR_BASE / PAGE + 2 * half);
  // the page tables map the anon vma's first page there (placed at the start of RAM)
  assert.equal(sim.oracle.firstBad!.expectedPfn, RAM_BASE / PAGE);
  assert.match(sim.oracle.detail, /32768 of 65536 IOVA pages wrong; first at iova 0x8000000/);
});

test('rfc: only the first pfn is checked, so a vma ending in RAM would be trusted as well', () => {
  // one BAR vma, range wholly inside: no hazard, the shortcut is right
  const inside = layout([bar('bar', VA_BAR, 256 * M, 'bar0')], [map(VA_BAR + 128 * M, 0, 128 * M)], { barSize: 256 * M });
  const sim = simulate(inside, rfc);
  assert.equal(sim.oracle.ok, true);
  assert.equal(sim.kernel.mapCounters.pages_pinned, half);
});

test('rfc ignores disable_hugepages on a BAR (the shortcut runs first)', () => {
  const l = layout([bar('bar', VA_BAR, 64 * M, 'bar0')], [map(VA_BAR, 0, 64 * M)], { system: { disableHugepages: true } });
  assert.equal(simulate(l, rfc).kernel.mapCounters.vfio_pin_pages_remote, 1);
  assert.equal(simulate(l, baseline).kernel.mapCounters.vfio_pin_pages_remote, (64 * M) / PAGE);
});

const strip = (f: string) => readFileSync(new URL(`../src/strategies/${f}`, import.meta.url), 'utf8').split('\n');
const body = (lines: string[]) => lines.filter((l) => !l.startsWith('//'));

test('the rfc file is the baseline file plus the seed patch (and its header)', () => {
  const b = body(strip('baseline.ts'));
  const r = body(strip('rfc.ts'));
  // every baseline line appears in the rfc file in order, except the registry entry and the
  // mm.ts import that the patch widens
  const exempt = (l: string) => /^(export const baseline|  name: |  kernel: |  description: |  source: |import \{ VM_PFNMAP \})/.test(l);
  let j = 0;
  for (const line of b) {
    if (exempt(line)) continue;
    while (j < r.length && r[j] !== line) j++;
    assert.ok(j < r.length, `baseline line missing from rfc.ts: ${line}`);
    j++;
  }
  // and what the rfc adds is try_io_pfnmap() and its call, as in the seed
  const added = r.filter((l) => !b.includes(l) && l.trim() !== '');
  assert.ok(added.some((l) => l.includes('function try_io_pfnmap(')));
  assert.ok(added.some((l) => l.includes('ret = try_io_pfnmap(k, k.mm, vaddr, npage, pfn_base);')));
  assert.ok(added.some((l) => l.includes('pinned = Math.min(npage, vma_pages(vma))')));
  assert.ok(added.length < 25, `rfc adds ${added.length} lines`);
});

test('the rfc-fixed file is the rfc file plus the fix (and its header)', () => {
  const registry = (l: string) => /^(export const rfc|  name: |  kernel: |  description: |  source: )/.test(l);
  const { removed, added } = lineDiff(body(strip('rfc.ts')), body(strip('rfc-fixed.ts')));
  // the fix removes the two lines of try_io_pfnmap() it replaces and changes two imports; the
  // rest of the RFC stays as it is, line for line
  assert.deepEqual(removed.filter((l) => !registry(l)), [
    "import { FOLL_WRITE, get_user_pages_longterm } from '../kernel/gup.ts';",
    "import { VM_IO, VM_PFNMAP, vma_pages, type MmStruct } from '../kernel/mm.ts';",
    '    pfn.v = Math.floor((vaddr - vma.vm_start) / PAGE_SIZE) + vma.vm_pgoff;',
    '    if (is_invalid_reserved_pfn(k, pfn.v)) pinned = Math.min(npage, vma_pages(vma));',
  ]);
  // and adds follow_pfn() and the bounded, verified loop in their place
  const fix = added.filter((l) => !registry(l) && l.trim() !== '');
  assert.ok(fix.some((l) => l.includes('function follow_pfn(')));
  assert.ok(fix.some((l) => l.includes('const max = Math.min(npage, (vma.vm_end - vaddr) / PAGE_SIZE);')));
  assert.ok(fix.some((l) => l.includes('const f = follow_pfn(k, vma, vaddr + pinned * PAGE_SIZE);')));
  // (plus the model's summarised step over the walk, kernel/summarise.ts: not kernel code)
  const model = (l: string) => /\bsum\b|summar|\bcheck\b|pinned \+= sum|if \(pinned >= max\) break;/.test(l);
  const kernelFix = fix.filter((l) => !model(l));
  assert.ok(kernelFix.length < 25, `rfc-fixed adds ${kernelFix.length} lines`);
  assert.ok(fix.length - kernelFix.length <= 8, `the summarised step takes ${fix.length - kernelFix.length} lines`);
});
