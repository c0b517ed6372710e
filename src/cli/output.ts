// The files a command writes (run --output, sweep --output / --svg / --html, import --output): the
// folder checked before a run that may take minutes, and a failed write as one line naming the flag.

import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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

/**
 * Writes a whole file or nothing: the text goes to a temporary file beside `path`, which is then
 * renamed over it, so an interrupted or failed write never leaves half a file. A path that is not
 * a regular file (/dev/stdout, a FIFO) is written directly.
 */
export function writeOutputAtomic(flag: string, path: string, text: string): void {
  let special = false;
  try {
    special = !statSync(path).isFile();
  } catch {
    // does not exist yet: a regular file will be created
  }
  if (special) return writeOutput(flag, path, text);
  checkOutputFolder(flag, path);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text, { flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new InputError(`${flag} ${path}: cannot write: ${osErrorText(e)}`);
  }
}
