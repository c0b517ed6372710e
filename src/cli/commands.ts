// The commands as a light table: what `--help` lists (name, usage term, summary) and where each
// command's module is. program.ts imports a command's module only when that command runs (or its
// help is asked for), so `--help` and `list` do not pay for `run`'s, `sweep`'s or `calibrate`'s
// dependencies (bench/startup.ts measures it). test/commands.test.ts holds every row against the
// real command: the same term and summary, the same `--help` text.

import type { Command } from 'commander';
import type { ExitStatus } from '../model/errors.ts';
import type { Io } from './io.ts';

/** Adds one command to the program (run.ts's runCommand, list.ts's listCommand, ...). */
export type AddCommand = (program: Command, io: Io, status: ExitStatus) => Command;

export interface CommandRow {
  name: string;
  /** commander's subcommandTerm of the real command: name, [options] if it has any, arguments. */
  term: string;
  summary: string;
  load: () => Promise<AddCommand>;
}

/** In the order `--help` lists them. */
export const COMMANDS: readonly CommandRow[] = [
  { name: 'run', term: 'run [options] [fixture...]', summary: 'simulate the DMA-map path for each strategy and compare them', load: async () => (await import('./run.ts')).runCommand },
  { name: 'compare', term: 'compare [options] <baseline.json> <current.json>', summary: 'compare two result documents; exit 1 on a regression', load: async () => (await import('./compare.ts')).compareCommand },
  { name: 'calibrate', term: 'calibrate [options] <measurements.json>', summary: 'fit a cost profile to measured MAP_DMA / UNMAP_DMA times', load: async () => (await import('./calibrate.ts')).calibrateCommand },
  { name: 'check', term: 'check [options] <capture...>', summary: 'hold a real host\'s kprobe counts against the simulator; exit 1 on a difference', load: async () => (await import('./check.ts')).checkCommand },
  { name: 'export', term: 'export [options] <result.json>', summary: 'print a stored result document in another format', load: async () => (await import('./export.ts')).exportCommand },
  { name: 'import', term: 'import', summary: 'make a fixture from a running VM: its smaps, and QEMU\'s vfio trace', load: async () => (await import('./import.ts')).importCommand },
  { name: 'list', term: 'list [options]', summary: 'list bundled fixtures, strategies and cost profiles', load: async () => (await import('./list.ts')).listCommand },
  { name: 'show', term: 'show [options] [fixture]', summary: 'show a fixture\'s layout: VMAs, physical ranges, DMA requests', load: async () => (await import('./show.ts')).showCommand },
  { name: 'sweep', term: 'sweep [options]', summary: 'run every strategy over a series of BAR, RAM or chunk sizes; table, charts, SVG/HTML', load: async () => (await import('./sweep.ts')).sweepCommand },
  { name: 'merge', term: 'merge [options] <shard.json...>', summary: 'join the partial documents of sweep --shard i/n into one sweep; table, charts, SVG/HTML', load: async () => (await import('./merge.ts')).mergeCommand },
  { name: 'validate', term: 'validate [options] <fixture...>', summary: 'check fixture files against the format and the limits', load: async () => (await import('./validate.ts')).validateCommand },
];

/** The command argv names, if any: the first operand (global options are only -h and -V), or
 *  the one after `help`. */
export function commandNamed(args: readonly string[]): string | undefined {
  const operands = args.filter((a) => !a.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : operands[0];
}
