// The strategies, in the order tables show them: one ordered, read-only list. Each file
// repeats much of the one before it on purpose: that repetition is the kernel's history
// (each models one kernel version or patch, line by line against its C source).

import { baseline } from './baseline.ts';
import { rfc } from './rfc.ts';
import { rfc_fixed } from './rfc-fixed.ts';
import { v4_17_merged } from './v4.17-merged.ts';
import { v5_12_batch, v6_12_huge_pfnmap } from './v5.12-batch.ts';
import { v6_15_pgmask } from './v6.15-pgmask.ts';
import { v6_18_folio } from './v6.18-folio.ts';
import type { Strategy } from './strategy.ts';

export type { Strategy } from './strategy.ts';

export const STRATEGIES: readonly Strategy[] = Object.freeze([baseline, rfc, rfc_fixed, v4_17_merged, v5_12_batch, v6_12_huge_pfnmap, v6_15_pgmask, v6_18_folio]);

export function findStrategy(name: string): Strategy | undefined {
  return STRATEGIES.find((s) => s.name === name);
}
