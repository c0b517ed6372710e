// The files a command writes (run --output, sweep --output / --svg / --html): the folder checked
// before a run that may take minutes, and a failed write as one line naming the flag.

import { statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError, osErrorText } from '../model/errors.ts';

/** Throws unless `path`'s folder exists. */
export function checkOutputFolder(flag: string, path: string): void {
  const dir = dirname(path);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new InputError(`${flag} ${path}: cannot write: no folder ${dir}`);
}

export function writeOutput(flag: string, path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new InputError(`${flag} ${path}: cannot write: ${osErrorText(e)}`);
  }
}
