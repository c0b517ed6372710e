// One simulated kernel, built fresh from a Layout with a pinning strategy plugged in: the
// process (mm, task limits), physical memory, one IOMMU domain and the vfio type1 container.

import { COUNTER_NAMES, newCounters, type Counters } from '../model/counters.ts';
import { IommuDomain } from './iommu.ts';
import type { Layout, LayoutVma } from '../model/layout.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { PhysMem, Region } from './memory.ts';
import { MmStruct, VM_FLAG_BITS, VmAreaStruct } from './mm.ts';
import { AnonPageTable, PfnmapPageTable, type PageTable } from './pagetable.ts';
import { placeFolios, regionSeed } from './placement.ts';
import { planRam, type VmaPlan } from './ram_plan.ts';
import { VfioIommu, type VfioDma } from './vfio_dma.ts';

/** The functions a pinning strategy supplies; vfio_dma_do_map() / vfio_remove_dma() call them. */
export interface VfioPinOps {
  /**
   * The modelled kernel's intel-iommu returns a superpage's base from iommu_iova_to_phys()
   * (before Linux 5.8, 77a1bce84bba): applies to VT-d domains (not fine-grained AMD-Vi ones).
   */
  readonly vtd_iova_to_phys_base_only: boolean;
  /** vfio_pin_map_dma(): pin and map map_size bytes of dma; 0 or -errno (state undone on error). */
  vfio_pin_map_dma(k: Kernel, dma: VfioDma, map_size: number): number;
  /** vfio_unmap_unpin(): unmap dma from the IOMMU and unpin it; returns pages unlocked. */
  vfio_unmap_unpin(k: Kernel, dma: VfioDma, do_accounting: boolean): number;
}

export interface Task {
  /** capable(CAP_IPC_LOCK). */
  capIpcLock: boolean;
  /** rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT; Infinity for RLIM_INFINITY. */
  rlimitMemlockPages: number;
}

export class Kernel {
  /** the live counters every primitive bumps; side() files them under map or unmap. */
  readonly c: Counters = newCounters();
  readonly mapCounters = newCounters();
  readonly unmapCounters = newCounters();
  readonly mem: PhysMem;
  readonly mm: MmStruct;
  readonly domain: IommuDomain;
  readonly vfio = new VfioIommu();
  readonly task: Task;
  /** vfio_iommu_type1 module parameter. */
  readonly disable_hugepages: boolean;

  constructor(
    readonly layout: Layout,
    readonly ops: VfioPinOps,
  ) {
    const counters = this.c;
    const toPfns = (r: { name: string; base: number; size: number }) => ({
      name: r.name, startPfn: r.base / PAGE_SIZE, endPfn: (r.base + r.size) / PAGE_SIZE,
    });
    this.mem = new PhysMem(layout.ram.map(toPfns), layout.mmio.map(toPfns), counters);
    const plans = planRam(layout);
    const byName = new Map(plans.map((p) => [p.vma, p]));
    this.mm = new MmStruct(layout.vmas.map((v) => this.mmap(v, byName.get(v.name))), counters);
    const { pgsizes, fgsp } = layout.system.iommu;
    this.domain = new IommuDomain(pgsizes, fgsp, !fgsp && ops.vtd_iova_to_phys_base_only, counters);
    this.task = {
      capIpcLock: layout.system.capIpcLock,
      rlimitMemlockPages: layout.system.memlock === null ? Infinity : Math.floor(layout.system.memlock / PAGE_SIZE),
    };
    this.disable_hugepages = layout.system.disableHugepages;
  }

  /** Runs one ioctl and adds what it counted to that side's counters. */
  side<T>(which: 'map' | 'unmap', fn: () => T): T {
    const before = { ...this.c };
    try {
      return fn();
    } finally {
      const to = which === 'map' ? this.mapCounters : this.unmapCounters;
      for (const name of COUNTER_NAMES) to[name] += this.c[name] - before[name];
    }
  }

  /** mmap(): the VMA and the page tables behind it. */
  private mmap(v: LayoutVma, plan: VmaPlan | undefined): VmAreaStruct {
    let flags = 0;
    for (const f of v.flags) flags |= VM_FLAG_BITS[f]!;
    const end = v.start + v.size;
    let pt: PageTable;
    let pgoff = 0;
    const b = v.backing;
    if (b.kind === 'pfnmap') {
      const mmio = this.layout.mmio.find((m) => m.name === b.mmio);
      if (!mmio) throw new Error(`layout: vma "${v.name}": no MMIO range "${b.mmio}"`);
      // vfio_pci_mmap(): vma->vm_pgoff = (pci_resource_start(pdev, index) >> PAGE_SHIFT) + pgoff
      pgoff = (mmio.base + b.offset) / PAGE_SIZE;
      pt = new PfnmapPageTable(v.start, end, pgoff, b.leafSize, b.populated === 'mmap');
    } else {
      if (!plan) throw new Error(`layout: vma "${v.name}" has no RAM plan`);
      const region = (p: VmaPlan['huge']) =>
        p === null ? null : this.mem.addRegion(new Region(v.name, p.basePfn, p.order, p.nrFolios));
      const populated = b.kind === 'hugetlb' ? true : b.populated;
      const seed = this.layout.system.seed;
      const place = (p: VmaPlan['huge'], part: string) =>
        p === null ? null : placeFolios(p.nrFolios, PAGE_SIZE * 2 ** p.order, b.placement, regionSeed(seed, v.name, part));
      pt = new AnonPageTable(v.start, plan.geometry, region(plan.huge), region(plan.small), populated,
        place(plan.huge, 'huge'), place(plan.small, 'small'));
    }
    return new VmAreaStruct(v.name, v.start, end, flags, pgoff, pt);
  }
}
