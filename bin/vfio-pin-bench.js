#!/usr/bin/env node
// Runs the TypeScript CLI straight from the source tree through tsx (no build step).
// Resolves its own real path so it also works through npm's node_modules/.bin symlink.

import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const here = dirname(realpathSync(fileURLToPath(import.meta.url)));
await import(pathToFileURL(join(here, '..', 'src', 'run', 'v8-tuning.ts')).href);
await import(pathToFileURL(join(here, '..', 'src', 'cli', 'main.ts')).href);
