// --kernel's parser and help, and the comma-list splitter, apart from options.ts so that `list`
// (which takes --kernel) loads them without every other option's dependencies (start-up).

import { InvalidArgumentError } from 'commander';
import { parseKernels } from '../input/kernels.ts';
import { nearest } from '../input/suggest.ts';
import { parseKernelRelease, SUPPORTED_RANGE } from '../kernel/host.ts';
import { InputError } from '../model/errors.ts';
import { STRATEGIES } from '../strategies/registry.ts';

/** "a, b,,c" -> ["a", "b", "c"]. */
export function parseList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** --kernel: releases, each in the modelled range (InputError's text as commander's message). */
export function parseKernelOption(value: string): number[] {
  // a strategy name given to --kernel: the flag for it is -s
  const names = STRATEGIES.map((s) => s.name);
  for (const item of parseList(value)) {
    const near = parseKernelRelease(item) === null ? nearest(item, names) : undefined;
    if (near !== undefined) throw new InvalidArgumentError(`${JSON.stringify(item)} is not a kernel release; did you mean -s ${near}?`);
  }
  try {
    return parseKernels(value, '--kernel');
  } catch (e) {
    if (e instanceof InputError) throw new InvalidArgumentError(e.message.replace(/^--kernel: /, ''));
    throw e;
  }
}

/** The --kernel option's help, shared by run and sweep. */
export const KERNEL_HELP = `also (or, without -s, only) run these kernel releases, comma-separated, each composed from the era table (\`list --kernels\`): e.g. 6.12, 6.1,6.18 or $(uname -r); modelled: ${SUPPORTED_RANGE}`;
