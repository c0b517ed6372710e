// The files a command writes (run --output, sweep --output / --svg / --html). Nothing is lost:
//   - before the run, each path is checked and a probe file is created beside it and removed
//     (so an unwritable folder, a directory, a special file, an input file or the same path
//     twice is refused in one line, exit 2, before minutes of work; a run killed meanwhile
//     leaves nothing behind);
//   - after the run, the text goes to a new temporary file beside the path, fsync(), rename()
//     over the path, fsync() of the folder: a crash or kill -9 leaves the old file or the whole
//     new one (and at worst a hidden ".<name>.<pid>-<random>.tmp");
//   - a write that fails then (a full disk, EIO) leaves the old file, removes the temporary one,
//     and is reported after the report has reached stdout (exit 74).
// docs/reliability.md describes it for users.

import {
  closeSync, constants, fchmodSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, type Stats,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, osErrorText, OutputError, showPath } from '../model/errors.ts';
import { writeFully, type Chunks } from './write-fd.ts';
import { formatJson } from '../report/export/json.ts';
import { readLimit } from '../input/read-file.ts';
import { formatSize } from '../input/size.ts';
import type { RunDocument } from '../model/result.ts';

const UNCHANGED = 'not written; the previous file, if any, is unchanged';

/** An output file checked before the run. */
export interface PendingOutput {
  /** the flag that named it, for messages: "--output". */
  flag: string;
  /** the path as given. */
  path: string;
  /** where the file goes: the path, or what a symbolic link at the path points to. */
  target: string;
  /** false once committed or discarded. */
  open: boolean;
}

const where = (o: { flag: string; path: string }): string => `${o.flag} ${showPath(o.path)}`;

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

const statOrNull = (path: string): Stats | null => {
  try {
    return statSync(path);
  } catch {
    return null;
  }
};

const sameFile = (a: Stats, b: Stats): boolean => a.dev === b.dev && a.ino === b.ino;

/** A temporary name beside target that fits NAME_MAX (255) whatever the target's length. */
const tmpName = (target: string, what: string): string =>
  join(dirname(target), `.${basename(target).slice(0, 200)}.${process.pid}-${randomBytes(4).toString('hex')}.${what}`);

/**
 * Checks every output path before any work: each must be a new or regular file in an existing
 * folder where a file can be created, none a directory, none the same file as an input
 * (`inputs`: the fixture and profile files the command reads) or as another output.
 * Throws InputError (exit 2).
 */
export function checkOutputs(outputs: readonly { flag: string; path: string }[], inputs: readonly string[]): PendingOutput[] {
  const inputStats = inputs.map((p) => ({ path: p, st: statOrNull(p) }));
  const opened: PendingOutput[] = [];
  for (const o of outputs) opened.push(checkOne(o, inputStats, opened));
  return opened;
}

