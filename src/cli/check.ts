// `check <capture...> --fixture F [--kernel V]`: kprobe_profile captures of a real host against
// the simulator on that fixture and kernel. Exit 0 all equal, 1 a function differs, 2 bad input.

import type { Command } from 'commander';
import { loadFixture } from '../input/fixture.ts';
import { resolveKernel } from '../input/kernel-release.ts';
import { mergeCaptures, readKprobeCapture } from '../input/kprobe-profile.ts';
import type { ExitStatus } from '../model/errors.ts';
import { formatCheckJson, renderCheck } from '../report/check/terminal.ts';
import { checkCapture } from '../run/kprobe-check.ts';
import { kernelStrategy } from '../strategies/kernels.ts';
import { EXIT_FAIL } from './errors.ts';
import { useColor, type Io } from './io.ts';

interface CheckFlags {
  fixture: string;
  kernel?: string;
  withRelease?: boolean;
  json?: boolean;
  color: boolean;
}

const EXAMPLES = `
Examples:
  $ sudo scripts/capture-kprobes.sh run out/ -- ./vfio-pci-mem-dma-map 0000:01:00.0 16G
  $ vfio-pin-bench check out/before out/after --fixture mem-dma-map-thp --with-release
  $ vfio-pin-bench check capture.txt --fixture ./my-vm.json --kernel 6.12.117+deb13-amd64

A capture is /sys/kernel/tracing/kprobe_profile as the kernel prints it ("<event> <hits>
<missed>" per line), one file per snapshot, or several snapshots in one file, each after a
"== <label>" line. Each snapshot after the first makes a step (its counts less the one
before). As many steps as the fixture has requests: one request each; one step: all of them.
Events are read as functions by their probe line ("# probe: p:vpb/FUNC FUNC", what
scripts/capture-kprobes.sh writes), else by name (FUNC, or the kernel's own p_FUNC_0).
docs/real-kernel.md has the walk-through. Exit codes: 0 every compared function equal in
every step, 1 any differs, 2 bad input (not a capture: the file and line are named).
`;

export function checkCommand(program: Command, io: Io, status: ExitStatus): Command {
  return program
    .command('check')
    .summary('hold a real host\'s kprobe counts against the simulator; exit 1 on a difference')
    .description('Compare kprobe_profile captures from a real host (before and after the DMA maps) with the simulator\'s call counts for the same fixture on the same kernel: one row per function, equal or the difference, and a verdict.')
    .argument('<capture...>', 'kprobe_profile snapshots in order (files), or one file with "== <label>" snapshots')
    .requiredOption('-f, --fixture <fixture>', 'the layout and requests the captured program made (a path or a bundled name)')
    .option('-k, --kernel <release>', 'the host\'s uname -r (default: the capture\'s "# kernel:" line)')
    .option('--with-release', 'the last step also covers closing the container (the program exited inside it)')
    .option('--json', 'print the check record as JSON')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText('after', EXAMPLES)
    .action((files: string[], flags: CheckFlags) => {
      const capture = mergeCaptures(files.map((f) => readKprobeCapture(f)));
      const { release, version } = resolveKernel(flags.kernel, capture.kernel, capture.file);
      const { layout, source } = loadFixture(flags.fixture);
      const report = checkCapture({
        capture, files, layout, fixture: source, strategy: kernelStrategy(version), kernelRelease: release,
        withRelease: flags.withRelease ?? false,
      });
      io.out(flags.json ? formatCheckJson(report) : renderCheck(report, useColor(io, flags.color)));
      if (report.verdict.differ > 0) status.code = EXIT_FAIL;
    });
}
