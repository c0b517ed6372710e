// The exit codes (errors.ts says when each is used), apart from errors.ts, which needs commander:
// main.ts answers --version with these alone (start-up).

export const EXIT_OK = 0;
/** A finding the user asked to fail on: a regression (compare), an unsafe strategy (run --fail-on-unsafe). */
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;
/** EX_IOERR (sysexits.h): stdout, stderr or an output file could not be written; the output is incomplete. */
export const EXIT_IO = 74;
