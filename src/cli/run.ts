// `run [fixture...]`: simulate every strategy on each layout and print the report.

import { Command, Option } from 'commander';
import { FORMAT_HELP, FORMATS, renderFormat, type Format } from '../report/export/formats.ts';
import { unsafeLines } from '../report/run/unsafe-lines.ts';
import { DEFAULT_FIXTURE, loadInputs, selectFixtures } from '../input/inputs.ts';
import { DEFAULT_PROFILE, loadProfile, profileFile } from '../input/profile.ts';
import { checkDocumentSize, checkLayoutLimits } from '../input/limits.ts';
import { readLimit } from '../input/read-file.ts';
import type { FixtureResult } from '../model/result.ts';
import { makeDocument } from '../run/document.ts';
import { runLayout, type RunOptions } from '../run/runner.ts';
import { runLayoutInThread } from '../run/run-thread.ts';
import { DEFAULT_STRATEGIES, selectStrategies } from '../strategies/registry.ts';
import { EXIT_FAIL, EXIT_IO } from './errors.ts';
import { useColor, type Io } from './io.ts';
import { describeWhatIf, type WhatIf } from '../input/whatif-flags.ts';
import {
  addLimitOptions, addWhatIfOptions, KERNEL_HELP, limitsFromFlags, parseIterations, parseKernelOption, parseList, parseProfile,
  parseStrategies, parseTimeMs, type LimitFlags,
} from './options.ts';
import { showPath, type ExitStatus } from '../model/errors.ts';
import { commitOutputs, discardOutputs, documentText, checkOutputs } from './output.ts';
import { Progress } from './progress.ts';

