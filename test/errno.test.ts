// Requests the kernel refuses get its errno, and leave the kernel exactly as before.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kernel } from '../src/kernel/kernel.ts';
import type { DmaRequest } from '../src/model/layout.ts';
import { errnoName } from '../src/kernel/errno.ts';
import { issue } from '../src/run/simulate.ts';
import { STRATEGIES, type Strategy } from '../src/strategies/registry.ts';
import { anon, bar, layout, M, map, unmap, VA_BAR, VA_RAM } from './layouts.ts';

const RO = { ...anon('ro', VA_RAM + 256 * M, 4 * M), flags: ['VM_READ' as const] };
const base = layout(
  [anon('ram', VA_RAM, 64 * M), RO, bar('bar', VA_BAR, 64 * M, 'bar0')],
  [map(VA_RAM, 0, 16 * M)], // one existing mapping at iova [0, 16 MiB)
);

/** Everything a failed request must not change. */
function state(k: Kernel) {
  const refs = k.mem.allRegions().map((r) => r.refs.dirty);
  return {
    refs, host: [...k.mem.hostRefs], locked_vm: k.mm.locked_vm, sem: [k.mm.mmap_sem.readers, k.mm.mmap_sem.writer],
    iommu: k.domain.dump(), dmas: k.vfio.dmas().map((d) => [d.iova, d.size]),
  };
}

// 6.18 (6012379ede6a): check_add_overflow() on the map's iova -> -EOVERFLOW; before, -EINVAL
// (test/ioctl.test.ts has every era's form)
const WRAP = (s: Strategy) => (s.host.type1_wrap === 'check_add_overflow' ? '-EOVERFLOW' : '-EINVAL');

const cases: [string, DmaRequest, string | ((s: Strategy) => string)][] = [
  ['no prot', map(VA_RAM + 16 * M, 16 * M, 4 * M, ''), '-EINVAL'],
  ['zero size', map(VA_RAM + 16 * M, 16 * M, 0), '-EINVAL'],
  ['unaligned iova', map(VA_RAM + 16 * M, 16 * M + 512, 4 * M), '-EINVAL'],
  ['unaligned vaddr', map(VA_RAM + 16 * M + 8, 16 * M, 4 * M), '-EINVAL'],
  ['unaligned size', map(VA_RAM + 16 * M, 16 * M, 4 * M + 1), '-EINVAL'],
  ['iova wraps', map(VA_RAM + 16 * M, 2 ** 64 - 4096, 8192), WRAP],
  ['overlaps an existing vfio_dma', map(VA_RAM + 16 * M, 8 * M, 16 * M), '-EEXIST'],
  ['vaddr in no vma', map(0x10000000, 16 * M, 4 * M), '-EFAULT'],
  ['runs past the end of the vmas', map(VA_RAM + 60 * M, 16 * M, 8 * M), '-EFAULT'],
  ['device write to a read-only vma', map(VA_RAM + 256 * M, 16 * M, 4 * M, 'rw'), '-EFAULT'],
  ['unmap part of a vfio_dma (v2)', unmap(0, 8 * M), '-EINVAL'],
  ['unmap unaligned', unmap(4096 + 1, 8 * M), '-EINVAL'],
  ['unmap zero size', unmap(0, 0), '-EINVAL'],
];

for (const s of STRATEGIES) {
  for (const [what, req, errno] of cases) {
    const want = typeof errno === 'string' ? errno : errno(s);
    test(`${s.name}: ${what} -> ${want}, state unchanged`, () => {
      const k = new Kernel(base, s);
      assert.equal(issue(k, base.requests[0]!).ret, 0);
      const before = state(k);
      const { ret } = issue(k, req);
      assert.equal(errnoName(ret), want);
      assert.deepEqual(state(k), before);
    });
  }

  test(`${s.name}: a read-only vma is fine for a device-read map`, () => {
    const k = new Kernel(base, s);
    assert.equal(issue(k, map(VA_RAM + 256 * M, 16 * M, 4 * M, 'r')).ret, 0);
  });

  test(`${s.name}: unmap of a range holding no vfio_dma succeeds with 0 bytes`, () => {
    const k = new Kernel(base, s);
    assert.deepEqual(issue(k, unmap(1024 * M, 4 * M)), { ret: 0, unmapped: 0 });
  });
}
