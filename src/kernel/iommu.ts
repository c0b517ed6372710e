// An IOMMU domain (drivers/iommu/iommu.c) on VT-d: iommu_map() split by iommu_pgsize(),
// iommu_unmap() / iommu_unmap_fast(), iommu_iova_to_phys(); the driver callbacks counted per
// era (ops->map per power-of-two block up to 5.14, ops->map_pages per page size and count 5.15+). PTEs are kept as runs of equal-sized, physically
// contiguous leaves in typed arrays sorted by IOVA, sized from the layout up front (21 bytes a
// run); no object per page.

import type { Counters } from '../model/counters.ts';
import { EBUSY, EINVAL } from './errno.ts';

export class IommuDomain {
  /** pgsize_bitmap as sizes, ascending. */
  readonly pgsizes: number[];
  /** fine-grained superpages (AMD): vfio_unmap_unpin() skips its contiguity probe. */
  readonly fgsp: boolean;
  /** PTEs written, per entry of pgsizes. */
  private readonly ptesPerSize: number[];

  // run r: `cnt[r]` leaves of pgsizes[pgi[r]] bytes from iova[r] -> paddr[r]; cnt 0 = deleted slot.
  private iova: Float64Array<ArrayBuffer>;
  private paddr: Float64Array<ArrayBuffer>;
  private pgi: Uint8Array<ArrayBuffer>;
  private cnt: Uint32Array<ArrayBuffer>;
  private n = 0;
  private dead = 0;
  private hint = 0;
  mappedBytes = 0;

  /**
   * intel_iommu_iova_to_phys() before Linux 5.8 (fixed by 77a1bce84bba) returns the base of a
   * superpage without the IOVA's offset into it; the 4.16-era strategies run with this.
   */
  readonly iovaToPhysBaseOnly: boolean;

  /** capacity: runs of leaves to make room for (kernel/footprint.ts estimates it from the layout). */
  constructor(
    pgsizes: number[], fgsp: boolean, iovaToPhysBaseOnly: boolean, private readonly ops: 'map' | 'map_pages', private readonly c: Counters,
    capacity = IOMMU_MIN_RUNS,
    /** summarised steps (kernel/summarise.ts) on; false: the per-leaf reference loop. */
    private readonly summarise = false,
  ) {
    const n = Math.max(IOMMU_MIN_RUNS, Math.ceil(capacity));
    this.iova = new Float64Array(n);
    this.paddr = new Float64Array(n);
    this.pgi = new Uint8Array(n);
    this.cnt = new Uint32Array(n);
    this.pgsizes = [...pgsizes].sort((a, b) => a - b);
    this.ptesPerSize = this.pgsizes.map(() => 0);
    this.fgsp = fgsp;
    this.iovaToPhysBaseOnly = iovaToPhysBaseOnly;
  }

  /** 1 << __ffs(pgsize_bitmap): the smallest page size. */
  get minPagesz(): number {
    return this.pgsizes[0]!;
  }

  /** PTEs written on the map side, by page size in bytes. */
  get ptesBySize(): Map<number, number> {
    return new Map(this.pgsizes.map((p, i) => [p, this.ptesPerSize[i]!] as [number, number]).filter(([, n]) => n > 0));
  }

  // iommu_pgsize() (4.16): the largest supported size that fits `size` and the alignment of
  // addr_merge = iova | paddr. (Returns the index into pgsizes.)
  private iommu_pgsize(iova: number, paddr: number, size: number): number {
    for (let i = this.pgsizes.length - 1; i > 0; i--) {
      const p = this.pgsizes[i]!;
      if (p <= size && rem(iova, p) === 0 && rem(paddr, p) === 0) return i;
    }
    return 0;
  }

  /** Summarised step: leaves of pgsizes[idx] that iommu_pgsize() picks one after another from
   *  (iova, paddr) with `rest` bytes to go: until a larger size's alignment is reached where
   *  that size still fits, or fewer than one leaf's bytes remain. */
  private sameSizeLeaves(idx: number, iova: number, paddr: number, rest: number): number {
    const pgsize = this.pgsizes[idx]!;
    let k = Math.floor(rest / pgsize);
    for (let i = idx + 1; i < this.pgsizes.length; i++) {
      const p = this.pgsizes[i]!;
      if (rem(paddr - iova, p) !== 0) continue; // iova and paddr never aligned to p together
      const j = rem(p - rem(iova, p), p) / pgsize; // leaves to p's next alignment
      if (j > 0 && j < k && p <= rest - j * pgsize) k = j;
    }
    return k;
  }

