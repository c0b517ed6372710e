// The commander program and main(): wiring only. Every error ends as an exit code here.

import { Command } from 'commander';
import { calibrateCommand } from './calibrate.ts';
import { checkCommand } from './check.ts';
import { compareCommand } from './compare.ts';
import type { ExitStatus } from '../model/errors.ts';
import { exitCodeFor, EXIT_OK } from './errors.ts';
import { exportCommand } from './export.ts';
import { importCommand } from './import.ts';
import { processIo, type Io } from './io.ts';
import { listCommand } from './list.ts';
import { mergeCommand } from './merge.ts';
import { runCommand } from './run.ts';
import { showCommand } from './show.ts';
import { sweepCommand } from './sweep.ts';
import { validateCommand } from './validate.ts';
import { toolVersion } from './version.ts';

const EXAMPLES = `
Examples:
  $ vfio-pin-bench run                       compare the strategies on the seed's 16 GiB GPU BAR
  $ vfio-pin-bench run --bar 64G             what-if: a 64 GiB BAR
  $ vfio-pin-bench sweep --bar 256M..128G    every strategy over BAR sizes: table and log-log chart
  $ vfio-pin-bench merge shard-*.json        join the parts of sweep --shard i/n (CI jobs) into one sweep
  $ vfio-pin-bench list                      bundled fixtures, strategies, cost profiles
  $ vfio-pin-bench show multi-gpu            a fixture's VMAs and DMA requests
  $ vfio-pin-bench validate ./my-vm.json     check your own fixture
  $ vfio-pin-bench run --no-timing --output result.json   for CI: the JSON document in a file
  $ vfio-pin-bench compare main.json result.json   the CI gate: exit 1 on a regression
  $ vfio-pin-bench calibrate my-timings.json -o my-host.json   fit a cost profile to measured times
  $ vfio-pin-bench help run                  every option of a command

Exit codes: 0 ok; 1 a regression (compare) or an UNSAFE / BROKEN strategy (run
--fail-on-unsafe); 2 bad input (flag, argument, fixture or result file, a limit such as
--max-pages); 70 internal error (VFIO_PIN_BENCH_DEBUG=1 prints its stack); 74 stdout,
stderr or an output file could not be written (docs/reliability.md).
`;


export function buildProgram(io: Io, status: ExitStatus = { code: EXIT_OK }): Command {
  const program = new Command('vfio-pin-bench');
  // Settings before any .command(): subcommands copy them when created.
  program
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(add --help for usage)')
    .description('Simulate the Linux VFIO type1 DMA-map path and compare the kernel\'s pinning strategies by counters, modelled time and an IOVA -> PFN oracle.')
    .version(toolVersion(), '-V, --version', 'print the version')
    .helpCommand('help [command]', 'show help for a command')
    .addHelpText('after', EXAMPLES);
  runCommand(program, io, status);
  compareCommand(program, io, status);
  calibrateCommand(program, io);
  checkCommand(program, io, status);
  exportCommand(program, io);
  importCommand(program, io);
  listCommand(program, io);
  showCommand(program, io);
  sweepCommand(program, io, status);
  mergeCommand(program, io, status);
  validateCommand(program, io);
  return program;
}

/** Runs the CLI on process-style argv (node, script, ...args); returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const status: ExitStatus = { code: EXIT_OK };
  try {
    await buildProgram(io, status).parseAsync([...argv]);
    return status.code;
  } catch (err) {
    return exitCodeFor(err, io);
  }
}
