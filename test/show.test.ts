// `show`'s placement table: every VMA's placement policy and its parameters, after the VMAs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gridText } from '../src/report/grid.ts';
import { formatLayout } from '../src/report/show/layout-tables.ts';
import { placementGrid } from '../src/report/show/placement.ts';
import { anon, bar, hugetlb, layout, M, thp, VA_BAR, VA_RAM } from './layouts.ts';

const l = layout([
  anon('a', VA_RAM, 4 * M),
  anon('b', VA_RAM + 8 * M, 4 * M, false, { policy: 'scattered' }),
  thp('c', VA_RAM + 16 * M, 8 * M, true, { policy: 'runs', bytes: 4 * M }),
  hugetlb('d', VA_RAM + 32 * M, 8 * M, 2 * M, { policy: 'geometric', meanBytes: 31 * 4096 }),
  bar('e', VA_BAR, 64 * M, 'bar0', { offset: 2 * M }),
], [], { system: { seed: 9 } });

test('placement: each VMA\'s policy and parameters; a BAR is its MMIO range', () => {
  assert.deepEqual(gridText(placementGrid(l)), [
    ['a', 'contiguous', 'every folio right after the previous one'],
    ['b', 'scattered', 'every folio at a random place'],
    ['c', 'runs', 'runs of exactly 4 MiB, in random order'],
    ['d', 'geometric', 'runs of random length, mean 124 KiB'],
    ['e', 'MMIO', 'bar0+0x200000: pfn = vm_pgoff + page index'],
  ]);
});

test('show: the placement table after the VMAs, with the seed', () => {
  const text = formatLayout(l, 'test', { color: false });
  assert.match(text, /\nVMAs:\n[^]*\n\nPlacement in physical memory \(placement seed 9\):\n┌[^]*│ e +│ MMIO +│ bar0\+0x200000: pfn = vm_pgoff \+ page index │\n└[^]*\n\nDMA requests, in order:\n/);
});
