// Exit codes and how every error becomes one. Bad input (flags, arguments, fixtures, limits) is
// 2, never 1; a write that failed (stdout, stderr, an output file) is 74; anything else is an
// internal error, 70 (EX_SOFTWARE), one line unless debugging. 1 is not an error: a command sets
// it (ExitStatus in program.ts) for a regression or an unsafe strategy it was asked to fail on.
// docs/reliability.md lists them.

import { CommanderError } from 'commander';
import { InputError, oneLine, OutputError } from '../model/errors.ts';
import type { Io } from './io.ts';

export { EXIT_FAIL, EXIT_IO, EXIT_OK } from './exit-codes.ts';
import { EXIT_INTERNAL, EXIT_IO, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';

/** Writes one line to stderr; false when even that fails (stderr on a full disk or closed). */
function tell(io: Io, text: string): boolean {
  try {
    io.err(`${text}\n`);
    return true;
  } catch {
    return false;
  }
}

export function exitCodeFor(err: unknown, io: Io): number {
  if (err instanceof CommanderError) {
    // commander has already written its message (or the help / version text).
    return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (err instanceof OutputError) {
    tell(io, oneLine(err.message));
    return EXIT_IO;
  }
  if (err instanceof InputError) return tell(io, oneLine(err.message)) ? EXIT_USAGE : EXIT_IO;
  const message = err instanceof Error ? err.message : String(err);
  if (!tell(io, `internal error: ${oneLine(message.split('\n')[0]!)}`)) return EXIT_IO;
  if (io.env.VFIO_PIN_BENCH_DEBUG === '1' && err instanceof Error && err.stack !== undefined) tell(io, err.stack);
  return EXIT_INTERNAL;
}
