// Every check and return value of VFIO_IOMMU_MAP_DMA and VFIO_IOMMU_UNMAP_DMA, per kernel era,
// run for every registry strategy and every --kernel release whose host has it. Each expectation
// is derived in a comment from the kernel line it tests (docs/evidence/ioctl-eras.md quotes them;
// docs/errno-table.md lists them by era). Issue 18's "not all" list is the describe block
// "issue 18" at the end.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errnoName } from '../src/kernel/errno.ts';
import { kv } from '../src/kernel/eras.ts';
import type { HostKernel } from '../src/kernel/host.ts';
import { Kernel } from '../src/kernel/kernel.ts';
import { vfio_iommu_type1_map_dma } from '../src/kernel/vfio_type1.ts';
import type { DmaRequest, MapFlagName, MapRequest, UnmapFlagName, UnmapRequest } from '../src/model/layout.ts';
import { parseFixture } from '../src/input/fixture.ts';
import { issue, release, simulate } from '../src/run/simulate.ts';
import { kernelStrategy } from '../src/strategies/kernels.ts';
import { findStrategy, STRATEGIES, type Strategy } from '../src/strategies/registry.ts';
import { checkInvariants } from '../src/verify/invariants.ts';
import { anon, layout, M, map, PAGE, VA_RAM } from './layouts.ts';

const P = PAGE;
const TOP = 2 ** 64; // exact as a Number, as is every page-aligned value below it

/** The releases where an era starts or ends, composed by --kernel. */
const RELEASES: [number, number][] = [[4, 16], [4, 20], [5, 0], [5, 1], [5, 7], [5, 8], [5, 11], [5, 12], [6, 2], [6, 3], [6, 17], [6, 18]];
const ALL: Strategy[] = [...STRATEGIES, ...RELEASES.map(([a, b]) => kernelStrategy(kv(a, b)))];
const hosts = (pred: (h: HostKernel) => boolean): Strategy[] => ALL.filter((s) => pred(s.host));

// host predicates, named after the era they select
const pre5_8 = (h: HostKernel) => h.ioctl_flags === 'rw';
const since5_8 = (h: HostKernel) => h.ioctl_flags !== 'rw';
const pre5_12 = (h: HostKernel) => h.ioctl_flags !== 'vaddr_all';
const since5_12 = (h: HostKernel) => h.ioctl_flags === 'vaddr_all';
const since5_1 = (h: HostKernel) => h.dma_avail === 'dma_entry_limit';
const pre6_18 = (h: HostKernel) => h.type1_wrap !== 'check_add_overflow';
const v6_18 = (h: HostKernel) => h.type1_wrap === 'check_add_overflow';

/** A kernel with 64 MiB of populated 4 KiB RAM at VA_RAM and nothing mapped. */
function boot(s: Strategy, over: { type1?: boolean; limit?: number; pgsizes?: number[] } = {}): Kernel {
  const system = {
    iommuType: over.type1 ? 'type1' as const : 'type1v2' as const, dmaEntryLimit: over.limit ?? 65535,
    ...(over.pgsizes ? { iommu: { pgsizes: over.pgsizes, fgsp: false } } : {}),
  };
  return new Kernel(layout([anon('ram', VA_RAM, 64 * M)], [], { system }), s);
}

/** A map of `size` bytes at iova, vaddr `va` bytes into the RAM VMA (default: the iova itself). */
const m = (iova: number, size: number, va = iova, flags?: MapFlagName[]): MapRequest =>
  ({ op: 'map', vaddr: VA_RAM + va, iova, size, read: true, write: true, ...(flags ? { flags } : {}) });
const u = (iova: number, size: number, flags?: UnmapFlagName[], argsz?: number): UnmapRequest =>
  ({ op: 'unmap', iova, size, ...(flags ? { flags } : {}), ...(argsz !== undefined ? { argsz } : {}) });

/** The answer as userspace sees it: "0", "-EINVAL", or for a successful unmap "0 <size>". */
function ask(k: Kernel, r: DmaRequest): string {
  const { ret, unmapped } = issue(k, r);
  return unmapped === undefined ? errnoName(ret) : `${errnoName(ret)} ${unmapped}`;
}

/** What a refused request must leave alone. */
function state(k: Kernel) {
  return {
    dmas: k.vfio.dmas().map((d) => [d.iova, d.size, d.vaddr, d.vaddr_invalid]), avail: k.vfio.dma_avail,
    invalid: k.vfio.vaddr_invalid_count, iommu: k.domain.dump(), locked_vm: k.mm.locked_vm,
  };
}

