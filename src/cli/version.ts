// The tool's version, from package.json next to src/.

import { fileURLToPath } from 'node:url';
import { readJson } from '../input/read-file.ts';

export function toolVersion(): string {
  const pkg = readJson(fileURLToPath(new URL('../../package.json', import.meta.url)), 'tool files', 'package.json') as { version?: unknown } | null;
  return typeof pkg?.version === 'string' ? pkg.version : '0.0.0';
}
