// `validate <fixture...>`: "ok <file>" per good fixture; the first bad one ends it with exit 2.
// A fixture is good when `run` would take it: the format, and the limits (input/limits.ts).

import type { Command } from 'commander';
import { loadFixture } from '../input/fixture.ts';
import { checkLayoutLimits } from '../input/limits.ts';
import { STRATEGIES } from '../strategies/registry.ts';
import type { Io } from './io.ts';
import { addLimitOptions, limitsFromFlags, type LimitFlags } from './options.ts';

const EXAMPLES = `
Examples:
  $ vfio-pin-bench validate ./my-vm.json
  $ vfio-pin-bench validate fixtures/*.json
  $ vfio-pin-bench validate big-vm.json --max-pages 4G --max-memory 16G    with the limits run would be given
`;

export function validateCommand(program: Command, io: Io): Command {
  const cmd = program
    .command('validate')
    .summary('check fixture files against the format and the limits')
    .description('Check fixtures (files or bundled names) against the format and the limits a `run --no-timing` of every strategy would check. Prints "ok <file>" for each good one; stops at the first bad one with its message and exit code 2.')
    .argument('<fixture...>', 'fixture files or bundled names');
  addLimitOptions(cmd, ['pages', 'runs', 'memory', 'requests', 'vmas']);
  return cmd
    .addHelpText('after', EXAMPLES)
    .action((refs: string[], flags: LimitFlags) => {
      const limits = limitsFromFlags(flags);
      for (const ref of refs) {
        const { layout, source } = loadFixture(ref); // throws InputError: exit 2 with its message
        checkLayoutLimits(layout, limits, source, { kernels: 1, strategies: STRATEGIES.length });
        io.out(`ok ${source}\n`);
      }
    });
}
