// `sweep`: one layout dimension over a geometric series of sizes, every strategy at every
// point; a table, terminal charts, and with --svg / --html a chart for the browser. Wiring only:
// input/sweep-plan.ts plans, run/sweep-pool.ts runs, report/sweep/ formats.

import { InvalidArgumentError, Option, type Command } from 'commander';
import { sweepHtml } from '../report/sweep/html.ts';
import { sweepSvg } from '../report/sweep/svg.ts';
import { DEFAULT_KEY_COUNTERS, type KeyCounter } from '../report/sweep/table.ts';
import { formatSweepJson, formatSweepTerminal } from '../report/sweep/terminal.ts';
import { DEFAULT_PROFILE, loadProfile, profileFile } from '../input/profile.ts';
import { checkLayoutLimits, checkMemory, DEFAULT_LIMITS, LimitError, type FootprintOptions, type Limits } from '../input/limits.ts';
import { InputError, showPath, type ExitStatus } from '../model/errors.ts';
import { EXIT_IO } from './errors.ts';
import { envInfo, makeSweepDocument, toolInfo } from '../run/document.ts';
import { AXIS_FLAG, planSweep, type SweepFlags, type SweepPlan } from '../input/sweep-plan.ts';
import type { PointConfig } from '../run/sweep-point.ts';
import { MAX_SHARDS, parseShard, partitionUnits, unitPages, workUnits, type Shard } from '../input/sweep-shard.ts';
import { sweepPlanId, sweepShard, withShard, workPerPage } from '../run/sweep-shard.ts';
import { formatCount } from '../report/units.ts';
import { defaultWorkers, effectiveWorkers, runSweep } from '../run/sweep-pool.ts';
import { DEFAULT_STRATEGIES, selectStrategies } from '../strategies/registry.ts';
import { useColor, type Io } from './io.ts';
import {
  addLimitOptions, addWhatIfOptions, KERNEL_HELP, limitsFromFlags, parseIterations, parseKeyCounters, parseKernelOption, parsePositiveInt,
  parsePositiveNumber, parseProfile, parseStrategies, parseTimeMs, type LimitFlags,
} from './options.ts';
import { commitOutputs, discardOutputs, checkOutputs } from './output.ts';
import { Progress } from './progress.ts';

interface Flags extends SweepFlags, LimitFlags {
  strategy?: string[];
  kernel?: number[];
  profile?: string;
  timed?: boolean;
  time: number;
  iterations: number;
  workers?: number;
  counters?: KeyCounter[];
  json?: boolean;
  output?: string;
  svg?: string;
  html?: string;
  chart: boolean;
  color: boolean;
  quiet?: boolean;
  shard?: Shard;
}

const EXAMPLES = `
Examples:
  $ vfio-pin-bench sweep --bar 256M..128G                   a GPU BAR from 256 MiB to 128 GiB, every strategy
  $ vfio-pin-bench sweep --bar 1G..64G --svg bar.svg        ... and an SVG chart to open in a browser
  $ vfio-pin-bench sweep --ram 1G..256G --backing hugetlb-1g --memlock unlimited --html ram.html
  $ vfio-pin-bench sweep --bar 16G --chunk 2M..16G          one 16 GiB BAR mapped in chunks of 2 MiB .. 16 GiB
  $ vfio-pin-bench sweep --bar 1G..64G --steps 4 -s baseline,rfc,v6.15-pgmask
  $ vfio-pin-bench sweep --bar 256M..16G --json > sweep.json
  $ vfio-pin-bench sweep --ram 4G..64G --counters vaddr_get_pfn,gup_pages,unmap:put_pfn
  $ vfio-pin-bench sweep --bar 256M..256G --shard 2/4 -o shard-2.json   one CI job's quarter; then
  $ vfio-pin-bench merge shard-*.json --svg bar.svg                       joins the four (see merge --help)

One of --bar, --ram, --chunk is a range <from>..<to>; the other layout flags are fixed for
every point. Points: from, from*factor, ... up to <to> (--factor, default 2), or --steps
points spaced evenly on a log scale. Each point is simulated once per strategy (counters,
oracle, modelled kernel time); --timed adds tinybench timing of the simulator. Points run in
parallel on --workers threads (default: one per core), one strategy at one point at a time;
the results do not depend on it. --shard i/n (i from 1, as a CI matrix lists it: shard: [1, 2,
3, 4] with --shard \${{ matrix.shard }}/4) runs a 1/n of the (point, strategy) units, balanced by
simulated pages times each strategy's counter events per page on the smallest point, and
writes a partial document that merge joins (docs/sweeps.md).
`;

