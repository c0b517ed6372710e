// Physical placement of RAM-backed VMAs: the fixture's "placement" field and --placement, and
// the documented defaults (docs/fixture-format.md "Placement").
//
// Defaults, per backing. 4 KiB anonymous memory: runs with geometric lengths, mean 31 pages
// (124 KiB). Order-0 page faults are served from the per-CPU page lists, which rmqueue_bulk()
// refills pcp->batch pages at a time from the buddy allocator; zone_batchsize() makes that 31
// pages on x86-64 zones over 512 MiB (4.16), so a faulting thread gets runs of about a batch
// before other CPUs' and the kernel's own allocations interleave. That is a modelling choice
// from the allocator's mechanism: no published measurement of a VM's runs was found to cite.
// THP and hugetlbfs: "scattered": each folio is contiguous and naturally aligned, the folios
// land in random order (a long-running host), so runs are one folio long.

import type { Backing, Placement } from '../model/layout.ts';
import { PAGE_SIZE } from '../model/units.ts';
import { InputError } from '../model/errors.ts';
import { object, oneOf, type At } from './json.ts';
import { describe, parseSize } from './size.ts';

const DEFAULT_ANON_PLACEMENT: Placement = { policy: 'geometric', meanBytes: 31 * PAGE_SIZE };
const DEFAULT_HUGE_PLACEMENT: Placement = { policy: 'scattered' };

type RamKind = Exclude<Backing['kind'], 'pfnmap'>;

export function defaultPlacement(kind: RamKind): Placement {
  return kind === 'anon' ? DEFAULT_ANON_PLACEMENT : DEFAULT_HUGE_PLACEMENT;
}

const POLICIES = ['contiguous', 'scattered', 'runs', 'geometric'] as const;

/** Run lengths must be whole folios (2 MiB for THP, the page size for hugetlbfs). */
function checkLength(bytes: number, folio: number, what: string, fail: (m: string) => never): number {
  if (bytes === 0 || bytes % folio !== 0) fail(`expected ${what} as a non-zero multiple of the folio size ${folio} bytes, got ${bytes}`);
  return bytes;
}

/** Fixture form: "contiguous" | "scattered" | { "policy": "runs", "length": "64K" } | { "policy": "geometric", "mean": "124K" }. */
export function parsePlacement(v: unknown, at: At, folio: number): Placement {
  if (typeof v === 'string') {
    const p = oneOf(v, at, ['contiguous', 'scattered'] as const);
    return { policy: p };
  }
  const policy = oneOf(object(v, at, ['policy', 'length', 'mean'], ['policy']).policy, at.key('policy'), POLICIES);
  if (policy === 'contiguous' || policy === 'scattered') {
    object(v, at, ['policy']);
    return { policy };
  }
  if (policy === 'runs') {
    const o = object(v, at, ['policy', 'length'], ['length']);
    const a = at.key('length');
    return { policy, bytes: checkLength(parseSize(o.length, a.where), folio, 'a run length', (m) => a.fail(m)) };
  }
  const o = object(v, at, ['policy', 'mean'], ['mean']);
  const a = at.key('mean');
  return { policy, meanBytes: checkLength(parseSize(o.mean, a.where), folio, 'a mean run length', (m) => a.fail(m)) };
}

/** --placement contiguous | scattered | runs:<size> | geometric:<size>; lengths checked per VMA later. */
export function parsePlacementFlag(text: string, where: string): Placement {
  const [policy, arg, ...rest] = text.split(':');
  const bad = (): never => {
    throw new InputError(`${where}: expected contiguous, scattered, runs:<size> or geometric:<mean size>, got ${describe(text)}`);
  };
  if (rest.length > 0) bad();
  if ((policy === 'contiguous' || policy === 'scattered') && arg === undefined) return { policy };
  const length = (text: string): number => {
    const bytes = parseSize(text, where);
    if (bytes === 0 || bytes % PAGE_SIZE !== 0) {
      throw new InputError(`${where}: expected a run length that is a non-zero multiple of 4 KiB, got ${describe(text)}`);
    }
    return bytes;
  };
  if (policy === 'runs' && arg !== undefined) return { policy, bytes: length(arg) };
  if (policy === 'geometric' && arg !== undefined) return { policy, meanBytes: length(arg) };
  return bad();
}

/** Checks a placement against a backing's folio size (for what-if flags applied to a VMA). */
export function checkPlacement(p: Placement, folio: number, fail: (m: string) => never): void {
  if (p.policy === 'runs') checkLength(p.bytes, folio, 'a run length', fail);
  if (p.policy === 'geometric') checkLength(p.meanBytes, folio, 'a mean run length', fail);
}
