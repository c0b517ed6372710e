// A host kernel: one era of each part (eras.ts). A strategy runs on the host it names; --kernel
// composes the host of any version from the era table. Plain data: it crosses worker threads.

import {
  DMA_AVAIL, DMA_RANGE_END, eraAt, FGSP, formatVersion, GUP, GUP_FOLIO, IOCTL_FLAGS, IOMMU_OPS, kv, NEWEST, OLDEST, PARTS,
  PFNMAP_PFN, TYPE1_PIN, TYPE1_UNMAP, TYPE1_WRAP, UNMAP_ITER, UNPIN, VFIO_PCI_MMAP, VTD_IOVA_TO_PHYS,
  type KernelVersion, type Part,
} from './eras.ts';

type ValueOf<P> = P extends Part<infer T> ? T : never;

export interface HostKernel {
  /** "6.12", or e.g. "4.17-rc1" for a kernel no release had. */
  readonly name: string;
  readonly type1_pin: ValueOf<typeof TYPE1_PIN>;
  readonly type1_unmap: ValueOf<typeof TYPE1_UNMAP>;
  readonly pfnmap_pfn: ValueOf<typeof PFNMAP_PFN>;
  readonly gup: ValueOf<typeof GUP>;
  readonly gup_folio: ValueOf<typeof GUP_FOLIO>;
  readonly unpin: ValueOf<typeof UNPIN>;
  readonly vfio_pci_mmap: ValueOf<typeof VFIO_PCI_MMAP>;
  readonly vtd_iova_to_phys: ValueOf<typeof VTD_IOVA_TO_PHYS>;
  readonly iommu_ops: ValueOf<typeof IOMMU_OPS>;
  readonly ioctl_flags: ValueOf<typeof IOCTL_FLAGS>;
  readonly type1_wrap: ValueOf<typeof TYPE1_WRAP>;
  readonly dma_range_end: ValueOf<typeof DMA_RANGE_END>;
  readonly dma_avail: ValueOf<typeof DMA_AVAIL>;
  readonly unmap_iter: ValueOf<typeof UNMAP_ITER>;
  readonly fgsp: ValueOf<typeof FGSP>;
}

/** The host kernel of mainline release v: every part in the era valid for v. */
export function composeHost(v: KernelVersion): HostKernel {
  return {
    name: formatVersion(v),
    type1_pin: eraAt(TYPE1_PIN, v).value,
    type1_unmap: eraAt(TYPE1_UNMAP, v).value,
    pfnmap_pfn: eraAt(PFNMAP_PFN, v).value,
    gup: eraAt(GUP, v).value,
    gup_folio: eraAt(GUP_FOLIO, v).value,
    unpin: eraAt(UNPIN, v).value,
    vfio_pci_mmap: eraAt(VFIO_PCI_MMAP, v).value,
    vtd_iova_to_phys: eraAt(VTD_IOVA_TO_PHYS, v).value,
    iommu_ops: eraAt(IOMMU_OPS, v).value,
    ioctl_flags: eraAt(IOCTL_FLAGS, v).value,
    type1_wrap: eraAt(TYPE1_WRAP, v).value,
    dma_range_end: eraAt(DMA_RANGE_END, v).value,
    dma_avail: eraAt(DMA_AVAIL, v).value,
    unmap_iter: eraAt(UNMAP_ITER, v).value,
    fgsp: eraAt(FGSP, v).value,
  };
}

/** Every part's era at v, for `list --kernels` and the output header. */
export function describeHost(v: KernelVersion): { part: string; value: string; commit: string; what: string }[] {
  return PARTS.map((p) => {
    const e = eraAt(p as Part<string>, v);
    return { part: p.key, value: e.value, commit: e.commit, what: e.what };
  });
}

/**
 * A kernel release as `uname -r` prints it ("6.12.117+deb13-amd64", "5.15.0-91-generic",
 * "6.8", "4.16-rc3") -> major.minor, or null when it does not start like a version. The
 * range is checked by the caller (OLDEST .. NEWEST).
 */
export function parseKernelRelease(text: string): KernelVersion | null {
  const m = /^v?(\d{1,2})\.(\d{1,3})(?:[.\-+~_][0-9A-Za-z.+~_-]*)?$/.exec(text.trim());
  if (m === null) return null;
  return kv(Number(m[1]), Number(m[2]));
}

export const SUPPORTED_RANGE = `${formatVersion(OLDEST)} .. ${formatVersion(NEWEST)}`;

export function inRange(v: KernelVersion): boolean {
  return v >= OLDEST && v <= NEWEST;
}
