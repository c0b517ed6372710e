// The strategies, in the order tables show them: one ordered, read-only list. Each file
// repeats much of the one before it on purpose: that repetition is the kernel's history
// (each models one kernel version or patch, line by line against its C source). Last come our
// own proposals (strategy.proposal): patches in no kernel, listed and tested like the rest but
// run only when named with -s, so a plain `run` compares kernels and the patches posted for them.

import { baseline } from './baseline.ts';
import { rfc } from './rfc.ts';
import { rfc_fixed } from './rfc-fixed.ts';
import { v4_17_merged } from './v4.17-merged.ts';
import { v5_12_batch, v6_12_huge_pfnmap } from './v5.12-batch.ts';
import { v6_15_pgmask } from './v6.15-pgmask.ts';
import { v6_18_folio } from './v6.18-folio.ts';
import { proposed_unmap_fastpath } from './proposed-unmap-fastpath.ts';
import { kernelStrategy } from './kernels.ts';
import type { Strategy } from './strategy.ts';
import { inRange, parseKernelRelease } from '../kernel/host.ts';

export type { Strategy } from './strategy.ts';

export const STRATEGIES: readonly Strategy[] = Object.freeze([baseline, rfc, rfc_fixed, v4_17_merged, v5_12_batch, v6_12_huge_pfnmap, v6_15_pgmask, v6_18_folio, proposed_unmap_fastpath]);

/** What runs when -s names nothing: every strategy but our proposals. */
export const DEFAULT_STRATEGIES: readonly Strategy[] = Object.freeze(STRATEGIES.filter((s) => s.proposal !== true));

/** A registry strategy by name, or a composed release by its name "linux-<major.minor>". */
export function findStrategy(name: string): Strategy | undefined {
  const s = STRATEGIES.find((r) => r.name === name);
  if (s !== undefined || !name.startsWith('linux-')) return s;
  const v = parseKernelRelease(name.slice('linux-'.length));
  return v !== null && inRange(v) ? kernelStrategy(v) : undefined;
}

/** What -s and --kernel select: the named strategies in registry order, then the releases
 *  in the order given; DEFAULT_STRATEGIES when neither is given. */
export function selectStrategies(names: readonly string[] | undefined, kernels: readonly number[] | undefined): Strategy[] {
  if (kernels === undefined) return names === undefined ? [...DEFAULT_STRATEGIES] : STRATEGIES.filter((s) => names.includes(s.name));
  return [...STRATEGIES.filter((s) => names?.includes(s.name) ?? false), ...kernels.map(kernelStrategy)];
}
