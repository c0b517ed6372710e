// The one validator every Layout passes, from a fixture or from what-if flags: everything the
// simulated kernel must be able to build. DMA requests the kernel itself refuses (unaligned,
// zero size, overlapping IOVA, no VMA, prot none) are left for it to answer with an errno.

import type { Layout } from '../kernel/layout.ts';
import { planRam } from '../kernel/ram_plan.ts';
import { InputError } from './input-error.ts';
import { describe, formatSize, isPowerOfTwo, ADDRESS_LIMIT, formatHex } from './size.ts';
import { ramNeeded } from './ram.ts';
import { checkRanges, checkVmas, type Fail } from './validate-space.ts';

/** Turns a JSON path ("vmas[1].start", "" for the whole layout) into a message prefix. */
export type Loc = (path: string) => string;

export const FIXTURE_NAME_RE = /^[a-z0-9-]+$/;

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
  const plan = planRam(l);
  if (typeof plan === 'string') {
    const total = l.ram.reduce((s, r) => s + r.size, 0);
    fail('ram', `${plan} (the RAM-backed VMAs need ${formatSize(ramNeeded(l.vmas))} with folio alignment; ` +
      `the RAM ranges hold ${formatSize(total)})`);
  }
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
  l.requests.forEach((r, i) => {
    const path = `requests[${i}]`;
    const nums: [string, number][] = [['iova', r.iova], ['size', r.size]];
    if (r.op === 'map') nums.push(['vaddr', r.vaddr]);
    for (const [k, n] of nums) {
      if (!(Number.isSafeInteger(n) && n >= 0)) fail(`${path}.${k}`, `expected a non-negative integer below 2^53, got ${n}`);
    }
    const ends: [string, number][] = [['iova', r.iova]];
    if (r.op === 'map') ends.push(['vaddr', r.vaddr]);
    for (const [k, start] of ends) {
      if (start + r.size >= ADDRESS_LIMIT) {
        fail(path, `${k} ${formatHex(start)} + size ${formatHex(r.size)} reaches 2^53, the limit of exact addresses this tool handles`);
      }
    }
  });
}
