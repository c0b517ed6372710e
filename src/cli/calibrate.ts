// `calibrate <measurements.json>`: fit a cost profile to measured ioctl times (wiring only:
// run/calibrate.ts simulates and fits, report/calibrate/ formats).

import type { Command } from 'commander';
import { DEFAULT_PROFILE, loadProfile } from '../input/profile.ts';
import { calibrate, calibratedProfile, calibrationDate, readMeasurements } from '../run/calibrate.ts';
import { formatCalibration } from '../report/calibrate/format.ts';
import { makeChalk } from '../report/style.ts';
import { useColor, type Io } from './io.ts';
import { parseProfile } from './options.ts';
import { commitOutput, checkOutputs } from './output.ts';

interface CalibrateFlags {
  output?: string;
  profile?: string;
  name?: string;
  color: boolean;
}

const EXAMPLES = `
Examples:
  $ vfio-pin-bench calibrate fixtures/real-kernel/tcg-timings.json
  $ vfio-pin-bench calibrate my-timings.json --output my-host.json --name my-host
  $ vfio-pin-bench run --profile my-host.json --explain

The measurement file (schema/measurements.schema.json; docs/cost-model.md) lists observations:
a fixture, a kernel (a release as uname -r prints it, or a strategy), the op and the request(s)
timed, the measured seconds and their source. Each is simulated; the per-counter prices are
fitted by non-negative least squares on relative error; a counter no observation moves keeps
the starting profile's price and is reported unconstrained.
`;

export function calibrateCommand(program: Command, io: Io): Command {
  return program
    .command('calibrate')
    .summary('fit a cost profile to measured MAP_DMA / UNMAP_DMA times')
    .description('Simulate each observation of a measurement file, fit the per-counter costs (ns) to the measured times, and print the fit, its prices and its leave-one-out error; --output writes the profile.')
    .argument('<measurements.json>', 'the measurement file')
    .option('-o, --output <file>', 'write the fitted profile (with its derivation) to this file')
    .option('--profile <name|file.json>', `the starting profile: prices of counters no observation moves, and the proportions of those the observations leave open (default: ${DEFAULT_PROFILE})`, parseProfile)
    .option('--name <name>', 'the fitted profile\'s name (default: the measurement file\'s "name")')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText('after', EXAMPLES)
    .action((file: string, flags: CalibrateFlags) => {
      const out = flags.output === undefined ? null : checkOutputs([{ flag: '--output', path: flags.output }], [file])[0]!;
      const prior = loadProfile(flags.profile ?? DEFAULT_PROFILE);
      const m = readMeasurements(file);
      const c = calibrate(m, prior);
      const profile = calibratedProfile(c, { name: flags.name ?? m.name, measurementsRef: file, date: calibrationDate(io.env) });
      io.out(formatCalibration(profile, prior, makeChalk(useColor(io, flags.color))));
      if (out !== null) {
        commitOutput(out, `${JSON.stringify(profile, null, 2)}\n`);
        io.err(`wrote profile ${profile.name} to ${flags.output}\n`);
      }
    });
}
