// An independent model of what VFIO_IOMMU_MAP_DMA / UNMAP_DMA answer, for the property tests:
// the mapped IOVA ranges as a sorted list of intervals (no tree, no kernel code), and the ioctl
// rules of a host's eras written from docs/errno-table.md in BigInt. It predicts every request's
// errno and unmap size, and what the container holds afterwards; where the kernel's answer
// depends on something the model does not track (pinning: -EFAULT / -ENOMEM; type1 v1 before
// 5.12: which vfio_dma the rb-tree search meets first) it says what answers are allowed. While a
// pre-6.18 kernel holds a vfio_dma ending at 2^64 the model is `blind`: every search that reaches
// that node turns right past its left subtree, so answers depend on the tree's shape; the property
// test then follows the kernel (resync) and test/ioctl.test.ts derives such cases by hand.

import type { HostKernel } from '../src/kernel/host.ts';
import type { MapRequest, UnmapRequest } from '../src/model/layout.ts';

const TOP = 1n << 64n;
const U64_MAX = TOP - 1n;

export interface Interval {
  lo: bigint;
  /** exclusive; up to 2^64 */
  hi: bigint;
  vaddr: number;
  invalid: boolean;
}

/** exact: this errno; pin: the request reaches vfio_pin_map_dma(), whose answer pinning decides. */
export type MapPrediction = { exact: string } | { pin: true; hiddenOverlap: boolean };

export type UnmapPrediction =
  | { ret: string; size?: bigint; touched: Interval[]; invalidate: boolean }
  /** type1 v1 before 5.12: some of `candidates` removed, which ones the rb-tree's shape decides */
  | { ret: '0'; pathDependent: Interval[] };

export class IoctlModel {
  readonly ivs: Interval[] = [];
  /** pre-6.18: ranges a removed vfio_dma ending at 2^64 left mapped in the IOMMU. */
  readonly leaked: Interval[] = [];

  constructor(
    readonly h: HostKernel,
    readonly v2: boolean,
    readonly limit: number,
    readonly pgsize: number,
  ) {}

  private get v6_18(): boolean {
    return this.h.type1_wrap === 'check_add_overflow';
  }
  private get v5_12(): boolean {
    return this.h.ioctl_flags === 'vaddr_all';
  }
  /** Before 6.18 a vfio_dma ending at 2^64 has a u64 end of 0: no look-up finds it. */
  private visible(iv: Interval): boolean {
    return this.v6_18 || iv.hi < TOP;
  }
  private overlapping(lo: bigint, hi: bigint): Interval[] {
    return this.ivs.filter((iv) => iv.lo < hi && lo < iv.hi);
  }
  private containing(x: bigint): Interval | undefined {
    return this.ivs.find((iv) => this.visible(iv) && iv.lo <= x && x < iv.hi);
  }

  map(r: MapRequest): MapPrediction {
    const exact = (e: string): MapPrediction => ({ exact: e });
    const setVaddr = r.flags?.includes('VADDR') === true;
    const [iova, vaddr, size] = [BigInt(r.iova), BigInt(r.vaddr), BigInt(r.size)];
    const pg = BigInt(this.pgsize);
    const prot = r.read || r.write;
    // the ioctl: argsz >= 32; flags READ | WRITE (| VADDR from 5.12)
    if ((r.argsz ?? 32) < 32 || (setVaddr && !this.v5_12)) return exact('-EINVAL');
    const wraps = (a: bigint): boolean => a + size - 1n > U64_MAX;
    const misaligned = size % pg !== 0n || iova % pg !== 0n || vaddr % pg !== 0n;
    if (this.v6_18) {
      if (size === 0n) return exact('-EINVAL');
      if (wraps(iova) || wraps(vaddr)) return exact('-EOVERFLOW');
    }
    if (this.v5_12 && prot === setVaddr) return exact('-EINVAL');
    if (!this.v5_12 ? !prot || size === 0n || misaligned : this.v6_18 ? misaligned : size === 0n || misaligned) return exact('-EINVAL');
    if (!this.v6_18 && (wraps(iova) || wraps(vaddr))) return exact('-EINVAL');
    // the overlap look-up; before 6.18 a range ending at 2^64 finds nothing
    const hi = iova + size;
    const all = this.overlapping(iova, hi);
    const found = !this.v6_18 && hi === TOP ? [] : all.filter((iv) => this.visible(iv));
    if (setVaddr) {
      if (found.length === 0) return exact('-ENOENT');
      const d = found[0]!;
      if (found.length > 1 || !d.invalid || d.lo !== iova || d.hi !== hi) return exact('-EINVAL');
      return exact('0');
    }
    if (found.length > 0) return exact('-EEXIST');
    if (this.h.dma_avail === 'dma_entry_limit' && this.ivs.length >= this.limit) return exact('-ENOSPC');
    const hiddenOverlap = all.length > 0 || this.leaked.some((iv) => iv.lo < hi && iova < iv.hi);
    return { pin: true, hiddenOverlap };
  }

  /** After the kernel answered `ret` to a map the model predicted. */
  applyMap(r: MapRequest, ret: string): void {
    if (ret !== '0') return;
    const lo = BigInt(r.iova);
    if (r.flags?.includes('VADDR')) {
      const d = this.ivs.find((iv) => iv.lo === lo)!;
      d.vaddr = r.vaddr;
      d.invalid = false;
      return;
    }
    this.ivs.push({ lo, hi: lo + BigInt(r.size), vaddr: r.vaddr, invalid: false });
    this.ivs.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  }

