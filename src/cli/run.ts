// `run [fixture...]`: simulate every strategy on each layout and print the report.

import { Command, Option } from 'commander';
import { formatJson } from '../report/json.ts';
import { formatMarkdown } from '../report/markdown.ts';
import { formatTerminal } from '../report/terminal.ts';
import type { RunOptions } from '../run/api.ts';
import { DEFAULT_PROFILE } from '../run/profile.ts';
import type { FixtureResult } from '../run/result.ts';
import { makeDocument, runLayout } from '../run/runner.ts';
import { STRATEGIES } from '../strategies/registry.ts';
import { DEFAULT_FIXTURE, loadInputs } from './inputs.ts';
import { useColor, type Io } from './io.ts';
import {
  addWhatIfOptions, parsePositiveInt, parsePositiveNumber, parseProfile, parseStrategies,
  whatIfFrom, type WhatIfFlags,
} from './options.ts';
import { Progress } from './progress.ts';

interface RunFlags extends WhatIfFlags {
  strategy?: string[];
  json?: boolean;
  markdown?: boolean;
  time: number;
  iterations: number;
  timing: boolean;
  profile?: string;
  verbose?: boolean;
  color: boolean;
  quiet?: boolean;
}

const EXAMPLES = `
Examples:
  $ vfio-pin-bench run                                  the seed's 16 GiB GPU BAR, every strategy
  $ vfio-pin-bench run mem-dma-map-thp multi-gpu        two bundled fixtures
  $ vfio-pin-bench run ./my-vm.json --strategy baseline,rfc
  $ vfio-pin-bench run --bar 64G --no-timing            what-if: a 64 GiB BAR, counters and model only
  $ vfio-pin-bench run --ram 1T --backing hugetlb-1g --memlock unlimited
  $ vfio-pin-bench run --json > result.json             the Result records, for scripts and CI
  $ vfio-pin-bench run --markdown >> "$GITHUB_STEP_SUMMARY"

Reading the output: the timing table gives the simulator's own time (tinybench) and the
modelled kernel time from the cost profile, with throughput as the VFIO maintainer's test
programs print it and the speed-up against the baseline; the pin-count table gives the
kernel work each strategy did (\`list --counters\` explains every row); the verdict says
whether the IOMMU ended up with the same IOVA -> PFN translations as the page tables.
`;

async function runAction(refs: string[], flags: RunFlags, io: Io): Promise<void> {
  const inputs = loadInputs(refs, whatIfFrom(flags));
  const opts: RunOptions = {
    strategies: flags.strategy ?? STRATEGIES.map((s) => s.name),
    profile: flags.profile ?? DEFAULT_PROFILE,
    timeMs: flags.time,
    iterations: flags.iterations,
    timed: flags.timing,
  };
  const progress = new Progress(
    { write: io.err, columns: io.stderrColumns },
    io.stderrIsTTY && !flags.quiet && !flags.json,
  );
  const results: FixtureResult[] = [];
  try {
    for (const [i, input] of inputs.entries()) {
      const onProgress = progress.forFixture(i, inputs.length);
      results.push(await runLayout(input.layout, input.source, { ...opts, onProgress }));
    }
  } finally {
    progress.clear();
  }
  const doc = makeDocument(results, opts);
  if (flags.json) io.out(formatJson(doc));
  else if (flags.markdown) io.out(formatMarkdown(doc, { verbose: flags.verbose ?? false }));
  else io.out(formatTerminal(doc, { color: useColor(io, flags.color), verbose: flags.verbose ?? false }));
}

export function runCommand(program: Command, io: Io): Command {
  const cmd = program
    .command('run')
    .summary('simulate the DMA-map path for each strategy and compare them')
    .description('Simulate VFIO_IOMMU_MAP_DMA / UNMAP_DMA for each strategy on each layout and print the timing table, the pin-count table and the oracle\'s verdict.')
    .argument('[fixture...]', `fixture files or bundled fixture names (default: ${DEFAULT_FIXTURE})`)
    .option('-s, --strategy <names>', `strategies to run, comma-separated (default: all: ${STRATEGIES.map((s) => s.name).join(', ')})`, parseStrategies)
    .addOption(new Option('--json', 'print the Result records as JSON').conflicts('markdown'))
    .option('--markdown', 'print the tables as GitHub-flavoured markdown')
    .option('-t, --time <ms>', 'tinybench time budget per task, in ms', parsePositiveNumber, 200)
    .option('-n, --iterations <n>', 'tinybench minimum iterations per task', parsePositiveInt, 3)
    .option('--no-timing', 'counters, oracle and modelled time only (no tinybench; fast)')
    .option('--profile <name>', 'cost profile for the modelled kernel time (see `list`)', parseProfile)
    .option('-v, --verbose', 'also show counters that are zero for every strategy, and passing invariants')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .option('-q, --quiet', 'no progress line on stderr');
  addWhatIfOptions(cmd);
  return cmd
    .addHelpText('after', EXAMPLES)
    .action((refs: string[], flags: RunFlags) => runAction(refs, flags, io));
}
