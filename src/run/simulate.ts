// One deterministic run of a layout's DMA requests through a fresh kernel with one strategy:
// the requests in order, the oracle after each successful map, the container release, then
// the invariants. No timing here: this is what the counters and verdicts come from.

import { errnoName } from '../kernel/errno.ts';
import { Kernel } from '../kernel/kernel.ts';
import type { DmaRequest, Layout } from '../model/layout.ts';
import { vfio_iommu_type1_map_dma, vfio_iommu_type1_unmap_dma, vfio_iommu_unmap_unpin_all } from '../kernel/vfio_type1.ts';
import { mapArg, unmapArg } from '../kernel/vfio_uapi.ts';
import type { Strategy } from '../strategies/strategy.ts';
import { checkInvariants } from '../verify/invariants.ts';
import { checkDma, countRuns, newTally, verdict } from '../verify/oracle.ts';
import type { InvariantCheck, OracleVerdict, RequestResult } from '../model/result.ts';

interface Simulation {
  kernel: Kernel;
  requests: RequestResult[];
  oracle: OracleVerdict;
  invariants: InvariantCheck[];
  iommuPtes: Record<string, number>;
  /** ms spent in the ioctls alone (not the oracle): map requests, and unmap requests plus the
   *  container release; what a timing sample measures (timing.ts). */
  ioctlMs: { map: number; unmap: number };
}

/** Issues one request as the VMM's ioctl would; returns the kernel's answer and, for an unmap
 *  that succeeded, the size it copied back (on an error the kernel copies nothing back). */
export function issue(k: Kernel, r: DmaRequest): { ret: number; unmapped?: number } {
  if (r.op === 'map') {
    return k.side('map', () => {
      k.c.vfio_ioctls++;
      return { ret: vfio_iommu_type1_map_dma(k, mapArg(r)) };
    });
  }
  return k.side('unmap', () => {
    k.c.vfio_ioctls++;
    const arg = unmapArg(r, k.domain.minPagesz);
    const ret = vfio_iommu_type1_unmap_dma(k, arg);
    return ret ? { ret } : { ret, unmapped: arg.size };
  });
}

/** Closing the container: vfio_iommu_type1_release() -> vfio_iommu_unmap_unpin_all(). */
export function release(k: Kernel): void {
  k.side('unmap', () => {
    k.c.vfio_ioctls++;
    vfio_iommu_unmap_unpin_all(k);
  });
}

/** onRequest: called after each request (progress: requests done, requests in all). */
export function simulate(layout: Layout, strategy: Strategy, onRequest?: (done: number, total: number) => void): Simulation {
  const k = new Kernel(layout, strategy);
  const tally = newTally();
  const ioctlMs = { map: 0, unmap: 0 };
  const requests = layout.requests.map((r, index): RequestResult => {
    const t0 = performance.now();
    const { ret, unmapped } = issue(k, r);
    ioctlMs[r.op] += performance.now() - t0;
    const res: RequestResult = {
      index, op: r.op, ...(r.label ? { label: r.label } : {}), iova: r.iova, size: r.size,
      ...(r.op === 'map' ? { vaddr: r.vaddr } : {}), ret, errno: errnoName(ret),
      ...(unmapped !== undefined ? { unmapped } : {}),
    };
    if (r.op === 'map') {
      // the oracle after each map that pinned (a VADDR update pins nothing)
      if (ret === 0 && !r.flags?.includes('VADDR')) {
        const dma = k.vfio.dmaAt(r.iova);
        if (dma) checkDma(k, dma, tally);
      }
      res.runs = countRuns(k, r.vaddr, r.size);
    }
    onRequest?.(index + 1, layout.requests.length);
    return res;
  });
  const iommuPtes: Record<string, number> = {};
  for (const [size, n] of [...k.domain.ptesBySize].sort((a, b) => a[0] - b[0])) iommuPtes[String(size)] = n;
  const t0 = performance.now();
  release(k);
  ioctlMs.unmap += performance.now() - t0;
  return { kernel: k, requests, oracle: verdict(tally), invariants: checkInvariants(k), iommuPtes, ioctlMs };
}
