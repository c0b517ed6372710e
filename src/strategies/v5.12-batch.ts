// Strategy "v5.12-batch": Linux 5.12, Daniel Jordan's series "vfio/type1: Batch page pinning"
// (commit 4d83de6da265 and the patches before it: struct vfio_batch, vaddr_get_pfns()).
// vaddr_get_pfns() takes the mmap lock once and pins up to 512 pages with
// pin_user_pages_remote(FOLL_LONGTERM); vfio_pin_pages_remote() drains the batch page by
// page, and leftover pages carry over to the next call. A VM_PFNMAP vma still goes one pfn
// per vaddr_get_pfns() call: follow_fault_pfn() walks the pte (follow_pte()), faulting it in
// with fixup_user_fault() for BARs that vfio-pci populates on access (5.x).
// GUP of this era takes one page per __get_user_pages() iteration. The unmap path is the
// fast-unmap one of 4.17+ (unmap-v4.17.ts); VT-d's iommu_iova_to_phys() returns the offset
// inside a superpage since 5.8, so the unmap walk probes every 4 KiB page again.
// docs/kernel-notes.md 5.1 quotes the loop from a 5.15.85 tree.

import { EAGAIN, EFAULT, ENODEV, ENOMEM } from '../kernel/errno.ts';
import { FOLL_LONGTERM, FOLL_WRITE, pin_user_pages_remote } from '../kernel/gup.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { VM_PFNMAP, type MmStruct } from '../kernel/mm.ts';
import { out, type Out } from '../kernel/out.ts';
import { vfio_batch_init, vfio_batch_unpin, type VfioBatch } from '../kernel/vfio_batch.ts';
import { follow_fault_pfn, is_invalid_reserved_pfn, put_pfn, vfio_find_vpfn, vfio_iommu_map, vfio_lock_acct, vfio_remove_dma } from '../kernel/vfio_type1.ts';
import { IOMMU_WRITE, type VfioDma } from '../kernel/vfio_dma.ts';
import { kv } from '../kernel/eras.ts';
import { composeHost } from '../kernel/host.ts';
import type { Strategy } from './strategy.ts';
import { batchRun, summaryCheck, summaryStart } from '../kernel/summarise.ts';
import { vfio_unmap_unpin, vfio_unpin_pages_remote } from './unmap-v4.17.ts';

/*
 * Returns the positive number of pfns successfully obtained or a negative
 * error code.
 */
function vaddr_get_pfns(k: Kernel, mm: MmStruct, vaddr: number, npages: number, prot: number, pfn: Out, pages: number[]): number {
  let flags = 0;
  let ret: number;
  k.c.vaddr_get_pfns++;

  if (prot & IOMMU_WRITE) flags |= FOLL_WRITE;

  mm.mmap_sem.down_read(); // mmap_read_lock()
  ret = pin_user_pages_remote(k, vaddr, npages, flags | FOLL_LONGTERM, pages);
  if (ret > 0) {
    pfn.v = pages[0]!;
    mm.mmap_sem.up_read();
    return ret;
  }

  // retry: (fixup_user_fault() never drops the lock here, so no -EAGAIN)
  const vma = mm.find_vma_intersection(vaddr, vaddr + 1);

  if (vma && vma.vm_flags & VM_PFNMAP) {
    k.c.pfnmap_lookups++;
    ret = follow_fault_pfn(k, vma, vaddr, pfn, (prot & IOMMU_WRITE) !== 0);
    if (ret === -EAGAIN) ret = -EFAULT;

    if (!ret) {
      if (is_invalid_reserved_pfn(k, pfn.v)) ret = 1;
      else ret = -EFAULT;
    }
  }
  mm.mmap_sem.up_read(); // done: mmap_read_unlock()
  return ret;
}

/*
 * Attempt to pin pages.  We really don't want to track all the pfns and
 * the iommu can only map chunks of consecutive pfns anyway, so get the
 * first page and all consecutive pages with the same locking.
 */