/** Asks, expects `want`, and on an errno expects the state unchanged. */
function expectAnswer(k: Kernel, r: DmaRequest, want: string, what: string): void {
  const before = state(k);
  assert.equal(ask(k, r), want, what);
  if (want.startsWith('-')) assert.deepEqual(state(k), before, `${what}: ${want} but the state changed`);
}

const each = (ss: Strategy[], name: string, fn: (s: Strategy) => void): void => {
  assert.ok(ss.length > 0, `${name}: no strategy has this era`);
  for (const s of ss) test(`${s.name} (${s.host.name}): ${name}`, () => fn(s));
};

describe('VFIO_IOMMU_MAP_DMA: the ioctl entry', () => {
  // minsz = offsetofend(struct vfio_iommu_type1_dma_map, size) = 4 + 4 + 8 + 8 + 8 = 32;
  // if (map.argsz < minsz || map.flags & ~mask) return -EINVAL;
  each(ALL, 'argsz 31 -> -EINVAL, argsz 32 maps', (s) => {
    const k = boot(s);
    expectAnswer(k, { ...m(0, P), argsz: 31 }, '-EINVAL', 'argsz 31');
    expectAnswer(k, { ...m(0, P), argsz: 32 }, '0', 'argsz 32');
  });
  // mask = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE (+ VFIO_DMA_MAP_FLAG_VADDR from 5.12):
  // bit 3 is never in it; bit 2 (VADDR) is not before 5.12
  each(ALL, 'an unknown flag bit (1 << 3) -> -EINVAL', (s) => {
    const k = boot(s);
    assert.equal(errnoName(vfio_iommu_type1_map_dma(k, { argsz: 32, flags: 3 | 8, vaddr: VA_RAM, iova: 0, size: P })), '-EINVAL');
  });
  each(hosts(pre5_12), 'VFIO_DMA_MAP_FLAG_VADDR before 5.12 -> -EINVAL (not in mask)', (s) => {
    expectAnswer(boot(s), { ...m(0, P, 0, ['VADDR']), read: false, write: false }, '-EINVAL', 'VADDR');
  });
});

