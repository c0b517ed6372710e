// Errors and exit status shared by every layer. InputError: a problem with the user's input
// (fixture or profile file, what-if flag); the message is the whole one-line text shown to the
// user, and the CLI prints it without a stack and exits 2.

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** The exit code a command sets when it finishes normally (0, or 1 for a finding it was asked to fail on). */
export interface ExitStatus {
  code: number;
}

/** A system error as one short phrase: "ENOENT: no such file or directory, open 'x'" -> "ENOENT: no such file or directory". */
export function osErrorText(e: unknown): string {
  return String((e as Error).message).split(',')[0]!;
}
