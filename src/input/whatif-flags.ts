// What-if flag values -> numbers and backings; every error names its flag.

import type { Backing, Placement } from '../model/layout.ts';
import { SZ_1G, SZ_2M } from '../model/units.ts';
import { InputError } from '../model/errors.ts';
import { parseMemlock, parsePgsizes, parseSeed } from './parse-system.ts';
import { defaultPlacement, parsePlacementFlag } from './placement.ts';
import { describe, parsePowerOfTwo, parseSize } from './size.ts';

export interface WhatIf {
  bar?: string[];
  ram?: string;
  backing?: string;
  memlock?: string;
  capIpcLock?: boolean;
  iommuPgsizes?: string;
  disableHugepages?: boolean;
  placement?: string;
  seed?: string;
}

export type Where = (flag: string) => string;

export const BACKINGS: Record<string, Backing> = {
  '4k': { kind: 'anon', populated: true, placement: defaultPlacement('anon') },
  thp: { kind: 'thp', populated: true, placement: defaultPlacement('thp') },
  'hugetlb-2m': { kind: 'hugetlb', pageSize: SZ_2M, placement: defaultPlacement('hugetlb') },
  'hugetlb-1g': { kind: 'hugetlb', pageSize: SZ_1G, placement: defaultPlacement('hugetlb') },
};

export interface ParsedWhatIf {
  bars: { size: number; align: number; text: string }[];
  ram: number | null;
  backing: Backing | null;
  memlock: number | null | undefined;
  pgsizes: number[] | undefined;
  placement: Placement | undefined;
  seed: number | undefined;
}

/** "<size>[@align]", align default 1 GiB. */
function parseBar(text: string, where: string): { size: number; align: number; text: string } {
  const parts = text.split('@');
  if (parts.length > 2) throw new InputError(`${where}: expected a BAR like "64G" or "64G@2M", got ${describe(text)}`);
  const size = parseSize(parts[0], where);
  const align = parts.length === 2 ? parsePowerOfTwo(parts[1], where) : SZ_1G;
  return { size, align, text };
}

export function parseWhatIf(w: WhatIf, where: Where): ParsedWhatIf {
  let backing: Backing | null = null;
  if (w.backing !== undefined) {
    backing = BACKINGS[w.backing.toLowerCase()] ?? null;
    if (backing === null) {
      throw new InputError(`${where('--backing')}: expected one of ${Object.keys(BACKINGS).join(', ')}, got ${describe(w.backing)}`);
    }
  }
  return {
    bars: (w.bar ?? []).map((b) => parseBar(b, where('--bar'))),
    ram: w.ram === undefined ? null : parseSize(w.ram, where('--ram')),
    backing,
    memlock: w.memlock === undefined ? undefined : parseMemlock(w.memlock, where('--memlock')),
    pgsizes: w.iommuPgsizes === undefined ? undefined : parsePgsizes(w.iommuPgsizes.split(','), () => where('--iommu-pgsizes')),
    placement: w.placement === undefined ? undefined : parsePlacementFlag(w.placement, where('--placement')),
    seed: w.seed === undefined ? undefined : parseSeed(w.seed, where('--seed')),
  };
}

/** "--bar 64G --ram 16G ...": the flags as given, in a fixed order. */
export function describeWhatIf(w: WhatIf): string {
  const out: string[] = [];
  for (const b of w.bar ?? []) out.push(`--bar ${b}`);
  if (w.ram !== undefined) out.push(`--ram ${w.ram}`);
  if (w.backing !== undefined) out.push(`--backing ${w.backing}`);
  if (w.memlock !== undefined) out.push(`--memlock ${w.memlock}`);
  if (w.capIpcLock === true) out.push('--cap-ipc-lock');
  if (w.iommuPgsizes !== undefined) out.push(`--iommu-pgsizes ${w.iommuPgsizes}`);
  if (w.disableHugepages === true) out.push('--disable-hugepages');
  if (w.placement !== undefined) out.push(`--placement ${w.placement}`);
  if (w.seed !== undefined) out.push(`--seed ${w.seed}`);
  return out.join(' ');
}