describe('VFIO_IOMMU_MAP_DMA: vfio_dma_do_map()', () => {
  // 4.16: if (!prot || !size || ...) -> -EINVAL; 5.12: (!prot && !set_vaddr) -> -EINVAL
  each(ALL, 'no READ or WRITE -> -EINVAL', (s) => expectAnswer(boot(s), { ...m(0, P), read: false, write: false }, '-EINVAL', 'prot none'));
  // 4.16: !size -> -EINVAL; 6.18: if (!size) return -EINVAL; (before the overflow checks)
  each(ALL, 'size 0 -> -EINVAL', (s) => expectAnswer(boot(s), m(0, 0), '-EINVAL', 'size 0'));
  // (size | iova | vaddr) & mask, mask = (1 << __ffs(pgsize_bitmap)) - 1: 4 KiB here
  each(ALL, 'iova, vaddr or size not a multiple of the smallest IOMMU page -> -EINVAL', (s) => {
    const k = boot(s);
    expectAnswer(k, m(P / 2, P, 0), '-EINVAL', 'iova');
    expectAnswer(k, m(0, P, 8), '-EINVAL', 'vaddr');
    expectAnswer(k, m(0, P + 1), '-EINVAL', 'size');
  });
  // the mask follows the IOMMU: with page sizes 8K | 2M a 4 KiB-aligned iova is misaligned
  each(ALL, 'with an 8 KiB smallest IOMMU page, a 4 KiB-aligned iova -> -EINVAL', (s) => {
    expectAnswer(boot(s, { pgsizes: [8192, 2 * M] }), m(P, 8192, 0), '-EINVAL', 'iova 4K');
  });
  // 4.16 .. 6.17: if (iova + size - 1 < iova || vaddr + size - 1 < vaddr) -> -EINVAL;
  // 6.18: check_add_overflow(iova, size - 1, &iova_end) || (vaddr, ...) -> -EOVERFLOW.
  // iova 2^64 - 4096 + 8 KiB - 1 wraps to 4095 < iova.
  for (const [name, pred, want] of [['4.16 .. 6.17', pre6_18, '-EINVAL'], ['6.18', v6_18, '-EOVERFLOW']] as const) {
    each(hosts(pred), `iova or vaddr + size wraps past 2^64 -> ${want} (${name})`, (s) => {
      const k = boot(s);
      expectAnswer(k, map(VA_RAM, TOP - P, 2 * P), want, 'iova wraps');
      expectAnswer(k, map(TOP - P, 0, 2 * P), want, 'vaddr wraps');
    });
  }
  // 6.18 checks the wrap before prot and alignment: a wrapping request with no prot, or with an
  // unaligned size, is -EOVERFLOW there and -EINVAL (from the prot / alignment test) before.
  each(ALL, 'wrapping with no prot, or with an unaligned size: -EOVERFLOW only on 6.18', (s) => {
    const want = v6_18(s.host) ? '-EOVERFLOW' : '-EINVAL';
    const k = boot(s);
    expectAnswer(k, { ...m(TOP - P, 2 * P, 0), read: false, write: false }, want, 'no prot');
    expectAnswer(k, map(TOP - P, 0, 2 * P + 1), want, 'unaligned size');
  });
  // iova + size - 1 = 2^64 - 1 >= iova: a range ending exactly at 2^64 does not wrap (every era)
  each(ALL, 'a map ending exactly at 2^64 succeeds', (s) => expectAnswer(boot(s), m(TOP - P, P, 0), '0', 'top page'));
  // if (vfio_find_dma(iommu, iova, size)) { ret = -EEXIST; goto out_unlock; }
  each(ALL, 'overlapping an existing vfio_dma -> -EEXIST', (s) => {
    const k = boot(s);
    assert.equal(ask(k, m(0, 16 * M)), '0');
    expectAnswer(k, m(8 * M, 16 * M), '-EEXIST', 'overlap');
    expectAnswer(k, m(16 * M - P, 2 * P), '-EEXIST', 'last page');
    expectAnswer(k, m(16 * M, P), '0', 'adjacent');
  });

  describe('dma_entry_limit (5.1, 492855939bdb)', () => {
    // 5.1: if (!iommu->dma_avail) { ret = -ENOSPC; goto out_unlock; } after the -EEXIST check;
    // open() sets dma_avail = dma_entry_limit; each vfio_dma takes one, vfio_remove_dma() gives it back
    each(ALL, 'limit 2: the third map -> -ENOSPC from 5.1, 0 before', (s) => {
      const k = boot(s, { limit: 2 });
      assert.equal(ask(k, m(0, P)), '0');
      assert.equal(ask(k, m(P, P)), '0');
      expectAnswer(k, m(2 * P, P), since5_1(s.host) ? '-ENOSPC' : '0', 'third');
    });
    each(hosts(since5_1), 'limit 0: the first map -> -ENOSPC', (s) => expectAnswer(boot(s, { limit: 0 }), m(0, P), '-ENOSPC', 'first'));
    each(hosts(since5_1), '-EEXIST is checked before -ENOSPC', (s) => {
      const k = boot(s, { limit: 1 });
      assert.equal(ask(k, m(0, 2 * P)), '0');
      expectAnswer(k, m(P, P), '-EEXIST', 'overlap at the limit');
      expectAnswer(k, m(4 * P, P), '-ENOSPC', 'elsewhere at the limit');
    });
    each(hosts(since5_1), 'an unmap gives the entry back (vfio_remove_dma: dma_avail++)', (s) => {
      const k = boot(s, { limit: 1 });
      assert.equal(ask(k, m(0, P)), '0');
      assert.equal(ask(k, u(0, P)), `0 ${P}`);
      expectAnswer(k, m(P, P), '0', 'after the unmap');
    });
    // vfio_pin_map_dma() failing calls vfio_remove_dma(): the entry comes back
    each(hosts(since5_1), 'a map that fails pinning (-EFAULT) gives its entry back', (s) => {
      const k = boot(s, { limit: 1 });
      assert.equal(ask(k, map(0x10000000, 0, P)), '-EFAULT'); // no VMA at that vaddr
      assert.equal(k.vfio.dma_avail, 1);
      expectAnswer(k, m(0, P), '0', 'then a good map');
    });
  });

  describe('VFIO_DMA_MAP_FLAG_VADDR (5.12, c3cbab24db38)', () => {
    const vaddrMap = (iova: number, size: number, va = iova + 32 * M) => ({ ...m(iova, size, va, ['VADDR']), read: false, write: false });
    // if ((prot && set_vaddr) || (!prot && !set_vaddr)) return -EINVAL;
    each(hosts(since5_12), 'with READ or WRITE -> -EINVAL', (s) => expectAnswer(boot(s), m(0, P, 0, ['VADDR']), '-EINVAL', 'VADDR rw'));
    // if (!dma) ret = -ENOENT;
    each(hosts(since5_12), 'no vfio_dma in the range -> -ENOENT', (s) => expectAnswer(boot(s), vaddrMap(0, P), '-ENOENT', 'nothing mapped'));
    // else if (!dma->vaddr_invalid || dma->iova != iova || dma->size != size) ret = -EINVAL;
    each(hosts(since5_12), 'a valid vaddr, or another iova or size -> -EINVAL; the invalidated range -> 0', (s) => {
      const k = boot(s);
      assert.equal(ask(k, m(0, 4 * P)), '0');
      expectAnswer(k, vaddrMap(0, 4 * P), '-EINVAL', 'vaddr still valid');
      assert.equal(ask(k, u(0, 4 * P, ['VADDR'])), `0 ${4 * P}`);
      expectAnswer(k, vaddrMap(0, 2 * P), '-EINVAL', 'other size');
      expectAnswer(k, vaddrMap(P, 3 * P), '-EINVAL', 'other iova');
      expectAnswer(k, vaddrMap(0, 4 * P), '0', 'the range');
      const dma = k.vfio.dmaAt(0)!;
      assert.deepEqual([dma.vaddr, dma.vaddr_invalid, k.vfio.vaddr_invalid_count], [VA_RAM + 32 * M, false, 0]);
      expectAnswer(k, vaddrMap(0, 4 * P), '-EINVAL', 'again: no longer invalid');
    });
    // the VADDR branch ends at out_unlock before the dma_avail test: no entry is taken
    each(hosts(since5_12), 'the VADDR update needs no free entry (dma_entry_limit 1, full)', (s) => {
      const k = boot(s, { limit: 1 });
      assert.equal(ask(k, m(0, P)), '0');
      assert.equal(ask(k, u(0, P, ['VADDR'])), `0 ${P}`);
      expectAnswer(k, vaddrMap(0, P), '0', 'update at the limit');
    });
  });
});