/** --shard i/n: a bad value is commander's "argument ... is invalid" line (exit 2). */
function parseShardOption(value: string): Shard {
  try {
    return parseShard(value);
  } catch (e) {
    if (e instanceof InputError) throw new InvalidArgumentError(e.message.replace(/^--shard( \S+)?: /, ''));
    throw e;
  }
}

/** Every point against the limits (memory per point not yet); over one, the point that needs most is named. Returns each point's memory. */
function checkPoints(plan: SweepPlan, limits: Limits, opts: FootprintOptions): number[] {
  let worst: LimitError | null = null;
  const memory = plan.points.map((p) => {
    try {
      return checkLayoutLimits(p.layout, { ...limits, memory: Infinity }, `${AXIS_FLAG[plan.axis]} ${p.text} (point ${p.index + 1} of ${plan.points.length})`, opts).memoryBytes;
    } catch (e) {
      if (!(e instanceof LimitError)) throw e;
      if (worst === null || (e.key === worst.key && e.need > worst.need)) worst = e;
      return 0;
    }
  });
  if (worst !== null) throw worst;
  return memory;
}

async function sweepAction(flags: Flags, io: Io, status: ExitStatus): Promise<void> {
  const profileRef = flags.profile ?? DEFAULT_PROFILE;
  const profile = loadProfile(profileRef);
  const limits = limitsFromFlags(flags);
  const plan = planSweep(flags, limits);
  const cfg: PointConfig = {
    strategies: selectStrategies(flags.strategy, flags.kernel),
    profile,
    ...(flags.timed ? { timing: { timeMs: flags.time, iterations: flags.iterations } } : {}),
  };
  // every point within the limits (one worker holds one strategy's kernels of one point)
  const kernels = flags.timed ? 4 : 1;
  const memory = checkPoints(plan, limits, { kernels, strategies: 1 });
  // the (point, strategy) units to run: all, or with --shard this shard's part of them, split
  // by simulated pages times each strategy's work per page (from the smallest point, when cheap)
  const perPage = flags.shard !== undefined && flags.shard.count > 1 ? await workPerPage(plan, cfg, flags.shard.count) : undefined;
  const all = workUnits(plan, cfg.strategies.length, perPage);
  const units = flags.shard === undefined ? all : partitionUnits(all, flags.shard.count)[flags.shard.index - 1]!;
  // timed units run one at a time unless asked: a thread beside them would disturb their timing
  const workers = effectiveWorkers(flags.workers ?? (flags.timed ? 1 : defaultWorkers()), units.length);
  // the units in flight at once within the memory limit (two workers may share the largest point)
  const inFlight = units.map((u) => memory[u.point]!).sort((a, b) => b - a).slice(0, workers).reduce((a, b) => a + b, 0);
  checkMemory(inFlight, limits, `sweep ${plan.flags}`, workers > 1 ? ` (the ${workers} largest (point, strategy) units at once, one per worker; --workers 1 needs less)` : '');
  const outputs = checkOutputs(
    ([['--output', flags.output], ['--svg', flags.svg], ['--html', flags.html]] as const).flatMap(([flag, path]) => (path === undefined ? [] : [{ flag, path }])),
    [profileFile(profileRef)],
  );
  // progress whenever stderr is a terminal, in every format; the points then run in worker
  // threads (one with --timed) so that the line moves on its timer and Ctrl-C clears it at once
  const drawn = io.stderrIsTTY && !flags.quiet;
  const progress = new Progress({ write: io.err, columns: io.stderrColumns }, drawn);
  let points;
  try {
    points = await runSweep(plan, cfg, {
      workers,
      units,
      ...(drawn ? { inline: false } : {}),
      onProgress: (done, total, what) => progress.set(total > 0 ? done / total : 0, `sweep ${done}/${total} ${what}`),
    });
  } catch (e) {
    discardOutputs(outputs);
    throw e;
  } finally {
    progress.clear();
  }
  const tool = toolInfo();
  let doc = makeSweepDocument(plan, cfg, points, { tool, env: envInfo() });
  if (flags.shard !== undefined) {
    doc = withShard(doc, sweepShard(flags.shard, sweepPlanId(plan, cfg, tool.version), plan, units, all, points));
    if (!flags.quiet) {
      const by = perPage === undefined ? 'simulated pages' : 'simulated pages times counter events per page (measured on the smallest point)';
      io.err(`--shard ${flags.shard.index}/${flags.shard.count}: ${units.length} of ${all.length} (point, strategy) units, ` +
        `${formatCount(unitPages(units))} of ${formatCount(unitPages(all))} simulated pages; split by ${by}\n`);
    }
  }
  const keys = flags.counters ?? DEFAULT_KEY_COUNTERS;
  const texts: Record<string, () => string> = {
    '--output': () => formatSweepJson(doc), '--svg': () => sweepSvg(doc), '--html': () => sweepHtml(doc, keys),
  };
  // the files first (a closed stdout must not lose them), then stdout, then what failed (exit 74)
  const failures = commitOutputs(outputs.map((out) => ({ out, text: texts[out.flag]! })));
  try {
    io.out(flags.json ? formatSweepJson(doc) : formatSweepTerminal(doc, keys, { color: useColor(io, flags.color), chart: flags.chart }));
    if (!flags.quiet) {
      for (const o of outputs) if (!failures.some((f) => f.message.startsWith(`${o.flag} `))) io.err(`${o.flag}: wrote ${showPath(o.path)}\n`);
    }
  } finally {
    for (const f of failures) io.err(`${f.message}\n`);
  }
  if (failures.length > 0) status.code = EXIT_IO;
}

