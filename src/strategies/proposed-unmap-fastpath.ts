// Strategy "proposed-unmap-fastpath": OUR PROPOSAL, in no kernel (docs/proposals/
// unmap-fastpath.md): "vfio/type1: unmap a vfio_dma of reserved pfns without a per-page walk",
// on top of Linux 6.18 (v6.18-folio.ts, whose pin path this file repeats line for line). The
// only change here: vfio_pin_pages_remote() also records dma->has_unrsvd (some pinned pfn was
// neither reserved nor invalid), beside 6.18's dma->has_rsvd. The unmap side (unmap-proposed.ts)
// reads it: a dma without it (an MMIO BAR) is unmapped as one chunk, O(IOMMU leaves), and
// nothing is unpinned; a dma with any pinned page keeps 6.18's per-page walk.

import { EAGAIN, EFAULT, ENODEV, ENOMEM } from '../kernel/errno.ts';
import { FOLL_LONGTERM, FOLL_WRITE, fixup_user_fault, follow_pfnmap_start, FollowPfnmapArgs, pin_user_pages_remote } from '../kernel/gup.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { VM_PFNMAP, type MmStruct, type VmAreaStruct } from '../kernel/mm.ts';
import { out, type Out } from '../kernel/out.ts';
import { vfio_batch_init, vfio_batch_unpin, type VfioBatch } from '../kernel/vfio_batch.ts';
import { is_invalid_reserved_pfn, put_pfn, vfio_iommu_map, vfio_lock_acct, vfio_remove_dma, vpfn_pages } from '../kernel/vfio_type1.ts';
import { IOMMU_WRITE, type VfioDma } from '../kernel/vfio_dma.ts';
import { kv } from '../kernel/eras.ts';
import { composeHost } from '../kernel/host.ts';
import type { Strategy } from './strategy.ts';
import { batchRun, summaryCheck, summaryStart } from '../kernel/summarise.ts';
import { vfio_unmap_unpin, vfio_unpin_pages_remote } from './unmap-proposed.ts';

/** follow_fault_pfn()'s struct follow_pfnmap_args (on the stack in C). */
const args = new FollowPfnmapArgs();

function follow_fault_pfn(k: Kernel, vma: VmAreaStruct, vaddr: number, pfn: Out, addr_mask: Out, write_fault: boolean): number {
  args.vma = vma;
  args.address = vaddr;
  let ret = follow_pfnmap_start(k, args);
  if (ret) {
    ret = fixup_user_fault(k, vma, vaddr, write_fault);
    if (ret) return ret;

    ret = follow_pfnmap_start(k, args);
    if (ret) return ret;
  }

  // (BAR mmaps are writable: the write_fault && !args.writable test never fails here)
  pfn.v = args.pfn;
  addr_mask.v = args.addr_mask;

  // follow_pfnmap_end()
  return ret;
}

/** vaddr_get_pfns()'s unsigned long addr_mask (on the stack in C). */
const addr_mask = out();

/*
 * Returns the positive number of pfns successfully obtained or a negative
 * error code.  The caller must release the pages in the batch, if any.
 */
function vaddr_get_pfns(k: Kernel, mm: MmStruct, vaddr: number, npages: number, prot: number, pfn: Out, batch: VfioBatch): number {
  const pin_pages = Math.min(npages, batch.capacity);
  let flags = 0;
  let ret: number;
  k.c.vaddr_get_pfns++;

  if (prot & IOMMU_WRITE) flags |= FOLL_WRITE;

  mm.mmap_sem.down_read(); // mmap_read_lock()
  ret = pin_user_pages_remote(k, vaddr, pin_pages, flags | FOLL_LONGTERM, batch.pages);
  if (ret > 0) {
    pfn.v = batch.pages[0]!;
    batch.size = ret;
    batch.offset = 0;
    mm.mmap_sem.up_read();
    return ret;
  } else if (!ret) {
    ret = -EFAULT;
  }

  // retry: (fixup_user_fault() never drops the lock here, so no -EAGAIN)
  const vma = vma_lookup(mm, vaddr);

  if (vma && vma.vm_flags & VM_PFNMAP) {
    k.c.pfnmap_lookups++;
    ret = follow_fault_pfn(k, vma, vaddr, pfn, addr_mask, (prot & IOMMU_WRITE) !== 0);
    if (ret === -EAGAIN) ret = -EFAULT;

    if (!ret) {
      if (is_invalid_reserved_pfn(k, pfn.v)) {
        // epfn = (*pfn | (~addr_mask >> PAGE_SHIFT)) + 1: the pfn after the end of the leaf
        const leafPages = -addr_mask.v / PAGE_SIZE;
        const epfn = pfn.v - (pfn.v % leafPages) + leafPages;
        ret = Math.min(npages, epfn - pfn.v);
      } else {
        ret = -EFAULT;
      }
    }
  }
  mm.mmap_sem.up_read(); // done: mmap_read_unlock()
  return ret;
}