describe('VFIO_IOMMU_UNMAP_DMA: the ioctl entry', () => {
  // minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size) = 4 + 4 + 8 + 8 = 24
  each(ALL, 'argsz 23 -> -EINVAL, argsz 24 unmaps', (s) => {
    const k = boot(s);
    assert.equal(ask(k, m(0, P)), '0');
    expectAnswer(k, u(0, P, undefined, 23), '-EINVAL', 'argsz 23');
    expectAnswer(k, u(0, P, undefined, 24), `0 ${P}`, 'argsz 24');
  });
  // 4.16: if (unmap.argsz < minsz || unmap.flags) return -EINVAL;
  each(hosts(pre5_8), 'any flag before 5.8 -> -EINVAL', (s) => {
    const k = boot(s);
    assert.equal(ask(k, m(0, P)), '0');
    for (const f of ['GET_DIRTY_BITMAP', 'ALL', 'VADDR'] as const) expectAnswer(k, u(0, P, [f]), '-EINVAL', f);
  });
  // 5.8: unmap.flags & ~VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP -> -EINVAL
  each(hosts((h) => since5_8(h) && pre5_12(h)), 'ALL or VADDR in 5.8 .. 5.11 -> -EINVAL', (s) => {
    const k = boot(s);
    assert.equal(ask(k, m(0, P)), '0');
    expectAnswer(k, u(0, 0, ['ALL']), '-EINVAL', 'ALL');
    expectAnswer(k, u(0, P, ['VADDR']), '-EINVAL', 'VADDR');
  });
  // 5.12: if ((flags & GET_DIRTY_BITMAP) && (flags & (FLAG_ALL | FLAG_VADDR))) return -EINVAL;
  each(hosts(since5_12), 'GET_DIRTY_BITMAP with ALL or VADDR -> -EINVAL', (s) => {
    const k = boot(s);
    assert.equal(ask(k, m(0, P)), '0');
    expectAnswer(k, u(0, 0, ['GET_DIRTY_BITMAP', 'ALL']), '-EINVAL', 'DIRTY|ALL');
    expectAnswer(k, u(0, P, ['GET_DIRTY_BITMAP', 'VADDR']), '-EINVAL', 'DIRTY|VADDR');
  });
  describe('GET_DIRTY_BITMAP (5.8)', () => {
    // if (unmap.argsz < (minsz + sizeof(bitmap))) return -EINVAL;  24 + 24 = 48
    each(hosts(since5_8), 'argsz 24 (no room for struct vfio_bitmap) -> -EINVAL', (s) => {
      const k = boot(s);
      assert.equal(ask(k, m(0, P)), '0');
      expectAnswer(k, u(0, P, ['GET_DIRTY_BITMAP'], 24), '-EINVAL', 'argsz 24');
    });
    // verify_bitmap_size(unmap.size >> pgshift, bitmap.size): if (!npages || ...) return -EINVAL;
    each(hosts(since5_8), 'size 0 -> -EINVAL (verify_bitmap_size: !npages)', (s) => expectAnswer(boot(s), u(0, 0, ['GET_DIRTY_BITMAP']), '-EINVAL', 'size 0'));
    // do_unmap: if (GET_DIRTY_BITMAP && (!iommu->dirty_page_tracking || ...)) -> -EINVAL: tracking
    // (VFIO_IOMMU_DIRTY_PAGES START) is never started here, so the mapping stays
    each(hosts(since5_8), 'a well-formed request without dirty tracking -> -EINVAL, nothing unmapped', (s) => {
      const k = boot(s);
      assert.equal(ask(k, m(0, P)), '0');
      expectAnswer(k, u(0, P, ['GET_DIRTY_BITMAP']), '-EINVAL', 'no tracking');
    });
    // 6.18 runs check_add_overflow() before the dirty test: a wrapping range is -EOVERFLOW there;
    // 5.8 .. 6.17 fail it with -EINVAL (the wrap test or the dirty test)
    each(hosts(since5_8), 'a wrapping range: -EOVERFLOW on 6.18, -EINVAL before', (s) => {
      expectAnswer(boot(s), u(TOP - P, 2 * P, ['GET_DIRTY_BITMAP']), v6_18(s.host) ? '-EOVERFLOW' : '-EINVAL', 'wraps');
    });
  });
});

