// The fixtures shipped in fixtures/, found relative to this file (not the working directory).

import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readJson } from './read-file.ts';

/** What `run` and `show` take with no fixture named. */
export const DEFAULT_FIXTURE = 'gpu-16g-bar';

const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures', import.meta.url));

interface BundledFixture {
  name: string;
  description: string;
  path: string;
}

/** Every fixtures/*.json, sorted by name; description read from the file ('' if unreadable). */
export function bundledFixtures(): BundledFixture[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const path = join(FIXTURES_DIR, f);
      let description = '';
      try {
        const d = (readJson(path, 'fixtures') as { description?: unknown } | null)?.description;
        if (typeof d === 'string') description = d;
      } catch {
        // a broken bundled file is reported when it is loaded
      }
      return { name: f.slice(0, -'.json'.length), description, path };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
