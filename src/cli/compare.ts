// `compare <baseline.json> <current.json>`: the regression gate. Reads two result documents
// (run --json / run --output), prints the differences and sets exit 1 on any regression.

import { Option, type Command } from 'commander';
import { COMPARE_FORMATS, renderCompare, type CompareFormat } from '../report/compare/format.ts';
import { readRunDocument } from '../input/result-document.ts';
import { compareDocuments, DEFAULT_COMPARE_OPTIONS } from '../report/compare/compare.ts';
import { EXIT_FAIL } from './errors.ts';
import { useColor, type Io } from './io.ts';
import { parsePercent, parsePositiveInt } from './options.ts';
import type { ExitStatus } from '../model/errors.ts';

const EXAMPLES = `
Examples:
  $ vfio-pin-bench run --output base.json --no-timing        on main
  $ vfio-pin-bench run --output head.json --no-timing        on your branch
  $ vfio-pin-bench compare base.json head.json
  $ vfio-pin-bench compare base.json head.json --threshold 2 --format markdown >> "$GITHUB_STEP_SUMMARY"

Regressions (exit 1): a kernel counter that increased (counters are deterministic: any
increase); modelled kernel time up by more than --threshold; simulator time (CI machines are
noisy), counting only tasks with at least --min-samples samples in both runs (fewer: the
margin is unknown, the time is shown as changed, and a warning says so):
  - both runs timed the reference workload (a timed run does, after every sample): each
    task's time is divided by its run's reference time, its mean and its fastest sample must
    both have moved (the change is the one nearer zero), and the task is shown; the gate is
    the run-wide change, the median over the tasks, when it is above --time-threshold and
    beyond its margin (1.25 x the tasks' mean margin of error / sqrt(tasks)). A run on a
    busier machine moves the reference too; on a shared machine one task moving alone is
    usually noise;
  - otherwise (an older document, npm run bench tasks): a task's mean up by more than
    --time-threshold AND by more than both runs' margins of error added together;
a verdict that turns UNSAFE or BROKEN; a DMA request whose errno changed; a fixture or
strategy of the baseline missing from the current run. Fixtures and strategies are matched
by name. Exit codes: 0 no regression, 1 regression, 2 bad input (a file that
cannot be read, is not JSON, or is not a result document of this schemaVersion).
`;

interface CompareFlags {
  threshold: number;
  timeThreshold: number;
  minSamples: number;
  format: CompareFormat;
  verbose?: boolean;
  color: boolean;
}

export function compareCommand(program: Command, io: Io, status: ExitStatus): Command {
  return program
    .command('compare')
    .summary('compare two result documents; exit 1 on a regression')
    .description('Compare a baseline result document with a current one (both from run --json or run --output) per fixture, strategy and metric, print what changed, and exit 1 on a regression.')
    .argument('<baseline.json>', 'the result to compare against (e.g. the main branch\'s)')
    .argument('<current.json>', 'the result of the change under test')
    .addOption(new Option('--threshold <percent>', 'modelled kernel time: an increase above this is a regression')
      .argParser(parsePercent).default(DEFAULT_COMPARE_OPTIONS.threshold, '5%'))
    .addOption(new Option('--time-threshold <percent>', 'simulator time: an increase above this (and beyond the margins of error), run-wide or per task, is a regression')
      .argParser(parsePercent).default(DEFAULT_COMPARE_OPTIONS.timeThreshold, '25%'))
    .addOption(new Option('--min-samples <n>', 'simulator time: fewer samples than this in either run and the margin of error is unknown: never a regression')
      .argParser(parsePositiveInt).default(DEFAULT_COMPARE_OPTIONS.minSamples))
    .addOption(new Option('--format <name>', 'output format').choices(COMPARE_FORMATS).default('terminal'))
    .option('-v, --verbose', 'also show unchanged metrics and simulator times within noise')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText('after', EXAMPLES)
    .action((baseFile: string, currentFile: string, flags: CompareFlags) => {
      const base = readRunDocument(baseFile);
      const current = readRunDocument(currentFile);
      const c = compareDocuments(base, current, { base: baseFile, current: currentFile }, {
        threshold: flags.threshold,
        timeThreshold: flags.timeThreshold,
        minSamples: flags.minSamples,
      });
      for (const n of c.notes) if (n.includes('margin of error is unknown')) io.err(`compare: warning: ${n}\n`);
      io.out(renderCompare(c, flags.format, { color: useColor(io, flags.color), verbose: flags.verbose ?? false }));
      if (c.regressions > 0) status.code = EXIT_FAIL;
    });
}
