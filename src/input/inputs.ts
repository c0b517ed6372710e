// Which layouts a command works on: fixtures by path or bundled name (or, with --all, every
// bundled one less --exclude), amended by what-if flags, or built from the flags alone. All are
// loaded (and validated) before any run starts.

import type { Layout } from '../model/layout.ts';
import { InputError } from '../model/errors.ts';
import { bundledFixtures, DEFAULT_FIXTURE } from './bundled.ts';
import { loadFixture } from './fixture.ts';
import { applyWhatIf } from './whatif.ts';
import { hasWhatIf, type WhatIf } from './whatif-flags.ts';
import { didYouMean } from './suggest.ts';

export { DEFAULT_FIXTURE };

interface Input {
  layout: Layout;
  source: string;
  /** the fixture file read, or null for a layout built from flags alone. */
  file: string | null;
}

/** The fixtures to run: as given, or with --all every bundled one; less --exclude. */
export function selectFixtures(refs: string[], flags: { all?: boolean; exclude?: string[] }): string[] {
  const bundled = bundledFixtures().map((f) => f.name);
  if (flags.all && refs.length > 0) throw new InputError(`--all: runs every bundled fixture; give fixture names or --all, not both (got ${refs.join(', ')})`);
  let out = flags.all ? bundled : refs;
  const exclude = flags.exclude;
  if (exclude !== undefined) {
    for (const name of exclude) {
      if (!bundled.includes(name)) throw new InputError(`--exclude: unknown fixture "${name}"${didYouMean(name, bundled, `bundled fixtures are ${bundled.join(', ')}`)}`);
    }
    out = out.filter((r) => !exclude.includes(r));
    if (out.length === 0) throw new InputError('--exclude: no fixture left to run');
  }
  return out;
}

export function loadInputs(refs: string[], whatIf: WhatIf): Input[] {
  const flags = hasWhatIf(whatIf);
  if (refs.length === 0 && flags) return [{ layout: applyWhatIf(null, whatIf), source: 'what-if flags', file: null }];
  const fixtures = (refs.length === 0 ? [DEFAULT_FIXTURE] : refs).map((ref) => loadFixture(ref));
  if (!flags) return fixtures;
  return fixtures.map((f) => ({ layout: applyWhatIf(f.layout, whatIf), source: `${f.source} + what-if flags`, file: f.file }));
}