function vfio_pin_pages_remote(k: Kernel, dma: VfioDma, vaddr: number, npage: number, pfn_base: Out, limit: number, batch: VfioBatch): number {
  const pfn = out();
  const mm = k.mm;
  let ret = 0;
  let pinned = 0;
  let lock_acct = 0;
  let rsvd = false;
  let iova = vaddr - dma.vaddr + dma.iova;
  k.c.vfio_pin_pages_remote++;
  const sum = summaryStart(k); // (model: kernel/summarise.ts)
  let check = 0;

  /* This code path is only user initiated */
  if (!mm) return -ENODEV;

  if (batch.size) {
    /* Leftover pages in batch from an earlier call. */
    pfn_base.v = batch.pages[batch.offset]!;
    pfn.v = pfn_base.v;
    rsvd = is_invalid_reserved_pfn(k, pfn_base.v);
  } else {
    pfn_base.v = 0;
  }

  out: {
    while (npage) {
      if (sum !== null) {
        // (model: a summarised step over a uniform range, kernel/summarise.ts; not kernel code)
        const skip = sum.take(k, pinned);
        if (!rsvd) lock_acct += skip;
        pinned += skip;
        npage -= skip;
        vaddr += skip * PAGE_SIZE;
        iova += skip * PAGE_SIZE;
        if (!npage) break;
        if (!batch.size && pinned && pinned >= check) {
          const room = dma.lock_cap ? npage : limit - mm.locked_vm - lock_acct;
          check = summaryCheck(k, sum, vaddr, (dma.prot & IOMMU_WRITE) !== 0, pinned, pfn_base.v + pinned, rsvd, npage, room, true);
        }
      }
      if (!batch.size) {
        /* Empty batch, so refill it. */
        const req_pages = Math.min(npage, batch.capacity);

        ret = vaddr_get_pfns(k, mm, vaddr, req_pages, dma.prot, pfn, batch.pages);
        if (ret < 0) return unpin_out(k, dma, batch, rsvd, pfn_base.v, pfn.v, pinned, ret);

        batch.size = ret;
        batch.offset = 0;

        if (!pfn_base.v) {
          pfn_base.v = pfn.v;
          rsvd = is_invalid_reserved_pfn(k, pfn_base.v);
        }
      }

      /*
       * pfn is preset for the first iteration of this inner loop and
       * updated at the end to handle a VM_PFNMAP pfn.  In that case,
       * batch->pages isn't valid (there's no struct page), so allow
       * batch->pages to be touched only when there's more than one
       * pfn to check, which guarantees the pfns are from a
       * !VM_PFNMAP vma.
       */
      if (sum !== null && !rsvd && batch.size && pfn.v === pfn_base.v + pinned) {
        // (model: a summarised step over the batch, kernel/summarise.ts; not kernel code): the
        // iterations below for pages pfn, pfn + 1, ...: one is_invalid_reserved_pfn() and one page accounted each
        const j = batchRun(k, batch.pages, batch.offset, batch.size, pfn.v, dma.lock_cap ? Infinity : limit - mm.locked_vm - lock_acct);
        if (j > 0) {
          k.c.is_invalid_reserved_pfn += j;
          lock_acct += j;
          pinned += j;
          npage -= j;
          vaddr += j * PAGE_SIZE;
          iova += j * PAGE_SIZE;
          batch.offset += j;
          batch.size -= j;
          pfn.v = batch.pages[batch.offset]!;
        }
      }
      while (true) {
        if (pfn.v !== pfn_base.v + pinned || rsvd !== is_invalid_reserved_pfn(k, pfn.v)) break out;

        /*
         * Reserved pages aren't counted against the user,
         * externally pinned pages are already counted against
         * the user.
         */
        if (!rsvd && !vfio_find_vpfn(dma, iova)) {
          if (!dma.lock_cap && mm.locked_vm + lock_acct + 1 > limit) {
            ret = -ENOMEM; // pr_warn("RLIMIT_MEMLOCK (%ld) exceeded")
            return unpin_out(k, dma, batch, rsvd, pfn_base.v, pfn.v, pinned, ret);
          }
          lock_acct++;
        }

        pinned++;
        npage--;
        vaddr += PAGE_SIZE;
        iova += PAGE_SIZE;
        batch.offset++;
        batch.size--;

        if (!batch.size) break;

        pfn.v = batch.pages[batch.offset]!;
      }

      if (k.disable_hugepages) break;
    }
  }

  ret = vfio_lock_acct(k, lock_acct, dma.lock_cap); // vfio_lock_acct(dma, lock_acct, false): checks dma->lock_cap
  return unpin_out(k, dma, batch, rsvd, pfn_base.v, pfn.v, pinned, ret);
}

