// The one validator every Layout passes, from a fixture or from what-if flags: everything the
// simulated kernel must be able to build. DMA requests the kernel itself refuses (unaligned,
// zero size, overlapping IOVA, no VMA, prot none) are left for it to answer with an errno.

import type { Layout } from '../model/layout.ts';
import { planRam, ramNeeded, RamShortage } from '../kernel/ram_plan.ts';
import { InputError } from '../model/errors.ts';
import { describe, formatSize, isPowerOfTwo } from './size.ts';
import { checkRanges, checkVmas, type Fail } from './validate-space.ts';

/** Turns a JSON path ("vmas[1].start", "" for the whole layout) into a message prefix. */
type Loc = (path: string) => string;

const FIXTURE_NAME_RE = /^[a-z0-9-]+$/;

export function validateLayout(l: Layout, loc: Loc): Layout {
  const fail: Fail = (path, message) => {
    throw new InputError(`${loc(path)}: ${message}`);
  };
  if (!FIXTURE_NAME_RE.test(l.name)) {
    fail('name', `expected a name of lower-case letters, digits and "-" like "gpu-16g-bar", got ${describe(l.name)}`);
  }
  if (l.description.trim() === '' || /[\r\n]/.test(l.description)) {
    fail('description', `expected one non-empty line, got ${describe(l.description)}`);
  }
  checkSystem(l, fail);
  checkRanges(l, fail);
  checkVmas(l, fail);
  checkRequests(l, fail);
  checkRamFit(l, fail);
  return l;
}

function checkSystem(l: Layout, fail: Fail): void {
  const { memlock, iommu } = l.system;
  if (memlock !== null && !(Number.isSafeInteger(memlock) && memlock >= 0)) {
    fail('system.memlock', `expected a size or "unlimited", got ${memlock}`);
  }
  const p = iommu.pgsizes;
  if (p.length === 0) fail('system.iommu.pgsizes', 'expected at least one page size, got none');
  p.forEach((s, i) => {
    const path = `system.iommu.pgsizes[${i}]`;
    if (!isPowerOfTwo(s) || s < 4096) fail(path, `expected a power of two of at least 4 KiB, got ${s} bytes`);
    if (i > 0 && s <= p[i - 1]!) fail(path, `expected page sizes in increasing order without repeats, got ${formatSize(s)} after ${formatSize(p[i - 1]!)}`);
  });
}

function checkRequests(l: Layout, fail: Fail): void {
  // DMA requests are __u64 fields: the kernel, not this validator, refuses ones that wrap
  // (vfio_dma_do_map's -EINVAL), so only the u64 range is checked here.
  l.requests.forEach((r, i) => {
    const path = `requests[${i}]`;
    const nums: [string, number][] = [['iova', r.iova], ['size', r.size]];
    if (r.op === 'map') nums.push(['vaddr', r.vaddr]);
    for (const [k, n] of nums) {
      if (!(Number.isInteger(n) && n >= 0 && n < 2 ** 64)) fail(`${path}.${k}`, `expected a non-negative integer below 2^64, got ${n}`);
    }
  });
}

/** Plans the RAM once; a shortage names the first RAM-backed VMA that does not fit, and the sizes involved. */
function checkRamFit(l: Layout, fail: Fail): void {
  try {
    planRam(l);
  } catch (e) {
    if (!(e instanceof RamShortage)) throw e;
    const i = e.vmaIndex;
    const need = ramNeeded(l.vmas.slice(0, i + 1));
    const hold = l.ram.reduce((s, r) => s + r.size, 0);
    fail(`vmas[${i}]`, `VMA ${describe(l.vmas[i]!.name)} does not fit in RAM: the RAM-backed VMAs up to it need ` +
      `${formatSize(need)} in folio-aligned regions, the RAM ranges hold ${formatSize(hold)} ` +
      '(first fit in VMA order; a region does not span two ranges)');
  }
}
