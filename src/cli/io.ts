// Where the CLI writes and what it knows about its terminal; a test can pass its own.

import { isatty } from 'node:tty';
import { supportsColor } from 'chalk';
import { writeFully } from './write-fd.ts';

export interface Io {
  /** Writes all of text or throws an OutputError (a full disk, a closed pipe, an I/O error). */
  out(text: string): void;
  /** The same for stderr. */
  err(text: string): void;
  /** stdout supports colour (TTY, FORCE_COLOR, ...) before NO_COLOR and --no-color. */
  stdoutColor: boolean;
  stderrIsTTY: boolean;
  stderrColumns: number;
  /** stdout's width when it is a terminal (reports fit it), else undefined. */
  stdoutColumns?: number;
  env: Record<string, string | undefined>;
}

export function processIo(): Io {
  return {
    // file descriptors 1 and 2 written directly and checked (write-fd.ts), not process.stdout
    out: (text) => writeFully(1, text, 'stdout'),
    err: (text) => writeFully(2, text, 'stderr'),
    stdoutColor: supportsColor !== false && supportsColor.level > 0,
    // isatty(2) rather than process.stderr, whose creation would make a pipe non-blocking
    stderrIsTTY: isatty(2),
    stderrColumns: (isatty(2) ? process.stderr.columns : 0) || 80,
    // isatty(1) first: process.stdout is created (and node's stream modules loaded) only for a terminal
    ...(isatty(1) && process.stdout.columns > 0 ? { stdoutColumns: process.stdout.columns } : {}),
    env: process.env,
  };
}

/** Colour on stdout: the flag allows it, NO_COLOR (any non-empty value) does not forbid it, the stream supports it. */
export function useColor(io: Io, flag: boolean): boolean {
  const noColor = io.env.NO_COLOR;
  return flag && (noColor === undefined || noColor === '') && io.stdoutColor;
}
