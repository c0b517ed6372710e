// pow2Pieces() (kernel/iommu.ts: ops->map / ops->unmap calls before 5.15, iommu_pgsize() over
// every power of two from 4 KiB) in small integers against its double-precision loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pow2Pieces, pow2PiecesWide } from '../src/kernel/iommu.ts';

const K = 4096;

test('pow2Pieces: hand-derived counts', () => {
  // iova 0x1000, paddr 0x3000, 31 pages: iova | paddr has bit 0x1000 set at every page until the
  // pair is 8 KiB-aligned: 0x1000 (-> 0x2000 | 0x4000 = 8 KiB aligned), 0x2000 (-> 0x4000 | 0x6000:
  // 8 KiB), 0x2000 (-> 0x6000 | 0x8000), 0x2000 ... paddr - iova = 0x2000 caps every block at 8 KiB:
  // 1 + 15 blocks of 2 pages = 31 pages in 16 blocks
  assert.equal(pow2Pieces(0x1000, 0x3000, 31 * K), 16);
  // both 1 GiB-aligned, 31 pages: floorPow2 descends 16 + 8 + 4 + 2 + 1 = 5 blocks
  assert.equal(pow2Pieces(2 ** 30, 2 ** 31, 31 * K), 5);
  assert.equal(pow2Pieces(2 ** 30, 2 ** 31, 31 * K, true), 16 * K);
  // paddr odd page number: every block one page
  assert.equal(pow2Pieces(0, 5 * K, 31 * K), 31);
  // iova 0 and paddr 0 (lowBit Infinity): 64 GiB in one block
  assert.equal(pow2Pieces(0, 0, 64 * 2 ** 30), 1);
  // size not a multiple of 4 KiB: the tail below 4 KiB is not a block
  assert.equal(pow2Pieces(0, 0, 3 * K + 100), 2);
});

test('pow2Pieces: the small-integer loop equals the double loop', () => {
  // ranges that end at or below 2^64 (vfio_dma_do_map() refuses ones that wrap); the double loop
  // makes one step per block, so a size is small unless both addresses are 1 GiB-aligned
  const addr = fc.oneof(
    fc.nat({ max: 2 ** 40 }).map((p) => p * K), // page-aligned, up to 2^52
    fc.bigInt({ min: 0n, max: 2n ** 52n - 1n }).map((p) => Number(p) * K), // up to 2^64
    fc.nat({ max: 2 ** 30 }).map((p) => p * K + 512), // not page-aligned: the double loop
    fc.constantFrom(0, 2 ** 30, 2 ** 42, 2 ** 63, 2 ** 64 - 2 ** 30),
  );
  const small = fc.tuple(addr, addr, fc.oneof(fc.nat({ max: 4096 }).map((p) => p * K), fc.nat({ max: 2 ** 24 })));
  const gig = fc.nat({ max: 2 ** 22 }).map((p) => p * 2 ** 30);
  const large = fc.tuple(gig, gig, fc.nat({ max: 2 ** 31 }).map((p) => p * K));
  const fits = ([iova, paddr, s]: [number, number, number]): boolean => iova + s <= 2 ** 64 && paddr + s <= 2 ** 64;
  fc.assert(fc.property(fc.oneof(small, large).filter(fits), fc.boolean(), ([iova, paddr, s], first) => {
    assert.equal(pow2Pieces(iova, paddr, s, first), pow2PiecesWide(iova, paddr, s, first));
  }), { numRuns: 20000 });
});