/** The unpin_out: label of vfio_pin_pages_remote() (5.12). */
function unpin_out(k: Kernel, dma: VfioDma, batch: VfioBatch, rsvd: boolean, pfn_base: number, pfn: number, pinned: number, ret: number): number {
  if (batch.size === 1 && !batch.offset) {
    /* May be a VM_PFNMAP pfn, which the batch can't remember. */
    put_pfn(k, pfn, dma.prot);
    batch.size = 0;
  }

  if (ret < 0) {
    if (pinned && !rsvd) {
      for (let p = pfn_base; pinned; p++, pinned--) put_pfn(k, p, dma.prot);
    }
    vfio_batch_unpin(k, batch, dma);

    return ret;
  }

  return pinned;
}

function vfio_pin_map_dma(k: Kernel, dma: VfioDma, map_size: number): number {
  const iova = dma.iova;
  const vaddr = dma.vaddr;
  let size = map_size;
  let npage: number;
  const pfn = out();
  const limit = k.task.rlimitMemlockPages;
  let ret = 0;

  const batch = vfio_batch_init(k);

  while (size) {
    /* Pin a contiguous chunk of memory */
    npage = vfio_pin_pages_remote(k, dma, vaddr + dma.size, size / PAGE_SIZE, pfn, limit, batch);
    if (npage <= 0) {
      ret = npage;
      break;
    }
    k.c.pages_pinned += npage;

    /* Map it! */
    ret = vfio_iommu_map(k, iova + dma.size, pfn.v, npage, dma.prot);
    if (ret) {
      vfio_unpin_pages_remote(k, dma, iova + dma.size, pfn.v, npage, true);
      vfio_batch_unpin(k, batch, dma);
      break;
    }

    size -= npage * PAGE_SIZE;
    dma.size += npage * PAGE_SIZE;
  }

  // vfio_batch_fini(): nothing to free here
  dma.iommu_mapped = true;

  if (ret) vfio_remove_dma(k, dma);

  return ret;
}

export const v5_12_batch: Strategy = {
  name: 'v5.12-batch',
  kernel: 'Linux 5.12',
  description: 'vfio_batch: pin_user_pages_remote() up to 512 pages per mmap lock; PFNMAP one pfn per call via follow_fault_pfn()',
  source: 'commit 4d83de6da265 "vfio/type1: Batch page pinning" and its series',
  host: composeHost(kv(5, 12)),
  vfio_pin_map_dma,
  vfio_unmap_unpin,
};

// Linux 6.12: the same pin loop on a 6.12 host (f9e54c3a2f5b: vfio-pci maps a BAR with pud /
// pmd leaves, one per fault; a77f9489f1d7: follow_pfnmap_start()), still one BAR page per
// vaddr_get_pfns(); folio-batched GUP (6.6+). A host knob, so one file and two registry entries.
export const v6_12_huge_pfnmap: Strategy = {
  ...v5_12_batch,
  name: 'v6.12-huge-pfnmap',
  kernel: 'Linux 6.12',
  description: 'the 5.12 pin loop on huge pfnmap BARs (pud/pmd leaves, one per fault): still one follow_pfnmap_start() per 4 KiB page',
  source: 'commits f9e54c3a2f5b "vfio/pci: implement huge_fault support" and a77f9489f1d7 "vfio: use the new follow_pfnmap API"',
  host: composeHost(kv(6, 12)),
};