/** vma_lookup() (include/linux/mm.h, 5.14+): the vma containing addr, or null. */
function vma_lookup(mm: MmStruct, addr: number): VmAreaStruct | null {
  const vma = mm.find_vma(addr);
  return vma && addr >= vma.vm_start ? vma : null;
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

  if (k.disable_hugepages) npage = 1;

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
          check = summaryCheck(k, sum, vaddr, (dma.prot & IOMMU_WRITE) !== 0, pinned, pfn_base.v + pinned, rsvd, npage, room, false);
        }
      }
      if (!batch.size) {
        /* Empty batch, so refill it. (cond_resched() first) */
        ret = vaddr_get_pfns(k, mm, vaddr, npage, dma.prot, pfn, batch);
        if (ret < 0) return unpin_out(k, dma, batch, rsvd, pfn_base.v, pinned, ret);

        if (!pfn_base.v) {
          pfn_base.v = pfn.v;
          rsvd = is_invalid_reserved_pfn(k, pfn_base.v);
        }

        /* Handle pfnmap */
        if (!batch.size) {
          if (pfn.v !== pfn_base.v + pinned || !rsvd) break out;

          pinned += ret;
          npage -= ret;
          vaddr += PAGE_SIZE * ret;
          iova += PAGE_SIZE * ret;
          continue;
        }
      }

      /*
       * pfn is preset for the first iteration of this inner loop
       * due to the fact that vaddr_get_pfns() needs to provide the
       * initial pfn for pfnmaps.  Therefore to reduce redundancy,
       * the next pfn is fetched at the end of the loop.
       * A PageReserved() page could still qualify as page backed
       * and rsvd here, and therefore continues to use the batch.
       */
      if (sum !== null && !rsvd && batch.size && pfn.v === pfn_base.v + pinned) {
        // (model: a summarised step over the batch, kernel/summarise.ts; not kernel code): the
        // iterations below for pages pfn, pfn + 1, ...: one is_invalid_reserved_pfn() and one page accounted each
        const j = batchRun(k, batch.pages, batch.offset, batch.size, pfn.v, dma.lock_cap ? Infinity : limit - mm.locked_vm - lock_acct);
        if (j > 0) {
          k.c.is_invalid_reserved_pfn += j;
          k.c.contig_pages += j; // contig_pages(): 1 for each order-0 folio
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
        let acct_pages = 0;

        if (pfn.v !== pfn_base.v + pinned || rsvd !== is_invalid_reserved_pfn(k, pfn.v)) break out;

        /*
         * Using GUP with the FOLL_LONGTERM in
         * vaddr_get_pfns() will not return invalid
         * or reserved pages.
         */
        const nr_pages = contig_pages(k, batch);
        if (!rsvd) {
          acct_pages = nr_pages;
          acct_pages -= vpfn_pages(dma, iova, nr_pages);
        }

        /*
         * This is the only possible reason that
         * the code should have to unpin pages.
         */
        if (acct_pages) {
          if (!dma.lock_cap && mm.locked_vm + lock_acct + acct_pages > limit) {
            ret = -ENOMEM; // pr_warn("RLIMIT_MEMLOCK (%ld) exceeded")
            return unpin_out(k, dma, batch, rsvd, pfn_base.v, pinned, ret);
          }
          lock_acct += acct_pages;
        }

        pinned += nr_pages;
        npage -= nr_pages;
        vaddr += PAGE_SIZE * nr_pages;
        iova += PAGE_SIZE * nr_pages;
        batch.offset += nr_pages;
        batch.size -= nr_pages;

        if (!batch.size) break;

        pfn.v = batch.pages[batch.offset]!;
      }
    }
  }

  dma.has_rsvd ||= rsvd;
  dma.has_unrsvd ||= !rsvd;
  ret = vfio_lock_acct(k, lock_acct, dma.lock_cap); // vfio_lock_acct(dma, lock_acct, false): checks dma->lock_cap
  return unpin_out(k, dma, batch, rsvd, pfn_base.v, pinned, ret);
}

/** contig_pages(): how many pages from batch->offset are consecutive pages of one folio. */
function contig_pages(k: Kernel, batch: VfioBatch): number {
  const first = batch.pages[batch.offset]!;
  const head = k.mem.compound_head(first);
  let n = 1;
  while (n < batch.size && batch.pages[batch.offset + n] === first + n && k.mem.compound_head(first + n) === head) n++;
  k.c.contig_pages += n; // the loop's per-page compare of batch->pages[] (no other counter sees it)
  return n;
}

/** The unpin_out: label of vfio_pin_pages_remote() (6.18). */
function unpin_out(k: Kernel, dma: VfioDma, batch: VfioBatch, rsvd: boolean, pfn_base: number, pinned: number, ret: number): number {
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

export const proposed_unmap_fastpath: Strategy = {
  name: 'proposed-unmap-fastpath',
  kernel: 'proposal on Linux 6.18',
  description: 'PROPOSAL, not a kernel (run it by name: -s proposed-unmap-fastpath): 6.18 + unmap of a reserved-only (BAR) vfio_dma as one chunk, O(IOMMU leaves) not O(pages)',
  source: 'this project, docs/proposals/unmap-fastpath.md (on Li Zhe\'s 6.18 large-folio series)',
  host: composeHost(kv(6, 18)),
  proposal: true,
  vfio_pin_map_dma,
  vfio_unmap_unpin,
};