export function sweepCommand(program: Command, io: Io, status: ExitStatus = { code: 0 }): Command {
  const cmd = program
    .command('sweep')
    .summary('run every strategy over a series of BAR, RAM or chunk sizes; table, charts, SVG/HTML')
    .description('Sweep one layout dimension over a geometric series (a BAR\'s size, the guest RAM\'s size, or the DMA map chunk size) and compare the strategies\' counters and modelled map and unmap time at each point: a table, a log-log chart in the terminal, and with --svg or --html a chart for the browser.');
  // the layout's flags and --chunk (one of them a range), then guest RAM's, then the host's
  addWhatIfOptions(cmd, 'sweep', 'layout')
    .option('--chunk <size|from..to>', 'DMA map chunk size: each map request is issued as requests of this size (a range: sweep it, for a fixed --bar or --ram)');
  addWhatIfOptions(cmd, 'sweep', 'ram');
  addWhatIfOptions(cmd, 'sweep', 'system')
    .addOption(new Option('--steps <n>', `number of points, both ends included (at most ${DEFAULT_LIMITS.points} unless --max-points)`).argParser(parsePositiveInt).conflicts('factor'))
    .option('--factor <x>', 'ratio between consecutive points (default 2)', parsePositiveNumber)
    .option('-s, --strategy <names>', `strategies, comma-separated (default: every kernel: ${DEFAULT_STRATEGIES.map((s) => s.name).join(', ')}; proposals by name)`, parseStrategies)
    .option('--kernel <releases>', KERNEL_HELP, parseKernelOption)
    .option('--profile <name|file.json>', 'cost profile: a bundled name (see `list`) or a profile file', parseProfile)
    .option('--counters <names>', `counters for the table, comma-separated, map side unless prefixed unmap: (default: ${DEFAULT_KEY_COUNTERS.map((k) => (k.side === 'unmap' ? `unmap:${k.name}` : k.name)).join(',')})`, parseKeyCounters)
    .option('--timed', 'also time the simulator with tinybench at each point (slow)')
    .option('-t, --time <ms>', 'with --timed: wall-clock budget per timing task (map, unmap) in ms, kernel setup and release included (at most 600000)', parseTimeMs, 200)
    .option('-n, --iterations <n>', 'with --timed: most samples per timing task (at least one is always taken; at most 10000)', parseIterations, 100)
    .option('--workers <n>', 'worker threads, each running one strategy at one point at a time (default: one per core, or 1 with --timed; 1: no threads)', parsePositiveInt)
    .option('--shard <i/n>', `run shard i of n (i from 1 to n, at most ${MAX_SHARDS}; a CI matrix's shard: [1, 2, 3, 4]): a part of the (point, strategy) units balanced by simulated work, written as a partial document for \`merge\` (with -o or --json)`, parseShardOption)
    .addOption(new Option('--json', 'print the sweep as one JSON document instead of the table and charts'))
    .option('-o, --output <file>', 'also write the JSON document to this file')
    .option('--svg <file>', 'write the chart as SVG (log-log, map solid, unmap dashed)')
    .option('--html <file>', 'write an HTML page: the SVG chart and the table')
    .option('--no-chart', 'no terminal charts (the table only)')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .option('-q, --quiet', 'no progress bar and no "wrote" lines on stderr');
  addLimitOptions(cmd, ['pages', 'runs', 'memory', 'requests', 'vmas', 'points']);
  return cmd
    .addHelpText('after', EXAMPLES)
    .action((flags: Flags) => sweepAction(flags, io, status));
}