  // iommu_map() (drivers/iommu/iommu.c, 4.16): alignment check, then domain->ops->map() per
  // page from iommu_pgsize(); on failure unmaps what it mapped. -EBUSY if an IOVA is mapped.
  iommu_map(iova: number, paddr: number, size: number): number {
    const c = this.c;
    c.iommu_map++;
    const min = this.minPagesz;
    if (rem(iova, min) || rem(paddr, min) || rem(size, min)) return -EINVAL;
    const origIova = iova;
    if (this.ops === 'map') c.intel_iommu_map += pow2Pieces(iova, paddr, size);
    let done = 0;
    let lastIdx = -1;
    while (done < size) {
      const idx = this.iommu_pgsize(iova, paddr, size - done);
      const pgsize = this.pgsizes[idx]!;
      if (this.lookup(iova) >= 0) {
        if (done > 0) this.iommu_unmap(origIova, done);
        return -EBUSY;
      }
      if (this.ops === 'map_pages' && idx !== lastIdx) c.intel_iommu_map_pages++; // one (pgsize, count) group
      lastIdx = idx;
      if (this.summarise && this.pastEnd(iova)) {
        // (model: a summarised step, kernel/summarise.ts) the leaves of this size the loop
        // writes before a larger size fits or the rest is smaller; none mapped yet (past the end)
        const k = this.sameSizeLeaves(idx, iova, paddr, size - done);
        this.addPtes(iova, paddr, idx, k);
        this.mappedBytes += k * pgsize;
        c.iommu_ptes += k;
        this.ptesPerSize[idx]! += k;
        iova += k * pgsize;
        paddr += k * pgsize;
        done += k * pgsize;
        continue;
      }
      this.addPtes(iova, paddr, idx, 1);
      this.mappedBytes += pgsize;
      c.iommu_ptes++;
      this.ptesPerSize[idx]!++;
      iova += pgsize;
      paddr += pgsize;
      done += pgsize;
    }
    return 0;
  }

  // iommu_unmap() (4.16 __iommu_unmap(.., sync = true)): the pieces below, then one IOTLB
  // sync. Returns bytes unmapped; stops at the first IOVA that is not mapped.
  iommu_unmap(iova: number, size: number): number {
    this.c.iommu_unmap++;
    const unmapped = this.__iommu_unmap(iova, size);
    this.iotlb_sync();
    return unmapped;
  }

  // iommu_unmap_fast() (4.17+): the same without the sync; the caller syncs.
  iommu_unmap_fast(iova: number, size: number): number {
    this.c.iommu_unmap_fast++;
    return this.__iommu_unmap(iova, size);
  }

  // __iommu_unmap(): ops->unmap() (.. 5.14) / ops->unmap_pages() (5.15+) per iommu_pgsize()
  // piece of the IOVA alone (iova is passed as paddr too) until `size` is covered;
  // intel_iommu_unmap() rounds a piece up to the leaf it hits and returns that size. The
  // leaves cleared are then every leaf the range touches, whole: the model counts the pieces,
  // then clears that set run by run (the same PTEs, the same bytes).
  private __iommu_unmap(iova: number, size: number): number {
    const c = this.c;
    for (let done = 0; done < size; ) {
      const r = this.lookup(iova + done);
      if (r < 0) break;
      const piece = this.ops === 'map' ? pow2Pieces(iova + done, iova + done, size - done, true) : this.pgsizePiece(iova + done, size - done);
      if (this.ops === 'map') c.intel_iommu_unmap++;
      else c.intel_iommu_unmap_pages++;
      done += Math.max(piece, this.sz(r));
    }
    const got = this.clear(iova, size);
    c.iommu_ptes_cleared += got.ptes;
    return got.bytes;
  }

  // iommu_pgsize(domain, iova, paddr = iova, size, &count) (5.15+): pgsize * count, the count
  // cut at the next larger page size's boundary when the rest could use that size.
  private pgsizePiece(iova: number, size: number): number {
    const idx = this.iommu_pgsize(iova, iova, size);
    const pgsize = this.pgsizes[idx]!;
    const next = this.pgsizes[idx + 1];
    let span = size;
    if (next !== undefined) {
      const offset = next - rem(iova, next);
      if (offset + next <= size) span = offset;
    }
    return Math.floor(span / pgsize) * pgsize;
  }