function checkOne(o: { flag: string; path: string }, inputs: { path: string; st: Stats | null }[], earlier: PendingOutput[]): PendingOutput {
  if (o.path === '') throw new InputError(`${o.flag}: expected a file name, got ""`);
  let target = resolve(o.path);
  let st: Stats | null = null;
  try {
    const l = lstatSync(target);
    if (l.isSymbolicLink()) {
      try {
        target = realpathSync(target);
      } catch (e) {
        throw new InputError(`${where(o)}: cannot write: a symbolic link to nothing (${osErrorText(e)})`);
      }
    }
    st = statSync(target);
  } catch (e) {
    if (e instanceof InputError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new InputError(`${where(o)}: cannot write: ${osErrorText(e)}`);
  }
  if (st !== null) {
    if (st.isDirectory()) throw new InputError(`${where(o)}: cannot write: is a directory (give a file name)`);
    if (!st.isFile()) {
      throw new InputError(`${where(o)}: cannot write: it is ${kindOf(st)}, not a regular file ` +
        '(outputs are written to a temporary file beside the path and renamed into place)');
    }
    for (const i of inputs) {
      if (i.st !== null && sameFile(st, i.st)) {
        throw new InputError(`${where(o)}: refused: it is the input file ${showPath(i.path)}; writing the result there would replace it`);
      }
    }
    for (const e of earlier) {
      const est = statOrNull(e.target);
      if (est !== null && sameFile(st, est)) throw new InputError(`${where(o)}: refused: the same file as ${where(e)}`);
    }
  }
  for (const e of earlier) {
    if (e.target === target) throw new InputError(`${where(o)}: refused: the same file as ${where(e)}`);
  }
  const dst = statOrNull(dirname(target));
  if (dst === null || !dst.isDirectory()) throw new InputError(`${where(o)}: cannot write: no folder ${showPath(dirname(o.path))}`);
  // a file can be created there (permissions, a read-only or full filesystem): a probe, removed at once
  const probe = tmpName(target, 'probe');
  try {
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
  } catch (e) {
    throw new InputError(`${where(o)}: cannot write in ${showPath(dirname(o.path))}: ${osErrorText(e)}`);
  }
  try {
    unlinkSync(probe);
  } catch {
    // removed by someone else
  }
  return { flag: o.flag, path: o.path, target, open: true };
}

/**
 * Writes `text` to the temporary file and renames it over the target (fsync first, the folder
 * after). On failure the temporary file is removed, the target is untouched, and an
 * OutputError names the flag, the path and the system's reason.
 */
export function commitOutput(o: PendingOutput, text: Chunks): void {
  if (!o.open) throw new Error(`${o.flag}: output already committed or discarded`);
  o.open = false;
  const tmp = tmpName(o.target, 'tmp');
  let fd: number | null = null;
  const fail = (e: unknown): never => {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // closed already
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or gone
    }
    throw e instanceof OutputError ? e : new OutputError(`${where(o)}: cannot write: ${osErrorText(e)} (${UNCHANGED})`);
  };
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
    const old = statOrNull(o.target);
    if (old !== null) {
      try {
        fchmodSync(fd, old.mode & 0o7777); // the new file keeps the old one's permissions
      } catch {
        // not ours to change: the umask's mode stays
      }
    }
    writeFully(fd, text, where(o), UNCHANGED);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, o.target);
  } catch (e) {
    fail(e);
  }
  syncFolder(dirname(o.target));
}

/** fsync() of a folder, so that the rename survives a crash; some filesystems refuse it (EINVAL): fine. */
function syncFolder(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Marks outputs not to be written (the run failed or was refused); nothing is on disk for them. */
export function discardOutputs(outputs: readonly PendingOutput[]): void {
  for (const o of outputs) o.open = false;
}

/**
 * Commits each output whose text could be made, and returns the failures (OutputError) rather
 * than throwing: the caller prints the report first, then the failures (exit 74).
 */
export function commitOutputs(items: readonly { out: PendingOutput; text: () => Chunks }[]): OutputError[] {
  const failures: OutputError[] = [];
  for (const { out, text } of items) {
    try {
      commitOutput(out, text());
    } catch (e) {
      discardOutputs([out]);
      if (e instanceof OutputError) failures.push(e);
      else if (e instanceof RangeError) failures.push(new OutputError(`${where(out)}: cannot build the text: ${e.message} (${UNCHANGED})`));
      else throw e;
    }
  }
  return failures;
}

/**
 * The result document as JSON, for --output or stdout (`what`): never more than compare and
 * export read, so the tool never writes a document it would refuse (limits.ts estimates the
 * size before the run; this is the exact check).
 */
export function documentText(doc: RunDocument, what: string): string {
  let text: string;
  try {
    text = formatJson(doc);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new OutputError(`${what}: not written: the result document is too large to build (${e.message})`);
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > readLimit('result documents')) {
    throw new OutputError(`${what}: not written: the result document is ${formatSize(bytes)}, over the ` +
      `${formatSize(readLimit('result documents'))} that compare and export read; run fewer strategies (-s) or requests`);
  }
  return text;
}
