// `show [fixture]`: the layout a run would use, as tables.

import type { Command } from 'commander';
import { formatLayout } from '../report/show/layout-tables.ts';
import { DEFAULT_FIXTURE, loadInputs } from '../input/inputs.ts';
import { useColor, type Io } from './io.ts';
import type { WhatIf } from '../input/whatif-flags.ts';
import { addWhatIfOptions } from './options.ts';

const EXAMPLES = `
Examples:
  $ vfio-pin-bench show gpu-16g-bar
  $ vfio-pin-bench show ./my-vm.json
  $ vfio-pin-bench show --bar 64G@1G --ram 32G      the layout \`run\` builds from these flags
`;

export function showCommand(program: Command, io: Io): Command {
  const cmd = program
    .command('show')
    .summary('show a fixture\'s layout: VMAs, physical ranges, DMA requests')
    .description('Show the layout a run would use: system settings, RAM and MMIO ranges, VMAs (address range, size, flags, backing) and the DMA requests in order. What-if flags amend the fixture (or, with no fixture, build the layout alone).')
    .argument('[fixture]', `fixture file or bundled name (default: ${DEFAULT_FIXTURE})`)
    .option('--no-color', 'no colours (NO_COLOR is honoured too)');
  addWhatIfOptions(cmd);
  return cmd
    .addHelpText('after', EXAMPLES)
    .action((ref: string | undefined, flags: WhatIf & { color: boolean }) => {
      const color = useColor(io, flags.color);
      for (const input of loadInputs(ref === undefined ? [] : [ref], flags)) {
        io.out(formatLayout(input.layout, input.source, { color }));
      }
    });
}
