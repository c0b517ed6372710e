// Writing to a file descriptor and knowing it worked: every byte written, or an OutputError.
// Node's process.stdout ignores a short write to a file (a full disk leaves a truncated file and
// exit 0) and reports ENOSPC / EPIPE / EIO as an 'error' event after the fact; the CLI writes
// stdout, stderr and its output files through this instead.

import { writeSync } from 'node:fs';
import { OutputError, osErrorText } from '../model/errors.ts';

/** The most bytes handed to one write(2). */
const CHUNK = 1 << 20;
/** How long to wait before retrying a write to a non-blocking pipe that is full (EAGAIN). */
const EAGAIN_WAIT_MS = 2;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** What a failed write means for the user, after the system's words. */
const WHY: Record<string, string> = {
  EPIPE: 'the reader closed the pipe',
  ENOSPC: 'the device is full',
  EDQUOT: 'over the disk quota',
  EIO: 'an I/O error on the device',
  EBADF: 'the stream is closed',
};

/** What a text to write may be: a string, bytes, or pieces of either (written one after the other). */
export type Chunks = string | Uint8Array | Iterable<string | Uint8Array>;

/**
 * Writes all of `data` to `fd`; `what` names the stream or file in the message ("stdout",
 * "--output x.json"), `after` says what a failure leaves behind.
 */
export function writeFully(fd: number, data: Chunks, what: string, after = 'the output is incomplete'): void {
  if (typeof data === 'string' || data instanceof Uint8Array) {
    writeBuffer(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, what, after, 0);
    return;
  }
  let done = 0;
  for (const piece of data) done += writeBuffer(fd, typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece, what, after, done);
}

/** Writes one buffer whole; `before`: bytes written earlier (for the message). Returns its length. */
function writeBuffer(fd: number, buf: Uint8Array, what: string, after: string, before: number): number {
  let off = 0;
  while (off < buf.length) {
    let n: number;
    try {
      n = writeSync(fd, buf, off, Math.min(CHUNK, buf.length - off));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, EAGAIN_WAIT_MS); // a non-blocking pipe: wait for the reader
        continue;
      }
      throw writeError(what, e, before + off, after);
    }
    if (n <= 0) throw writeError(what, null, before + off, after);
    off += n;
  }
  return buf.length;
}

/** "stdout: cannot write: ENOSPC: no space left on device (the device is full after 65536 bytes; the output is incomplete)". */
function writeError(what: string, e: unknown, written: number, after: string): OutputError {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const sys = e === null ? 'write(2) wrote nothing' : osErrorText(e);
  const why = code !== undefined && WHY[code] !== undefined ? WHY[code] : 'failed';
  return new OutputError(`${what}: cannot write: ${sys} (${why} after ${written} bytes; ${after})`);
}