describe('VFIO_IOMMU_UNMAP_DMA: vfio_dma_do_unmap()', () => {
  // if (unmap->iova & mask) -> -EINVAL; if (!unmap->size || unmap->size & mask) -> -EINVAL
  for (const type1 of [false, true]) {
    each(ALL, `${type1 ? 'v1' : 'v2'}: unaligned iova, size 0 or unaligned size -> -EINVAL`, (s) => {
      const k = boot(s, { type1 });
      assert.equal(ask(k, m(0, 16 * M)), '0');
      expectAnswer(k, u(P / 2, P), '-EINVAL', 'iova');
      expectAnswer(k, u(0, 0), '-EINVAL', 'size 0');
      expectAnswer(k, u(0, P + 1), '-EINVAL', 'size');
    });
  }
  // a range ending exactly at 2^64: 4.15 form iova + size < iova: 2^64 wraps to 0 < iova -> -EINVAL
  // (4.16 .. 4.20); 5.0 form iova + size - 1 = 2^64 - 1 >= iova: accepted, nothing there -> 0, size 0
  each(ALL, 'a range ending exactly at 2^64 over nothing: -EINVAL on 4.16 .. 4.20, 0 (size 0) from 5.0', (s) => {
    expectAnswer(boot(s), u(TOP - P, P), s.host.type1_wrap === 'plus_size' ? '-EINVAL' : '0 0', 'top page');
  });
  // A vfio_dma ending at 2^64 (the map is allowed in every era). Before 6.18 vfio_find_dma()
  // computes start + size and dma->iova + dma->size in u64: both are 0, so no look-up finds it:
  // 5.0 .. 6.17 answer 0 with size 0 and keep it; 6.18 (inclusive ends, ef270ec44637) removes it.
  // Release: vfio_unmap_unpin()'s while (iova < end) with end = 0 never runs before 6.18, so the
  // IOMMU mapping and the pinned page stay (the leak ef270ec44637 fixed).
  each(ALL, 'a vfio_dma ending at 2^64: unmapped only on 6.18; left mapped and pinned at release before', (s) => {
    const k = boot(s);
    assert.equal(ask(k, m(TOP - P, P, 0)), '0');
    const want = s.host.type1_wrap === 'plus_size' ? '-EINVAL' : v6_18(s.host) ? `0 ${P}` : '0 0';
    expectAnswer(k, u(TOP - P, P), want, 'unmap it');
    release(k);
    const failed = checkInvariants(k).filter((c) => !c.ok && c.severity === 'error').map((c) => c.name);
    if (v6_18(s.host)) assert.deepEqual(failed, []);
    else assert.deepEqual(failed.filter((n) => n === 'IOMMU empty' || n === 'locked_vm back to 0'), ['locked_vm back to 0', 'IOMMU empty']);
  });
  // ...and the -EEXIST look-up misses it before 6.18: a second map of that page reaches
  // iommu_map(), which finds the IOVA mapped (-EBUSY in this IOMMU model; what VT-d answers there
  // was not established); 6.18 finds it: -EEXIST
  each(ALL, 'mapping a page ending at 2^64 twice: -EEXIST on 6.18 only', (s) => {
    const k = boot(s);
    assert.equal(ask(k, m(TOP - P, P, 0)), '0');
    expectAnswer(k, m(TOP - P, P, P), v6_18(s.host) ? '-EEXIST' : '-EBUSY', 'again');
  });

  describe('type1 v2', () => {
    // v2: dma = vfio_find_dma(iommu, iova, 1); if (dma && dma->iova != iova) -> -EINVAL;
    //     dma = vfio_find_dma(iommu, iova + size - 1, 0); if (dma && dma->iova + dma->size != iova + size) -> -EINVAL
    each(ALL, 'a range that bisects a vfio_dma at its start or its end -> -EINVAL', (s) => {
      const k = boot(s);
      assert.equal(ask(k, m(0, 16 * M)), '0');
      expectAnswer(k, u(8 * M, 8 * M), '-EINVAL', 'starts inside');
      expectAnswer(k, u(0, 8 * M), '-EINVAL', 'ends inside');
      expectAnswer(k, u(8 * M, 16 * M), '-EINVAL', 'starts inside, ends past');
    });
    // the loop removes every vfio_dma in the range: unmapped += dma->size each; none -> size 0
    each(ALL, 'whole vfio_dmas in the range are removed and their sizes summed; none -> 0, size 0', (s) => {
      const k = boot(s);
      for (const [iova, size] of [[0, 4 * P], [8 * P, 2 * P], [16 * P, P]]) assert.equal(ask(k, m(iova!, size!)), '0');
      expectAnswer(k, u(0, 12 * P), `0 ${6 * P}`, 'first two');
      expectAnswer(k, u(0, 12 * P), '0 0', 'again: nothing there');
      expectAnswer(k, u(12 * P, 64 * P), `0 ${P}`, 'the third, range past it');
      assert.equal(k.vfio.dmas().length, 0);
    });
  });

  describe('type1 v1 (VFIO_TYPE1_IOMMU)', () => {
    // v1 skips the bisect checks; the loop: if (!iommu->v2 && unmap->iova > dma->iova) break;
    // "an unmap request offset from the beginning of the original mapping will return success
    // with zero sized unmap. And an unmap request covering the first iova of mapping will unmap
    // the entire range."
    each(ALL, 'a range starting inside a mapping -> 0, size 0; one covering its first iova removes it whole', (s) => {
      const k = boot(s, { type1: true });
      assert.equal(ask(k, m(0, 16 * M)), '0');
      expectAnswer(k, u(8 * M, 8 * M), '0 0', 'starts inside');
      assert.equal(k.vfio.dmas().length, 1);
      expectAnswer(k, u(0, 4 * M), `0 ${16 * M}`, 'covers the first iova, 4 MiB of 16');
      assert.equal(k.vfio.dmas().length, 0);
      assert.ok(k.domain.empty);
    });
    // Which vfio_dma the loop meets first. Mappings Z [0, 1p), A [1p, 3p), B [3p, 4p), C [4p, 5p);
    // unmap [2p, 5p) starts inside A and covers B and C.
    // 4.16 .. 5.11: while ((dma = vfio_find_dma(...))): the first overlapping node on the rb-tree's
    // search path (lib/rbtree.c):
    //  - mapped Z, A, B, C: A is the root after B's insert rotates, C a red leaf under B. The search
    //    from A finds A at once: 2p > A's 1p -> break. Size 0.
    //  - mapped Z, B, C, A: C's insert rotates B to the root (Z, C); A goes right of Z. The search
    //    finds B (3p >= 2p): removed (1p). rb_erase(B): C replaces it, then the fix-up rotates at Z
    //    so A becomes the root (Z, C). The search finds A: break. Size 1p; C stays mapped although
    //    it lies inside the range.
    // 5.12+: n = vfio_find_dma_first_node(): the lowest overlapping, A, first: break. Size 0 both ways.
    const Z = m(0, P), A = m(P, 2 * P), B = m(3 * P, P), C = m(4 * P, P);
    for (const [order, reqs, old] of [['Z, A, B, C', [Z, A, B, C], '0 0'], ['Z, B, C, A', [Z, B, C, A], `0 ${P}`]] as const) {
      each(ALL, `mapped ${order}, unmap [2p, 5p): ${old} before 5.12, 0 0 from 5.12`, (s) => {
        const k = boot(s, { type1: true });
        for (const r of reqs) assert.equal(ask(k, r), '0');
        expectAnswer(k, u(2 * P, 3 * P), pre5_12(s.host) ? old : '0 0', 'unmap');
        const left = k.vfio.dmas().map((d) => d.iova / P);
        assert.deepEqual(left, pre5_12(s.host) && old !== '0 0' ? [0, 1, 4] : [0, 1, 3, 4]);
      });
    }
  });

  describe('VFIO_DMA_UNMAP_FLAG_VADDR (5.12, c3cbab24db38)', () => {
    // invalidate_vaddr: dma->vaddr_invalid = true; vaddr_invalid_count++; unmapped += dma->size;
    // nothing is unmapped or unpinned
    each(hosts(since5_12), 'invalidates, reports the size, leaves the IOMMU and locked_vm alone', (s) => {
      const k = boot(s);
      assert.equal(ask(k, m(0, 4 * P)), '0');
      assert.equal(ask(k, m(4 * P, 4 * P)), '0');
      const before = { iommu: k.domain.dump(), locked: k.mm.locked_vm };
      assert.equal(ask(k, u(0, 8 * P, ['VADDR'])), `0 ${8 * P}`);
      assert.deepEqual({ iommu: k.domain.dump(), locked: k.mm.locked_vm }, before);
      assert.deepEqual(k.vfio.dmas().map((d) => d.vaddr_invalid), [true, true]);
      assert.equal(k.vfio.vaddr_invalid_count, 2);
    });
    // if (dma->vaddr_invalid) { roll back first_n .. n; ret = -EINVAL; unmapped = 0; break; }
    each(hosts(since5_12), 'meeting an already invalid vaddr -> -EINVAL, this call\'s invalidations rolled back', (s) => {
      const k = boot(s);
      assert.equal(ask(k, m(0, 4 * P)), '0');
      assert.equal(ask(k, m(4 * P, 4 * P)), '0');
      assert.equal(ask(k, u(4 * P, 4 * P, ['VADDR'])), `0 ${4 * P}`);
      expectAnswer(k, u(0, 8 * P, ['VADDR']), '-EINVAL', 'second dma already invalid');
      assert.deepEqual(k.vfio.dmas().map((d) => d.vaddr_invalid), [false, true]);
    });
    // the v2 bisect checks apply to VADDR too (iommu->v2 && !unmap_all)
    each(hosts(since5_12), 'v2: a bisecting VADDR range -> -EINVAL', (s) => {
      const k = boot(s);
      assert.equal(ask(k, m(0, 4 * P)), '0');
      expectAnswer(k, u(P, 3 * P, ['VADDR']), '-EINVAL', 'bisect');
    });
    // release: vfio_remove_dma() unpins through the IOMMU whatever the vaddr; count-- per invalid dma
    each(hosts(since5_12), 'a container released with invalid vaddrs is clean', (s) => {
      const k = boot(s);
      assert.equal(ask(k, m(0, 4 * P)), '0');
      assert.equal(ask(k, u(0, 4 * P, ['VADDR'])), `0 ${4 * P}`);
      release(k);
      assert.deepEqual(checkInvariants(k).filter((c) => !c.ok && c.severity === 'error'), []);
      assert.equal(k.vfio.vaddr_invalid_count, 0);
    });
  });

  describe('VFIO_DMA_UNMAP_FLAG_ALL (5.12, c19650995374)', () => {
    // if (unmap_all) { if (iova || size) goto unlock; (-EINVAL) size = U64_MAX; } and no bisect checks
    for (const type1 of [false, true]) {
      each(hosts(since5_12), `${type1 ? 'v1' : 'v2'}: iova = size = 0 removes every vfio_dma and sums them`, (s) => {
        const k = boot(s, { type1 });
        for (const [iova, size] of [[0, 4 * P], [8 * P, 2 * P], [TOP - P, P]]) assert.equal(ask(k, m(iova!, size!, iova! % (16 * M))), '0');
        expectAnswer(k, u(P, 0, ['ALL']), '-EINVAL', 'iova 4096');
        expectAnswer(k, u(0, P, ['ALL']), '-EINVAL', 'size 4096');
        // the dma ending at 2^64 is the last node: rb_next() reaches it even where look-ups miss it
        expectAnswer(k, u(0, 0, ['ALL']), `0 ${7 * P}`, 'all');
        assert.equal(k.vfio.dmas().length, 0);
      });
    }
    // ALL | VADDR: every vfio_dma invalidated; MAP VADDR gives each its vaddr back
    each(hosts(since5_12), 'ALL | VADDR invalidates every vfio_dma', (s) => {
      const k = boot(s);
      assert.equal(ask(k, m(0, 4 * P)), '0');
      assert.equal(ask(k, m(8 * P, 2 * P)), '0');
      assert.equal(ask(k, u(0, 0, ['ALL', 'VADDR'])), `0 ${6 * P}`);
      assert.equal(k.vfio.vaddr_invalid_count, 2);
    });
  });
});

