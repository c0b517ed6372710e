// `list`: bundled fixtures, strategies and cost profiles.

import type { Command } from 'commander';
import { bundledFixtures } from '../input/bundled.ts';
import { formatList } from '../report/show/list.ts';
import { DEFAULT_PROFILE, listProfiles } from '../input/profile.ts';
import { STRATEGIES } from '../strategies/registry.ts';
import { DEFAULT_FIXTURE } from '../input/inputs.ts';
import { useColor, type Io } from './io.ts';

const EXAMPLES = `
Examples:
  $ vfio-pin-bench list
  $ vfio-pin-bench list --counters      also explain every row of the pin-count table
`;

export function listCommand(program: Command, io: Io): Command {
  return program
    .command('list')
    .summary('list bundled fixtures, strategies and cost profiles')
    .description('List the bundled fixtures (name and description), the strategies (name, kernel version, description) and the cost profiles.')
    .option('--counters', 'also list the kernel counters the pin-count table shows')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText('after', EXAMPLES)
    .action((flags: { counters?: boolean; color: boolean }) => {
      const text = formatList(
        {
          fixtures: bundledFixtures(),
          strategies: STRATEGIES,
          profiles: listProfiles(),
          defaultFixture: DEFAULT_FIXTURE,
          defaultProfile: DEFAULT_PROFILE,
        },
        { color: useColor(io, flags.color), counters: flags.counters ?? false },
      );
      io.out(text);
    });
}
