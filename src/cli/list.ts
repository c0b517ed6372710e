// `list`: bundled fixtures, strategies and cost profiles.

import type { Command } from 'commander';
import { bundledFixtures } from '../input/bundled.ts';
import { formatList } from '../report/show/list.ts';
import { DEFAULT_PROFILE, listProfiles } from '../input/profile.ts';
import { STRATEGIES } from '../strategies/registry.ts';
import { DEFAULT_FIXTURE } from '../input/bundled.ts';
import { formatVersion, PARTS } from '../kernel/eras.ts';
import { describeHost } from '../kernel/host.ts';
import { KERNEL_HELP, parseKernelOption } from './kernel-option.ts';
import { useColor, type Io } from './io.ts';

/** The era table as plain rows for the report. */
const eraRows = () => PARTS.flatMap((p) => p.eras.map((e) => ({ part: p.key, from: formatVersion(e.from), value: e.value, commit: e.commit, what: e.what })));

const EXAMPLES = `
Examples:
  $ vfio-pin-bench list
  $ vfio-pin-bench list --counters      also explain every row of the pin-count table
  $ vfio-pin-bench list --kernels       the host kernel's parts, their eras and commits
  $ vfio-pin-bench list --kernel "$(uname -r)"   how --kernel composes this host's release
`;

export function listCommand(program: Command, io: Io): Command {
  return program
    .command('list')
    .summary('list bundled fixtures, strategies and cost profiles')
    .description('List the bundled fixtures (name and description), the strategies (name, kernel version, description) and the cost profiles.')
    .option('--counters', 'also list the kernel counters the pin-count table shows')
    .option('--kernels', 'also list the parts of a host kernel, each era with its first release and commit')
    .option('--kernel <release>', `also show how one release is composed (${KERNEL_HELP.replace(/^.*?: /, '')})`, parseKernelOption)
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText('after', EXAMPLES)
    .action((flags: { counters?: boolean; kernels?: boolean; kernel?: number[]; color: boolean }) => {
      const release = flags.kernel?.[0];
      const text = formatList(
        {
          fixtures: bundledFixtures(),
          strategies: STRATEGIES,
          profiles: listProfiles(),
          defaultFixture: DEFAULT_FIXTURE,
          defaultProfile: DEFAULT_PROFILE,
          ...(flags.kernels === true ? { eras: eraRows() } : {}),
          ...(release === undefined ? {} : { composed: { release: formatVersion(release), parts: describeHost(release) } }),
        },
        { color: useColor(io, flags.color), counters: flags.counters ?? false, ...(io.stdoutColumns !== undefined ? { width: io.stdoutColumns } : {}) },
      );
      io.out(text);
    });
}
