// Which layouts a command works on: fixtures by path or bundled name, amended by what-if
// flags, or built from the flags alone. All are loaded (and validated) before any run starts.

import type { Layout } from '../model/layout.ts';
import { loadFixture } from '../input/fixture.ts';
import { applyWhatIf } from '../input/whatif.ts';
import { hasWhatIf, type WhatIf } from '../input/whatif-flags.ts';

export const DEFAULT_FIXTURE = 'gpu-16g-bar';

export interface Input {
  layout: Layout;
  source: string;
}

export function loadInputs(refs: string[], whatIf: WhatIf): Input[] {
  const flags = hasWhatIf(whatIf);
  if (refs.length === 0 && flags) return [{ layout: applyWhatIf(null, whatIf), source: 'what-if flags' }];
  const fixtures = (refs.length === 0 ? [DEFAULT_FIXTURE] : refs).map((ref) => loadFixture(ref));
  if (!flags) return fixtures;
  return fixtures.map((f) => ({ layout: applyWhatIf(f.layout, whatIf), source: `${f.source} + what-if flags` }));
}
