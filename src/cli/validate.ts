// `validate <fixture...>`: "ok <file>" per good fixture; the first bad one ends it with exit 2.

import type { Command } from 'commander';
import { loadFixture } from '../input/fixture.ts';
import type { Io } from './io.ts';

const EXAMPLES = `
Examples:
  $ vfio-pin-bench validate ./my-vm.json
  $ vfio-pin-bench validate fixtures/*.json
`;

export function validateCommand(program: Command, io: Io): Command {
  return program
    .command('validate')
    .summary('check fixture files against the format')
    .description('Check fixtures (files or bundled names). Prints "ok <file>" for each good one; stops at the first bad one with its message and exit code 2.')
    .argument('<fixture...>', 'fixture files or bundled names')
    .addHelpText('after', EXAMPLES)
    .action((refs: string[]) => {
      for (const ref of refs) {
        const { source } = loadFixture(ref); // throws InputError: exit 2 with its message
        io.out(`ok ${source}\n`);
      }
    });
}
