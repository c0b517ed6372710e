// Errors and exit status shared by every layer. InputError: a problem with the user's input
// (fixture or profile file, what-if flag, a limit the input exceeds); the message is the whole
// one-line text shown to the user, and the CLI prints it without a stack and exits 2.
// OutputError: a write that failed (stdout, stderr, an --output file); the CLI prints it and
// exits 74 (EX_IOERR): the output is incomplete, whatever the run found.

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
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

/** The longest message line the CLI prints (a 5 MB key in a fixture must not come back whole). */
export const MAX_MESSAGE = 1000;

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text as one printable line of at most `max` characters: control characters (a newline in a
 * file name, an escape sequence) shown as JSON escapes, the middle cut out when too long.
 */
export function oneLine(text: string, max = MAX_MESSAGE): string {
  const s = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (s.length <= max) return s;
  const keep = max - 5;
  return `${s.slice(0, Math.ceil(keep * 0.75))} ... ${s.slice(s.length - Math.floor(keep * 0.25))}`;
}

/** A file name for messages: one line, clipped (a path may hold any byte but "/" and NUL). */
export function showPath(path: string): string {
  return oneLine(path, 300);
}