interface RunFlags extends WhatIf, LimitFlags {
  strategy?: string[];
  kernel?: number[];
  json?: boolean;
  markdown?: boolean;
  format?: Format;
  output?: string;
  failOnUnsafe?: boolean;
  all?: boolean;
  exclude?: string[];
  time: number;
  iterations: number;
  timing: boolean;
  profile?: string;
  explain?: boolean;
  verbose?: boolean;
  tables?: boolean;
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
  $ vfio-pin-bench run --no-timing --explain           where each strategy's modelled time goes, by counter
  $ vfio-pin-bench run --profile ./my-cpu.json          your own cost profile (ns per counter; see profiles/)
  $ vfio-pin-bench run --no-timing --json > result.json   the Result records, for scripts and CI
  $ vfio-pin-bench run --no-timing --markdown >> "$GITHUB_STEP_SUMMARY"
  $ vfio-pin-bench run --no-timing --output result.json   the summary here, the JSON document in a file
  $ vfio-pin-bench run --tables                         the full tables: timing, DMA requests, counters
  $ vfio-pin-bench run --format github-action-benchmark > bench.json   simulator time: timed on purpose
  $ vfio-pin-bench run small-mixed --no-timing --fail-on-unsafe   exit 1 if a strategy is UNSAFE or BROKEN
  $ vfio-pin-bench run --all --no-timing --output result.json   what CI runs

Reading the output: one line per strategy and side with the modelled kernel time (cost
profile), the speed-up against the baseline, the simulator's own time when timed (tinybench,
a wall-clock budget per task: slow layouts get few samples), the counters that cost the most
with their counts (\`list --counters\` explains them), and the verdict: whether the IOMMU
ended up with the same IOVA -> PFN translations as the page tables. --tables gives the full
tables. For scripts and CI use --no-timing: counters and modelled time are deterministic.
`;

/** The format on stdout: --format, or its older spellings --json and --markdown. */
function formatOf(flags: RunFlags): Format {
  if (flags.format !== undefined) return flags.format;
  if (flags.json) return 'json';
  if (flags.markdown) return 'markdown';
  return 'terminal';
}

/** How many simulated kernels a run keeps alive at once: timing keeps a few mapped (run/timing.ts). */
const kernelsAlive = (timed: boolean): number => (timed ? 4 : 1);

async function runAction(refs: string[], flags: RunFlags, io: Io, status: ExitStatus): Promise<void> {
  const inputs = loadInputs(selectFixtures(refs, flags), flags);
  // a bad profile file (--profile my.json) is bad input: exit 2 before anything runs
  const profileRef = flags.profile ?? DEFAULT_PROFILE;
  const profile = loadProfile(profileRef);
  const opts: RunOptions = {
    strategies: selectStrategies(flags.strategy, flags.kernel),
    profile: profileRef,
    timeMs: flags.time,
    iterations: flags.iterations,
    timed: flags.timing,
  };
  const format = formatOf(flags);
  // every limit before any work (input/limits.ts): pages, runs, memory, requests, VMAs
  const limits = limitsFromFlags(flags);
  for (const input of inputs) {
    const where = input.file === null ? describeWhatIf(flags) : input.source;
    checkLayoutLimits(input.layout, limits, where, { kernels: kernelsAlive(opts.timed), strategies: opts.strategies.length });
  }
  if (flags.output !== undefined || format === 'json') {
    checkDocumentSize(inputs.map((i) => i.layout), opts.strategies.length, readLimit('result documents'), flags.output !== undefined ? `--output ${flags.output}` : '--format json');
  }
  // the output file: checked (and refused if it is an input) before the run
  const files = [...inputs.flatMap((i) => (i.file === null ? [] : [i.file])), profileFile(profileRef)];
  const outputs = checkOutputs(flags.output === undefined ? [] : [{ flag: '--output', path: flags.output }], files);
  // progress whenever stderr is a terminal, in every format (stdout is apart); the run then
  // goes to a worker thread so that the line moves on its timer and Ctrl-C clears it at once
  const drawn = io.stderrIsTTY && !flags.quiet;
  const progress = new Progress({ write: io.err, columns: io.stderrColumns }, drawn);
  const runOne = drawn ? runLayoutInThread : runLayout;
  const results: FixtureResult[] = [];
  try {
    for (const [i, input] of inputs.entries()) {
      const onProgress = progress.forFixture(i, inputs.length);
      results.push(await runOne(input.layout, input.source, { ...opts, onProgress }));
    }
  } catch (e) {
    discardOutputs(outputs);
    throw e;
  } finally {
    progress.clear();
  }
  const doc = makeDocument(results, opts);
  // the file first (a closed stdout must not lose it), then stdout, then what failed (exit 74)
  const failures = commitOutputs(outputs.map((out) => ({ out, text: () => documentText(doc, `${out.flag} ${showPath(out.path)}`) })));
  try {
    const opt = {
      color: useColor(io, flags.color), verbose: flags.verbose ?? false, tables: flags.tables ?? false, profile,
      ...(io.stdoutColumns !== undefined ? { width: io.stdoutColumns } : {}),
      ...(flags.explain ? { explain: profile } : {}),
    };
    io.out(format === 'json' ? documentText(doc, 'stdout') : renderFormat(doc, format, opt));
    if (flags.failOnUnsafe) {
      const lines = unsafeLines(doc);
      for (const line of lines) io.err(`--fail-on-unsafe: ${line}\n`);
      if (lines.length > 0) status.code = EXIT_FAIL;
    }
  } finally {
    for (const f of failures) io.err(`${f.message}\n`);
  }
  if (failures.length > 0) status.code = EXIT_IO;
}

export function runCommand(program: Command, io: Io, status: ExitStatus = { code: 0 }): Command {
  const cmd = program
    .command('run')
    .summary('simulate the DMA-map path for each strategy and compare them')
    .description('Simulate VFIO_IOMMU_MAP_DMA / UNMAP_DMA for each strategy on each layout and print a summary per strategy (modelled time, speed-up, costliest counters, the oracle\'s verdict); --tables for the full tables.')
    .argument('[fixture...]', `fixture files or bundled fixture names (default: ${DEFAULT_FIXTURE})`)
    .option('-s, --strategy <names>', `strategies to run, comma-separated (default: every kernel: ${DEFAULT_STRATEGIES.map((s) => s.name).join(', ')}; proposals by name)`, parseStrategies)
    .option('--kernel <releases>', KERNEL_HELP, parseKernelOption)
    .addOption(new Option('--json', 'print the Result records as JSON (same as --format json)').conflicts(['markdown', 'format']))
    .addOption(new Option('--markdown', 'print the tables as GitHub-flavoured markdown (same as --format markdown)').conflicts('format'))
    .addOption(new Option('--format <name>', 'what to print on stdout (default: terminal; see Formats below)').choices(FORMATS))
    .option('-o, --output <file>', 'also write the result document (JSON, schema/result.schema.json) to this file')
    .option('--all', 'run every bundled fixture (see `list`)')
    .option('--exclude <names>', 'leave out these bundled fixtures, comma-separated (with --all, e.g. --exclude multi-gpu)', parseList)
    .option('--fail-on-unsafe', 'exit 1 when a strategy is UNSAFE (wrong IOVA -> PFN translations) or BROKEN (an invariant failed)')
    .option('-t, --time <ms>', 'wall-clock budget per timing task (map, unmap) in ms, kernel setup and release included (at most 600000)', parseTimeMs, 200)
    .option('-n, --iterations <n>', 'most samples per timing task (at least one is always taken; at most 10000)', parseIterations, 100)
    .option('--no-timing', 'counters, oracle and modelled time only (no tinybench; fast)')
    .option('--profile <name|file.json>', 'cost profile for the modelled kernel time: a bundled name (see `list`) or a profile file', parseProfile)
    .option('--explain', 'after the verdicts, break each strategy\'s modelled map and unmap time down into its top counters (terminal and markdown)')
    .option('--tables', 'the full tables (timing, DMA requests, every kernel counter, verdicts) instead of the summary')
    .option('-v, --verbose', 'the full tables, also with counters that are zero for every strategy, and passing invariants')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .option('-q, --quiet', 'no progress line on stderr (drawn only when stderr is a terminal)');
  addWhatIfOptions(cmd);
  addLimitOptions(cmd, ['pages', 'runs', 'memory', 'requests', 'vmas']);
  return cmd
    .addHelpText('after', `${EXAMPLES}\nFormats (--format; export <result.json> --format prints a stored result the same ways):\n${FORMATS.map((f) => `  ${f.padEnd(24)} ${FORMAT_HELP[f]}`).join('\n')}\n`)
    .action((refs: string[], flags: RunFlags) => runAction(refs, flags, io, status));
}
