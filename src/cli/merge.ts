// `merge a.json b.json ...`: joins the partial documents of `sweep --shard i/n` into the whole
// sweep and renders it as sweep does (table, charts, --svg, --html, JSON). Wiring only:
// input/sweep-document.ts reads, input/sweep-merge.ts joins, report/sweep/ formats.

import { Option, type Command } from 'commander';
import { sweepHtml } from '../report/sweep/html.ts';
import { formatSweepMarkdown } from '../report/sweep/markdown.ts';
import { sweepSvg } from '../report/sweep/svg.ts';
import { DEFAULT_KEY_COUNTERS, type KeyCounter } from '../report/sweep/table.ts';
import { formatSweepJson, formatSweepTerminal } from '../report/sweep/terminal.ts';
import { readSweepDocument } from '../input/sweep-document.ts';
import { mergeSweeps } from '../input/sweep-merge.ts';
import { showPath, type ExitStatus } from '../model/errors.ts';
import { EXIT_IO } from './errors.ts';
import { useColor, type Io } from './io.ts';
import { parseKeyCounters } from './options.ts';
import { checkOutputs, commitOutputs } from './output.ts';

export const MERGE_FORMATS = ['terminal', 'json', 'markdown'] as const;
type MergeFormat = (typeof MERGE_FORMATS)[number];

interface Flags {
  output?: string;
  svg?: string;
  html?: string;
  format: MergeFormat;
  json?: boolean;
  counters?: KeyCounter[];
  chart: boolean;
  color: boolean;
  quiet?: boolean;
}

const EXAMPLES = `
Examples:
  $ vfio-pin-bench sweep --bar 256M..256G --shard 1/4 -o shard-1.json    on four machines (CI jobs),
  $ vfio-pin-bench sweep --bar 256M..256G --shard 2/4 -o shard-2.json    1 to 4, each its part
  ...
  $ vfio-pin-bench merge shard-*.json                                     the table and charts
  $ vfio-pin-bench merge shard-*.json -o sweep.json --svg bar.svg --html bar.html
  $ vfio-pin-bench merge shard-*.json --format markdown >> "$GITHUB_STEP_SUMMARY"

The merged document is the one the sweep without --shard writes, but for the environment
(shard 1's) and, with --timed, the simulator's timing. Refused (exit 2, one line naming the
file): a file that is not a sweep --shard document, shards written by different versions of
the tool, shards of another sweep (another plan id: other flags, strategies or profile) or of
another n, a shard given twice, a missing shard. docs/sweeps.md has a GitHub Actions job.
`;

function mergeAction(files: string[], flags: Flags, io: Io, status: ExitStatus): void {
  const outputs = checkOutputs(
    ([['--output', flags.output], ['--svg', flags.svg], ['--html', flags.html]] as const).flatMap(([flag, path]) => (path === undefined ? [] : [{ flag, path }])),
    files,
  );
  const { doc, notes } = mergeSweeps(files.map((file) => ({ file, doc: readSweepDocument(file) })));
  const keys = flags.counters ?? DEFAULT_KEY_COUNTERS;
  const texts: Record<string, () => string> = {
    '--output': () => formatSweepJson(doc), '--svg': () => sweepSvg(doc), '--html': () => sweepHtml(doc, keys),
  };
  const failures = commitOutputs(outputs.map((out) => ({ out, text: texts[out.flag]! })));
  const format = flags.json ? 'json' : flags.format;
  try {
    for (const n of notes) io.err(`${n}\n`);
    io.out(format === 'json' ? formatSweepJson(doc)
      : format === 'markdown' ? formatSweepMarkdown(doc, keys)
        : formatSweepTerminal(doc, keys, { color: useColor(io, flags.color), chart: flags.chart }));
    if (!flags.quiet) {
      for (const o of outputs) if (!failures.some((f) => f.message.startsWith(`${o.flag} `))) io.err(`${o.flag}: wrote ${showPath(o.path)}\n`);
    }
  } finally {
    for (const f of failures) io.err(`${f.message}\n`);
  }
  if (failures.length > 0) status.code = EXIT_IO;
}

export function mergeCommand(program: Command, io: Io, status: ExitStatus = { code: 0 }): Command {
  return program
    .command('merge')
    .summary('join the partial documents of sweep --shard i/n into one sweep; table, charts, SVG/HTML')
    .description('Join the partial sweep documents that `sweep --shard i/n` wrote (one per CI job, in any order) into the whole sweep\'s document, and render it as sweep does: a table, terminal charts, JSON, markdown, an SVG chart or an HTML page.')
    .argument('<shard.json...>', 'the partial documents, one per shard (sweep --shard i/n -o or --json)')
    .option('-o, --output <file>', 'also write the merged JSON document to this file')
    .option('--svg <file>', 'write the chart as SVG (log-log, map solid, unmap dashed)')
    .option('--html <file>', 'write an HTML page: the SVG chart and the table')
    .addOption(new Option('--format <name>', 'what stdout gets: the table and charts, the merged document, or a markdown table (for $GITHUB_STEP_SUMMARY)').choices(MERGE_FORMATS).default('terminal'))
    .addOption(new Option('--json', 'the same as --format json').conflicts('format'))
    .option('--counters <names>', 'counters for the table, comma-separated, map side unless prefixed unmap: (as sweep)', parseKeyCounters)
    .option('--no-chart', 'no terminal charts (the table only)')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .option('-q, --quiet', 'no "wrote" lines on stderr')
    .addHelpText('after', EXAMPLES)
    .action((files: string[], flags: Flags) => mergeAction(files, flags, io, status));
}
