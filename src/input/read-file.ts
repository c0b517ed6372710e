// The one reader of every file the tool reads (fixtures, profiles, result documents, its own
// package.json and schema, kprobe captures, smaps files and trace logs): regular files only, a
// size cap per kind, UTF-8 checked, JSON parsed; every problem is one InputError line that
// starts with how the caller names the file.

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { InputError, osErrorText } from '../model/errors.ts';
import { formatSize } from './size.ts';

const MiB = 1024 * 1024;

/** The most bytes read of each kind of file; a larger file is refused before it is read. */
const READ_LIMITS = {
  fixtures: 10 * MiB,
  profiles: 1 * MiB,
  measurements: 4 * MiB,
  'result documents': 256 * MiB,
  'tool files': 1 * MiB,
  'kprobe captures': 16 * MiB,
  'smaps files': 64 * MiB,
  'trace logs': 64 * MiB,
} as const;

type FileKind = keyof typeof READ_LIMITS;

/** The most bytes read of a kind of file (a writer keeps what it writes within it). */
export function readLimit(kind: FileKind): number {
  return READ_LIMITS[kind];
}

/** A FIFO never blocks the open: whether the file is regular is checked on the open descriptor. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

const limitText = (kind: FileKind): string => `${formatSize(READ_LIMITS[kind])} (${READ_LIMITS[kind]} bytes) limit for ${kind}`;

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isSocket()) return 'socket';
  return 'special file';
}

/** A file's text; `shown` is how messages name it. A directory fails as the system says (EISDIR). */
export function readText(path: string, kind: FileKind, shown = path): string {
  const limit = READ_LIMITS[kind];
  let buf: Buffer;
  let n = 0;
  try {
    const fd = openSync(path, OPEN_FLAGS);
    try {
      const st = fstatSync(fd);
      if (!st.isFile() && !st.isDirectory()) {
        throw new InputError(`${shown}: not a regular file but a ${kindOf(st)}: refused unread ` +
          `(it could block, or hold more than the ${limitText(kind)})`);
      }
      if (st.size > limit) throw new InputError(`${shown}: file is ${st.size} bytes, over the ${limitText(kind)}`);
      // one byte more than the file's size: a file that grows while it is read is still bounded
      buf = Buffer.allocUnsafe(Math.min(st.size, limit) + 1);
      for (let r; (r = readSync(fd, buf, n, buf.length - n, null)) > 0; ) {
        n += r;
        if (n === buf.length) {
          if (n > limit) break;
          const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2 + 65536, limit + 1));
          buf.copy(bigger, 0, 0, n);
          buf = bigger;
        }
      }
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${shown}: cannot read: ${osErrorText(e)}`);
  }
  if (n > limit) throw new InputError(`${shown}: more than the ${limitText(kind)}`);
  const bytes = buf.subarray(0, n);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    throw new InputError(`${shown}: not UTF-8: invalid byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at offset ${bad}`);
  }
}

/**
 * Offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode table 3-7):
 * a stray continuation byte, a byte never used in UTF-8, or the lead byte of a sequence that is
 * overlong, a surrogate, above U+10FFFF, or cut short (by another byte or by the end).
 */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    // continuation bytes after the lead, and the range of the first one
    let more = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) more = 1;
    else if (c >= 0xe0 && c <= 0xef) [more, lo, hi] = [2, c === 0xe0 ? 0xa0 : 0x80, c === 0xed ? 0x9f : 0xbf];
    else if (c >= 0xf0 && c <= 0xf4) [more, lo, hi] = [3, c === 0xf0 ? 0x90 : 0x80, c === 0xf4 ? 0x8f : 0xbf];
    else return i;
    for (let k = 1; k <= more; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += more + 1;
  }
  return b.length - 1; // not reached when the decoder refused the bytes
}

/** The longest JSON parser message shown (V8 quotes the text around the bad token). */
const MAX_JSON_MESSAGE = 200;

/** JSON text (a leading byte-order mark ignored); a syntax error is one clipped line. */
export function parseJson(text: string, shown: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const msg = (e as Error).message.replace(/\s+/g, ' ').replace(/[\u0000-\u001f]/g, '?');
    throw new InputError(`${shown}: invalid JSON: ${msg.length > MAX_JSON_MESSAGE ? `${msg.slice(0, MAX_JSON_MESSAGE - 3)}...` : msg}`);
  }
}

/** readText, then parseJson. */
export function readJson(path: string, kind: FileKind, shown = path): unknown {
  return parseJson(readText(path, kind, shown), shown);
}

/** A text file's lines for the line-based readers (kprobe captures, smaps, QEMU traces): split on
 *  \n, a final newline ending the last line, \r of CRLF files dropped; `line` counts from 1. */
export function textLines(text: string): { t: string; line: number }[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((raw, i) => ({ t: raw.replace(/\r$/, ''), line: i + 1 }));
}
