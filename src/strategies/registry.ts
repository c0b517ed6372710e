// The strategies, in the order tables show them: one ordered, read-only list. Each file
// repeats much of the one before it on purpose: that repetition is the kernel's history
// (each models one kernel version or patch, line by line against its C source).

import { baseline } from './baseline.ts';
import { rfc } from './rfc.ts';
import type { Strategy } from './strategy.ts';

export type { Strategy } from './strategy.ts';

export const STRATEGIES: readonly Strategy[] = Object.freeze([baseline, rfc]);

export function findStrategy(name: string): Strategy | undefined {
  return STRATEGIES.find((s) => s.name === name);
}
