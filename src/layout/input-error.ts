// A problem with the user's input (fixture file or what-if flag). The message is the whole
// one-line text shown to the user; the CLI prints it without a stack and exits 2.

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