  /** iommu_tlb_sync(). */
  iotlb_sync(): void {
    this.c.iotlb_sync++;
  }

  // iommu_iova_to_phys(): the physical address iova translates to, 0 if unmapped.
  iommu_iova_to_phys(iova: number): number {
    this.c.iommu_iova_to_phys++;
    if (!this.iovaToPhysBaseOnly) return this.translate(iova);
    const r = this.lookup(iova);
    if (r < 0) return 0;
    const sz = this.sz(r);
    return this.paddr[r]! + Math.floor((iova - this.iova[r]!) / sz) * sz; // dma_pte_addr(pte): the leaf's base
  }

  /** Summarised step (kernel/summarise.ts) of vfio_unmap_unpin()'s contiguity probe: the len at
   *  which `for (len = PAGE_SIZE; !fgsp && iova + len < end; len += PAGE_SIZE)` with
   *  `iommu_iova_to_phys(iova + len) != phys + len` breaks, counting the same probes, run by run. */
  iova_to_phys_contig(iova: number, phys: number, end: number): number {
    let len = 4096;
    if (this.fgsp) return len;
    let probes = 0;
    while (iova + len < end) {
      const x = iova + len;
      const r = this.lookup(x);
      probes++;
      if (r < 0) break;
      const sz = this.sz(r);
      const s = this.iova[r]!;
      if (!this.iovaToPhysBaseOnly || sz === 4096) {
        if (this.paddr[r]! + (x - s) !== phys + len) break;
        // every page from x to the run's end (or end) translates on: one probe each
        const stop = Math.min(s + sz * this.cnt[r]!, end);
        const n = (stop - x) / 4096;
        probes += n - 1;
        len += n * 4096;
      } else {
        if (this.paddr[r]! + Math.floor((x - s) / sz) * sz !== phys + len) break;
        len += 4096;
      }
    }
    this.c.iommu_iova_to_phys += probes;
    return len;
  }

  /** The translation without counting (the oracle's read of the IOMMU page table). */
  translate(iova: number): number {
    const r = this.lookup(iova);
    if (r < 0) return 0;
    return this.paddr[r]! + (iova - this.iova[r]!);
  }

  /** Run holding iova and the bytes mapped contiguously from iova to the end of that run. */
  span(iova: number): { paddr: number; bytes: number } | null {
    const r = this.lookup(iova);
    if (r < 0) return null;
    const end = this.iova[r]! + this.sz(r) * this.cnt[r]!;
    return { paddr: this.paddr[r]! + (iova - this.iova[r]!), bytes: end - iova };
  }

  /** true when no IOVA is mapped. */
  get empty(): boolean {
    return this.mappedBytes === 0;
  }

  /** live PTE runs as plain data (tests, determinism checks). */
  dump(): { iova: number; paddr: number; pgsize: number; count: number }[] {
    const out = [];
    for (let r = 0; r < this.n; r++)
      if (this.cnt[r]! > 0) out.push({ iova: this.iova[r]!, paddr: this.paddr[r]!, pgsize: this.sz(r), count: this.cnt[r]! });
    return out;
  }

  // --- the run table ---------------------------------------------------------------

  /** iova lies past the end of the last run: nothing is mapped at or after it. */
  private pastEnd(iova: number): boolean {
    const n = this.n;
    return n === 0 || iova >= this.iova[n - 1]! + this.sz(n - 1) * this.cnt[n - 1]!;
  }

  /** index of the live run containing iova, or -1. */
  private lookup(iova: number): number {
    const n = this.n;
    // past the end of the last run (runs are sorted and disjoint): the common case while mapping
    if (n === 0 || iova >= this.iova[n - 1]! + this.sz(n - 1) * this.cnt[n - 1]!) return -1;
    const h = this.hint;
    if (h < this.n && this.contains(h, iova)) return h;
    if (h + 1 < this.n && this.contains(h + 1, iova)) return (this.hint = h + 1);
    // the run before: vfio_unmap_unpin()'s contiguity probe looked one run ahead before the unmap
    if (h > 0 && h - 1 < this.n && this.contains(h - 1, iova)) return (this.hint = h - 1);
    const r = this.floor(iova);
    if (r >= 0 && this.contains(r, iova)) return (this.hint = r);
    return -1;
  }

