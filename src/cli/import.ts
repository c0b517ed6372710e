// `import smaps <file>` and `import qemu-trace <trace> --smaps <file>`: a running VMM's layout as
// a fixture, checked by the fixture validator before a byte is written (stdout, or --output
// written whole or not at all).

import { InvalidArgumentError, type Command } from 'commander';
import { parseFixture } from '../input/fixture.ts';
import { readQemuTrace } from '../input/qemu-trace.ts';
import { readSmaps } from '../input/smaps.ts';
import { fixtureNameFor, smapsFixture } from '../input/smaps-fixture.ts';
import { parseAddress } from '../input/size.ts';
import { traceFixture } from '../input/trace-fixture.ts';
import type { Io } from './io.ts';
import { commitOutput, checkOutputs } from './output.ts';

interface ImportFlags {
  output?: string;
  name?: string;
  guestRam?: number[];
  smaps?: string;
}

const EXAMPLES = `
Examples:
  $ sudo cat /proc/$(pgrep -f qemu-system)/smaps > vm.smaps
  $ vfio-pin-bench import smaps vm.smaps --output my-vm.json
  $ vfio-pin-bench import qemu-trace qemu-trace.log --smaps vm.smaps --output my-vm.json
  $ vfio-pin-bench run my-vm.json --no-timing

The fixture's "notes" say what was guessed (which VMAs are guest RAM, THP or not, touched or
not, IOVAs, BAR addresses) and how to change it. QEMU's trace: start QEMU with
-trace "vfio_listener_region_*" -D qemu-trace.log (the log backend). docs/real-kernel.md.
`;

function collectAddress(value: string, previous: number[] | undefined): number[] {
  try {
    return [...(previous ?? []), parseAddress(value, '--guest-ram')];
  } catch {
    throw new InvalidArgumentError('expected a VMA start address like 0x7f7aebe00000');
  }
}

/** Refuses an --output that is a directory, unwritable, or one of the files read: before reading them. */
function openOutput(flags: ImportFlags, inputs: string[]) {
  return flags.output === undefined ? null : checkOutputs([{ flag: '--output', path: flags.output }], inputs)[0]!;
}

function emit(io: Io, json: unknown, shown: string, flags: ImportFlags, out: ReturnType<typeof openOutput>): void {
  parseFixture(json, shown); // throws InputError: nothing written
  const text = `${JSON.stringify(json, null, 2)}\n`;
  if (out === null) {
    io.out(text);
    return;
  }
  commitOutput(out, text);
  io.err(`wrote ${flags.output}\n`);
}

export function importCommand(program: Command, io: Io): Command {
  const cmd = program
    .command('import')
    .summary('make a fixture from a running VM: its smaps, and QEMU\'s vfio trace')
    .description('Turn a VMM\'s /proc/<pid>/smaps (and QEMU\'s vfio trace events) into a fixture: guest RAM and BAR mmaps with their backing, and the DMA requests.')
    .addHelpText('after', EXAMPLES);
  cmd
    .command('smaps')
    .description('A /proc/<pid>/smaps of a VMM -> a fixture: guest RAM VMAs (4 KiB, THP, hugetlbfs, shared memory) and vfio-pci BAR mmaps (VmFlags io pf), mapped as a VM start would.')
    .argument('<file>', 'the smaps file')
    .option('-o, --output <file>', 'write the fixture here (default: stdout)')
    .option('--name <name>', 'the fixture\'s name (default: from the file name)')
    .option('--guest-ram <start>', 'the VMA starting here is guest RAM (repeatable; replaces the guess)', collectAddress)
    .action((file: string, flags: ImportFlags) => {
      const out = openOutput(flags, [file]);
      const json = smapsFixture(readSmaps(file), {
        file, name: flags.name ?? fixtureNameFor(file), ...(flags.guestRam ? { guestRam: flags.guestRam } : {}),
      });
      emit(io, json, `import smaps ${file}`, flags, out);
    });
  cmd
    .command('qemu-trace')
    .description('QEMU\'s vfio_listener_region_add_ram / _del trace events -> the fixture\'s DMA requests in QEMU\'s order, host addresses resolved in the smaps of the same QEMU process.')
    .argument('<trace>', 'the trace log (-trace "vfio_listener_region_*" -D <file>)')
    .requiredOption('--smaps <file>', 'the same QEMU process\'s /proc/<pid>/smaps')
    .option('-o, --output <file>', 'write the fixture here (default: stdout)')
    .option('--name <name>', 'the fixture\'s name (default: from the trace\'s file name)')
    .action((trace: string, flags: ImportFlags) => {
      const out = openOutput(flags, [trace, flags.smaps!]);
      const events = readQemuTrace(trace);
      const smaps = flags.smaps!;
      const json = traceFixture(events, readSmaps(smaps), { file: smaps, trace, name: flags.name ?? fixtureNameFor(trace) });
      emit(io, json, `import qemu-trace ${trace}`, flags, out);
    });
  return cmd;
}
