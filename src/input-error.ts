// A problem with the user's input (fixture or profile file, what-if flag). The message is the
// whole one-line text shown to the user; the CLI prints it without a stack and exits 2.
// Shared by every layer that reads input; it imports nothing.

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