  /** bytes of run r's leaves. */
  private sz(r: number): number {
    return this.pgsizes[this.pgi[r]!]!;
  }

  private contains(r: number, iova: number): boolean {
    const s = this.iova[r]!;
    return this.cnt[r]! > 0 && iova >= s && iova < s + this.sz(r) * this.cnt[r]!;
  }

  /** last run with start <= iova (live or dead), or -1. */
  private floor(iova: number): number {
    let lo = 0;
    let hi = this.n - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.iova[mid]! <= iova) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /** k leaves of pgsizes[idx] from iova -> paddr (k > 1: a summarised step's, as k addPte()). */
  private addPtes(iova: number, paddr: number, idx: number, k: number): void {
    const last = this.n - 1;
    const at = last >= 0 && this.iova[last]! <= iova ? last : this.floor(iova); // appending is the common case
    // extend the run ending right here with the same leaf size and contiguous paddr (a run
    // holds at most 2^32 - 1 leaves: 16 TiB of 4 KiB; the next starts a run of its own)
    if (at >= 0 && this.cnt[at]! > 0 && this.pgi[at] === idx && this.cnt[at]! < 0xffffffff) {
      const pgsize = this.pgsizes[idx]!;
      const end = this.iova[at]! + pgsize * this.cnt[at]!;
      if (end === iova && this.paddr[at]! + (end - this.iova[at]!) === paddr) {
        const m = Math.min(k, 0xffffffff - this.cnt[at]!);
        this.cnt[at]! += m;
        if (m === k) return;
        iova += m * pgsize;
        paddr += m * pgsize;
        k -= m;
      }
    }
    this.insert(at + 1, iova, paddr, idx, k);
  }

  private insert(pos: number, iova: number, paddr: number, idx: number, count: number): void {
    if (pos > 0 && pos <= this.n && this.cnt[pos - 1] === 0 && (pos === 1 || this.iova[pos - 2]! < iova)) {
      this.set(pos - 1, iova, paddr, idx, count); // reuse a deleted slot in place
      this.dead--;
      return;
    }
    if (this.n === this.iova.length) this.grow();
    if (pos < this.n) {
      this.iova.copyWithin(pos + 1, pos, this.n);
      this.paddr.copyWithin(pos + 1, pos, this.n);
      this.pgi.copyWithin(pos + 1, pos, this.n);
      this.cnt.copyWithin(pos + 1, pos, this.n);
    }
    this.n++;
    this.set(pos, iova, paddr, idx, count);
  }

  private set(r: number, iova: number, paddr: number, idx: number, count: number): void {
    this.iova[r] = iova;
    this.paddr[r] = paddr;
    this.pgi[r] = idx;
    this.cnt[r] = count;
  }

  /** clears the leaves in [iova, iova+len) starting at a leaf boundary; returns bytes and PTEs cleared. */
  private clear(iova: number, len: number): { bytes: number; ptes: number } {
    let bytes = 0;
    let ptes = 0;
    while (bytes < len) {
      const r = this.lookup(iova + bytes);
      if (r < 0) break;
      const s = this.iova[r]!;
      const sz = this.sz(r);
      const from = Math.floor((iova + bytes - s) / sz); // first leaf cleared
      const upto = Math.min(this.cnt[r]!, Math.ceil((iova + len - s) / sz)); // one past the last
      const k = upto - from;
      if (from > 0 && upto < this.cnt[r]!) {
        // a hole in the middle: split the run
        this.insert(r + 1, s + upto * sz, this.paddr[r]! + upto * sz, this.pgi[r]!, this.cnt[r]! - upto);
      }
      if (from > 0) {
        this.cnt[r] = from;
      } else {
        this.iova[r] = s + upto * sz;
        this.paddr[r] = this.paddr[r]! + upto * sz;
        this.cnt[r] = this.cnt[r]! - upto;
        if (this.cnt[r] === 0) this.dead++;
      }
      bytes = s + upto * sz - iova;
      ptes += k;
      this.mappedBytes -= k * sz;
    }
    if (this.dead > 1024 && this.dead * 2 > this.n) this.compact();
    return { bytes, ptes };
  }

