// `sweep`: one layout dimension over a geometric series of sizes, every strategy at every
// point; a table, terminal charts, and with --svg / --html a chart for the browser. Wiring only:
// input/sweep-plan.ts plans, run/sweep-pool.ts runs, report/sweep/ formats.

import { statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { COUNTER_NAMES, type CounterName } from '../model/counters.ts';
import { InputError } from '../model/errors.ts';
import { renderTable } from '../report/grid.ts';
import { sweepChart } from '../report/sweep/chart.ts';
import { sweepHtml } from '../report/sweep/html.ts';
import { sweepSvg } from '../report/sweep/svg.ts';
import { DEFAULT_KEY_COUNTERS, sweepCaption, sweepGrid, type KeyCounter } from '../report/sweep/table.ts';
import { makeChalk } from '../report/style.ts';
import { DEFAULT_PROFILE, loadProfile } from '../input/profile.ts';
import { envInfo, makeSweepDocument, toolInfo } from '../run/document.ts';
import type { SweepDocument } from '../model/result.ts';
import type { PointConfig } from '../run/sweep-point.ts';
import { MAX_POINTS, planSweep, type SweepFlags } from '../input/sweep-plan.ts';
import { defaultWorkers, effectiveWorkers, runSweep } from '../run/sweep-pool.ts';
import { STRATEGIES } from '../strategies/registry.ts';
import { useColor, type Io } from './io.ts';
import { parsePositiveInt, parsePositiveNumber, parseProfile, parseStrategies } from './options.ts';
import { Progress, progressBar } from './progress.ts';

interface Flags extends SweepFlags {
  strategy?: string[];
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

One of --bar, --ram, --chunk is a range <from>..<to>; the other layout flags are fixed for
every point. Points: from, from*factor, ... up to <to> (--factor, default 2), or --steps
points spaced evenly on a log scale. Each point is simulated once per strategy (counters,
oracle, modelled kernel time); --timed adds tinybench timing of the simulator. Points run in
parallel on --workers threads (default: one per core); the results do not depend on it.
`;

/** "vaddr_get_pfn,unmap:put_pfn": counters for the table's columns, map side unless prefixed. */
export function parseKeyCounters(value: string): KeyCounter[] {
  const out: KeyCounter[] = [];
  for (const item of value.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^(?:(map|unmap):)?(.+)$/.exec(item)!;
    const side = (m[1] ?? 'map') as 'map' | 'unmap';
    const name = m[2]!;
    if (!(COUNTER_NAMES as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`unknown counter "${name}"; counters are ${COUNTER_NAMES.join(', ')} (\`list --counters\` explains them), optionally prefixed map: or unmap:`);
    }
    out.push({ side, name: name as CounterName, label: side === 'unmap' ? `${name} (unmap)` : name });
  }
  if (out.length === 0) throw new InvalidArgumentError('expected counter names separated by commas');
  return out;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Before a sweep that may take minutes: every output file's folder must exist. */
function checkFolder(flag: string, path: string): void {
  let isDir = false;
  try {
    isDir = statSync(dirname(path)).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new InputError(`${flag} ${path}: cannot write: no folder ${dirname(path)}`);
}

function write(flag: string, path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new InputError(`${flag} ${path}: cannot write: ${String((e as Error).message).split(',')[0]}`);
  }
}

export function formatSweepJson(doc: SweepDocument): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

async function sweepAction(flags: Flags, io: Io): Promise<void> {
  const profile = loadProfile(flags.profile ?? DEFAULT_PROFILE);
  const plan = planSweep(flags);
  const outputs: [string, string | undefined][] = [['--output', flags.output], ['--svg', flags.svg], ['--html', flags.html]];
  for (const [flag, path] of outputs) if (path !== undefined) checkFolder(flag, path);
  const cfg: PointConfig = {
    strategies: STRATEGIES.filter((s) => flags.strategy?.includes(s.name) ?? true),
    profile,
    ...(flags.timed ? { timing: { timeMs: flags.time, iterations: flags.iterations } } : {}),
  };
  // timed points run one at a time unless asked: a thread beside them would disturb their timing
  const workers = effectiveWorkers(flags.workers ?? (flags.timed ? 1 : defaultWorkers()), plan.points.length);
  const progress = new Progress({ write: io.err, columns: io.stderrColumns }, io.stderrIsTTY && !flags.quiet && !flags.json);
  let points;
  try {
    points = await runSweep(plan, cfg, {
      workers,
      onProgress: (done, total, what) => progress.update(`sweep ${progressBar(done, total)} ${done}/${total} ${what}`),
    });
  } finally {
    progress.clear();
  }
  const doc = makeSweepDocument(plan, cfg, points, { tool: toolInfo(), env: envInfo() });
  const keys = flags.counters ?? DEFAULT_KEY_COUNTERS;
  if (flags.output !== undefined) write('--output', flags.output, formatSweepJson(doc));
  if (flags.svg !== undefined) write('--svg', flags.svg, sweepSvg(doc));
  if (flags.html !== undefined) write('--html', flags.html, sweepHtml(doc, keys));
  if (flags.json) {
    io.out(formatSweepJson(doc));
  } else {
    const c = makeChalk(useColor(io, flags.color));
    const parts = [c.dim(sweepCaption(doc)), renderTable(sweepGrid(doc, keys), c)];
    if (flags.chart) parts.push('', sweepChart(doc, 'map'), '', sweepChart(doc, 'unmap'));
    io.out(parts.join('\n') + '\n');
  }
  if (!flags.quiet) {
    for (const [flag, path] of outputs) if (path !== undefined) io.err(`${flag}: wrote ${path}\n`);
  }
}

