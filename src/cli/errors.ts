// Exit codes and how every error becomes one. Bad input (flags, arguments, fixtures) is 2,
// never 1; anything else is an internal error, 70 (EX_SOFTWARE), one line unless debugging.
// 1 is not an error: a command sets it (ExitStatus in program.ts) for a regression or an
// unsafe strategy it was asked to fail on.

import { CommanderError } from 'commander';
import { InputError } from '../model/errors.ts';
import type { Io } from './io.ts';

export const EXIT_OK = 0;
/** A finding the user asked to fail on: a regression (compare), an unsafe strategy (run --fail-on-unsafe). */
export const EXIT_FAIL = 1;
const EXIT_USAGE = 2;
const EXIT_INTERNAL = 70;

export function exitCodeFor(err: unknown, io: Io): number {
  if (err instanceof CommanderError) {
    // commander has already written its message (or the help / version text).
    return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (err instanceof InputError) {
    io.err(`${err.message}\n`);
    return EXIT_USAGE;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.err(`internal error: ${message.split('\n')[0]}\n`);
  if (io.env.VFIO_PIN_BENCH_DEBUG === '1' && err instanceof Error && err.stack !== undefined) io.err(`${err.stack}\n`);
  return EXIT_INTERNAL;
}
