// One simulated kernel, built fresh from a Layout with a pinning strategy plugged in: the
// process (mm, task limits), physical memory, one IOMMU domain and the vfio type1 container.

import { COUNTER_NAMES, newCounters, type Counters } from '../model/counters.ts';
import { footprint } from './footprint.ts';
import { IommuDomain } from './iommu.ts';
import type { Backing, Layout, LayoutVma } from '../model/layout.ts';
import { PAGE_SIZE, SZ_1G } from '../model/units.ts';
import { PhysMem, Region } from './memory.ts';
import { MmStruct, VM_FLAG_BITS, VmAreaStruct } from './mm.ts';
import { AnonPageTable, type PageTable } from './pagetable.ts';
import { PfnmapPageTable, type PfnmapFault } from './pfnmap.ts';
import { placeFolios, regionSeed } from './placement.ts';
import { planRam, type VmaPlan } from './ram_plan.ts';
import type { HostKernel } from './host.ts';
import { VfioIommu, type VfioDma } from './vfio_dma.ts';
import { referencePath, Summary } from './summarise.ts';

/** The functions a pinning strategy supplies; vfio_dma_do_map() / vfio_remove_dma() call them. */
export interface VfioPinOps {
  /** the host kernel these functions run on: the era of each part (host.ts). */
  readonly host: HostKernel;
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
  readonly vfio: VfioIommu;
  readonly task: Task;
  /** vfio_iommu_type1 module parameter. */
  readonly disable_hugepages: boolean;
  /** the host kernel: the era of each part. */
  readonly host: HostKernel;
  /** the pin loops' summarised step (summarise.ts); null: the per-page reference path. */
  readonly summary: Summary | null = referencePath() ? null : new Summary();
  /** summarised unmap steps (iommu.ts, vfio_type1.ts put_pfns()); false: page by page. */
  readonly summarise: boolean = !referencePath();

  constructor(
    readonly layout: Layout,
    readonly ops: VfioPinOps,
  ) {
    const counters = this.c;
    this.host = ops.host;
    const toPfns = (r: { name: string; base: number; size: number }) => ({
      name: r.name, startPfn: r.base / PAGE_SIZE, endPfn: (r.base + r.size) / PAGE_SIZE,
    });
    this.mem = new PhysMem(layout.ram.map(toPfns), layout.mmio.map(toPfns), counters);
    const plans = planRam(layout);
    const byName = new Map(plans.map((p) => [p.vma, p]));
    this.mm = new MmStruct(layout.vmas.map((v) => this.mmap(v, byName.get(v.name))), counters);
    const { pgsizes } = layout.system.iommu;
    // domain->fgsp: what vfio_test_domain_fgsp() finds on this IOMMU, until 6.16 removed it (eras.ts FGSP)
    const fgsp = layout.system.iommu.fgsp && this.host.fgsp === 'detected';
    // the run table sized from the layout up front (footprint.ts), not grown by doubling
    const runs = footprint(layout, { kernels: 1, strategies: 0 }).iommuRuns;
    this.domain = new IommuDomain(pgsizes, fgsp, !fgsp && this.host.vtd_iova_to_phys === 'leaf_base', this.host.iommu_ops, counters, runs, this.summarise);
    this.task = {
      capIpcLock: layout.system.capIpcLock,
      rlimitMemlockPages: layout.system.memlock === null ? Infinity : Math.floor(layout.system.memlock / PAGE_SIZE),
    };
    this.disable_hugepages = layout.system.disableHugepages;
    // vfio_iommu_type1_open(): v2 for VFIO_TYPE1v2_IOMMU; 5.1+ iommu->dma_avail = dma_entry_limit
    this.vfio = new VfioIommu(layout.system.iommuType === 'type1v2', layout.system.dmaEntryLimit);
  }

  /** Runs one ioctl and adds what it counted to that side's counters. Object.values() snapshots
   *  (every counter set is a copy of one template, so the order is COUNTER_NAMES'), and only the
   *  few counters an ioctl moved are written: tens of thousands of small ioctls stay cheap. */
  side<T>(which: 'map' | 'unmap', fn: () => T): T {
    const before = Object.values(this.c);
    try {
      return fn();
    } finally {
      const to = which === 'map' ? this.mapCounters : this.unmapCounters;
      const after = Object.values(this.c);
      for (let i = 0; i < after.length; i++) {
        if (after[i] !== before[i]) to[COUNTER_NAMES[i]!] += after[i]! - before[i]!;
      }
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
      pt = this.barPageTable(v.start, end, pgoff, b);
    } else {
      if (!plan) throw new Error(`layout: vma "${v.name}" has no RAM plan`);
      const region = (p: VmaPlan['huge']) =>
        p === null ? null : this.mem.addRegion(new Region(v.name, p.basePfn, p.order, p.nrFolios));
      const populated = b.kind === 'hugetlb' ? true : b.populated;
      const seed = this.layout.system.seed;
      const place = (p: VmaPlan['huge'], part: string) =>
        p === null ? null : placeFolios(p.nrFolios, PAGE_SIZE * 2 ** p.order, b.placement, regionSeed(seed, v.name, part));
      pt = new AnonPageTable(v.start, plan.geometry, region(plan.huge), region(plan.small), populated,
        place(plan.huge, 'huge'), place(plan.small, 'small'), this.c);
    }
    return new VmAreaStruct(v.name, v.start, end, flags, pgoff, pt);
  }

  // vfio_pci_mmap() of the host's era: populated at mmap (4.16 .. 5.7), or on fault (5.8+)
  // unless the VMM touched the BAR first; 6.12+ maps with pud / pmd leaves where they fit.
  // The fixture's leafSize / populated pin a "what if" over the era.
  private barPageTable(start: number, end: number, pgoff: number, b: Extract<Backing, { kind: 'pfnmap' }>): PfnmapPageTable {
    const era = this.host.vfio_pci_mmap;
    const huge = era === 'huge_fault' || era === 'huge_fault_at_addr';
    const maxLeaf = b.leafSize ?? (huge ? SZ_1G : PAGE_SIZE);
    const mode: PfnmapFault = huge ? era : maxLeaf > PAGE_SIZE ? 'huge_fault' : era === 'remap_at_mmap' ? 'fault_remap_vma' : era;
    const populated = b.populated !== undefined ? b.populated === 'mmap' : era === 'remap_at_mmap' || b.touched;
    return new PfnmapPageTable(start, end, pgoff, maxLeaf, mode, populated, this.c);
  }
}