export function sweepCommand(program: Command, io: Io): Command {
  return program
    .command('sweep')
    .summary('run every strategy over a series of BAR, RAM or chunk sizes; table, charts, SVG/HTML')
    .description('Sweep one layout dimension over a geometric series (a BAR\'s size, the guest RAM\'s size, or the DMA map chunk size) and compare the strategies\' counters and modelled map and unmap time at each point: a table, a log-log chart in the terminal, and with --svg or --html a chart for the browser.')
    .option('--bar <size[@align]|from..to[@align]>', 'a device BAR (VM_IO|VM_PFNMAP), or the range of BAR sizes to sweep; repeatable', collect)
    .option('--ram <size|from..to>', 'guest RAM, or the range of RAM sizes to sweep')
    .option('--chunk <size|from..to>', 'DMA map chunk size: each map request is issued as requests of this size (a range: sweep it, for a fixed --bar or --ram)')
    .option('--backing <kind>', 'guest RAM backing: 4k, thp, hugetlb-2m or hugetlb-1g')
    .option('--placement <policy>', 'physical placement of RAM: contiguous, scattered, runs:<size> or geometric:<mean size>')
    .option('--seed <n>', 'seed of the random placement')
    .option('--memlock <size|unlimited>', 'RLIMIT_MEMLOCK')
    .option('--cap-ipc-lock', 'the process has CAP_IPC_LOCK (no locked_vm limit)')
    .option('--iommu-pgsizes <list>', 'IOMMU page sizes, e.g. 4k,2m,1g')
    .option('--disable-hugepages', 'vfio_iommu_type1 disable_hugepages=1')
    .addOption(new Option('--steps <n>', `number of points, both ends included (at most ${MAX_POINTS})`).argParser(parsePositiveInt).conflicts('factor'))
    .option('--factor <x>', 'ratio between consecutive points (default 2)', parsePositiveNumber)
    .option('-s, --strategy <names>', `strategies, comma-separated (default: all: ${STRATEGIES.map((s) => s.name).join(', ')})`, parseStrategies)
    .option('--profile <name|file.json>', 'cost profile: a bundled name (see `list`) or a profile file', parseProfile)
    .option('--counters <names>', `counters for the table, comma-separated, map side unless prefixed unmap: (default: ${DEFAULT_KEY_COUNTERS.map((k) => (k.side === 'unmap' ? `unmap:${k.name}` : k.name)).join(',')})`, parseKeyCounters)
    .option('--timed', 'also time the simulator with tinybench at each point (slow)')
    .option('-t, --time <ms>', 'with --timed: tinybench time budget per task, in ms', parsePositiveNumber, 200)
    .option('-n, --iterations <n>', 'with --timed: tinybench minimum iterations per task', parsePositiveInt, 3)
    .option('--workers <n>', 'worker threads for the points (default: one per core, or 1 with --timed; 1: no threads)', parsePositiveInt)
    .addOption(new Option('--json', 'print the sweep as one JSON document instead of the table and charts'))
    .option('-o, --output <file>', 'also write the JSON document to this file')
    .option('--svg <file>', 'write the chart as SVG (log-log, map solid, unmap dashed)')
    .option('--html <file>', 'write an HTML page: the SVG chart and the table')
    .option('--no-chart', 'no terminal charts (the table only)')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .option('-q, --quiet', 'no progress bar and no "wrote" lines on stderr')
    .addHelpText('after', EXAMPLES)
    .action((flags: Flags) => sweepAction(flags, io));
}
