// The RAM planner (kernel/ram_plan.ts): first fit in VMA order; a shortage is a RamShortage
// naming the VMA, which validation turns into one message after planning once.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planRam, ramNeeded, ramRangeFor, RamShortage } from '../src/kernel/ram_plan.ts';
import { validateLayout } from '../src/input/validate.ts';
import { InputError } from '../src/model/errors.ts';
import { anon, G, hugetlb, layout, M, PAGE, RAM_BASE, thp, VA_RAM } from './layouts.ts';

test('first fit in VMA order, each part aligned to its folio', () => {
  const l = layout([anon('a', VA_RAM, 4 * PAGE), thp('b', VA_RAM + 64 * M, 4 * M + 2 * PAGE), hugetlb('c', VA_RAM + G, 2 * G, G)], [], { ramSize: 4 * G });
  const plans = planRam(l);
  const pfn = RAM_BASE / PAGE;
  assert.deepEqual(plans.map((p) => [p.vma, p.huge?.basePfn, p.huge?.nrFolios, p.small?.basePfn, p.small?.nrFolios]), [
    ['a', undefined, undefined, pfn, 4],
    ['b', pfn + 512, 2, pfn + 1536, 2],
    ['c', pfn + 262144, 2, undefined, undefined],
  ]);
  assert.equal(ramNeeded(l.vmas), 3 * G);
  assert.deepEqual(ramRangeFor('r', RAM_BASE, l.vmas), { name: 'r', base: RAM_BASE, size: 3 * G });
});

test('a shortage names the first VMA that does not fit; validation says the same in one line', () => {
  const vmas = Array.from({ length: 2000 }, (_, i) => anon(`v${i}`, VA_RAM + i * 8 * PAGE, 4 * PAGE));
  const l = layout(vmas, [], { ramSize: 1999 * 4 * PAGE + 3 * PAGE });
  assert.throws(() => planRam(l), (e: unknown) => e instanceof RamShortage && e.vmaIndex === 1999 &&
    e.message === 'layout: vma "v1999" needs 16384 more bytes of RAM in 4096-byte aligned folios; the RAM ranges hold 32763904 bytes in all and are used up');
  assert.throws(() => validateLayout(l, (p) => p), (e: unknown) => e instanceof InputError &&
    e.message.startsWith('vmas[1999]: VMA "v1999" does not fit in RAM: the RAM-backed VMAs up to it need 31.25 MiB in folio-aligned regions, the RAM ranges hold 31.25 MiB'));
});