  unmap(r: UnmapRequest): UnmapPrediction {
    const fail = (e: string): UnmapPrediction => ({ ret: e, touched: [], invalidate: false });
    const flags = new Set(r.flags ?? []);
    const [all, inval, dirty] = [flags.has('ALL'), flags.has('VADDR'), flags.has('GET_DIRTY_BITMAP')];
    const [iova, size] = [BigInt(r.iova), BigInt(r.size)];
    const pg = BigInt(this.pgsize);
    // the ioctl: argsz; the flags of the era; DIRTY not with ALL / VADDR; the bitmap's size
    const allowed = this.h.ioctl_flags === 'rw' ? [] : this.h.ioctl_flags === 'dirty_bitmap' ? ['GET_DIRTY_BITMAP'] : ['GET_DIRTY_BITMAP', 'ALL', 'VADDR'];
    if ((r.argsz ?? (dirty ? 48 : 24)) < 24 || [...flags].some((f) => !allowed.includes(f))) return fail('-EINVAL');
    if (dirty && (all || inval)) return fail('-EINVAL');
    if (dirty) {
      const npages = size / pg;
      const bytes = ((npages + 63n) / 64n) * 8n;
      if ((r.argsz ?? 48) < 48 || npages === 0n || bytes > 1n << 28n) return fail('-EINVAL');
    }
    // vfio_dma_do_unmap(): alignment, ALL's zeros, the wrap of the era
    if (iova % pg !== 0n) return fail('-EINVAL');
    if (all) {
      if (iova !== 0n || size !== 0n) return fail('-EINVAL');
    } else {
      if (size === 0n || size % pg !== 0n) return fail('-EINVAL');
      if (this.h.type1_wrap === 'plus_size' && iova + size >= TOP) return fail('-EINVAL');
      if (this.h.type1_wrap === 'plus_size_minus_1' && iova + size > TOP) return fail('-EINVAL');
      if (this.v6_18 && iova + size > TOP) return fail('-EOVERFLOW');
    }
    if (dirty) return fail('-EINVAL'); // dirty tracking is never started
    const hi = all ? TOP : iova + size;
    // v2: no visible vfio_dma bisected at the start or the end of the range
    if (this.v2 && !all) {
      const a = this.containing(iova);
      if (a && a.lo !== iova) return fail('-EINVAL');
      const b = this.containing(hi - 1n);
      if (b && b.hi !== hi) return fail('-EINVAL');
    }
    if (this.h.unmap_iter === 'find_dma') {
      // while (vfio_find_dma()): visible vfio_dmas only; a range ending at 2^64 finds nothing
      if (hi === TOP) return { ret: '0', size: 0n, touched: [], invalidate: false };
      const found = this.overlapping(iova, hi).filter((iv) => this.visible(iv));
      if (!this.v2 && found.some((iv) => iv.lo < iova)) {
        const rest = found.filter((iv) => iv.lo >= iova);
        return rest.length === 0 ? { ret: '0', size: 0n, touched: [], invalidate: false } : { ret: '0', pathDependent: rest };
      }
      return { ret: '0', size: sum(found), touched: found, invalidate: false };
    }
    // 5.12+: the lowest vfio_dma reaching past iova (a visible one), then in order while inside
    const last = this.v6_18 ? hi - 1n : all ? U64_MAX : hi % TOP;
    const inside = (iv: Interval): boolean => (this.v6_18 ? iv.lo <= last : iv.lo < last);
    const start = this.ivs.findIndex((iv) => this.visible(iv) && iv.hi > iova);
    const touched: Interval[] = [];
    if (start >= 0 && inside(this.ivs[start]!)) {
      for (const iv of this.ivs.slice(start)) {
        if (!inside(iv)) break;
        if (!this.v2 && iova > iv.lo) break;
        if (inval && iv.invalid) return fail('-EINVAL'); // rolled back
        touched.push(iv);
      }
    }
    return { ret: '0', size: sum(touched), touched, invalidate: inval };
  }

  /** After a successful unmap: `removed` the vfio_dmas gone (for a path-dependent prediction, the kernel's). */
  applyUnmap(p: { touched: Interval[]; invalidate: boolean }): void {
    for (const iv of p.touched) {
      if (p.invalidate) {
        iv.invalid = true;
        continue;
      }
      this.ivs.splice(this.ivs.indexOf(iv), 1);
      if (!this.v6_18 && iv.hi === TOP) this.leaked.push(iv);
    }
  }

  /** A pre-6.18 kernel holds a vfio_dma ending at 2^64: its answers depend on the tree's shape. */
  get blind(): boolean {
    return !this.v6_18 && this.ivs.some((iv) => iv.hi === TOP);
  }

  /** Takes the kernel's vfio_dmas as they are (while blind); a vanished one ending at 2^64 leaked. */
  resync(dmas: readonly { iova: number; size: number; vaddr: number; vaddr_invalid: boolean }[]): void {
    const now = dmas.map((d) => ({ lo: BigInt(d.iova), hi: BigInt(d.iova) + BigInt(d.size), vaddr: d.vaddr, invalid: d.vaddr_invalid }));
    for (const iv of this.ivs) if (!this.v6_18 && iv.hi === TOP && !now.some((n) => n.lo === iv.lo && n.hi === iv.hi)) this.leaked.push(iv);
    this.ivs.splice(0, this.ivs.length, ...now);
  }

  /** Any vfio_dma ending at 2^64 on a pre-6.18 host: the release will leave it mapped and pinned. */
  get leaksAtRelease(): boolean {
    return !this.v6_18 && (this.leaked.length > 0 || this.ivs.some((iv) => iv.hi === TOP));
  }
}

const sum = (ivs: Interval[]): bigint => ivs.reduce((s, iv) => s + (iv.hi - iv.lo), 0n);