  private compact(): void {
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      if (this.cnt[r] === 0) continue;
      this.set(w++, this.iova[r]!, this.paddr[r]!, this.pgi[r]!, this.cnt[r]!);
    }
    this.n = w;
    this.dead = 0;
    this.hint = 0;
  }

  /** Past the layout's estimate (a rare geometric draw, a split): a quarter more, not double. */
  private grow(): void {
    const size = Math.ceil(this.iova.length * 1.25) + IOMMU_MIN_RUNS;
    const f = new Float64Array(size);
    f.set(this.iova);
    this.iova = f;
    const p = new Float64Array(size);
    p.set(this.paddr);
    this.paddr = p;
    const g = new Uint8Array(size);
    g.set(this.pgi);
    this.pgi = g;
    const c = new Uint32Array(size);
    c.set(this.cnt);
    this.cnt = c;
  }
}

/** The smallest run table; bytes per run: iova and paddr Float64, page-size index Uint8, count Uint32. */
export const IOMMU_MIN_RUNS = 64;
export const IOMMU_RUN_BYTES = 8 + 8 + 1 + 4;

/**
 * ops->map / ops->unmap calls before 5.15: VT-d advertised every power of two from 4 KiB
 * (INTEL_IOMMU_PGSIZES ~0xFFF), so iommu_pgsize() cuts [iova, iova + size) into the largest
 * power-of-two blocks that iova | paddr is aligned to. Returns the count, or with firstOnly the
 * first block's size.
 */
export function pow2Pieces(iova: number, paddr: number, size: number, firstOnly = false): number {
  const pages = Math.floor(size / 4096);
  if (firstOnly || pages >= PIECE_PAGES || rem(iova, 4096) !== 0 || rem(paddr, 4096) !== 0) return pow2PiecesWide(iova, paddr, size, firstOnly);
  // in pages, small integers: a block is at most floorPow2(pages) < 2^29, so the page numbers'
  // bits from 2^30 up never bound it (0 in the low 30 bits: aligned past any block)
  let il = lowPageBits(iova) | 0;
  let pl = lowPageBits(paddr) | 0;
  let n = 0;
  for (let s = pages | 0; s >= 1; ) {
    const m = il | pl;
    const low = m === 0 ? PIECE_PAGES : m & -m; // lowest set bit of iova | paddr, in pages
    const top = 1 << (31 - Math.clz32(s)); // floorPow2(size), in pages
    const b = low < top ? low : top;
    n++;
    il = (il + b) & (PIECE_PAGES - 1);
    pl = (pl + b) & (PIECE_PAGES - 1);
    s -= b;
  }
  return n;
}

/** pow2Pieces() takes sizes below this many pages in small integers. */
const PIECE_PAGES = 0x40000000;

/** The low 30 bits of a page-aligned address's page number. */
function lowPageBits(x: number): number {
  const pfn = x / 4096;
  return pfn - Math.floor(pfn / PIECE_PAGES) * PIECE_PAGES;
}

/** x % p for p a power of two (every IOMMU page size), without a call to fmod: x / p and
 *  Math.trunc(x / p) * p are exact, so the remainder is JS's `%` to the bit (sign included). */
function rem(x: number, p: number): number {
  return x - Math.trunc(x / p) * p;
}

/** pow2Pieces() in doubles (the first block only, sizes of 2^30 pages or more, or addresses not page-aligned). */
export function pow2PiecesWide(iova: number, paddr: number, size: number, firstOnly: boolean): number {
  let n = 0;
  while (size >= 4096) {
    // the largest power of two that is at most size and that iova | paddr is aligned to (4 KiB at least)
    const b = Math.max(4096, Math.min(floorPow2(size), lowBit(iova), lowBit(paddr)));
    if (firstOnly) return b;
    n++;
    iova += b;
    paddr += b;
    size -= b;
  }
  return n;
}

const TWO32 = 4294967296;

/** The lowest set bit of a non-negative integer below 2^53 (Infinity for 0). */
function lowBit(x: number): number {
  if (x === 0) return Infinity;
  const hi = Math.floor(x / TWO32); // (no `%` of a double: that is a call to fmod)
  const lo = x - hi * TWO32;
  if (lo !== 0) return (lo & -lo) >>> 0;
  return ((hi & -hi) >>> 0) * TWO32;
}

/** The largest power of two at most x (x >= 1, below 2^53). */
function floorPow2(x: number): number {
  if (x < 0x80000000) return 1 << (31 - Math.clz32(x));
  if (x < TWO32) return 0x80000000;
  return floorPow2(Math.floor(x / TWO32)) * TWO32;
}
