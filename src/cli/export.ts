// `export <result.json>`: a stored result document in another format, without running again
// (the exporters are pure functions of the document).

import { Option, type Command } from 'commander';
import { FORMATS, renderFormat, type Format } from '../report/export/formats.ts';
import { readRunDocument } from '../input/result-document.ts';
import { loadProfile } from '../input/profile.ts';
import type { Profile } from '../model/profile.ts';
import { useColor, type Io } from './io.ts';

const EXAMPLES = `
Examples:
  $ vfio-pin-bench run --output result.json
  $ vfio-pin-bench export result.json --format github-action-benchmark > github-action-benchmark.json
  $ vfio-pin-bench export result.json --format bencher > bmf.json
  $ vfio-pin-bench export result.json --format markdown >> "$GITHUB_STEP_SUMMARY"
  $ vfio-pin-bench export result.json --format csv > result.csv
`;

export function exportCommand(program: Command, io: Io): Command {
  return program
    .command('export')
    .summary('print a stored result document in another format')
    .description(`Read a result document (run --json or run --output) and print it in another format: ${FORMATS.join(', ')}.`)
    .argument('<result.json>', 'a result document')
    .addOption(new Option('--format <name>', 'output format').choices(FORMATS).makeOptionMandatory())
    .option('--tables', 'terminal: the full tables instead of the summary')
    .option('-v, --verbose', 'terminal and markdown: the full tables, also zero counters and passing invariants')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText('after', EXAMPLES)
    .action((file: string, flags: { format: Format; verbose?: boolean; tables?: boolean; color: boolean }) => {
      const doc = readRunDocument(file);
      io.out(renderFormat(doc, flags.format, {
        color: useColor(io, flags.color), verbose: flags.verbose ?? false, tables: flags.tables ?? false,
        ...(io.stdoutColumns !== undefined ? { width: io.stdoutColumns } : {}),
        ...(flags.format === 'terminal' ? bundledProfile(doc.options.profile) : {}),
      }));
    });
}

/** The document's cost profile if it is a bundled one (the summary's counters); a profile file
 *  of another machine may not be here, and the summary then leaves that column out. */
function bundledProfile(name: string): { profile?: Profile } {
  try {
    return { profile: loadProfile(name) };
  } catch {
    return {};
  }
}
