// The commander program and main(): wiring only. Every error ends as an exit code here.

import { Command, Help } from 'commander';
import type { ExitStatus } from '../model/errors.ts';
import { COMMANDS, commandNamed, type AddCommand } from './commands.ts';
import { exitCodeFor, EXIT_OK } from './errors.ts';
import { processIo, type Io } from './io.ts';
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


/** The program with the commands in `loaded` defined in full and every other one as a stub
 *  (name and summary only, never run: main() loads the command argv names). */
export function buildProgram(io: Io, status: ExitStatus = { code: EXIT_OK }, loaded: ReadonlyMap<string, AddCommand> = new Map()): Command {
  const program = new Command('vfio-pin-bench');
  const stubs = new Map<Command, string>();
  // Settings before any .command(): subcommands copy them when created.
  program
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s), writeErr: (s) => io.err(s),
      // from io, as commander's defaults would read them from process.stdout / stderr (creating the streams)
      getOutHelpWidth: () => io.stdoutColumns ?? 80, getErrHelpWidth: () => (io.stderrIsTTY ? io.stderrColumns : 80),
      getOutHasColors: () => io.stdoutColor, getErrHasColors: () => false,
    })
    .configureHelp({
      // a stub lists the real command's term (COMMANDS), so the listing does not depend on what is loaded
      subcommandTerm(this: Help, cmd: Command): string {
        return stubs.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
      },
    })
    .showHelpAfterError('(add --help for usage)')
    .description('Simulate the Linux VFIO type1 DMA-map path and compare the kernel\'s pinning strategies by counters, modelled time and an IOVA -> PFN oracle.')
    .version(toolVersion(), '-V, --version', 'print the version')
    .helpCommand('help [command]', 'show help for a command')
    .addHelpText('after', EXAMPLES);
  for (const c of COMMANDS) {
    const add = loaded.get(c.name);
    if (add !== undefined) add(program, io, status);
    else stubs.set(program.command(c.name).summary(c.summary), c.term);
  }
  return program;
}

/** Loads the modules of the named commands (all of them when `names` is omitted). */
export async function loadCommands(names?: readonly string[]): Promise<Map<string, AddCommand>> {
  const rows = COMMANDS.filter((c) => names === undefined || names.includes(c.name));
  return new Map(await Promise.all(rows.map(async (c) => [c.name, await c.load()] as const)));
}

/** Runs the CLI on process-style argv (node, script, ...args); returns the exit code. Only the
 *  command argv names is imported; `--help` and an unknown command import none. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const status: ExitStatus = { code: EXIT_OK };
  try {
    const name = commandNamed(argv.slice(2));
    const loaded = await loadCommands(name === undefined ? [] : [name]);
    await buildProgram(io, status, loaded).parseAsync([...argv]);
    return status.code;
  } catch (err) {
    return exitCodeFor(err, io);
  }
}
