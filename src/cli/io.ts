// Where the CLI writes and what it knows about its terminal; a test can pass its own.

import { supportsColor } from 'chalk';

export interface Io {
  out(text: string): void;
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
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    stdoutColor: supportsColor !== false && supportsColor.level > 0,
    stderrIsTTY: process.stderr.isTTY === true,
    stderrColumns: process.stderr.columns || 80,
    ...(process.stdout.isTTY === true && process.stdout.columns > 0 ? { stdoutColumns: process.stdout.columns } : {}),
    env: process.env,
  };
}

/** Colour on stdout: the flag allows it, NO_COLOR (any non-empty value) does not forbid it, the stream supports it. */
export function useColor(io: Io, flag: boolean): boolean {
  const noColor = io.env.NO_COLOR;
  return flag && (noColor === undefined || noColor === '') && io.stdoutColor;
}