describe('issue 18: what the model got wrong', () => {
  // "An UNMAP_DMA whose range wraps past 2^64 (iova 0xfffffffffffff000, size 8 KiB) returns 0 with
  // nothing unmapped in every strategy": 4.15 form iova + size = 4096 (u64) < iova -> -EINVAL;
  // 5.0 form iova + size - 1 = 4095 < iova -> -EINVAL; 6.18 check_add_overflow -> -EOVERFLOW.
  each(ALL, 'unmap iova 0xfffffffffffff000 size 8 KiB -> -EINVAL (-EOVERFLOW on 6.18)', (s) => {
    const k = boot(s);
    assert.equal(ask(k, m(0, 4 * P)), '0');
    expectAnswer(k, u(0xfffffffffffff000, 2 * P), v6_18(s.host) ? '-EOVERFLOW' : '-EINVAL', 'wraps');
  });

  // "dma_entry_limit (default 65535): the kernel refuses the 65,536th concurrent mapping with
  // -ENOSPC": a fixture of 65,537 single-page maps, as a VMM mapping 256 MiB page by page.
  // 65,535 maps take every entry (dma_avail 65535 -> 0); maps 65,536 and 65,537 (indices 65,535
  // and 65,536) find dma_avail == 0. 4.16 .. 5.0 have no limit.
  test('65,537 single-page maps from a fixture: -ENOSPC on the 65,536th and 65,537th from 5.1, all mapped before', () => {
    const N = 65537;
    const fixture = {
      version: 1, name: 'many-small-maps', description: '65,537 single-page maps',
      vmas: [{ name: 'buf', start: '0x7f0000000000', size: String(N * P), backing: { kind: 'anon', populated: true } }],
      requests: Array.from({ length: N }, (_, i) => ({ op: 'map', vaddr: { vma: 'buf', offset: String(i * P) }, iova: String(i * P), size: '4K' })),
    };
    const l = parseFixture(fixture, 'many-small-maps.json');
    const strategies = [kernelStrategy(kv(4, 16)), kernelStrategy(kv(5, 0)), kernelStrategy(kv(5, 1)), kernelStrategy(kv(6, 18)),
      ...['v5.12-batch', 'v6.15-pgmask', 'v6.18-folio'].map((n) => findStrategy(n)!)];
    for (const s of strategies) {
      const sim = simulate(l, s);
      const refused = sim.requests.filter((r) => r.ret !== 0).map((r) => [r.index, r.errno]);
      assert.deepEqual(refused, since5_1(s.host) ? [[65535, '-ENOSPC'], [65536, '-ENOSPC']] : [], s.name);
      assert.ok(sim.oracle.ok && sim.invariants.every((c) => c.ok || c.severity === 'warn'), s.name);
    }
  });

  // "Type1 v1 containers are not modelled: only v2. Under v1, unmapping a piece of a mapping
  // returns size 0 and a later unmap covering the start removes the whole mapping; under v2 the
  // same request is -EINVAL."
  each(ALL, 'v1: a piece -> 0, size 0; covering the start removes it whole; v2: both -EINVAL', (s) => {
    const v1 = boot(s, { type1: true });
    const v2 = boot(s);
    for (const k of [v1, v2]) assert.equal(ask(k, m(0, 8 * P)), '0');
    assert.equal(ask(v1, u(4 * P, 4 * P)), '0 0');
    assert.equal(ask(v1, u(0, 2 * P)), `0 ${8 * P}`);
    assert.equal(ask(v2, u(4 * P, 4 * P)), '-EINVAL');
    assert.equal(ask(v2, u(0, 2 * P)), '-EINVAL');
  });

  // "The unmap flags are not modelled: ALL, VADDR (unmap and map), GET_DIRTY_BITMAP": each is
  // accepted from its era and refused (-EINVAL) before it.
  each(ALL, 'ALL, VADDR (unmap and map) and GET_DIRTY_BITMAP by era', (s) => {
    const k = boot(s);
    assert.equal(ask(k, m(0, 4 * P)), '0');
    const h = s.host;
    assert.equal(ask(k, u(0, 4 * P, ['GET_DIRTY_BITMAP'])), '-EINVAL'); // 5.8+: no dirty tracking started
    assert.equal(ask(k, u(0, 4 * P, ['VADDR'])), since5_12(h) ? `0 ${4 * P}` : '-EINVAL');
    assert.equal(ask(k, { ...m(0, 4 * P, 16 * M, ['VADDR']), read: false, write: false }), since5_12(h) ? '0' : '-EINVAL');
    assert.equal(ask(k, u(0, 0, ['ALL'])), since5_12(h) ? `0 ${4 * P}` : '-EINVAL');
  });
});
